"""The signed-in start page's panels: features register providers, the home page shows what they return.

Like the nav badges and the bell (academy/templating.py), this keeps `core` independent of the
features: courses, programmes, certificates and communities each register a provider when their
blueprint is registered, and a feature that is not installed simply adds no panel.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask import Flask, current_app, render_template
from markupsafe import Markup

_REGISTRY = "academy_home_panels"


@dataclass
class HomePanel:
    """One section of the start page: a heading, a template rendered with `context`, where it goes."""

    title: str
    template: str
    context: dict[str, Any] = field(default_factory=dict)
    order: int | None = None  # None: the order given at registration
    name: str = ""  # set from the registration: ids and CSS hooks
    more_url: str = ""  # an optional "see everything" link beside the heading
    more_label: str = ""
    wide: bool = False  # spans the whole width of the page
    stylesheets: tuple[str, ...] = ()  # static paths the panel's template needs, e.g. "css/courses.css"


@dataclass
class RenderedPanel:
    """A panel with its body rendered, ready for the home template."""

    panel: HomePanel
    body: Markup


def register_home_panel(app: Flask, name: str, provider: Callable[[], HomePanel | None], *, order: int) -> None:
    """Let a feature add a panel to the signed-in home page; the provider returns None when it has nothing."""
    app.extensions.setdefault(_REGISTRY, {})[name] = (order, provider)


def panels() -> list[HomePanel]:
    """The current user's panels in order, those with nothing to show left out."""
    out = []
    for name, (order, provider) in current_app.extensions.get(_REGISTRY, {}).items():
        panel = provider()
        if panel is None:
            continue
        out.append(dataclasses.replace(panel, name=name, order=order if panel.order is None else panel.order))
    out.sort(key=lambda panel: (panel.order, panel.name))
    return out


def render_panels(items: list[HomePanel]) -> list[RenderedPanel]:
    """Render each panel's template with its own context."""
    # An autoescaped template's output is HTML already: marking it safe does not trust any input.
    return [
        RenderedPanel(panel=p, body=Markup(render_template(p.template, **p.context)))  # noqa: S704
        for p in items
    ]
