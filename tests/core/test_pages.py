import pytest
from sqlalchemy.exc import OperationalError


def test_home_page_has_landmarks_and_skip_link(client):
    html = client.get("/").get_data(as_text=True)
    assert 'class="skip-link" href="#main"' in html
    assert "<header" in html and '<main id="main"' in html and "<footer" in html
    assert 'aria-label="Main"' in html


def test_anonymous_navigation_offers_login_and_register(client):
    html = client.get("/").get_data(as_text=True)
    assert 'href="/login"' in html and 'href="/register"' in html


def test_logged_in_navigation_shows_account_menu(client, learner):
    html = client.get("/").get_data(as_text=True)
    assert learner.name in html and 'action="/logout"' in html
    assert 'href="/admin/users"' not in html


def test_admin_sees_administration_link(client, admin):
    assert 'href="/admin/"' in client.get("/").get_data(as_text=True)


def test_404_page(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert "Page not found" in response.get_data(as_text=True)


def test_api_errors_are_problem_json(client):
    response = client.get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"
    assert response.get_json()["status"] == 404


@pytest.mark.own_app  # it adds a route
def test_500_page_hides_the_error(app, client):
    app.config["PROPAGATE_EXCEPTIONS"] = False

    @app.get("/boom-test")
    def boom():
        raise RuntimeError("secret detail")

    response = client.get("/boom-test")
    assert response.status_code == 500
    html = response.get_data(as_text=True)
    assert "Something went wrong" in html and "secret detail" not in html


def test_database_down_gives_503(app, client, monkeypatch):
    from academy import extensions as views

    def down(*a, **k):
        raise OperationalError("SELECT 1", {}, Exception("connection refused"))

    monkeypatch.setattr(views.db.session, "execute", down)
    monkeypatch.setattr(views.db.session, "scalars", down)
    monkeypatch.setattr(views.db.session, "scalar", down)
    response = client.get("/courses")
    assert response.status_code == 503


@pytest.mark.parametrize("path", ["/healthz"])
def test_health_check(client, path):
    assert client.get(path).get_json() == {"status": "ok"}
