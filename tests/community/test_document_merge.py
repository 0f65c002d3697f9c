"""The three-way merge never loses a line: either both sides' edits are in the result, or it reports a conflict."""

from __future__ import annotations

import re
from collections import Counter

from hypothesis import given, settings
from hypothesis import strategies as st

from academy.community.documents.diff import word_diff
from academy.community.documents.merge import has_markers, merge, normalise, sentences, words

OPS = st.sampled_from(["keep", "keep", "keep", "replace", "delete", "insert"])


def _apply(base: list[str], ops: list[str], side: str) -> list[str]:
    out = []
    for i, (line, op) in enumerate(zip(base, ops, strict=True)):
        if op == "keep":
            out.append(line)
        elif op == "replace":
            out.append(f"{side} rewrote line {i}")
        elif op == "insert":
            out.extend([line, f"{side} added after line {i}"])
    return out


@st.composite
def edits(draw):
    size = draw(st.integers(min_value=0, max_value=14))
    base = [f"base line {i}" for i in range(size)]
    theirs = _apply(base, draw(st.lists(OPS, min_size=size, max_size=size)), "Jonas")
    mine = _apply(base, draw(st.lists(OPS, min_size=size, max_size=size)), "Anna")
    tail = draw(st.booleans())
    if tail:
        mine.append("Anna added at the end")
    return base, theirs, mine


def _text(lines: list[str]) -> str:
    return "".join(f"{line}\n" for line in lines)


@settings(max_examples=300, deadline=None)
@given(edits())
def test_merge_keeps_both_edits_or_reports_a_conflict(case):
    base, theirs, mine = case
    result = merge(_text(base), _text(theirs), _text(mine))
    added = [line for line in theirs + mine if line not in base]
    if result.clean:
        merged = result.text.splitlines()
        for line in added:
            assert line in merged, f"lost {line!r}"
        kept_by_both = [line for line in base if line in theirs and line in mine]
        for line in kept_by_both:
            assert line in merged, f"lost untouched {line!r}"
        removed = [line for line in base if line not in theirs or line not in mine]
        for line in removed:
            assert line not in merged, f"a deletion came back: {line!r}"
    else:
        everything = result.with_markers("theirs", "mine").splitlines()
        for line in added:
            assert line in everything, f"lost {line!r} in a conflict"
        assert has_markers(result.with_markers("theirs", "mine"))
        for region in result.conflicts:
            assert region.theirs != region.mine


def test_different_paragraphs_merge_silently():
    base = "Intro.\n\nStaff costs.\n\nTravel.\n"
    theirs = "Intro, rewritten.\n\nStaff costs.\n\nTravel.\n"
    mine = "Intro.\n\nStaff costs.\n\nTravel and accommodation.\n"
    result = merge(base, theirs, mine)
    assert result.clean
    assert result.text == "Intro, rewritten.\n\nStaff costs.\n\nTravel and accommodation.\n"


def test_same_paragraph_conflicts_with_both_texts():
    base = "Intro.\n\nStaff costs.\n"
    result = merge(base, "Intro.\n\nStaff costs at 20%.\n", "Intro.\n\nStaff costs, real costs.\n")
    assert not result.clean
    [region] = result.conflicts
    assert (region.theirs, region.mine) == ("Staff costs at 20%.\n", "Staff costs, real costs.\n")


def test_edits_to_different_sentences_of_one_paragraph_merge_silently():
    base = "Staff costs are real costs. Travel goes by train. Office costs are 15 %.\n\nNext.\n"
    theirs = "Staff costs are real costs with time sheets. Travel goes by train. Office costs are 15 %.\n\nNext.\n"
    mine = "Staff costs are real costs. Travel goes by train. Office costs are a flat 15 %.\n\nNext.\n"
    result = merge(base, theirs, mine)
    assert result.clean
    assert result.text.startswith(
        "Staff costs are real costs with time sheets. Travel goes by train. Office costs are a flat 15 %."
    )


def test_edits_to_different_words_of_one_sentence_merge_silently():
    base = "Partners send the report to the joint secretariat by March.\n"
    theirs = "Lead partners send the report to the joint secretariat by March.\n"
    mine = "Partners send the report to the joint secretariat by April.\n"
    result = merge(base, theirs, mine)
    assert result.clean
    assert result.text == "Lead partners send the report to the joint secretariat by April.\n"


