"""Where the test suite's CPU goes: each test file run alone, the machine's CPU time it took, by layer.

`make test` keeps two cores busy from start to finish, so its wall time is about its CPU time
divided by two: a test that waits costs nothing, one that starts a browser, a kernel or a
sandbox costs what they burn. This runs every test file (or the ones named) in a pytest of its
own, one after the other, and reads the machine's busy time from /proc/stat before and after,
so every process a file starts (kernels, sandboxes, JupyterLab, Chromium, Prowler) is counted.
Anything else the machine does meanwhile is counted too: run it on a quiet machine.

    .venv/bin/python benchmarks/suite_cpu.py                 # every file, about 17 minutes
    .venv/bin/python benchmarks/suite_cpu.py tests/browser   # one folder

Each file's number includes about 2 s of its own pytest start and sandbox, which `make test`
pays once per worker instead. Linux only.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LAYERS = [  # (the first that matches a file's path, its layer)
    ("tests/browser/", "browser (JupyterLab in Chromium)"),
    ("test_prowler", "Prowler's comparison"),
    ("test_headless_run", "whole-lab runs"), ("test_real_account_rehearsal", "whole-lab runs"),
    ("tests/system/", "other environments and the command line"),
    ("tests/sandbox/", "sandbox"), ("tests/notebooks/", "notebooks and forms"),
    ("tests/forms/", "notebooks and forms"), ("tests/steps/", "steps"),
]


def busy_seconds() -> float:
    """The machine's CPU time so far (user, nice, system, irq, softirq), in seconds."""
    with open("/proc/stat") as stat:
        fields = stat.readline().split()
    user, nice, system, _idle, _iowait, irq, softirq = (int(v) for v in fields[1:8])
    return (user + nice + system + irq + softirq) / os.sysconf("SC_CLK_TCK")


def layer(path: str) -> str:
    return next((name for pattern, name in LAYERS if pattern in path), "other")


def main(args: list[str]) -> int:
    places = [Path(a) for a in args] or [ROOT / "tests"]
    files = sorted({f for p in places for f in ([p] if p.is_file() else p.rglob("test_*.py"))})
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="")
    by_layer: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0, 0])
    failed = []
    print(f"{'CPU s':>7} {'wall s':>7}  file")
    for path in files:
        name = str(path.resolve().relative_to(ROOT))
        cpu, started = busy_seconds(), time.monotonic()
        done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", name],
                              cwd=ROOT, env=env, capture_output=True, text=True)
        cpu, wall = busy_seconds() - cpu, time.monotonic() - started
        if done.returncode not in (0, 5):
            failed.append(name)
            # What failed, for the record: a file that fails alone once rarely fails again.
            summary = [line for line in done.stdout.splitlines() if line.startswith(("FAILED", "ERROR", "E "))]
            print("\n".join(f"    {line}" for line in summary[-12:]), file=sys.stderr, flush=True)
        totals = by_layer[layer(name)]
        totals[0], totals[1], totals[2] = totals[0] + cpu, totals[1] + wall, totals[2] + 1
        print(f"{cpu:7.1f} {wall:7.1f}  {name}{'  (failed)' if name in failed else ''}", flush=True)
    print(f"\n{'CPU s':>7} {'files':>5}  layer")
    for name, (cpu, _wall, count) in sorted(by_layer.items(), key=lambda item: -item[1][0]):
        print(f"{cpu:7.0f} {count:5d}  {name}")
    print(f"{sum(v[0] for v in by_layer.values()):7.0f} {len(files):5d}  in all")
    if failed:
        print("failed:", ", ".join(failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
