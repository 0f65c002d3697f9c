"""The caller's own profile."""

from __future__ import annotations

from typing import Any

from marshmallow import fields, validate

from academy.api.core import api_route, api_token, api_user
from academy.api.fields import Text
from academy.api.schemas import ApiSchema
from academy.api.spec import describe_tag
from academy.auth import services as auth_services
from academy.core.actions import api_action
from academy.templating import COUNTRIES
from academy.textcheck import schema_name

describe_tag("Profile", "The account the token belongs to.")


class TokenInfo(ApiSchema):
    """The token used for this request."""

    name = fields.String(required=True)
    scopes = fields.List(fields.String(validate=validate.OneOf(["read", "write"])), required=True)
    created_at = fields.DateTime(required=True)
    expires_at = fields.DateTime(required=True, allow_none=True)


class Me(ApiSchema):
    """Your profile, as on your account page."""

    id = fields.Integer(required=True)
    name = fields.String(required=True, metadata={"description": "As printed on certificates."})
    email = fields.String(required=True)
    organisation = fields.String(required=True)
    country = fields.String(required=True, metadata={"description": "ISO 3166-1 alpha-2 code, or empty."})
    roles = fields.List(fields.String(validate=validate.OneOf(["learner", "trainer", "admin"])), required=True)
    created_at = fields.DateTime(required=True)
    token = fields.Nested(TokenInfo, required=True)


class MeUpdate(ApiSchema):
    """Fields of your profile you may change; leave out what should stay."""

    name = Text(validate=[validate.Length(min=1, max=120), schema_name])
    organisation = Text(validate=validate.Length(max=200))
    country = Text(
        validate=validate.OneOf(["", *sorted(COUNTRIES)]),
        metadata={"description": "ISO 3166-1 alpha-2 code of a country taking part in Interreg, or empty."},
    )


def _me() -> dict[str, Any]:
    user, token = api_user(), api_token()
    return {
        "id": user.id,
        "name": user.name,
        "email": user.email,
        "organisation": user.organisation,
        "country": user.country,
        "roles": user.roles,
        "created_at": user.created_at,
        "token": {
            "name": token.name,
            "scopes": sorted(token.scope_set),
            "created_at": token.created_at,
            "expires_at": token.expires_at,
        },
    }


@api_route("/me", response=Me, scope="read", tags=["Profile"])
def get_me() -> dict[str, Any]:
    """Your profile.

    The token decides whose profile this is: there is no way to ask for another user's.
    """
    return _me()


@api_route("/me", method="PATCH", body=MeUpdate, response=Me, scope="write", tags=["Profile"])
def update_me(body: dict[str, Any]) -> dict[str, Any]:
    """Change your name, organisation or country.

    Needs a token with the `write` scope. The name is the one printed on certificates you earn from now on.
    """
    user = api_user()
    with api_action():
        auth_services.update_profile(
            user,
            name=body.get("name", user.name),
            organisation=body.get("organisation", user.organisation),
            country=body.get("country", user.country),
        )
    return _me()
