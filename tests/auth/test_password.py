import re
from datetime import timedelta
from unittest import mock

from academy.auth import services
from academy.auth.models import User
from tests.conftest import csrf_token, read_mail
from tests.factories import DEFAULT_PASSWORD, create_user

NEW = "a new and rather long passphrase"


def _ask_reset(client, email):
    return client.post("/forgot-password", data={"email": email, "csrf_token": csrf_token(client, "/forgot-password")})


def _link(app):
    mails = read_mail(app)
    assert mails, "no mail written"
    match = re.search(r"http://localhost(/reset-password/\S+)", mails[-1])
    assert match
    return match.group(1)


def _reset(client, path, password=NEW):
    # A spent link shows no form, so take the session's token from another page.
    token = csrf_token(client, "/forgot-password")
    return client.post(path, data={"password": password, "confirm": password, "csrf_token": token})


def test_reset_link_is_mailed_and_works_once(app, client, db):
    user = create_user(email="petra@example.org")
    response = _ask_reset(client, "Petra@Example.org")
    assert response.status_code == 200
    assert "If an account exists" in response.get_data(as_text=True)
    path = _link(app)

    assert _reset(client, path).status_code == 302
    db.session.expire_all()
    assert services.authenticate("petra@example.org", NEW).id == user.id

    again = client.get(path)
    assert again.status_code == 400
    assert "no longer works" in again.get_data(as_text=True)
    assert _reset(client, path, "yet another long passphrase").status_code == 400


def test_reset_link_expires(app, client):
    create_user(email="petra@example.org")
    _ask_reset(client, "petra@example.org")
    path = _link(app)
    later = __import__("time").time() + app.config["PASSWORD_RESET_MAX_AGE"] + 5
    with mock.patch("itsdangerous.timed.time.time", return_value=later):
        response = client.get(path)
    assert response.status_code == 400


def test_forged_reset_token_is_refused(client):
    create_user(email="petra@example.org")
    assert client.get("/reset-password/not-a-token").status_code == 400


def test_unknown_email_gets_the_same_answer_and_no_mail(app, client):
    response = _ask_reset(client, "nobody@example.org")
    assert response.status_code == 200
    assert "If an account exists" in response.get_data(as_text=True)
    assert read_mail(app) == []


def test_reset_logs_out_every_session(app, client, login):
    user = create_user(email="petra@example.org")
    other = app.test_client()
    login(user, on=other)
    assert other.get("/account").status_code == 200
    _ask_reset(client, "petra@example.org")
    _reset(client, _link(app))
    assert other.get("/account").status_code == 302


def test_second_request_within_minutes_sends_no_second_mail(app, client, db):
    create_user(email="petra@example.org")
    _ask_reset(client, "petra@example.org")
    _ask_reset(client, "petra@example.org")
    assert len(read_mail(app)) == 1
    user = db.session.query(User).one()
    user.reset_requested_at -= timedelta(minutes=5)
    db.session.commit()
    _ask_reset(client, "petra@example.org")
    assert len(read_mail(app)) == 2


def test_change_password_logs_out_other_devices_but_not_this_one(app, client, login, db):
    user = create_user(email="petra@example.org")
    login(user)
    other = app.test_client()
    login(user, on=other)
    data = {
        "current_password": DEFAULT_PASSWORD,
        "new_password": NEW,
        "confirm": NEW,
        "csrf_token": csrf_token(client, "/account/password"),
    }
    assert client.post("/account/password", data=data).status_code == 302
    assert client.get("/account").status_code == 200
    assert other.get("/account").status_code == 302
    db.session.expire_all()
    assert services.authenticate("petra@example.org", NEW) is not None


def test_change_password_needs_the_current_one(client, learner, db):
    data = {
        "current_password": "wrong password",
        "new_password": NEW,
        "confirm": NEW,
        "csrf_token": csrf_token(client, "/account/password"),
    }
    response = client.post("/account/password", data=data)
    assert response.status_code == 400
    assert "current password is not right" in response.get_data(as_text=True)
    db.session.expire_all()
    assert services.authenticate(learner.email, DEFAULT_PASSWORD) is not None
