"""The whole headless lab against its floor, side by side in one run.

- lab: `awslab run` (notebooks 00 to 04, auto_submit, default parameters) on a fresh sandbox;
- floor: the same number of notebooks that only `import awslab`, run the same way
  (`awslab.headless.execute_notebook`: papermill, one kernel each), so kernel start-up and
  shut-down are in both.

Target (issue 8): lab / floor at most 1.3. Kernel start dominates the floor (about 1.5 s a
notebook here), so the ratio is the cost of what the lab itself does.
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


def floor_notebooks(folder: Path, count: int) -> list[Path]:
    import nbformat
    from nbformat.v4 import new_code_cell, new_notebook

    paths = []
    for index in range(count):
        nb = new_notebook(cells=[new_code_cell("auto_submit = False", metadata={"tags": ["parameters"]}),
                                 new_code_cell("import awslab")])
        nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
        path = folder / f"floor_{index}.ipynb"
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
    labs, floors = [], []
    for run in range(RUNS):  # interleaved, so both see the same machine
        (work / f"lab{run}").mkdir()
        (work / f"floor{run}").mkdir()
        labs.append(run_lab_once(work / f"lab{run}"))
        floors.append(run_floor(paths, work / f"floor{run}"))
    sandbox.stop()
    lab, floor = statistics.median(labs), statistics.median(floors)
    print(f"headless lab, {len(LAB)} notebooks, median of {RUNS}:")
    print(f"  lab    {lab:6.2f} s   ({', '.join(f'{x:.2f}' for x in labs)})")
    print(f"  floor  {floor:6.2f} s   ({', '.join(f'{x:.2f}' for x in floors)})")
    print(f"  ratio  {lab / floor:6.2f}     (target <= 1.30: {'ok' if lab / floor <= 1.3 else 'MISSED'})")


if __name__ == "__main__":
    main()
