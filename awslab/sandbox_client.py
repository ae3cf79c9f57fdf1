"""Everything the lab needs from the sandbox, over HTTP: its process, the account's
credentials, the simulated console.

The sandbox (awslab/sandbox/) is a server: the lab starts it (`python -m awslab.sandbox.server`,
detached from any kernel) and talks to it, through this module only. Of the sandbox's
folder, AWSLAB_HOME/sandbox, the lab opens only what a client of that server owns:

- server.json: where the running server listens (port, endpoint, pid), written by the server;
- server.key: read, never written here: the secret with which a server proves it is this
  home's (the challenge, below) and with which the lab signs its one question about the account;
- server.log (the server's output, appended to), lock (one start or stop at a time);
- the lab's own credentials: credentials.json (the new user's key once notebook 04 switched
  the lab to it) and console-session.json (a kept root console session), both 0600.

What the lab knows of the account itself (its id and Region, root's access keys, the console
secret that stands for the owner's email, password and MFA) it asks the running sandbox for:
`POST /_awslab/account`, signed with server.key (`account()`). The sandbox's own state
(account.json, state.pickle, the journal) is the server's: the lab never opens it.

    from awslab import sandbox_client
    info = sandbox_client.ensure_running()   # SandboxInfo(endpoint, port, pid, account_id, region)
    sandbox_client.lab_credentials()         # what the lab signs its calls with
    sandbox_client.stop(); sandbox_client.reset()

Sections: the process; who answers (ownership); the account; the lab's credentials; the
simulated console. Each failure is a LabError with one sentence.
"""

from __future__ import annotations

import contextlib
import fcntl
import functools
import hashlib
import hmac
import http.client
import json
import os
import secrets
import signal
import socket
import stat
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit

from awslab.errors import Code, LabError, SandboxDown, throttled_sentence
from awslab.home import NotPrivate, lab_home, private_dir, read_json, write_json_private
from awslab.trust import NOTHING, proof, sock_diag

# --- The process ---------------------------------------------------------------------------------

DEFAULT_PORT = 4599
START_TIMEOUT = 60.0
REGION = "us-east-1"
SERVER = "awslab.sandbox.server"   # python -m SERVER
EXIT_PORT_TAKEN = 3                # the server's exit codes (server.py)
EXIT_REFUSED = 4                   # ... with its sentence on the report pipe


@dataclass(frozen=True)
class SandboxInfo:
    endpoint: str
    port: int
    pid: int
    account_id: str
    region: str = REGION


def sandbox_dir() -> Path:
    """AWSLAB_HOME/sandbox: the learner's own, or NotPrivate (home.py)."""
    return private_dir(lab_home() / "sandbox")


def server_state_path() -> Path:
    return sandbox_dir() / "server.json"


def log_path() -> Path:
    return sandbox_dir() / "server.log"


def _server_state() -> dict | None:
    state = read_json(server_state_path())
    return state if isinstance(state, dict) and isinstance(state.get("endpoint"), str) else None


def running() -> SandboxInfo | None:
    """The sandbox of this AWSLAB_HOME, if it runs where server.json says and proves it is
    ours (the port may now be another user's program, or another home's sandbox)."""
    state = _server_state()
    if state is None:
        return None
    try:
        verify(state["endpoint"], lab_home())
        found = _ask_account(state["endpoint"])
    except (NotOurs, LabError):
        return None
    return SandboxInfo(state["endpoint"], state["port"], state["pid"], found.account_id, found.region)


def why_not_running() -> str | None:
    """When server.json names a sandbox that does not prove itself: who holds its port now,
    in one sentence (None when nothing answers there, or when it runs)."""
    state = _server_state()
    if state is None:
        return None
    try:
        verify(state["endpoint"], lab_home())
    except NotOurs as refused:
        if refused.kind == NOTHING:
            return None
        holder = f"a program of {refused.who}" if refused.who else "a program that cannot prove it is yours"
        return (f"port {refused.port}, where it ran last, is held by {holder}, not your sandbox; "
                "start yours with `awslab sandbox start` (it picks a free port).")
    return None


