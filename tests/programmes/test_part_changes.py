"""Changing a running programme's parts: order, removal, additions after learners completed."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from academy.certificates.models import Certificate, State
from academy.db import utcnow
from academy.extensions import db
from academy.jobs import run_ready
from academy.programmes import jobs as programme_jobs
from academy.programmes.models import ProgrammeEnrolment
from academy.programmes.services import authoring, progress
from tests.certificates.factories import create_course
from tests.conftest import csrf_token
from tests.factories import create_user
from tests.programmes.factories import attend_past, create_programme, create_registration, create_session, enrol
from tests.programmes.test_certification import _certify_course, _programme_certificates


def _post(client, path: str, **data: str):
    """POST a form of the programme editor with its CSRF token."""
    return client.post(path, data={"csrf_token": csrf_token(client, "/"), **data})


def _backdate(programme, user, *, days: int) -> None:
    """Pretend the programme's parts were set up long ago and `user` completed it `days` ago."""
    for part in programme.parts:
        part.added_at = utcnow() - timedelta(days=days + 30)
    row = db.session.scalar(select(ProgrammeEnrolment).where(ProgrammeEnrolment.user_id == user.id))
    row.completed_at = utcnow() - timedelta(days=days)
    db.session.commit()


def _complete(user, programme, first, second, session) -> Certificate:
    enrol(user, programme)
    registration = create_registration(session=session, user=user)
    _certify_course(user, first)
    _certify_course(user, second)
    attend_past(session, registration)
    run_ready()
    (certificate,) = _programme_certificates(user, programme)
    return certificate


def test_a_required_course_added_later_does_not_revoke_certificates_already_earned(track, client, login):
    programme, first, second, session = track
    holder = create_user(name="Hana Holder")
    certificate = _complete(holder, programme, first, second, session)
    newcomer = create_user(name="Nina Newcomer")
    enrol(newcomer, programme)

    # A month later the trainer adds a third required course.
    _backdate(programme, holder, days=30)
    later = create_course(title="Simplified cost options")
    authoring.add_course(programme, later, required=True)
    db.session.commit()
    programme_jobs.check(programme.id, holder.id)
    programme_jobs.check(programme.id, newcomer.id)

    db.session.refresh(certificate)
    assert certificate.state() == State.VALID  # earned under the rules of its day
    assert _programme_certificates(holder, programme) == [certificate]
    held = progress.standing(programme, holder, completed_at=utcnow() - timedelta(days=30))
    assert held.complete and held.percent == 100
    assert [item.added_later for item in held.parts] == [False, False, False, True]
    # For a newcomer the new course is required like the others.
    fresh = progress.standing(programme, newcomer)
    assert len(fresh.required) == 4 and not any(item.added_later for item in fresh.parts)

    # The holder's page says the new course is not needed for their certificate.
    login(holder)
    page = client.get(f"/programmes/{programme.slug}").get_data(as_text=True)
    assert "Added to the programme after you completed it" in page


def test_a_course_added_later_and_completed_is_listed_on_a_new_certificate(track):
    programme, first, second, session = track
    holder = create_user()
    certificate = _complete(holder, programme, first, second, session)
    _backdate(programme, holder, days=1)
    later = create_course(title="Simplified cost options")
    authoring.add_course(programme, later, required=True)
    db.session.commit()
    from academy.courses.services import progress as course_progress

    course_progress.enrol(holder, later)  # not needed for the certificate, taken anyway
    db.session.commit()
    _certify_course(holder, later)
    programme_jobs.check(programme.id, holder.id)

    old, new = _programme_certificates(holder, programme)
    assert old.id == certificate.id and old.state() == State.SUPERSEDED
    assert new.state() == State.VALID
    assert [p["title"] for p in new.parts][-1] == "Simplified cost options"


def test_removing_a_part_asks_first_and_changes_nothing_until_confirmed(track, client, login):
    programme, _first, _second, session = track
    part = next(p for p in programme.parts if p.session_id == session.id)
    login(programme.owners[0])
    page = client.get(f"/teach/programmes/{programme.slug}").get_data(as_text=True)
    assert "from the programme?" in page and 'data-confirm-label="Remove the part"' in page
    asked = _post(client, f"/teach/programmes/{programme.slug}/parts/{part.id}/remove")
    assert asked.status_code == 200 and "Remove this part from the programme?" in asked.get_data(as_text=True)
    db.session.expire_all()
    assert any(p.id == part.id for p in db.session.get(type(programme), programme.id).parts)
    login(create_user(name="Not An Owner"))
    assert _post(client, f"/teach/programmes/{programme.slug}/parts/{part.id}/remove").status_code in (403, 404)


