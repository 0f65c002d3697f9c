"""Every route of the URL map x eleven personas, with the status each must get.

How to add a route: add ONE line to ACCESS below, `"blueprint.endpoint": RULE,` where RULE is one
of the rules defined under "Rules" (PUBLIC, LOGIN, TRAINER, OWNER, ENROLLED, HOLDER, MEMBER,
CONTACT, ADMIN, ...), optionally with overrides: `rule(OWNER, enrolled=404)`. A route with no
entry fails `test_every_route_has_an_entry` with its name. If the route takes a URL argument
the world does not know yet, teach `url_for_rule()` (and the world in tests/security/conftest.py).

GET runs for every route that has GET. For routes that take POST (and PUT/PATCH/DELETE), each
persona the rule denies POSTs with a valid CSRF token and must get the same denial; afterwards
the database must be unchanged (every table but the sessions table is compared).
"""

from __future__ import annotations

import re
from collections.abc import Mapping

import pytest
from flask import Flask
from werkzeug.routing import Rule

from academy import create_app
from tests.security.conftest import PERSONAS, SecurityWorld

# --- Rules ---------------------------------------------------------------------------------
# A rule maps each persona to the status of a GET. "login" means a redirect to the login page.
# ALLOW marks personas the rule lets through: their status is whatever the page answers (200 or a
# redirect), so it is written out; denial statuses (login, 403, 404) are the ones checked for POST.

LOGIN_REDIRECT = "login"
DENIED = {LOGIN_REDIRECT, 401, 403, 404, 405}
EVERYONE = dict.fromkeys(PERSONAS, 200)
SIGNED_IN = {**EVERYONE, "anonymous": LOGIN_REDIRECT}


# A former trainer who still owns the course stands where a learner stands, and a member removed
# from the parent community where an outsider stands: a rule that changes the model persona's
# status changes theirs too, unless it names them.
FOLLOWS = {"former_trainer": "learner", "removed_member": "non_member"}


def rule(base: Mapping[str, int | str], **overrides: int | str) -> dict[str, int | str]:
    """A copy of `base` with some personas' statuses changed."""
    unknown = set(overrides) - set(PERSONAS)
    assert not unknown, f"unknown persona(s) {unknown}"
    for persona, model in FOLLOWS.items():
        if model in overrides and persona not in overrides:
            overrides[persona] = overrides[model]
    return {**base, **overrides}


PUBLIC = EVERYONE
LOGIN = SIGNED_IN
# Trainers (and admins) only; learners get 403.
TRAINER = rule(SIGNED_IN, learner=403, enrolled=403, member=403, non_member=403, contact=403)
# The course's owners and admins; other trainers and learners get 403.
OWNER = rule(TRAINER, other_trainer=403)
ADMIN = rule(OWNER, owner=403)
# Only for visitors who are not logged in; the others are sent on (302).
ANONYMOUS_ONLY = rule({p: 302 for p in PERSONAS}, anonymous=200)
# The API authenticates by bearer token only: a browser session does not count.
TOKEN_ONLY = dict.fromkeys(PERSONAS, 401)
# The enrolled learner's own things (certificate page, quiz attempt); others are refused.
HOLDER = rule(dict.fromkeys(PERSONAS, 404), anonymous=LOGIN_REDIRECT, enrolled=200)
HOLDER_OR_MANAGER = rule(HOLDER, owner=200, admin=200)
MANAGER_ONLY = rule(dict.fromkeys(PERSONAS, 404), anonymous=LOGIN_REDIRECT, owner=200, admin=200)
OWN_ATTEMPT = rule(dict.fromkeys(PERSONAS, 403), anonymous=LOGIN_REDIRECT, enrolled=200)
# Lessons: the enrolled learner, the owners and admins read them; others are sent to the course page.
ENROLLED = rule(SIGNED_IN, learner=302, other_trainer=302, member=302, non_member=302, contact=302)
# Community content: members, contact persons and admins; anyone else gets 404 (nothing leaks).
MEMBER = rule(dict.fromkeys(PERSONAS, 404), anonymous=LOGIN_REDIRECT, member=200, contact=200, admin=200)
# Members who may post (admins read and moderate, but do not post as members).
POSTER = rule(MEMBER, admin=403)
# Contact persons and admins; members get 403, outsiders 404.
CONTACT = rule(MEMBER, member=403)
# The author of the post (the contact person wrote the reply); moderators use moderate_post instead.
AUTHOR = rule(CONTACT, admin=403)
# The asker (the member wrote the question) or a contact person chooses the accepted answer.
ASKER = rule(CONTACT, member=200)

