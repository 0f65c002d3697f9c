from sqlalchemy import func, select

from academy.auth.models import User
from tests.conftest import csrf_token, read_mail
from tests.factories import create_user

GOOD = {
    "name": "Łukasz Żółć",
    "email": "Lukasz.Zolc@Example.EU",
    "organisation": "Managing Authority Interreg Poland–Saxony",
    "country": "PL",
    "password": "cross-border cooperation 2027",
    "confirm": "cross-border cooperation 2027",
}


def _register(client, **overrides):
    data = {**GOOD, **overrides, "csrf_token": csrf_token(client, "/register")}
    return client.post("/register", data=data)


def _count(db):
    return db.session.scalar(select(func.count(User.id)))


def test_register_creates_account_logs_in_and_welcomes(client, app, db):
    response = _register(client)
    assert response.status_code == 302
    user = db.session.scalar(select(User))
    assert user.email == "lukasz.zolc@example.eu"
    assert user.name == "Łukasz Żółć"
    assert user.country == "PL"
    assert "Łukasz Żółć" in client.get("/account").get_data(as_text=True)
    mails = read_mail(app)
    assert len(mails) == 1 and "Welcome" in mails[0]


def test_stored_hash_is_argon2id_at_owasp_minimums(client, db):
    _register(client)
    stored = db.session.scalar(select(User.password_hash))
    assert stored.startswith("$argon2id$")
    params = dict(p.split("=") for p in stored.split("$")[3].split(","))
    assert int(params["m"]) >= 47104 and int(params["t"]) >= 1 and int(params["p"]) == 1
    assert GOOD["password"] not in stored


def test_email_differing_only_in_case_is_refused(client, db):
    create_user(email="marta@interreg.example")
    response = _register(client, email="MARTA@Interreg.Example")
    assert response.status_code == 400
    assert "already exists" in response.get_data(as_text=True)
    assert _count(db) == 1


def test_bad_input_shows_field_errors_and_creates_nothing(client, db):
    response = _register(client, name="", email="not-an-email", password="short", confirm="other")
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "There is a problem" in html
    assert 'aria-invalid="true"' in html
    assert "at least 8 characters" in html
    assert "do not match" in html
    assert _count(db) == 0


def test_common_password_is_refused(client, db):
    response = _register(client, password="password123", confirm="password123")
    assert response.status_code == 400
    assert "too common" in response.get_data(as_text=True)
    assert _count(db) == 0


def test_long_passphrase_of_64_characters_is_accepted(client, db):
    phrase = "joint secretariat " * 3 + "keep.eu and jems for all of us!"
    phrase = phrase[:64]
    assert len(phrase) == 64
    assert _register(client, password=phrase, confirm=phrase).status_code == 302
    assert _count(db) == 1


def test_register_without_csrf_token_is_refused(client, db):
    response = client.post("/register", data=GOOD)
    assert response.status_code == 400
    assert _count(db) == 0
