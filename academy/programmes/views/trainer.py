"""Trainer pages: programmes I run, the programme editor, session rosters with attendance, CSV export."""

from __future__ import annotations

from collections.abc import Callable
from zoneinfo import ZoneInfo

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from academy.auth.forms import EmptyForm
from academy.certificates.models import STATE_LABELS, Certificate
from academy.courses.models import Course, CourseStatus
from academy.csvutil import rows_to_csv
from academy.db import utcnow
from academy.exceptions import NotFound, ServiceError
from academy.extensions import db
from academy.programmes import jobs, policy
from academy.programmes.forms import (
    AddCourseForm,
    CancelSessionForm,
    CapacityForm,
    EditSessionForm,
    ProgrammeForm,
    SessionForm,
)
from academy.programmes.models import Attendance, PartKind, Programme, TrainingSession
from academy.programmes.services import authoring, sessions
from academy.programmes.views import bp

ATTENDANCE_LABELS = {
    Attendance.PRESENT: "Present",
    Attendance.ABSENT: "Absent",
    Attendance.EXCUSED: "Excused",
}


def _trainer_only() -> None:
    if not (current_user.has_role("trainer") or current_user.has_role("admin")):
        abort(403)


def _editable(slug: str) -> Programme:
    try:
        return authoring.programme_for_editing(slug, current_user)
    except ServiceError as err:
        abort(err.status)


def _managed_session(session_id: int) -> TrainingSession:
    session = db.session.get(TrainingSession, session_id, options=[joinedload(TrainingSession.cancelled_by)])
    if session is None:
        abort(404)
    if not policy.can_manage_programme(current_user, session.programme):
        abort(403)
    return session


def session_values(data: dict, *, capacity: bool = True) -> dict:
    """A session form's data as the authoring services take it: times in UTC, empty texts as ""."""
    zone, deadline = data["timezone"], data["registration_deadline"]
    values = {
        "title": data["title"],
        "description": data["description"] or "",
        "mode": data["mode"],
        "starts_at": authoring.local_to_utc(data["starts_at"], zone),
        "ends_at": authoring.local_to_utc(data["ends_at"], zone),
        "timezone": zone,
        "place": data["place"] or "",
        "online_url": data["online_url"] or "",
        "registration_deadline": authoring.local_to_utc(deadline, zone) if deadline else None,
    }
    if capacity:
        values["capacity"] = data["capacity"]
    return values


def _course_choices(programme: Programme) -> list[tuple[int, str]]:
    taken = {p.course_id for p in programme.parts if p.course_id}
    courses = db.session.scalars(
        select(Course)
        .where(Course.status == CourseStatus.PUBLISHED, Course.published_version_id.is_not(None))
        .options(selectinload(Course.published_version))
    ).all()
    rows = [(c.id, c.published_version.title) for c in courses if c.id not in taken]
    return sorted(rows, key=lambda row: row[1].casefold())


def _outcomes_text(programme: Programme) -> str:
    slugs = {p.course_id: p.course for p in programme.parts if p.course is not None}
    lines = []
    for outcome in programme.outcomes:
        refs = []
        for m in outcome.course_outcomes or []:
            course = slugs.get(m["course_id"])
            version = course.published_version if course else None
            code = next((o.code for o in version.outcomes if o.key == m["key"]), m["key"]) if version else m["key"]
            refs.append(f"{course.slug if course else m['course_id']}:{code}")
        lines.append(" | ".join([outcome.code, outcome.text, ", ".join(refs)]))
    return "\n".join(lines)


def _parse_outcomes(text: str, programme: Programme) -> list[tuple[str, str, list[dict]]]:
    """Lines of "code | text | slug:LO1, slug:LO2" into outcomes mapped to course outcome keys."""
    courses = {p.course.slug: p.course for p in programme.parts if p.course is not None}
    out = []
    for number, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip():
            continue
        cells = [cell.strip() for cell in line.split("|")]
        if len(cells) < 2 or not cells[0] or not cells[1]:
            raise ServiceError(_("Line %(n)d: write a code, a bar (|) and the outcome.", n=number), field="outcomes")
        mapping = []
        for ref in filter(None, (r.strip() for r in (cells[2] if len(cells) > 2 else "").split(","))):
            slug, _sep, code = ref.partition(":")
            course = courses.get(slug)
            version = course.published_version if course else None
            outcome = next((o for o in version.outcomes if o.code == code), None) if version else None
            if outcome is None:
                raise ServiceError(
                    _("Line %(n)d: %(ref)s is not an outcome of a course in this programme.", n=number, ref=ref),
                    field="outcomes",
                )
            mapping.append({"course_id": course.id, "key": outcome.key})
        out.append((cells[0], cells[1], mapping))
    return out


