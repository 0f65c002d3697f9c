"""The community page and the thread page cost the same number of queries however big they get."""

from __future__ import annotations

from academy.community.models import ThreadKind
from academy.community.services import files, threads
from academy.extensions import db
from tests.community.factories import add_member, contact_of, create_community, create_reply, create_thread, pdf_bytes
from tests.factories import create_user


def _community(members: int, thread_count: int):
    community = create_community()
    people = [add_member(community=community, commit=False).user for _ in range(members)]
    for i in range(thread_count):
        thread = create_thread(
            community=community,
            author=people[i % members],
            commit=False,
            kind=ThreadKind.QUESTION if i % 2 else ThreadKind.DISCUSSION,
        )
        thread.is_pinned = i == 0
    db.session.commit()
    return community, people


def _thread(community, people, replies: int):
    thread = create_thread(
        community=community, author=people[0], uploads=[files.Upload("a.pdf", pdf_bytes())], commit=False
    )
    posts = [
        create_reply(
            thread=thread,
            author=people[i % len(people)],
            commit=False,
            uploads=[files.Upload(f"f{i}.pdf", pdf_bytes(str(i)))] if i % 3 == 0 else None,
        )
        for i in range(replies)
    ]
    threads.accept_answer(post=posts[-1], actor=people[0])
    db.session.commit()
    return thread


def _count(client, count_queries, url):
    client.get(url)  # warm caches that are not per-request
    with count_queries() as counter:
        response = client.get(url)
    assert response.status_code == 200
    return counter.count


def test_community_page_queries_do_not_grow(client, login, count_queries):
    viewer = create_user()
    small, _small_people = _community(members=2, thread_count=2)
    large, _large_people = _community(members=25, thread_count=45)
    for community in (small, large):
        add_member(community=community, user=viewer)
    login(viewer)
    assert _count(client, count_queries, f"/c/{small.slug}") == _count(client, count_queries, f"/c/{large.slug}")


def test_community_page_queries_do_not_grow_for_contacts(client, login, count_queries):
    small, _small_people = _community(members=2, thread_count=2)
    large, _large_people = _community(members=25, thread_count=45)
    contact = create_user()
    for community in (small, large):
        add_member(community=community, user=contact, role="contact")
    login(contact)
    assert _count(client, count_queries, f"/c/{small.slug}") == _count(client, count_queries, f"/c/{large.slug}")


def test_thread_page_queries_do_not_grow(client, login, count_queries):
    community, people = _community(members=12, thread_count=1)
    small = _thread(community, people[:2], replies=2)
    large = _thread(community, people, replies=45)
    login(people[1])
    small_count = _count(client, count_queries, f"/c/{community.slug}/t/{small.id}")
    large_count = _count(client, count_queries, f"/c/{community.slug}/t/{large.id}")
    assert small_count == large_count
    assert _count(client, count_queries, f"/c/{community.slug}/t/{large.id}?page=2") == large_count


def test_thread_page_queries_do_not_grow_for_contacts(client, login, count_queries):
    community, people = _community(members=12, thread_count=1)
    small = _thread(community, people[:2], replies=2)
    large = _thread(community, people, replies=45)
    login(contact_of(community))
    small_count = _count(client, count_queries, f"/c/{community.slug}/t/{small.id}")
    assert small_count == _count(client, count_queries, f"/c/{community.slug}/t/{large.id}")


def test_directory_and_files_queries_do_not_grow(client, login, count_queries):
    viewer = create_user()
    community, _people = _community(members=3, thread_count=1)
    add_member(community=community, user=viewer)
    login(viewer)
    directory_before = _count(client, count_queries, "/c/")
    files_before = _count(client, count_queries, f"/c/{community.slug}/files")
    members_before = _count(client, count_queries, f"/c/{community.slug}/members")
    for _ in range(6):
        create_community()
    more_people = [add_member(community=community, commit=False).user for _ in range(15)]
    _thread(community, more_people, replies=12)
    assert _count(client, count_queries, "/c/") == directory_before
    assert _count(client, count_queries, f"/c/{community.slug}/files") == files_before
    assert _count(client, count_queries, f"/c/{community.slug}/members") == members_before
