"""Kernels for the tests, forked from one warm process instead of each importing from cold.

A Python kernel spends about 0.3 s of CPU before it runs a cell, most of it importing
ipykernel, IPython, debugpy, botocore and ipywidgets, and the suite starts about 130 of them
(papermill's runs, `awslab run`'s, JupyterLab's): in a full run their CPU went from about 112 s
to about 60 s with the forks (measured by sampling every process). A zygote process imports all
that once (nothing of awslab's own: the code under test is imported fresh in every kernel), and
each kernel is a fork of it that then runs `ipykernel_launcher` as `python -m` would, in the
launching process's folder, environment and standard streams.

The seam is a kernel spec, the documented way to say how a kernel starts: the session's
`python3` spec (on JUPYTER_PATH, ahead of the virtual environment's) runs this file as a
launcher. jupyter_client manages the launcher as it would the kernel: the launcher passes on
the signals it gets (an interrupt, a terminate), exits with the kernel's exit code, and if the
launcher is killed, the kernel kills itself (it watches a pipe whose other end only the
launcher holds). With no zygote to ask (AWSLAB_TEST_ZYGOTE unset, or the zygote gone), the
launcher becomes an ordinary kernel (exec of `python -m ipykernel_launcher`).

What the preloaded modules read from the environment when imported (IMPORT_TIME_ENV) must be
what the kernel's own environment says: where it differs, the zygote forks nothing and the
launcher becomes an ordinary kernel (exec), so a kernel never runs with the zygote's settings in
place of its own.

Run as `python -S kernel_zygote.py launch ipykernel_launcher -f CONNECTION_FILE` (the
launcher: stdlib only, no site-packages) or `python kernel_zygote.py serve SOCKET` (the
zygote).
"""

from __future__ import annotations

import array
import json
import os
import signal
import socket
import struct
import sys

ENV = "AWSLAB_TEST_ZYGOTE"
FORWARDED = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT, signal.SIGUSR1, signal.SIGUSR2)

# What a kernel running the lab's notebooks imports from outside awslab (read from sys.modules
# after importing every awslab module in a kernel); the zygote imports them before it forks.
PRELOAD = (
    "ipykernel.kernelapp", "ipykernel.ipkernel", "ipykernel.zmqshell", "ipykernel.comm",
    "ipykernel.debugger", "ipykernel.eventloops", "IPython.core.completerlib",
    "ipywidgets", "anywidget", "psygnal", "comm",
    "boto3", "boto3.session", "botocore.session", "botocore.client", "botocore.endpoint",
    "botocore.httpsession", "botocore.parsers", "botocore.serialize", "botocore.validate",
    "botocore.signers", "botocore.auth", "botocore.credentials", "botocore.regions",
    "pyotp", "qrcode", "qrcode.image.svg", "email.message", "mimetypes", "difflib", "secrets",
    "unicodedata", "configparser", "sysconfig",
)
# Read by Python at its start or by a PRELOAD module at its import: botocore's caches of SSO
# tokens and credentials are folders under HOME, fixed when botocore is imported. (ipykernel's
# JPY_PARENT_PID is given to each kernel: see _become_kernel.)
IMPORT_TIME_ENV = (
    "HOME", "BOTO_DISABLE_CRT",
    "PYTHONPATH", "PYTHONHOME", "PYTHONSAFEPATH", "PYTHONNOUSERSITE", "PYTHONDONTWRITEBYTECODE",
    "PYTHONHASHSEED", "PYTHONWARNINGS", "PYTHONUTF8", "PYTHONIOENCODING", "PYTHONUNBUFFERED",
    "PYTHONDEVMODE", "PYTHONOPTIMIZE", "PYTHONFAULTHANDLER", "PYTHONTRACEMALLOC",
    "JUPYTER_WIDGETS_ECHO", "IPYTHON_SUPPRESS_CONFIG_ERRORS", "JPY_INTERRUPT_EVENT",
    "TRAITLETS_APPLICATION_RAISE_CONFIG_FILE_ERROR", "JUPYTER_ALLOW_INSECURE_WRITES",
    "PSYGNAL_UNCOMPILED",
)


# -- the launcher (stdlib only: it runs with -S) -------------------------------------------------

