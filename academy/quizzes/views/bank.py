"""The question bank for trainers: list, edit with versions, preview, GIFT import and export."""

from __future__ import annotations

from decimal import Decimal

from flask import Response as HttpResponse
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from academy.auth.forms import EmptyForm
from academy.core.actions import request_action
from academy.courses.models import Course
from academy.exceptions import ServiceError
from academy.quizzes import access, gift, grading, qtypes
from academy.quizzes.forms import (
    ANSWER_ROWS,
    FORMAT_CHOICES,
    MAX_ANSWER_ROWS,
    SPARE_ROWS,
    ConfirmImportForm,
    ImportForm,
    QuestionForm,
    type_choices,
)
from academy.quizzes.models import Question, QuestionType, QuestionVersion, TextFormat
from academy.quizzes.rendering import render
from academy.quizzes.services import bank
from academy.quizzes.spec import QuestionSpec
from academy.quizzes.views.common import bp, managed_course_or_abort


def _outcome_choices(course: Course) -> list[tuple[str, str]]:
    return [(o.key, f"{o.code} — {o.text}") for o in access.outcomes_for_authoring(course)]


@bp.get("/teach/<slug>/bank")
@login_required
def bank_index(slug: str):  # noqa: ANN201
    """The bank, filtered by category, outcome or type."""
    course = managed_course_or_abort(slug)
    category = request.args.get("category", "").strip() or None
    outcome = request.args.get("outcome", "").strip() or None
    qtype = request.args.get("type", "").strip() or None
    questions = bank.list_questions(course, category=category, outcome_key=outcome, qtype=qtype)
    archived = bank.list_questions(course, include_archived=True)
    outcomes = access.outcomes_for_authoring(course)
    return render_template(
        "quizzes/teach/bank.html",
        course=course,
        questions=questions,
        archived=[q for q in archived if q.archived],
        outcomes=outcomes,
        codes={o.key: o.code for o in outcomes},
        categories=bank.categories(course),
        types=type_choices(),
        labels=qtypes.TYPE_LABELS,
        filters={"category": category or "", "outcome": outcome or "", "type": qtype or ""},
        form=EmptyForm(),
    )


def _fill_form(form: QuestionForm, version: QuestionVersion) -> None:
    form.title.data = version.title
    form.text.data = version.text
    form.text_format.data = str(version.text_format)
    form.points.data = Decimal(str(version.points))
    form.category.data = version.category
    form.outcomes.data = list(version.outcome_keys or [])
    form.general_feedback.data = version.general_feedback
    data = version.data or {}
    rows: list[dict] = []
    qtype = QuestionType(version.type)
    if qtype in (QuestionType.SINGLE, QuestionType.MULTIPLE):
        rows = [{"text": c["text"], "weight": c["weight"], "feedback": c["feedback"]} for c in data["choices"]]
    elif qtype == QuestionType.SHORT:
        rows = [{"text": a["text"], "weight": a["weight"], "feedback": a["feedback"]} for a in data["answers"]]
        form.case_sensitive.data = bool(data.get("case_sensitive"))
    elif qtype == QuestionType.NUMERICAL:
        for a in data["answers"]:
            text = f"{a['min']:g}..{a['max']:g}" if "min" in a else f"{a['value']:g}:{a.get('tolerance', 0):g}"
            rows.append({"text": text, "weight": a["weight"], "feedback": a["feedback"]})
        form.feedback_wrong.data = data.get("feedback_wrong", "")
    elif qtype == QuestionType.MATCHING:
        rows = [{"text": p["left"], "match": p["right"]} for p in data["pairs"]]
    elif qtype == QuestionType.TRUEFALSE:
        form.correct.data = "true" if data["answer"] else "false"
        form.feedback_right.data = data.get("feedback_right", "")
        form.feedback_wrong.data = data.get("feedback_wrong", "")
    while len(form.answers.entries) < len(rows):
        form.answers.append_entry()
    for entry, row in zip(form.answers.entries, rows, strict=False):
        entry.form.text.data = row.get("text", "")
        entry.form.match.data = row.get("match", "")
        entry.form.weight.data = Decimal(str(row["weight"])) if "weight" in row else None
        entry.form.feedback.data = row.get("feedback", "")


