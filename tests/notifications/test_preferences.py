"""The e-mail settings page: per event kind and per community; invalid input changes nothing."""

from __future__ import annotations

from sqlalchemy import func, select

from academy.extensions import db
from academy.notifications import events, preferences
from academy.notifications.forms import field_name
from academy.notifications.models import Mode, Preference
from tests.conftest import csrf_token
from tests.factories import create_user

PAGE = "/notifications/preferences"


def _form(client, path: str = PAGE, **choices: str) -> dict:
    """What a browser sends: every select (unchanged ones at their shown value) plus our changes."""
    scoped = "scope=" in path
    data = {"csrf_token": csrf_token(client, path)}
    for kind in events.configurable_kinds("community" if scoped else None):
        data[field_name(kind.name)] = "" if scoped else kind.default
    data.update({field_name(event.replace("_", ".")): mode for event, mode in choices.items()})
    return data


def test_the_page_lists_every_kind_with_its_current_choice(client, learner):
    html = client.get(PAGE).get_data(as_text=True)
    assert "Reply in a thread you watch" in html
    assert "New thread in a community you watch" in html
    assert field_name("password.reset") not in html  # transactional: not a choice
    assert '<option selected value="daily">Daily digest</option>' in html  # thread.created defaults to daily


def test_saving_stores_only_what_differs_from_the_defaults(client, learner):
    data = _form(client, post_replied=Mode.WEEKLY, thread_created=Mode.DAILY)
    response = client.post(PAGE, data=data)
    assert response.status_code == 302
    assert preferences.stored_preferences(learner) == {"post.replied": Mode.WEEKLY}
    assert preferences.email_mode(learner.id, "post.replied") == Mode.WEEKLY
    assert preferences.email_mode(learner.id, "mention") == Mode.IMMEDIATE


def test_an_invalid_choice_is_refused_and_nothing_is_saved(client, learner):
    response = client.post(PAGE, data=_form(client, post_replied="hourly", mention=Mode.OFF))
    assert response.status_code == 400
    assert "Not a valid choice" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Preference.id))) == 0


def test_a_community_can_have_its_own_settings(client, learner, memberships):
    memberships.add(3, learner, name="Finance")
    path = f"{PAGE}?scope=community:3"
    html = client.get(path).get_data(as_text=True)
    assert "E-mail settings for Finance" in html
    assert "As in my general settings" in html
    assert "Certificate issued" not in html  # not a community kind
    response = client.post(path, data=_form(client, path, thread_created=Mode.IMMEDIATE, post_replied=""))
    assert response.status_code == 302
    assert preferences.stored_preferences(learner, "community:3") == {"thread.created": Mode.IMMEDIATE}
    assert preferences.email_mode(learner.id, "thread.created", "community:3") == Mode.IMMEDIATE
    assert preferences.email_mode(learner.id, "thread.created", "community:4") == Mode.DAILY
    assert "Finance" in client.get(PAGE).get_data(as_text=True)  # linked from the general page


def test_a_community_i_cannot_see_or_a_bad_scope_is_not_found(client, learner, memberships):
    memberships.add(3, create_user(), name="Finance")
    assert client.get(f"{PAGE}?scope=community:3").status_code == 404
    assert client.get(f"{PAGE}?scope=nonsense").status_code == 404
    assert client.get(f"{PAGE}?scope=user:{learner.id}").status_code == 404  # no kinds for that scope type


def test_saving_the_general_page_ends_an_unsubscribe_from_everything(client, learner):
    preferences.set_preference(learner, "*", Mode.OFF)
    db.session.commit()
    assert "You have unsubscribed from all e-mail" in client.get(PAGE).get_data(as_text=True)
    client.post(PAGE, data=_form(client, mention=Mode.IMMEDIATE))
    assert "*" not in preferences.stored_preferences(learner)
    assert preferences.email_mode(learner.id, "mention") == Mode.IMMEDIATE


def test_preferences_resolve_from_specific_to_general(app):
    ana = create_user()
    preferences.set_preference(ana, "*", Mode.OFF)
    preferences.set_preference(ana, "post.replied", Mode.WEEKLY)
    preferences.set_preference(ana, "post.replied", Mode.IMMEDIATE, "community:2")
    db.session.commit()
    assert preferences.email_mode(ana.id, "mention") == Mode.OFF
    assert preferences.email_mode(ana.id, "post.replied") == Mode.WEEKLY
    assert preferences.email_mode(ana.id, "post.replied", "community:2") == Mode.IMMEDIATE
    assert preferences.email_mode(ana.id, "password.reset") == Mode.IMMEDIATE