def launch(argv: list[str]) -> None:
    """Ask the zygote for a kernel with `argv` (`ipykernel_launcher` and its arguments), then
    stand in for it until it exits."""
    path = os.environ.get(ENV)
    conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        if not path:
            raise OSError("no zygote")
        conn.connect(path)
    except OSError:
        conn.close()
        os.execv(sys.executable, [sys.executable, "-m", *argv])
    lifeline_read, lifeline = os.pipe()  # the kernel ends when `lifeline` closes (we die)
    request = json.dumps({"argv": argv, "cwd": os.getcwd(), "env": dict(os.environ)}).encode()
    fds = array.array("i", [0, 1, 2, lifeline_read])
    conn.sendmsg([struct.pack("!I", len(request)), request],
                 [(socket.SOL_SOCKET, socket.SCM_RIGHTS, fds)])
    os.close(lifeline_read)
    reply = _read(conn, 4)
    pid = struct.unpack("!i", reply)[0] if len(reply) == 4 else 0
    if pid == 0:  # not from this zygote (see IMPORT_TIME_ENV): an ordinary kernel, in our place
        conn.close()
        os.close(lifeline)
        os.execv(sys.executable, [sys.executable, "-m", *argv])

    def forward(signum, _frame):
        try:
            os.kill(pid, signum)
        except ProcessLookupError:
            pass

    for signum in FORWARDED:
        signal.signal(signum, forward)
    # An ordinary kernel ends when the process that started it is gone (ipykernel's
    # ParentPollerUnix); a forked one's parent is the zygote, so its stand-in watches instead.
    parent = os.getppid()
    conn.settimeout(1.0)
    while True:
        try:
            status = _read(conn, 4)
            break
        except TimeoutError:
            if os.getppid() != parent:
                forward(signal.SIGKILL, None)
                os._exit(1)
    code = struct.unpack("!i", status)[0] if len(status) == 4 else 1
    if code < 0:  # killed by a signal: so is its stand-in
        signal.signal(-code, signal.SIG_DFL)
        os.kill(os.getpid(), -code)
    os._exit(code & 0xFF)


def _read(conn: socket.socket, size: int) -> bytes:
    data = b""
    while len(data) < size:
        try:
            chunk = conn.recv(size - len(data))
        except InterruptedError:
            continue
        if not chunk:
            break
        data += chunk
    return data


# -- the zygote ----------------------------------------------------------------------------------

def serve(path: str) -> None:
    import importlib
    import selectors
    import threading

    for name in PRELOAD:
        try:
            importlib.import_module(name)
        except ImportError:
            pass
    assert threading.active_count() == 1, "a preloaded module started a thread: forking is unsafe"
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(path)
    listener.listen(64)
    wake_read, wake_write = os.pipe()
    os.set_blocking(wake_write, False)
    signal.set_wakeup_fd(wake_write)
    signal.signal(signal.SIGCHLD, lambda *_: None)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    waiting: dict[int, socket.socket] = {}  # kernel pid: its launcher's connection
    selector = selectors.DefaultSelector()
    selector.register(listener, selectors.EVENT_READ)
    selector.register(wake_read, selectors.EVENT_READ)
    print("ready", flush=True)
    while True:
        for key, _ in selector.select():
            if key.fileobj is listener:
                conn, _ = listener.accept()
                if not _ours(conn):
                    conn.close()
                    continue
                pid = _fork_kernel(conn, listener, wake_read, wake_write, selector, *waiting.values())
                if pid:
                    waiting[pid] = conn
                else:
                    conn.close()
            else:
                os.read(wake_read, 4096)
                _reap(waiting)


def _ours(conn: socket.socket) -> bool:
    """Whether the process at the other end runs as this user: a kernel runs whatever its
    launcher's request says, so no one else gets one, even with the socket's folder open."""
    _pid, uid, _gid = struct.unpack("3i", conn.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED,
                                                          struct.calcsize("3i")))
    return uid == os.getuid()


def _reap(waiting: dict[int, socket.socket]) -> None:
    while True:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if not pid:
            return
        conn = waiting.pop(pid, None)
        if conn is not None:
            code = os.waitstatus_to_exitcode(status)
            try:
                conn.sendall(struct.pack("!i", code))
            except OSError:
                pass
            conn.close()


