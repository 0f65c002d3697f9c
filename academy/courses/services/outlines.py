"""A course version's outline as plain data, kept per process (and in Redis) for versions that never change.

A published version is frozen: trainers edit a draft, and publishing makes the draft the new
published version (a new id), so the outcomes, modules, lessons and prerequisites of a published
or retired version are read once per process, keyed by version id, and nothing ever needs
invalidating. Drafts change with every edit: they are read from the ORM each time and never
kept. Pages work on these tuples instead of ORM objects, which costs no queries and no identity
map work once the version is known. With `REDIS_URL` configured, a process that misses asks
Redis before the database, so a fresh worker does not read every course again.

Rendered lesson HTML of a frozen version is kept the same way, per lesson id and table label.
"""

from __future__ import annotations

import logging
import pickle
import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from flask import current_app
from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from academy import request_memo
from academy.courses.models import (
    CourseVersion,
    LearningOutcome,
    Lesson,
    Module,
    VersionStatus,
    lesson_outcomes,
    module_prerequisites,
)
from academy.extensions import db
from academy.jobs import redis_connection

log = logging.getLogger(__name__)

_CACHE = "academy_outline_cache"
# Versions and lesson bodies kept per process: far more than a catalogue's published versions.
MAX_VERSIONS = 2000
MAX_LESSON_HTML = 5000
# Bump when the shape of the data changes, so Redis never hands an old process's pickle to new code.
_REDIS_PREFIX = "academy:outline:v1:"
_REDIS_SECONDS = 7 * 24 * 3600


@dataclass(frozen=True, slots=True)
class OutcomeData:
    """A learning outcome of a version."""

    id: int
    key: str
    code: str
    text: str
    threshold: int
    position: int


@dataclass(frozen=True, slots=True)
class LessonData:
    """A lesson of a version; `body` is only kept for drafts (frozen lessons render through `lesson_html`)."""

    id: int
    key: str
    title: str
    minutes: int
    required: bool
    position: int
    outcomes: tuple[OutcomeData, ...]
    body: str | None = None


@dataclass(frozen=True, slots=True)
class ModuleData:
    """A module of a version with its lessons in order and the ids of the modules it requires."""

    id: int
    key: str
    title: str
    summary: str
    position: int
    lessons: tuple[LessonData, ...]
    prerequisite_ids: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class VersionData:
    """A version's outcomes and modules in order."""

    id: int
    outcomes: tuple[OutcomeData, ...]
    modules: tuple[ModuleData, ...]

    @property
    def required_keys(self) -> tuple[str, ...]:
        """Keys of the required lessons in course order."""
        return tuple(lesson.key for module in self.modules for lesson in module.lessons if lesson.required)


def is_frozen(version: CourseVersion) -> bool:
    """True for a version whose content can no longer change (published or retired)."""
    return version.status != VersionStatus.DRAFT


class _Cache:
    """Least-recently-used maps for versions and rendered lessons (one per app, so per worker process)."""

    def __init__(self) -> None:
        self.versions: OrderedDict[str, VersionData] = OrderedDict()
        self.lessons: OrderedDict[tuple[str, int, str], Markup] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, store: OrderedDict, key: Any) -> Any:
        with self.lock:  # threaded workers (gunicorn --threads) share the maps
            value = store.get(key)
            if value is not None:
                store.move_to_end(key)
            return value

    def put(self, store: OrderedDict, key: Any, value: Any, limit: int) -> None:
        with self.lock:
            store[key] = value
            store.move_to_end(key)
            while len(store) > limit:
                store.popitem(last=False)


def _cache() -> _Cache:
    ext = current_app.extensions
    cache = ext.get(_CACHE)
    if cache is None:
        cache = ext[_CACHE] = _Cache()
    return cache


def clear() -> None:
    """Forget every kept version and lesson of this process (tests; Redis entries stay, they are immutable)."""
    current_app.extensions[_CACHE] = _Cache()


def version_data(version: CourseVersion) -> VersionData:
    """The version's outline as plain data: kept for a frozen version, read from the ORM for a draft."""
    if not is_frozen(version):
        return from_orm(version)
    return versions_data([version])[version.id]


