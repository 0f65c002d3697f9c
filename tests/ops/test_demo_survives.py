"""The demo seeds again whatever people did in the browser, and leaves their changes alone."""

from __future__ import annotations

from sqlalchemy import func, select

from academy.auth import services as auth_services
from academy.cli import academy_cli
from academy.community.models import Community, Membership, MemberStatus, Post, Thread
from academy.community.services import membership, threads
from academy.courses.models import Course, CourseStatus, CourseVersion, VersionStatus
from academy.courses.services import authoring, versioning
from academy.extensions import db


def _seed(app) -> str:
    result = app.test_cli_runner().invoke(academy_cli, ["seed-demo"])
    assert result.exit_code == 0, result.output
    return result.output


def _course(slug: str) -> Course:
    return db.session.scalar(select(Course).where(Course.slug == slug))


def test_seeding_after_browser_drafts_versions_archives_deletions_and_memberships_twice(app):
    _seed(app)
    courses = db.session.scalars(select(Course).order_by(Course.slug)).all()
    drafted, republished, archived = courses[0], courses[1], courses[2]
    trainer = auth_services.get_user_by_email("trainer@academy.example")
    admin = auth_services.get_user_by_email("admin@academy.example")
    marta = auth_services.get_user_by_email("marta.kovac@academy.example")
    # What a trainer, an admin and members do in the browser:
    authoring.update_course(drafted, title="Draft edited in the browser")
    authoring.update_course(republished, title="Second edition, published from the browser")
    versioning.publish(republished)
    authoring.set_archived(archived, True)
    finance = db.session.scalar(select(Community).where(Community.slug == "finance"))
    thread = db.session.scalar(select(Thread).where(Thread.community_id == finance.id, Thread.title.like("Office%")))
    opening = db.session.scalar(select(Post).where(Post.thread_id == thread.id).order_by(Post.id))
    threads.delete_post(post=opening, actor=trainer)
    membership.leave(community=finance, user=marta)
    auth_services.set_role(trainer, "admin", True, actor=admin)
    auth_services.set_password(marta, "a-password-marta-chose-herself")
    db.session.commit()
    versions_before = db.session.scalar(select(func.count()).select_from(CourseVersion))
    threads_before = db.session.scalar(select(func.count()).select_from(Thread))

    first, second = _seed(app), _seed(app)

    for output in (first, second):
        assert f"{drafted.slug}: left alone (a draft, version 2, is being edited in the browser)" in output
        assert f"{republished.slug}: left alone (version 2 was published from the browser)" in output
        assert f"{archived.slug}: left alone (archived in the browser)" in output
        assert "deleted in the browser, left alone" in output
        assert "marta.kovac@academy.example" in output and "password changed in the browser" in output
        for email in ("jonas.berg@academy.example", "sofia.almeida@academy.example", "learner@academy.example"):
            assert email in output
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(CourseVersion)) == versions_before
    assert db.session.scalar(select(func.count()).select_from(Thread)) == threads_before
    assert versioning.draft_of(_course(drafted.slug)).title == "Draft edited in the browser"
    assert _course(republished.slug).published_version.title == "Second edition, published from the browser"
    assert _course(archived.slug).status == CourseStatus.ARCHIVED
    assert db.session.get(Thread, thread.id).deleted_at is not None
    left = db.session.scalar(
        select(Membership).where(Membership.community_id == finance.id, Membership.user_id == marta.id)
    )
    assert left.status == MemberStatus.LEFT
    assert auth_services.get_user_by_email("trainer@academy.example").is_admin
    assert auth_services.authenticate("marta.kovac@academy.example", "a-password-marta-chose-herself")


def test_a_trainer_who_left_a_community_is_not_made_its_contact_again(app):
    _seed(app)
    icon = db.session.scalar(select(Community).where(Community.slug == "icon"))
    trainer = auth_services.get_user_by_email("trainer@academy.example")
    row = db.session.scalar(
        select(Membership).where(Membership.community_id == icon.id, Membership.user_id == trainer.id)
    )
    row.status = MemberStatus.LEFT  # as if another contact took over and the trainer left
    db.session.commit()
    _seed(app)
    db.session.refresh(row)
    assert row.status == MemberStatus.LEFT


def test_changed_course_files_still_load_as_a_new_version(app, monkeypatch):
    _seed(app)
    course = db.session.scalars(select(Course).order_by(Course.slug)).first()
    published = course.published_version
    published.title = "What the files said before"  # the files changed since the last seed
    db.session.commit()
    output = _seed(app)
    assert f"{course.slug}: updated (version 2, published)" in output
    db.session.expire_all()
    latest = versioning.latest_version(_course(course.slug))
    assert latest.number == 2 and latest.status == VersionStatus.PUBLISHED
