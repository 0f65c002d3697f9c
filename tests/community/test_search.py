"""Search finds titles and posts, and never what the user may not read."""

from __future__ import annotations

import pytest

from academy.community.models import MemberStatus
from academy.community.services import moderation, search, threads
from tests.community.factories import add_member, contact_of, create_community, create_reply, create_thread
from tests.factories import create_user


@pytest.fixture
def setup(app):
    finance = create_community(name="Finance")
    audit = create_community(name="Controllers and audit")
    icon = create_community(name="ICON")
    user = create_user(name="Sofia Searcher")
    add_member(community=finance, user=user)
    add_member(community=audit, user=user)
    add_member(community=icon, user=user, status=MemberStatus.PENDING)
    create_thread(community=finance, title="Lump sums for preparation costs", body="We pay a fixed amount.")
    thread = create_thread(community=audit, title="Sampling method", body="Random or risk based?")
    create_reply(thread=thread, body="We combine risk based sampling with lump sums checks.")
    create_thread(community=icon, title="Lump sums in our campaign", body="secret icon plans")
    return finance, audit, icon, user


def titles(results):
    return [hit.thread.title for hit in results.hits]


def test_finds_titles_and_bodies_across_my_communities(setup):
    _finance, _audit, _icon, user = setup
    results = search.search(user=user, query="lump sums")
    assert sorted(titles(results)) == ["Lump sums for preparation costs", "Sampling method"]
    assert "Lump sums in our campaign" not in titles(results)  # pending there: not a member


def test_stemming_matches_word_forms(setup):
    _finance, _audit, _icon, user = setup
    # The title (opening post) and the reply both match, each as its own hit.
    assert titles(search.search(user=user, query="sample")) == ["Sampling method", "Sampling method"]


def test_search_within_one_community(setup):
    finance, audit, icon, user = setup
    assert titles(search.search(user=user, query="preparation", community=audit)) == []
    assert titles(search.search(user=user, query="lump sums", community=finance)) == ["Lump sums for preparation costs"]
    assert titles(search.search(user=user, query="lump sums", community=icon)) == []


def test_deleted_and_hidden_posts_are_not_found(setup, db):
    finance, _audit, _icon, user = setup
    thread = create_thread(community=finance, title="Checklist question", body="Where is the checklist?")
    threads.delete_post(post=thread.posts[0], actor=contact_of(finance))
    reply = create_reply(thread=create_thread(community=finance, title="Other"), body="checklist link here")
    moderation.set_hidden(post=reply, actor=contact_of(finance), hidden=True)
    assert search.search(user=user, query="checklist").total == 0


def test_edits_are_searchable(setup, db):
    finance, _audit, _icon, user = setup
    thread = create_thread(community=finance, author=user, title="Typo", body="first words")
    threads.edit_post(post=thread.posts[0], editor=user, body="now about eligibility", title="Eligibility")
    assert titles(search.search(user=user, query="eligibility")) == ["Eligibility"]
    assert search.search(user=user, query="first words").total == 0


@pytest.mark.parametrize(
    "query", ['"', "lump OR", "NEAR(lump sums)", "*", "sums:", "-lump", "'; DROP TABLE x; --", "()"]
)
def test_query_syntax_is_harmless(setup, query):
    _finance, _audit, _icon, user = setup
    search.search(user=user, query=query)  # no error, whatever the user types


def test_search_pages(client, login, setup):
    _finance, audit, icon, user = setup
    login(user)
    html = client.get("/c/search?q=lump+sums").get_data(as_text=True)
    assert "Lump sums for preparation costs" in html and "Lump sums in our campaign" not in html
    assert "<mark>" in html
    html = client.get(f"/c/{audit.slug}/search?q=lump+sums").get_data(as_text=True)
    assert "Sampling method" in html and "Lump sums for preparation costs" not in html
    assert client.get(f"/c/{icon.slug}/search?q=lump").status_code == 404


def test_outsider_finds_nothing(client, login, setup):
    login(create_user())
    html = client.get("/c/search?q=lump+sums").get_data(as_text=True)
    assert "Lump sums" not in html and "0 results" in html


def test_snippet_marks_matches_without_markup():
    pieces = search.snippet("Use **<b>lump</b>** sums here", ["lump"])
    assert ("lump", True) in pieces
    assert all("*" not in text for text, _ in pieces)


def test_snippets_show_the_text_not_its_markdown(setup):
    finance, _audit, _icon, user = setup
    create_thread(
        community=finance, title="Staff costs", body="We use **lump sums** and [the guide](https://example.org)."
    )
    results = search.search(user=user, query="guide")
    text = "".join(part for part, _matched in results.hits[0].snippet)
    assert "We use lump sums and the guide" in text
    assert "**" not in text and "](" not in text
