"""Verification answers prepared ahead, so a verifier's first look at a certificate costs one indexed read.

Most certificates are checked once or twice, long after they were issued: the page cache
(academy.core.public_cache) rarely holds their answer. So every change to a certificate (issue,
revoke, suspend, reinstate, supersede, hide details) queues `prepare_answers`, which renders the
public page and the JSON, in every language, through the app itself (the same bytes a request
would get) and keeps them in `verification_answers`. The public cache layer serves them with one
SELECT and no Flask request.

What keeps them true:

- `certificates.revision` goes up in every UPDATE of the row (the SET clause adds it, ORM or Core):
  an answer is served only while its revision is the certificate's, so a revocation shows on the
  next request whether or not the job has run yet; the job only brings the speed back;
- `stamp` names the code that rendered it (every file of the package, hashed once per process),
  the settings the page shows and the "verification" data version (issuer keys, which the page's QR
  check embeds): a deploy or a key rotation leaves every older answer unserved until prepared again
  (`flask academy certificates prepare-answers`);
- `expires` is when the answer changes by itself (a certificate's expiry date);
- the code is not stored: the database keeps certificate codes only as hashes, so answers carry
  SENTINEL where the code goes, and the code in the address (which hashes to the certificate's)
  is put back when served; a superseded certificate whose replacement's code cannot be read yet
  is not prepared (its answer would lack the link), and the replacement's job prepares it again.
"""

from __future__ import annotations

import hashlib
import json
import time
import zlib
from collections.abc import Iterable
from pathlib import Path

from flask import Flask, current_app, has_app_context, request
from sqlalchemy import and_, bindparam, create_engine, event, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session
from werkzeug.test import EnvironBuilder

from academy import jobs
from academy.certificates import codes
from academy.certificates.models import Certificate, VerificationAnswer
from academy.core import data_version, public_cache
from academy.extensions import db

# A well-formed code standing for the real one in stored answers (it cannot collide with other text).
SENTINEL = "ZZZZ-ZZZZ-ZZZZ-ZZZZ-ZZZ" + codes.check_character("Z" * 19)
CERTIFICATE_ID = "academy.verify.certificate_id"  # environ key: answer for this certificate, whatever the code
VERSION = "verification"
VERSION_TABLES = frozenset({"credential_keys"})  # global data the answers show besides the certificate row
_QUEUED = "academy_answers_queued"
_PACKAGE = Path(__file__).resolve().parent.parent
_SETTINGS = ("BASE_URL", "LANGUAGES", "APPLICATION_ROOT", "PREFERRED_URL_SCHEME", "SERVER_NAME")


def enabled(app: Flask) -> bool:
    """True when answers are prepared and served (VERIFY_ANSWERS, and the page cache on)."""
    return bool(app.config.get("VERIFY_ANSWERS") and app.config.get("PUBLIC_CACHE_SECONDS"))


