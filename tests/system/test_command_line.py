"""The command line: `awslab lab` serves only its owner, `awslab check` is a plain function
(no widgets) with a table or JSON, and the library never imports its command line."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest

from tests.browser import free_port
from tests.conftest import ROOT


def status_of(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=5) as answer:
            return answer.status
    except urllib.error.HTTPError as error:
        return error.code
    except OSError:  # not listening yet
        return 0


@pytest.mark.slow
def test_jupyterlab_answers_only_with_its_token(lab_home, tmp_path):
    port = free_port()
    out = tmp_path / "lab.out"
    with open(out, "w") as handle:
        process = subprocess.Popen(
            [sys.executable, "-m", "awslab", "lab", "--no-browser", "--port", str(port)], cwd=ROOT,
            stdout=handle, stderr=subprocess.STDOUT, start_new_session=True,
            env=dict(os.environ, JUPYTER_PLATFORM_DIRS="1", JUPYTERLAB_WORKSPACES_DIR=str(tmp_path)))
    try:
        deadline = time.monotonic() + 90
        url = None
        while time.monotonic() < deadline and process.poll() is None:
            found = re.search(rf"JupyterLab: (http://127\.0\.0\.1:{port}/lab/tree/notebooks/00_setup\.ipynb"
                              r"\?token=([0-9a-f]{32,}))", out.read_text())
            if found and status_of(f"http://127.0.0.1:{port}/api/status?token={found[2]}") == 200:
                url, token = found[1], found[2]
                break
            time.sleep(0.3)
        assert url, out.read_text()
        base = f"http://127.0.0.1:{port}"
        assert status_of(f"{base}/api/status") == 403  # no token: refused
        assert status_of(f"{base}/api/contents/notebooks") == 403
        assert status_of(f"{base}/api/status?token={'0' * len(token)}") == 403
        assert status_of(url) == 200  # the printed URL opens the lab
        assert token not in " ".join(open(f"/proc/{process.pid}/cmdline").read().split("\0"))
        # The terminal shows the lines that matter, not JupyterLab's log or build warnings.
        shown = out.read_text()
        assert shown.startswith("Sandbox:    http://") and "already running" in shown
        assert "Warning" not in shown and "[I " not in shown and "ServerApp" not in shown
        # Ctrl+C (SIGINT to the terminal's process group) stops JupyterLab, and the learner is
        # told what became of the sandbox (it ran before this command, so it keeps running).
        os.killpg(process.pid, signal.SIGINT)
        assert process.wait(45) == 0
        said = out.read_text()
        assert "JupyterLab stopped." in said and "keeps running" in said and "awslab sandbox stop" in said
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)


def test_lab_on_a_taken_port_says_so(lab_home):
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run([sys.executable, "-m", "awslab", "lab", "--no-browser", "--port", str(port)],
                                cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert f"port {port}" in result.stderr and "awslab lab --port N" in result.stderr


def test_check_as_json_for_a_graders_tools(fresh_account):
    result = subprocess.run([sys.executable, "-m", "awslab", "check", "--json"], cwd=ROOT,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 1, result.stderr  # a brand-new account fails several checks
    from awslab.steps.s04_checklist import CHECKS

    controls = json.loads(result.stdout)
    assert len(controls) == len(CHECKS)
    assert all(set(c) == {"id", "title", "status", "detail"} for c in controls)
    by_id = {c["id"]: c for c in controls}
    assert by_id["1.4"]["status"] == "FAIL" and "1.3" in by_id
    assert "the-account-has-an-alias" in by_id


def test_check_and_run_load_no_widgets_and_the_library_never_imports_the_command_line():
    code = ("import sys, awslab.steps.s04_checklist, awslab.headless, awslab.notebooks\n"
            "print(sorted(m for m in ('ipywidgets', 'awslab.cli', 'papermill') if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"
