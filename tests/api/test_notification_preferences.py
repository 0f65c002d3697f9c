"""My notification preferences through the API: the preferences pages' choices, validated."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from academy.extensions import db
from academy.notifications import events, preferences
from academy.notifications.access import make_scope
from academy.notifications.models import Mode, Preference
from tests.api.factories import bearer, create_token
from tests.community.factories import add_member, create_community
from tests.factories import create_user

URL = "/api/v1/me/notification-preferences"


def _headers(user, scopes=("read", "write")) -> dict[str, str]:
    _row, raw = create_token(user=user, scopes=scopes)
    return bearer(raw)


def _stored(user) -> dict[tuple[str, str], str]:
    db.session.expire_all()
    rows = db.session.execute(select(Preference.event, Preference.scope, Preference.email).filter_by(user_id=user.id))
    return {(event, scope): email for event, scope, email in rows}


def _community_kind() -> str:
    return events.configurable_kinds(events.COMMUNITY)[0].name


def test_defaults_for_every_kind_and_each_community_i_belong_to(client):
    user = create_user()
    finance = create_community(name="Finance", slug="finance")
    add_member(community=finance, user=user)
    create_community(name="ICON", slug="icon")  # not mine
    body = client.get(URL, headers=_headers(user, ("read",))).json
    kinds = events.configurable_kinds()
    assert [(p["event"], p["email"]) for p in body["general"]] == [(k.name, k.default) for k in kinds]
    assert "password.reset" not in [p["event"] for p in body["general"]]  # transactional mail is no choice
    assert [c["community"] for c in body["communities"]] == [{"slug": "finance", "name": "Finance"}]
    scoped = body["communities"][0]["preferences"]
    assert [p["event"] for p in scoped] == [k.name for k in events.configurable_kinds(events.COMMUNITY)]
    assert all(p["email"] is None for p in scoped)


def test_saving_replaces_my_choices_like_the_preferences_page(client):
    user = create_user()
    finance = create_community(slug="finance")
    add_member(community=finance, user=user)
    kind = events.configurable_kinds()[0]
    other = events.configurable_kinds()[1]
    preferences.set_preference(user, other.name, Mode.WEEKLY)
    preferences.set_preference(user, events.ALL_EVENTS, Mode.OFF)  # "unsubscribe from everything"
    db.session.commit()
    body = {
        "general": [{"event": kind.name, "email": "daily"}],
        "communities": [{"community": "finance", "preferences": [{"event": _community_kind(), "email": "off"}]}],
    }
    response = client.put(URL, json=body, headers=_headers(user))
    assert response.status_code == 200
    scope = make_scope(events.COMMUNITY, finance.id)
    # The kind left out is back at its default; "everything off" gave way to the explicit choices.
    assert _stored(user) == {(kind.name, ""): "daily", (_community_kind(), scope): "off"}
    general = {p["event"]: p["email"] for p in response.json["general"]}
    assert (general[kind.name], general[other.name]) == ("daily", other.default)
    assert preferences.email_mode(user.id, _community_kind(), scope) == Mode.OFF
    assert client.get(URL, headers=_headers(user, ("read",))).json == response.json


def test_a_community_left_out_keeps_its_choices_and_null_means_as_in_general(client):
    user = create_user()
    finance, icon = create_community(slug="finance"), create_community(slug="icon")
    add_member(community=finance, user=user)
    add_member(community=icon, user=user)
    icon_scope = make_scope(events.COMMUNITY, icon.id)
    finance_scope = make_scope(events.COMMUNITY, finance.id)
    preferences.set_preference(user, _community_kind(), Mode.WEEKLY, icon_scope)
    preferences.set_preference(user, _community_kind(), Mode.DAILY, finance_scope)
    db.session.commit()
    body = {
        "general": [],
        "communities": [{"community": "finance", "preferences": [{"event": _community_kind(), "email": None}]}],
    }
    assert client.put(URL, json=body, headers=_headers(user)).status_code == 200
    assert _stored(user) == {(_community_kind(), icon_scope): "weekly"}


def _naming(value, kind: str):
    """The body with "KIND" replaced by a kind that only has general settings."""
    if isinstance(value, dict):
        return {k: _naming(v, kind) for k, v in value.items()}
    if isinstance(value, list):
        return [_naming(v, kind) for v in value]
    return kind if value == "KIND" else value


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "general"),
        ({"general": [{"event": "no.such.kind", "email": "daily"}]}, "general.0.event"),
        ({"general": [{"event": "KIND", "email": "hourly"}]}, "general.0.email"),
        ({"general": [{"event": "KIND", "email": None}]}, "general.0.email"),
        ({"general": [{"event": "KIND", "sms": "daily", "email": "daily"}]}, "general.0.sms"),
        ({"general": [{"event": "password.reset", "email": "off"}]}, "general.0.event"),
        ({"general": [{"event": "KIND", "email": "off"}, {"event": "KIND", "email": "daily"}]}, "general.1.event"),
        ({"general": [], "communities": [{"community": "icon", "preferences": []}]}, "communities.0.community"),
        (
            {
                "general": [],
                "communities": [{"community": "finance", "preferences": [{"event": "KIND", "email": "off"}]}],
            },
            "communities.0.preferences.0.event",
        ),
        ({"general": [], "communities": [{"community": "finance"}]}, "communities.0.preferences"),
        ({"general": "all"}, "general"),
    ],
)
def test_invalid_preferences_are_refused_naming_the_field(client, body, field):
    user = create_user()
    add_member(community=create_community(slug="finance"), user=user)
    create_community(slug="icon")  # not mine
    general_only = next(k.name for k in events.configurable_kinds() if k.scope_type is None)
    raw = str(body).replace("'KIND'", repr(general_only))
    body = eval(raw)
    response = client.put(URL, json=body, headers=_headers(user))
    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"
    assert [e["field"] for e in response.json["errors"]] == [field]
    assert _stored(user) == {}


def test_a_read_token_cannot_change_preferences(client):
    user = create_user()
    response = client.put(
        URL,
        json={"general": [{"event": events.configurable_kinds()[0].name, "email": "off"}]},
        headers=_headers(user, ("read",)),
    )
    assert response.status_code == 403
    assert response.json["type"].endswith("#problem-insufficient-scope")
    assert _stored(user) == {}


def test_other_users_choices_are_neither_shown_nor_touched(client):
    me, other = create_user(), create_user()
    kind = next(k for k in events.configurable_kinds() if k.default != Mode.WEEKLY).name
    preferences.set_preference(other, kind, Mode.WEEKLY)
    db.session.commit()
    shown = client.get(URL, headers=_headers(me, ("read",))).json
    assert next(p["email"] for p in shown["general"] if p["event"] == kind) == events.get(kind).default
    assert client.put(URL, json={"general": []}, headers=_headers(me)).status_code == 200
    assert _stored(other) == {(kind, ""): "weekly"}
    assert db.session.scalar(select(func.count()).select_from(Preference).filter_by(user_id=me.id)) == 0


def test_reading_preferences_takes_the_same_queries_for_few_and_many(client, count_queries):
    few, many = create_user(), create_user()
    add_member(community=create_community(slug="c0"), user=few)
    for i in range(1, 6):
        community = create_community(slug=f"c{i}")
        add_member(community=community, user=many)
        preferences.set_preference(many, _community_kind(), Mode.DAILY, make_scope(events.COMMUNITY, community.id))
    for kind in events.configurable_kinds():
        preferences.set_preference(many, kind.name, Mode.WEEKLY)
    db.session.commit()
    counts = []
    for user in (few, many):
        headers = _headers(user, ("read",))
        client.get("/api/v1/me", headers=headers)  # the token's first use writes once
        with count_queries() as queries:
            assert client.get(URL, headers=headers).status_code == 200
        counts.append(queries.count)
    # The token, my user, my preferences, my communities.
    assert counts == [4, 4]
