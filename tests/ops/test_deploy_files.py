"""The deploy/ files, checked as far as a machine without a container engine or systemd as init can.

Not verified here (docs/deploy.md says so): that the image builds, that compose starts the services,
that systemd runs the units. Verified: the compose file's services, health checks, dependencies and
environment; the Dockerfile's stages, user, health check and that what it copies is enough to start
the app; the units' syntax (systemd-analyze, when installed) and that their commands exist.
"""

from __future__ import annotations

import ast
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
UNITS = DEPLOY / "systemd"

pytestmark = pytest.mark.once  # independent of the test database: one pass of `dev test` is enough


def _compose() -> dict:
    return yaml.safe_load((DEPLOY / "compose.yaml").read_text())


def test_compose_runs_postgres_redis_web_and_worker_with_health_checks_and_restarts():
    compose = _compose()
    services = compose["services"]
    assert {"postgres", "redis", "migrate", "web", "worker"} <= set(services)
    for name in ("postgres", "redis", "web", "worker"):
        assert services[name]["restart"] in ("always", "unless-stopped"), name
        assert "user" not in services[name] or services[name]["user"] not in ("root", "0"), name
        assert not services[name].get("privileged"), name
    assert services["postgres"]["healthcheck"]["test"][:2] == ["CMD", "pg_isready"]
    assert services["redis"]["healthcheck"]["test"] == ["CMD", "redis-cli", "ping"]
    # web and worker run the image built from deploy/Dockerfile, after the migrations, on both services.
    for name in ("migrate", "web", "worker"):
        service = services[name]
        assert service["build"] == {"context": "..", "dockerfile": "deploy/Dockerfile"}
        env = service["environment"]
        assert "@postgres:5432/" in env["DATABASE_URL"] and env["REDIS_URL"].startswith("redis://redis:6379/")
        assert env["SECRET_KEY"].startswith("${SECRET_KEY:?")  # refuses to start without one
        assert "academy-data:/data" in service["volumes"]
    assert services["migrate"]["command"] == ["flask", "db", "upgrade"]
    assert services["worker"]["command"] == ["flask", "academy", "worker"]
    for name in ("web", "worker"):
        assert services[name]["depends_on"] == {"migrate": {"condition": "service_completed_successfully"}}
    assert services["migrate"]["depends_on"] == {
        "postgres": {"condition": "service_healthy"},
        "redis": {"condition": "service_healthy"},
    }
    assert "healthcheck" not in services["web"]  # the image's HEALTHCHECK (/healthz) applies
    assert set(compose["volumes"]) == {"academy-data", "postgres-data", "redis-data"}


def _stages(dockerfile: str) -> list[list[tuple[str, str]]]:
    """The Dockerfile's instructions (continuation lines joined), grouped by FROM."""
    text = re.sub(r"\\\n", " ", dockerfile)
    stages: list[list[tuple[str, str]]] = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        keyword, _, rest = line.partition(" ")
        if keyword.upper() == "FROM":
            stages.append([])
        stages[-1].append((keyword.upper(), rest.strip()))
    return stages


def test_the_image_is_multi_stage_non_root_with_a_health_check():
    stages = _stages((DEPLOY / "Dockerfile").read_text())
    assert len(stages) >= 2 and stages[0][0][1].endswith(" AS build")
    final = dict(stages[-1])
    assert any(k == "COPY" and v.startswith("--from=build ") for k, v in stages[-1])
    assert "pip" not in " ".join(v for k, v in stages[-1] if k == "RUN")  # no build tools in the runtime image
    assert final["USER"] not in ("root", "0")
    assert re.search(rf"useradd .*\b{final['USER']}\b", final["RUN"])
    check = final["HEALTHCHECK"]
    assert "/healthz" in check
    code = re.search(r'CMD python -c "(.*)"$', check).group(1)
    ast.parse(code)  # the health check's Python is valid
    assert "gunicorn -c deploy/gunicorn.conf.py wsgi:app" in final["CMD"]
    assert final["EXPOSE"] == "8000"


