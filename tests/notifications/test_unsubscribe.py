"""One-click unsubscribe (RFC 8058): works without login, only by POST, only for the token's user."""

from __future__ import annotations

import re

from academy import jobs
from academy.auth import services as auth_services
from academy.extensions import db
from academy.notifications import preferences
from academy.notifications.models import Mode
from tests.factories import create_user
from tests.notifications.conftest import mail_files
from tests.notifications.factories import record_event


def _unsubscribe_path(app, user, **record) -> str:
    record_event(recipients=[user], **record)
    jobs.run_ready()
    header = mail_files(app)[-1]["List-Unsubscribe"]
    url = re.fullmatch(r"<(.+)>", header).group(1)
    return url.removeprefix("http://localhost")


def test_get_shows_a_confirmation_and_changes_nothing(app, client):
    ana = create_user(email="ana@example.org")
    path = _unsubscribe_path(app, ana, event="post.replied")
    response = client.get(path)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "e-mails about “Reply in a thread you watch”" in html
    assert "a***@example.org" in html
    assert 'method="post"' in html
    assert preferences.email_mode(ana.id, "post.replied") == Mode.IMMEDIATE


def test_one_click_post_without_login_unsubscribes(app, client):
    ana = create_user()
    path = _unsubscribe_path(app, ana, event="post.replied")
    response = client.post(path, data={"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert "You are unsubscribed" in response.get_data(as_text=True)
    assert preferences.email_mode(ana.id, "post.replied") == Mode.OFF
    assert preferences.email_mode(ana.id, "mention") == Mode.IMMEDIATE
    assert client.post(path, data={"List-Unsubscribe": "One-Click"}).status_code == 200  # again: still fine


def test_a_community_mail_unsubscribes_from_that_community_only(app, client, memberships):
    ana = create_user()
    memberships.add(3, ana, name="Finance")
    path = _unsubscribe_path(app, ana, event="post.replied", scope="community:3")
    assert "in Finance" in client.get(path).get_data(as_text=True)
    client.post(path)
    assert preferences.email_mode(ana.id, "post.replied", "community:3") == Mode.OFF
    assert preferences.email_mode(ana.id, "post.replied", "community:4") == Mode.IMMEDIATE


def test_unsubscribe_from_everything(app, client):
    ana = create_user()
    preferences.set_preference(ana, "mention", Mode.WEEKLY)
    db.session.commit()
    path = _unsubscribe_path(app, ana, event="post.replied")
    client.post(path, data={"everything": "1"})
    for event in ("post.replied", "mention", "thread.created", "certificate.issued"):
        assert preferences.email_mode(ana.id, event) == Mode.OFF
    assert preferences.email_mode(ana.id, "password.reset") == Mode.IMMEDIATE


def test_the_token_acts_only_for_its_own_user(app, client, login):
    ana, ben = create_user(), create_user()
    path = _unsubscribe_path(app, ana, event="mention")
    login(ben)  # logged in as someone else: the token still means Ana, never Ben
    client.post(path)
    assert preferences.email_mode(ana.id, "mention") == Mode.OFF
    assert preferences.email_mode(ben.id, "mention") == Mode.IMMEDIATE


def test_a_forged_or_altered_token_is_not_found(app, client):
    ana, ben = create_user(), create_user()
    token = preferences.unsubscribe_token(ana.id, "mention")
    assert client.get("/notifications/unsubscribe/not-a-token").status_code == 404
    forged = preferences.unsubscribe_token(ben.id, "mention")[:-3] + token[-3:]
    assert client.post(f"/notifications/unsubscribe/{forged}").status_code == 404
    assert preferences.email_mode(ben.id, "mention") == Mode.IMMEDIATE


def test_the_link_keeps_working_after_a_password_change(app, client):
    ana = create_user()
    path = _unsubscribe_path(app, ana, event="mention")
    auth_services.set_password(ana, "a brand new passphrase 2027")
    db.session.commit()
    assert client.post(path).status_code == 200
    assert preferences.email_mode(ana.id, "mention") == Mode.OFF


def test_transactional_mail_cannot_be_unsubscribed(app, client):
    ana = create_user()
    token = preferences.unsubscribe_token(ana.id, "password.reset")
    assert client.post(f"/notifications/unsubscribe/{token}").status_code == 404
