"""The data set sizes of `flask academy bench generate`, as one table."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Size:
    """How much of everything one generated data set holds."""

    name: str
    users: int  # learners, trainers and contact persons together
    courses: int
    modules: int  # per course
    lessons: int  # per module
    questions: int  # in every bank together
    attempts: int  # graded quiz attempts, each with `responses` responses
    responses: int  # questions per quiz (fixed slots), so responses per attempt
    communities: int
    posts: int  # opening posts and replies together
    posts_per_thread: int
    certificates: int  # records with code hashes, no PDF
    pdfs: int  # certificates issued through the real path, PDF sealed and stored
    enrolments_per_user: int
    quizzes_per_course: int = 2
    notifications_per_user: int = 4


SIZES: dict[str, Size] = {
    # A few rows of each kind: tests and a first look.
    "XS": Size("XS", users=40, courses=3, modules=2, lessons=2, questions=30, attempts=60, responses=3,
               communities=2, posts=40, posts_per_thread=5, certificates=10, pdfs=0, enrolments_per_user=2),
    # Minutes to generate and to benchmark on a laptop.
    "S": Size("S", users=2_000, courses=20, modules=10, lessons=5, questions=2_000, attempts=20_000, responses=10,
              communities=5, posts=5_000, posts_per_thread=10, certificates=2_000, pdfs=2, enrolments_per_user=3),
    "M": Size("M", users=10_000, courses=50, modules=20, lessons=5, questions=10_000, attempts=200_000, responses=10,
              communities=20, posts=40_000, posts_per_thread=10, certificates=20_000, pdfs=5, enrolments_per_user=4),
    # Interreg-sized: the whole community on one platform for years.
    "L": Size("L", users=50_000, courses=200, modules=20, lessons=5, questions=40_000, attempts=1_000_000,
              responses=5, communities=20, posts=200_000, posts_per_thread=10, certificates=100_000, pdfs=10,
              enrolments_per_user=5),
}  # fmt: skip
