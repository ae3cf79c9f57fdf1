"""The whole headless lab against its floor, side by side in one run.

- lab: `awslab run` (notebooks 00 to 04, auto_submit, default parameters) on a fresh sandbox,
  with its runner (each kernel started while the notebook before it runs);
- floor: the same number of notebooks that only `import awslab`, each run by plain
  `papermill.execute_notebook` in this one process, one after the other, as anyone would
  run a series of notebooks headless.

Target (issue 13): lab / floor at most 1.3.

For information, not a target: a "connected" floor, notebooks that do only what every lab
notebook does before its form (import awslab, connect to the sandbox, show the banner: boto3,
ipywidgets and botocore's models load in each kernel), run by awslab's runner; and the
import-only notebooks run by awslab's runner. Together they split the lab's cost into the
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
CONNECTED = ("import awslab\nfrom awslab.forms.s00_target import banner\n"
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
    """Plain papermill, one notebook after the other."""
    import papermill

    started = time.perf_counter()
    for path in paths:
        papermill.execute_notebook(str(path), str(out / path.name), parameters={"auto_submit": True},
                                   cwd=str(path.parent), progress_bar=False)
    return time.perf_counter() - started


def run_with_awslab_runner(paths: list[Path], out: Path) -> float:
    """As `awslab run` runs notebooks: each kernel started while the one before runs."""
    from awslab.headless import Kernels, execute_notebook

    started = time.perf_counter()
    with Kernels(paths[0].parent) as kernels:
        for index, path in enumerate(paths):
            kernel = kernels.take()
            if index + 1 < len(paths):
                kernels.start_next()
            execute_notebook(path, out / path.name, {"auto_submit": True}, path.parent, kernel)
    return time.perf_counter() - started


def run_lab_once(out: Path) -> float:
    from awslab import sandbox_client as sandbox
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
    from awslab import sandbox_client as sandbox
    from awslab.headless import LAB

    sandbox.ensure_running()
    paths = floor_notebooks(work, len(LAB))
    connected_paths = floor_notebooks(work, len(LAB), CONNECTED, "connected")
    labs, floors, imports, connected = [], [], [], []
    for run in range(RUNS):  # interleaved, so all see the same machine
        for name in ("lab", "floor", "imports", "connected"):
            (work / f"{name}{run}").mkdir()
        labs.append(run_lab_once(work / f"lab{run}"))
        floors.append(run_floor(paths, work / f"floor{run}"))
        imports.append(run_with_awslab_runner(paths, work / f"imports{run}"))
        connected.append(run_with_awslab_runner(connected_paths, work / f"connected{run}"))
    sandbox.stop()
    lab, floor = statistics.median(labs), statistics.median(floors)
    imported, base = statistics.median(imports), statistics.median(connected)

    def row(label, value, values):
        print(f"  {label:<16}{value:6.2f} s   ({', '.join(f'{x:.2f}' for x in values)})")

    print(f"headless lab, {len(LAB)} notebooks, median of {RUNS}:")
    row("lab", lab, labs)
    row("floor", floor, floors)
    print(f"  ratio           {lab / floor:6.2f}     (target <= 1.30: {'ok' if lab / floor <= 1.3 else 'MISSED'})")
    print("for information (no target), with awslab's runner:")
    row("import only", imported, imports)
    row("connected", base, connected)
    print(f"  per kernel: import awslab + connect + banner costs {(base - imported) / len(LAB):.2f} s a notebook; "
          f"the forms' own work {(lab - base) / len(LAB):.2f} s a notebook")


if __name__ == "__main__":
    main()
