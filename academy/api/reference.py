"""The API reference page's content, read from the OpenAPI document so the two never disagree."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from academy.api.problems import PROBLEM_TYPES
from academy.api.spec import ERROR_RESPONSES, get_spec

_REF = "#/components/schemas/"


@dataclass
class TypeLabel:
    """How a JSON Schema reads in prose, with the name of a component schema to link to, if any."""

    before: str = ""
    ref: str | None = None
    after: str = ""


@dataclass
class Row:
    """A parameter or a property."""

    name: str
    type: TypeLabel
    required: bool
    description: str
    location: str = ""


@dataclass
class SchemaDoc:
    """A component schema and its properties."""

    name: str
    description: str
    rows: list[Row]


@dataclass
class ResponseDoc:
    """One documented response of an operation."""

    status: str
    description: str
    media_type: str
    schema: TypeLabel | None


@dataclass
class OperationDoc:
    """One operation, as the page shows it."""

    id: str
    method: str
    path: str
    summary: str
    description: str
    scope: str | None
    parameters: list[Row]
    body: TypeLabel | None
    responses: list[ResponseDoc]


@dataclass
class TagDoc:
    """A group of operations."""

    name: str
    description: str
    operations: list[OperationDoc] = field(default_factory=list)


@dataclass
class Reference:
    """Everything the reference page shows."""

    title: str
    version: str
    description: str
    base_path: str
    tags: list[TagDoc]
    schemas: list[SchemaDoc]
    problem_types: list[tuple[str, int, str, str]]
    error_statuses: list[tuple[int, str]]


def type_label(schema: dict[str, Any]) -> TypeLabel:
    """A JSON Schema as a short phrase: `string (date-time)`, `array of Course`, `Link or null`."""
    if "$ref" in schema:
        return TypeLabel(ref=schema["$ref"].removeprefix(_REF))
    if "anyOf" in schema:
        options = [type_label(s) for s in schema["anyOf"] if s.get("type") != "null"]
        nullable = any(s.get("type") == "null" for s in schema["anyOf"])
        label = options[0] if len(options) == 1 else TypeLabel(before=" or ".join(o.before for o in options))
        if nullable:
            label = TypeLabel(label.before, label.ref, label.after + " or null")
        return label
    default_kind = "string" if schema.get("enum") and all(isinstance(v, str) for v in schema["enum"]) else "any"
    kinds = schema.get("type", default_kind)
    kinds = kinds if isinstance(kinds, list) else [kinds]
    main = [k for k in kinds if k != "null"]
    suffix = " or null" if "null" in kinds else ""
    if main == ["array"]:
        inner = type_label(schema.get("items", {}))
        return TypeLabel("array of " + inner.before, inner.ref, inner.after + suffix)
    text = " or ".join(main) or "any"
    if schema.get("format"):
        text += f" ({schema['format']})"
    return TypeLabel(text + suffix)


def _constraints(schema: dict[str, Any]) -> str:
    notes = []
    if "enum" in schema:
        notes.append("One of: " + ", ".join(f"`{v}`" for v in schema["enum"] if v is not None) + ".")
    if "minimum" in schema or "maximum" in schema:
        notes.append(f"From {schema.get('minimum', '…')} to {schema.get('maximum', '…')}.")
    if "minLength" in schema or "maxLength" in schema:
        if schema.get("minLength"):
            notes.append(f"{schema['minLength']} to {schema.get('maxLength', '…')} characters.")
        elif "maxLength" in schema:
            notes.append(f"At most {schema['maxLength']} characters.")
    if "default" in schema:
        notes.append(f"Default: `{schema['default']}`.")
    if schema.get("readOnly"):
        notes.append("Read-only.")
    return " ".join(notes)


def _describe(schema: dict[str, Any]) -> str:
    return " ".join(part for part in (schema.get("description", ""), _constraints(schema)) if part)


def _schema_doc(name: str, schema: dict[str, Any]) -> SchemaDoc:
    required = set(schema.get("required", []))
    rows = [
        Row(name=prop, type=type_label(sub), required=prop in required, description=_describe(sub))
        for prop, sub in schema.get("properties", {}).items()
    ]
    return SchemaDoc(name=name, description=schema.get("description", ""), rows=rows)


def _operation_doc(path: str, method: str, op: dict[str, Any], base: str) -> OperationDoc:
    params = [
        Row(
            name=p["name"],
            type=type_label(p.get("schema", {})),
            required=bool(p.get("required")),
            description=_describe({**p.get("schema", {}), "description": p.get("description", "")}),
            location=p["in"],
        )
        for p in op.get("parameters", [])
    ]
    body = None
    if "requestBody" in op:
        body = type_label(next(iter(op["requestBody"]["content"].values()))["schema"])
    responses = []
    components = get_spec()["components"]["responses"]
    for status, response in op.get("responses", {}).items():
        if "$ref" in response:
            response = components[response["$ref"].rsplit("/", 1)[-1]]
        content = response.get("content", {})
        media_type, media = next(iter(content.items()), ("", {}))
        responses.append(
            ResponseDoc(
                status=status,
                description=response.get("description", ""),
                media_type=media_type,
                schema=type_label(media["schema"]) if media.get("schema") else None,
            )
        )
    scopes = [s for req in op.get("security", []) for s in req.get("bearerAuth", [])]
    public = {} in op.get("security", [])
    return OperationDoc(
        id=op["operationId"],
        method=method.upper(),
        path=base + path,
        summary=op.get("summary", ""),
        description=op.get("description", ""),
        scope=None if public else (scopes[0] if scopes else None),
        parameters=params,
        body=body,
        responses=responses,
    )


def reference() -> Reference:
    """The reference page's content for the current application."""
    spec = get_spec()
    base = spec["servers"][0]["url"]
    tags = {t["name"]: TagDoc(name=t["name"], description=t.get("description", "")) for t in spec.get("tags", [])}
    for path, item in spec["paths"].items():
        for method, op in item.items():
            for tag in op.get("tags", ["Other"]):
                tags.setdefault(tag, TagDoc(name=tag, description="")).operations.append(
                    _operation_doc(path, method, op, base)
                )
    schemas = [_schema_doc(name, s) for name, s in sorted(spec["components"]["schemas"].items())]
    problem_types = [(slug, status, title, text) for slug, (status, title, text) in PROBLEM_TYPES.items()]
    error_statuses = [(code, text) for code, (_name, text) in sorted(ERROR_RESPONSES.items())]
    return Reference(
        title=spec["info"]["title"],
        version=spec["info"]["version"],
        description=spec["info"].get("description", ""),
        base_path=base,
        tags=list(tags.values()),
        schemas=schemas,
        problem_types=problem_types,
        error_statuses=error_statuses,
    )