def versions_data(versions: list[CourseVersion]) -> dict[int, VersionData]:
    """Outlines of frozen versions by id; those this process lacks come from Redis or one batch of statements."""
    cache = _cache()
    found: dict[int, VersionData] = {}
    missing: dict[int, str] = {}
    for version in versions:
        # The publication time is part of the key: should an id ever be used again (a deleted
        # course's row number reused by SQLite, a restored database), the entry no longer matches.
        stamp = _stamp(version)
        data = cache.get(cache.versions, stamp)
        if data is None:
            data = _from_redis(stamp)
            if data is not None and data.id == version.id:
                cache.put(cache.versions, stamp, data, MAX_VERSIONS)
        if data is None or data.id != version.id:
            missing[version.id] = stamp
        else:
            found[version.id] = data
    if missing:
        for version_id, data in load(list(missing)).items():
            _to_redis(missing[version_id], data)
            cache.put(cache.versions, missing[version_id], data, MAX_VERSIONS)
            found[version_id] = data
    return found


def _stamp(version: CourseVersion) -> str:
    return f"{version.id}:{version.published_at.timestamp() if version.published_at else ''}"


def load_content(version: CourseVersion) -> CourseVersion:
    """Load a version's outcomes, modules, lessons, their outcomes and prerequisites in five statements.

    Walking the relationships one by one costs a statement per module and per lesson (a draft of
    20 modules of 5 lessons: 140). Collections already loaded keep what they hold (unflushed
    changes included); once per request, forgotten on any write (request_memo).
    """
    if version.id is None:
        return version

    def fetch() -> bool:
        db.session.scalars(
            select(CourseVersion)
            .where(CourseVersion.id == version.id)
            .options(
                selectinload(CourseVersion.outcomes),
                selectinload(CourseVersion.modules).selectinload(Module.lessons).selectinload(Lesson.outcomes),
                selectinload(CourseVersion.modules).selectinload(Module.prerequisites),
            )
        ).all()
        return True

    request_memo.remember("version_content", version.id, fetch)
    return version


def from_orm(version: CourseVersion) -> VersionData:
    """Build the data from a loaded version's relationships (drafts, whose content changes)."""
    load_content(version)
    outcomes = {o.id: _outcome(o) for o in version.outcomes}
    modules = tuple(
        ModuleData(
            id=m.id,
            key=m.key,
            title=m.title,
            summary=m.summary or "",
            position=m.position,
            lessons=tuple(
                LessonData(
                    id=lesson.id,
                    key=lesson.key,
                    title=lesson.title,
                    minutes=lesson.minutes,
                    required=lesson.required,
                    position=lesson.position,
                    outcomes=tuple(outcomes.get(o.id) or _outcome(o) for o in lesson.outcomes),
                    body=lesson.body or "",
                )
                for lesson in m.lessons
            ),
            prerequisite_ids=tuple(p.id for p in m.prerequisites),
        )
        for m in version.modules
    )
    return VersionData(id=version.id, outcomes=tuple(outcomes.values()), modules=modules)


def _outcome(o: LearningOutcome) -> OutcomeData:
    return OutcomeData(id=o.id, key=o.key, code=o.code, text=o.text, threshold=o.threshold, position=o.position)


