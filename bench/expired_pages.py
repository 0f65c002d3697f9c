#!/usr/bin/env python3
"""Signed-in pages right after their stored copies expired: the burst of first views each round of bench/pages.py meets.

    .venv/bin/python bench/expired_pages.py [--pages dashboard,course] [--rounds 2] [--wait 65]
                                            [--redis-url redis://127.0.0.1:6379/7] [--workers 2]

Same servers, data and rotations as bench/pages.py (size M on PostgreSQL, gunicorn -w 2,
wrk -t1 -c16 -d10s, each run right after a bare-Flask hello). Per page and round it runs the page
twice: "stored", right after a warm-up while every learner's copy is fresh, and "expired", after --wait seconds idle
(longer than PRIVATE_CACHE_SECONDS), so the run opens with every learner's first view at once. It
prints, beside the ratio to hello and p50/p95/p99, the answers per second of the expired run (the
dip at the start is the burst) and, with Redis, how many pages were rendered (Redis SETs): one per
learner when the workers share what one of them rendered.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import load, page_cpu, pages  # noqa: E402
from bench.server import Gunicorn, academy_env  # noqa: E402


def _sets(redis_url: str | None) -> int | None:
    if not redis_url:
        return None
    from redis import Redis

    stats = Redis.from_url(redis_url).info("commandstats")
    return int(stats.get("cmdstat_set", {}).get("calls", 0))


def main() -> int:
    """Stored and expired runs of each page, per round; one line each."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="M", choices=["XS", "S", "M", "L"])
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--pages", default="dashboard,course", help=f"any of {','.join(pages.SIGNED_IN)}")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--wait", type=int, default=65, help="idle seconds before the expired run")
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--learners", type=int, default=32)
    parser.add_argument("--redis-url", default=None)
    args = parser.parse_args()
    chosen = [p.strip() for p in args.pages.split(",") if p.strip()]
    if set(chosen) - set(pages.SIGNED_IN):
        parser.error(f"signed-in pages only: {', '.join(pages.SIGNED_IN)}")
    args.attempts = 0
    args.instance = Path(tempfile.mkdtemp(prefix="academy-expired-"))
    url = pages.prepare_database(args)
    app = pages.setup_app(url, args.instance)
    env = academy_env(url, args.instance, args.redis_url)
    run = {"connections": args.connections, "seconds": args.seconds, "threads": 1}
    redis = "on" if args.redis_url else "off"
    print(f"gunicorn -w {args.workers}; wrk -t1 -c{args.connections} -d{args.seconds}s; {args.learners} learners; "
          f"idle {args.wait} s before each expired run; redis {redis}", flush=True)  # fmt: skip
    print("page        round  run      vs hello  p50 ms  p95 ms  p99 ms  worker CPU ms  rendered  answers per second")
    with (
        Gunicorn("wsgi:app", env=env, workers=args.workers) as academy,
        Gunicorn("hello:app", env=env, workers=args.workers, cwd=ROOT / "bench") as hello,
    ):
        items = pages.rotations(app, academy.url, args, chosen)
        workers = page_cpu.worker_pids(academy.process.pid)
        for number in range(1, args.rounds + 1):
            for page in chosen:
                load.run(academy.url, items[page], **{**run, "seconds": 2})  # every learner's copy stored
                for label in ("stored", "expired"):
                    if label == "expired":
                        time.sleep(args.wait)
                    ceiling = load.run(hello.url, [("GET", "/", "", "")], **run)
                    before, sets = page_cpu.cpu_seconds(workers), _sets(args.redis_url)
                    result = load.run(academy.url, items[page], **run)
                    page_cpu.wait_idle(workers)
                    cpu = (page_cpu.cpu_seconds(workers) - before) * 1000 / max(result.requests, 1)
                    after = _sets(args.redis_url)
                    rendered = "–" if sets is None or after is None else str(after - sets)
                    ratio = f"1/{ceiling.rps / result.rps:.1f}" if result.rps else "–"
                    seconds = " ".join(str(n) for n in result.per_second[:4])
                    print(
                        f"{page:11s} {number:5d}  {label:7s}  {ratio:>8s}  {result.p50_ms:6.1f}  {result.p95_ms:6.1f}"
                        f"  {result.p99_ms:6.1f}  {cpu:13.2f}  {rendered:>8s}  {seconds} …",
                        flush=True,
                    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