def _rows(form: QuestionForm) -> list[dict]:
    rows = []
    for entry in form.answers.entries:
        f = entry.form
        rows.append(
            {
                "text": (f.text.data or "").strip(),
                "match": (f.match.data or "").strip(),
                "weight": float(f.weight.data) if f.weight.data is not None else None,
                "feedback": (f.feedback.data or "").strip(),
            }
        )
    return rows


def _data_from_form(qtype: QuestionType, form: QuestionForm) -> dict:
    rows = _rows(form)
    if qtype in (QuestionType.SINGLE, QuestionType.MULTIPLE):
        return {
            "choices": [
                {"text": r["text"], "weight": qtypes.round_weight(r["weight"] or 0), "feedback": r["feedback"]}
                for r in rows
                if r["text"]
            ]
        }
    if qtype == QuestionType.SHORT:
        return {
            "answers": [
                {
                    "text": r["text"],
                    "weight": qtypes.round_weight(100 if r["weight"] is None else r["weight"]),
                    "feedback": r["feedback"],
                }
                for r in rows
                if r["text"]
            ],
            "case_sensitive": bool(form.case_sensitive.data),
        }
    if qtype == QuestionType.NUMERICAL:
        answers = []
        for r in rows:
            if not r["text"]:
                continue
            parsed = qtypes.parse_numeric_answer(r["text"])
            if parsed is None:
                raise ServiceError(
                    _("“%(value)s” is not a number, a number:tolerance or a range low..high.", value=r["text"])
                )
            parsed.update(
                weight=qtypes.round_weight(100 if r["weight"] is None else r["weight"]), feedback=r["feedback"]
            )
            answers.append(parsed)
        return {"answers": answers, "feedback_wrong": (form.feedback_wrong.data or "").strip()}
    if qtype == QuestionType.MATCHING:
        return {"pairs": [{"left": r["text"], "right": r["match"]} for r in rows if r["text"] or r["match"]]}
    if qtype == QuestionType.TRUEFALSE:
        if form.correct.data not in ("true", "false"):
            raise ServiceError(_("Say whether the statement is true or false."))
        return {
            "answer": form.correct.data == "true",
            "feedback_right": (form.feedback_right.data or "").strip(),
            "feedback_wrong": (form.feedback_wrong.data or "").strip(),
        }
    return {}


def _spec_from_form(qtype: QuestionType, form: QuestionForm, key: str | None) -> QuestionSpec:
    return QuestionSpec(
        type=qtype,
        title=form.title.data.strip(),
        text=form.text.data.strip().replace("\r\n", "\n"),
        data=_data_from_form(qtype, form),
        text_format=TextFormat(form.text_format.data),
        general_feedback=(form.general_feedback.data or "").strip().replace("\r\n", "\n"),
        category=(form.category.data or "").strip(),
        points=float(form.points.data),
        key=key,
    )


def _render_form(course: Course, form: QuestionForm, qtype: QuestionType, question: Question | None, status: int = 200):
    return (
        render_template(
            "quizzes/teach/question_form.html",
            course=course,
            form=form,
            qtype=qtype,
            type_label=qtypes.TYPE_LABELS[qtype],
            question=question,
            in_use=question is not None and bank.version_in_use(question.current_version),
            max_rows=MAX_ANSWER_ROWS,
        ),
        status,
    )