def test_removing_a_part_completes_the_programme_for_those_who_did_everything_else(track, client, login):
    programme, first, second, session = track
    owner = programme.owners[0]
    waiting = create_user(name="Wim Waiting")
    enrol(waiting, programme)
    _certify_course(waiting, first)
    _certify_course(waiting, second)
    assert _programme_certificates(waiting, programme) == []  # the session is still required

    part = next(p for p in programme.parts if p.session_id == session.id)
    login(owner)
    response = _post(client, f"/teach/programmes/{programme.slug}/parts/{part.id}/remove", confirmed="yes")
    assert response.status_code == 302
    run_ready()

    (certificate,) = _programme_certificates(waiting, programme)
    assert certificate.state() == State.VALID
    assert [p["kind"] for p in certificate.parts] == ["course", "course"]


def test_the_last_required_part_of_a_published_programme_cannot_be_removed(app, client, login):
    course = create_course(title="Interreg programme management basics")
    programme = create_programme(courses=[course])
    optional = create_session(programme=programme, required=False)
    (required_part,) = [p for p in programme.parts if p.required]
    login(programme.owners[0])

    response = _post(client, f"/teach/programmes/{programme.slug}/parts/{required_part.id}/remove", confirmed="yes")
    page = client.get(response.headers["Location"])
    assert "needs at least one required part" in page.get_data(as_text=True)
    db.session.expire_all()
    assert [p.course_id for p in programme.parts if p.kind.value == "course"] == [course.id]

    # The optional session can go.
    optional_part = next(p for p in programme.parts if p.session_id == optional.id)
    _post(client, f"/teach/programmes/{programme.slug}/parts/{optional_part.id}/remove", confirmed="yes")
    db.session.expire_all()
    assert len(programme.parts) == 1


def test_parts_move_up_and_down_and_stay_put_at_the_ends(track, client, login):
    programme = track[0]
    login(programme.owners[0])
    ids = [p.id for p in programme.parts]

    def order() -> list[int]:
        db.session.expire_all()
        return [p.id for p in programme.parts]

    assert _post(client, f"/teach/programmes/{programme.slug}/parts/{ids[2]}/move", direction="up").status_code == 302
    assert order() == [ids[0], ids[2], ids[1]]
    _post(client, f"/teach/programmes/{programme.slug}/parts/{ids[0]}/move", direction="up")
    assert order() == [ids[0], ids[2], ids[1]]  # already first
    _post(client, f"/teach/programmes/{programme.slug}/parts/{ids[0]}/move", direction="down")
    assert order() == [ids[2], ids[0], ids[1]]
    assert [p.position for p in programme.parts] == [0, 1, 2]
    assert (
        _post(client, f"/teach/programmes/{programme.slug}/parts/{ids[0]}/move", direction="sideways").status_code
        == 400
    )
    assert _post(client, f"/teach/programmes/{programme.slug}/parts/999999/move", direction="up").status_code == 404

    # The learners' page follows the new order.
    page = client.get(f"/programmes/{programme.slug}").get_data(as_text=True)
    assert page.index("Kick-off workshop in Vienna") < page.index("Interreg programme management basics")


def test_another_trainer_cannot_move_parts(track, client, login):
    programme, *_ = track
    ids = [p.id for p in programme.parts]
    login(create_user(trainer=True))
    response = _post(client, f"/teach/programmes/{programme.slug}/parts/{ids[1]}/move", direction="up")
    assert response.status_code == 403
    db.session.expire_all()
    assert [p.id for p in programme.parts] == ids


def test_a_course_added_to_a_running_programme_enrols_the_participants_still_working_on_it(track, client, login):
    programme, first, second, session = track
    holder = create_user(name="Hana Holder")
    _complete(holder, programme, first, second, session)
    working = create_user(name="Wanda Working")
    enrol(working, programme)
    left = create_user(name="Lars Left")
    enrol(left, programme)
    from academy.programmes.services import enrolment as programme_enrolment

    programme_enrolment.leave(left, programme)
    db.session.commit()
    later = create_course(title="Simplified cost options")

    login(programme.owners[0])
    response = _post(client, f"/teach/programmes/{programme.slug}/courses", course=str(later.id), required="y")
    assert response.status_code == 302
    run_ready()

    from academy.courses.services import progress as course_progress

    active = {
        u.name: course_progress.is_active(course_progress.get_enrolment(u, later)) for u in (holder, working, left)
    }
    assert active == {"Hana Holder": False, "Wanda Working": True, "Lars Left": False}
    run_ready()  # running the job again enrols nobody twice
    from academy.programmes import jobs

    jobs.enrol_participants(programme.id, later.id)
    assert course_progress.get_enrolment(working, later) is not None


