"""requirements.txt is compiled from requirements.in: everything pinned, direct pins identical."""

from __future__ import annotations

import re

import config

_REQ = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(\[[^\]]*\])?\s*(==\s*([^\s#;]+))?")


def _name(raw: str) -> str:
    return re.sub(r"[-_.]+", "-", raw.lower())


def _requirements(filename: str) -> dict[str, str | None]:
    out: dict[str, str | None] = {}
    for line in (config.ROOT / filename).read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith(("#", "-")):
            continue
        match = _REQ.match(line)
        assert match, f"{filename}: cannot read {line!r}"
        out[_name(match.group(1))] = match.group(4)
    return out


def test_every_runtime_requirement_is_pinned():
    unpinned = [name for name, version in _requirements("requirements.txt").items() if not version]
    assert not unpinned, f"pin these in requirements.txt (pip-compile requirements.in): {unpinned}"


def test_requirements_txt_is_compiled_from_requirements_in():
    direct = _requirements("requirements.in")
    compiled = _requirements("requirements.txt")
    missing = sorted(name for name in direct if name not in compiled)
    assert not missing, f"in requirements.in but not compiled into requirements.txt: {missing}"
    moved = sorted(f"{n} {direct[n]} != {compiled[n]}" for n in direct if direct[n] and direct[n] != compiled[n])
    assert not moved, f"requirements.txt pins differ from requirements.in: {moved}"


def test_dev_tools_are_pinned_and_bandit_is_among_them():
    dev = _requirements("requirements-dev.txt")
    assert all(dev.values()), dev
    assert "bandit" in dev
