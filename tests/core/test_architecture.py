"""The architecture rules that a linter cannot see: no dotted-path strings naming academy code, no long modules."""

from __future__ import annotations

import ast
import importlib
import importlib.util
import re
from pathlib import Path

import academy

ROOT = Path(academy.__file__).parent
DOTTED = re.compile(r"academy(\.[A-Za-z_]\w*)+")
MAX_LINES = 400  # docs/architecture.md: split a module by responsibility before it grows past this


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


def test_no_module_is_over_400_lines():
    """Every module under academy/ stays short enough to read: a longer one is split by responsibility."""
    lengths = {
        str(path.relative_to(ROOT.parent)): len(path.read_text(encoding="utf-8").splitlines())
        for path in ROOT.rglob("*.py")
    }
    assert len(lengths) > 100  # the walk found the package, not an empty folder
    assert {path: n for path, n in sorted(lengths.items()) if n > MAX_LINES} == {}


# The layers of pyproject.toml's contract, lowest first; a feature's templates may use its own,
# lower features' and the shared ones (base, macros, errors, core), never a higher feature's.
TEMPLATE_LAYERS = [
    {"auth"},
    {"courses", "notifications"},
    {"quizzes", "community"},
    {"certificates"},
    {"programmes", "credentials"},
    {"api", "admin"},
]
TEMPLATE_USE = re.compile(r"""{%-?\s*(?:include|from|import|extends)\s+["']([a-z_]+)/""")


def _layer(feature: str) -> int | None:
    return next((n for n, names in enumerate(TEMPLATE_LAYERS) if feature in names), None)


def test_no_template_uses_a_higher_features_templates():
    """Higher features add to lower pages through registries (templating.register_template_slot), never by include."""
    offenders = []
    checked = 0
    for path in sorted((ROOT / "templates").rglob("*.html")):
        feature = path.relative_to(ROOT / "templates").parts[0]
        own = _layer(feature)
        if own is None:
            continue
        checked += 1
        for used in TEMPLATE_USE.findall(path.read_text(encoding="utf-8")):
            layer = _layer(used)
            if layer is not None and layer > own:
                offenders.append(f"{path.relative_to(ROOT)} uses {used}/")
    assert checked > 100
    assert offenders == []
