"""'This helped me' on answers: one mark per member and answer, a toggle, counted for the author."""

from __future__ import annotations

import pytest

from academy.community.marks import HelpfulMark
from academy.community.models import MemberStatus
from academy.community.services import helpful
from academy.exceptions import Conflict, PermissionDenied
from tests.community.factories import add_member, create_community, create_reply, create_thread
from tests.conftest import csrf_token
from tests.factories import create_user


@pytest.fixture
def answered(app):
    community = create_community()
    thread = create_thread(community=community, title="How do you sample?")
    author = add_member(community=community, user=create_user(name="Anna Answer")).user
    answer = create_reply(thread=thread, author=author, body="Risk-based, 10 percent.")
    return community, thread, answer


def test_member_marks_an_answer_and_takes_it_back(client, login, db, answered):
    community, thread, answer = answered
    reader = add_member(community=community).user
    login(reader)
    url = f"/c/{community.slug}/t/{thread.id}"
    html = client.get(url).get_data(as_text=True)
    assert 'aria-pressed="false"' in html and "This helped me" in html
    token = csrf_token(client, url)
    response = client.post(f"/c/{community.slug}/p/{answer.id}/helpful", data={"csrf_token": token})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"#post-{answer.id}")
    html = client.get(url).get_data(as_text=True)
    assert "Marked as helpful" in html and 'aria-pressed="true"' in html
    assert "1 member found this helpful" in html
    assert "1 helpful mark received" in html  # on Anna's card beside her answer
    client.post(f"/c/{community.slug}/p/{answer.id}/helpful", data={"csrf_token": token})
    html = client.get(url).get_data(as_text=True)
    assert "Your helpful mark is taken back" in html and 'aria-pressed="false"' in html
    assert "helpful mark received" not in html
    assert db.session.query(HelpfulMark).count() == 0


def test_counts_add_up_over_members_and_answers(db, answered):
    community, thread, answer = answered
    second = create_reply(thread=thread, author=answer.author, body="And we document it.")
    for _ in range(2):
        helpful.toggle(post=answer, user=add_member(community=community).user)
    helpful.toggle(post=second, user=add_member(community=community).user)
    db.session.commit()
    assert helpful.counts([answer.id, second.id]) == {answer.id: 2, second.id: 1}
    assert helpful.received([answer.author_id]) == {answer.author_id: 3}


def test_own_answers_opening_posts_and_outsiders_are_refused(db, answered):
    community, thread, answer = answered
    with pytest.raises(Conflict):
        helpful.toggle(post=answer, user=answer.author)
    with pytest.raises(Conflict):
        helpful.toggle(post=thread.posts[0], user=answer.author)
    suspended = add_member(community=community, status=MemberStatus.SUSPENDED).user
    with pytest.raises(PermissionDenied):
        helpful.toggle(post=answer, user=suspended)
    with pytest.raises(PermissionDenied):
        helpful.toggle(post=answer, user=create_user())


def test_the_author_sees_the_count_without_a_button(client, login, db, answered):
    community, thread, answer = answered
    helpful.toggle(post=answer, user=add_member(community=community).user)
    db.session.commit()
    login(answer.author)
    html = client.get(f"/c/{community.slug}/t/{thread.id}").get_data(as_text=True)
    assert "1 member found this helpful" in html
    assert f"/p/{answer.id}/helpful" not in html
