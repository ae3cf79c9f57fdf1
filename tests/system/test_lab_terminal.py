"""What the lab tells a learner to type works in JupyterLab's terminal after `make lab` (issue 21,
5): `awslab sandbox env`, `awslab check`, `awslab clean`, `aws ...`. `make lab` runs .venv/bin/awslab
without activating the virtualenv, and Jupyter starts a terminal as a login shell, which on
Debian rereads /etc/profile and sets PATH afresh: neither `awslab` nor `aws` was found."""

from __future__ import annotations

import json
import os
import subprocess
import sysconfig
import time
import urllib.request

import pytest

from tests.browser import free_port
from tests.conftest import ROOT
from tests.system.test_lab_restart import _answering, _stop


def _type(port: int, token: str, line: str, until: str, timeout: float = 60) -> str:
    """Open a terminal in JupyterLab (as File, New, Terminal does), type `line`, and return what it
    shows once `until` appears."""
    import websocket

    request = urllib.request.Request(f"http://127.0.0.1:{port}/api/terminals?token={token}", data=b"",
                                     method="POST")
    with urllib.request.urlopen(request, timeout=30) as answer:
        name = json.load(answer)["name"]
    socket = websocket.create_connection(f"ws://127.0.0.1:{port}/terminals/websocket/{name}?token={token}",
                                         timeout=timeout)
    shown, deadline = "", time.monotonic() + timeout
    try:
        socket.send(json.dumps(["stdin", line + "\r"]))
        while until not in shown and time.monotonic() < deadline:
            kind, *rest = json.loads(socket.recv())
            if kind == "stdout":
                shown += rest[0]
    finally:
        socket.close()
    assert until in shown, shown
    return shown


@pytest.mark.slow
def test_awslab_and_aws_work_in_jupyterlabs_terminal(lab_home, tmp_path):
    from awslab import sandbox_client as sandbox

    scripts = sysconfig.get_path("scripts")
    # As `make lab` starts it: the virtualenv's scripts are not on the learner's PATH.
    path = os.pathsep.join(p for p in os.environ["PATH"].split(os.pathsep) if p != scripts)
    port, out_path = free_port(), tmp_path / "lab.out"
    with open(out_path, "w") as out:
        process = subprocess.Popen(
            [os.path.join(scripts, "awslab"), "lab", "--no-browser", "--port", str(port)], cwd=ROOT,
            stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
            env=dict(os.environ, PATH=path, JUPYTER_PLATFORM_DIRS="1", JUPYTERLAB_WORKSPACES_DIR=str(tmp_path)))
    try:
        token = _answering(process, out_path, port)
        assert token, out_path.read_text()
        # `$((40+2))`: the marker is the shell's answer, not the echo of what was typed.
        shown = _type(port, token, 'echo "found $(command -v awslab) $(command -v aws)"; '
                      'eval "$(awslab sandbox env)"; aws sts get-caller-identity --query Arn --output text; '
                      'awslab sandbox status; echo "done $((40+2))"', until="done 42")
    finally:
        _stop(process)
    assert f"found {scripts}{os.sep}awslab {scripts}{os.sep}aws" in shown, shown
    account = sandbox.running().account_id
    assert f"arn:aws:iam::{account}:" in shown, shown  # the AWS CLI reached the sandbox, signed
    assert "sandbox running:" in shown, shown


def test_the_aws_cli_commands_the_forms_show_work_in_a_terminal(lab):
    """Notebook 02's "What you have now" and "Save as AWS CLI profile" name AWS CLI commands: each
    runs, as shown, in a shell like JupyterLab's terminal (the lab's scripts on PATH)."""
    import html
    import re

    import awslab
    from awslab.forms.s02_users import GroupForm, UserForm, WhatYouHaveNow
    from awslab.jupyter_settings import environment

    group_form = GroupForm(lab, "administrators", "AdministratorAccess")
    group_form.submit()
    user_form = UserForm(lab, "cli-tester", groups=["administrators"], save_cli_profile=True)
    assert user_form.submit() is not None and user_form.error is None, user_form.error
    shown = WhatYouHaveNow(group_form, user_form).widget.value + user_form.profile_message.value
    commands = [html.unescape(c) for c in re.findall(r"<code>(.*?)</code>", shown)]
    assert commands[0] == 'eval "$(awslab sandbox env)"' and len(commands) >= 6, commands
    assert lab.sandbox and awslab.connect("sandbox").is_root
    script = "set -e; " + "; ".join(f"{c} >/dev/null" if c.startswith("aws ") else c for c in commands)
    env = environment({k: v for k, v in os.environ.items()})
    result = subprocess.run(["sh", "-c", script], env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, (commands, result.stderr[-2000:])
    assert "aws --profile cli-tester sts get-caller-identity" in commands