# One line per endpoint. Statuses for POST-only routes are the GET-equivalent: personas the rule
# lets through are not posted as (their 200 is nominal); denied personas must get the denial.
ACCESS: dict[str, dict[str, int | str]] = {
    "admin.add_contact": ADMIN,
    "admin.archive_community": ADMIN,
    "admin.communities": ADMIN,
    "admin.edit_community": ADMIN,
    "admin.index": ADMIN,
    "admin.new_community": ADMIN,
    "admin.remove_contact": ADMIN,
    "admin.send_password_reset": ADMIN,
    "admin.set_active": ADMIN,
    "admin.user_detail": ADMIN,
    "admin.create_key": ADMIN,
    "admin.retire_key": ADMIN,
    "admin.set_role": ADMIN,
    "admin.signing_keys": ADMIN,
    "admin.users": ADMIN,
    "api.accept_community_answer": TOKEN_ONLY,
    "api.cancel_session_registration": TOKEN_ONLY,
    "api.clear_community_answer": TOKEN_ONLY,
    "api.complete_lesson": TOKEN_ONLY,
    "api.create_community_thread": TOKEN_ONLY,
    "api.create_document": TOKEN_ONLY,
    "api.create_enrolment": TOKEN_ONLY,
    "api.create_programme_enrolment": TOKEN_ONLY,
    "api.create_reply": TOKEN_ONLY,
    "api.delete_enrolment": TOKEN_ONLY,
    "api.delete_programme_enrolment": TOKEN_ONLY,
    "api.get_certificate": TOKEN_ONLY,
    "api.get_community": TOKEN_ONLY,
    "api.get_community_thread": TOKEN_ONLY,
    "api.get_document": TOKEN_ONLY,
    "api.get_document_file_content": TOKEN_ONLY,
    "api.get_course": PUBLIC,
    "api.get_enrolment": TOKEN_ONLY,
    "api.get_me": TOKEN_ONLY,
    "api.get_notification_preferences": TOKEN_ONLY,
    "api.get_programme": PUBLIC,
    "api.get_programme_enrolment": TOKEN_ONLY,
    "api.get_quiz_attempt": TOKEN_ONLY,
    "api.list_certificates": TOKEN_ONLY,
    "api.list_communities": TOKEN_ONLY,
    "api.list_community_threads": TOKEN_ONLY,
    "api.list_document_files": TOKEN_ONLY,
    "api.list_document_revisions": TOKEN_ONLY,
    "api.list_documents": TOKEN_ONLY,
    "api.list_courses": PUBLIC,
    "api.list_enrolments": TOKEN_ONLY,
    "api.list_notifications": TOKEN_ONLY,
    "api.list_programme_enrolments": TOKEN_ONLY,
    "api.list_programmes": PUBLIC,
    "api.list_quiz_results": TOKEN_ONLY,
    "api.list_thread_posts": TOKEN_ONLY,
    "api.mark_all_notifications_read": TOKEN_ONLY,
    "api.mark_notification_read": TOKEN_ONLY,
    "api.openapi_json": PUBLIC,
    "api.register_for_session": TOKEN_ONLY,
    "api.save_document": TOKEN_ONLY,
    "api.update_me": TOKEN_ONLY,
    "api.upload_document_file": TOKEN_ONLY,
    "api.update_notification_preferences": TOKEN_ONLY,
    "api.verify_certificate": PUBLIC,
    "api.verify_credential": PUBLIC,
    "api.watch_community": TOKEN_ONLY,
    "api.watch_community_thread": TOKEN_ONLY,
    "api_pages.create_token": LOGIN,
    "api_pages.docs": PUBLIC,
    "api_pages.revoke_token": rule(LOGIN, **dict.fromkeys(set(PERSONAS) - {"anonymous", "learner"}, 404)),
    "api_pages.tokens": LOGIN,
    "auth.change_password": LOGIN,
    "auth.confirm_registration": ANONYMOUS_ONLY,  # the encrypted link is the proof
    "auth.end_other_sessions": LOGIN,
    "auth.forgot_password": PUBLIC,
    "auth.login": ANONYMOUS_ONLY,
    "auth.logout": LOGIN,
    "auth.profile": LOGIN,
    "auth.register": ANONYMOUS_ONLY,
    "auth.reset_password": PUBLIC,  # the signed token is the proof
    "certificates.course_list": OWNER,
    "certificates.detail": HOLDER,
    "certificates.download": HOLDER_OR_MANAGER,
    "certificates.export": OWNER,
    # Someone else's certificate or export: 404, not 403, so ids tell nothing about what exists.
    "certificates.export_download": rule(MANAGER_ONLY, owner=404, admin=404),  # still pending: nothing to download
    "certificates.mine": LOGIN,
    "certificates.my_verification": rule(HOLDER, enrolled=302),
    "certificates.reissue": MANAGER_ONLY,
    "certificates.revoke": MANAGER_ONLY,
    "certificates.suspension": MANAGER_ONLY,
    "certificates.verify": PUBLIC,
    "certificates.verify_form": PUBLIC,
    "certificates.verify_json": PUBLIC,
    "certificates.verify_upload": PUBLIC,
    "certificates.visibility": HOLDER,
    "community.accept_answer": ASKER,
    "community.add_member": CONTACT,
    # An e-mailed invitation: only its invitee gets past the token (the world's token is not one).
    "community.invitation": rule(dict.fromkeys(PERSONAS, 404), anonymous=LOGIN_REDIRECT),
    "community.approve": CONTACT,
    "community.clear_answer": ASKER,
    "community.check_out_file": MEMBER,  # admins who are not members are told so (flash and redirect)
    "community.delete_post": CONTACT,  # the author (the contact wrote the reply) or a moderator
    "community.discuss_document": MEMBER,  # admins who are not members are told so (flash and redirect)
    "community.document": MEMBER,
    "community.document_controls": CONTACT,
    "community.document_file": MEMBER,
    "community.upload_document_file": MEMBER,  # admins who are not members are told so (on the editor)
    "community.document_history": MEMBER,
    "community.document_presence": MEMBER,
    "community.documents": MEMBER,
    "community.download": MEMBER,
    "community.download_document": MEMBER,
    "community.download_version": MEMBER,
    "community.edit_document": rule(MEMBER, admin=302),  # admins read; the editor sends them back to it
    "community.edit_post": AUTHOR,
    "community.file_detail": MEMBER,
    "community.files": MEMBER,
    "community.flag_post": POSTER,
    "community.index": LOGIN,
    "community.join": LOGIN,
    "community.leave": LOGIN,
    "community.make_contact": CONTACT,
    "community.mark_helpful": POSTER,
    "community.members": MEMBER,
    "community.moderate_post": CONTACT,
    "community.moderate_thread": CONTACT,
    "community.moderation": CONTACT,
    "community.new_document": POSTER,
    "community.new_thread": POSTER,
    "community.post_history": CONTACT,
    "community.reinstate_member": CONTACT,
    "community.release_file": MEMBER,  # only the holder or a contact releases; others are told so
    "community.reject": CONTACT,
    "community.remove_member": CONTACT,
    "community.reply": POSTER,
    "community.requests": CONTACT,
    "community.restore_revision": MEMBER,  # admins who are not members are told so (flash and redirect)
    "community.resolve_flag": CONTACT,
    "community.search": MEMBER,
    "community.share_file": POSTER,
    "community.search_all": LOGIN,
    "community.show": LOGIN,
    "community.start_editing": MEMBER,  # admins who are not members are sent back to the document
    "community.suspend_member": CONTACT,
    "community.thread": MEMBER,
    "community.upload_version": ASKER,  # the uploader (the member) or a moderator
    "community.watch_community": MEMBER,
    "community.watch_document": MEMBER,
    "community.watch_thread": MEMBER,
    "core.home": PUBLIC,
    "metrics.metrics": PUBLIC,  # the test client comes from loopback; other networks: tests/ops/test_metrics.py
    "ops.healthz": PUBLIC,
    "ops.readyz": dict.fromkeys(PERSONAS, 503),  # the test schema comes from create_all, not the migrations
    "courses.accept_ownership": rule(TRAINER, owner=404, other_trainer=404, admin=404),
    "courses.add_owner": OWNER,
    "courses.archive": OWNER,
    "courses.catalogue": PUBLIC,
    "courses.complete": ENROLLED,
    "courses.course": PUBLIC,
    "courses.course_file": rule(
        dict.fromkeys(PERSONAS, 403), anonymous=LOGIN_REDIRECT, enrolled=200, owner=200, admin=200
    ),
    "courses.delete_file": OWNER,
    "courses.delete_lesson": OWNER,
    "courses.delete_module": OWNER,
    "courses.delete_outcome": OWNER,
    "courses.discard_draft": OWNER,
    "courses.edit_course": OWNER,
    "courses.edit_lesson": OWNER,
    "courses.edit_module": OWNER,
    "courses.edit_outcome": OWNER,
    "courses.enrol": LOGIN,
    "courses.lesson": ENROLLED,
    "courses.manage": OWNER,
    "courses.settings": OWNER,
    "courses.markdown_preview": TRAINER,
    "courses.move_lesson": OWNER,
    "courses.move_module": OWNER,
    "courses.move_outcome": OWNER,
    "courses.my_learning": LOGIN,
    "courses.new_course": TRAINER,
    "courses.new_lesson": OWNER,
    "courses.new_module": OWNER,
    "courses.new_outcome": OWNER,
    "courses.preview_course": OWNER,
    "courses.preview_lesson": OWNER,
    "courses.publish": OWNER,
    "courses.remove_owner": OWNER,
    "courses.trainer_courses": TRAINER,
    "courses.unenrol": LOGIN,
    "credentials.credential": PUBLIC,  # an unguessable id; 404 to others only if the holder hides details
    "credentials.issuer": PUBLIC,
    "credentials.jwks": PUBLIC,
    "credentials.status_list": PUBLIC,
    "credentials.verify_offline": PUBLIC,
    "credentials.verify_worker": PUBLIC,
    "notifications.admin_jobs": ADMIN,
    "notifications.admin_retry_delivery": ADMIN,
    "notifications.admin_retry_failure": ADMIN,
    "notifications.admin_retry_rq": ADMIN,
    "notifications.admin_sweep": ADMIN,
    "notifications.index": LOGIN,
    "notifications.mark_all_read": LOGIN,
    "notifications.mark_read": rule(LOGIN, **dict.fromkeys(set(PERSONAS) - {"anonymous", "learner"}, 404)),
    "notifications.preferences": LOGIN,
    "notifications.unsubscribe": PUBLIC,  # the signed token is the proof
    "programmes.add_course": OWNER,
    "programmes.add_date": OWNER,
    "programmes.add_session": OWNER,
    "programmes.archive": OWNER,
    "programmes.attendance": OWNER,
    "programmes.calendar": HOLDER,  # the .ics of my own registration
    "programmes.cancel": LOGIN,
    "programmes.cancel_session": OWNER,  # confirmation page with the reason, then POST
    "programmes.capacity": OWNER,
    "programmes.catalogue": PUBLIC,
    "programmes.certificates": OWNER,
    "programmes.certificates_csv": OWNER,
    "programmes.edit_session": OWNER,
    "programmes.enrol": LOGIN,
    "programmes.leave": LOGIN,
    "programmes.manage": OWNER,
    "programmes.move_part": OWNER,
    "programmes.programme": PUBLIC,
    "programmes.publish": OWNER,
    "programmes.register": LOGIN,
    "programmes.remove_part": OWNER,
    "programmes.restore": OWNER,
    "programmes.roster": OWNER,
    "programmes.roster_csv": OWNER,
    "programmes.set_required": OWNER,
    "programmes.trainer_index": TRAINER,
    "quizzes.accommodation_grant": OWNER,
    "quizzes.accommodation_remove": OWNER,
    "quizzes.accommodations": OWNER,
    "quizzes.attempt": rule(OWN_ATTEMPT, enrolled=302),  # submitted: on to the result
    "quizzes.bank_export": OWNER,
    "quizzes.bank_import": OWNER,
    "quizzes.bank_import_confirm": OWNER,
    "quizzes.bank_index": OWNER,
    "quizzes.confirm_submit": rule(OWN_ATTEMPT, enrolled=302),
    "quizzes.grade_response": OWNER,
    "quizzes.gradebook_csv": OWNER,
    "quizzes.gradebook_page": OWNER,
    "quizzes.grading_queue": OWNER,
    "quizzes.mastery": OWNER,
    "quizzes.question_archive": OWNER,
    "quizzes.quiz_preview": OWNER,
    "quizzes.question_edit": OWNER,
    "quizzes.question_new": OWNER,
    "quizzes.question_preview": OWNER,
    "quizzes.quiz": OWN_ATTEMPT,
    "quizzes.quiz_analysis": OWNER,
    "quizzes.quiz_analysis_csv": OWNER,
    "quizzes.quiz_delete": OWNER,
    "quizzes.quiz_edit": OWNER,
    "quizzes.quiz_new": OWNER,
    "quizzes.quiz_slot_change": OWNER,
    "quizzes.quiz_slots": OWNER,
    "quizzes.result": OWN_ATTEMPT,
    "quizzes.start": OWN_ATTEMPT,
    "quizzes.submit": OWN_ATTEMPT,
    "quizzes.teach_quizzes": OWNER,
    "static": PUBLIC,
}


