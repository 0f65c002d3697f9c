"""The question bank of a course: create, edit (with versions), archive, GIFT import and export."""

from __future__ import annotations

import copy
import re
import secrets
import unicodedata
from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import exists, select
from sqlalchemy.orm import joinedload

from academy.auth.models import User
from academy.courses.models import Course, LearningOutcome
from academy.exceptions import NotFound, ServiceError
from academy.extensions import db
from academy.quizzes import access, gift, qtypes
from academy.quizzes.gift.parser import KEY_PATTERN, GiftError
from academy.quizzes.models import Question, QuestionType, QuestionVersion, Response, TextFormat
from academy.quizzes.spec import QuestionSpec, spec_from_version

IMPORT_ALL_OR_NOTHING = "all"
IMPORT_VALID_ONLY = "valid"


def list_questions(
    course: Course,
    *,
    category: str | None = None,
    outcome_key: str | None = None,
    qtype: str | None = None,
    include_archived: bool = False,
) -> list[Question]:
    """Questions of the bank with their current version loaded, filtered, in title order."""
    query = (
        select(Question)
        .where(Question.course_id == course.id)
        .options(joinedload(Question.current_version))
        .order_by(Question.id)
    )
    if not include_archived:
        query = query.where(Question.archived.is_(False))
    questions = [q for q in db.session.scalars(query).unique() if q.current_version is not None]
    if category:
        questions = [q for q in questions if in_category(q.current_version.category, category)]
    if outcome_key:
        questions = [q for q in questions if outcome_key in (q.current_version.outcome_keys or [])]
    if qtype:
        questions = [q for q in questions if q.current_version.type == qtype]
    return sorted(questions, key=lambda q: (q.current_version.category, q.current_version.title.casefold(), q.id))


def in_category(category: str, wanted: str) -> bool:
    """True if `category` is `wanted` or one of its subcategories ("Finance" holds "Finance/SCO")."""
    return category == wanted or category.startswith(wanted.rstrip("/") + "/")


def categories(course: Course) -> list[str]:
    """Categories used by live questions of the bank, each parent listed too."""
    found: set[str] = set()
    for category in db.session.scalars(
        select(QuestionVersion.category)
        .join(Question, Question.current_version_id == QuestionVersion.id)
        .where(Question.course_id == course.id, Question.archived.is_(False))
        .distinct()
    ):
        parts = category.split("/") if category else []
        for i in range(1, len(parts) + 1):
            found.add("/".join(parts[:i]))
    return sorted(found)


def get_question(course: Course, question_id: int) -> Question:
    """A question of this course's bank, or NotFound."""
    question = db.session.get(Question, question_id, options=[joinedload(Question.current_version)])
    if question is None or question.course_id != course.id:
        raise NotFound(_("There is no such question in this course."))
    return question


def version_in_use(version: QuestionVersion) -> bool:
    """True once an attempt has shown this version: from then on it never changes."""
    return bool(db.session.scalar(select(exists().where(Response.question_version_id == version.id))))


def check_outcomes(course: Course, outcome_keys: list[str]) -> list[str]:
    """Problems with the outcome keys a question is mapped to (empty if none)."""
    if not outcome_keys:
        return [_("Tag the question with at least one learning outcome.")]
    known = {o.key for o in access.outcomes_for_authoring(course)}
    unknown = [k for k in outcome_keys if k not in known]
    if unknown:
        return [_("Unknown learning outcome: %(keys)s.", keys=", ".join(unknown))]
    return []


def _check(spec: QuestionSpec) -> list[str]:
    errors = []
    if not spec.title.strip():
        errors.append(_("The question needs a title."))
    if not spec.text.strip():
        errors.append(_("The question needs a text."))
    if len(spec.text) > qtypes.MAX_TEXT:
        errors.append(_("The question text is too long."))
    if not 0 < float(spec.points) <= 1000:
        errors.append(_("Points must be above 0 and at most 1000."))
    if spec.key is not None and not KEY_PATTERN.fullmatch(spec.key):
        errors.append(_("The key may use only letters, digits and . _ : - (at most 100)."))
    errors.extend(qtypes.validate(spec.type, spec.data))
    return errors


def _new_version(
    question: Question, spec: QuestionSpec, outcome_keys: list[str], actor: User | None
) -> QuestionVersion:
    number = max((v.number for v in question.versions), default=0) + 1
    version = QuestionVersion(
        question=question,
        number=number,
        type=QuestionType(spec.type),
        title=spec.title.strip(),
        text=spec.text,
        text_format=TextFormat(spec.text_format),
        data=copy.deepcopy(spec.data),
        points=float(spec.points),
        general_feedback=spec.general_feedback,
        category=spec.category.strip().strip("/"),
        outcome_keys=list(outcome_keys),
        created_by_id=actor.id if actor else None,
    )
    db.session.add(version)
    db.session.flush()
    question.current_version = version
    return version


