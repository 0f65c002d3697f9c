"""Initials avatars beside names in posts and the member list, decorative and with enough contrast."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from academy.community import avatars
from tests.community.factories import add_member, create_community, create_thread
from tests.factories import create_user

CSS = Path(__file__).parents[2] / "academy" / "static" / "css" / "community.css"


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Anna Berg", "AB"),
        ("Anna von der Berg", "AB"),
        ("Jean-Luc Picard", "JP"),
        ("Ömer", "Ö"),
        ("  ", "?"),
        (None, "?"),
        ("émile zola", "ÉZ"),
    ],
)
def test_initials(name, expected):
    assert avatars.initials(name) == expected


def _luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def test_every_avatar_colour_keeps_white_initials_readable():
    colours = dict(re.findall(r"\.person-avatar--(\d) \{ background: #([0-9a-f]{6}); \}", CSS.read_text()))
    assert sorted(int(k) for k in colours) == list(range(avatars.PALETTE_SIZE))
    for colour in colours.values():
        assert (1.05) / (_luminance(colour) + 0.05) >= 4.5, colour


def test_posts_and_member_list_show_initials_beside_the_name(client, login):
    community = create_community()
    author = add_member(community=community, user=create_user(name="Mira Kovač")).user
    thread = create_thread(community=community, author=author, title="Sampling")
    login(add_member(community=community).user)
    marker = (
        f'<span class="person-avatar person-avatar--{author.id % avatars.PALETTE_SIZE}" aria-hidden="true">MK</span>'
    )
    thread_html = client.get(f"/c/{community.slug}/t/{thread.id}").get_data(as_text=True)
    assert f"{marker} <strong>Mira Kovač</strong>" in thread_html
    members_html = client.get(f"/c/{community.slug}/members").get_data(as_text=True)
    assert f"{marker} Mira Kovač" in members_html
