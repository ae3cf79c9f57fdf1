"""`awslab run`: the whole lab headless, notebook by notebook, with papermill.

Each notebook runs with auto_submit=True and the parameters it declares (from a JSON or
YAML file: one object shared by all notebooks, and/or one object per notebook name), all
checked against the notebooks' parameters cells before anything runs. Each notebook has a
kernel of its own, started while the notebook before it runs. The run stops at the first
failure and says which cell refused what, in the form's one sentence.
Before a notebook is written, every secret the lab keeps under AWSLAB_HOME is scrubbed
from it: the saved notebooks never hold one (docs/contract.md, "Secrets").
"""

from __future__ import annotations

import difflib
import functools
import json
import re
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from awslab.errors import Code, LabError
from awslab.notebooks import CLEAN_UP, LAB, NOTEBOOKS, check, declared, every_parameter


@dataclass
class NotebookRun:
    name: str
    result: str  # "passed", "failed", "skipped"
    seconds: float
    error: str = ""
    output: Path | None = None


def load_parameters(path: str | Path | None) -> dict:
    """The object a params file holds (JSON, or YAML, which JSON also is); a LabError with one
    sentence when it cannot be read."""
    if not path:
        return {}
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise LabError(f"The parameters file {path} does not exist: check the path given to --params.",
                       code=Code.NoParamsFile) from None
    except (OSError, UnicodeDecodeError) as error:
        reason = error.strerror if isinstance(error, OSError) and error.strerror else str(error)
        raise LabError(f"The parameters file {path} could not be read ({reason}): give --params a "
                       "readable JSON or YAML file.", code=Code.BadParamsFile) from None
    try:
        if str(path).endswith(".json"):
            data = json.loads(text)
        else:
            import yaml

            data = yaml.safe_load(text)
    except json.JSONDecodeError as error:
        raise LabError(f"The parameters file {path} is not valid JSON (line {error.lineno}, column "
                       f"{error.colno}: {error.msg}): fix it there.", code=Code.BadParamsFile) from None
    except Exception as error:  # yaml.YAMLError, with where it stopped when it knows
        mark = getattr(error, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        problem = " ".join(str(getattr(error, "problem", None) or error).split())
        raise LabError(f"The parameters file {path} is not valid YAML ({where}{problem}): fix it there.",
                       code=Code.BadParamsFile) from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise LabError(f"The parameters file {path} must hold one mapping (parameter names, or notebook "
                       f"names each with its own mapping), not a {type(data).__name__}.",
                       code=Code.BadParamsFile)
    return data


def parameters_for_each(given: dict, target: str = "sandbox", folder: Path | None = None,
                        source: str = "the parameters") -> dict[str, dict]:
    """What each notebook of the lab runs with: `target`, then the values shared by all notebooks
    (each one to the notebooks that declare it), then the notebook's own mapping, then
    auto_submit=True. Every name and value is checked against the notebooks' parameters cells
    first: an unknown notebook or parameter, or a value of the wrong type, is a LabError whose
    sentence starts with `source` (the file) and names the fix."""
    cells = {name: declared(name, folder) for name in NOTEBOOKS}
    everywhere = every_parameter(folder)
    shared: dict = {}
    own: dict[str, dict] = {}
    for key, value in given.items():
        notebook = str(key).removesuffix(".ipynb")
        if notebook in cells:
            if not isinstance(value, dict):
                raise LabError(f"{source}: {key} must hold a mapping of that notebook's parameters "
                               f"(for example {{user_name: alice}}), not {value!r}.", code=Code.WrongParameter)
            own[notebook] = value
        elif key in everywhere:
            shared[key] = value
        elif re.match(r"\d\d_", str(key)) or isinstance(value, dict):
            raise LabError(f"{source}: there is no notebook named {key}{_did_you_mean(key, NOTEBOOKS)}; "
                           f"the notebooks are {', '.join(NOTEBOOKS)}.", code=Code.UnknownNotebook)
        else:
            hint = _did_you_mean(key, everywhere) or f"; the parameters are {', '.join(everywhere)}"
            raise LabError(f"{source}: no notebook has a parameter named {key}{hint}.",
                           code=Code.UnknownParameter)
    try:
        shared = {key: check(key, value, everywhere[key]) for key, value in shared.items()}
    except LabError as error:
        raise LabError(f"{source}: {error.sentence}", code=error.code) from None
    for notebook, values in own.items():
        for key in values:
            if key not in cells[notebook]:
                elsewhere = [name for name, names in cells.items() if key in names]
                hint = (f" (it is a parameter of {', '.join(elsewhere)})" if elsewhere
                        else _did_you_mean(key, cells[notebook])
                        or f"; its parameters are {', '.join(cells[notebook])}")
                raise LabError(f"{source}: the notebook {notebook} has no parameter named {key}{hint}.",
                               code=Code.UnknownParameter)
        try:
            own[notebook] = {key: check(key, value, cells[notebook][key]) for key, value in values.items()}
        except LabError as error:
            raise LabError(f"{source}, {notebook}: {error.sentence}", code=error.code) from None
    return {notebook: {key: value for key, value in
                       {"target": target, **shared, **own.get(notebook, {}), "auto_submit": True}.items()
                       if key in names}
            for notebook, names in cells.items()}


def _did_you_mean(word, choices) -> str:
    close = difflib.get_close_matches(str(word), list(choices), n=1, cutoff=0.5)
    return f" (did you mean `{close[0]}`?)" if close else ""


def secrets_on_disk() -> set[str]:
    """The secrets the lab holds (kept under AWSLAB_HOME; root's and the console's, as the
    running sandbox tells them), to keep out of outputs."""
    import csv

    from awslab.home import lab_home
    from awslab.sandbox_client import known_secrets

    home = lab_home()
    found: set[str] = set()
    for path in (home / "credentials").glob("*.csv") if (home / "credentials").exists() else []:
        with open(path, newline="", encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                found.update(v for k, v in row.items() if k in ("Password", "Secret access key") and v)
    found.update(known_secrets())  # the lab's sandbox credentials; root's and the console's, asked
    return {s for s in found if len(s) >= 8}


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


class Kernels:
    """A kernel for each notebook of a run, the next one started while the current notebook
    runs: its start (about a second, most of it importing) and then the imports of the
    notebook it is for overlap the current notebook's work. The kernels talk over IPC,
    through Unix sockets in a folder only this user can open: no TCP port another local user
    could connect to, and so no warning from ipykernel about unencrypted TCP in the run's
    output."""

    def __init__(self, cwd: Path, kernel_name: str = "python3"):
        import tempfile

        self.cwd, self.kernel_name = cwd, kernel_name
        self.folder = Path(tempfile.mkdtemp(prefix="awslab-kernels-"))  # mode 0700
        self.started = 0
        self.waiting = None  # (kernel, the client that asked it to import) or None

    def start_next(self, notebook: Path | None = None) -> None:
        """Start the kernel the next notebook will take, unless one is waiting, and have it
        import what `notebook` imports."""
        if self.waiting is None:
            kernel = self._start()
            self.waiting = (kernel, _import_ahead(kernel, notebook) if notebook else None)

    def take(self):
        """The waiting kernel (or a new one) for the notebook about to run; it is stopped when
        that notebook ends (see execute_notebook)."""
        if self.waiting is None:
            return self._start()
        (kernel, client), self.waiting = self.waiting, None
        if client is not None:
            client.stop_channels()  # the kernel goes on importing; the notebook's cells queue after
        return kernel

    def _start(self):
        from jupyter_client import AsyncKernelManager
        from jupyter_core.utils import run_sync

        self.started += 1
        name = str(self.folder / f"kernel{self.started}")
        kernel = AsyncKernelManager(kernel_name=self.kernel_name, transport="ipc", ip=name,
                                    connection_file=f"{name}.json")
        run_sync(kernel.start_kernel)(cwd=str(self.cwd))
        return kernel

    def close(self) -> None:
        import shutil

        from jupyter_core.utils import run_sync

        if self.waiting is not None:
            run_sync(self.take().shutdown_kernel)(now=True)
        shutil.rmtree(self.folder, ignore_errors=True)

    def __enter__(self) -> Kernels:
        return self

    def __exit__(self, *_exc) -> None:
        self.close()


def notebook_imports(notebook: Path) -> list[str]:
    """The modules a notebook's cells import at their top level (not inside an `if`), and the
    names they import from a module, which may be modules too."""
    import ast

    found: list[str] = []
    for cell in json.loads(notebook.read_text(encoding="utf-8"))["cells"]:
        if cell["cell_type"] != "code":
            continue
        try:
            tree = ast.parse("".join(cell["source"]))
        except SyntaxError:
            continue
        for node in tree.body:
            if isinstance(node, ast.Import):
                found += [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                # `from awslab import mfa` imports a module; `from awslab.mfa import Form`, a name
                found += [node.module, *(f"{node.module}.{alias.name}" for alias in node.names)]
    return list(dict.fromkeys(found))


# What a kernel does ahead: import, then parse the service models every notebook's connect()
# needs (a client made, never called: the models stay in the loader awslab.session shares).
_IMPORT_AHEAD = """
def _awslab_import_ahead(names):
    for name in names:
        try:
            __import__(name)
        except Exception:  # not a module (a class or a function), or one the cell will report
            pass
    try:
        from awslab.session import keyed_session
    except Exception:
        return
    session = keyed_session("ahead", "ahead", None, "us-east-1")
    for service in ("sts", "iam"):
        session.client(service, endpoint_url="http://127.0.0.1:9")
_awslab_import_ahead({modules!r})
del _awslab_import_ahead
"""


def _import_ahead(kernel, notebook: Path):
    """Ask a starting kernel to import the notebook's modules (and parse the models its
    connect() will need), silently: no execution count, no output, no name left bound. The
    notebook's own imports then find them loaded. Returns the client, to be stopped once the
    kernel has had the request (Kernels.take)."""
    modules = notebook_imports(notebook)
    if not modules:
        return None
    client = kernel.client()
    client.start_channels()
    client.execute(_IMPORT_AHEAD.format(modules=modules), silent=True, store_history=False)
    return client


def execute_notebook(source: Path, output: Path, parameters: dict, cwd: Path | None = None,
                     kernel=None) -> None:
    """Run one notebook with papermill in a kernel of its own (`kernel`, from Kernels.take(),
    or a new one), the way `awslab run` does. The kernel is stopped at once when the last cell
    has answered: its outputs are all collected by then, and a graceful stop only waits (in
    0.1 s steps) for the interpreter to tear itself down. Raises
    papermill.PapermillExecutionError when a cell fails."""
    import papermill

    cwd = cwd or source.parent
    if kernel is None:
        with Kernels(cwd) as kernels:
            return execute_notebook(source, output, parameters, cwd, kernels.take())
    try:
        papermill.execute_notebook(
            str(source), str(output), parameters=parameters, cwd=str(cwd),
            progress_bar=False, log_output=False, request_save_on_cell_execute=False,
            shutdown_kernel="immediate", engine_name=_engine(), km=kernel,
        )
    finally:
        if kernel.has_kernel:  # papermill stopped before the notebook's client took it
            from jupyter_core.utils import run_sync

            run_sync(kernel.shutdown_kernel)(now=True)


@functools.cache
def _engine() -> str:
    """papermill's nbclient engine, for a kernel started beforehand (papermill's `km`): the
    notebook's client stops it as papermill stops the kernels it starts itself."""
    from papermill.clientwrap import PapermillNotebookClient
    from papermill.engines import NBClientEngine, logger, papermill_engines

    class Client(PapermillNotebookClient):
        def __init__(self, nb_man, km=None, **kw):
            super().__init__(nb_man, km=km, **kw)
            self.owns_km = True  # started for this notebook alone

    class Engine(NBClientEngine):
        @classmethod
        def execute_managed_notebook(cls, nb_man, kernel_name, log_output=False, stdout_file=None,
                                     stderr_file=None, start_timeout=60, execution_timeout=None, **kwargs):
            kwargs.pop("input_path", None)
            return Client(nb_man, kernel_name=kernel_name, startup_timeout=start_timeout,
                          timeout=execution_timeout, log=logger, log_output=log_output,
                          stdout_file=stdout_file, stderr_file=stderr_file, **kwargs).execute()

    papermill_engines.register("awslab", Engine)
    return "awslab"


def run_lab(notebooks_dir: Path, output_dir: Path, params: dict, target: str = "sandbox",
            clean_up: bool = False, progress=None, source: str = "the parameters",
            kernels: Kernels | None = None) -> list[NotebookRun]:
    """Run the lab's notebooks in order, each with its parameters (checked first: a LabError
    before anything runs); stop at the first failure and skip the rest. `kernels` may already
    be starting the first notebook's kernel; run_lab closes it."""
    import papermill

    names = LAB + ([CLEAN_UP] if clean_up else [])
    runs: list[NotebookRun] = []
    failed = False
    with kernels or Kernels(notebooks_dir) as kernels:
        plan = parameters_for_each(params, target, notebooks_dir, source)
        output_dir.mkdir(parents=True, exist_ok=True)
        for index, name in enumerate(names):
            source_path = notebooks_dir / f"{name}.ipynb"
            output = output_dir / f"{name}.ipynb"
            if progress:
                progress(name)
            if failed:
                runs.append(NotebookRun(name, "skipped", 0.0))
                continue
            started = time.monotonic()
            kernel = kernels.take()
            if index + 1 < len(names):  # boots, then imports, while this notebook runs
                kernels.start_next(notebooks_dir / f"{names[index + 1]}.ipynb")
            try:
                execute_notebook(source_path, output, plan[name], notebooks_dir, kernel)
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


def check_output_dir(output_dir) -> None:
    """`--output` names a folder the run can make (or use) and write to: otherwise one sentence,
    before any kernel or sandbox starts."""
    import os

    path = Path(output_dir)
    found = path
    while not found.exists() and found != found.parent:
        found = found.parent
    if not found.is_dir():
        what = "is a file" if found == path else f"is inside {found}, which is a file"
        raise LabError(f"--output {output_dir} {what}, not a folder: name a folder for the executed "
                       "notebooks (it is made if missing); nothing was run.", code=Code.InvalidInput)
    if not os.access(found, os.W_OK | os.X_OK):
        raise LabError(f"--output {output_dir}: the folder {found} can't be written to by you; name "
                       "another folder for the executed notebooks; nothing was run.", code=Code.InvalidInput)


def run_lab_cli(params_file=None, output_dir="output", target="sandbox", clean_up=False) -> int:
    from tqdm import tqdm

    from awslab.notebooks import notebooks_dir

    folder = notebooks_dir()
    params = load_parameters(params_file)
    source = str(params_file or "the parameters")
    parameters_for_each(params, target, folder, source)  # before anything runs or changes
    check_output_dir(output_dir)                         # so is where the results go
    names = LAB + ([CLEAN_UP] if clean_up else [])
    kernels = Kernels(folder)
    kernels.start_next(folder / f"{names[0]}.ipynb")  # boots while the sandbox starts
    if target == "sandbox":
        from awslab import sandbox_client as sandbox

        try:
            sandbox.ensure_running()
        except BaseException:
            kernels.close()
            raise
    bar = tqdm(total=len(names), unit="notebook", file=sys.stderr, dynamic_ncols=True)
    seen: list[str] = []

    def progress(name: str) -> None:
        if seen:
            bar.update(1)
        seen.append(name)
        bar.set_description(name)

    runs = run_lab(folder, Path(output_dir), params, target, clean_up, progress, source, kernels)
    bar.update(1)
    bar.close()
    print(summary(runs))
    print(f"executed notebooks in {Path(output_dir).resolve()}")
    return 0 if all(r.result == "passed" for r in runs) else 1
