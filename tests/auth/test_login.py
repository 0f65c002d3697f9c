from http.cookies import SimpleCookie

from sqlalchemy import func, select

from academy.auth.models import UserSession
from tests.conftest import csrf_token
from tests.factories import DEFAULT_PASSWORD, create_user


def _login(client, email, password=DEFAULT_PASSWORD, remember=False):
    data = {"email": email, "password": password, "csrf_token": csrf_token(client, "/login")}
    if remember:
        data["remember"] = "y"
    return client.post("/login", data=data)


def _cookie(client, name="session"):
    cookie = client.get_cookie(name)
    return cookie.value if cookie else None


def test_login_with_right_password_opens_a_server_session(client, db):
    user = create_user(email="anna@example.org")
    response = _login(client, "ANNA@example.org")
    assert response.status_code == 302
    assert client.get("/account").status_code == 200
    assert db.session.scalar(select(func.count(UserSession.id)).where(UserSession.user_id == user.id)) == 1


def test_wrong_password_is_refused_with_the_same_message_as_unknown_email(client):
    create_user(email="anna@example.org")
    wrong = _login(client, "anna@example.org", "not the password")
    unknown = _login(client, "nobody@example.org", "not the password")
    assert wrong.status_code == unknown.status_code == 400
    message = "The e-mail address or password is not right."
    assert message in wrong.get_data(as_text=True)
    assert message in unknown.get_data(as_text=True)
    assert client.get("/account").status_code == 302


def test_session_is_renewed_at_login(client):
    create_user(email="anna@example.org")
    client.get("/login")
    before = _cookie(client)
    _login(client, "anna@example.org")
    after = _cookie(client)
    assert after and after != before


def test_session_cookie_replayed_after_logout_is_refused(app, client):
    create_user(email="anna@example.org")
    _login(client, "anna@example.org")
    stolen = _cookie(client)
    token = csrf_token(client, "/account")
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302

    attacker = app.test_client()
    attacker.set_cookie("session", stolen)
    response = attacker.get("/account")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_remember_me_cookie_stops_working_after_logout(app, client):
    create_user(email="anna@example.org")
    _login(client, "anna@example.org", remember=True)
    remember = _cookie(client, "remember_token")
    assert remember
    client.post("/logout", data={"csrf_token": csrf_token(client, "/account")})

    attacker = app.test_client()
    attacker.set_cookie("remember_token", remember)
    assert attacker.get("/account").status_code == 302


def test_remember_me_cookie_logs_back_in_without_session(app, client):
    create_user(email="anna@example.org")
    _login(client, "anna@example.org", remember=True)
    fresh = app.test_client()
    fresh.set_cookie("remember_token", _cookie(client, "remember_token"))
    assert fresh.get("/account").status_code == 200


def test_logout_needs_post_with_csrf(client, learner):
    assert client.get("/logout").status_code == 405
    assert client.post("/logout").status_code == 400
    assert client.get("/account").status_code == 200


def test_inactive_account_cannot_log_in(client):
    create_user(email="gone@example.org", active=False)
    assert _login(client, "gone@example.org").status_code == 400


def test_next_parameter_only_follows_local_paths(client):
    create_user(email="anna@example.org")
    token = csrf_token(client, "/login")
    data = {"email": "anna@example.org", "password": DEFAULT_PASSWORD, "csrf_token": token}
    response = client.post("/login?next=https://evil.example/", data=data)
    assert response.headers["Location"] == "/"


def test_cookies_are_httponly_and_samesite_lax(client):
    create_user(email="anna@example.org")
    response = _login(client, "anna@example.org", remember=True)
    headers = [v for k, v in response.headers.items() if k == "Set-Cookie"]
    session_header = next(h for h in headers if h.startswith("session="))
    remember_header = next(h for h in headers if h.startswith("remember_token="))
    for header in (session_header, remember_header):
        assert "HttpOnly" in header
        assert "SameSite=Lax" in header
    assert SimpleCookie(session_header)


def test_demo_accounts_can_log_in_through_the_form(app, client, db):
    from academy import demo

    list(demo.seed())
    db.session.commit()
    for _role, _name, email, _org, _country in demo.DEMO_ACCOUNTS:
        response = _login(client, email, demo.DEMO_PASSWORD)
        assert response.status_code == 302, email
        client.post("/logout", data={"csrf_token": csrf_token(client, "/account")})
