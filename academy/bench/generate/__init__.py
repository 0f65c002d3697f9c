"""Write a realistic, deterministic data set in bulk: users, courses, banks, attempts, communities, certificates.

Rows go in through SQLAlchemy Core `insert()` with executemany in batches, ids are assigned here
(after the table's current maximum) so related rows can point at each other without reading back,
and PostgreSQL sequences are moved past them at the end. The same seed gives the same data.
"""

from __future__ import annotations

import itertools
import random
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from sqlalchemy import Integer, Table, func, insert, select, text

from academy.auth.models import User
from academy.bench import content
from academy.bench.generate.base import BASE, BATCH, EMAIL_DOMAIN, PASSWORD
from academy.bench.generate.certificates import CertificateParts
from academy.bench.generate.community import CommunityParts
from academy.bench.generate.learning import LearningParts
from academy.bench.sizes import Size
from academy.certificates.models import Certificate
from academy.community.models import Community, Membership, Post, Thread
from academy.courses.models import Course, CourseVersion, Enrolment, LearningOutcome, Lesson, LessonProgress, Module
from academy.extensions import db
from academy.notifications.models import Notification
from academy.quizzes.models import Attempt, Question, QuestionVersion, Quiz, QuizSlot, Response

__all__ = ["PASSWORD", "Generator", "Report", "learner_email", "trainer_count"]


def learner_email(index: int) -> str:
    """The e-mail of generated learner `index` (0-based)."""
    return f"learner{index}@{EMAIL_DOMAIN}"


def trainer_count(size: Size) -> int:
    """Trainers own the courses; one per five courses, at least one."""
    return max(1, size.courses // 5)


@dataclass
class Report:
    """What a run wrote: rows and seconds per part."""

    parts: list[tuple[str, int, float]] = field(default_factory=list)

    @property
    def total_seconds(self) -> float:
        return sum(p[2] for p in self.parts)


class Generator(LearningParts, CommunityParts, CertificateParts):
    """One run of the generator; call `run()` inside an app context."""

    def __init__(self, size: Size, *, seed: int = 2027, echo: Callable[[str], None] | None = None) -> None:
        self.size = size
        self.seed = seed
        self.rng = random.Random(seed)
        self.echo = echo or (lambda _line: None)
        self.report = Report()
        self.conn = None
        self.ids: dict[str, int] = {}
        self.dialect = db.engine.dialect.name

    # --- plumbing --------------------------------------------------------------------------------

    def _start_ids(self, *models: Any) -> None:
        for model in models:
            table = model.__table__ if hasattr(model, "__table__") else model
            self.ids[table.name] = db.session.scalar(select(func.coalesce(func.max(table.c.id), 0)))

    def _insert(self, table: Table | Any, rows: Iterable[dict[str, Any]]) -> int:
        table = table.__table__ if hasattr(table, "__table__") else table
        count = 0
        it = iter(rows)
        while batch := list(itertools.islice(it, BATCH)):
            db.session.execute(insert(table), batch)
            count += len(batch)
        return count

    def _part(self, name: str, work: Callable[[], int]) -> None:
        started = time.perf_counter()
        rows = work()
        db.session.commit()
        seconds = time.perf_counter() - started
        self.report.parts.append((name, rows, seconds))
        self.echo(f"{name:<34} {rows:>11,} rows {seconds:8.1f} s")

    # --- the run ---------------------------------------------------------------------------------

    def run(self, *, pdfs: bool = True) -> Report:
        """Generate everything; prints one line per part."""
        if db.session.scalar(select(User.id).where(User.email.like(f"%@{EMAIL_DOMAIN}")).limit(1)) is not None:
            raise RuntimeError("This database already holds generated data; generate into a fresh database.")
        self._start_ids(
            User,
            Course,
            CourseVersion,
            LearningOutcome,
            Module,
            Lesson,
            Question,
            QuestionVersion,
            Quiz,
            QuizSlot,
            Enrolment,
            LessonProgress,
            Attempt,
            Response,
            Community,
            Membership,
            Thread,
            Post,
            Certificate,
            Notification,
        )
        self._part("users", self.users)
        self._part("courses, modules, lessons", self.courses)
        self._part("question banks and quizzes", self.questions)
        self._part("enrolments and lesson progress", self.enrolments)
        self._part("quiz attempts and responses", self.attempts)
        self._part("communities and memberships", self.communities)
        self._part("threads, posts, search documents", self.posts)
        self._part("certificate records", self.certificates)
        self._part("notifications", self.notifications)
        self.sequences()  # before anything inserts through the ORM
        if pdfs and self.size.pdfs:
            self._part("certificates with sealed PDFs", self.sealed_certificates)
        self._part("vacuum and planner statistics", self.analyse)
        self.echo(f"{'total':<34} {'':>11}      {self.report.total_seconds:8.1f} s")
        return self.report

    # --- users -----------------------------------------------------------------------------------

    def users(self) -> int:
        """Trainers first, then learners; one argon2 hash shared by all."""
        from academy.auth import passwords

        hashed = passwords.hash_password(PASSWORD)  # once: argon2 costs ~50 ms per hash
        base = self.ids["users"]
        trainers = trainer_count(self.size)
        self.trainer_ids = [base + 1 + i for i in range(trainers)]
        self.learner_ids = [base + 1 + trainers + i for i in range(self.size.users - trainers)]
        self.names = {}

        def rows() -> Iterator[dict[str, Any]]:
            for i in range(self.size.users):
                uid = base + 1 + i
                trainer = i < trainers
                name = content.person_name(i)
                self.names[uid] = name
                yield {
                    "id": uid,
                    "email": f"trainer{i}@{EMAIL_DOMAIN}" if trainer else learner_email(i - trainers),
                    "name": name,
                    "organisation": content.ORGANISATIONS[i % len(content.ORGANISATIONS)],
                    "country": content.COUNTRIES[i % len(content.COUNTRIES)],
                    "password_hash": hashed,
                    "is_trainer": trainer,
                    "is_admin": False,
                    "is_active_account": True,
                    "created_at": BASE - timedelta(days=400) + timedelta(minutes=i),
                    "password_changed_at": BASE - timedelta(days=400) + timedelta(minutes=i),
                }

        return self._insert(User, rows())

    # --- courses ---------------------------------------------------------------------------------

    def sequences(self) -> None:
        """Move PostgreSQL sequences past the ids written here (SQLite needs nothing)."""
        if self.dialect != "postgresql":
            return
        for table in db.metadata.sorted_tables:
            if "id" in table.c and table.c.id.primary_key and isinstance(table.c.id.type, Integer):
                # Table names come from our own metadata, not from input.
                statement = (
                    f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "  # noqa: S608
                    f"GREATEST((SELECT COALESCE(MAX(id), 0) FROM {table.name}), 1))"
                )
                db.session.execute(text(statement))
        db.session.commit()

    def analyse(self) -> int:
        """Vacuum and refresh the planner's statistics, as autovacuum does a while after a bulk load.

        Without the vacuum, fresh tables have no visibility map: index-only scans look costly to the
        planner, and it picks sequential scans that a live database would not (seen at size L).
        """
        if self.dialect == "postgresql":
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(text("VACUUM ANALYZE"))
        else:
            db.session.execute(text("ANALYZE"))
        return 0
