"""JSON-LD canonicalisation (RDFC-1.0, a.k.a. URDNA2015) with contexts served from the package only.

PyLD does the expansion and canonicalisation. Its document loader is replaced by one that answers
from `academy/credentials/contexts/` and raises for every other URL: signing and verifying never
touch the network, and a credential cannot make us fetch an address of its author's choosing.

Canonicalisation runs in JSON-LD "safe mode", as the reference implementation (jsonld.js, used by
Digital Bazaar's Data Integrity libraries) does: a term no context defines, or a type or id that
stays a relative IRI, raises UndefinedTerm instead of being silently dropped. PyLD has no safe
option, so we check its expansion: its `on_property_dropped` hook reports dropped terms, and a walk
of the expanded form finds relative IRIs.
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path
from typing import Any

from cachetools import LRUCache
from pyld import jsonld
from pyld.context_resolver import ContextResolver

CONTEXT_DIR = Path(__file__).resolve().parent.parent / "contexts"
VC_V2 = "https://www.w3.org/ns/credentials/v2"
OB_V3 = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
DID_V1 = "https://www.w3.org/ns/did/v1"
MULTIKEY_V1 = "https://w3id.org/security/multikey/v1"
CONTEXT_FILES = {
    VC_V2: "credentials-v2.jsonld",
    OB_V3: "ob-context-3.0.3.json",
    DID_V1: "did-v1.jsonld",
    MULTIKEY_V1: "multikey-v1.jsonld",
}


class ContextNotAvailable(ValueError):
    """A document names a JSON-LD context we do not hold locally."""


class UndefinedTerm(ValueError):
    """Safe mode: a term, type or id that the document's contexts do not turn into an absolute IRI."""


_ABSOLUTE = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


def _dropped(expanded_property: str | None) -> None:
    name = f" ({expanded_property!r})" if expanded_property else ""
    raise UndefinedTerm(f"a property is not defined by the document's contexts{name}")


def _check_iris(value: Any) -> None:
    """Raise UndefinedTerm for a relative IRI left in an expanded document."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, dict):
            for key, child in item.items():
                if not key.startswith("@") and not _ABSOLUTE.match(key):
                    raise UndefinedTerm(f"property {key!r} is a relative IRI")
                if key == "@type" and "@value" not in item:
                    for kind in child if isinstance(child, list) else [child]:
                        if not _ABSOLUTE.match(kind):
                            raise UndefinedTerm(f"type {kind!r} is not defined by the document's contexts")
                elif key == "@id" and isinstance(child, str) and not _ABSOLUTE.match(child):
                    raise UndefinedTerm(f"id {child!r} is a relative IRI")
                elif key != "@value":
                    stack.append(child)


@cache
def _read(filename: str) -> dict[str, Any]:
    return json.loads((CONTEXT_DIR / filename).read_text(encoding="utf-8"))


# Resolved contexts of the vendored files, kept across calls (PyLD's own cache is shared by every loader).
_CACHE: LRUCache = LRUCache(maxsize=32)


def local_loader(extra: dict[str, dict[str, Any]] | None = None):  # noqa: ANN201
    """A PyLD document loader serving the vendored contexts (and `extra`, for tests); it never fetches."""
    extra = dict(extra or {})

    def load(url: str, options: dict | None = None) -> dict[str, Any]:
        if url in extra:
            document = extra[url]
        elif url in CONTEXT_FILES:
            document = _read(CONTEXT_FILES[url])
        else:
            raise ContextNotAvailable(f"JSON-LD context {url!r} is not available offline")
        return {"contextUrl": None, "documentUrl": url, "document": document, "contentType": "application/ld+json"}

    load.extra = extra  # type: ignore[attr-defined]
    return load


def canonicalize(document: dict[str, Any], *, loader=None) -> str:  # noqa: ANN001
    """The RDFC-1.0 canonical N-Quads of a document (safe mode); ContextNotAvailable, UndefinedTerm, ValueError."""
    loader = loader or local_loader()

    def options() -> dict[str, Any]:
        return {
            "algorithm": "URDNA2015",
            "format": "application/n-quads",
            "documentLoader": loader,
            "base": None,  # a relative id stays relative (and is refused below), as in jsonld.js
            # Our own cache: PyLD's module-level one would let a context served once by any loader
            # (a test's, say) resolve later without asking ours.
            "contextResolver": ContextResolver({} if getattr(loader, "extra", None) else _CACHE, loader),
        }

    try:
        expanded = jsonld.JsonLdProcessor(on_property_dropped=_dropped).expand(document, options())
        _check_iris(expanded)
        return jsonld.normalize(expanded, options())
    except jsonld.JsonLdError as err:
        cause = err
        while cause is not None:
            if isinstance(cause, ContextNotAvailable | UndefinedTerm):
                raise cause from err
            cause = cause.__cause__ or getattr(cause, "cause", None)
        raise ValueError(f"not valid JSON-LD: {err}") from err


MAX_BYTES = 64 * 1024
MAX_OBJECTS = 256
MAX_DEPTH = 16


def _shallow(item: dict[str, Any]) -> str:
    return json.dumps({k: ("{}" if isinstance(v, dict | list) else v) for k, v in item.items()}, sort_keys=True)


def check_shape(document: Any) -> str:
    """'' if a foreign document is safe to canonicalise, else why not.

    RDFC-1.0 is exponential on some graphs ("poison graphs"): many blank nodes that look alike,
    which need every permutation tried. Our credentials never have them, so before spending CPU
    on an uploaded document we refuse the shapes that produce them: look-alike objects side by
    side in one array, explicit blank node ids, and sheer size or depth.
    """
    try:
        if len(json.dumps(document)) > MAX_BYTES:
            return f"The document is larger than {MAX_BYTES // 1024} KiB."
    except (TypeError, ValueError):
        return "The document is not JSON."
    count = 0
    stack: list[tuple[Any, int]] = [(document, 0)]
    while stack:
        value, depth = stack.pop()
        if depth > MAX_DEPTH:
            return "The document is nested too deeply."
        if isinstance(value, dict):
            count += 1
            for key, item in value.items():
                if key in ("@id", "id") and isinstance(item, str) and item.startswith("_:"):
                    return "The document names blank nodes."
                stack.append((item, depth + 1))
        elif isinstance(value, list):
            seen = set()
            for item in value:
                if isinstance(item, dict):
                    shape = _shallow(item)
                    if shape in seen:
                        return "The document repeats look-alike objects in one array."
                    seen.add(shape)
                stack.append((item, depth + 1))
        if count > MAX_OBJECTS:
            return "The document has too many objects."
    return ""