def unique_key(course: Course, title: str) -> str:
    """A fresh key for a question without one, readable and unique in the course."""
    slug = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode().lower()
    slug = re.sub(r"[^a-z0-9]+", "-", slug).strip("-")[:40] or "question"
    while True:
        key = f"{slug}-{secrets.token_hex(3)}"
        if not db.session.scalar(select(exists().where(Question.course_id == course.id, Question.key == key))):
            return key


def create_question(
    course: Course, spec: QuestionSpec, outcome_keys: list[str], *, actor: User | None = None
) -> Question:
    """Add a question to the bank; raise ServiceError listing what is wrong."""
    errors = _check(spec) + check_outcomes(course, outcome_keys)
    if errors:
        raise ServiceError(" ".join(errors))
    key = spec.key or unique_key(course, spec.title)
    if db.session.scalar(select(exists().where(Question.course_id == course.id, Question.key == key))):
        raise ServiceError(_("Another question of this course already has the key %(key)s.", key=key), field="key")
    question = Question(course=course, key=key)
    db.session.add(question)
    db.session.flush()
    _new_version(question, spec, outcome_keys, actor)
    return question


def update_question(
    question: Question, spec: QuestionSpec, outcome_keys: list[str], *, actor: User | None = None
) -> QuestionVersion:
    """Edit a question: a new version if attempts have used the current one, else in place.

    Returns the current version afterwards; an edit that changes nothing changes nothing.
    """
    errors = _check(spec) + check_outcomes(question.course, outcome_keys)
    if errors:
        raise ServiceError(" ".join(errors))
    current = question.current_version
    if current is not None:
        old = spec_from_version(current, key=question.key, tags=[])
        if old.content() == _normalised(spec).content() and list(current.outcome_keys) == list(outcome_keys):
            return current
    if current is None or version_in_use(current):
        return _new_version(question, spec, outcome_keys, actor)
    current.type = QuestionType(spec.type)
    current.title = spec.title.strip()
    current.text = spec.text
    current.text_format = TextFormat(spec.text_format)
    current.data = copy.deepcopy(spec.data)
    current.points = float(spec.points)
    current.general_feedback = spec.general_feedback
    current.category = spec.category.strip().strip("/")
    current.outcome_keys = list(outcome_keys)
    db.session.flush()
    return current


def _normalised(spec: QuestionSpec) -> QuestionSpec:
    clone = copy.copy(spec)
    clone.title = spec.title.strip()
    clone.category = spec.category.strip().strip("/")
    clone.points = float(spec.points)
    return clone


def archive_question(question: Question, *, archived: bool = True) -> None:
    """Take a question out of the bank (attempts keep it) or put it back."""
    question.archived = archived
    db.session.flush()


def outcome_code_map(course: Course) -> tuple[dict[str, str], dict[str, str]]:
    """(key -> code, lower-cased code or key -> key) for the authoring version's outcomes."""
    outcomes: list[LearningOutcome] = access.outcomes_for_authoring(course)
    to_code = {o.key: o.code for o in outcomes}
    lookup = {o.key.casefold(): o.key for o in outcomes}
    lookup.update({o.code.casefold(): o.key for o in outcomes})
    return to_code, lookup


def spec_for(question: Question, to_code: dict[str, str]) -> QuestionSpec:
    """The current version as a spec, tags written as outcome codes."""
    version = question.current_version
    tags = [to_code.get(k, k) for k in version.outcome_keys or []]
    return spec_from_version(version, key=question.key, tags=tags)


def export_gift(course: Course, questions: list[Question] | None = None) -> str:
    """The bank (or the given questions) as a GIFT document."""
    if questions is None:
        questions = list_questions(course)
    to_code, _lookup = outcome_code_map(course)
    header = f"// {course.slug}: {len(questions)} questions exported from Interreg Academy\n\n"
    return header + gift.dumps(spec_for(q, to_code) for q in questions)


@dataclass
class ImportItem:
    """A question the import would take, and what it would do with it."""

    spec: QuestionSpec
    outcome_keys: list[str]
    action: str  # "create", "update" or "unchanged"
    assigned: bool = False  # untagged in the file: the outcome comes from the trainer's choice in the preview


