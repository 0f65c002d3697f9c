"""Production configuration, served over HTTPS: strict CSP, HSTS, and __Host- cookies that work."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

import config
from academy import create_app
from academy.extensions import db as _db
from tests.conftest import RequestClient
from tests.factories import DEFAULT_PASSWORD, create_user


@pytest.fixture
def production_app(app: Flask, database_url: str, tmp_path: Path, monkeypatch) -> Iterator[Flask]:
    """The app built from ProductionConfig, pointed at the test database (the `app` fixture cleans up)."""
    monkeypatch.setenv("SECRET_KEY", "p" * 64)
    monkeypatch.setenv("ACADEMY_INSTANCE_PATH", str(tmp_path / "prod"))
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.delenv("REDIS_URL", raising=False)
    monkeypatch.delenv("SESSION_COOKIE_SECURE", raising=False)
    cfg = config.ProductionConfig()
    cfg.MAIL_DIR = tmp_path / "mail"
    prod = create_app(cfg)
    prod.test_client_class = RequestClient
    with prod.app_context():
        _db.create_all()
        yield prod
        _db.session.remove()
        _db.engine.dispose()


def _https(prod: Flask):
    # Flask's test client takes its scheme from PREFERRED_URL_SCHEME: https in production.
    client = prod.test_client()
    assert client.get("/healthz").request.scheme == "https"
    return client


def _set_cookies(response) -> list[str]:
    return response.headers.getlist("Set-Cookie")


def _log_in(client, email: str, *, remember: bool = False):
    html = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)
    data = {"email": email, "password": DEFAULT_PASSWORD, "csrf_token": token}
    if remember:
        data["remember"] = "y"
    # Over HTTPS Flask-WTF also checks that the Referer is this site (as a browser sends it).
    return client.post("/login", data=data, headers={"Referer": "https://localhost/login"})


def test_production_pages_carry_a_strict_csp_and_hsts(production_app):
    response = _https(production_app).get("/login")
    assert response.status_code == 200
    csp = response.headers["Content-Security-Policy"]
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    for directive in ("default-src 'self'", "script-src 'self'", "style-src 'self'", "object-src 'none'"):
        assert directive in csp
    assert "frame-ancestors 'none'" in csp and "base-uri 'self'" in csp and "form-action 'self'" in csp
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"


def test_production_sends_hsts_even_when_a_proxy_terminated_tls(production_app):
    # Without ACADEMY_PROXY_HOPS the app sees plain HTTP from its proxy; HSTS must still go out.
    response = production_app.test_client().get("/", base_url="http://academy.example")
    assert response.request.scheme == "http"
    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")


def test_development_sends_no_hsts_over_plain_http(client):
    assert "Strict-Transport-Security" not in client.get("/").headers


def test_production_cookies_use_the_host_prefix_and_keep_the_user_logged_in(production_app):
    user = create_user(email="pia@example.org")
    client = _https(production_app)
    response = _log_in(client, user.email, remember=True)
    assert response.status_code == 302
    cookies = {c.split("=", 1)[0]: c for c in _set_cookies(response)}
    assert set(cookies) >= {"__Host-session", "__Host-remember_token"}, cookies
    assert "session" not in cookies and "remember_token" not in cookies
    for name in ("__Host-session", "__Host-remember_token"):
        attributes = [a.strip().lower() for a in cookies[name].split(";")[1:]]
        # What browsers demand of a __Host- cookie: Secure, Path=/ and no Domain.
        assert "secure" in attributes and "path=/" in attributes, cookies[name]
        assert not any(a.startswith("domain=") for a in attributes), cookies[name]
        assert "httponly" in attributes and "samesite=lax" in attributes, cookies[name]
    # The session (which also holds the CSRF token) works on the next requests.
    assert client.get("/account").status_code == 200
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', client.get("/account").get_data(as_text=True))
    assert token
    form = {"csrf_token": token.group(1), "name": "Pia Prod", "organisation": "JS", "country": "AT"}
    saved = client.post("/account", data=form, headers={"Referer": "https://localhost/account"})
    assert saved.status_code == 302


def test_production_refuses_a_post_from_another_site_even_with_a_token(production_app):
    user = create_user(email="rex@example.org")
    client = _https(production_app)
    assert _log_in(client, user.email).status_code == 302
    html = client.get("/account").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)
    form = {"csrf_token": token, "name": "Forged", "organisation": "", "country": ""}
    assert client.post("/account", data=form, headers={"Referer": "https://evil.example/"}).status_code == 400
    assert client.post("/account", data=form).status_code == 400  # no Referer at all


def test_production_without_secure_cookies_keeps_the_plain_names(monkeypatch):
    # A __Host- cookie without Secure is dropped by browsers: the prefix follows the Secure flag.
    monkeypatch.setenv("SECRET_KEY", "p" * 64)
    monkeypatch.setenv("SESSION_COOKIE_SECURE", "false")
    cfg = config.ProductionConfig()
    assert not hasattr(cfg, "SESSION_COOKIE_NAME") or not cfg.SESSION_COOKIE_NAME.startswith("__Host-")


def test_proxy_hops_make_forwarded_https_count_as_secure(production_app):
    production_app.config["HSTS_ALWAYS"] = False
    plain = production_app.test_client().get("/", base_url="http://academy.example")
    assert "Strict-Transport-Security" not in plain.headers
    from werkzeug.middleware.proxy_fix import ProxyFix

    production_app.wsgi_app = ProxyFix(production_app.wsgi_app, x_proto=1)
    forwarded = production_app.test_client().get(
        "/", base_url="http://academy.example", headers={"X-Forwarded-Proto": "https"}
    )
    assert "Strict-Transport-Security" in forwarded.headers


def test_proxy_hops_setting_installs_proxy_fix(app, database_url, tmp_path):
    built = create_app(
        {"ENV_NAME": "testing", "SQLALCHEMY_DATABASE_URI": database_url, "INSTANCE_PATH": tmp_path, "PROXY_HOPS": 1}
    )
    from werkzeug.middleware.proxy_fix import ProxyFix

    assert isinstance(built.wsgi_app, ProxyFix)
    assert not isinstance(app.wsgi_app, ProxyFix)
