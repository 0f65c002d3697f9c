"""bench/explain.py flags sequential scans on large tables, at any depth of a plan, and only those."""

from __future__ import annotations

from bench import explain

SIZES = {"quiz_responses": 5_000_000, "quizzes": 400}


def test_a_nested_sequential_scan_on_a_large_table_is_flagged():
    plan = {
        "Node Type": "Sort",
        "Plans": [
            {
                "Node Type": "Hash Join",
                "Plans": [
                    {"Node Type": "Seq Scan", "Relation Name": "quiz_responses"},
                    {"Node Type": "Seq Scan", "Relation Name": "quizzes"},
                ],
            }
        ],
    }
    assert explain.large_seq_scans(plan, SIZES) == ["quiz_responses"]


def test_index_scans_and_small_tables_pass():
    plan = {
        "Node Type": "Nested Loop",
        "Plans": [
            {
                "Node Type": "Index Scan",
                "Relation Name": "quiz_responses",
                "Index Name": "ix_quiz_responses_attempt_id",
            },
            {"Node Type": "Seq Scan", "Relation Name": "quizzes"},
        ],
    }
    assert explain.large_seq_scans(plan, SIZES) == []


def test_the_capture_listener_keeps_only_explainable_statements(app, db):
    from sqlalchemy import text

    def run() -> None:
        db.session.execute(text("SELECT 1"))
        db.session.execute(text("CREATE TEMPORARY TABLE t_explain (x INTEGER)"))
        db.session.execute(text("INSERT INTO t_explain VALUES (1)"))
        db.session.execute(text("UPDATE t_explain SET x = 2"))

    statements = [s for s, _params in explain.capture(db.engine, run)]
    assert [s.split()[0] for s in statements] == ["SELECT", "UPDATE"]
