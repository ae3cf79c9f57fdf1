"""`awslab lab`'s JupyterLab server (this folder is first on its JUPYTER_CONFIG_PATH, see
awslab/jupyter_settings.py); a learner's own ~/.jupyter settings still override it."""

import os

c = get_config()  # noqa: F821

# A terminal is an interactive shell that keeps the PATH `awslab lab` gives it (its Python's
# scripts first: `awslab`, `aws`). Jupyter's default when its output is not a terminal, a login
# shell, rereads /etc/profile, which on Debian sets PATH afresh.
c.ServerApp.terminado_settings = {"shell_command": [os.environ.get("SHELL") or "/bin/sh"]}
