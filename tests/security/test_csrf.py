"""CSRF: the exemptions stay exactly the two that authenticate by other means.

Every other state-changing route refusing a missing token is tested over the whole URL map in
tests/core/test_csrf_everywhere.py; a token of another session in tests/core/test_web_security.py;
a foreign Referer over HTTPS in tests/security/test_headers.py; GET never writing in
tests/security/test_access_matrix.py.
"""

from __future__ import annotations

from academy.extensions import csrf, db
from tests.factories import create_user


def test_only_the_api_and_one_click_unsubscribe_are_exempt(app):
    assert {getattr(bp, "name", bp) for bp in csrf._exempt_blueprints} == {"api"}
    assert set(csrf._exempt_views) == {"academy.notifications.views.unsubscribe"}


def test_the_api_ignores_the_session_cookie_so_a_foreign_page_cannot_use_it(client, learner):
    response = client.patch("/api/v1/me", json={"name": "Forged"})
    assert response.status_code == 401
    db.session.refresh(learner)
    assert learner.name == "Lena Learner"


def test_one_click_unsubscribe_needs_the_signed_token(client):
    from academy.notifications import preferences

    user = create_user()
    token = preferences.unsubscribe_token(user.id)
    forged = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    assert client.post(f"/notifications/unsubscribe/{forged}", data={"everything": "1"}).status_code == 404
    assert client.post(f"/notifications/unsubscribe/{token}x", data={"everything": "1"}).status_code == 404
    assert preferences.stored_preferences(user) == {}
