"""Archiving a programme: out of the catalogue, closed to new enrolments; participants keep page and certificates."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from academy.programmes.models import ProgrammeEnrolment, ProgrammeStatus
from academy.programmes.services import authoring
from tests.certificates.factories import create_course
from tests.conftest import csrf_token
from tests.factories import create_user
from tests.programmes.factories import create_programme, create_registration, create_session

# Login session and user, the programme with owners, parts (courses, versions, sessions), outcomes and
# sessions, the course choices with their versions, and the layout's badge and bell.
EDITOR_PAGE_QUERIES = 12
ARCHIVED_NOTICE = "This programme is archived: it takes no new enrolments."


@pytest.fixture
def owner(app):
    return create_user(trainer=True)


@pytest.fixture
def track(owner):
    return create_programme(title="Financial management track", owner=owner, courses=[create_course()])


def _post(client, path, page):
    return client.post(path, data={"csrf_token": csrf_token(client, page)}, follow_redirects=True)


def test_the_owner_archives_and_brings_back_a_programme(client, login, db, owner, track):
    editor = f"/teach/programmes/{track.slug}"
    login(owner)
    assert "Archive the programme" in client.get(editor).get_data(as_text=True)

    html = _post(client, f"{editor}/archive", editor).get_data(as_text=True)
    assert "The programme is archived: it is out of the catalogue and takes no new enrolments." in html
    assert "Bring the programme back" in html and "Publish the programme" not in html
    db.session.refresh(track)
    assert track.status == ProgrammeStatus.ARCHIVED
    assert "Financial management track" not in client.get("/programmes").get_data(as_text=True)

    html = _post(client, f"{editor}/restore", editor).get_data(as_text=True)
    assert "The programme is back in the catalogue and open for enrolment." in html
    db.session.refresh(track)
    assert track.status == ProgrammeStatus.PUBLISHED
    assert "Financial management track" in client.get("/programmes").get_data(as_text=True)


def test_a_draft_comes_back_from_the_archive_as_a_draft(db, owner):
    draft = create_programme(owner=owner, courses=[create_course()], published=False)
    authoring.archive(draft)
    authoring.restore(draft)
    assert draft.status == ProgrammeStatus.DRAFT


def test_archiving_needs_the_csrf_token_and_the_owner(client, login, db, owner, track):
    login(owner)
    assert client.post(f"/teach/programmes/{track.slug}/archive").status_code == 400
    login(create_user(trainer=True))
    assert client.post(f"/teach/programmes/{track.slug}/archive", data={"csrf_token": "x"}).status_code in (400, 403)
    db.session.refresh(track)
    assert track.status == ProgrammeStatus.PUBLISHED


def test_an_archived_programme_refuses_new_learners_with_a_clear_message(client, login, db, track):
    authoring.archive(track)
    db.session.commit()
    newcomer = login(create_user())
    page = f"/programmes/{track.slug}"

    html = client.get(page).get_data(as_text=True)
    assert ARCHIVED_NOTICE in html and "Enrol in this programme" not in html
    response = client.post(f"{page}/enrol", data={"csrf_token": csrf_token(client, page)}, follow_redirects=True)
    assert "This programme is archived and takes no new enrolments." in response.get_data(as_text=True)
    assert "This programme takes no new enrolments." in response.get_data(as_text=True)
    assert db.session.scalar(select(ProgrammeEnrolment).where(ProgrammeEnrolment.user_id == newcomer.id)) is None


def test_visitors_see_an_archived_programme_without_an_enrol_button(client, db, track):
    authoring.archive(track)
    db.session.commit()
    html = client.get(f"/programmes/{track.slug}").get_data(as_text=True)
    assert ARCHIVED_NOTICE in html and "Log in to enrol" not in html


def test_participants_keep_their_page_sessions_and_certificates(client, login, db, owner):
    from tests.programmes.test_pages import _certified

    programme, certificate = _certified(owner)
    session = create_session(programme=programme, capacity=5)
    authoring.archive(programme)
    db.session.commit()

    login(certificate.user)
    html = client.get(f"/programmes/{programme.slug}").get_data(as_text=True)
    assert ARCHIVED_NOTICE in html and "Your progress" in html
    assert "if you leave it, you cannot enrol again" in html
    assert programme.title in client.get("/my-learning").get_data(as_text=True)
    assert client.get(f"/certificates/{certificate.id}/pdf").status_code == 200
    # Already in: they may still take a seat at the programme's sessions.
    registration = create_registration(session=session, user=certificate.user)
    assert registration.status.value == "registered"


def test_the_editor_page_queries_do_not_depend_on_the_status(client, login, db, count_queries, owner, track):
    login(owner)
    editor = f"/teach/programmes/{track.slug}"
    client.get(editor)
    with count_queries() as published:
        client.get(editor)
    authoring.archive(track)
    db.session.commit()
    with count_queries() as archived:
        client.get(editor)
    assert published.count == archived.count == EDITOR_PAGE_QUERIES, archived.statements
