"""The ceiling: a bare Flask app answering "Hello", served by gunicorn exactly like Academy in bench/pages.py."""

from flask import Flask

app = Flask(__name__)


@app.get("/")
def hello() -> str:
    """The cheapest page Flask can serve."""
    return "Hello, Interreg!"
