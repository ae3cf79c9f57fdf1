"""Binder: a fresh virtual environment built from binder/ the way repo2docker builds one
(binder/requirements.txt, then binder/postBuild), in which notebook 00 runs headless."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest

from tests.conftest import ROOT
from tests.kernel_zygote import Zygote

pytestmark = pytest.mark.slow


def test_binder_files_are_what_repo2docker_reads():
    postbuild = (ROOT / "binder" / "postBuild").read_text()
    assert postbuild.startswith("#!/bin/bash") and "set -e" in postbuild
    assert os.access(ROOT / "binder" / "postBuild", os.X_OK)
    assert "-r ../requirements.txt" in (ROOT / "binder" / "requirements.txt").read_text()
    readme = (ROOT / "README.md").read_text()
    assert "mybinder.org/v2/" in readme and "urlpath=lab/tree/notebooks/00_setup.ipynb" in readme


def test_a_binder_environment_runs_notebook_00(lab_home, tmp_path):
    venv = tmp_path / "binder-env"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    bin_dir = venv / "bin"
    # That environment's own kernels (not the session's, forked from this Python: kernel_zygote)
    env = dict(Zygote.without(os.environ), PATH=f"{bin_dir}:{os.environ['PATH']}", VIRTUAL_ENV=str(venv),
               AWSLAB_HOME=str(tmp_path / "binder-home"), BINDER_LAUNCH_HOST="https://mybinder.org/")
    env.pop("PYTHONPATH", None)
    # repo2docker: requirements first, from the repository root, then postBuild. It uses pip;
    # uv (as `make` does, when it has it) reads the same file in a tenth of the time.
    uv = shutil.which("uv") or (str(ROOT / ".uv" / "bin" / "uv") if (ROOT / ".uv" / "bin" / "uv").exists() else None)
    install = [uv, "pip", "install", "--python", str(bin_dir / "python")] if uv else [str(bin_dir / "pip"), "install"]
    subprocess.run([*install, "--quiet", "-r", "binder/requirements.txt"], cwd=ROOT, env=env, check=True)
    subprocess.run(["bash", "binder/postBuild"], cwd=ROOT, env=env, check=True)
    # JupyterLab in that environment saves widget state with notebooks (reopened forms render).
    overrides = venv / "share" / "jupyter" / "lab" / "settings" / "overrides.d" / "awslab.json"
    assert '"saveState": true' in overrides.read_text()
    out = tmp_path / "00_setup.ipynb"
    try:
        subprocess.run([str(bin_dir / "papermill"), "notebooks/00_setup.ipynb", str(out), "-p", "auto_submit", "True",
                        "--cwd", "notebooks"], cwd=ROOT, env=env, check=True, capture_output=True)
        text = out.read_text()
        assert "never paste real AWS keys" in text  # Binder is public: the warning shows
        assert ":root" in text
    finally:
        subprocess.run([str(bin_dir / "python"), "-m", "awslab", "sandbox", "stop"], env=env, cwd=ROOT)