def test_what_the_image_copies_is_enough_to_start_the_app(tmp_path):
    """Copy exactly what the Dockerfile copies and load the app and its migrations from there."""
    app_dir = tmp_path / "app"
    app_dir.mkdir()
    for keyword, rest in _stages((DEPLOY / "Dockerfile").read_text())[-1]:
        if keyword != "COPY" or rest.startswith("--from="):
            continue
        *sources, target = shlex.split(rest)
        for source in sources:
            origin = ROOT / source
            assert origin.exists(), f"the Dockerfile copies {source}, which is not in the repository"
            relative = target.removeprefix("./")  # relative to WORKDIR /app
            dest = app_dir / relative / Path(source).name if target.endswith("/") else app_dir / relative
            dest.parent.mkdir(parents=True, exist_ok=True)
            if origin.is_dir():
                shutil.copytree(origin, dest, ignore=shutil.ignore_patterns("__pycache__"))
            else:
                shutil.copy2(origin, dest)
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("ACADEMY_", "DATABASE_URL", "REDIS_URL"))},
        "ACADEMY_ENV": "production",
        "SECRET_KEY": "a-secret-for-this-test-only",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'image.sqlite'}",
        "ACADEMY_INSTANCE_PATH": str(tmp_path / "data"),
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    flask = [sys.executable, "-m", "flask", "--app", "wsgi"]
    upgrade = subprocess.run([*flask, "db", "upgrade"], cwd=app_dir, env=env, capture_output=True, text=True)
    assert upgrade.returncode == 0, upgrade.stderr[-3000:]
    conf = subprocess.run(
        [sys.executable, "-m", "gunicorn", "-c", "deploy/gunicorn.conf.py", "--check-config", "wsgi:app"],
        cwd=app_dir,
        env=env,
        capture_output=True,
        text=True,
    )
    assert conf.returncode == 0, conf.stderr[-3000:]


def _unit(path: Path) -> dict[str, list[str]]:
    """A unit file's keys (repeatable ones keep every value)."""
    keys: dict[str, list[str]] = {}
    for line in path.read_text().splitlines():
        if "=" in line and not line.lstrip().startswith(("#", "[")):
            key, _, value = line.partition("=")
            keys.setdefault(key.strip(), []).append(value.strip())
    return keys


def test_the_systemd_units_run_commands_that_exist_as_an_unprivileged_user():
    from academy import create_app

    cli = create_app({"ENV_NAME": "testing", "SQLALCHEMY_DATABASE_URI": "sqlite://"}).cli
    academy_commands = set(cli.get_command(None, "academy").commands)
    bin_dir = Path(sys.executable).parent
    for name in ("academy-web.service", "academy-worker.service", "academy-backup.service"):
        unit = _unit(UNITS / name)
        assert unit["User"] == ["academy"] and unit["WorkingDirectory"] == ["/opt/academy"], name
        commands = unit.get("ExecStartPre", []) + unit["ExecStart"]
        for command in commands:
            words = shlex.split(command)
            if words[0] == "/bin/sh":  # the backup's shell line: look inside it
                words = shlex.split(words[2].removeprefix("exec "))
            program = words[0]
            if program.startswith("/opt/academy/.venv/bin/"):
                # The install puts the repository in /opt/academy with its own .venv: the same programs as ours.
                assert (bin_dir / Path(program).name).exists() or shutil.which(Path(program).name), command
            else:
                assert Path(program).exists(), command
            if Path(program).name == "flask" and "academy" in words:
                assert words[words.index("academy") + 1] in academy_commands, command
            if "-c" in words:
                assert (ROOT / words[words.index("-c") + 1]).exists(), command
    assert _unit(UNITS / "academy-web.service")["Restart"] == ["always"]
    assert _unit(UNITS / "academy-worker.service")["Restart"] == ["always"]
    assert _unit(UNITS / "academy-backup.timer")["OnCalendar"]


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze is not installed")
def test_systemd_finds_nothing_wrong_with_the_units_but_the_install_path():
    units = sorted(str(p) for p in UNITS.iterdir())
    result = subprocess.run(["systemd-analyze", "verify", *units], capture_output=True, text=True, cwd=UNITS)
    problems = [
        line
        for line in (result.stdout + result.stderr).splitlines()
        if line.strip() and not re.search(r"Command /opt/academy/\S+ is not executable", line)
    ]
    assert problems == []