# ---------------------------------------------------------------------------- programmes


@bp.route("/teach/programmes", methods=["GET", "POST"])
@login_required
def trainer_index():  # noqa: ANN201
    """Programmes I run, and a form to start a new one."""
    _trainer_only()
    form = ProgrammeForm()
    status = 200
    if form.validate_on_submit():
        try:
            programme = authoring.create_programme(
                title=form.title.data,
                owner=current_user,
                summary=form.summary.data or "",
                credits=form.credits.data or 0,
                validity_months=form.validity_months.data,
            )
        except ServiceError as err:
            db.session.rollback()
            getattr(form, err.field or "title", form.title).errors.append(err.message)
            status = 400
        else:
            db.session.commit()
            flash(_("The programme is created as a draft. Add its courses and sessions."), "success")
            return redirect(url_for(".manage", slug=programme.slug))
    elif form.is_submitted():
        status = 400
    programmes = authoring.programmes_of(current_user)
    return render_template("programmes/trainer/index.html", form=form, programmes=programmes), status


@bp.route("/teach/programmes/<slug>", methods=["GET", "POST"])
@login_required
def manage(slug: str):  # noqa: ANN201
    """The programme editor: details and outcomes, parts, new sessions, publication."""
    programme = _editable(slug)
    form = ProgrammeForm(obj=programme if request.method == "GET" else None)
    if request.method == "GET":
        form.outcomes.data = _outcomes_text(programme)
    status = 200
    if form.validate_on_submit():
        try:
            authoring.update_programme(
                programme,
                title=form.title.data,
                summary=form.summary.data or "",
                credits=form.credits.data or 0,
                validity_months=form.validity_months.data,
            )
            authoring.set_outcomes(programme, _parse_outcomes(form.outcomes.data, programme))
        except ServiceError as err:
            db.session.rollback()
            getattr(form, err.field or "title", form.title).errors.append(err.message)
            status = 400
        else:
            db.session.commit()
            flash(_("The programme is saved."), "success")
            return redirect(url_for(".manage", slug=slug))
    elif form.is_submitted():
        status = 400
    return _editor(programme, form=form, status=status)


def _editor(
    programme: Programme,
    *,
    form: ProgrammeForm | None = None,
    course_form: AddCourseForm | None = None,
    session_form: SessionForm | None = None,
    status: int = 200,
):
    if form is None:
        form = ProgrammeForm(obj=programme, formdata=None)
        form.outcomes.data = _outcomes_text(programme)
    course_form = course_form or AddCourseForm(formdata=None)
    course_form.course.choices = _course_choices(programme)
    if session_form is None:
        # A new session starts in the trainer's own time zone (from the profile); it can be changed.
        session_form = SessionForm(formdata=None)
        if current_user.timezone in dict(session_form.timezone.choices):
            session_form.timezone.data = current_user.timezone
    return (
        render_template(
            "programmes/trainer/manage.html",
            programme=programme,
            form=form,
            course_form=course_form,
            session_form=session_form,
            action_form=EmptyForm(),
            now=utcnow(),
        ),
        status,
    )


@bp.post("/teach/programmes/<slug>/courses")
@login_required
def add_course(slug: str):  # noqa: ANN201
    """Append a published course to the programme."""
    programme = _editable(slug)
    course_form = AddCourseForm()
    course_form.course.choices = _course_choices(programme)
    if not course_form.validate_on_submit():
        return _editor(programme, course_form=course_form, status=400)
    course = db.session.get(Course, course_form.course.data)
    try:
        authoring.add_course(programme, course, required=course_form.required.data)
    except ServiceError as err:
        db.session.rollback()
        course_form.course.errors.append(err.message)
        return _editor(_editable(slug), course_form=course_form, status=400)
    # Participants still working towards the programme are enrolled in the new course too.
    jobs.queue_enrol_participants(programme.id, course.id)
    db.session.commit()
    flash(_("The course is added to the programme."), "success")
    return redirect(url_for(".manage", slug=slug) + "#parts-title")


