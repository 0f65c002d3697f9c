"""Drive one page with wrk (installed with apt-get when missing) or, failing that, a small threaded driver."""

from __future__ import annotations

import http.client
import shutil
import statistics
import subprocess
import tempfile
import threading
import time
import urllib.parse
from dataclasses import dataclass
from pathlib import Path

# One request of a rotation: method, path, Cookie header, form body ("" for none).
Item = tuple[str, str, str, str]

LUA = """
local items = {%(items)s}
local nthreads = %(threads)d
local counter = 0
local threads = {}
function setup(thread) thread:set("tid", counter); counter = counter + 1; table.insert(threads, thread) end
function init(args) i = tid; answered = {} end
function response(status, headers, body)
  local second = os.time()
  answered[second] = (answered[second] or 0) + 1
end
function request()
  local it = items[(i %% #items) + 1]
  i = i + nthreads
  local headers = {}
  if it[3] ~= "" then headers["Cookie"] = it[3] end
  local body = nil
  if it[4] ~= "" then headers["Content-Type"] = "application/x-www-form-urlencoded"; body = it[4] end
  return wrk.format(it[1], it[2], headers, body)
end
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT %%d %%d %%d %%d %%d %%d\\n", summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(95), latency:percentile(99),
    e.status + e.connect + e.read + e.write + e.timeout))
  local seconds = {}
  for _, thread in ipairs(threads) do
    for second, n in pairs(thread:get("answered")) do seconds[second] = (seconds[second] or 0) + n end
  end
  local keys = {}
  for second in pairs(seconds) do table.insert(keys, second) end
  table.sort(keys)
  local line = "PERSECOND"
  for _, second in ipairs(keys) do line = line .. " " .. seconds[second] end
  io.write(line .. "\\n")
end
"""


@dataclass
class Result:
    """Throughput and latency of one page."""

    requests: int
    seconds: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    errors: int
    # Answers per wall-clock second of the run (wrk only; the first and last seconds are partial).
    per_second: tuple[int, ...] = ()

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def ensure_wrk() -> str | None:
    """The wrk binary; installs Debian's package once if missing (we run as root); None if impossible."""
    found = shutil.which("wrk")
    if found:
        return found
    try:
        subprocess.run(["apt-get", "install", "-y", "wrk"], check=True, capture_output=True, timeout=300)  # noqa: S607
    except (OSError, subprocess.SubprocessError):
        return None
    return shutil.which("wrk")


def _lua_string(text: str) -> str:
    return "[==[" + text + "]==]"


def run(base_url: str, items: list[Item], *, connections: int, seconds: int, threads: int = 2) -> Result:
    """Hammer `items` in rotation for `seconds` with `connections` open connections."""
    wrk = ensure_wrk()
    if wrk is None:
        return run_python(base_url, items, connections=connections, seconds=seconds)
    rows = ",".join("{" + ",".join(_lua_string(part) for part in item) + "}" for item in items)
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(LUA % {"items": rows, "threads": threads})
    try:
        out = subprocess.run(  # noqa: S603 (fixed arguments)
            [wrk, "-t", str(threads), "-c", str(connections), "-d", f"{seconds}s", "--timeout", "10s",
             "-s", script.name, base_url],
            check=True, capture_output=True, text=True, timeout=seconds + 60,
        )  # fmt: skip
    finally:
        Path(script.name).unlink()
    line = next(x for x in out.stdout.splitlines() if x.startswith("RESULT "))
    requests, micros, p50, p95, p99, errors = (int(v) for v in line.split()[1:])
    counts = next((x.split()[1:] for x in out.stdout.splitlines() if x.startswith("PERSECOND")), [])
    return Result(requests, micros / 1e6, p50 / 1000, p95 / 1000, p99 / 1000, errors, tuple(int(n) for n in counts))


def run_python(base_url: str, items: list[Item], *, connections: int, seconds: int) -> Result:
    """The fallback driver: one keep-alive connection per thread, bounded in time."""
    parts = urllib.parse.urlsplit(base_url)
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def worker(offset: int) -> None:
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
        mine, k = [], offset
        while time.monotonic() < stop:
            method, path, cookie, body = items[k % len(items)]
            k += connections
            headers = {"Cookie": cookie} if cookie else {}
            if body:
                headers["Content-Type"] = "application/x-www-form-urlencoded"
            started = time.perf_counter()
            try:
                conn.request(method, path, body=body or None, headers=headers)
                response = conn.getresponse()
                response.read()
                ok = response.status < 400
            except (OSError, http.client.HTTPException):
                conn.close()
                conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
                ok = False
            mine.append(time.perf_counter() - started)
            if not ok:
                with lock:
                    errors[0] += 1
        with lock:
            latencies.extend(mine)

    workers = [threading.Thread(target=worker, args=(i,)) for i in range(connections)]
    begun = time.monotonic()
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    elapsed = time.monotonic() - begun
    if len(latencies) < 2:
        return Result(len(latencies), elapsed, 0, 0, 0, errors[0])
    cuts = statistics.quantiles(latencies, n=100)
    return Result(len(latencies), elapsed, cuts[49] * 1000, cuts[94] * 1000, cuts[98] * 1000, errors[0])


def visit_all(base_url: str, items: list[Item], *, connections: int) -> None:
    """Request every item of a rotation once (`connections` at a time), answers ignored."""
    from concurrent.futures import ThreadPoolExecutor

    parts = urllib.parse.urlsplit(base_url)

    def one(item: Item) -> None:
        method, path, cookie, body = item
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
        headers = {"Cookie": cookie} if cookie else {}
        try:
            conn.request(method, path, body=body or None, headers=headers)
            conn.getresponse().read()
        except (OSError, http.client.HTTPException):
            pass
        finally:
            conn.close()

    with ThreadPoolExecutor(connections) as pool:
        list(pool.map(one, items))
