"""The whole headless lab against its floor, side by side in one run.

- lab: `awslab run` (notebooks 00 to 04, auto_submit, default parameters) on a fresh sandbox;
- floor: the same number of notebooks that only `import awslab`, run the same way
  (`awslab.headless.execute_notebook`: papermill, one kernel each), so kernel start-up and
  shut-down are in both.

Target (issue 8): lab / floor at most 1.3. Kernel start dominates the floor, so the ratio is
the cost of what the lab itself does.

For information, not a target: a "connected" floor, notebooks that do only what every lab
notebook does before its form (import awslab, connect to the sandbox, show the banner: boto3,
ipywidgets and botocore's models load in each kernel). It splits the lab's cost into that
per-kernel part and the forms' own work.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RUNS = int(os.environ.get("BENCH_RUNS", 3))


IMPORT_ONLY = "import awslab"
CONNECTED = ("import awslab\nfrom awslab.before_you_start import banner\n"
             "lab = awslab.connect('sandbox')\nbanner(lab)")


def floor_notebooks(folder: Path, count: int, code: str = IMPORT_ONLY, name: str = "floor") -> list[Path]:
    import nbformat
    from nbformat.v4 import new_code_cell, new_notebook

    paths = []
    for index in range(count):
        nb = new_notebook(cells=[new_code_cell("auto_submit = False", metadata={"tags": ["parameters"]}),
                                 new_code_cell(code)])
        nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
        path = folder / f"{name}_{index}.ipynb"
        nbformat.write(nb, path)
        paths.append(path)
    return paths


def run_floor(paths: list[Path], out: Path) -> float:
    from awslab.headless import execute_notebook

    started = time.perf_counter()
    for path in paths:  # exactly as `awslab run` runs a notebook
        execute_notebook(path, out / path.name, {"auto_submit": True}, path.parent)
    return time.perf_counter() - started


def run_lab_once(out: Path) -> float:
    from awslab import sandbox
    from awslab.headless import LAB, run_lab

    sandbox.reset()
    started = time.perf_counter()
    runs = run_lab(ROOT / "notebooks", out, {}, "sandbox")
    elapsed = time.perf_counter() - started
    failed = [r for r in runs if r.result != "passed"]
    if failed:
        sys.exit(f"the lab failed: {failed[0].name}: {failed[0].error}")
    assert len(runs) == len(LAB)
    return elapsed


def main() -> None:
    work = Path(tempfile.mkdtemp(prefix="awslab-bench-lab-"))
    os.environ["AWSLAB_HOME"] = str(work / "home")
    os.environ["AWSLAB_SANDBOX_PORT"] = "0"
    os.environ["AWS_SHARED_CREDENTIALS_FILE"] = str(work / "aws-credentials")
    os.environ["AWS_CONFIG_FILE"] = str(work / "aws-config")
    from awslab import sandbox
    from awslab.headless import LAB

    sandbox.ensure_running()
    paths = floor_notebooks(work, len(LAB))
    connected_paths = floor_notebooks(work, len(LAB), CONNECTED, "connected")
    labs, floors, connected = [], [], []
    for run in range(RUNS):  # interleaved, so all see the same machine
        for name in ("lab", "floor", "connected"):
            (work / f"{name}{run}").mkdir()
        labs.append(run_lab_once(work / f"lab{run}"))
        floors.append(run_floor(paths, work / f"floor{run}"))
        connected.append(run_floor(connected_paths, work / f"connected{run}"))
    sandbox.stop()
    lab, floor, base = statistics.median(labs), statistics.median(floors), statistics.median(connected)

    def row(label, value, values):
        print(f"  {label:<16}{value:6.2f} s   ({', '.join(f'{x:.2f}' for x in values)})")

    print(f"headless lab, {len(LAB)} notebooks, median of {RUNS}:")
    row("lab", lab, labs)
    row("floor", floor, floors)
    print(f"  ratio           {lab / floor:6.2f}     (target <= 1.30: {'ok' if lab / floor <= 1.3 else 'MISSED'})")
    print("for information (no target):")
    row("connected floor", base, connected)
    print(f"  per kernel: import awslab + connect + banner costs {(base - floor) / len(LAB):.2f} s a notebook; "
          f"the forms' own work {(lab - base) / len(LAB):.2f} s a notebook")


if __name__ == "__main__":
    main()