@bp.post("/teach/programmes/<slug>/sessions")
@login_required
def add_session(slug: str):  # noqa: ANN201
    """Add a session (in person or live online) as a part of the programme."""
    programme = _editable(slug)
    session_form = SessionForm()
    if not session_form.validate_on_submit():
        return _editor(programme, session_form=session_form, status=400)
    data = session_form.data
    try:
        authoring.add_session(programme, **session_values(data), required=data["required"])
    except ServiceError as err:
        db.session.rollback()
        getattr(session_form, err.field or "title").errors.append(err.message)
        return _editor(_editable(slug), session_form=session_form, status=400)
    db.session.commit()
    flash(_("The session is added to the programme."), "success")
    return redirect(url_for(".manage", slug=slug) + "#parts-title")


@bp.post("/teach/programmes/<slug>/parts/<int:part_id>/remove")
@login_required
def remove_part(slug: str, part_id: int):  # noqa: ANN201
    """Take a part out of the programme."""
    programme = _editable(slug)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        authoring.remove_part(programme, part_id)
    except NotFound:
        abort(404)
    except ServiceError as err:
        db.session.rollback()
        flash(err.message, "error")
        return redirect(url_for(".manage", slug=slug) + "#parts-title")
    # Fewer requirements may complete someone's programme: check every participant after the commit.
    jobs.queue_programme_check(programme.id)
    db.session.commit()
    flash(_("The part is removed."), "success")
    return redirect(url_for(".manage", slug=slug) + "#parts-title")


@bp.post("/teach/programmes/<slug>/parts/<int:part_id>/required")
@login_required
def set_required(slug: str, part_id: int):  # noqa: ANN201
    """Make a part required (`required=1`) or optional (`required=0`)."""
    programme = _editable(slug)
    wanted = request.form.get("required")
    if not EmptyForm().validate_on_submit() or wanted not in ("0", "1"):
        abort(400)
    try:
        changed = authoring.set_required(programme, part_id, required=wanted == "1")
    except NotFound:
        abort(404)
    except ServiceError as err:
        db.session.rollback()
        flash(err.message, "error")
        return redirect(url_for(".manage", slug=slug) + f"#part-{part_id}")
    if changed and wanted == "0":
        # One requirement fewer may complete someone's programme.
        jobs.queue_programme_check(programme.id)
    db.session.commit()
    if changed:
        flash(
            _("The part is required from now on; participants who completed the programme are not affected.")
            if wanted == "1"
            else _("The part is optional now."),
            "success",
        )
    return redirect(url_for(".manage", slug=slug) + f"#part-{part_id}")


@bp.post("/teach/programmes/<slug>/parts/<int:part_id>/move")
@login_required
def move_part(slug: str, part_id: int):  # noqa: ANN201
    """Move a part one place up or down (`direction` = up | down)."""
    programme = _editable(slug)
    direction = request.form.get("direction")
    if not EmptyForm().validate_on_submit() or direction not in ("up", "down"):
        abort(400)
    try:
        authoring.move_part(programme, part_id, offset=-1 if direction == "up" else 1)
    except ServiceError as err:
        abort(err.status)
    db.session.commit()
    return redirect(url_for(".manage", slug=slug) + f"#part-{part_id}")


def _programme_action(slug: str, do: Callable[[Programme], object], success: Callable[[Programme], str]) -> Response:
    """Run a status change from a button, commit and say so; a refusal is flashed, nothing is kept."""
    programme = _editable(slug)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        do(programme)
    except ServiceError as err:
        db.session.rollback()
        flash(err.message, "error")
    else:
        db.session.commit()
        flash(success(programme), "success")
    return redirect(url_for(".manage", slug=slug))


@bp.post("/teach/programmes/<slug>/publish")
@login_required
def publish(slug: str):  # noqa: ANN201
    """Publish, or take back to draft with `?draft=1`."""
    back_to_draft = bool(request.form.get("draft"))
    return _programme_action(
        slug,
        authoring.unpublish if back_to_draft else authoring.publish,
        lambda programme: _("The programme is published.")
        if programme.status.value == "published"
        else _("The programme is a draft again."),
    )


@bp.post("/teach/programmes/<slug>/archive")
@login_required
def archive(slug: str):  # noqa: ANN201
    """Archive the programme: out of the catalogue, no new enrolments; participants keep their page."""
    return _programme_action(
        slug,
        authoring.archive,
        lambda _programme: _(
            "The programme is archived: it is out of the catalogue and takes no new enrolments."
            " Participants keep their page and certificates."
        ),
    )


