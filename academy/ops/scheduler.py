"""RQ's scheduler with a lock that says who holds it, so a dead holder's lock is taken over at once.

RQ writes the bare pid into `rq:scheduler-lock:<queue>` with a 61 s expiry and checks again only
every 10 minutes by default: a scheduler killed with its worker leaves every other worker without
one for a minute or more. Here the lock names `host:pid` and lapses after 10 s without a heartbeat
(the scheduler beats every second), and a worker acquiring it first removes a lock whose holder is
a process of this host that no longer runs (or its own, left by a scheduler child that died).
The heartbeat also puts a lock back that Redis lost (restarted without its data), and lets go of
one that another worker holds meanwhile, so the lock always names the scheduler that runs.
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

# Keep a lock we hold, take back one that vanished, answer 0 for one that someone else holds now.
_KEEP_LOCK = """
local value = redis.call('GET', KEYS[1])
if value == false then
  redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2])
  return 1
end
if value == ARGV[1] then
  redis.call('EXPIRE', KEYS[1], ARGV[2])
  return 1
end
return 0
"""


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
        self._lock_value = own  # the scheduler child keeps the lock in its worker's name
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
        """Keep the locks for another LOCK_TTL seconds, taking back any that Redis lost."""
        if not self._acquired_locks:
            return
        own = getattr(self, "_lock_value", None) or holder_value()
        keep = self.connection.register_script(_KEEP_LOCK)
        lost = {
            name for name in self._acquired_locks if not keep(keys=[self.get_locking_key(name)], args=[own, LOCK_TTL])
        }
        if lost:
            self.log.warning("Scheduler locks %s are held by another worker now; letting go", ", ".join(sorted(lost)))
            self._acquired_locks -= lost
            self._scheduled_job_registries = []
