import pytest

from tests.conftest import csrf_token


def test_security_headers_on_every_page(client):
    response = client.get("/login")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"


def test_pages_carry_no_inline_script(client):
    for path in ("/", "/login", "/register", "/forgot-password"):
        html = client.get(path).get_data(as_text=True)
        assert "<script>" not in html and " onclick=" not in html and "style=" not in html


def test_logged_in_pages_are_not_cached(client, learner):
    assert client.get("/account").headers["Cache-Control"] == "no-store"


def test_forged_post_without_csrf_token_is_refused(client, learner, db):
    response = client.post("/account", data={"name": "Forged", "organisation": "", "country": ""})
    assert response.status_code == 400
    assert "form expired" in response.get_data(as_text=True)
    db.session.refresh(learner)
    assert learner.name == "Lena Learner"


def test_post_with_another_sessions_token_is_refused(app, client, learner, login):
    from tests.factories import create_user

    other = app.test_client()
    login(create_user(), on=other)
    foreign = csrf_token(other, "/account")
    response = client.post("/account", data={"name": "X", "csrf_token": foreign})
    assert response.status_code == 400


def test_request_size_is_limited(app, client):
    app.config["MAX_CONTENT_LENGTH"] = 1024
    response = client.post("/login", data={"email": "a" * 4096})
    assert response.status_code == 413
    assert "Too large" in response.get_data(as_text=True)


def test_production_config_refuses_to_start_without_secret_key(monkeypatch):
    import config

    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        config.ProductionConfig()


def test_production_cookies_are_secure(monkeypatch):
    import config

    monkeypatch.setenv("SECRET_KEY", "x" * 32)
    cfg = config.ProductionConfig()
    assert cfg.SESSION_COOKIE_SECURE and cfg.REMEMBER_COOKIE_SECURE
    assert cfg.SESSION_COOKIE_HTTPONLY and cfg.SESSION_COOKIE_SAMESITE == "Lax"


def test_database_url_selects_postgresql(monkeypatch):
    import config

    monkeypatch.setenv("DATABASE_URL", "postgres://u@db:5432/academy")
    assert config.DevelopmentConfig().SQLALCHEMY_DATABASE_URI == "postgresql+psycopg://u@db:5432/academy"