@contextlib.contextmanager
def _lock():
    with open(sandbox_dir() / "lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def start(port: int | None = None, *, strict: bool | None = None) -> SandboxInfo:
    """Start the sandbox unless it already runs. An explicit port must be free (unless
    strict=False: then it is only preferred). Two starts at once for one AWSLAB_HOME make
    one sandbox (the second waits for the first, then finds it running)."""
    return _guarded_start(port, strict, fresh=False)


def _guarded_start(port: int | None, strict: bool | None, *, fresh: bool) -> SandboxInfo:
    try:
        return _start(port, strict, fresh)
    except OSError as error:  # AWSLAB_HOME full, read-only, not ours
        raise _not_writable(error) from None


def _not_writable(error: OSError) -> LabError:
    return LabError(
        f"The sandbox cannot start: it cannot write to {_home_named()} ({error.strerror or error}). "
        "Free some space there or make it writable (or set AWSLAB_HOME to a folder you can "
        "write to); the account saved there is kept as it is.", code=Code.SandboxHomeNotWritable)


def _home_named() -> str:
    """AWSLAB_HOME as named (lab_home() would try to create it)."""
    return str(Path(os.environ.get("AWSLAB_HOME") or Path.home() / ".awslab").expanduser())


def _start(port: int | None, strict: bool | None, fresh: bool) -> SandboxInfo:
    with _lock():
        if not fresh:
            info = running()
            if info is not None:
                return info
        strict = port is not None if strict is None else strict
        port = port or int(os.environ.get("AWSLAB_SANDBOX_PORT", DEFAULT_PORT))
        old = read_json(server_state_path())
        server_state_path().unlink(missing_ok=True)
        if old and old.get("pid") and _is_ours(old["pid"]):  # hung, not answering: replace it
            _terminate(old["pid"], wait=5)
        env = dict(os.environ, AWSLAB_HOME=str(lab_home()), PYTHONUNBUFFERED="1")
        for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
                     "AWS_PROFILE", "AWS_ENDPOINT_URL", "MOTO_ACCOUNT_ID",
                     "AWSLAB_RECORD_CALLS"):  # the lab's call recorder is no part of the server
            env.pop(name, None)
        report, told = os.pipe()  # the server's refusal, in one sentence (server.refuse)
        command = [sys.executable, "-m", SERVER, "--port", str(port), "--report-fd", str(told)]
        if strict:
            command.append("--strict-port")
        if fresh:
            command.append("--fresh")
        watch = process_to_watch()  # a JupyterHub single-user server: the sandbox ends with it
        if watch is not None:
            command += ["--watch-pid", str(watch)]
        try:
            with open(log_path(), "ab") as log:
                process = subprocess.Popen(
                    command, env=env, stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                    start_new_session=True, close_fds=True, pass_fds=(told,),
                )
        finally:
            os.close(told)
        try:
            return _wait_for(process, port, report)
        finally:
            os.close(report)


def _wait_for(process: subprocess.Popen, port: int, report: int) -> SandboxInfo:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        code = process.poll()
        if code is not None:
            if code == EXIT_PORT_TAKEN:
                raise LabError(
                    f"Port {port} is taken by another program: choose another with "
                    "`awslab sandbox start --port N`, or leave --port out to use a free one.",
                    code=Code.PortTaken,
                )
            told = _read_report(report) if code == EXIT_REFUSED else None
            if told is not None:
                raise told
            raise SandboxDown(
                f"The sandbox stopped while starting (exit code {code}); its log is {log_path()}."
            )
        info = running()
        if info is not None:
            return info
        time.sleep(0.05)
    _terminate(process.pid, wait=5)
    raise SandboxDown(f"The sandbox did not answer within {START_TIMEOUT:.0f} s; its log is {log_path()}.")


def _read_report(report: int) -> LabError | None:
    """The sentence a server that refused to start wrote on its report pipe (its write end is
    closed: it exited), as the LabError the lab raises."""
    chunks = []
    with contextlib.suppress(OSError):
        while chunk := os.read(report, 65536):
            chunks.append(chunk)
    try:
        told = json.loads(b"".join(chunks) or b"null")
        sentence, code = str(told["sentence"]), told.get("code")
    except (ValueError, TypeError, KeyError):
        return None
    return NotPrivate(sentence) if code == Code.HomeNotPrivate else LabError(sentence, code=code)


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
        found = Path(f"/proc/{pid}/stat").read_bytes()
    except OSError:
        return True
    return found[found.rindex(b")") + 2:][:1] == b"Z"


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
    return SERVER.encode() in cmdline and f"AWSLAB_HOME={lab_home()}".encode() in environ


RESET = "/_awslab/reset"


def reset(port: int | None = None) -> SandboxInfo:
    """Back to a brand-new account (new id, new root keys), running. The running sandbox
    starts over in place (the same process and port, in a fraction of a second: the sandbox's
    start_over.py), started first when it is not running; when that cannot be (another port
    asked for, a sandbox of an older awslab, a saved account that does not load), a new
    process starts with nothing of the old account (`--fresh`). The lab forgets what it
    recorded of the old account, and its own credentials for it."""
    from awslab.record import forget_account

    asked = port
    info = running()
    if info is not None and port not in (None, info.port):
        stop()
        info = None
    if info is None:
        try:
            info = start(port, strict=port is not None)
        except NotPrivate:
            raise
        except LabError as error:
            if error.code in (Code.PortTaken, Code.SandboxHomeNotWritable):
                raise
            info = None  # the saved account does not load: a fresh start below
    if info is not None:
        forget_account(info.account_id)
        try:
            return _start_over(info)
        except LabError:
            pass  # the way that always works: a new process
        port = port or info.port
        stop()
    _forget_own_files()
    # The same port as before if it is still free, so open notebooks keep working.
    return _guarded_start(port, strict=asked is not None, fresh=True)