def build(app: Flask) -> str:
    """A digest of every file of the package and of the settings an answer shows (once per process)."""
    cached = app.extensions.get("academy_answers_build")
    if cached is None:
        digest = hashlib.blake2b(digest_size=16)
        for path in sorted(_PACKAGE.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                digest.update(str(path.relative_to(_PACKAGE)).encode() + b"\0" + path.read_bytes())
        digest.update(repr([app.config.get(name) for name in _SETTINGS]).encode())
        cached = app.extensions["academy_answers_build"] = digest.hexdigest()
    return cached


def stamp(app: Flask) -> str | None:
    """What answers must have been rendered with to be served now; None while it cannot be known."""
    keys = data_version.of(app, VERSION).current()
    return None if keys is None else f"{build(app)}:{keys}"[:64]


def _variants(app: Flask) -> list[tuple[str, str, str]]:
    """(variant, address suffix, language) for every answer a certificate has."""
    return [
        (f"{kind}:{language}", suffix, language)
        for language in app.config["LANGUAGES"]
        for kind, suffix in (("html", ""), ("json", ".json"))
    ]


def _engine(app: Flask) -> Engine:
    """The engine answers are read with (made once per process, in the worker that first asks)."""
    engine = app.extensions.get("academy_answers_engine")
    if engine is None:
        with app.app_context():
            base = db.engine
            if base.dialect.name == "sqlite":
                engine = base.execution_options(isolation_level="AUTOCOMMIT")
            else:
                # A small pool of its own, autocommit (no ROLLBACK round trip on check-in) and without
                # the app's ping on every check-out: a dead connection fails the SELECT, the app renders
                # that answer, and the pool replaces the connection.
                engine = create_engine(
                    base.url, isolation_level="AUTOCOMMIT", pool_pre_ping=False, pool_size=1, max_overflow=2
                )
            app.extensions["academy_answers_engine"] = engine
    return engine


_ANSWER = (
    select(
        VerificationAnswer.headers, VerificationAnswer.body, VerificationAnswer.stored_at, VerificationAnswer.expires
    )
    .join(
        Certificate,
        and_(Certificate.id == VerificationAnswer.certificate_id, Certificate.revision == VerificationAnswer.revision),
    )
    .where(
        Certificate.code_hash == bindparam("code_hash"),
        VerificationAnswer.variant == bindparam("variant"),
        VerificationAnswer.stamp == bindparam("stamp"),
    )
)


def lookup(app: Flask, environ: dict, endpoint: str, args: dict, language: str) -> public_cache.Entry | None:
    """The prepared answer for this anonymous request, or None (then the app renders it)."""
    if not enabled(app):
        return None
    code = args.get("code", "")
    compact = codes.parse(code)
    if compact is None or codes.group(compact) != code:
        return None  # unknown, mistyped or not the canonical spelling: the app answers (404 or 301)
    if endpoint == "certificates.verify_json":
        kind = "json"
    elif "json" in environ.get("HTTP_ACCEPT", ""):
        return None  # content negotiation: leave it to the app
    else:
        kind = "html"
    current = stamp(app)
    if current is None:
        return None
    params = {"code_hash": codes.digest(compact), "variant": f"{kind}:{language}", "stamp": current}
    try:
        with _engine(app).connect() as conn:
            row = conn.execute(_ANSWER, params).first()
    except SQLAlchemyError:
        return None  # the app renders it, and answers a database outage as it does for any page
    if row is None:
        return None
    now = time.time()
    if row.expires is not None and now >= row.expires:
        return None
    body = zlib.decompress(row.body).replace(SENTINEL.encode(), code.encode())
    etag = '"' + hashlib.blake2b(body, digest_size=16).hexdigest() + '"'
    expires = min(row.expires or now + 3600, now + int(app.config["PUBLIC_CACHE_SECONDS"]))
    headers = [tuple(pair) for pair in json.loads(row.headers)]
    return public_cache.Entry("200 OK", headers, body, etag, row.stored_at, expires)


def rendering_ahead() -> bool:
    """True inside `prepare`'s own requests (no visitor can set this key): the rate limit is for visitors."""
    return CERTIFICATE_ID in request.environ


def _render(app: Flask, certificate_id: int, suffix: str, language: str) -> tuple[list, bytes, float | None] | None:
    """One answer through the app (below the cache layer), as an anonymous visitor would get it."""
    builder = EnvironBuilder(
        path=f"/verify/{SENTINEL}{suffix}",
        base_url=app.config.get("BASE_URL") or None,
        headers={"Accept-Language": language},
        environ_overrides={CERTIFICATE_ID: certificate_id},
    )
    environ = builder.get_environ()
    status, headers, body = public_cache.capture(public_cache.layer(app).wsgi_app, environ)
    kept = public_cache.replayable(status, headers, environ, proxy=False)
    return None if kept is None else (kept, body, environ.get(public_cache.UNTIL))


def prepare(certificate_ids: Iterable[int]) -> int:
    """Render and keep the answers of these certificates (and of those they replaced); how many were kept."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    current = stamp(app)
    wanted = set(certificate_ids)
    if current is None or not wanted:
        return 0
    replaced = select(Certificate.id).where(Certificate.superseded_by_id.in_(wanted))
    wanted |= set(db.session.scalars(replaced))
    # The revision is read before rendering: a change landing meanwhile leaves a stale revision stored,
    # which is never served, rather than a stale answer under the new one.
    revisions = dict(
        db.session.execute(select(Certificate.id, Certificate.revision).where(Certificate.id.in_(wanted))).all()
    )
    db.session.commit()  # the renders below read in sessions of their own
    rows = []
    for certificate_id, revision in sorted(revisions.items()):
        for variant, suffix, language in _variants(app):
            answer = _render(app, certificate_id, suffix, language)
            if answer is None:
                continue
            headers, body, until = answer
            rows.append(
                {
                    "certificate_id": certificate_id, "variant": variant, "revision": revision, "stamp": current,
                    "headers": json.dumps(headers), "body": zlib.compress(body, 6), "stored_at": time.time(),
                    "expires": until,
                }
            )  # fmt: skip
    if rows:
        _upsert(rows)
        db.session.commit()
    return len(rows)


def _upsert(rows: list[dict]) -> None:
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(VerificationAnswer).values(rows)
    changed = ("revision", "stamp", "headers", "body", "stored_at", "expires")
    db.session.execute(
        statement.on_conflict_do_update(
            index_elements=["certificate_id", "variant"], set_={name: statement.excluded[name] for name in changed}
        )
    )


def prepare_answers(certificate_ids: list[int]) -> None:
    """The job: prepare these certificates' answers."""
    prepare(certificate_ids)


def stale_ids(app: Flask, *, after: int = 0, limit: int = 500) -> list[int]:
    """Certificates (ids above `after`) with an answer missing or not current (at most `limit`), for the CLI."""
    current = stamp(app)
    if current is None:
        return []
    fresh = select(VerificationAnswer.certificate_id).where(
        VerificationAnswer.certificate_id == Certificate.id,
        VerificationAnswer.revision == Certificate.revision,
        VerificationAnswer.stamp == current,
    )
    query = select(Certificate.id).where(Certificate.id > after, ~fresh.exists()).order_by(Certificate.id).limit(limit)
    return list(db.session.scalars(query))


def note_changes(session: Session, _context: object) -> None:
    """After a flush: queue the preparation of every certificate it wrote (once per transaction)."""
    if not has_app_context() or not enabled(current_app):
        return
    queued = session.info.setdefault(_QUEUED, set())
    written = {obj.id for obj in (*session.new, *session.dirty) if isinstance(obj, Certificate) and obj.id}
    if written - queued:
        jobs.enqueue_after_commit(prepare_answers, sorted(written - queued), queue=jobs.QUEUE_CERTIFICATES)
        queued |= written


def forget_queued(session: Session, *_args: object) -> None:
    """A new transaction queues again what the last one queued."""
    session.info.pop(_QUEUED, None)


def init_app(app: Flask) -> None:
    """Track the data the answers show besides certificates; prepare answers after every change."""
    data_version.track(app, VERSION, VERSION_TABLES)
    if not event.contains(Session, "after_flush", note_changes):
        event.listen(Session, "after_flush", note_changes)
        event.listen(Session, "after_commit", forget_queued)
        event.listen(Session, "after_rollback", forget_queued)
