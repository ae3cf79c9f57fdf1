"""The tests' kernels, forked from a warm process (tests/kernel_zygote.py), behave as kernels
jupyter_client starts itself: their own folder, environment and path, interrupted by an
interrupt, gone when jupyter_client kills them, and an ordinary kernel where the warm process's
imports would not match the kernel's environment."""

from __future__ import annotations

import json
import os
import sys
import time

import pytest

from tests.helpers import process_gone

pytestmark = pytest.mark.skipif(os.environ.get("AWSLAB_TEST_KERNELS") == "ordinary",
                                reason="AWSLAB_TEST_KERNELS=ordinary: no kernel is forked in this session")


def _kernel(cwd, **env):
    from jupyter_client import KernelManager

    manager = KernelManager(kernel_name="python3")
    manager.start_kernel(cwd=str(cwd), env=dict(os.environ, **env))
    client = manager.client()
    client.start_channels()
    client.wait_for_ready(timeout=60)
    return manager, client


def _run(client, code: str, timeout: float = 60) -> str:
    out: list[str] = []

    def hook(message):
        content = message["content"]
        out.append(content.get("text", "") or content.get("ename", ""))

    client.execute_interactive(code, timeout=timeout, output_hook=hook)
    return "".join(out)


@pytest.fixture
def kernel(lab_home, tmp_path):
    manager, client = _kernel(tmp_path, AWSLAB_MARK="mine")
    yield manager, client
    client.stop_channels()
    if manager.has_kernel:
        manager.shutdown_kernel(now=True)


WHERE = ("import json, os, sys; print(json.dumps([os.getcwd(), os.environ.get('AWSLAB_MARK'), sys.path, "
         "sys.executable, os.getpid(), 'awslab' in sys.modules]))")


def test_a_forked_kernel_sees_what_an_ordinary_kernel_sees(kernel, tmp_path):
    manager, client = kernel
    cwd, mark, path, python, pid, awslab_loaded = json.loads(_run(client, WHERE))
    assert pid != manager.provisioner.process.pid  # forked: the launcher stands in for it
    assert not awslab_loaded  # the code under test is imported by each kernel itself
    ordinary, ordinary_client = _kernel(tmp_path, AWSLAB_MARK="mine", AWSLAB_TEST_ZYGOTE="")
    try:
        seen = json.loads(_run(ordinary_client, WHERE))
    finally:
        ordinary_client.stop_channels()
        ordinary.shutdown_kernel(now=True)
    assert [cwd, mark, path, python] == seen[:4] and cwd == str(tmp_path) and mark == "mine"


def test_an_interrupt_reaches_the_kernel(kernel):
    manager, client = kernel
    # (stop_on_error=False: after an error, ipykernel aborts the requests that come in at once)
    sleeping = client.execute("import time; time.sleep(60)", stop_on_error=False)
    while True:  # the kernel has begun the cell
        message = client.get_iopub_msg(timeout=30)
        if message["parent_header"].get("msg_id") == sleeping and message["msg_type"] == "execute_input":
            break
    time.sleep(0.5)
    manager.interrupt_kernel()
    reply = client.get_shell_msg(timeout=20)
    assert reply["content"]["status"] == "error" and reply["content"]["ename"] == "KeyboardInterrupt"
    assert _run(client, "print(6 * 7)") == "42\n"


def test_a_killed_kernel_is_gone_and_a_shut_down_one_exits(lab_home, tmp_path):
    for now in (True, False):
        manager, client = _kernel(tmp_path)
        pid = int(_run(client, "import os; print(os.getpid())"))
        client.stop_channels()
        manager.shutdown_kernel(now=now)  # now: SIGKILL to the launcher's process group
        assert process_gone(pid, 10), f"kernel {pid} outlived its launcher (now={now})"