@dataclass
class ImportReport:
    """What an import read, refused and did."""

    items: list[ImportItem] = field(default_factory=list)
    errors: list[GiftError] = field(default_factory=list)
    mode: str = IMPORT_VALID_ONLY
    saved: bool = False

    @property
    def count(self) -> dict[str, int]:
        """How many questions each action concerns."""
        out = {"create": 0, "update": 0, "unchanged": 0}
        for item in self.items:
            out[item.action] += 1
        return out


def read_gift(
    course: Course, source: str, *, mode: str = IMPORT_VALID_ONLY, assign: dict[str, str] | None = None
) -> ImportReport:
    """Parse a GIFT document against this course's outcomes and bank, saving nothing."""
    return check_specs(course, gift.parse(source), mode=mode, assign=assign)


def untagged(parsed: gift.GiftResult) -> list[QuestionSpec]:
    """The questions that carry no [tag:...], in file order."""
    return [spec for spec in parsed.questions if not spec.tags]


def check_specs(
    course: Course, parsed: gift.GiftResult, *, mode: str = IMPORT_VALID_ONLY, assign: dict[str, str] | None = None
) -> ImportReport:
    """Check parsed questions against the course: outcome tags, duplicate ids, and what each would do.

    `assign` gives untagged questions an outcome key: per question under "line:<n>" (its first line in the
    file), per category under the category's name, or under "*" for every other one (in that order).
    """
    assign = {k: v for k, v in (assign or {}).items() if v}
    known_keys = {o.key for o in access.outcomes_for_authoring(course)}
    report = ImportReport(mode=mode, errors=list(parsed.errors))
    _to_code, lookup = outcome_code_map(course)
    existing = {
        q.key: q
        for q in db.session.scalars(
            select(Question).where(Question.course_id == course.id).options(joinedload(Question.current_version))
        ).unique()
    }
    seen: set[str] = set()
    for spec in parsed.questions:
        reason = None
        unknown = [t for t in spec.tags if t.casefold() not in lookup]
        chosen = assign.get(f"line:{spec.line}") or assign.get(spec.category) or assign.get("*")
        if not spec.tags and chosen in known_keys:
            pass
        elif not spec.tags:
            reason = _("The question has no // [tag:...] naming a learning outcome of the course: choose one below.")
        elif unknown:
            reason = _(
                "The tag %(tags)s matches no learning outcome of the course (%(codes)s).",
                tags=", ".join(unknown),
                codes=", ".join(sorted(_codes(course))) or "—",
            )
        elif spec.key and spec.key in seen:
            reason = _("The id %(key)s is used by an earlier question of the file.", key=spec.key)
        else:
            problems = _check(spec)
            if problems:
                reason = " ".join(problems)
        if reason:
            report.errors.append(GiftError(spec.line, spec.title, reason))
            continue
        if spec.key:
            seen.add(spec.key)
        keys = list(dict.fromkeys(lookup[t.casefold()] for t in spec.tags)) if spec.tags else [chosen]
        action = "create"
        question = existing.get(spec.key) if spec.key else None
        if question is not None and question.current_version is not None:
            current = spec_from_version(question.current_version, key=question.key, tags=[])
            same = (
                current.content() == _normalised(spec).content() and list(question.current_version.outcome_keys) == keys
            )
            action = "unchanged" if same and not question.archived else "update"
        report.items.append(ImportItem(spec=spec, outcome_keys=keys, action=action, assigned=not spec.tags))
    report.errors.sort(key=lambda e: e.line)
    return report


def _codes(course: Course) -> set[str]:
    return {o.code for o in access.outcomes_for_authoring(course)}


def import_gift(
    course: Course,
    source: str,
    *,
    mode: str = IMPORT_VALID_ONLY,
    actor: User | None = None,
    assign: dict[str, str] | None = None,
) -> ImportReport:
    """Import a GIFT document: every valid question, or nothing if any is refused and mode is "all".

    Questions whose `[id:...]` matches a question of the bank update it (a new version if used).
    """
    report = read_gift(course, source, mode=mode, assign=assign)
    if mode == IMPORT_ALL_OR_NOTHING and report.errors:
        return report
    return apply_import(course, report, actor=actor)


def apply_import(course: Course, report: ImportReport, *, actor: User | None = None) -> ImportReport:
    """Save the questions of a checked report."""
    existing = {q.key: q for q in db.session.scalars(select(Question).where(Question.course_id == course.id))}
    for item in report.items:
        question = existing.get(item.spec.key) if item.spec.key else None
        if question is None:
            question = create_question(course, item.spec, item.outcome_keys, actor=actor)
            existing[question.key] = question
        elif item.action == "update":
            update_question(question, item.spec, item.outcome_keys, actor=actor)
            question.archived = False
    db.session.flush()
    report.saved = True
    return report