def test_the_same_words_changed_twice_conflict_with_whole_paragraphs():
    base = "One. Partners report by March. Three.\n"
    theirs = "One. Partners report by May. Three.\n"
    mine = "One. Partners report by June. Three.\n"
    result = merge(base, theirs, mine)
    [region] = result.conflicts
    assert (region.theirs, region.mine) == (theirs, mine)


def test_normalise_unifies_line_ends_and_the_final_newline():
    assert normalise("a\r\nb  \r\n\r\n") == "a\nb\n"
    assert normalise("   \n") == ""


def test_word_diff_marks_words_not_lines():
    assert word_diff("Check the invoices.", "Check all the invoices twice.") == [
        ("equal", "Check"),
        ("insert", " all"),
        ("equal", " the invoices"),
        ("insert", " twice"),
        ("equal", "."),
    ]


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.sampled_from(["Staff costs.", "", "Office at 15 %", "Jems report", "ő ł"]), max_size=12),
    st.lists(st.sampled_from(["Staff costs!", "", "Office at 15 %", "Travel", "Jems  report"]), max_size=12),
)
def test_word_diff_rebuilds_both_revisions(old_lines, new_lines):
    old, new = "\n".join(old_lines), "\n".join(new_lines)
    pieces = word_diff(old, new)
    assert "".join(text for op, text in pieces if op != "insert") == old
    assert "".join(text for op, text in pieces if op != "delete") == new


VOCABULARY = ["the", "costs", "report", "partner", "and", "of", "audit"]
WORD_OPS = st.sampled_from(["keep", "keep", "keep", "keep", "replace", "delete", "insert"])


@st.composite
def paragraphs(draw):
    """A base of paragraphs of sentences of words (some repeated), as lists."""
    count = draw(st.integers(min_value=1, max_value=3))
    return [
        draw(st.lists(st.lists(st.sampled_from(VOCABULARY), min_size=1, max_size=6), min_size=1, max_size=4))
        for _ in range(count)
    ]


def _edit_words(draw, base, side: str) -> list:
    out, n = [], 0
    for paragraph in base:
        new_paragraph = []
        for sentence in paragraph:
            new_sentence = []
            for word in sentence:
                op = draw(WORD_OPS)
                n += 1
                if op == "keep":
                    new_sentence.append(word)
                elif op == "replace":
                    new_sentence.append(f"{side}{n}")
                elif op == "insert":
                    new_sentence.extend([word, f"{side}{n}"])
            if new_sentence:
                new_paragraph.append(new_sentence)
        out.append(new_paragraph or [[f"{side}{n}"]])
    return out


def _prose(text) -> str:
    return "\n\n".join(" ".join(" ".join(s).capitalize() + "." for s in p) for p in text) + "\n"


@st.composite
def word_edits(draw):
    base = draw(paragraphs())
    return _prose(base), _prose(_edit_words(draw, base, "jonas")), _prose(_edit_words(draw, base, "anna"))


def _words(text: str) -> Counter:
    return Counter(w.lower() for w in re.findall(r"\w+", text))


@settings(max_examples=400, deadline=None)
@given(word_edits())
def test_nothing_typed_is_lost_when_edits_share_paragraphs(case):
    """Every word either side typed is in the merge (or in its conflict), and the merge invents none."""
    base, theirs, mine = case
    result = merge(base, theirs, mine)
    typed_by_them, typed_by_me = _words(theirs) - _words(base), _words(mine) - _words(base)
    if result.clean:
        merged = _words(result.text)
        assert not typed_by_them - merged, "lost a word Jonas typed"
        assert not typed_by_me - merged, "lost a word Anna typed"
        assert not merged - (_words(theirs) + _words(mine)), "the merge invented words"
    else:
        shown = _words(result.with_markers("theirs", "mine"))
        assert not typed_by_them - shown and not typed_by_me - shown
        for region in result.conflicts:
            assert region.theirs != region.mine
            assert region.theirs in theirs and region.mine in mine


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="ab .!?\n\t,é", max_size=60))
def test_cutting_into_sentences_and_words_loses_nothing(text):
    assert "".join(sentences(text)) == text
    assert "".join(words(text)) == text