def _routes() -> list[Rule]:
    app = create_app({"ENV_NAME": "testing", "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    return sorted(app.url_map.iter_rules(), key=lambda r: (r.endpoint, r.rule))


ROUTES = _routes()

# Which object a URL argument names depends on the blueprint for `slug` and on the endpoint for `key`.
_KEY_OF = {"module": "module_key", "outcome": "outcome_key"}
_TOKEN_OF = {"notifications.unsubscribe": "unsubscribe_token", "auth.confirm_registration": "registration_token"}


def url_for_rule(app: Flask, rule: Rule, world: SecurityWorld) -> str:
    """The rule's URL with every argument filled from the world."""
    v = world.url_values
    values = {}
    for name in sorted(rule.arguments - set(rule.defaults or {})):
        if name == "slug":
            community = rule.endpoint.startswith("community.") or "communit" in rule.endpoint
            programme = rule.endpoint.startswith("programmes.") or "programme" in rule.endpoint
            values[name] = v["community_slug"] if community else v["programme_slug"] if programme else v["course_slug"]
        elif name == "key":
            kind = next((k for k in _KEY_OF if k in rule.endpoint), None)
            values[name] = v[_KEY_OF[kind]] if kind else v["lesson_key"]
        elif name == "user_id":
            values[name] = v["member_user_id"] if rule.endpoint.startswith("community.") else v["learner_user_id"]
        elif name == "token":
            values[name] = v[_TOKEN_OF.get(rule.endpoint, "reset_token")]
        else:
            assert name in v, f"teach url_for_rule() the URL argument {name!r} of {rule.endpoint}"
            values[name] = v[name]
    return rule.map.bind("localhost").build(rule.endpoint, values)


def test_every_route_has_an_entry():
    missing = sorted({r.endpoint for r in ROUTES} - set(ACCESS))
    assert not missing, "add these endpoints to ACCESS in tests/security/test_access_matrix.py: " + ", ".join(missing)


def test_every_entry_names_a_route_and_every_persona():
    endpoints = {r.endpoint for r in ROUTES}
    stale = sorted(set(ACCESS) - endpoints)
    assert not stale, f"ACCESS names endpoints that no longer exist: {stale}"
    incomplete = sorted(e for e, statuses in ACCESS.items() if set(statuses) != set(PERSONAS))
    assert not incomplete, f"entries without a status for every persona: {incomplete}"


def _shown(response) -> int | str:
    location = response.headers.get("Location", "")
    if response.status_code == 302 and re.search(r"/login(\?|$)", location):
        return LOGIN_REDIRECT
    return response.status_code


# Bookkeeping a page view itself records: the session's last-seen time, and when a member last read a
# thread (its "new since your last visit" marker). A forged GET can at most clear that marker.
READ_BOOKKEEPING = {"user_sessions", "community_thread_reads"}


def _snapshot(db) -> dict[str, list[tuple]]:
    """Every row of every table but the read bookkeeping (it moves on each page view by design)."""
    out = {}
    for table in db.metadata.sorted_tables:
        if table.name not in READ_BOOKKEEPING:
            out[table.name] = sorted(map(tuple, db.session.execute(table.select()).all()), key=repr)
    return out


def _changed_tables(before: dict, after: dict) -> list[str]:
    return [name for name in before if before[name] != after[name]]


MUTATING = {"POST", "PUT", "PATCH", "DELETE"}


@pytest.mark.parametrize("persona", PERSONAS)
def test_every_route_answers_each_persona_as_the_matrix_says(app, client, login, db, security_world, persona):
    user = security_world.people[persona]
    if user is not None:
        login(user)
    db.session.expire_all()
    before = _snapshot(db)
    problems = []
    for route in ROUTES:
        expected = ACCESS.get(route.endpoint, {}).get(persona)
        if expected is None or "GET" not in (route.methods or ()):
            continue
        got = _shown(client.get(url_for_rule(app, route, security_world)))
        if got != expected:
            problems.append(f"GET {route.rule} ({route.endpoint}): expected {expected}, got {got}")
    assert not problems, f"{persona}:\n" + "\n".join(problems)
    # GET is safe: reading every page changed nothing (what CSRF does not protect must not write).
    db.session.expire_all()
    assert not _changed_tables(before, _snapshot(db)), f"{persona}: GET requests changed the database"


@pytest.mark.parametrize("persona", PERSONAS)
def test_denied_personas_cannot_post_and_nothing_changes(app, client, login, db, security_world, persona):
    from tests.conftest import csrf_token

    user = security_world.people[persona]
    if user is not None:
        login(user)
    token = csrf_token(client, "/account" if user else "/login")
    db.session.expire_all()
    before = _snapshot(db)
    problems = []
    for route in ROUTES:
        expected = ACCESS.get(route.endpoint, {}).get(persona)
        methods = sorted((route.methods or set()) & MUTATING)
        if expected not in DENIED or not methods:
            continue
        url = url_for_rule(app, route, security_world)
        for method in methods:
            got = _shown(client.open(url, method=method, data={"csrf_token": token, **POST_DATA}))
            if got != expected:
                problems.append(f"{method} {route.rule} ({route.endpoint}): expected {expected}, got {got}")
    db.session.expire_all()
    changed = _changed_tables(before, _snapshot(db))
    assert not problems, f"{persona}:\n" + "\n".join(problems)
    assert not changed, f"{persona}: denied requests changed {changed}"


# Plausible form values, so a route that forgot its permission check would act on them.
POST_DATA = {
    "title": "Forged",
    "body": "Forged",
    "name": "Forged",
    "reason": "Forged",
    "note": "Forged",
    "message": "Forged",
    "email": "forged@example.org",
    "role": "admin",
    "granted": "1",
    "action": "hide",
    "level": "watching",
    "direction": "up",
    "points": "1",
    "score": "1",
    "confirm": "y",
}


def test_an_admin_cannot_reply_as_a_member(app, client, admin, db, security_world):
    """Admins read and moderate communities but do not post in them: a reply is refused with 403."""
    from academy.community.models import Post
    from tests.conftest import csrf_token

    thread = security_world.objects["thread"]
    count = db.session.query(Post).count()
    token = csrf_token(client, "/account")
    response = client.post(f"/c/controllers/t/{thread.id}/reply", data={"csrf_token": token, "body": "Hello"})
    assert response.status_code == 403
    assert db.session.query(Post).count() == count