def load(version_ids: list[int]) -> dict[int, VersionData]:
    """Read versions' outlines as rows: five statements, whatever their number and size (no ORM objects)."""
    outcome_rows = db.session.execute(
        select(
            LearningOutcome.version_id,
            LearningOutcome.id,
            LearningOutcome.key,
            LearningOutcome.code,
            LearningOutcome.text,
            LearningOutcome.threshold,
            LearningOutcome.position,
        )
        .where(LearningOutcome.version_id.in_(version_ids))
        .order_by(LearningOutcome.position, LearningOutcome.id)
    ).all()
    outcomes = {row.id: OutcomeData(*row[1:]) for row in outcome_rows}
    module_rows = db.session.execute(
        select(Module.version_id, Module.id, Module.key, Module.title, Module.summary, Module.position)
        .where(Module.version_id.in_(version_ids))
        .order_by(Module.position, Module.id)
    ).all()
    module_ids = [row.id for row in module_rows]
    lesson_rows = db.session.execute(
        select(Lesson.id, Lesson.module_id, Lesson.key, Lesson.title, Lesson.minutes, Lesson.required, Lesson.position)
        .join(Module, Module.id == Lesson.module_id)
        .where(Module.version_id.in_(version_ids))
        .order_by(Lesson.position, Lesson.id)
    ).all()
    links: dict[int, list[OutcomeData]] = {}
    if lesson_rows and outcomes:
        for lesson_id, outcome_id in db.session.execute(
            select(lesson_outcomes.c.lesson_id, lesson_outcomes.c.outcome_id).where(
                lesson_outcomes.c.outcome_id.in_(list(outcomes))
            )
        ):
            links.setdefault(lesson_id, []).append(outcomes[outcome_id])
    requires: dict[int, set[int]] = {}
    if module_ids:
        for module_id, required_id in db.session.execute(
            select(module_prerequisites.c.module_id, module_prerequisites.c.prerequisite_id).where(
                module_prerequisites.c.module_id.in_(module_ids)
            )
        ):
            requires.setdefault(module_id, set()).add(required_id)
    lessons_of: dict[int, list[LessonData]] = {}
    for row in lesson_rows:
        # The ORM relationship orders a lesson's outcomes by position: the same here.
        linked = tuple(sorted(links.get(row.id, ()), key=lambda o: (o.position, o.id)))
        lesson = LessonData(row.id, row.key, row.title, row.minutes, row.required, row.position, linked)
        lessons_of.setdefault(row.module_id, []).append(lesson)
    modules_of: dict[int, list[ModuleData]] = {}
    for row in module_rows:
        needed = requires.get(row.id, set())
        module = ModuleData(
            id=row.id,
            key=row.key,
            title=row.title,
            summary=row.summary or "",
            position=row.position,
            lessons=tuple(lessons_of.get(row.id, ())),
            # In module order, as the ORM relationship has them (prerequisites are modules of the same version).
            prerequisite_ids=tuple(m.id for m in module_rows if m.id in needed) if needed else (),
        )
        modules_of.setdefault(row.version_id, []).append(module)
    outcomes_of: dict[int, list[OutcomeData]] = {}
    for row in outcome_rows:
        outcomes_of.setdefault(row.version_id, []).append(outcomes[row.id])
    return {
        version_id: VersionData(
            id=version_id,
            outcomes=tuple(outcomes_of.get(version_id, ())),
            modules=tuple(modules_of.get(version_id, ())),
        )
        for version_id in version_ids
    }


def lesson_html(version: CourseVersion, lesson: LessonData, render: Any) -> Markup:
    """The lesson's body rendered by `render(markdown) -> Markup`: kept per process for a frozen lesson."""
    if lesson.body is not None:  # a draft's lesson carries its (changing) body
        return render(lesson.body)
    from flask_babel import get_locale

    key = (_stamp(version), lesson.id, str(get_locale()))  # the renderer's labels are translated
    cache = _cache()
    html = cache.get(cache.lessons, key)
    if html is None:
        body = db.session.scalar(select(Lesson.body).where(Lesson.id == lesson.id)) or ""
        html = render(body)
        cache.put(cache.lessons, key, html, MAX_LESSON_HTML)
    return html


# --- Redis (optional) ------------------------------------------------------------------------


def _redis():
    if not current_app.config.get("REDIS_URL"):
        return None

    return redis_connection()


def _from_redis(stamp: str) -> VersionData | None:
    client = _redis()
    if client is None:
        return None
    try:
        raw = client.get(f"{_REDIS_PREFIX}{stamp}")
        # Only this app writes these keys (pickles of the dataclasses above, under a versioned prefix).
        return pickle.loads(raw) if raw else None  # noqa: S301
    except Exception:  # Redis away or an unreadable entry: the database answers instead
        log.warning("outline cache: Redis read failed for version %s", stamp, exc_info=True)
        return None


def _to_redis(stamp: str, data: VersionData) -> None:
    client = _redis()
    if client is None:
        return
    try:
        client.set(f"{_REDIS_PREFIX}{stamp}", pickle.dumps(data, protocol=pickle.HIGHEST_PROTOCOL), ex=_REDIS_SECONDS)
    except Exception:  # a cache that cannot be written is only slower
        log.warning("outline cache: Redis write failed for version %s", data.id, exc_info=True)