def _start_over(info: SandboxInfo) -> SandboxInfo:
    """POST /_awslab/reset to the running sandbox, signed as root (root's access key, else a
    root console session); then the lab's own files of the old account go."""
    from botocore.credentials import Credentials

    owner = account()
    key = owner.active_root_key
    if key is not None:
        credentials = Credentials(key.access_key_id, key.secret_access_key)
    else:  # root has no access key left: a root console session, as the lab signs in then
        session = root_console_credentials(owner.account_id)
        credentials = Credentials(session["access_key_id"], session["secret_access_key"],
                                  session["session_token"])
    with _lock():
        if (_server_state() or {}).get("pid") != info.pid:
            raise LabError("The sandbox changed while it was being reset.")
        answer = call(info.endpoint, RESET, {}, credentials=credentials, region=owner.region)
        _forget_own_files()
    return SandboxInfo(info.endpoint, info.port, info.pid, str(answer["account_id"]), info.region)


def _forget_own_files() -> None:
    """The lab's own files of an account that is gone: its saved credentials, a kept session."""
    for path in (credentials_path(), console_session_path()):
        path.unlink(missing_ok=True)
        path.with_name(path.name + ".tmp").unlink(missing_ok=True)


IDLE_SECONDS = 2 * 3600


def idle_seconds() -> float:
    """How long a sandbox started from here waits without a request before it stops itself
    (the server reads the same AWSLAB_SANDBOX_IDLE_SECONDS): two hours; 0 or less, never."""
    try:
        return float(os.environ.get("AWSLAB_SANDBOX_IDLE_SECONDS") or IDLE_SECONDS)
    except ValueError:
        return float(IDLE_SECONDS)


def _environ(pid: int) -> dict[bytes, bytes] | None:
    try:
        raw = Path(f"/proc/{pid}/environ").read_bytes()
    except OSError:
        return None
    return dict(item.partition(b"=")[::2] for item in raw.split(b"\0") if item)


def _parent(pid: int) -> int | None:
    try:
        found = Path(f"/proc/{pid}/stat").read_bytes()
    except OSError:
        return None
    return int(found[found.rindex(b")") + 2:].split()[1])


def process_to_watch() -> int | None:
    """The pid the sandbox should outlive no longer: AWSLAB_SANDBOX_WATCH_PID, else under
    JupyterHub the outermost process of this user with JUPYTERHUB_USER in its environment
    (the single-user server, or the container's first process), else None."""
    explicit = os.environ.get("AWSLAB_SANDBOX_WATCH_PID")
    if explicit is not None and explicit.strip():
        try:
            pid = int(explicit)
        except ValueError:
            return None
        return pid if pid > 0 else None
    user = os.environ.get("JUPYTERHUB_USER")
    if not user or not os.path.isdir("/proc/self"):
        return None
    found = None
    pid = os.getpid()
    uid = os.getuid()
    while pid:  # up to the first process (in a container, often the single-user server itself)
        environ = _environ(pid)
        try:
            same_user = os.stat(f"/proc/{pid}").st_uid == uid
        except OSError:
            same_user = False
        if environ is None or not same_user:
            break
        if environ.get(b"JUPYTERHUB_USER") == user.encode():
            found = pid
        pid = _parent(pid) if pid > 1 else None
    if found == os.getpid():
        return None  # only the starter itself: nothing outlives it usefully
    return found


# --- Who answers: is it the learner's own sandbox? ---------------------------------------------
#
# A port is only a number: once a sandbox stops, any local user may listen on it, and an open
# notebook or `awslab sandbox env`'s AWS_ENDPOINT_URL would send its signed requests (and the
# console's secret) there. So the lab proves who answers, before every use:
#
# - a challenge: the lab sends a random nonce to `/_awslab/health?nonce=...` and the sandbox
#   answers HMAC(server.key, nonce and the port it listens on): only a server that read this
#   home's key can, and only on the port it really listens on (a relay from the old port fails);
# - the listening socket's owner: Linux says (sock_diag netlink, about 5 microseconds) which
#   socket a connection to 127.0.0.1:PORT reaches, its owner's uid and its inode. A socket of
#   another user is never ours; a socket of ours that passed the challenge is remembered by
#   inode, so later requests cost one netlink lookup, not a round trip.
#
# `check(endpoint)` raises SandboxDown (one sentence) unless this home's sandbox answers there;
# `endpoint_for(endpoint)` also follows a sandbox started again elsewhere (server.json, proven by
# the challenge); `guard(client, home)` runs it before every request a lab client makes
# (botocore's request-created event, before signing: a refused request never leaves the
# process, a followed one is signed for its new host). Where the kernel cannot say (not Linux,
# not 127.0.0.1), the challenge alone decides, its answer kept for CHALLENGE_SECONDS.

