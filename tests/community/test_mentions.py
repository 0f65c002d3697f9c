"""@-mentions notify the person mentioned; a new contact person is told of the role. In the app and by e-mail."""

from sqlalchemy import select

from academy import jobs
from academy.community.services import threads as thread_services
from academy.notifications.models import Notification
from tests.community.factories import add_member, create_community
from tests.conftest import read_mail
from tests.factories import create_user


def _events(db, user):
    return db.session.scalars(select(Notification.event).where(Notification.user_id == user.id)).all()


def test_a_member_mentioned_in_a_reply_is_told_once_in_app_and_by_mail(app, db):
    finance = create_community(name="Finance")
    marta = create_user(name="Marta Kovač", email="marta@example.org")
    asker = create_user(name="Jonas Berg", email="jonas@example.org")
    outsider = create_user(name="Olga Outside", email="olga@example.org")  # not a member
    for user in (marta, asker):
        add_member(community=finance, user=user)
    thread = thread_services.create_thread(
        community=finance, author=asker, kind="discussion", title="Flat rates for staff costs", body="Which rate?"
    )
    db.session.commit()
    jobs.run_ready()
    thread_services.reply(
        thread=thread, author=marta, body="Ask @[Jonas Berg] and @[Olga Outside], and @[Marta Kovač]."
    )
    db.session.commit()
    jobs.run_ready()

    assert _events(db, asker) == ["mention"]  # not also "post.replied": one notice per post
    assert _events(db, marta) == []  # mentioning yourself tells nobody
    assert _events(db, outsider) == []  # only members of the community are mentionable
    mail = [m for m in read_mail(app) if "jonas@example.org" in m]
    assert any("Marta Kova" in m and "mentioned you" in m for m in mail)


def test_a_mention_in_a_new_thread_is_sent_too(app, db):
    icon = create_community(name="ICON")
    ana = create_user(name="Ana Marin", email="ana@example.org")
    author = create_user(name="Tomas Trainer")
    for user in (ana, author):
        add_member(community=icon, user=user)
    thread_services.create_thread(
        community=icon, author=author, kind="question", title="Poster logos", body="@[Ana Marin] knows this."
    )
    db.session.commit()
    jobs.run_ready()
    assert _events(db, ana) == ["mention"]


def test_a_member_made_contact_person_is_told_where_requests_wait(app, db):
    from academy.community.services import membership as membership_services
    from tests.community.factories import contact_of

    jems = create_community(name="Monitoring systems & Jems")
    member = create_user(name="Rosa Member", email="rosa@example.org")
    add_member(community=jems, user=member)
    membership_services.make_contact(community=jems, user_id=member.id, actor=contact_of(jems))
    db.session.commit()
    jobs.run_ready()
    notice = db.session.scalars(select(Notification).where(Notification.user_id == member.id)).one()
    assert notice.event == "membership.contact"
    assert notice.link.endswith(f"/c/{jems.slug}/requests")
    assert any("rosa@example.org" in m and "contact person" in m for m in read_mail(app))
