"""WSGI entry point: `gunicorn wsgi:app`."""

import gc

from academy import create_app

app = create_app()
# What the app has loaded (modules, templates, routes, settings) lives as long as the process: out of
# the collector's sight, a full collection walks only what requests made since, instead of stopping a
# worker for a quarter of a second now and then (docs/performance.md, "Garbage collection").
gc.freeze()
