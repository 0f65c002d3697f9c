"""Document search goes through the full-text index (as threads do): stems, ranks, marks, members only."""

from __future__ import annotations

import pytest

from academy.community.documents import search
from academy.community.documents import services as docs
from academy.extensions import db
from tests.community.factories import add_member, create_community
from tests.factories import create_user


@pytest.fixture
def reader(app):
    community = create_community(name="Controllers", slug="controllers")
    anna = add_member(community=community, user=create_user(name="Anna Aalto")).user
    docs.create_document(
        community=community,
        author=anna,
        title="Travel rules",
        body="Partners audit every invoice of a trip.\n\nSee ![Route map](attachment:1) for the routes.\n",
    )
    docs.create_document(community=community, author=anna, title="Audit plan", body="Who checks what, and when.\n")
    docs.create_document(community=community, author=anna, title="Budget", body="Staff costs and office costs.\n")
    db.session.commit()
    return community, anna


def test_words_are_stemmed_and_every_word_must_match(reader):
    community, anna = reader
    titles = [hit.document.title for hit in search.search(user=anna, query="audits", community=community)]
    assert sorted(titles) == ["Audit plan", "Travel rules"]
    assert [h.document.title for h in search.search(user=anna, query="audit invoices")] == ["Travel rules"]
    assert search.search(user=anna, query="audit budget") == []


def test_a_title_match_ranks_first(reader):
    _community, anna = reader
    hits = search.search(user=anna, query="audit")
    assert hits[0].document.title == "Audit plan"


def test_snippets_mark_the_words_and_leave_out_addresses(reader):
    _community, anna = reader
    [hit] = search.search(user=anna, query="route")
    marked = [text for text, matched in hit.snippet if matched]
    assert marked == ["Route", "route"]  # "routes" starts with the word
    assert "attachment:" not in "".join(text for text, _ in hit.snippet)


def test_query_syntax_is_read_as_words(reader):
    _community, anna = reader
    assert search.search(user=anna, query='"audit" OR NEAR(x) *') == []
    assert [h.document.title for h in search.search(user=anna, query='"staff" costs*')] == ["Budget"]


def test_an_edited_document_is_found_by_its_new_words_only(reader):
    _community, anna = reader
    [hit] = search.search(user=anna, query="budget")
    docs.save(document=hit.document, editor=anna, body="Personnel and office.\n", base_revision=1)
    db.session.commit()
    assert [h.document.title for h in search.search(user=anna, query="personnel")] == ["Budget"]
    assert search.search(user=anna, query="staff") == []


def test_only_members_find_documents(reader):
    _community, _anna = reader
    outsider = create_user()
    db.session.commit()
    assert search.search(user=outsider, query="audit") == []
