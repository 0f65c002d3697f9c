"""The request-commit helpers: commit on success, roll back and show a refusal where it belongs."""

import pytest
from flask import get_flashed_messages
from flask_wtf import FlaskForm
from wtforms import StringField

from academy.auth.models import User
from academy.core.actions import api_action, request_action
from academy.exceptions import Conflict, ServiceError
from tests.factories import create_user


class _EmailForm(FlaskForm):
    class Meta:
        csrf = False

    email = StringField("E-mail")


def _exists(db, user_id: int) -> bool:
    db.session.rollback()
    return db.session.get(User, user_id) is not None


def test_request_action_commits_what_the_block_did(app, db):
    with app.test_request_context():
        with request_action() as done:
            user = create_user(commit=False)
        assert done and done.error is None
    assert _exists(db, user.id)


def test_a_refusal_naming_a_field_rolls_back_and_lands_on_that_field(app, db):
    with app.test_request_context(method="POST"):
        form = _EmailForm()
        with request_action(form) as done:
            user = create_user(commit=False)
            raise Conflict("Another account uses this address.", field="email")
        assert not done and isinstance(done.error, Conflict)
        assert form.email.errors == ["Another account uses this address."]
        assert get_flashed_messages() == []
    assert not _exists(db, user.id)


def test_a_refusal_without_a_field_is_flashed(app, db):
    with app.test_request_context(method="POST"):
        with request_action(_EmailForm()) as done:
            raise ServiceError("This key is already retired.")
        assert not done
        assert get_flashed_messages(with_categories=True) == [("error", "This key is already retired.")]


def test_any_other_error_rolls_back_and_propagates(app, db):
    with app.test_request_context(), pytest.raises(RuntimeError), request_action():
        user = create_user(commit=False)
        raise RuntimeError("disk full")
    assert not _exists(db, user.id)


def test_api_action_commits_or_rolls_back_and_re_raises(app, db):
    with api_action():
        kept = create_user(commit=False)
    with pytest.raises(Conflict), api_action():
        dropped = create_user(commit=False)
        raise Conflict("no")
    assert _exists(db, kept.id) and not _exists(db, dropped.id)


def test_api_action_is_a_decorator_too(app, db):
    @api_action()
    def endpoint():
        return create_user(commit=False)

    assert _exists(db, endpoint().id)
