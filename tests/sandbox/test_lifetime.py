"""A sandbox nobody uses stops by itself, keeping its account (lifetime.py); one that serves a
JupyterHub single-user server stops with it; two starts at once make one sandbox."""

import os
import signal
import subprocess
import sys

import pytest

import awslab
from awslab import sandbox_client as box
from awslab.errors import LabError, explain
from tests.helpers import process_gone


@pytest.fixture
def home(sandbox, tmp_path, monkeypatch):
    """An AWSLAB_HOME of this test's own (its sandbox stopped at the end)."""
    monkeypatch.setenv("AWSLAB_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("AWSLAB_SANDBOX_PORT", "0")
    yield tmp_path / "home"
    box.stop()


def test_an_idle_sandbox_stops_by_itself_and_the_next_connect_starts_it(home, monkeypatch):
    from awslab.sandbox_client import log_path, server_state_path

    monkeypatch.setenv("AWSLAB_SANDBOX_IDLE_SECONDS", "1.5")
    info = box.start()
    lab = awslab.connect("sandbox")
    iam = lab.client("iam")
    iam.create_user(UserName="still-here")
    assert process_gone(info.pid, 10), "the idle sandbox did not stop"
    assert not server_state_path().exists()
    assert "stopping by itself: no request for" in log_path().read_text()

    # Mid-notebook: the next call gets one sentence saying what to do (sent nowhere: nothing of
    # the learner's listens there, ownership.py).
    with pytest.raises(LabError) as down:
        iam.list_users()
    sentence = explain(down.value)
    assert "not answering" in sentence and "awslab sandbox start" in sentence
    assert "\n" not in sentence

    monkeypatch.setenv("AWSLAB_SANDBOX_IDLE_SECONDS", "0")  # never, from here on
    again = awslab.connect("sandbox")
    assert again.account_id == lab.account_id
    assert [u["UserName"] for u in again.client("iam").list_users()["Users"]] == ["still-here"]


def test_a_sandbox_stops_with_the_process_it_serves(home, monkeypatch):
    served = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        monkeypatch.setenv("AWSLAB_SANDBOX_WATCH_PID", str(served.pid))
        info = box.start()
        awslab.connect("sandbox").client("iam").create_user(UserName="kept")
        served.send_signal(signal.SIGTERM)
        served.wait(5)
        assert process_gone(info.pid, 5), "the sandbox outlived the process it serves"
    finally:
        served.kill()
        served.wait()
    monkeypatch.delenv("AWSLAB_SANDBOX_WATCH_PID")
    assert [u["UserName"] for u in awslab.connect("sandbox").client("iam").list_users()["Users"]] == ["kept"]


def test_under_jupyterhub_the_outermost_process_with_its_variables_is_watched(tmp_path):
    """A kernel (here: python) under a single-user server (here: bash, with JUPYTERHUB_USER
    set as spawners set it) watches the server, not itself nor the hub above it."""
    probe = "from awslab.sandbox_client import process_to_watch; print(process_to_watch())"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("JUPYTERHUB_", "AWSLAB_SANDBOX_WATCH"))}
    script = f'echo $$; "{sys.executable}" -c "{probe}"; true'
    out = subprocess.run(["bash", "-c", script], env=dict(env, JUPYTERHUB_USER="learner"),
                         capture_output=True, text=True, check=True).stdout.split()
    assert out[0] == out[1]
    outside = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True,
                             text=True, check=True).stdout.split()
    assert outside == ["None"]
    none = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True,
                          env=dict(env, JUPYTERHUB_USER="learner", AWSLAB_SANDBOX_WATCH_PID="0"))
    assert none.stdout.split() == ["None"]


def test_two_starts_at_once_make_one_sandbox(home):
    command = [sys.executable, "-m", "awslab", "sandbox", "start"]
    starts = [subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
              for _ in range(2)]
    outputs = [start.communicate(timeout=90) for start in starts]
    assert [start.returncode for start in starts] == [0, 0], outputs
    first, second = (out.strip().splitlines()[-1] for out, _ in outputs)
    assert first == second  # the same endpoint, account and pid
    info = box.running()
    assert info is not None and f"pid {info.pid}" in first
    servers = subprocess.run(["pgrep", "-f", "awslab.sandbox.server"], capture_output=True, text=True)
    ours = [pid for pid in servers.stdout.split()
            if f"AWSLAB_HOME={home}".encode() in open(f"/proc/{pid}/environ", "rb").read().split(b"\0")]
    assert ours == [str(info.pid)]
