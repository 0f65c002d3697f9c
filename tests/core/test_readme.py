"""The README's layout section names what is really in academy/."""

from __future__ import annotations

import re
from pathlib import Path

import academy

ROOT = Path(academy.__file__).parent
README = ROOT.parent / "README.md"


def _layout_block() -> str:
    text = README.read_text(encoding="utf-8")
    section = text.split("## Layout", 1)[1]
    return section.split("```", 2)[1]


def test_layout_names_every_module_and_package_of_academy() -> None:
    block = _layout_block()
    named = set(re.findall(r"[\w.]+", block))
    entries = {p.name for p in ROOT.iterdir() if not p.name.startswith((".", "__pycache__"))}
    missing = sorted(e for e in entries if e not in named and e.rstrip("/") not in named)
    assert not missing, f"README layout does not mention: {missing}"


def test_layout_names_nothing_that_is_gone() -> None:
    block = _layout_block()
    files = set(re.findall(r"\b([a-z_]+\.py)\b", block.split("courses/", 1)[0]))
    gone = sorted(f for f in files if not (ROOT / f).exists() and not (ROOT.parent / f).exists())
    assert not gone, f"README layout names files that do not exist: {gone}"


def test_readme_points_to_the_architecture_document() -> None:
    assert "docs/architecture.md" in README.read_text(encoding="utf-8")
    assert (ROOT.parent / "docs" / "architecture.md").exists()
