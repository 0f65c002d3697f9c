"""Registration: the form answers the same for any address; the e-mailed link creates the account."""

import re
import time

from sqlalchemy import func, select

from academy.auth import registration
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


def _link(app) -> str:
    mails = read_mail(app)
    match = re.search(r"http://\S+(/register/confirm/\S+)", mails[-1])
    assert match, mails[-1]
    return match.group(1)


def _confirm(client, path: str):
    return client.post(path, data={"csrf_token": csrf_token(client, path)})


def test_register_then_confirm_by_mail_creates_the_account_and_logs_in(client, app, db):
    response = _register(client)
    assert response.status_code == 200
    assert "Check your e-mail" in response.get_data(as_text=True)
    assert _count(db) == 0  # nothing exists until the mailbox's owner clicks
    mails = read_mail(app)
    assert len(mails) == 1 and "To: lukasz.zolc@example.eu" in mails[0] and "Confirm your" in mails[0]

    path = _link(app)
    page = client.get(path)
    assert page.status_code == 200 and "Łukasz Żółć" in page.get_data(as_text=True)
    assert _count(db) == 0  # opening the link (as a mail scanner does) creates nothing
    response = _confirm(client, path)
    assert response.status_code == 302
    user = db.session.scalar(select(User))
    assert (user.email, user.name, user.country) == ("lukasz.zolc@example.eu", "Łukasz Żółć", "PL")
    assert user.organisation == GOOD["organisation"]
    assert "Łukasz Żółć" in client.get("/account").get_data(as_text=True)


def test_a_taken_address_gets_the_same_answer_and_a_note_to_its_owner(client, app, db):
    create_user(name="Marta Nowak", email="marta@interreg.example")
    new = _register(client, email="someone.new@interreg.example").get_data(as_text=True)
    taken = _register(client, email="MARTA@Interreg.Example").get_data(as_text=True)
    # The page differs only by the address typed: nothing tells whether it has an account.
    assert taken.replace("MARTA@Interreg.Example", "X") == new.replace("someone.new@interreg.example", "X")
    assert _count(db) == 1
    mails = read_mail(app)
    assert "To: marta@interreg.example" in mails[-1] and "already have one" in mails[-1]
    assert "/forgot-password" in mails[-1] and "/register/confirm/" not in mails[-1]


def test_a_link_creates_one_account_only(client, app, db):
    _register(client)
    path = _link(app)
    assert _confirm(client, path).status_code == 302
    client.post("/logout", data={"csrf_token": csrf_token(client, "/account")})
    response = _confirm(client, path)
    assert response.status_code == 302 and response.headers["Location"].endswith("/login")
    assert "exists already" in client.get("/login").get_data(as_text=True)
    assert _count(db) == 1


def test_forged_or_expired_links_create_nothing(client, app, db):
    _register(client)
    path = _link(app)
    forged = path[:-6] + ("AAAAAA" if not path.endswith("AAAAAA") else "BBBBBB")
    assert client.get(forged).status_code == 400
    assert client.post(forged, data={"csrf_token": csrf_token(client, path)}).status_code == 400
    token = path.rsplit("/", 1)[1]
    with app.test_request_context():
        later = time.time() + app.config["REGISTRATION_MAX_AGE"] + 60
        assert registration.read(token, now=later) is None
        assert registration.read(token) is not None
    assert _count(db) == 0


def test_the_link_does_not_reveal_the_password(client, app):
    _register(client)
    token = _link(app).rsplit("/", 1)[1]
    assert GOOD["password"] not in token and "argon2" not in token
    with app.test_request_context():
        assert registration.read(token).password_hash.startswith("$argon2id$")


def test_stored_hash_is_argon2id_at_owasp_minimums(client, app, db):
    _register(client)
    _confirm(client, _link(app))
    stored = db.session.scalar(select(User.password_hash))
    assert stored.startswith("$argon2id$")
    params = dict(p.split("=") for p in stored.split("$")[3].split(","))
    assert int(params["m"]) >= 47104 and int(params["t"]) >= 1 and int(params["p"]) == 1
    assert GOOD["password"] not in stored


def test_bad_input_shows_field_errors_and_sends_nothing(client, app, db):
    response = _register(client, name="", email="not-an-email", password="short", confirm="other")
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "There is a problem" in html
    assert 'aria-invalid="true"' in html
    assert "at least 8 characters" in html
    assert "do not match" in html
    assert _count(db) == 0 and read_mail(app) == []


def test_common_password_is_refused(client, app, db):
    response = _register(client, password="password123", confirm="password123")
    assert response.status_code == 400
    assert "too common" in response.get_data(as_text=True)
    assert read_mail(app) == []


def test_long_passphrase_of_64_characters_is_accepted(client, app, db):
    phrase = "joint secretariat " * 3 + "keep.eu and jems for all of us!"
    phrase = phrase[:64]
    assert len(phrase) == 64
    assert _register(client, password=phrase, confirm=phrase).status_code == 200
    assert _confirm(client, _link(app)).status_code == 302
    assert _count(db) == 1


def test_register_without_csrf_token_is_refused(client, app, db):
    response = client.post("/register", data=GOOD)
    assert response.status_code == 400
    assert read_mail(app) == []
