"""Checking an uploaded PDF's seal in a child process with hard limits, so one file cannot take a worker down.

The parent first runs the free structural checks of `pdfguard`. The PDF library then parses and
validates the file in a child forked from a multiprocessing fork server (started once per worker
process, with pyHanko already imported, so a check costs a fork rather than an interpreter start).
The child caps its own CPU time (RLIMIT_CPU, killed by SIGXCPU), address space (RLIMIT_AS, so
a decompression bomb ends in MemoryError) and file writes, and the parent kills it past a wall
time. Only a small JSON answer comes back; nothing is unpickled from the child. A few checks run
at once per worker process; more wait for a slot, and past the wall time they are turned away.
"""

from __future__ import annotations

import json
import logging
import multiprocessing
import multiprocessing.forkserver
import resource
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from multiprocessing.connection import Connection

from asn1crypto import x509 as asn1_x509

from academy.certificates import pdfguard, signing

log = logging.getLogger(__name__)

ANSWER_BYTES = 64 * 1024


class Uncheckable(Exception):
    """The file could not be checked within the limits (or is malformed in a way we refuse)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Limits:
    """What one check may use: CPU seconds, bytes of address space, wall seconds, checks at once."""

    cpu_seconds: int = 5
    memory_bytes: int = 384 * 1024 * 1024
    wall_seconds: float = 7.0
    concurrency: int = 2


def limits_from_config(config: dict) -> Limits:
    """The limits set by CERTIFICATE_CHECK_* settings."""
    return Limits(
        cpu_seconds=int(config.get("CERTIFICATE_CHECK_CPU_SECONDS", 5)),
        memory_bytes=int(config.get("CERTIFICATE_CHECK_MEMORY_MB", 384)) * 1024 * 1024,
        wall_seconds=float(config.get("CERTIFICATE_CHECK_WALL_SECONDS", 7)),
        concurrency=int(config.get("CERTIFICATE_CHECK_CONCURRENCY", 2)),
    )


_lock = threading.Lock()
_slots: dict[int, threading.BoundedSemaphore] = {}


def _slot(concurrency: int) -> threading.BoundedSemaphore:
    with _lock:
        return _slots.setdefault(concurrency, threading.BoundedSemaphore(concurrency))


def _context() -> multiprocessing.context.BaseContext:
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload([__name__])
    return context


def check_seal_bounded(
    data: bytes,
    *,
    roots: Sequence[asn1_x509.Certificate],
    chain: Sequence[asn1_x509.Certificate],
    limits: Limits,
) -> signing.SealCheck:
    """Validate the seal of an untrusted `data` within `limits`; raise Uncheckable past them."""
    problem = pdfguard.structure_problem(data)
    if problem is not None:
        raise Uncheckable(problem)
    slot = _slot(limits.concurrency)
    if not slot.acquire(timeout=limits.wall_seconds):
        raise Uncheckable("busy")
    try:
        answer = _run_child(data, [c.dump() for c in roots], [c.dump() for c in chain], limits)
    finally:
        slot.release()
    return _seal_check(answer)


def warm_up() -> None:
    """Start this process's fork server now (it imports pyHanko in the background), not at the first check."""
    try:
        _context()
        multiprocessing.forkserver.ensure_running()
    except OSError:  # a check will try again and answer "could not be checked" if it must
        log.warning("could not start the PDF check fork server", exc_info=True)


def _run_child(data: bytes, roots: list[bytes], chain: list[bytes], limits: Limits) -> dict:
    context = _context()
    receiver, sender = context.Pipe(duplex=False)
    process = context.Process(target=child_main, args=(sender, data, roots, chain, limits), daemon=True)
    # start() returns once the fork server has forked: the first call in a process also waits for the
    # server's own start (our imports, not the upload's doing), so the clock runs from here.
    process.start()
    deadline = time.monotonic() + limits.wall_seconds
    sender.close()
    try:
        if not receiver.poll(max(0.0, deadline - time.monotonic())):
            raise Uncheckable("wall_time")
        raw = receiver.recv_bytes(ANSWER_BYTES)
    except (EOFError, OSError):
        process.join(1)
        reason = "cpu_time" if process.exitcode == -24 else "crashed"  # SIGXCPU
        raise Uncheckable(reason) from None
    finally:
        receiver.close()
        if process.is_alive():
            process.kill()
        process.join(5)
    try:
        answer = json.loads(raw)
    except ValueError:
        raise Uncheckable("bad_answer") from None
    if not isinstance(answer, dict) or "error" in answer:
        raise Uncheckable(str(answer.get("error", "bad_answer")) if isinstance(answer, dict) else "bad_answer")
    return answer


def _seal_check(answer: dict) -> signing.SealCheck:
    signed_at = answer.get("signed_at")
    return signing.SealCheck(
        ok=bool(answer.get("ok")),
        reason=str(answer.get("reason", "unreadable")),
        signer=str(answer.get("signer", "")),
        signed_at=datetime.fromisoformat(signed_at) if signed_at else None,
        sha256=str(answer.get("sha256", "")),
        embedded_code=str(answer.get("embedded_code", "")),
    )


# ---------------------------------------------------------------------------- in the child


def apply_limits(limits: Limits) -> None:
    """Cap this process: CPU seconds, address space, no files written, no core dumps."""
    resource.setrlimit(resource.RLIMIT_CPU, (limits.cpu_seconds, limits.cpu_seconds + 1))
    resource.setrlimit(resource.RLIMIT_AS, (limits.memory_bytes, limits.memory_bytes))
    resource.setrlimit(resource.RLIMIT_FSIZE, (0, 0))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def child_main(sender: Connection, data: bytes, roots: list[bytes], chain: list[bytes], limits: Limits) -> None:
    """Entry point of the child: limit itself, validate, send one JSON answer."""
    try:
        apply_limits(limits)
        check = signing.validate_seal(
            data,
            roots=[asn1_x509.Certificate.load(der) for der in roots],
            chain=[asn1_x509.Certificate.load(der) for der in chain],
        )
        answer: dict = {
            "ok": check.ok,
            "reason": check.reason,
            "signer": check.signer,
            "signed_at": check.signed_at.isoformat() if check.signed_at else None,
            "sha256": check.sha256,
            "embedded_code": check.embedded_code,
        }
    except MemoryError:
        answer = {"error": "memory"}
    except RecursionError:
        answer = {"error": "recursion"}
    except Exception as err:  # the answer must always go back; the kind is enough
        answer = {"error": type(err).__name__}
    try:
        sender.send_bytes(json.dumps(answer).encode()[:ANSWER_BYTES])
    finally:
        sender.close()
