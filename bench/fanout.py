"""Fan-out benchmark: write N notifications for one event, then deliver them through real RQ workers.

    /work/main/.venv/bin/python bench/fanout.py [--users 10000] [--workers 2]

Needs Redis (BENCH_REDIS_URL, default redis://127.0.0.1:6379/11 — the database is flushed) and
starts an SMTP sink (aiosmtpd) on 127.0.0.1. The database is a fresh SQLite file in a temporary
folder unless BENCH_DATABASE_URL names a PostgreSQL database (its tables are dropped and created).
Prints the time to record the event (rows written in the caller's transaction) and the time for
`flask academy worker --burst` processes to deliver every e-mail to the sink.
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


class Sink:
    """Counts messages received."""

    def __init__(self) -> None:
        self.count = 0
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: ANN001
        with self.lock:
            self.count += 1
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def main() -> int:
    """Run the benchmark and print the timings."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()

    from aiosmtpd.controller import Controller
    from redis import Redis
    from sqlalchemy import func, insert, select

    redis_url = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/11")
    Redis.from_url(redis_url).flushdb()
    tmp = Path(tempfile.mkdtemp(prefix="academy-fanout-"))
    db_url = os.environ.get("BENCH_DATABASE_URL", f"sqlite:///{tmp / 'bench.sqlite'}")
    sink = Sink()
    port = _free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    env = {
        **os.environ,
        "ACADEMY_ENV": "development",
        "ACADEMY_INSTANCE_PATH": str(tmp),
        "SECRET_KEY": "fanout-bench",
        "DATABASE_URL": db_url,
        "REDIS_URL": redis_url,
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": str(port),
        "MAIL_USE_TLS": "0",
        "LOG_LEVEL": "WARNING",
    }
    os.environ.update(env)

    from academy import create_app
    from academy.auth.models import User
    from academy.extensions import db
    from academy.notifications import services
    from academy.notifications.models import Delivery, Mode, Preference, Status

    app = create_app()
    with app.app_context():
        db.drop_all()
        db.create_all()
        db.session.execute(
            insert(User),
            [
                {"email": f"member{i}@example.org", "name": f"Member {i}", "password_hash": "x"}
                for i in range(args.users)
            ],
        )
        author_id = db.session.scalar(select(User.id).order_by(User.id).limit(1))
        member_ids = list(db.session.scalars(select(User.id)))
        # Members who want every new thread at once: the worst case for e-mail volume.
        db.session.execute(
            insert(Preference),
            [{"user_id": uid, "event": "thread.created", "scope": "", "email": Mode.IMMEDIATE} for uid in member_ids],
        )
        db.session.commit()

        started = time.perf_counter()
        result = services.record(
            event="thread.created",
            recipients=member_ids,
            subject_type="thread",
            subject_id=1,
            scope="community:1",
            link="/c/icon/t/1",
            data={"community": "ICON", "title": "Cooperation Day 2026: ideas for local events"},
            actor=author_id,
        )
        db.session.commit()  # the delivery jobs go to Redis here
        written = time.perf_counter() - started
        print(
            f"record(): {result.notifications} notifications, {result.deliveries} deliveries, "
            f"{result.queued} queued in {written:.2f} s"
        )

    started = time.perf_counter()
    workers = [
        subprocess.Popen(  # noqa: S603 (our own interpreter and fixed arguments)
            [sys.executable, "-m", "flask", "--app", "wsgi", "academy", "worker", "--burst"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
        )
        for _ in range(args.workers)
    ]
    for worker in workers:
        worker.wait(timeout=3600)
    delivered = time.perf_counter() - started
    controller.stop()
    with app.app_context():
        sent = db.session.scalar(select(func.count(Delivery.id)).where(Delivery.status == Status.SENT))
    print(
        f"delivery: {sink.count} e-mails received by the SMTP sink, {sent} deliveries marked sent, "
        f"{args.workers} worker(s), {delivered:.2f} s ({sink.count / delivered:.0f} mails/s)"
    )
    return 0 if sink.count == sent == result.queued else 1


if __name__ == "__main__":
    raise SystemExit(main())