KEY_FILE = "server.key"
CHALLENGE_SECONDS = 2.0
CHALLENGE_TIMEOUT = 2.0


def key_path(home: Path) -> Path:
    return Path(home) / "sandbox" / KEY_FILE


def read_key(home: Path) -> bytes:
    """This home's sandbox key (the server makes it at its first start); FileNotFoundError
    when there is none yet. A key file that is not the learner's own, or that others may
    read, is refused with one sentence."""
    path = key_path(home)
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    with os.fdopen(fd, "rb") as handle:
        found = os.fstat(handle.fileno())
        if found.st_uid != os.geteuid() or stat.S_IMODE(found.st_mode) & 0o077:
            raise LabError(f"The sandbox's key {path} is not yours alone (owner uid {found.st_uid}, "
                           f"mode {stat.S_IMODE(found.st_mode):o}): delete it and start the sandbox "
                           "again (`awslab sandbox start`), which makes a new one.")
        key = handle.read().strip()
    if len(key) < 32:
        raise FileNotFoundError(path)  # being written by a starting server
    return key


_TCP_LISTEN = 10


def listener(port: int, host: str = "127.0.0.1") -> tuple[int, int] | str | None:
    """(uid, inode) of the socket a connection to host:port reaches, NOTHING, or None when
    the kernel cannot say (not Linux, not an IPv4 address, sock_diag not offered)."""
    try:
        socket.inet_aton(host)
    except OSError:
        return None
    if host.count(".") != 3:
        return None
    found = sock_diag((host, port), ("0.0.0.0", 0))
    if found is None or found == NOTHING:
        return found
    state, uid, inode = found
    return (uid, inode) if state == _TCP_LISTEN else None


def user_named(uid: int) -> str:
    try:
        import pwd

        return f"user {pwd.getpwuid(uid).pw_name}"
    except (ImportError, KeyError):
        return f"uid {uid}"


class NotOurs(Exception):
    """What answers at an endpoint is not this home's sandbox; str() is one sentence."""

    def __init__(self, sentence: str, kind: str, port: int, who: str | None = None):
        super().__init__(sentence)
        self.kind = kind  # "nothing", "other" (another user's socket) or "unproven"
        self.port = port
        self.who = who    # "user NAME" when the kernel names the port's holder


_proven: dict[tuple[str, str, int], int | float] = {}   # (home, host, port): inode, or until when
_followed: dict[tuple[str, str], str] = {}             # (home, old endpoint): new endpoint


def _split(endpoint: str) -> tuple[str, int]:
    parts = urlsplit(endpoint)
    return parts.hostname or "", parts.port or (443 if parts.scheme == "https" else 80)


def _nothing(endpoint: str, port: int) -> NotOurs:
    return NotOurs(f"The sandbox at {endpoint} is not answering (it was stopped or killed): run "
                   "`awslab sandbox start` in a terminal, or re-run the first cell of this notebook, "
                   "which starts it.", NOTHING, port)


def _elsewhere(port: int, who: str) -> NotOurs:
    return NotOurs(f"Something else (not your sandbox: a program of {who}) is listening on port {port}: "
                   "your sandbox is not running there; start it with `awslab sandbox start` (it will "
                   "pick a free port) and run the cell again.", "other", port, who)


def _unproven(endpoint: str, port: int) -> NotOurs:
    return NotOurs(f"What answers at {endpoint} is not your sandbox (it cannot prove it holds this "
                   f"AWSLAB_HOME's key): your sandbox is not running on port {port}; start it with "
                   "`awslab sandbox start` (it will pick a free port) and run the cell again.", "unproven",
                   port)


def challenge(endpoint: str, key: bytes, timeout: float = CHALLENGE_TIMEOUT) -> bool | None:
    """True when the server at `endpoint` proves it holds `key` and listens on the endpoint's
    port; False when it answers without that proof; None when nothing answers."""
    host, port = _split(endpoint)
    nonce = secrets.token_hex(16)
    connection = http.client.HTTPConnection(host, port, timeout=timeout)  # no proxy, whatever the env says
    try:
        connection.request("GET", f"/_awslab/health?nonce={nonce}")
        answer = connection.getresponse()
        body = answer.read(4096)
    except (OSError, http.client.HTTPException):
        return None
    finally:
        connection.close()
    try:
        said = json.loads(body).get("proof")
    except (ValueError, AttributeError):
        return False
    return isinstance(said, str) and hmac.compare_digest(said, proof(key, nonce, port))