def _save(course: Course, form: QuestionForm, qtype: QuestionType, question: Question | None):
    form.outcomes.choices = _outcome_choices(course)
    if request.form.get("add_row"):
        # "Add another answer" without JavaScript: the same form again, one row longer, nothing saved.
        if not EmptyForm().validate_on_submit():
            abort(400)
        if len(form.answers.entries) < MAX_ANSWER_ROWS:
            form.answers.append_entry()
        return _render_form(course, form, qtype, question)
    if not form.validate_on_submit():
        return _render_form(course, form, qtype, question, 400)
    with request_action(form, on_form=True) as done:
        spec = _spec_from_form(qtype, form, question.key if question else None)
        if question is None:
            question = bank.create_question(course, spec, form.outcomes.data, actor=current_user)
        else:
            bank.update_question(question, spec, form.outcomes.data, actor=current_user)
    if not done:
        return _render_form(course, form, qtype, question if question and question.id else None, 400)
    flash(_("The question is saved."), "success")
    return redirect(url_for(".question_preview", slug=course.slug, question_id=question.id))


@bp.route("/teach/<slug>/bank/new", methods=["GET", "POST"])
@login_required
def question_new(slug: str):  # noqa: ANN201
    """Write a new question of the type chosen in ?type=."""
    course = managed_course_or_abort(slug)
    try:
        qtype = QuestionType(request.args.get("type", "single"))
    except ValueError:
        abort(404)
    form = QuestionForm()
    form.outcomes.choices = _outcome_choices(course)
    if request.method == "POST":
        return _save(course, form, qtype, None)
    if qtype == QuestionType.TRUEFALSE:
        form.correct.data = "true"
    return _render_form(course, form, qtype, None)


def _question_or_404(course: Course, question_id: int) -> Question:
    try:
        return bank.get_question(course, question_id)
    except ServiceError:
        abort(404)


@bp.route("/teach/<slug>/bank/<int:question_id>/edit", methods=["GET", "POST"])
@login_required
def question_edit(slug: str, question_id: int):  # noqa: ANN201
    """Edit a question; a question attempts have used gets a new version."""
    course = managed_course_or_abort(slug)
    question = _question_or_404(course, question_id)
    qtype = QuestionType(question.current_version.type)
    form = QuestionForm()
    form.outcomes.choices = _outcome_choices(course)
    if request.method == "POST":
        return _save(course, form, qtype, question)
    _fill_form(form, question.current_version)
    filled = len([e for e in form.answers.entries if e.form.text.data or e.form.match.data])
    while len(form.answers.entries) < max(ANSWER_ROWS, filled + SPARE_ROWS):
        form.answers.append_entry()
    return _render_form(course, form, qtype, question)


@bp.get("/teach/<slug>/bank/<int:question_id>")
@login_required
def question_preview(slug: str, question_id: int):  # noqa: ANN201
    """A question with its answers, weights and feedback, and its versions."""
    course = managed_course_or_abort(slug)
    question = _question_or_404(course, question_id)
    version = question.current_version
    outcomes = access.outcomes_for_authoring(course)
    return render_template(
        "quizzes/teach/question.html",
        course=course,
        question=question,
        version=version,
        type_label=qtypes.TYPE_LABELS[QuestionType(version.type)],
        text_html=render(version.text, version.text_format),
        general_html=render(version.general_feedback, version.text_format) if version.general_feedback else None,
        inline=lambda text: render(text, version.text_format, inline=True),
        options=grading.matching_options(version.data) if version.type == QuestionType.MATCHING else [],
        codes={o.key: f"{o.code} — {o.text}" for o in outcomes},
        format_labels=dict(FORMAT_CHOICES),
        in_use=bank.version_in_use(version),
        form=EmptyForm(),
    )


