"""Gunicorn settings file for the benchmarks: each worker notes when it has loaded the app.

Without --preload every worker imports the app after the fork; on a loaded machine that takes
seconds, and a benchmark that started then would measure imports. bench/server.py waits for one
file per worker in GUNICORN_READY_DIR.
"""

import os
from pathlib import Path


def post_worker_init(worker) -> None:  # noqa: ANN001
    """Touch GUNICORN_READY_DIR/<pid> once the worker can serve."""
    folder = os.environ.get("GUNICORN_READY_DIR")
    if folder:
        Path(folder, str(os.getpid())).touch()
