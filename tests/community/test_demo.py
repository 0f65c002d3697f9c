"""The demo's community conversations: members, an answered question, an open one, once."""

from __future__ import annotations

from sqlalchemy import func, select

from academy.cli import academy_cli
from academy.community.models import Community, Membership, MemberStatus, Post, Thread
from academy.community.services import threads


def test_seed_demo_starts_conversations_in_the_communities_once(app, db):
    runner = app.test_cli_runner()
    first = runner.invoke(academy_cli, ["seed-demo"])
    second = runner.invoke(academy_cli, ["seed-demo"])
    assert first.exit_code == second.exit_code == 0, first.output
    assert "Community conversations:" in first.output
    assert "already there" in second.output

    finance = db.session.scalar(select(Community).where(Community.slug == "finance"))
    jems = db.session.scalar(select(Community).where(Community.slug == "monitoring-and-jems"))
    members = db.session.scalar(
        select(func.count())
        .select_from(Membership)
        .where(Membership.community_id == finance.id, Membership.status == MemberStatus.ACTIVE)
    )
    assert members == 4  # the contact person and the three programme participants
    office = db.session.scalar(select(Thread).where(Thread.community_id == finance.id, Thread.title.like("Office%")))
    assert office.accepted_post is not None and office.accepted_post.author.name == "Sofia Almeida"
    assert db.session.scalar(select(func.count()).select_from(Post).where(Post.thread_id == office.id)) == 3
    # Each conversation exactly once, and the Jems question waits for an answer.
    threads_here = db.session.execute(
        select(Thread.community_id, Thread.title).where(Thread.community_id.in_([finance.id, jems.id]))
    ).all()
    assert len(threads_here) == len(set(threads_here)) == 5  # a welcome thread in each, and the three
    unanswered = db.session.scalars(threads.threads_query(jems, filter="unanswered")).all()
    assert [t.title for t in unanswered] == ["Who in the partnership may submit the partner report in Jems?"]


def test_seed_demo_writes_a_document_with_history_once(app, db):
    from academy.community.documents.demo import TITLE
    from academy.community.documents.models import Document

    runner = app.test_cli_runner()
    assert runner.invoke(academy_cli, ["seed-demo"]).exit_code == 0
    assert "document “" in runner.invoke(academy_cli, ["seed-demo"]).output
    [document] = db.session.scalars(select(Document).where(Document.title == TITLE)).all()
    assert document.revision == 2 and "fixed percentage" in document.body
