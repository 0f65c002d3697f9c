"""JSON-LD canonicalisation (RDFC-1.0, a.k.a. URDNA2015) with contexts served from the package only.

PyLD does the expansion and canonicalisation. Its document loader is replaced by one that answers
from `academy/credentials/contexts/` and raises for every other URL: signing and verifying never
touch the network, and a credential cannot make us fetch an address of its author's choosing.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from cachetools import LRUCache
from pyld import jsonld
from pyld.context_resolver import ContextResolver

CONTEXT_DIR = Path(__file__).resolve().parent.parent / "contexts"
VC_V2 = "https://www.w3.org/ns/credentials/v2"
OB_V3 = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
CONTEXT_FILES = {
    VC_V2: "credentials-v2.jsonld",
    OB_V3: "ob-context-3.0.3.json",
}


class ContextNotAvailable(ValueError):
    """A document names a JSON-LD context we do not hold locally."""


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
    """The RDFC-1.0 canonical N-Quads of a JSON-LD document; ContextNotAvailable for an unknown context."""
    loader = loader or local_loader()
    options = {
        "algorithm": "URDNA2015",
        "format": "application/n-quads",
        "documentLoader": loader,
        # Our own cache: PyLD's module-level one would let a context served once by any loader
        # (a test's, say) resolve later without asking ours.
        "contextResolver": ContextResolver({} if getattr(loader, "extra", None) else _CACHE, loader),
    }
    try:
        return jsonld.normalize(document, options)
    except jsonld.JsonLdError as err:
        cause = err
        while cause is not None:
            if isinstance(cause, ContextNotAvailable):
                raise cause from err
            cause = cause.__cause__ or getattr(cause, "cause", None)
        raise ValueError(f"not valid JSON-LD: {err}") from err
