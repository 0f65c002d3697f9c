from academy.auth import services
from academy.cli import academy_cli


def test_create_admin_creates_an_admin(app, db):
    runner = app.test_cli_runner()
    result = runner.invoke(
        academy_cli,
        ["create-admin", "--email", "Root@Example.org", "--name", "Rita Root", "--password", "a long admin passphrase"],
    )
    assert result.exit_code == 0, result.output
    user = services.get_user_by_email("root@example.org")
    assert user.is_admin and user.name == "Rita Root"


def test_create_admin_refuses_a_common_password(app, db):
    result = app.test_cli_runner().invoke(
        academy_cli, ["create-admin", "--email", "x@example.org", "--password", "password"]
    )
    assert result.exit_code != 0
    assert "too common" in result.output
    assert services.get_user_by_email("x@example.org") is None


def test_seed_demo_is_idempotent_and_prints_accounts(app, db):
    runner = app.test_cli_runner()
    first = runner.invoke(academy_cli, ["seed-demo"])
    second = runner.invoke(academy_cli, ["seed-demo"])
    assert first.exit_code == second.exit_code == 0
    assert "learner@academy.example" in first.output and "admin@academy.example" in first.output
    admin = services.get_user_by_email("admin@academy.example")
    trainer = services.get_user_by_email("trainer@academy.example")
    assert admin.is_admin and trainer.is_trainer and not trainer.is_admin
