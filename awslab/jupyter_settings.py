"""JupyterLab settings the lab needs, as defaults a learner's own settings still override.

The one that matters: save the widgets' state with the notebook. Off by default in
JupyterLab, and then a notebook reopened after its kernel stopped shows "Error displaying
widget: model not found" for every form. The lab's forms hold no secret in widget state
(awslab.secret_widgets), so the saved state is the forms' last state and nothing more.

`awslab lab` points JupyterLab at these defaults through JUPYTER_CONFIG_PATH; an image built
from binder/ (Binder, JupyterHub) installs them into its environment:

    python -m awslab.jupyter_settings install
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

CONFIG_DIR = Path(__file__).parent / "jupyter-config"
DEFAULTS = CONFIG_DIR / "labconfig" / "default_setting_overrides.json"


def environment(base: dict[str, str] | None = None) -> dict[str, str]:
    """`base` (os.environ by default) with the lab's defaults first on JUPYTER_CONFIG_PATH."""
    env = dict(os.environ if base is None else base)
    rest = env.get("JUPYTER_CONFIG_PATH")
    env["JUPYTER_CONFIG_PATH"] = os.pathsep.join([str(CONFIG_DIR), *([rest] if rest else [])])
    return env


def install(prefix: str = sys.prefix) -> Path:
    """Copy the defaults into an environment's JupyterLab (`<prefix>/share/jupyter/lab/settings/
    overrides.d/awslab.json`), where every JupyterLab started from it reads them."""
    target = Path(prefix) / "share" / "jupyter" / "lab" / "settings" / "overrides.d" / "awslab.json"
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(DEFAULTS, target)
    return target


if __name__ == "__main__":
    if sys.argv[1:] != ["install"]:
        sys.exit("usage: python -m awslab.jupyter_settings install")
    print(f"JupyterLab saves widget state with notebooks: {install()}")
