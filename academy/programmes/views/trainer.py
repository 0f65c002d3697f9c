"""Trainer pages: programmes I run, the programme editor, session rosters with attendance, CSV export."""

from __future__ import annotations

from collections.abc import Callable

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from academy.auth.forms import EmptyForm
from academy.certificates.models import STATE_LABELS, Certificate
from academy.core.actions import request_action
from academy.core.confirm import confirm_first
from academy.courses.models import Course, CourseStatus
from academy.csvutil import rows_to_csv
from academy.db import utcnow
from academy.exceptions import ServiceError
from academy.extensions import db
from academy.programmes.forms import (
    AddCourseForm,
    ProgrammeForm,
    SessionForm,
)
from academy.programmes.models import CERTIFICATE_KIND, PartKind, Programme
from academy.programmes.services import authoring, scheduling
from academy.programmes.views import bp
from academy.programmes.views.roster import session_values


def _trainer_only() -> None:
    if not (current_user.has_role("trainer") or current_user.has_role("admin")):
        abort(403)


def _editable(slug: str) -> Programme:
    try:
        return authoring.programme_for_editing(slug, current_user)
    except ServiceError as err:
        abort(err.status)


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
        with request_action(form, field="title") as done:
            programme = authoring.create_programme(
                title=form.title.data,
                owner=current_user,
                summary=form.summary.data or "",
                credits=form.credits.data or 0,
                validity_months=form.validity_months.data,
            )
        status = 400
        if done:
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
        with request_action(form, field="title") as done:
            authoring.update_programme(
                programme,
                title=form.title.data,
                summary=form.summary.data or "",
                credits=form.credits.data or 0,
                validity_months=form.validity_months.data,
            )
            authoring.set_outcomes(programme, _parse_outcomes(form.outcomes.data, programme))
        status = 400
        if done:
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
    with request_action(course_form, field="course") as done:
        authoring.add_course(programme, course, required=course_form.required.data)
    if not done:
        return _editor(_editable(slug), course_form=course_form, status=400)
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
    with request_action(session_form, field="title") as done:
        scheduling.add_session(programme, **session_values(data), required=data["required"])
    if not done:
        return _editor(_editable(slug), session_form=session_form, status=400)
    flash(_("The session is added to the programme."), "success")
    return redirect(url_for(".manage", slug=slug) + "#parts-title")


@bp.post("/teach/programmes/<slug>/parts/<int:part_id>/remove")
@login_required
@confirm_first(
    _l("Remove this part from the programme?"),
    _l("Participants no longer see it in the programme, and it no longer counts towards completion."),
    _l("Remove the part"),
    guard=lambda slug, part_id: _found(_editable(slug), part_id),
)
def remove_part(slug: str, part_id: int):  # noqa: ANN201
    """Take a part out of the programme."""
    programme = _editable(slug)
    if not EmptyForm().validate_on_submit():
        abort(400)
    _found(programme, part_id)
    with request_action() as done:
        authoring.remove_part(programme, part_id)
    if done:
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
    _found(programme, part_id)
    with request_action() as done:
        changed = authoring.set_required(programme, part_id, required=wanted == "1")
    if done and changed:
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
    _found(programme, part_id)
    with request_action() as done:
        authoring.move_part(programme, part_id, offset=-1 if direction == "up" else 1)
    if not done:
        abort(done.error.status)
    return redirect(url_for(".manage", slug=slug) + f"#part-{part_id}")


def _found(programme: Programme, part_id: int) -> None:
    """404 for a part that is not one of the programme's (the services would refuse it too)."""
    if not any(part.id == part_id for part in programme.parts):
        abort(404)


def _programme_action(slug: str, do: Callable[[Programme], object], success: Callable[[Programme], str]) -> Response:
    """Run a status change from a button, commit and say so; a refusal is flashed, nothing is kept."""
    programme = _editable(slug)
    if not EmptyForm().validate_on_submit():
        abort(400)
    with request_action() as done:
        do(programme)
    if done:
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


@bp.get("/teach/programmes/<slug>/certificates")
@login_required
def certificates(slug: str):  # noqa: ANN201
    """The programme's certificates, with revoke and re-issue."""
    programme = _editable(slug)
    rows = db.session.scalars(
        select(Certificate)
        .where(Certificate.achievement_kind == CERTIFICATE_KIND, Certificate.achievement_id == programme.id)
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
        .where(Certificate.achievement_kind == CERTIFICATE_KIND, Certificate.achievement_id == programme.id)
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
