"""Constants shared by the parts of the generator."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime

BATCH = 5_000
BASE = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)
PASSWORD = "interreg-bench-2027"  # every generated account's password
EMAIL_DOMAIN = "bench.academy.example"
OUTCOMES_PER_COURSE = 4
PERMUTATIONS = list(itertools.permutations(range(4)))
