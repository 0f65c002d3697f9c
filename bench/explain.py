"""EXPLAIN the statements each page runs; flag sequential scans on large tables (PostgreSQL).

Statements are captured with a SQLAlchemy before_cursor_execute listener while the page is requested
through the test client of an app on the benchmark database, then explained with their own
parameters (EXPLAIN without ANALYZE: nothing runs twice).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import event, text

LARGE_ROWS = 10_000  # a table above this many rows must be reached through an index
TABLE_ROWS = """
    SELECT relname, reltuples::bigint FROM pg_class
    WHERE relkind = 'r' AND relnamespace = 'public'::regnamespace
"""
_EXPLAINABLE = re.compile(r"\s*(SELECT|UPDATE|DELETE|WITH)\b", re.I)


@dataclass
class PageFindings:
    """What one page's statements do to the planner."""

    statements: int = 0
    seq_scans: list[tuple[str, int, str]] = field(default_factory=list)  # table, rows, statement start

    @property
    def ok(self) -> bool:
        return not self.seq_scans


def capture(engine, request: Callable[[], object], *others) -> list[tuple[str, object]]:  # noqa: ANN001, ANN002
    """Run `request()` and return the (statement, parameters) it sent (through `engine` and any of `others`)."""
    seen: list[tuple[str, object]] = []

    def before(conn, cursor, statement, parameters, context, executemany):  # noqa: ANN001
        if not executemany and _EXPLAINABLE.match(statement):
            seen.append((statement, parameters))

    engines = [engine, *(other for other in others if other.pool is not engine.pool)]
    for one in engines:
        event.listen(one, "before_cursor_execute", before)
    try:
        request()
    finally:
        for one in engines:
            event.remove(one, "before_cursor_execute", before)
    return seen


def table_rows(engine) -> dict[str, int]:  # noqa: ANN001
    """Estimated rows per table, from the planner's statistics."""
    with engine.connect() as conn:
        rows = conn.execute(text(TABLE_ROWS))
        return {name: int(count) for name, count in rows}


def _walk(plan: dict, out: list[dict]) -> None:
    out.append(plan)
    for child in plan.get("Plans", []):
        _walk(child, out)


def large_seq_scans(plan: dict, sizes: dict[str, int]) -> list[str]:
    """Tables above LARGE_ROWS that a plan (EXPLAIN FORMAT JSON's "Plan") reads by sequential scan."""
    nodes: list[dict] = []
    _walk(plan, nodes)
    return [
        node["Relation Name"]
        for node in nodes
        if node.get("Node Type") == "Seq Scan" and sizes.get(node.get("Relation Name", ""), 0) > LARGE_ROWS
    ]


def explain(engine, statements: list[tuple[str, object]], sizes: dict[str, int]) -> PageFindings:  # noqa: ANN001
    """EXPLAIN (FORMAT JSON) each statement; list sequential scans on tables above LARGE_ROWS."""
    findings = PageFindings(statements=len(statements))
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        for statement, parameters in statements:
            cursor.execute("EXPLAIN (FORMAT JSON) " + statement, parameters or None)
            result = cursor.fetchone()[0]
            plan = (json.loads(result) if isinstance(result, str) else result)[0]["Plan"]
            for table in large_seq_scans(plan, sizes):
                findings.seq_scans.append((table, sizes[table], " ".join(statement.split())[:160]))
        raw.rollback()
    finally:
        raw.close()
    return findings