def test_a_part_taken_out_stays_on_the_certificates_it_was_earned_for(track, client, login):
    programme, first, second, session = track
    clinic = create_session(programme=programme, title="Live online clinic", online=True, required=False)
    holder = create_user(name="Hana Holder")
    certificate = _complete(holder, programme, first, second, session)
    clinic_place = create_registration(session=clinic, user=holder)
    assert [p["title"] for p in certificate.parts] == [
        "Interreg programme management basics",
        "Jems for joint secretariats",
        "Kick-off workshop in Vienna",
    ]

    # The trainer takes the second course out: the holder's certificate is left as it is.
    part = next(p for p in programme.parts if p.course_id == second.id)
    login(programme.owners[0])
    assert (
        _post(client, f"/teach/programmes/{programme.slug}/parts/{part.id}/remove", confirmed="yes").status_code == 302
    )
    run_ready()
    programme_jobs.check(programme.id, holder.id)
    assert _programme_certificates(holder, programme) == [certificate]
    assert certificate.state() == State.VALID

    # Later her clinic attendance is recorded: the new certificate adds it and still lists the course.
    attend_past(clinic, clinic_place)
    programme_jobs.check(programme.id, holder.id)
    old, new = _programme_certificates(holder, programme)
    assert (old.id, old.state(), new.state()) == (certificate.id, State.SUPERSEDED, State.VALID)
    assert sorted(p["title"] for p in new.parts) == [
        "Interreg programme management basics",
        "Jems for joint secretariats",
        "Kick-off workshop in Vienna",
        "Live online clinic",
    ]


def test_making_a_part_optional_completes_the_programme_and_required_again_spares_holders(track, client, login):
    programme, first, second, session = track
    holder = create_user(name="Hana Holder")
    _complete(holder, programme, first, second, session)
    _backdate(programme, holder, days=10)
    waiting = create_user(name="Wim Waiting")
    enrol(waiting, programme)
    _certify_course(waiting, first)
    _certify_course(waiting, second)
    part = next(p for p in programme.parts if p.session_id == session.id)
    login(programme.owners[0])

    # The workshop becomes optional: Wim has done every required part now.
    assert (
        _post(client, f"/teach/programmes/{programme.slug}/parts/{part.id}/required", required="0").status_code == 302
    )
    run_ready()
    (certificate,) = _programme_certificates(waiting, programme)
    assert certificate.state() == State.VALID

    # Required again: from now on, for those who have not completed; Hana keeps hers untouched.
    _post(client, f"/teach/programmes/{programme.slug}/parts/{part.id}/required", required="1")
    run_ready()
    programme_jobs.check(programme.id, holder.id)
    programme_jobs.check(programme.id, waiting.id)
    db.session.expire_all()
    assert [c.state() for c in _programme_certificates(holder, programme)] == [State.VALID]
    assert [c.state() for c in _programme_certificates(waiting, programme)] == [State.VALID]
    newcomer = create_user()
    enrol(newcomer, programme)
    assert len(progress.standing(programme, newcomer).required) == 3
    assert (
        _post(client, f"/teach/programmes/{programme.slug}/parts/{part.id}/required", required="x").status_code == 400
    )


def test_a_session_that_took_place_is_made_optional_not_removed(track, client, login):
    programme, first, second, session = track
    holder = create_user()
    _complete(holder, programme, first, second, session)
    part = next(p for p in programme.parts if p.session_id == session.id)
    login(programme.owners[0])

    response = _post(client, f"/teach/programmes/{programme.slug}/parts/{part.id}/remove", confirmed="yes")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "has taken place and its attendance counts for certificates" in page
    db.session.expire_all()
    assert part.id in [p.id for p in programme.parts]


def test_a_required_session_whose_registration_closed_is_flagged_before_and_after_enrolling(app, client, login):
    course = create_course(title="Interreg programme management basics")
    programme = create_programme(courses=[course])
    create_session(
        programme=programme, title="Vienna day", starts_in=timedelta(days=2), deadline_before=timedelta(days=3)
    )
    me = login(create_user())
    page = client.get(f"/programmes/{programme.slug}").get_data(as_text=True)
    assert "Registration for Vienna day, a required session, has closed" in page

    enrol(me, programme)
    page = client.get(f"/programmes/{programme.slug}").get_data(as_text=True)
    assert "Attend Vienna day: its registration has closed" in page

    # A new date made available and the old one optional: nothing is flagged any more.
    create_session(programme=programme, title="Vienna day, second date")
    old = next(p for p in programme.parts if p.session is not None and p.session.title == "Vienna day")
    authoring.set_required(programme, old.id, required=False)
    db.session.commit()
    page = client.get(f"/programmes/{programme.slug}").get_data(as_text=True)
    assert "has closed" not in page and "Attend Vienna day, second date" in page
