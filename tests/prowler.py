"""Prowler, the open-source auditor, in a virtual environment of its own (never the lab's).

Prowler (https://pypi.org/project/prowler/) is what security teams run to check an AWS account
against the CIS AWS Foundations Benchmark. tests/system/test_prowler_agrees.py runs it against the
sandbox. It is installed once from PyPI into AWSLAB_PROWLER_HOME (default
~/.cache/awslab-prowler), with uv when it is on PATH or in .uv/, else with `python -m venv` and
pip, and reused afterwards. Locally, without the package index, the test skips; in CI (CI=true)
it fails, since CI has the index.

Every package is pinned in tests/prowler-requirements.txt, so uv installs without resolving
Prowler's 247 dependencies (measured on a fresh machine: 18 s instead of 32 s, and 2 s instead of
24 s from uv's cache), and Prowler's verdicts do not move with a dependency's release. Made with:
    echo prowler==5.46.0 | uv pip compile --no-annotate - -o tests/prowler-requirements.txt \
      --custom-compile-command "tests/prowler.py (see its docstring)"
On a Python the pins do not fit, Prowler is installed with its dependencies resolved.
"""

from __future__ import annotations

import csv
import fcntl
import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import ROOT

VERSION = "5.46.0"
FRAMEWORK = "cis_5.0_aws"
STATUSES = ("FAIL", "PASS", "MANUAL")  # a control's verdict: its findings' worst, in this order


def prowler_home() -> Path:
    return Path(os.environ.get("AWSLAB_PROWLER_HOME") or Path.home() / ".cache" / "awslab-prowler")


PINS = Path(__file__).with_name("prowler-requirements.txt")


def venv() -> Path:
    """Named for the version and the pins: new pins, a new environment."""
    return prowler_home() / f"prowler-{VERSION}-{hashlib.sha256(PINS.read_bytes()).hexdigest()[:8]}"


def _installed(path: Path) -> bool:
    return (path / ".awslab-installed").exists() and (path / "bin" / "prowler").exists()


def require_prowler() -> tuple[Path, float]:
    """The virtual environment holding Prowler (installed now if need be), and the seconds the
    installation took (0 when it was there already)."""
    path = venv()
    if _installed(path):
        return path, 0.0
    prowler_home().mkdir(parents=True, exist_ok=True)
    with open(prowler_home() / "install.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # one installation at a time (parallel test workers)
        if _installed(path):
            return path, 0.0
        started = time.monotonic()
        problem = _install(path)
        if problem:
            shutil.rmtree(path, ignore_errors=True)
            message = f"Prowler {VERSION} could not be installed from PyPI into {path}: {problem}"
            if os.environ.get("CI") == "true":
                pytest.fail(message + " (CI must reach the package index)")
            pytest.skip(message)
        (path / ".awslab-installed").write_text(VERSION)
        return path, time.monotonic() - started


def _install(path: Path) -> str | None:
    """None when Prowler is installed, else what went wrong (the last lines of the output)."""
    uv = shutil.which("uv") or str(ROOT / ".uv" / "bin" / "uv")
    python = str(path / "bin" / "python")
    if os.access(uv, os.X_OK):
        make = [uv, "venv", "--quiet", "--python", sys.executable, str(path)]
        pinned = [uv, "pip", "sync", "--quiet", "--python", python, str(PINS)]
        resolved = [uv, "pip", "install", "--quiet", "--python", python, f"prowler=={VERSION}"]
    else:
        make = [sys.executable, "-m", "venv", str(path)]
        pip = [python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
        pinned, resolved = [*pip, "-r", str(PINS)], [*pip, f"prowler=={VERSION}"]
    # Pinned, else resolved; then Prowler's modules compiled once, as its first run would
    # (the two stages' first runs would each compile them, side by side).
    return _run(make) or (_run(pinned) and _run(resolved)) or _run([python, "-c", "import prowler.__main__"])


def _run(step: list[str]) -> str | None:
    try:
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        done = subprocess.run(step, capture_output=True, text=True, timeout=1800,
                              env=dict(env, UV_PYTHON_DOWNLOADS="never"))
    except (OSError, subprocess.TimeoutExpired) as error:
        return str(error)
    if done.returncode != 0:
        return " ".join((done.stdout + done.stderr).strip().splitlines()[-3:])
    return None


def requirements(path: Path) -> dict[str, list[str]]:
    """Prowler's own CIS v5.0 mapping: control (e.g. "1.5") -> the Prowler checks that judge it."""
    found = list(path.glob(f"lib/python*/site-packages/prowler/compliance/aws/{FRAMEWORK}.json"))
    assert found, f"Prowler {VERSION} has no {FRAMEWORK}.json"
    framework = json.loads(found[0].read_text())
    return {r["Id"]: list(r["Checks"]) for r in framework["Requirements"]}


def run(path: Path, env: dict, output: Path, checks: list[str]) -> subprocess.CompletedProcess:
    """`prowler aws` with these checks, CSV findings in output/prowler.csv. Prowler's exit code
    is 3 when a check fails, 0 when none does."""
    env = {k: v for k, v in env.items() if k != "PYTHONDONTWRITEBYTECODE"}  # its bytecode, cached
    return subprocess.run([str(path / "bin" / "prowler"), "aws", "--checks", *checks,
                           "--region", env.get("AWS_DEFAULT_REGION", "us-east-1"),
                           "--output-formats", "csv", "--output-directory", str(output),
                           "--output-filename", "prowler", "--no-banner", "--no-color",
                           "--log-level", "ERROR"],
                          capture_output=True, text=True, env=env, timeout=900)


def findings(output: Path) -> list[dict]:
    with open(output / "prowler.csv", newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle, delimiter=";"))


def verdicts(rows: list[dict], mapping: dict[str, list[str]]) -> dict[str, str | None]:
    """Each control's verdict from its checks' findings: FAIL if any fails, else PASS if any
    passes, else MANUAL; None when Prowler found nothing to judge (no finding)."""
    by_check: dict[str, set[str]] = {}
    for row in rows:
        by_check.setdefault(row["CHECK_ID"], set()).add(row["STATUS"])
    out = {}
    for control, checks in mapping.items():
        seen = set().union(*(by_check.get(check, set()) for check in checks)) if checks else set()
        out[control] = next((status for status in STATUSES if status in seen), None)
    return out
