"""`make lab` / `awslab lab` stopped and started again at once takes the same port (issue 21, 3):
the port JupyterLab just closed waits out TIME_WAIT for a minute, and JupyterLab itself binds
through it (SO_REUSEADDR); the lab's own check must too. `make lab PORT=N` chooses the port."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time

import pytest

from tests.browser import free_port
from tests.conftest import ROOT
from tests.system.test_command_line import status_of


def _start(port: int, out, tmp_path):
    return subprocess.Popen(
        [sys.executable, "-m", "awslab", "lab", "--no-browser", "--port", str(port)], cwd=ROOT,
        stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        env=dict(os.environ, JUPYTER_PLATFORM_DIRS="1", JUPYTERLAB_WORKSPACES_DIR=str(tmp_path)))


def _answering(process, out_path, port: int) -> str:
    """The token once JupyterLab answers on `port` with it ('' if the command ended first)."""
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline and process.poll() is None:
        found = re.search(rf"JupyterLab: http://127\.0\.0\.1:{port}/\S+\?token=([0-9a-f]{{32,}})",
                          out_path.read_text())
        if found and status_of(f"http://127.0.0.1:{port}/api/status?token={found[1]}") == 200:
            return found[1]
        time.sleep(0.3)
    return ""


def _stop(process) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGINT)  # Ctrl+C in the terminal
        try:
            process.wait(45)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def _time_wait_on(port: int) -> bool:
    """Whether a connection on this local port is in TIME_WAIT (/proc/net/tcp, state 06)."""
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            rows = open(table).read().splitlines()[1:]
        except OSError:
            continue
        for row in rows:
            fields = row.split()
            if int(fields[1].rsplit(":", 1)[1], 16) == port and fields[3] == "06":
                return True
    return False


@pytest.mark.slow
def test_lab_restarted_at_once_takes_the_same_port(lab_home, tmp_path):
    port = free_port()
    first_out, second_out = tmp_path / "first.out", tmp_path / "second.out"
    with open(first_out, "w") as out:
        first = _start(port, out, tmp_path)
    try:
        assert _answering(first, first_out, port), first_out.read_text()
        # Connections the server closed (urllib asks it to) now wait in TIME_WAIT on the port.
        for _ in range(3):
            status_of(f"http://127.0.0.1:{port}/api/status")
    finally:
        _stop(first)
    assert "JupyterLab stopped." in first_out.read_text()
    waiting = _time_wait_on(port)

    with open(second_out, "w") as out:
        second = _start(port, out, tmp_path)
    try:
        assert _answering(second, second_out, port), second_out.read_text()
        assert "cannot listen" not in second_out.read_text()
    finally:
        _stop(second)
    if not waiting:
        pytest.skip("no connection was left in TIME_WAIT on the port this time: the restart "
                    "passed, but did not test the case")


def test_make_lab_passes_port_through():
    shown = subprocess.run(["make", "--no-print-directory", "-n", "lab", "PORT=8890"], cwd=ROOT, capture_output=True,
                           text=True, timeout=60).stdout
    assert shown.strip().splitlines()[-1].endswith("awslab lab --port 8890")
    plain = subprocess.run(["make", "--no-print-directory", "-n", "lab"], cwd=ROOT, capture_output=True, text=True, timeout=60).stdout
    assert plain.strip().splitlines()[-1].endswith("awslab lab")
