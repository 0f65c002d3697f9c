"""The architecture rules that a linter cannot see: no dotted-path strings naming academy code."""

from __future__ import annotations

import ast
import importlib
import importlib.util
import re
from pathlib import Path

import academy

ROOT = Path(academy.__file__).parent
DOTTED = re.compile(r"academy(\.[A-Za-z_]\w*)+")


def _names_code(path: str) -> bool:
    """True when the dotted path is an academy module or an attribute of one."""
    parts = path.split(".")
    for cut in range(len(parts), 0, -1):
        module = ".".join(parts[:cut])
        try:
            if importlib.util.find_spec(module) is None:
                continue
        except ModuleNotFoundError:  # a parent is a module, not a package
            continue
        target = importlib.import_module(module)
        for name in parts[cut:]:
            if not hasattr(target, name):
                return False
            target = getattr(target, name)
        return True
    return False


def _string_literals() -> list[tuple[str, int, str]]:
    found = []
    for path in sorted(ROOT.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and DOTTED.fullmatch(node.value):
                found.append((str(path.relative_to(ROOT.parent)), node.lineno, node.value))
    return found


def test_no_string_literal_names_academy_code():
    """Features reach each other through imports and events, never through dotted paths RQ or a registry resolve."""
    offenders = [f"{file}:{line}: {value!r}" for file, line, value in _string_literals() if _names_code(value)]
    assert offenders == []


def test_the_check_recognises_a_dotted_path():
    assert _names_code("academy.certificates.jobs.notify_progress")
    assert _names_code("academy.jobs")
    assert not _names_code("academy.notifications.unsubscribe")  # a salt, not code
