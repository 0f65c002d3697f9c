"""Watching levels and who should hear about a new post."""

from __future__ import annotations

import re

import pytest

from academy.community.models import Watch, WatchLevel
from academy.community.services import watching
from academy.exceptions import PermissionDenied
from tests.community.factories import add_member, create_community, create_reply, create_thread
from tests.conftest import csrf_token
from tests.factories import create_user


def test_recipients_follow_the_levels(app, db):
    community = create_community()
    asker, answerer, watcher, bystander, muted = (add_member(community=community).user for _ in range(5))
    thread = create_thread(community=community, author=asker)
    create_reply(thread=thread, author=muted)
    watching.watch_community(user=watcher, community=community, level=WatchLevel.WATCHING)
    watching.watch_thread(user=muted, thread=thread, level=WatchLevel.MUTED)
    post = create_reply(thread=thread, author=answerer)
    recipients = [u.id for u in watching.recipients_for_post(post)]
    # asker: takes part (normal); watcher: watches the community; answerer: the author;
    # bystander: normal but not taking part; muted: took part, but muted the thread.
    assert recipients == sorted([asker.id, watcher.id])
    assert bystander.id not in recipients


def test_thread_level_beats_community_level(app, db):
    community = create_community()
    member = add_member(community=community).user
    thread = create_thread(community=community)
    watching.watch_community(user=member, community=community, level=WatchLevel.MUTED)
    watching.watch_thread(user=member, thread=thread, level=WatchLevel.WATCHING)
    assert member.id in [u.id for u in watching.recipients_for_post(create_reply(thread=thread))]


def test_former_members_hear_nothing(app, db):
    community = create_community()
    member = add_member(community=community)
    thread = create_thread(community=community, author=member.user)
    member.status = "left"
    db.session.commit()
    assert member.user_id not in [u.id for u in watching.recipients_for_post(create_reply(thread=thread))]


def test_outsiders_cannot_watch(app, db):
    community = create_community()
    with pytest.raises(PermissionDenied):
        watching.watch_community(user=create_user(), community=community, level=WatchLevel.WATCHING)


def test_watch_forms(client, login, db):
    community = create_community()
    member = add_member(community=community).user
    thread = create_thread(community=community)
    login(member)
    token = csrf_token(client, f"/c/{community.slug}")
    client.post(f"/c/{community.slug}/watch", data={"level": "watching", "csrf_token": token})
    client.post(f"/c/{community.slug}/t/{thread.id}/watch", data={"level": "muted", "csrf_token": token})
    assert client.post(f"/c/{community.slug}/watch", data={"level": "loud", "csrf_token": token}).status_code == 400
    levels = {(w.community_id, w.thread_id): w.level for w in db.session.query(Watch)}
    assert levels == {(community.id, None): "watching", (None, thread.id): "muted"}
    html = client.get(f"/c/{community.slug}/t/{thread.id}").get_data(as_text=True)
    assert re.search(r'<input checked[^>]*value="muted"', html)
    assert not re.search(r'<input checked[^>]*value="watching"', html)


def test_the_community_page_offers_the_three_levels_with_mine_checked(client, login, db):
    community = create_community()
    member = add_member(community=community).user
    login(member)
    token = csrf_token(client, f"/c/{community.slug}")
    client.post(f"/c/{community.slug}/watch", data={"level": "watching", "csrf_token": token})
    html = client.get(f"/c/{community.slug}").get_data(as_text=True)
    assert re.search(r'<input checked[^>]*value="watching"', html)
    assert 'value="normal"' in html and 'value="muted"' in html