@bp.post("/teach/programmes/<slug>/restore")
@login_required
def restore(slug: str):  # noqa: ANN201
    """Bring an archived programme back (published again if it was, a draft otherwise)."""
    return _programme_action(
        slug,
        authoring.restore,
        lambda programme: _("The programme is back in the catalogue and open for enrolment.")
        if programme.status.value == "published"
        else _("The programme is back as a draft."),
    )


# ---------------------------------------------------------------------------- sessions


@bp.get("/teach/sessions/<int:session_id>")
@login_required
def roster(session_id: int):  # noqa: ANN201
    """The roster: who holds a seat (with attendance), the waiting list, the number of seats."""
    session = _managed_session(session_id)
    seated, waiting = sessions.roster(session)
    capacity_form = CapacityForm(formdata=None, capacity=session.capacity)
    return render_template(
        "programmes/trainer/roster.html",
        session=session,
        seated=seated,
        waiting=waiting,
        form=EmptyForm(),
        capacity_form=capacity_form,
        attendance_open=not session.cancelled and utcnow() >= session.starts_at,
        can_cancel=not session.cancelled and utcnow() < session.starts_at,
        choices=list(Attendance),
        labels=ATTENDANCE_LABELS,
    )


@bp.route("/teach/sessions/<int:session_id>/edit", methods=["GET", "POST"])
@login_required
def edit_session(session_id: int):  # noqa: ANN201
    """Change a session's title, time, place or link; registrations stay."""
    session = _managed_session(session_id)
    if session.cancelled:
        flash(_("This session is cancelled: it can no longer be changed."), "error")
        return redirect(url_for(".roster", session_id=session_id))
    form = EditSessionForm()
    if request.method == "GET":
        zone = ZoneInfo(session.timezone)
        form = EditSessionForm(
            formdata=None,
            obj=session,
            mode=session.mode.value,
            starts_at=session.starts_at.astimezone(zone).replace(tzinfo=None),
            ends_at=session.ends_at.astimezone(zone).replace(tzinfo=None),
            registration_deadline=(
                session.registration_deadline.astimezone(zone).replace(tzinfo=None)
                if session.registration_deadline
                else None
            ),
        )
    status = 200
    if form.validate_on_submit():
        try:
            update = authoring.update_session(session, actor=current_user, **session_values(form.data, capacity=False))
        except ServiceError as err:
            db.session.rollback()
            getattr(form, err.field or "title", form.title).errors.append(err.message)
            status = 400
        else:
            db.session.commit()
            if update.told:
                flash(
                    ngettext(
                        "The session is saved. %(num)d person registered or waiting is told about the change.",
                        "The session is saved. %(num)d people registered or waiting are told about the change.",
                        update.told,
                    ),
                    "success",
                )
            else:
                flash(_("The session is saved."), "success")
            return redirect(url_for(".roster", session_id=session_id))
    elif form.is_submitted():
        status = 400
    return render_template("programmes/trainer/session_form.html", session=session, form=form), status


@bp.route("/teach/sessions/<int:session_id>/cancel", methods=["GET", "POST"])
@login_required
def cancel_session(session_id: int):  # noqa: ANN201
    """Confirm with a reason, then cancel the session; everyone registered or waiting is told."""
    session = _managed_session(session_id)
    if session.cancelled:
        flash(_("This session is already cancelled."), "info")
        return redirect(url_for(".roster", session_id=session_id))
    if utcnow() >= session.starts_at:
        flash(
            _("The session has started or taken place, so it cannot be cancelled. Record attendance on the roster."),
            "error",
        )
        return redirect(url_for(".roster", session_id=session_id))
    form = CancelSessionForm()
    status = 200
    if form.validate_on_submit():
        try:
            result = sessions.cancel_session(session, reason=form.reason.data, actor=current_user)
        except ServiceError as err:
            db.session.rollback()
            if err.field != "reason":
                flash(err.message, "error")
                return redirect(url_for(".roster", session_id=session_id))
            form.reason.errors.append(err.message)
            status = 400
        else:
            db.session.commit()
            if not result.cancelled:
                flash(_("This session is already cancelled."), "info")
            else:
                flash(
                    ngettext(
                        "The session is cancelled. %(num)d person registered or waiting is told.",
                        "The session is cancelled. %(num)d people registered or waiting are told.",
                        result.told,
                    ),
                    "success",
                )
            return redirect(url_for(".roster", session_id=session_id))
    elif form.is_submitted():
        status = 400
    seated, waiting = sessions.roster(session)
    return (
        render_template(
            "programmes/trainer/cancel_session.html", session=session, form=form, seated=seated, waiting=waiting
        ),
        status,
    )


