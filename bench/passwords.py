"""Median time to hash and to verify a password with the configured argon2id cost."""

from __future__ import annotations

import statistics
import time

from academy import create_app
from academy.auth import passwords

RUNS = 30


def main() -> None:
    """Print median hash and verify times in milliseconds."""
    app = create_app({"ENV_NAME": "testing", "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    with app.app_context():
        cfg = app.config
        hashes, verifies = [], []
        for _ in range(RUNS):
            start = time.perf_counter()
            stored = passwords.hash_password("correct horse battery staple")
            hashes.append(time.perf_counter() - start)
            start = time.perf_counter()
            passwords.verify_password(stored, "correct horse battery staple")
            verifies.append(time.perf_counter() - start)
        print(f"argon2id t={cfg['ARGON2_TIME_COST']} m={cfg['ARGON2_MEMORY_KIB']} KiB p={cfg['ARGON2_PARALLELISM']}")
        print(f"hash   median {statistics.median(hashes) * 1000:.1f} ms over {RUNS} runs")
        print(f"verify median {statistics.median(verifies) * 1000:.1f} ms over {RUNS} runs")


if __name__ == "__main__":
    main()
