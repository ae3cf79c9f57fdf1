"""Start, find, stop and reset the sandbox server process.

State under AWSLAB_HOME/sandbox: account.json (the account and root's keys, 0600),
server.json (pid, port, endpoint of the running server), server.log, server.key (the
secret the server proves it is this home's with, ownership.py; 0600, kept by reset), and the
credentials the lab signs its calls with (credentials.py).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from awslab.errors import Code, LabError, SandboxDown
from awslab.home import lab_home, private_dir, read_json, write_json_private

DEFAULT_PORT = 4599
START_TIMEOUT = 60.0


@dataclass(frozen=True)
class SandboxInfo:
    endpoint: str
    port: int
    pid: int
    account_id: str


def _dir() -> Path:
    return private_dir(lab_home() / "sandbox")  # the learner's own, or NotPrivate (home.py)


def server_state_path() -> Path:
    return _dir() / "server.json"


def write_server_state(state: dict) -> None:
    write_json_private(server_state_path(), state)


def forget_server_state(pid: int) -> None:
    """A stopping server's last word: server.json no longer names it (unless a start or
    stop holds the lock: then that one decides what server.json says)."""
    try:
        with open(_dir() / "lock", "w") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            if (read_json(server_state_path()) or {}).get("pid") == pid:
                server_state_path().unlink(missing_ok=True)
    except OSError:
        pass


def log_path() -> Path:
    return _dir() / "server.log"


def running() -> SandboxInfo | None:
    """The sandbox of this AWSLAB_HOME, if it runs where server.json says and proves it is
    ours (ownership.py: the port may now be another user's program, or another home's sandbox)."""
    from awslab.sandbox.account import Account
    from awslab.sandbox.ownership import NotOurs, verify

    state = read_json(server_state_path())
    if not state or not isinstance(state.get("endpoint"), str):
        return None
    try:
        verify(state["endpoint"], lab_home())
    except NotOurs:
        return None
    account = Account.load()
    if account is None:
        return None
    return SandboxInfo(state["endpoint"], state["port"], state["pid"], account.account_id)


def why_not_running() -> str | None:
    """When server.json names a sandbox that does not prove itself: who holds its port now,
    in one sentence (None when nothing answers there, or when it runs)."""
    from awslab.sandbox.ownership import NotOurs, verify

    state = read_json(server_state_path())
    if not state or not isinstance(state.get("endpoint"), str):
        return None
    try:
        verify(state["endpoint"], lab_home())
    except NotOurs as refused:
        if refused.kind == "nothing":
            return None
        holder = f"a program of {refused.who}" if refused.who else "a program that cannot prove it is yours"
        return (f"port {refused.port}, where it ran last, is held by {holder}, not your sandbox; "
                "start yours with `awslab sandbox start` (it picks a free port).")
    return None


@contextlib.contextmanager
def _lock():
    with open(_dir() / "lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def start(port: int | None = None, *, strict: bool | None = None) -> SandboxInfo:
    """Start the sandbox unless it already runs. An explicit port must be free (unless
    strict=False: then it is only preferred). Two starts at once for one AWSLAB_HOME make
    one sandbox (the second waits for the first, then finds it running)."""
    try:
        return _start(port, strict)
    except OSError as error:  # AWSLAB_HOME full, read-only, not ours
        raise LabError(
            f"The sandbox cannot start: it cannot write to {_home_named()} ({error.strerror or error}). "
            "Free some space there or make it writable (or set AWSLAB_HOME to a folder you can "
            "write to); the account saved there is kept as it is.", code=Code.SandboxHomeNotWritable,
        ) from None


def _home_named() -> str:
    """AWSLAB_HOME as named (lab_home() would try to create it)."""
    return str(Path(os.environ.get("AWSLAB_HOME") or Path.home() / ".awslab").expanduser())


def _start(port: int | None, strict: bool | None) -> SandboxInfo:
    with _lock():
        info = running()
        if info is not None:
            return info
        strict = port is not None if strict is None else strict
        port = port or int(os.environ.get("AWSLAB_SANDBOX_PORT", DEFAULT_PORT))
        old = read_json(server_state_path())
        server_state_path().unlink(missing_ok=True)
        if old and old.get("pid") and _is_ours(old["pid"]):  # hung, not answering: replace it
            _terminate(old["pid"], wait=5)
        from awslab.sandbox.account import load_or_create

        load_or_create()  # the account exists before the server or the lab reads it
        from awslab.sandbox.ownership import server_key

        server_key(lab_home())  # the key the server proves it is ours with (ownership.py)
        env = dict(os.environ, AWSLAB_HOME=str(lab_home()), PYTHONUNBUFFERED="1")
        for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
                     "AWS_PROFILE", "AWS_ENDPOINT_URL", "MOTO_ACCOUNT_ID"):
            env.pop(name, None)
        command = [sys.executable, "-m", "awslab.sandbox.server", "--port", str(port)]
        if strict:
            command.append("--strict-port")
        from awslab.sandbox.lifetime import process_to_watch

        watch = process_to_watch()  # a JupyterHub single-user server: the sandbox ends with it
        if watch is not None:
            command += ["--watch-pid", str(watch)]
        with open(log_path(), "ab") as log:
            process = subprocess.Popen(
                command, env=env, stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                start_new_session=True, close_fds=True,
            )
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            code = process.poll()
            if code is not None:
                if code == 3:
                    raise LabError(
                        f"Port {port} is taken by another program: choose another with "
                        "`awslab sandbox start --port N`, or leave --port out to use a free one.",
                        code=Code.PortTaken,
                    )
                raise SandboxDown(
                    f"The sandbox stopped while starting (exit code {code}); its log is {log_path()}."
                )
            info = running()
            if info is not None:
                return info
            time.sleep(0.05)
        _terminate(process.pid, wait=5)
        raise SandboxDown(f"The sandbox did not answer within {START_TIMEOUT:.0f} s; its log is {log_path()}.")


def ensure_running() -> SandboxInfo:
    return running() or start()


def _terminate(pid: int, wait: float) -> None:
    try:
        os.kill(pid, signal.SIGTERM)
    except (ProcessLookupError, PermissionError):
        return
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        with contextlib.suppress(ChildProcessError):
            os.waitpid(pid, os.WNOHANG)
        if _exited(pid):
            return
        time.sleep(0.05)
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)


def _exited(pid: int) -> bool:
    """Whether pid has exited and waits to be reaped (a zombie: its parent, often init after
    the starting command ended, may take its time)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_bytes()
    except OSError:
        return True
    return stat[stat.rindex(b")") + 2:][:1] == b"Z"


