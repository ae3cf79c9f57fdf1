"""`awslab run`: the whole lab headless, notebook by notebook, with papermill.

Each notebook runs with auto_submit=True and the parameters it declares (from a JSON or
YAML file: one object shared by all notebooks, and/or one object per notebook name). It
stops at the first failure and says which cell refused what, in the form's one sentence.
Before a notebook is written, every secret the lab keeps under AWSLAB_HOME is scrubbed
from it: the saved notebooks never hold one (LAB_SPEC section 7).
"""

from __future__ import annotations

import json
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from awslab.errors import LabError

LAB = ["00_setup", "01_secure_the_root_user", "02_set_up_additional_users",
       "03_account_alias_and_regions", "04_sign_in_and_review"]
CLEAN_UP = "99_clean_up"


@dataclass
class NotebookRun:
    name: str
    result: str  # "passed", "failed", "skipped"
    seconds: float
    error: str = ""
    output: Path | None = None


def load_parameters(path: str | Path | None) -> dict:
    if not path:
        return {}
    text = Path(path).read_text(encoding="utf-8")
    try:
        if str(path).endswith((".yaml", ".yml")):
            import yaml

            data = yaml.safe_load(text)
        else:
            data = json.loads(text)
    except Exception as error:
        raise LabError(f"The parameters file {path} could not be read ({error}); "
                       "it must hold one JSON or YAML object.") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise LabError(f"The parameters file {path} must hold one object (a mapping), not a {type(data).__name__}.")
    return data


def parameters_for(name: str, given: dict, declared: set[str], target: str) -> dict:
    """Shared values, then the notebook's own object, filtered to what the notebook declares."""
    per_notebook = {key.removesuffix(".ipynb") for key in given if isinstance(given[key], dict)}
    shared = {k: v for k, v in given.items() if k.removesuffix(".ipynb") not in per_notebook}
    own = given.get(name) or given.get(f"{name}.ipynb") or {}
    merged = {"target": target, **shared, **own, "auto_submit": True}
    return {key: value for key, value in merged.items() if key in declared}


def secrets_on_disk() -> set[str]:
    """The secrets the lab legitimately keeps under AWSLAB_HOME, to keep out of outputs."""
    import csv

    from awslab.home import lab_home, read_json

    home = lab_home()
    found: set[str] = set()
    for path in (home / "credentials").glob("*.csv") if (home / "credentials").exists() else []:
        with open(path, newline="", encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                found.update(v for k, v in row.items() if k in ("Password", "Secret access key") and v)
    for name in ("sandbox/credentials.json", "sandbox/account.json", "sandbox/console-session.json"):
        data = read_json(home / name, default={}) or {}
        found.update(_secret_values(data))
    return {s for s in found if len(s) >= 8}


def _secret_values(data) -> list[str]:
    if isinstance(data, dict):
        return [v for k, v in data.items() if ("secret" in k or "token" in k) and isinstance(v, str)] + [
            s for v in data.values() for s in _secret_values(v)]
    if isinstance(data, list):
        return [s for v in data for s in _secret_values(v)]
    return []


def scrub(path: Path) -> int:
    """Replace any known secret in a saved notebook; return how many were found."""
    text = path.read_text(encoding="utf-8")
    count = 0
    for secret in secrets_on_disk():
        if secret in text:
            count += text.count(secret)
            text = text.replace(secret, "[redacted]")
    if count:
        path.write_text(text, encoding="utf-8")
    return count


def execute_notebook(source: Path, output: Path, parameters: dict, cwd: Path | None = None) -> None:
    """Run one notebook with papermill in a kernel of its own, the way `awslab run` does.

    The kernel is stopped at once when the last cell has answered: its outputs are all
    collected by then, and a graceful stop only waits (in 0.1 s steps) for the interpreter
    to tear itself down. Raises papermill.PapermillExecutionError when a cell fails.
    """
    import papermill

    papermill.execute_notebook(
        str(source), str(output), parameters=parameters, cwd=str(cwd) if cwd else None,
        progress_bar=False, log_output=False, request_save_on_cell_execute=False,
        shutdown_kernel="immediate",
    )


def run_lab(notebooks_dir: Path, output_dir: Path, params: dict, target: str = "sandbox",
            clean_up: bool = False, progress=None) -> list[NotebookRun]:
    import papermill

    names = LAB + ([CLEAN_UP] if clean_up else [])
    output_dir.mkdir(parents=True, exist_ok=True)
    runs: list[NotebookRun] = []
    failed = False
    for name in names:
        source = notebooks_dir / f"{name}.ipynb"
        output = output_dir / f"{name}.ipynb"
        if progress:
            progress(name)
        if failed:
            runs.append(NotebookRun(name, "skipped", 0.0))
            continue
        declared = set(papermill.inspect_notebook(str(source)).keys())
        started = time.monotonic()
        try:
            execute_notebook(source, output, parameters_for(name, params, declared, target), notebooks_dir)
            runs.append(NotebookRun(name, "passed", time.monotonic() - started, output=output))
        except papermill.PapermillExecutionError as error:
            failed = True
            sentence = str(error.evalue).strip().splitlines()[0] if error.evalue else error.ename
            runs.append(NotebookRun(name, "failed", time.monotonic() - started,
                                    f"cell {error.exec_count}: {sentence}", output=output))
        finally:
            if output.exists() and scrub(output):
                from awslab.log import get_logger

                get_logger().warning("scrubbed secrets from %s", output)
    return runs


def summary(runs: list[NotebookRun]) -> str:
    width = max(len(r.name) for r in runs)
    lines = [f"{'notebook':<{width}}  {'result':<7}  {'seconds':>7}", "-" * (width + 19)]
    for run in runs:
        lines.append(f"{run.name:<{width}}  {run.result:<7}  {run.seconds:7.1f}")
    for run in runs:
        if run.error:
            lines.append(f"{run.name} failed at {run.error}")
    return "\n".join(lines)


def run_lab_cli(params_file=None, output_dir="output", target="sandbox", clean_up=False) -> int:
    from tqdm import tqdm

    from awslab.cli import notebooks_dir

    params = load_parameters(params_file)
    names = LAB + ([CLEAN_UP] if clean_up else [])
    if target == "sandbox":
        from awslab import sandbox

        sandbox.ensure_running()
    bar = tqdm(total=len(names), unit="notebook", file=sys.stderr, dynamic_ncols=True)
    seen: list[str] = []

    def progress(name: str) -> None:
        if seen:
            bar.update(1)
        seen.append(name)
        bar.set_description(name)

    runs = run_lab(notebooks_dir(), Path(output_dir), params, target, clean_up, progress)
    bar.update(1)
    bar.close()
    print(summary(runs))
    print(f"executed notebooks in {Path(output_dir).resolve()}")
    return 0 if all(r.result == "passed" for r in runs) else 1