@bp.post("/teach/sessions/<int:session_id>/attendance")
@login_required
def attendance(session_id: int):  # noqa: ANN201
    """Record present / absent / excused; a change after certification corrects the programme certificate."""
    session = _managed_session(session_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    marks: dict[int, str | None] = {}
    for name, value in request.form.items():
        if not name.startswith("attendance-"):
            continue
        try:
            registration_id = int(name.removeprefix("attendance-"))
        except ValueError:
            abort(400)
        if value and value not in {a.value for a in Attendance}:
            abort(400)
        marks[registration_id] = value or None
    try:
        changed = sessions.record_attendance(session, actor=current_user, marks=marks)
    except ServiceError as err:
        db.session.rollback()
        flash(err.message, "error")
        return redirect(url_for(".roster", session_id=session_id))
    for user_id in changed:
        jobs.queue_check(user_id)
    db.session.commit()
    flash(_("Attendance is saved."), "success")
    return redirect(url_for(".roster", session_id=session_id))


@bp.post("/teach/sessions/<int:session_id>/capacity")
@login_required
def capacity(session_id: int):  # noqa: ANN201
    """Change the number of seats; new seats go to the waiting list first."""
    session = _managed_session(session_id)
    form = CapacityForm()
    if not form.validate_on_submit():
        flash(" ".join(form.capacity.errors) or _("Enter a number of seats."), "error")
        return redirect(url_for(".roster", session_id=session_id))
    try:
        promoted = sessions.set_capacity(session, form.capacity.data)
    except ServiceError as err:
        db.session.rollback()
        flash(err.message, "error")
    else:
        db.session.commit()
        flash(
            _(
                "The session now has %(num)d seats; %(moved)d moved up from the waiting list.",
                num=session.capacity,
                moved=len(promoted),
            ),
            "success",
        )
    return redirect(url_for(".roster", session_id=session_id))


@bp.get("/teach/sessions/<int:session_id>/roster.csv")
@login_required
def roster_csv(session_id: int):  # noqa: ANN201
    """The roster as CSV: seated people with attendance, then the waiting list."""
    session = _managed_session(session_id)
    seated, waiting = sessions.roster(session)
    rows = [
        [
            row.user.name,
            row.user.email,
            row.user.organisation or "",
            row.registration.status.value,
            row.registration.attendance.value if row.registration.attendance else "",
            (row.registration.registered_at or row.registration.queued_at).isoformat(timespec="seconds"),
        ]
        for row in [*seated, *waiting]
    ]
    body = rows_to_csv(["name", "email", "organisation", "status", "attendance", "registered_at"], rows)
    response = Response(body, mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="roster-session-{session.id}.csv"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("/teach/programmes/<slug>/certificates")
@login_required
def certificates(slug: str):  # noqa: ANN201
    """The programme's certificates, with revoke and re-issue."""
    programme = _editable(slug)
    rows = db.session.scalars(
        select(Certificate)
        .where(Certificate.programme_id == programme.id)
        .order_by(Certificate.issued_at.desc(), Certificate.id.desc())
    ).all()
    return render_template(
        "programmes/trainer/certificates.html", programme=programme, certificates=rows, labels=STATE_LABELS
    )


@bp.get("/teach/programmes/<slug>/certificates.csv")
@login_required
def certificates_csv(slug: str):  # noqa: ANN201
    """The programme's certificate holders as CSV: name, e-mail, issued, status (never the verification code)."""
    programme = _editable(slug)
    rows = db.session.scalars(
        select(Certificate)
        .where(Certificate.programme_id == programme.id)
        .options(joinedload(Certificate.user))
        .order_by(Certificate.issued_at.desc(), Certificate.id.desc())
    ).all()
    body = rows_to_csv(
        ["name", "email", "issued", "status"],
        (
            [
                certificate.holder_name,
                certificate.user.email if certificate.user else "",
                certificate.issued_at.date().isoformat(),
                certificate.state().value,
            ]
            for certificate in rows
        ),
    )
    response = Response(body, mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="certificates-{programme.slug}.csv"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _part_kinds() -> dict[str, str]:
    return {PartKind.COURSE: _("Course"), PartKind.SESSION: _("Session")}


bp.add_app_template_global(_part_kinds, "programme_part_kinds")
