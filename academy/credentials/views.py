"""Public documents: each credential, the status lists, the issuer profile and the JWKS."""

from __future__ import annotations

import json
from pathlib import Path

from flask import Blueprint, Response, abort, current_app, render_template, send_from_directory, url_for
from flask_login import current_user

from academy.core.actions import request_action
from academy.credentials import keys, services, statuslist
from academy.credentials.models import StatusList
from academy.extensions import db

bp = Blueprint("credentials", __name__)

SHORT_CACHE = "public, max-age=300"  # status changes reach verifiers within five minutes


def _json(document: dict | str, media_type: str, cache: str) -> Response:
    body = document if isinstance(document, str) else json.dumps(document, ensure_ascii=False, indent=2)
    response = Response(body, mimetype=media_type)
    response.headers["Cache-Control"] = cache
    response.headers["Access-Control-Allow-Origin"] = "*"  # verifiers' wallets and tools read these
    return response


@bp.app_template_global("credential_qr_jwks")
def credential_qr_jwks() -> dict:
    """The published P-256 keys, embedded in the verification page for the QR token check."""
    return {"keys": [k for k in keys.jwks()["keys"] if k.get("kty") == "EC"]}


@bp.app_template_global("credential_url_of")
def credential_url_of(certificate) -> str:  # noqa: ANN001
    """The address of a certificate's credential, or '' when it has none."""
    found = services.of_certificate(certificate)
    return url_for("credentials.credential", public_id=found.public_id) if found is not None else ""


@bp.get("/verify/offline")
def verify_offline():  # noqa: ANN201
    """The page the service worker shows for a verification address when there is no connection."""
    response = Response(render_template("credentials/offline.html"))
    response.headers["Cache-Control"] = "no-cache"
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    return response


@bp.get("/verify/sw.js")
def verify_worker():  # noqa: ANN201
    """The verification pages' service worker, served under /verify/ so that is its scope."""
    response = send_from_directory(Path(current_app.static_folder) / "js", "verify-sw.js", mimetype="text/javascript")
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.get("/credentials/<public_id>")
def credential(public_id: str):  # noqa: ANN201
    """A certificate's signed OpenBadgeCredential (application/ld+json), exactly as issued."""
    found = services.by_public_id(public_id[:36])
    if found is None:
        abort(404)
    certificate = found.certificate
    if certificate.details_hidden and not (current_user.is_authenticated and current_user.id == certificate.user_id):
        # The holder chose to show only the status publicly; the credential names them.
        abort(404)
    response = _json(found.document, services.MEDIA_TYPE, "no-store")
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    return response


@bp.get("/credentials/status/<int:list_id>")
def status_list(list_id: int):  # noqa: ANN201
    """A signed BitstringStatusListCredential, briefly cacheable."""
    found = db.session.get(StatusList, list_id) if list_id < 2**31 else None
    if found is None:
        abort(404)
    with request_action():  # the first request may have created the signing key
        document = statuslist.signed_list(found, services.issuer_name())
    return _json(document, "application/vc+ld+json", SHORT_CACHE)


@bp.get("/issuer")
def issuer():  # noqa: ANN201
    """The issuer profile with its verification methods (Multikey), active and retired."""
    return _json(services.issuer_profile(), services.MEDIA_TYPE, SHORT_CACHE)


@bp.get("/.well-known/jwks.json")
def jwks():  # noqa: ANN201
    """Every issuer key as a JSON Web Key Set (the QR token's key among them)."""
    return _json(keys.jwks(), "application/json", SHORT_CACHE)
