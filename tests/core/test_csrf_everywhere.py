"""Every state-changing HTML route refuses a POST without a CSRF token, derived from the URL map."""

from __future__ import annotations

import pytest
from werkzeug.routing import Rule

from academy import create_app

# Endpoints that authenticate by other means than a browser session: the API (bearer tokens) and
# RFC 8058 one-click unsubscribe (mail clients POST without a form; the signed URL is the proof).
CSRF_EXEMPT_PREFIXES: tuple[str, ...] = ("api.", "notifications.unsubscribe")
DUMMY = {
    "integer": 1,
    "boundedinteger": 1,  # academy.inputs: the app's `int` converter, bounded to 32 bits
    "number": 1,
    "string": "x",
    "path": "x",
    "uuid": "00000000-0000-0000-0000-000000000000",
    "default": "x",
}


def _state_changing_rules() -> list[Rule]:
    app = create_app({"ENV_NAME": "testing", "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    rules = []
    for rule in app.url_map.iter_rules():
        methods = (rule.methods or set()) & {"POST", "PUT", "PATCH", "DELETE"}
        if methods and not rule.endpoint.startswith(CSRF_EXEMPT_PREFIXES):
            rules.append(rule)
    return sorted(rules, key=lambda r: r.rule)


def _url(rule: Rule) -> str:
    values = {
        name: DUMMY.get(type(converter).__name__.replace("Converter", "").lower(), "x")
        for name, converter in rule._converters.items()
    }
    return rule.map.bind("localhost").build(rule.endpoint, values, force_external=False)


RULES = _state_changing_rules()


def test_the_url_map_has_state_changing_routes():
    assert len(RULES) >= 5


@pytest.mark.parametrize("rule", RULES, ids=[r.rule for r in RULES])
def test_post_without_csrf_token_is_refused(client, admin, rule):
    for method in sorted((rule.methods or set()) & {"POST", "PUT", "PATCH", "DELETE"}):
        response = client.open(_url(rule), method=method, data={"anything": "1"})
        assert response.status_code == 400, f"{method} {_url(rule)} answered {response.status_code}"
