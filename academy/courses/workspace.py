"""The trainer's course workspace: one tab bar shared by every page that manages a course.

Courses own the tab bar but do not know the features built on them: quizzes and certificates
register their tabs (Assessment, Grading, Learners, Analytics, Certificates) with
`register_tab`, and every trainer page of a course renders `courses/trainer/_workspace.html`.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask, current_app, request, url_for

_TABS = "academy_course_workspace_tabs"


@dataclass(frozen=True)
class Tab:
    """One tab: its label, the page it opens, and the endpoints that belong to it (marked current)."""

    key: str
    label: object  # a lazy string, translated when rendered
    endpoint: str
    order: int
    endpoints: frozenset[str] = frozenset()
    anchor: str | None = None

    def url(self, slug: str) -> str:
        """The tab's page for the course with this slug."""
        return url_for(self.endpoint, slug=slug, _anchor=self.anchor)

    def is_current(self, endpoint: str | None = None) -> bool:
        """True when the page being shown belongs to this tab."""
        endpoint = endpoint if endpoint is not None else request.endpoint
        return endpoint == self.endpoint or endpoint in self.endpoints


def register_tab(app: Flask, tab: Tab) -> None:
    """Add a tab to every course workspace (a feature calls this when its blueprint registers)."""
    tabs = app.extensions.setdefault(_TABS, {})
    tabs[tab.key] = tab


def tabs() -> list[Tab]:
    """The registered tabs, in order."""
    return sorted(current_app.extensions.get(_TABS, {}).values(), key=lambda tab: (tab.order, tab.key))


def current_tab() -> Tab | None:
    """The tab the current page belongs to, if any."""
    return next((tab for tab in tabs() if tab.is_current()), None)
