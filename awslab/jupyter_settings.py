"""JupyterLab settings the lab needs, as defaults a learner's own settings still override.

The one that matters: save the widgets' state with the notebook. Off by default in
JupyterLab, and then a notebook reopened after its kernel stopped shows "Error displaying
widget: model not found" for every form. The lab's forms hold no secret in widget state
(awslab.forms.secret_widgets), so the saved state is the forms' last state and nothing more.

Three more, for what a learner sees on opening a notebook and a terminal:

- No pop-up asking about Jupyter's news feed over the first notebook (and no check for
  updates): `fetchNews` "false" in the same defaults.

- An untouched notebook opens unmodified. JupyterLab writes the kernel's `kernelspec` and
  `language_info` (with the Python version) into a notebook when its kernel starts, which marks
  the notebook modified; the lab's notebooks are committed without them. A small server
  extension (this module, enabled by jupyter-config/jupyter_server_config.d/awslab.json) serves
  a notebook with the values its kernel will report, so that nothing changes when it starts.
  (A notebook reopened with saved forms is still marked modified: JupyterLab's widget manager
  does that when it restores them. The extension keeps those saved forms when it is saved.)
- A terminal finds `awslab` and `aws`: environment() puts this Python's scripts first on PATH,
  and jupyter-config/jupyter_server_config.py starts terminals as an interactive shell that keeps
  that PATH (Jupyter's default, a login shell, rereads /etc/profile, which on Debian sets PATH
  afresh).

`awslab lab` points JupyterLab at these defaults through JUPYTER_CONFIG_PATH; an image built
from binder/ (Binder, JupyterHub) installs the widget-state default and the extension into its
environment (its terminals already have the environment's scripts on PATH):

    python -m awslab.jupyter_settings install
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sys
import sysconfig
from pathlib import Path

CONFIG_DIR = Path(__file__).parent / "jupyter-config"
DEFAULTS = CONFIG_DIR / "labconfig" / "default_setting_overrides.json"
EXTENSION = CONFIG_DIR / "jupyter_server_config.d" / "awslab.json"


def environment(base: dict[str, str] | None = None) -> dict[str, str]:
    """`base` (os.environ by default) with the lab's defaults first on JUPYTER_CONFIG_PATH and
    this Python's scripts (`awslab`, `aws`, `python`, as an activated virtualenv has them)
    first on PATH, for JupyterLab, its kernels and its terminals."""
    env = dict(os.environ if base is None else base)
    rest = env.get("JUPYTER_CONFIG_PATH")
    env["JUPYTER_CONFIG_PATH"] = os.pathsep.join([str(CONFIG_DIR), *([rest] if rest else [])])
    scripts = sysconfig.get_path("scripts")
    path = [p for p in env.get("PATH", os.defpath).split(os.pathsep) if p and p != scripts]
    env["PATH"] = os.pathsep.join([scripts, *path])
    return env


# The server extension: notebooks served with the kernel metadata their kernel will report.

def _jupyter_server_extension_points() -> list[dict]:
    return [{"module": "awslab.jupyter_settings"}]


def kernel_metadata(kernel_spec_manager, name: str = "python3") -> dict | None:
    """The `kernelspec` and `language_info` JupyterLab writes into a notebook when kernel `name`
    starts, when that kernel is ipykernel run by this Python (jupyter_client runs a spec's
    `python` as sys.executable); None when it is another, whose version is not known here."""
    try:
        spec = kernel_spec_manager.get_kernel_spec(name)
        python = spec.argv[0] if spec.argv else ""
        if python not in ("python", "python3", f"python3.{sys.version_info[1]}", sys.executable) \
                or "ipykernel_launcher" not in spec.argv:
            return None
        from ipykernel.ipkernel import IPythonKernel

        return {"kernelspec": {"name": name, "display_name": spec.display_name, "language": spec.language},
                "language_info": dict(IPythonKernel.language_info)}
    except Exception:  # a kernel this cannot speak for: the notebook is served as it is
        return None


WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def keep_saved_views(new: dict, old: dict) -> int:
    """Put back into notebook `new` (about to be saved) the saved widget state of `old` (the file
    it replaces) for every widget an output of `new` still shows and `new`'s state lacks, with the
    models those refer to; the number of models put back.

    JupyterLab saves only the widget models of the running kernel: a notebook reopened with its
    forms' saved views (no kernel behind them) and saved again, as JupyterLab's autosave does
    within two minutes (the widget manager marks a notebook modified when it restores them),
    would lose those views, and the next time it opens every form says "Error displaying widget:
    model not found". What is put back was saved before, so it holds no secret either."""
    widgets = (new.get("metadata") or {}).get("widgets") or {}
    if not isinstance(widgets.get(WIDGET_STATE), dict):  # widget state is not being saved
        return 0
    state = widgets[WIDGET_STATE].setdefault("state", {})
    before = ((old.get("metadata") or {}).get("widgets") or {}).get(WIDGET_STATE) or {}
    before = before.get("state") or {}
    todo = [output.get("data", {}).get(WIDGET_VIEW, {}).get("model_id")
            for cell in new.get("cells", []) for output in cell.get("outputs", []) or []]
    kept = 0
    while todo:
        model_id = todo.pop()
        if not model_id or model_id in state or model_id not in before:
            continue
        state[model_id] = before[model_id]
        kept += 1
        todo += re.findall(r"IPY_MODEL_([0-9a-f]+)", json.dumps(before[model_id].get("state", {})))
    return kept


def _load_jupyter_server_extension(serverapp) -> None:
    from jupyter_core.utils import ensure_async

    manager = serverapp.contents_manager
    get, save, known = manager.get, manager.save, {}

    async def save_keeping_saved_views(model, path, *args, **kwargs):
        if model.get("type") == "notebook" and isinstance(model.get("content"), dict):
            try:
                old = await ensure_async(get(path, content=True, type="notebook"))
                keep_saved_views(model["content"], old.get("content") or {})
            except Exception:  # a new file, or one that is not a notebook: saved as it is
                serverapp.log.debug("awslab: no saved widget state kept for %s", path, exc_info=True)
        return await ensure_async(save(model, path, *args, **kwargs))

    manager.save = save_keeping_saved_views

    async def get_as_the_kernel_will(path, *args, **kwargs):
        model = await ensure_async(get(path, *args, **kwargs))
        content = model.get("content") if model.get("type") == "notebook" else None
        metadata = getattr(content, "metadata", None)
        name = ((metadata or {}).get("kernelspec") or {}).get("name")
        if name:
            if name not in known:
                known[name] = kernel_metadata(serverapp.kernel_spec_manager, name)
            metadata.update(known[name] or {})
        return model

    manager.get = get_as_the_kernel_will


def install(prefix: str = sys.prefix) -> Path:
    """Copy the defaults into an environment's JupyterLab (`<prefix>/share/jupyter/lab/settings/
    overrides.d/awslab.json`), where every JupyterLab started from it reads them, and enable the
    server extension there (`<prefix>/etc/jupyter/jupyter_server_config.d/awslab.json`)."""
    target = Path(prefix) / "share" / "jupyter" / "lab" / "settings" / "overrides.d" / "awslab.json"
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(DEFAULTS, target)
    extension = Path(prefix) / "etc" / "jupyter" / "jupyter_server_config.d" / "awslab.json"
    extension.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(EXTENSION, extension)
    return target


if __name__ == "__main__":
    if sys.argv[1:] != ["install"]:
        sys.exit("usage: python -m awslab.jupyter_settings install")
    print(f"JupyterLab saves widget state with notebooks: {install()}")