def verify(endpoint: str, home: Path) -> None:
    """Return when this home's sandbox listens at `endpoint`; raise NotOurs otherwise."""
    host, port = _split(endpoint)
    remembered = (str(home), host, port)
    before = listener(port, host)
    if isinstance(before, tuple):
        uid, inode = before
        if uid != os.geteuid():
            _proven.pop(remembered, None)
            raise _elsewhere(port, user_named(uid))
        if _proven.get(remembered) == inode:
            return
    else:
        until = _proven.get(remembered)
        if before is None and isinstance(until, float) and until > time.monotonic():
            return
    try:
        key = read_key(home)
    except FileNotFoundError:
        key = None
    proved = challenge(endpoint, key) if key is not None else False
    if not proved:
        _proven.pop(remembered, None)
        if proved is None:
            raise _nothing(endpoint, port)
        raise _unproven(endpoint, port)
    after = listener(port, host)
    if isinstance(before, tuple) and after == before:
        _proven[remembered] = before[1]
    elif before is None and after is None:
        _proven[remembered] = time.monotonic() + CHALLENGE_SECONDS


def check(endpoint: str, home: Path | None = None) -> None:
    """SandboxDown (one sentence) unless this home's sandbox listens at `endpoint`."""
    try:
        verify(endpoint, home or lab_home())
    except NotOurs as refused:
        raise SandboxDown(str(refused)) from None


def endpoint_for(endpoint: str, home: Path | None = None) -> str:
    """Where to send what was meant for this home's sandbox at `endpoint`: there when it is
    ours, or where it runs now (started again on another port: server.json says where, the
    challenge proves it). SandboxDown with one sentence otherwise; nothing is sent."""
    home = Path(home or lab_home())
    endpoint = endpoint.rstrip("/")
    moved = _followed.get((str(home), endpoint))
    if moved is not None:
        try:
            verify(moved, home)
            return moved
        except NotOurs:
            _followed.pop((str(home), endpoint), None)
    try:
        verify(endpoint, home)
        return endpoint
    except NotOurs as refused:
        first = refused
    try:
        current = json.loads((home / "sandbox" / "server.json").read_text(encoding="utf-8"))["endpoint"]
    except (OSError, ValueError, KeyError, TypeError):
        current = None
    if isinstance(current, str) and current.rstrip("/") != endpoint:
        try:
            verify(current, home)
        except NotOurs:
            pass
        else:
            _followed[(str(home), endpoint)] = current.rstrip("/")
            return current.rstrip("/")
    raise SandboxDown(str(first)) from None


def guard(client, home: Path) -> None:
    """Before each request `client` makes (and each retry), before it is signed: the endpoint
    is this home's sandbox, or the request goes where the sandbox runs now, or it is refused."""
    service = client.meta.service_model.service_id.hyphenize()
    home = Path(home)

    def ours_only(request, **_):
        parts = urlsplit(request.url)
        endpoint = f"{parts.scheme}://{parts.netloc}"
        target = endpoint_for(endpoint, home)
        if target != endpoint:
            request.url = target + request.url[len(endpoint):]

    client.meta.events.register_first(f"request-created.{service}", ours_only,
                                      unique_id=f"awslab-sandbox-ownership-{service}")


# --- The account, as the running sandbox tells its owner ---------------------------------------

ACCOUNT = "/_awslab/account"


