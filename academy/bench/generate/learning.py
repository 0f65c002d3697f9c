"""Courses, question banks, quizzes, enrolments and attempts."""

from __future__ import annotations

import itertools
import random
from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import insert, select, update

from academy.bench import content
from academy.bench.generate.base import BASE, BATCH, OUTCOMES_PER_COURSE, PERMUTATIONS
from academy.courses.models import (
    Course,
    CourseStatus,
    CourseVersion,
    Enrolment,
    EnrolmentStatus,
    LearningOutcome,
    Lesson,
    LessonProgress,
    Level,
    Module,
    VersionStatus,
    course_owners,
    lesson_outcomes,
)
from academy.extensions import db
from academy.quizzes.models import (
    Attempt,
    AttemptState,
    Question,
    QuestionType,
    QuestionVersion,
    Quiz,
    QuizSlot,
    Response,
    SlotKind,
)


class LearningParts:
    """Courses, question banks, quizzes, enrolments and attempts."""

    def courses(self) -> int:
        """Published courses with one version, four outcomes, modules, lessons and an owner."""
        size, ids = self.size, self.ids
        self.course_ids: list[int] = []
        self.version_of: dict[int, int] = {}
        self.lesson_keys: list[str] = [
            f"m{m}-l{le}" for m in range(1, size.modules + 1) for le in range(1, size.lessons + 1)
        ]
        self.outcome_keys = [f"lo{k}" for k in range(1, OUTCOMES_PER_COURSE + 1)]
        self.course_rows: dict[int, dict[str, Any]] = {}
        courses, versions, outcomes, modules, lessons, links, owners = [], [], [], [], [], [], []
        for c in range(size.courses):
            cid, vid = ids["courses"] + 1 + c, ids["course_versions"] + 1 + c
            self.course_ids.append(cid)
            self.version_of[cid] = vid
            subject = content.COURSE_SUBJECTS[c % len(content.COURSE_SUBJECTS)]
            title = f"{subject} ({c + 1})"
            courses.append(
                {
                    "id": cid,
                    "slug": f"bench-course-{c + 1}",
                    "status": CourseStatus.PUBLISHED,
                    "published_version_id": None,
                    "created_at": BASE - timedelta(days=300),
                }
            )
            version = {
                "id": vid,
                "course_id": cid,
                "number": 1,
                "status": VersionStatus.PUBLISHED,
                "title": title,
                "summary": f"What programme staff need to know about {subject.lower()}.",
                "description": f"A course on **{subject}** for Interreg programme bodies.",
                "topic": content.TOPICS[c % len(content.TOPICS)],
                "language": "en" if c % 5 else "fr",
                "level": list(Level)[c % 3],
                "hours": Decimal(4 + c % 8),
                "credits": Decimal("0.5") * (1 + c % 4),
                "sequential": False,
                "validity_months": 36 if c % 2 else None,
                "created_at": BASE - timedelta(days=300),
                "published_at": BASE - timedelta(days=290),
            }
            versions.append(version)
            self.course_rows[cid] = version
            first_outcome = ids["learning_outcomes"] + 1 + c * OUTCOMES_PER_COURSE
            for k, key in enumerate(self.outcome_keys):
                outcomes.append(
                    {
                        "id": first_outcome + k,
                        "version_id": vid,
                        "key": key,
                        "code": f"LO{k + 1}",
                        "text": self.outcome_text(cid, k + 1),
                        "threshold": 70,
                        "position": k,
                    }
                )
            owners.append({"course_id": cid, "user_id": self.trainer_ids[c % len(self.trainer_ids)]})
            for m in range(size.modules):
                mid = ids["modules"] + 1 + c * size.modules + m
                msubject = content.MODULE_SUBJECTS[m % len(content.MODULE_SUBJECTS)]
                modules.append(
                    {
                        "id": mid,
                        "version_id": vid,
                        "key": f"m{m + 1}",
                        "position": m,
                        "title": f"{m + 1}. {msubject}",
                        "summary": f"{msubject} for {subject.lower()}.",
                    }
                )
                for le in range(size.lessons):
                    lid = ids["lessons"] + 1 + (c * size.modules + m) * size.lessons + le
                    ltitle = f"{msubject}: part {le + 1}"
                    lessons.append(
                        {
                            "id": lid,
                            "module_id": mid,
                            "key": f"m{m + 1}-l{le + 1}",
                            "position": le,
                            "title": ltitle,
                            "body": content.LESSON_BODY.format(title=ltitle, subject=subject),
                            "minutes": 5 + (le * 5) % 20,
                            "required": True,
                        }
                    )
                    links.append({"lesson_id": lid, "outcome_id": first_outcome + (m + le) % OUTCOMES_PER_COURSE})
        count = self._insert(Course, courses) + self._insert(CourseVersion, versions)
        count += self._insert(LearningOutcome, outcomes) + self._insert(Module, modules)
        count += (
            self._insert(Lesson, lessons) + self._insert(lesson_outcomes, links) + self._insert(course_owners, owners)
        )
        first, last = self.course_ids[0], self.course_ids[-1]
        db.session.execute(
            update(Course)
            .where(Course.id.between(first, last))
            .values(
                published_version_id=select(CourseVersion.id)
                .where(CourseVersion.course_id == Course.id)
                .scalar_subquery()
            )
            .execution_options(synchronize_session=False)
        )
        return count

    # --- question banks and quizzes --------------------------------------------------------------

    def outcome_text(self, course_id: int, number: int) -> str:
        """The text of learning outcome LO<number> of a generated course (certificates snapshot it)."""
        subject = content.COURSE_SUBJECTS[(course_id - self.course_ids[0]) % len(content.COURSE_SUBJECTS)]
        return f"Apply {subject.lower()} in situation {number} of a programme's life."

    def questions(self) -> int:
        """Each course's bank (single, true/false, multiple) and its quizzes of fixed slots."""
        size, ids = self.size, self.ids
        per_course = max(size.questions // size.courses, size.responses * size.quizzes_per_course)
        self.question_of: dict[int, list[tuple[int, QuestionType]]] = {}
        self.quizzes_of: dict[int, list[tuple[int, list[tuple[int, QuestionType]]]]] = {}
        questions, versions, quizzes, slots = [], [], [], []
        kinds = [QuestionType.SINGLE] * 6 + [QuestionType.TRUEFALSE] * 3 + [QuestionType.MULTIPLE]
        n = 0
        for c, cid in enumerate(self.course_ids):
            bank = []
            trainer = self.trainer_ids[c % len(self.trainer_ids)]
            for q in range(per_course):
                qid, vid = ids["questions"] + 1 + n, ids["question_versions"] + 1 + n
                n += 1
                kind = kinds[q % len(kinds)]
                bank.append((qid, kind))
                questions.append(
                    {
                        "id": qid,
                        "course_id": cid,
                        "key": f"q{q + 1}",
                        "archived": False,
                        "created_at": BASE - timedelta(days=280),
                        "current_version_id": None,
                    }
                )
                versions.append(
                    {
                        "id": vid,
                        "question_id": qid,
                        "number": 1,
                        "type": kind,
                        "title": f"Question {q + 1}",
                        "text": f"Which statement about case {q + 1} of this course is right?",
                        "data": _question_data(kind, q),
                        "points": 1.0,
                        "general_feedback": "See the lesson.",
                        "category": f"Module {1 + q % size.modules}",
                        "outcome_keys": [self.outcome_keys[q % 4]],
                        "created_at": BASE - timedelta(days=280),
                        "created_by_id": trainer,
                    }
                )
            self.question_of[cid] = bank
            self.quizzes_of[cid] = []
            for z in range(size.quizzes_per_course):
                zid = ids["quizzes"] + 1 + c * size.quizzes_per_course + z
                final = z == size.quizzes_per_course - 1
                chosen = bank[z * size.responses : (z + 1) * size.responses]
                self.quizzes_of[cid].append((zid, chosen))
                quizzes.append(
                    {
                        "id": zid,
                        "course_id": cid,
                        "key": f"quiz{z + 1}",
                        "title": "Final exam" if final else f"Check yourself {z + 1}",
                        "description": "Answer every question; you may come back to any page before submitting.",
                        "module_key": None if final else f"m{z + 1}",
                        "position": z,
                        "published": True,
                        "required": final,
                        "pass_mark": 70,
                        "max_attempts": None,
                        "time_limit_minutes": 30 if final else None,
                        "shuffle_answers": True,
                        "per_page": 5,
                        "created_at": BASE - timedelta(days=280),
                    }
                )
                for p, (qid, _kind) in enumerate(chosen):
                    slots.append(
                        {"quiz_id": zid, "position": p, "kind": SlotKind.QUESTION, "question_id": qid, "count": 1}
                    )
        count = self._insert(Question, questions) + self._insert(QuestionVersion, versions)
        first, last = ids["questions"] + 1, ids["questions"] + n
        db.session.execute(
            update(Question)
            .where(Question.id.between(first, last))
            .values(
                current_version_id=select(QuestionVersion.id)
                .where(QuestionVersion.question_id == Question.id)
                .scalar_subquery()
            )
            .execution_options(synchronize_session=False)
        )
        # The version id of question q is q's offset in the versions table: remember the mapping.
        self.version_id = {ids["questions"] + 1 + i: ids["question_versions"] + 1 + i for i in range(n)}
        return count + self._insert(Quiz, quizzes) + self._insert(QuizSlot, slots)

    # --- enrolments ------------------------------------------------------------------------------

    def enrolments(self) -> int:
        """Each learner in a few courses, with the first lessons done; certificate holders completed."""
        size, rng = self.size, self.rng
        per_user = min(size.enrolments_per_user, size.courses)
        self.enrolments_list: list[tuple[int, int, int]] = []  # (enrolment id, user id, course id)
        base = self.ids["enrolments"]
        for uid in self.learner_ids:
            for cid in rng.sample(self.course_ids, per_user):
                self.enrolments_list.append((base + 1 + len(self.enrolments_list), uid, cid))
        wanted = min(size.certificates + size.pdfs, len(self.enrolments_list))
        chosen = rng.sample(range(len(self.enrolments_list)), wanted)
        self.certified = [self.enrolments_list[i] for i in chosen[: size.certificates]]
        self.to_seal = [self.enrolments_list[i] for i in chosen[size.certificates :]]
        completed = {e[0] for e in self.certified}
        progress_done = {}

        def enrolment_rows() -> Iterator[dict[str, Any]]:
            for eid, uid, cid in self.enrolments_list:
                done = rng.randint(0, min(10, len(self.lesson_keys)))
                progress_done[eid] = done
                at = BASE - timedelta(days=200) + timedelta(seconds=eid % 86_400)
                yield {
                    "id": eid,
                    "user_id": uid,
                    "course_id": cid,
                    "status": EnrolmentStatus.ACTIVE,
                    "enrolled_at": at,
                    "last_lesson_key": self.lesson_keys[done - 1] if done else None,
                    "last_activity_at": at + timedelta(days=3) if done else None,
                    "completed_at": at + timedelta(days=30) if eid in completed else None,
                }

        def progress_rows() -> Iterator[dict[str, Any]]:
            for eid, _uid, _cid in self.enrolments_list:
                at = BASE - timedelta(days=190)
                for key in self.lesson_keys[: progress_done[eid]]:
                    yield {"enrolment_id": eid, "lesson_key": key, "completed_at": at}

        return self._insert(Enrolment, enrolment_rows()) + self._insert(LessonProgress, progress_rows())

    # --- attempts --------------------------------------------------------------------------------

    def attempts(self) -> int:
        """Graded attempts spread over the enrolments, each with its responses, in batches."""
        size, rng = self.size, self.rng
        total, count_enrolments = size.attempts, len(self.enrolments_list)
        attempt_base, response_base = self.ids["quiz_attempts"], self.ids["quiz_responses"]
        state = {"attempt": attempt_base, "response": response_base}
        responses_buffer: list[dict[str, Any]] = []
        written = {"responses": 0}

        def attempt_rows() -> Iterator[dict[str, Any]]:
            for e, (_eid, uid, cid) in enumerate(self.enrolments_list):
                mine = total // count_enrolments + (1 if e < total % count_enrolments else 0)
                quizzes = self.quizzes_of[cid]
                numbers: dict[int, int] = {}
                for a in range(mine):
                    zid, chosen = quizzes[a % len(quizzes)]
                    numbers[zid] = numbers.get(zid, 0) + 1
                    state["attempt"] += 1
                    aid = state["attempt"]
                    started = BASE - timedelta(days=150) + timedelta(minutes=(aid * 7) % 200_000)
                    done = started + timedelta(minutes=12)
                    score = 0.0
                    for position, (qid, kind) in enumerate(chosen, start=1):
                        answer, fraction, order = _answer(kind, rng)
                        score += fraction
                        state["response"] += 1
                        responses_buffer.append(
                            {
                                "id": state["response"],
                                "attempt_id": aid,
                                "position": position,
                                "question_id": qid,
                                "question_version_id": self.version_id[qid],
                                "max_points": 1.0,
                                "order": order,
                                "answer": answer,
                                "saved_at": done,
                                "fraction": fraction,
                                "score": fraction,
                                "comment": "",
                                "graded_at": done,
                            }
                        )
                    percent = round(100 * score / len(chosen), 2)
                    yield {
                        "id": aid,
                        "quiz_id": zid,
                        "user_id": uid,
                        "number": numbers[zid],
                        "state": AttemptState.GRADED,
                        "started_at": started,
                        "deadline": started + timedelta(minutes=30),
                        "submitted_at": done,
                        "submitted_by": "learner",
                        "graded_at": done,
                        "score": score,
                        "max_score": float(len(chosen)),
                        "percent": percent,
                        "passed": percent >= 70,
                    }

        # Attempts go first in each batch, then their responses (foreign keys).
        count = 0
        it = attempt_rows()
        while batch := list(itertools.islice(it, BATCH)):
            db.session.execute(insert(Attempt.__table__), batch)
            count += len(batch)
            written["responses"] += self._insert(Response, responses_buffer)
            responses_buffer.clear()
        return count + written["responses"]

    # --- communities -----------------------------------------------------------------------------


def _question_data(kind: QuestionType, q: int) -> dict[str, Any]:
    if kind == QuestionType.TRUEFALSE:
        return {"answer": True, "feedback_right": "Right.", "feedback_wrong": "See the lesson again."}
    weights = [50, 50, -50, -50] if kind == QuestionType.MULTIPLE else [100, 0, 0, 0]
    return {"choices": [{"text": f"Statement {i + 1}", "weight": w, "feedback": ""} for i, w in enumerate(weights)]}


def _answer(kind: QuestionType, rng: random.Random) -> tuple[Any, float, list[int]]:
    """A learner's answer, its fraction and the display order (mostly right: people study)."""
    right = rng.random() < 0.75
    if kind == QuestionType.TRUEFALSE:
        return right, 1.0 if right else 0.0, []
    order = list(PERMUTATIONS[rng.randrange(len(PERMUTATIONS))])
    if kind == QuestionType.MULTIPLE:
        return ([0, 1], 1.0, order) if right else ([0, 2], 0.0, order)
    return (0, 1.0, order) if right else (1 + rng.randrange(3), 0.0, order)