def _fork_kernel(conn: socket.socket, *inherited) -> int | None:
    """Fork a kernel for the launcher on `conn`; its pid, or None when the request was bad."""
    header, fds, _flags, _addr = conn.recvmsg(4, socket.CMSG_SPACE(4 * array.array("i").itemsize))
    received = array.array("i")
    for level, kind, data in fds:
        if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
            received.frombytes(data[:len(data) - len(data) % received.itemsize])
    if len(header) != 4 or len(received) != 4:
        for fd in received:
            os.close(fd)
        return None
    request = json.loads(_read(conn, struct.unpack("!I", header)[0]))
    if any(request["env"].get(name) != os.environ.get(name) for name in IMPORT_TIME_ENV):
        for fd in received:
            os.close(fd)
        conn.sendall(struct.pack("!i", 0))  # the launcher starts an ordinary kernel itself
        return None
    pid = os.fork()
    if pid == 0:
        try:
            _become_kernel(request, list(received), conn, inherited)
        finally:
            os._exit(1)
    for fd in received:
        os.close(fd)
    conn.sendall(struct.pack("!i", pid))
    return pid


def _become_kernel(request: dict, fds: list[int], conn, inherited) -> None:
    import atexit
    import runpy
    import threading

    signal.set_wakeup_fd(-1)
    for signum in (signal.SIGCHLD, signal.SIGTERM, *FORWARDED):
        signal.signal(signum, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    conn.close()
    for thing in inherited:
        thing.close() if hasattr(thing, "close") else os.close(thing)
    stdin, stdout, stderr, lifeline = fds
    for fd, target in ((stdin, 0), (stdout, 1), (stderr, 2)):
        os.dup2(fd, target)
        os.close(fd)
    os.chdir(request["cwd"])
    env, argv = request["env"], request["argv"]
    os.environ.clear()
    os.environ.update(env)
    sys.path[0] = os.getcwd()  # as `python -m` gives: the working folder first
    if env.get("JPY_PARENT_PID"):  # ipykernel read it at import, from the zygote's environment
        argv = [*argv, f"--IPKernelApp.parent_handle={int(env['JPY_PARENT_PID'])}"]

    def watch() -> None:  # the launcher was killed: so is its kernel
        while os.read(lifeline, 1):
            pass
        os.kill(os.getpid(), signal.SIGKILL)

    threading.Thread(target=watch, daemon=True, name="awslab-lifeline").start()
    sys.argv = list(argv)
    code = 0
    try:
        runpy.run_module(argv[0], run_name="__main__", alter_sys=True)
    except SystemExit as done:
        code = done.code if isinstance(done.code, int) else (0 if done.code is None else 1)
    except BaseException:
        import traceback

        traceback.print_exc()
        code = 1
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except Exception:
            pass
    os._exit(code)


def kernel_spec() -> dict:
    """The `python3` kernel spec that starts kernels through this launcher."""
    return {
        "argv": [sys.executable, "-S", os.path.abspath(__file__), "launch", "ipykernel_launcher",
                 "-f", "{connection_file}"],
        "display_name": "Python 3 (ipykernel)", "language": "python",
        "metadata": {"debugger": True},
    }



class Zygote:
    """The zygote for a test session, and the environment that has kernels forked from it:
    JUPYTER_PATH with the `python3` spec above, and the zygote's socket. A process that must
    start its own kernels (another Python's, as the Binder test's) leaves both out (`without`)."""

    def __init__(self, folder) -> None:
        import subprocess
        import time

        folder = os.fspath(folder)
        os.chmod(folder, 0o700)  # the socket: this user's alone (and the zygote checks who asks)
        spec = os.path.join(folder, "kernels", "python3")
        os.makedirs(spec, mode=0o700)
        with open(os.path.join(spec, "kernel.json"), "w", encoding="utf-8") as file:
            json.dump(kernel_spec(), file)
        self.socket = os.path.join(folder, "zygote.sock")
        with open(os.path.join(folder, "zygote.log"), "ab") as log:
            self.process = subprocess.Popen([sys.executable, os.path.abspath(__file__), "serve", self.socket],
                                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=log)
        deadline = time.monotonic() + 60
        while self.process.stdout.readline().strip() != b"ready":
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the kernel zygote did not start; see {folder}/zygote.log")
        self.env = {"JUPYTER_PATH": folder, ENV: self.socket}

    def close(self) -> None:
        self.process.terminate()
        self.process.wait(10)
        self.process.stdout.close()

    @staticmethod
    def without(env: dict) -> dict:
        return {k: v for k, v in env.items() if k not in ("JUPYTER_PATH", ENV)}


if __name__ == "__main__":
    if sys.argv[1] == "launch":
        launch(sys.argv[2:])
    elif sys.argv[1] == "serve":
        serve(sys.argv[2])
