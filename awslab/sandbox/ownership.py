"""Is what answers on this port the learner's own sandbox? Asked before every use, not once.

A port is only a number: once a sandbox stops (idle, `awslab sandbox stop`, killed), any
local user may listen on it, and an open notebook or `awslab sandbox env`'s AWS_ENDPOINT_URL
would send its signed requests (and the console's secret) there. So the lab proves who
answers, in two ways an impostor cannot fake:

- a challenge: each AWSLAB_HOME has a secret, `sandbox/server.key` (0600, made at the first
  start, kept by `reset`); the client sends a random nonce to `/_awslab/health?nonce=...`
  and the sandbox answers HMAC(key, nonce and the port it listens on): only a server that
  read this home's key can, and only on the port it really listens on (a relay from the old
  port to the new one fails);
- the listening socket's owner: Linux says (sock_diag netlink, about 5 microseconds) which
  socket a connection to 127.0.0.1:PORT reaches, its owner's uid and its inode. A socket of
  another user is never ours; a socket of ours that passed the challenge is remembered by
  inode, so later requests cost one netlink lookup, not a round trip.

`check(endpoint)` raises SandboxDown (one sentence) unless this home's sandbox answers there;
`endpoint_for(endpoint)` also follows a sandbox started again elsewhere (server.json, proven by
the challenge); `guard(client, home)` runs it before every request a lab client makes (botocore's
request-created event, before signing: a refused request never leaves the process, a followed
one is signed for its new host). Where the kernel cannot say (not Linux, not 127.0.0.1), the
challenge alone decides, its answer kept for CHALLENGE_SECONDS.
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import json
import os
import secrets
import socket
import stat
import struct
import time
from pathlib import Path
from urllib.parse import urlsplit

from awslab.errors import LabError, SandboxDown

KEY_FILE = "server.key"
CHALLENGE_SECONDS = 2.0
CHALLENGE_TIMEOUT = 2.0
NOTHING = "nothing"   # a kernel lookup: nothing listens on the port


def key_path(home: Path) -> Path:
    return Path(home) / "sandbox" / KEY_FILE


def server_key(home: Path, *, create: bool = True) -> bytes:
    """This home's sandbox key, made (0600) when missing and `create`. A key file that is not
    the learner's own, or that others may read, is refused with one sentence."""
    path = key_path(home)
    for _ in range(2):
        try:
            fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
        except FileNotFoundError:
            if not create:
                raise
            path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            try:
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0),
                             0o600)
            except FileExistsError:  # another start made it just now: read that one
                continue
            with os.fdopen(fd, "w") as handle:
                handle.write(secrets.token_hex(32))
            continue
        with os.fdopen(fd, "rb") as handle:
            found = os.fstat(handle.fileno())
            if found.st_uid != os.geteuid() or stat.S_IMODE(found.st_mode) & 0o077:
                raise LabError(f"The sandbox's key {path} is not yours alone (owner uid {found.st_uid}, "
                               f"mode {stat.S_IMODE(found.st_mode):o}): delete it and start the sandbox "
                               "again (`awslab sandbox start`), which makes a new one.")
            key = handle.read().strip()
        if len(key) >= 32:
            return key
        if not create:
            raise FileNotFoundError(path)
        path.unlink(missing_ok=True)  # empty (a start killed while writing it): make it again
    raise LabError(f"The sandbox's key {path} could not be made: delete it and start the sandbox again.")


def proof(key: bytes, nonce: str, port: int) -> str:
    """What only this home's sandbox listening on `port` can answer to `nonce`."""
    return hmac.new(key, f"awslab-sandbox\0{nonce}\0{int(port)}".encode(), hashlib.sha256).hexdigest()


def valid_nonce(nonce: str) -> bool:
    return 32 <= len(nonce) <= 128 and all(c in "0123456789abcdef" for c in nonce)


# The kernel's word on a port.

_NETLINK_SOCK_DIAG = 4
_SOCK_DIAG_BY_FAMILY = 20
_NLMSG_ERROR = 2
_TCP_LISTEN = 10
_NO_COOKIE = 0xFFFFFFFF


def _sock_diag(local: tuple[str, int], remote: tuple[str, int]) -> tuple[int, int, int] | str | None:
    """The TCP socket that a packet from `remote` to `local` (IPv4) reaches: (state, uid,
    inode); NOTHING when there is none; None when the kernel cannot say here."""
    if not hasattr(socket, "AF_NETLINK"):
        return None
    try:
        sockid = (struct.pack("!HH", local[1], remote[1])
                  + socket.inet_aton(local[0]) + bytes(12) + socket.inet_aton(remote[0]) + bytes(12)
                  + struct.pack("=III", 0, _NO_COOKIE, _NO_COOKIE))
        body = struct.pack("=BBBxI", socket.AF_INET, socket.IPPROTO_TCP, 0, 0xFFFFFFFF) + sockid
        message = struct.pack("=IHHII", 16 + len(body), _SOCK_DIAG_BY_FAMILY, 1, 1, 0) + body
        with socket.socket(socket.AF_NETLINK, socket.SOCK_DGRAM, _NETLINK_SOCK_DIAG) as diag:
            diag.settimeout(1.0)
            diag.sendto(message, (0, 0))
            answer = diag.recv(8192)
        kind = struct.unpack_from("=H", answer, 4)[0]
        if kind == _NLMSG_ERROR:
            error = -struct.unpack_from("=i", answer, 16)[0]
            return NOTHING if error == 2 else None  # ENOENT; anything else: cannot say
        if kind != _SOCK_DIAG_BY_FAMILY or len(answer) < 88:
            return None
        state = answer[17]
        uid, inode = struct.unpack_from("=II", answer, 80)
        return state, uid, inode
    except (OSError, struct.error, ValueError):
        return None


def listener(port: int, host: str = "127.0.0.1") -> tuple[int, int] | str | None:
    """(uid, inode) of the socket a connection to host:port reaches, NOTHING, or None when
    the kernel cannot say (not Linux, not an IPv4 address, sock_diag not offered)."""
    try:
        socket.inet_aton(host)
    except OSError:
        return None
    if host.count(".") != 3:
        return None
    found = _sock_diag((host, port), ("0.0.0.0", 0))
    if found is None or found == NOTHING:
        return found
    state, uid, inode = found
    return (uid, inode) if state == _TCP_LISTEN else None


def peer_uid(local: tuple[str, int], peer: tuple[str, int]) -> int | None:
    """The uid owning the other end of an accepted loopback connection, or None (not known)."""
    found = _sock_diag(peer, local)
    return found[1] if isinstance(found, tuple) else None


def user_named(uid: int) -> str:
    try:
        import pwd

        return f"user {pwd.getpwuid(uid).pw_name}"
    except (ImportError, KeyError):
        return f"uid {uid}"


# Proving an endpoint.

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
        key = server_key(home, create=False)
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
    from awslab.home import lab_home

    try:
        verify(endpoint, home or lab_home())
    except NotOurs as refused:
        raise SandboxDown(str(refused)) from None


def endpoint_for(endpoint: str, home: Path | None = None) -> str:
    """Where to send what was meant for this home's sandbox at `endpoint`: there when it is
    ours, or where it runs now (started again on another port: server.json says where, the
    challenge proves it). SandboxDown with one sentence otherwise; nothing is sent."""
    from awslab.home import lab_home

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
