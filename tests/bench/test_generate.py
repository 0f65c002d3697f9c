"""The generator writes consistent, valid data that the application's own code reads back."""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy import func, select

from academy import create_app
from academy.auth import passwords
from academy.auth.models import User
from academy.bench.content import certificate_code
from academy.bench.generate import PASSWORD, Generator, learner_email
from academy.bench.sizes import SIZES
from academy.certificates import services as certificates
from academy.certificates.models import Certificate
from academy.community.models import Community, Membership, Post, Thread
from academy.courses.models import Course, Enrolment, Lesson
from academy.quizzes.models import Attempt, Question, Response

XS = SIZES["XS"]


def _count(db, model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_sizes_hold_what_the_issue_asks_for_at_l():
    large = SIZES["L"]
    assert (large.users, large.courses, large.modules, large.lessons) == (50_000, 200, 20, 5)
    assert (large.questions, large.attempts, large.communities, large.posts) == (40_000, 1_000_000, 20, 200_000)
    assert large.certificates == 100_000
    for size in SIZES.values():  # every certificate needs its own enrolment, every quiz its questions
        assert size.users * size.enrolments_per_user > size.certificates + size.pdfs
        assert size.questions // size.courses >= size.responses * size.quizzes_per_course


def test_generated_volumes_match_the_size(app, db):
    report = Generator(XS, seed=1).run()
    assert [name for name, _rows, _seconds in report.parts][:3] == [
        "users",
        "courses, modules, lessons",
        "question banks and quizzes",
    ]
    assert _count(db, User) == XS.users
    assert _count(db, Course) == XS.courses
    assert _count(db, Lesson) == XS.courses * XS.modules * XS.lessons
    assert _count(db, Question) == XS.questions
    assert _count(db, Attempt) == XS.attempts
    assert _count(db, Response) == XS.attempts * XS.responses
    assert _count(db, Community) == XS.communities
    assert _count(db, Post) == XS.posts
    assert _count(db, Certificate) == XS.certificates


def test_generated_rows_are_consistent(app, db):
    Generator(XS, seed=1).run()
    # Every course is published with a version; every question has its current version.
    assert all(c.published_version is not None for c in db.session.scalars(select(Course)))
    assert all(q.current_version.question_id == q.id for q in db.session.scalars(select(Question)))
    enrolled = set(db.session.execute(select(Enrolment.user_id, Enrolment.course_id)).tuples())
    for attempt in db.session.scalars(select(Attempt)):
        assert (attempt.user_id, attempt.quiz.course_id) in enrolled  # only enrolled learners take quizzes
        assert [r.position for r in attempt.responses] == list(range(1, XS.responses + 1))
        assert attempt.score == sum(r.score for r in attempt.responses)
        assert all(r.version.question_id == r.question_id for r in attempt.responses)
        assert all(r.question.course_id == attempt.quiz.course_id for r in attempt.responses)
    for thread in db.session.scalars(select(Thread)):
        posts = thread.posts
        assert posts[0].is_opening and thread.reply_count == len(posts) - 1
        members = set(
            db.session.scalars(select(Membership.user_id).where(Membership.community_id == thread.community_id))
        )
        assert {p.author_id for p in posts} <= members  # only members post
    for certificate in db.session.scalars(select(Certificate)):
        assert (certificate.user_id, certificate.course_id) in enrolled
        assert certificate.holder_name == certificate.user.name
        assert certificate.outcomes == [{"code": o.code, "text": o.text} for o in certificate.version.outcomes]


def test_certificate_codes_can_be_recomputed_and_verified(app, db):
    Generator(XS, seed=7).run()
    found = [certificates.find_by_code(certificate_code(7, i)) for i in range(XS.certificates)]
    assert all(found)
    assert len({c.id for c in found}) == XS.certificates
    assert certificates.find_by_code(certificate_code(8, 0)) is None  # another seed, another code


def test_generated_learners_log_in_with_the_documented_password(app, db, client):
    Generator(XS, seed=1).run()
    user = db.session.scalar(select(User).where(User.email == learner_email(0)))
    assert passwords.verify_password(user.password_hash, PASSWORD)


def _fingerprint(db) -> list:
    return (
        db.session.execute(
            select(Attempt.user_id, Attempt.quiz_id, Attempt.number, Attempt.score).order_by(Attempt.id)
        ).all()
        + db.session.execute(select(Post.author_id, Post.body).order_by(Post.id)).all()
    )


def test_the_same_seed_gives_the_same_data(app, db, tmp_path):
    Generator(XS, seed=3).run(pdfs=False)
    first = _fingerprint(db)
    other = create_app({"ENV_NAME": "testing", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'again.sqlite'}",
                        "INSTANCE_PATH": tmp_path})  # fmt: skip
    with other.app_context():
        db.create_all()
        Generator(XS, seed=3).run(pdfs=False)
        again = _fingerprint(db)
        db.session.remove()
        db.engine.dispose()
    assert first == again


def test_a_sample_is_issued_through_the_real_path_and_ids_keep_working(app, db):
    Generator(replace(XS, pdfs=1), seed=1).run()
    sealed = db.session.scalars(select(Certificate).where(Certificate.pdf_sha256.is_not(None))).all()
    assert len(sealed) == 1 and sealed[0].pdf_size > 1000
    # Rows added later through the ORM get fresh ids (PostgreSQL sequences were moved on).
    db.session.add(User(email="late@example.org", name="Late Comer", password_hash="x"))
    db.session.commit()


def test_a_second_run_into_the_same_database_is_refused(app, db):
    Generator(XS, seed=1).run(pdfs=False)
    try:
        Generator(XS, seed=1).run()
    except RuntimeError as err:
        assert "already holds generated data" in str(err)
    else:
        raise AssertionError("a second run must be refused")


def test_the_command_prints_how_long_each_part_took(app, db):
    result = app.test_cli_runner().invoke(args=["academy", "bench", "generate", "--size", "xs", "--seed", "2"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert "interreg-bench-2027" in lines[0]
    assert any(line.startswith("quiz attempts and responses") and line.endswith(" s") for line in lines)
    assert lines[-1].startswith("total")
    again = app.test_cli_runner().invoke(args=["academy", "bench", "generate", "--size", "XS"])
    assert again.exit_code != 0 and "already holds generated data" in again.output
