"""RQ's scheduler with a lock that says who holds it, so a dead holder's lock is taken over at once.

RQ writes the bare pid into `rq:scheduler-lock:<queue>` with a 61 s expiry and checks again only
every 10 minutes by default: a scheduler killed with its worker leaves every other worker without
one for a minute or more. Here the lock names `host:pid` and lapses after 10 s without a heartbeat
(the scheduler beats every second), and a worker acquiring it first removes a lock whose holder is
a process of this host that no longer runs (or its own, left by a scheduler child that died).
"""

from __future__ import annotations

import contextlib
import os
import socket
from datetime import datetime
from pathlib import Path

from redis import WatchError
from rq.scheduler import RQScheduler

LOCK_TTL = 10  # seconds without a heartbeat before another worker anywhere may take the lock


def holder_value(pid: int | None = None) -> str:
    """The lock value naming this host and a process on it."""
    return f"{socket.gethostname()}:{os.getpid() if pid is None else pid}"


def process_alive(pid: int) -> bool:
    """True if a process with this pid runs here (a zombie, dead but not yet reaped, does not count)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    with contextlib.suppress(OSError):
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        return state not in ("Z", "X")
    return True


def is_stale(value: str, *, own: str) -> bool:
    """A lock value left by a dead process of this host, or by this very process (whose scheduler died)."""
    if value == own:
        return True
    host, _, pid = value.rpartition(":")
    return host == socket.gethostname() and pid.isdigit() and not process_alive(int(pid))


class HealingScheduler(RQScheduler):
    """An RQScheduler whose locks name their holder and lapse quickly."""

    def _remove_stale_lock(self, key: str, own: str) -> None:
        """Delete the lock if its holder is dead, unless it changed meanwhile (WATCH makes it atomic)."""
        with self.connection.pipeline() as pipe:
            try:
                pipe.watch(key)
                raw = pipe.get(key)
                value = raw.decode() if isinstance(raw, bytes) else raw
                if value is None or not is_stale(value, own=own):
                    return
                pipe.multi()
                pipe.delete(key)
                pipe.execute()
                self.log.warning("Scheduler lock %s of a dead process (%s) taken over", key, value)
            except WatchError:
                return

    def acquire_locks(self, auto_start: bool = False) -> set[str]:
        """RQ's acquire_locks, with a host:pid value, a short expiry and stale locks removed first."""
        own = holder_value()
        successful = set()
        for name in self._queue_names:
            key = self.get_locking_key(name)
            self._remove_stale_lock(key, own)
            if self.connection.set(key, own, nx=True, ex=LOCK_TTL):
                successful.add(name)
        self._scheduled_job_registries = []
        self._acquired_locks = self._acquired_locks.union(successful)
        self.lock_acquisition_time = datetime.now()
        if self._acquired_locks and auto_start and (not self._process or not self._process.is_alive()):
            self.start()
        return successful

    def heartbeat(self) -> None:
        """Keep the locks for another LOCK_TTL seconds."""
        if not self._acquired_locks:
            return
        with self.connection.pipeline() as pipeline:
            for name in self._acquired_locks:
                pipeline.expire(self.get_locking_key(name), LOCK_TTL)
            pipeline.execute()