@bp.post("/teach/<slug>/bank/<int:question_id>/archive")
@login_required
def question_archive(slug: str, question_id: int):  # noqa: ANN201
    """Remove a question from the bank, or restore it (attempts keep it either way)."""
    course = managed_course_or_abort(slug)
    question = _question_or_404(course, question_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    restore = request.form.get("restore") == "1"
    with request_action():
        bank.archive_question(question, archived=not restore)
    flash(_("The question is back in the bank.") if restore else _("The question is removed from the bank."), "success")
    return redirect(url_for(".bank_index", slug=slug))


def _assignments() -> dict[str, str]:
    """Outcomes the trainer chose for untagged questions: {category or "*": outcome key}, from `assign:` fields."""
    return {
        name[len("assign:") :]: value for name, value in request.form.items() if name.startswith("assign:") and value
    }


@bp.route("/teach/<slug>/bank/import", methods=["GET", "POST"])
@login_required
def bank_import(slug: str):  # noqa: ANN201
    """Upload GIFT and see what would be imported and what cannot be, before confirming."""
    course = managed_course_or_abort(slug)
    form = ImportForm()
    if request.method == "GET":
        return render_template("quizzes/teach/import.html", course=course, form=form)
    if not form.validate_on_submit():
        return render_template("quizzes/teach/import.html", course=course, form=form), 400
    source = form.text.data or ""
    if form.file.data:
        try:
            source = form.file.data.read().decode("utf-8-sig")
        except UnicodeDecodeError:
            form.file.errors.append(_("The file is not UTF-8 text."))
            return render_template("quizzes/teach/import.html", course=course, form=form), 400
    if not source.strip():
        form.file.errors.append(_("Choose a GIFT file or paste GIFT text."))
        return render_template("quizzes/teach/import.html", course=course, form=form), 400
    assign = _assignments()
    report = bank.read_gift(course, source, mode=form.mode.data, assign=assign)
    confirm = ConfirmImportForm(gift=source, mode=form.mode.data)
    return render_template(
        "quizzes/teach/import_preview.html",
        course=course,
        report=report,
        confirm=confirm,
        source=source,
        mode=form.mode.data,
        assign=assign,
        untagged=bank.untagged(gift.parse(source)),
        per_question=any(key.startswith("line:") for key in assign),
        outcomes=access.outcomes_for_authoring(course),
        labels=qtypes.TYPE_LABELS,
        codes={o.key: o.code for o in access.outcomes_for_authoring(course)},
        blocked=form.mode.data == bank.IMPORT_ALL_OR_NOTHING and bool(report.errors),
    )


@bp.post("/teach/<slug>/bank/import/confirm")
@login_required
def bank_import_confirm(slug: str):  # noqa: ANN201
    """Import the previewed GIFT text."""
    course = managed_course_or_abort(slug)
    form = ConfirmImportForm()
    if not form.validate_on_submit() or form.mode.data not in (bank.IMPORT_VALID_ONLY, bank.IMPORT_ALL_OR_NOTHING):
        abort(400)
    with request_action() as done:
        report = bank.import_gift(
            course, form.gift.data, mode=form.mode.data, actor=current_user, assign=_assignments()
        )
        if not report.saved:  # rolled back and flashed
            raise ServiceError(_("Nothing was imported: %(count)d questions cannot be read.", count=len(report.errors)))
    if not done:
        return redirect(url_for(".bank_import", slug=slug))
    counts = report.count
    flash(
        _(
            "Imported: %(created)d new, %(updated)d updated, %(unchanged)d unchanged, %(refused)d refused.",
            created=counts["create"],
            updated=counts["update"],
            unchanged=counts["unchanged"],
            refused=len(report.errors),
        ),
        "success",
    )
    return redirect(url_for(".bank_index", slug=slug))


@bp.get("/teach/<slug>/bank/export.gift")
@login_required
def bank_export(slug: str):  # noqa: ANN201
    """Download the bank (or one category of it) as GIFT."""
    course = managed_course_or_abort(slug)
    category = request.args.get("category", "").strip() or None
    questions = bank.list_questions(course, category=category)
    body = bank.export_gift(course, questions)
    return HttpResponse(
        body,
        mimetype="text/plain",
        headers={"Content-Disposition": f'attachment; filename="{course.slug}-questions.gift"'},
    )
