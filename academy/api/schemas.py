"""Schemas shared by every endpoint: the base classes, problem documents and pages."""

from __future__ import annotations

from marshmallow import EXCLUDE, RAISE, Schema, fields, validate

from academy.api.fields import Integer

MAX_LIMIT = 100
MAX_OFFSET = 1_000_000


class ApiSchema(Schema):
    """Base of request bodies and responses: unknown fields in a body are an error, not ignored."""

    class Meta:
        unknown = RAISE


class QuerySchema(Schema):
    """Base of query-string schemas: parameters we do not know are ignored (caches add their own)."""

    class Meta:
        unknown = EXCLUDE


class FieldError(ApiSchema):
    """One invalid input value."""

    location = fields.String(
        required=True,
        validate=validate.OneOf(["body", "query", "path", "header"]),
        metadata={"description": "Where the value was sent."},
    )
    field = fields.String(
        required=True,
        metadata={"description": "The field's name; nested fields are joined with dots (`outcomes.0.code`)."},
    )
    message = fields.String(required=True)


class Problem(ApiSchema):
    """An error, as RFC 9457 problem details (`application/problem+json`)."""

    type = fields.String(
        required=True,
        metadata={"description": "A URI naming the kind of problem; `about:blank` for plain HTTP errors."},
    )
    title = fields.String(required=True, metadata={"description": "A short summary of the kind of problem."})
    status = fields.Integer(required=True, metadata={"description": "The HTTP status code."})
    detail = fields.String(metadata={"description": "What went wrong this time, for a person to read."})
    instance = fields.String(metadata={"description": "The path of the request that failed."})
    errors = fields.List(
        fields.Nested(FieldError), metadata={"description": "Each invalid field, for validation errors (422)."}
    )


class PageQuery(QuerySchema):
    """limit/offset pagination parameters."""

    limit = Integer(
        load_default=20,
        validate=validate.Range(min=1, max=MAX_LIMIT),
        metadata={"description": f"How many items to return (1–{MAX_LIMIT})."},
    )
    offset = Integer(
        load_default=0,
        validate=validate.Range(min=0, max=MAX_OFFSET),
        metadata={"description": "How many items to skip."},
    )


class PageLinks(ApiSchema):
    """Links to this page and its neighbours, as paths with query strings."""

    self = fields.String(required=True)
    next = fields.String(required=True, allow_none=True, metadata={"description": "Null on the last page."})
    prev = fields.String(required=True, allow_none=True, metadata={"description": "Null on the first page."})


class PageSchema(ApiSchema):
    """Common fields of every page; `page_of()` adds the items."""

    total = fields.Integer(required=True, metadata={"description": "How many items match, on every page."})
    limit = fields.Integer(required=True)
    offset = fields.Integer(required=True)
    links = fields.Nested(PageLinks, required=True)


def page_of(item: type[Schema], name: str) -> type[PageSchema]:
    """A page schema named `name` whose `items` are `item` objects."""
    return type(
        name,
        (PageSchema,),
        {
            "items": fields.List(fields.Nested(item), required=True),
            "__doc__": f"A page of {item.__name__} objects with the total and links to the neighbouring pages.",
        },
    )