@pytest.mark.parametrize("setting", [{"JUPYTER_WIDGETS_ECHO": "0"}, {"HOME": "elsewhere"}])
def test_a_different_import_time_setting_gets_an_ordinary_kernel(lab_home, tmp_path, setting):
    """Started by jupyter_client itself (the launcher becomes it), and so stopped by it: a kernel
    left running would hold its starter's output open (`awslab run` would never end)."""
    if "HOME" in setting:
        setting = {"HOME": str(tmp_path / "home")}
    manager, client = _kernel(tmp_path, **setting)
    try:
        command = _run(client, "print(open('/proc/self/cmdline').read().replace(chr(0), ' '))")
        assert "-m ipykernel_launcher" in command and "serve" not in command
        pid = int(_run(client, "import os; print(os.getpid())"))
        assert pid == manager.provisioner.process.pid
        if "JUPYTER_WIDGETS_ECHO" in setting:
            assert _run(client, "import ipywidgets.widgets.widget as w; print(w.JUPYTER_WIDGETS_ECHO)") == "False\n"
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)
    assert process_gone(pid, 10)


def test_a_kernel_whose_zygote_is_gone_starts_anyway(lab_home, tmp_path):
    manager, client = _kernel(tmp_path, AWSLAB_TEST_ZYGOTE=str(tmp_path / "no-such.sock"))
    try:
        assert _run(client, "print(6 * 7)") == "42\n"
        assert int(_run(client, "import os; print(os.getpid())")) == manager.provisioner.process.pid
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)


def test_a_kernel_ends_when_the_process_that_started_it_dies(lab_home, tmp_path):
    """As an ordinary kernel does (ipykernel watches its parent): a JupyterLab killed outright
    leaves no kernel running."""
    import subprocess
    import sys

    script = (
        "import os, sys; from jupyter_client import KernelManager\n"
        "m = KernelManager(kernel_name='python3'); m.start_kernel(cwd=sys.argv[1])\n"
        "c = m.client(); c.start_channels(); c.wait_for_ready(timeout=60)\n"
        "c.execute_interactive('import os; print(os.getpid())', output_hook=lambda msg: "
        "print(msg['content'].get('text', '').strip(), flush=True) if msg['msg_type'] == 'stream' else None)\n"
        "os.kill(os.getpid(), 9)\n")
    with subprocess.Popen([sys.executable, "-c", script, str(tmp_path)], stdout=subprocess.PIPE,
                          stderr=subprocess.DEVNULL, text=True) as starter:
        pid = int(starter.stdout.readline())
        starter.wait(60)
    assert process_gone(pid, 15), f"kernel {pid} outlived the process that started it"


ASK = r"""
import array, json, os, socket, struct, sys
conn = socket.socket(socket.AF_UNIX)
conn.connect(sys.argv[1])
request = json.dumps({"argv": ["ipykernel_launcher", "-c", "pass"], "cwd": "/", "env": {}}).encode()
read, write = os.pipe()
try:
    conn.sendmsg([struct.pack("!I", len(request)), request],
                 [(socket.SOL_SOCKET, socket.SCM_RIGHTS, array.array("i", [0, 1, 2, read]))])
    print(json.dumps(list(conn.recv(4))), flush=True)
except (BrokenPipeError, ConnectionResetError):  # closed before (or without) reading the request
    print("[]", flush=True)
"""


def test_no_other_user_gets_a_kernel_even_with_the_socket_open_to_all(lab_home):
    """A kernel runs what its request says: the zygote forks one for this user's processes only
    (SO_PEERCRED), also when the folder that guards its socket has been opened to everyone."""
    import subprocess

    from tests.kernel_zygote import Zygote
    from tests.sandbox.test_attack_impostor import _as, _python_for, _second_user

    user = _second_user()
    if user is None:
        pytest.skip("needs root to run a process as a second Unix user (CI runs the tests as root)")
    import shutil
    import tempfile

    folder = tempfile.mkdtemp(prefix="awslab-zygote-")  # in /tmp: pytest's own folders are 0700
    zygote = Zygote(folder)
    try:
        os.chmod(folder, 0o755)
        os.chmod(zygote.socket, 0o777)
        asked = subprocess.run([_python_for(user), "-I", "-c", ASK, zygote.socket], capture_output=True,
                               text=True, timeout=60, cwd="/", **_as(user))
        assert asked.returncode == 0, asked.stderr  # it reached the socket, and was turned away:
        assert json.loads(asked.stdout) == []  # closed, no pid
        mine = subprocess.run([sys.executable, "-I", "-c", ASK, zygote.socket], capture_output=True,
                              text=True, timeout=60, cwd="/")
        assert len(json.loads(mine.stdout)) == 4  # the same request from this user is answered
    finally:
        zygote.close()
        shutil.rmtree(folder, ignore_errors=True)