def stop() -> bool:
    """Stop the sandbox; True when one was running. Its account is kept."""
    with _lock():
        info = running()
        state = read_json(server_state_path())
        server_state_path().unlink(missing_ok=True)
        if state and state.get("pid") and (info is not None or _is_ours(state["pid"])):
            _terminate(state["pid"], wait=10)
        return info is not None


def _is_ours(pid: int) -> bool:
    """Whether pid is this AWSLAB_HOME's sandbox server (not a process that got its pid since)."""
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
        environ = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
    except OSError:
        return False
    return (b"awslab.sandbox.server" in cmdline
            and f"AWSLAB_HOME={lab_home()}".encode() in environ)


# What a reset keeps in AWSLAB_HOME/sandbox: the home's (its lock, the server's log and key:
# ownership.py) and, when the running sandbox starts over in place, the files it writes itself.
_HOME_FILES = ("lock", "server.log", "server.key")
_SERVER_FILES = ("server.json", "account.json", "journal", "state.pickle")


def reset(port: int | None = None) -> SandboxInfo:
    """Back to a brand-new account (new id, new root keys), running. A running sandbox starts
    over in place (start_over.py: the same process and port, in a fraction of a second), unless
    another port is asked for or it cannot (one started by an older awslab, root unable to
    sign); then it is stopped and started afresh."""
    from awslab.record import forget_account
    from awslab.sandbox.account import Account

    was_running = running()
    old = Account.load()
    if old is not None:
        forget_account(old.account_id)
    if was_running is not None and port in (None, was_running.port):
        try:
            return _start_over(was_running)
        except LabError:
            pass  # the way that always works: a new process
    stop()
    with _lock():
        _remove_files(keep=_HOME_FILES)
    # The same port as before if it is still free, so open notebooks keep working.
    return start(port or (was_running.port if was_running else None), strict=port is not None)


def _start_over(info: SandboxInfo) -> SandboxInfo:
    """POST /_awslab/reset to the running sandbox, signed as root; then the lab's own files of
    the old account (its saved credentials, a kept console session) go."""
    from botocore.credentials import Credentials

    from awslab.sandbox.account import Account
    from awslab.sandbox.console import _request, authenticator_code, root_console_session
    from awslab.sandbox.start_over import PATH

    account = Account.load()
    if account is None:
        raise LabError("The sandbox has no account.json to sign its reset with.")
    key = next((key for key in account.root_keys if key.status == "Active"), None)
    if key is not None:
        credentials = Credentials(key.access_key_id, key.secret_access_key)
    else:  # root has no access key left: the owner's console sign-in (credentials.sign_in_as_root)
        try:
            session = root_console_session(info.endpoint, account.console_secret)
        except LabError as error:
            serials = getattr(error, "details", {}).get("serial_numbers") or []
            if error.code != "MFACodeRequired" or not serials:
                raise
            code = authenticator_code(info.endpoint, account.console_secret, serials[0])
            session = root_console_session(info.endpoint, account.console_secret, code)
        credentials = Credentials(session["access_key_id"], session["secret_access_key"],
                                  session["session_token"])
    with _lock():
        if (read_json(server_state_path()) or {}).get("pid") != info.pid:
            raise LabError("The sandbox changed while it was being reset.")
        answer = _request(info.endpoint, PATH, {}, credentials=credentials, region=account.region)
        _remove_files(keep=_HOME_FILES + _SERVER_FILES)
    return SandboxInfo(info.endpoint, info.port, info.pid, str(answer["account_id"]))


def _remove_files(keep: tuple[str, ...]) -> None:
    """Every file and folder in AWSLAB_HOME/sandbox but those named in `keep` (and, for those,
    the temporary file each is written through)."""
    for name in os.listdir(_dir()):
        if name in keep or name.removesuffix(".tmp") in keep:
            continue
        target = _dir() / name
        if target.is_dir():
            shutil.rmtree(target)
        else:
            target.unlink()