def account_proof(key: bytes, nonce: str, moment: int, port: int) -> str:
    """The signature of one question about the account (the server's ownership.account_proof
    checks the same): this home's key, a nonce used once, the time, and the port asked."""
    return hmac.new(key, f"awslab-account\0{nonce}\0{int(moment)}\0{int(port)}".encode(),
                    hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class RootKey:
    access_key_id: str
    secret_access_key: str = field(repr=False)
    status: str = "Active"


@dataclass(frozen=True)
class SandboxAccount:
    """The simulated account as its owner knows it: id, Region, root's access keys, and the
    console secret (what stands for the owner's email, password and MFA: secrets, never shown)."""

    account_id: str
    region: str
    root_keys: tuple[RootKey, ...]
    console_secret: str = field(repr=False)

    @property
    def active_root_key(self) -> RootKey | None:
        return next((key for key in self.root_keys if key.status == "Active"), None)


def account() -> SandboxAccount:
    """The running sandbox's account; SandboxDown with one sentence when it does not run here."""
    state = _server_state()
    if state is None:
        raise SandboxDown("The sandbox is not running: run `awslab sandbox start` in a terminal, or "
                          "re-run the first cell of this notebook, which starts it.")
    endpoint = endpoint_for(state["endpoint"])
    return _ask_account(endpoint)


def _ask_account(endpoint: str, home: Path | None = None) -> SandboxAccount:
    """POST /_awslab/account to this home's (proven) sandbox, signed with its key."""
    from awslab.redaction import keep_out_of_logs

    home = Path(home or lab_home())
    host, port = _split(endpoint)
    try:
        key = read_key(home)
    except FileNotFoundError:
        raise SandboxDown(str(_unproven(endpoint, port))) from None
    nonce, moment = secrets.token_hex(16), int(time.time())
    body = json.dumps({"nonce": nonce, "time": moment,
                       "proof": account_proof(key, nonce, moment, port)}).encode()
    connection = http.client.HTTPConnection(host, port, timeout=TIMEOUT)  # no proxy
    try:
        connection.request("POST", ACCOUNT, body=body, headers={"Content-Type": "application/json"})
        answer = connection.getresponse()
        data = json.loads(answer.read(1 << 20) or b"{}")
    except (OSError, http.client.HTTPException, ValueError) as error:
        raise SandboxDown(f"The sandbox did not answer ({error}): start it with "
                          "`awslab sandbox start` and run the cell again.") from None
    finally:
        connection.close()
    if answer.status != 200 or not isinstance(data, dict) or "account_id" not in data:
        message = data.get("message") if isinstance(data, dict) else None
        raise LabError(f"The sandbox did not tell its account ({message or f'HTTP {answer.status}'}): "
                       "run `awslab sandbox stop` and start it again.", code=Code.SandboxDown)
    keys = tuple(RootKey(str(k["access_key_id"]), str(k["secret_access_key"]), str(k.get("status", "Active")))
                 for k in data.get("root_keys") or [])
    keep_out_of_logs(data.get("console_secret"), *(k.secret_access_key for k in keys))
    return SandboxAccount(str(data["account_id"]), str(data.get("region") or REGION), keys,
                          str(data.get("console_secret") or ""))


def console_secret() -> str:
    """The account owner's console secret (root's sign-in, the simulated authenticator and
    mailbox are theirs): a secret, never shown."""
    return account().console_secret


def active_root_key() -> RootKey | None:
    """Root's active access key in the sandbox, or None."""
    return account().active_root_key


def known_secrets() -> set[str]:
    """The sandbox secrets the lab may hold, to keep out of saved outputs: its saved
    credentials and console session and, while the sandbox runs, root's keys and the console
    secret."""
    found: set[str] = set()
    for path in (credentials_path(), console_session_path()):
        data = read_json(path, default={}) or {}
        found.update(v for k, v in data.items() if ("secret" in k or "token" in k) and isinstance(v, str))
    try:
        owner = account()
    except LabError:
        owner = None
    if owner is not None:
        found.add(owner.console_secret)
        found.update(key.secret_access_key for key in owner.root_keys)
    return {s for s in found if s}


# --- The lab's credentials ---------------------------------------------------------------------
#
# Under AWSLAB_HOME/sandbox, the lab's own: credentials.json (the new user's key, once notebook
# 04 has switched the lab to it; 0600) and console-session.json (a root console session the lab
# signs in with when no credentials are saved and root has no access keys left; 0600). Signing
# in to the console as root takes root's MFA code once root has a device: the simulated
# authenticator app (the learner's phone in the sandbox) supplies it, as a person would type it.

def credentials_path() -> Path:
    return sandbox_dir() / "credentials.json"


def console_session_path() -> Path:
    return sandbox_dir() / "console-session.json"


def saved_credentials() -> dict:
    """What notebook 04 saved for the lab to sign in with ({} when nothing is saved)."""
    return read_json(credentials_path()) or {}


def credentials_stamp() -> tuple:
    """What changes whenever lab_credentials() may answer differently: the lab's saved
    credentials and kept console session, and the account (root's keys; the sandbox replaces
    its account.json whole when they change), as each file's inode, size and time. Stat only:
    no file is opened, so a Lab can look before every client it makes (awslab.following)."""
    found = []
    for path in _stamped_files(os.environ.get("AWSLAB_HOME", "")):
        try:
            seen = os.stat(path)
        except OSError:
            found.append(None)
        else:
            found.append((seen.st_ino, seen.st_size, seen.st_mtime_ns))
    return tuple(found)


@functools.lru_cache(maxsize=8)
def _stamped_files(_home: str) -> tuple[str, ...]:
    """The files a stamp looks at, in sandbox_dir() (made and checked once per AWSLAB_HOME)."""
    folder = sandbox_dir()
    return tuple(str(folder / name) for name in ("credentials.json", "account.json", "console-session.json"))


def lab_credentials() -> dict:
    """What the lab signs its sandbox calls with: {'access_key_id', 'secret_access_key',
    'principal'} and, for a root console session, 'session_token' and 'expiration'.

    The credentials notebook 04 saved (the new user's) if any; else root's access key; else,
    when root has no access keys left, a root console session (signed in through the
    simulated console, as the account's owner can always do on AWS), kept in
    console-session.json (0600) and renewed shortly before it expires."""
    saved = read_json(credentials_path())
    if saved:
        return saved
    owner = account()
    if owner.root_keys:
        key = owner.root_keys[0]
        return {"access_key_id": key.access_key_id, "secret_access_key": key.secret_access_key,
                "principal": "root"}
    return root_console_credentials(owner.account_id)


def root_console_credentials(account_id: str | None = None, *, renew: bool = False) -> dict:
    """A root console session's credentials for this sandbox account (the kept one while it
    has time left, unless renew, else a new sign-in)."""
    from awslab.redaction import keep_out_of_logs

    account_id = account_id or account().account_id
    kept = read_json(console_session_path())
    now = time.time()
    if kept and kept.get("account_id") == account_id and not renew:
        issued, expires = float(kept.get("issued", 0)), float(kept.get("expires", 0))
        # Renew when less than a tenth of its life (at most 5 minutes) is left.
        if expires - now > min(300.0, (expires - issued) / 10):
            keep_out_of_logs(kept.get("secret_access_key"), kept.get("session_token"))
            return _console_credentials(kept)
    session = sign_in_as_root(ensure_running().endpoint)
    keep_out_of_logs(session.get("secret_access_key"), session.get("session_token"))
    expires = datetime.fromisoformat(session["expiration"].replace("Z", "+00:00")).timestamp()
    kept = dict(session, account_id=account_id, issued=now, expires=expires)
    write_json_private(console_session_path(), kept)
    return _console_credentials(kept)


def sign_in_as_root(endpoint: str) -> dict:
    """The account owner's console sign-in as root; root's MFA code, when it has a device,
    from the simulated authenticator app."""
    secret = _ask_account(endpoint_for(endpoint)).console_secret
    try:
        return root_console_session(endpoint, secret)
    except LabError as error:
        serials = getattr(error, "details", {}).get("serial_numbers") or []
        if error.code != "MFACodeRequired" or not serials:
            raise
    code = authenticator_code(endpoint, secret, serials[0])
    return root_console_session(endpoint, secret, code)


def _console_credentials(kept: dict) -> dict:
    return {"access_key_id": kept["access_key_id"], "secret_access_key": kept["secret_access_key"],
            "session_token": kept["session_token"], "expiration": kept.get("expiration"),
            "principal": "root (console session)"}


def forget_lab_credentials() -> None:
    """The lab no longer signs in as a saved user: back to root (its key or a console session)."""
    credentials_path().unlink(missing_ok=True)


def set_lab_credentials(access_key_id: str, secret_access_key: str, principal: str,
                        session_token: str | None = None) -> None:
    saved = {"access_key_id": access_key_id, "secret_access_key": secret_access_key,
             "principal": principal}
    if session_token:
        saved["session_token"] = session_token
    write_json_private(credentials_path(), saved)


# --- The simulated console -----------------------------------------------------------------------
#
# AWS lets root enable MFA only in the console, and people sign in to the console with a
# password (and MFA), not with access keys. The sandbox offers the same steps as awslab-only
# HTTP calls; these functions make them. Root MFA is signed (SigV4) with a connected sandbox
# Lab's credentials, which must be root's:
#
#     device = create_root_virtual_mfa(lab, "my-phone")
#     # device: {"serial_number", "seed", "qr_png_base64", "otpauth_uri"} - secrets, show once
#     enable_root_mfa(lab, device["serial_number"], code1, code2)   # two consecutive codes
#     root_mfa_status(lab)  # {"account_id", "mfa_enabled", "devices": [{"serial_number", ...}]}
#
# Console sign-in (gives temporary credentials, not an access key; secrets, never display):
#
#     root_console_session(endpoint, console_secret, mfa_code=None)
#     sign_in_as_user(endpoint, account, user_name, password, mfa_code=None, new_password=None)
#         # {"next": "mfa_code" | "new_password", ...} or {"signed_in": True, "arn", credentials}
#     authenticator_code(endpoint, console_secret, serial_number)   # the simulated phone
#
# Each raises LabError with one sentence (and .code, e.g. "InvalidAuthenticationCode") when
# the sandbox refuses or cannot be reached.

TIMEOUT = 10.0
ROOT_SESSION = "/_awslab/console/root-session"
SIGN_IN = "/_awslab/console/sign-in"
AUTHENTICATOR = "/_awslab/authenticator/code"

HINTS = {
    "InvalidAuthenticationCode": " Type the codes your authenticator app shows now (for two "
                                 "codes, wait for the second one to appear), then try again.",
    "AccessDenied": " Only the root user can do this: the lab is not signed in as root.",
}


def signed_call(lab, path: str, payload: dict | None = None) -> dict:
    """A sandbox call made as the lab's identity (signed like an AWS request)."""
    if getattr(lab, "target", None) != "sandbox" or not getattr(lab, "endpoint_url", None):
        raise LabError("The simulated console exists only in the sandbox: connect with "
                       "awslab.connect('sandbox'); on a real account, use the AWS console.",
                       code=Code.NotSandbox)
    credentials = lab.session.get_credentials()
    return call(lab.endpoint_url, path, payload,
                credentials=credentials.get_frozen_credentials() if credentials else None,
                region=lab.region)


def call(endpoint: str, path: str, payload: dict | None = None, *, credentials=None,
         region: str = REGION, hints: dict | None = None) -> dict:
    """A sandbox call (`/_awslab/...`) to this home's own sandbox: a JSON object POSTed (GET
    without payload), SigV4-signed when `credentials` are given; the JSON answer. A refusal is
    a LabError with the sandbox's sentence, its code, and `.details` (the whole answer)."""
    # Passwords and the console secret go only to this home's own sandbox (see "Who answers").
    url = endpoint_for(endpoint) + path
    data = None if payload is None else json.dumps(payload).encode()
    sent = {"Content-Type": "application/json"} if data is not None else {}
    method = "GET" if data is None else "POST"
    if credentials is not None:
        from botocore.auth import SigV4Auth
        from botocore.awsrequest import AWSRequest

        signed = AWSRequest(method=method, url=url, data=data, headers=sent)
        SigV4Auth(credentials, "awslab", region).add_auth(signed)
        sent = dict(signed.headers.items())
    request = urllib.request.Request(url, data=data, method=method, headers=sent)
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as answer:
            return json.loads(answer.read() or b"{}")
    except urllib.error.HTTPError as error:
        try:
            detail = json.loads(error.read() or b"{}")
        except ValueError:
            detail = {}
        code = detail.get("error") or f"HTTP{error.code}"
        if code == Code.Throttling:  # too many wrong passwords or codes (the sandbox's throttle.py)
            guesses = "MFA codes" if path.startswith("/_awslab/root-mfa/") else "passwords or MFA codes"
            refused = LabError(throttled_sentence(detail.get("wait_seconds"), guesses), code=code)
            refused.details = detail
            raise refused from None
        message = detail.get("message") or f"the sandbox answered HTTP {error.code}"
        hint = {**HINTS, **(hints or {})}.get(code, "")
        refused = LabError(f"The sandbox refused: {message.rstrip('.')}.{hint}", code=code)
        refused.details = detail  # e.g. the serial numbers of the MFA devices asked for
        raise refused from None
    except (OSError, ValueError) as error:
        raise SandboxDown(f"The sandbox did not answer ({error}): start it with "
                          "`awslab sandbox start` and run the cell again.") from None


def root_console_session(endpoint: str, console_secret: str, mfa_code: str | None = None) -> dict:
    """Sign in to the simulated console as root: temporary credentials {"access_key_id",
    "secret_access_key", "session_token", "expiration"} (secrets: never display them).
    Once root has an MFA device, `mfa_code` is one of its current codes."""
    payload = {"console_secret": console_secret}
    if mfa_code:
        payload["mfa_code"] = str(mfa_code)
    return call(endpoint, ROOT_SESSION, payload, hints={
        "AccessDenied": " The console secret the lab holds is not the running sandbox's (was it "
                        "reset meanwhile?): run the cell again."})


def sign_in_as_user(endpoint: str, account: str, user_name: str, password: str,
                    mfa_code: str | None = None, new_password: str | None = None,
                    pending: str | None = None) -> dict:
    """One step of an IAM user's console sign-in: the next thing the console asks for
    ({"next": "mfa_code"} or {"next": "new_password", "rules": [...], "pending"}), or
    {"signed_in": True, "arn", "access_key_id", "secret_access_key", "session_token",
    "expiration"}. After "new_password", send `pending` with the new password."""
    payload = {"account": account, "user_name": user_name, "password": password}
    for name, value in (("mfa_code", mfa_code), ("new_password", new_password),
                        ("pending", pending)):
        if value:
            payload[name] = str(value)
    return call(endpoint, SIGN_IN, payload, hints={"AccessDenied": ""})


def authenticator_code(endpoint: str, console_secret: str, serial_number: str, *,
                       wait: bool = True) -> str:
    """The code the simulated authenticator app shows for this device now (one the sandbox
    will accept). When the codes it shows were just used (AWS accepts each once), it waits
    for the next one to appear (at most 30 s), unless `wait` is False (LabError "TryAgain")."""
    payload = {"console_secret": console_secret, "serial_number": serial_number}
    try:
        return str(call(endpoint, AUTHENTICATOR, payload)["code"])
    except LabError as error:
        delay = getattr(error, "details", {}).get("wait_seconds")
        if not wait or error.code != "TryAgain" or delay is None:
            raise
    time.sleep(min(float(delay), 31.0))
    return str(call(endpoint, AUTHENTICATOR, payload)["code"])


def create_root_virtual_mfa(lab, device_name: str = "root-account-mfa-device") -> dict:
    """A new virtual MFA device for root: {"serial_number", "seed", "qr_png_base64", "otpauth_uri"}."""
    return signed_call(lab, "/_awslab/root-mfa/create", {"device_name": device_name})


def enable_root_mfa(lab, serial_number: str, code1: str, code2: str) -> dict:
    """Assign the device to root after two consecutive codes: {"serial_number", "enabled": True}."""
    return signed_call(lab, "/_awslab/root-mfa/enable",
                       {"serial_number": serial_number, "code1": str(code1), "code2": str(code2)})


def root_mfa_status(lab) -> dict:
    """{"account_id", "mfa_enabled": bool, "devices": [{"serial_number", "enabled", "enable_date"}]}."""
    return signed_call(lab, "/_awslab/root-mfa/status")
