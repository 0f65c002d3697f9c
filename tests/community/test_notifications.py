"""Community events reach the right people through the outbox: in-app, by e-mail, checked again at send time."""

from sqlalchemy import select

from academy import jobs
from academy.community.models import WatchLevel
from academy.community.services import membership as membership_services
from academy.community.services import threads as thread_services
from academy.community.services import watching
from academy.notifications.models import Notification
from tests.community.factories import add_member, contact_of, create_community
from tests.conftest import read_mail
from tests.factories import create_user


def _events(db, user):
    return db.session.scalars(select(Notification.event).where(Notification.user_id == user.id)).all()


def test_a_reply_reaches_a_watcher_in_app_and_by_mail_but_not_its_author(app, db):
    finance = create_community(name="Finance")
    watcher = create_user(email="watcher@example.org")
    asker = create_user(email="asker@example.org")
    for user in (watcher, asker):
        add_member(community=finance, user=user)
    watching.watch_community(user=watcher, community=finance, level=WatchLevel.WATCHING)
    thread = thread_services.create_thread(
        community=finance, author=asker, kind="discussion", title="Flat rates for staff costs", body="Which rate?"
    )
    db.session.commit()
    jobs.run_ready()
    thread_services.reply(thread=thread, author=asker, body="We use 20 %.")
    db.session.commit()
    jobs.run_ready()

    assert sorted(_events(db, watcher)) == ["post.replied", "thread.created"]
    assert _events(db, asker) == []
    mails = read_mail(app)
    assert mails and all("watcher@example.org" in m for m in mails)
    assert any("Flat rates for staff costs" in m for m in mails)


def test_a_member_who_left_before_sending_gets_nothing(app, db):
    icon = create_community(name="ICON")
    leaver = create_user(email="leaver@example.org")
    author = create_user()
    add_member(community=icon, user=leaver)
    add_member(community=icon, user=author)
    watching.watch_community(user=leaver, community=icon, level=WatchLevel.WATCHING)
    db.session.commit()
    thread_services.create_thread(community=icon, author=author, kind="question", title="Project Slam", body="?")
    membership_services.leave(community=icon, user=leaver)  # same transaction: gone before the send
    db.session.commit()
    jobs.run_ready()
    assert not any("leaver@example.org" in m for m in read_mail(app))


def test_a_request_to_join_reaches_the_contact_persons(app, db):
    jems = create_community(name="Monitoring systems & Jems")
    requester = create_user(name="Rosa Requester")
    membership_services.request_membership(community=jems, user=requester, message="I run Jems at our JS.")
    db.session.commit()
    jobs.run_ready()
    assert _events(db, contact_of(jems)) == ["membership.requested"]
