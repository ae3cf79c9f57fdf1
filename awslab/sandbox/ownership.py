"""The server's half of "is this the learner's own sandbox?": its key and its proofs.

A port is only a number: once a sandbox stops, any local user may listen on it. So the lab
(awslab/sandbox_client.py, the client's half: challenge, verify, endpoint_for, guard) proves
who answers before every use, and this server proves it is this home's:

- each AWSLAB_HOME has a secret, `sandbox/server.key` (0600, made by the server at its first
  start, kept by `reset`); the lab sends a random nonce to `/_awslab/health?nonce=...` and the
  server answers proof(key, nonce, the port it listens on) (app.py): only a server that read
  this home's key can, and only on the port it really listens on (a relay fails);
- the lab's one question about the account (`POST /_awslab/account`, app.py) is signed with
  the same key, for this port, now, once (account_proof, Questions);
- `peer_uid`: the Unix user at the other end of a loopback connection (sock_diag netlink), so
  the server can bound each other user's connections (server.BoundedServer).
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import stat
import threading
import time
from pathlib import Path

from awslab.sandbox.home import NotPrivate, Refused
from awslab.trust import sock_diag

KEY_FILE = "server.key"


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
                raise NotPrivate(f"The sandbox's key {path} is not yours alone (owner uid {found.st_uid}, "
                               f"mode {stat.S_IMODE(found.st_mode):o}): delete it and start the sandbox "
                               "again (`awslab sandbox start`), which makes a new one.")
            key = handle.read().strip()
        if len(key) >= 32:
            return key
        if not create:
            raise FileNotFoundError(path)
        path.unlink(missing_ok=True)  # empty (a start killed while writing it): make it again
    raise Refused(f"The sandbox's key {path} could not be made: delete it and start the sandbox again.")


def valid_nonce(nonce: str) -> bool:
    return 32 <= len(nonce) <= 128 and all(c in "0123456789abcdef" for c in nonce)


# The owner's one question: POST /_awslab/account (app.py), signed with this home's key.

ACCOUNT_SECONDS = 60   # how far the question's time may be from the server's clock


def account_proof(key: bytes, nonce: str, moment: int, port: int) -> str:
    """The signature of one question about the account: this home's key, a nonce used once,
    the time it was asked, and the port it was sent to (a relay to another port fails)."""
    return hmac.new(key, f"awslab-account\0{nonce}\0{int(moment)}\0{int(port)}".encode(),
                    hashlib.sha256).hexdigest()


class Questions:
    """Which signed questions were answered: each nonce once, within ACCOUNT_SECONDS."""

    def __init__(self) -> None:
        self.seen: dict[str, float] = {}
        self.lock = threading.Lock()

    def allowed(self, key: bytes, port: int, asked: object) -> bool:
        if not isinstance(asked, dict):
            return False
        nonce, moment, said = asked.get("nonce"), asked.get("time"), asked.get("proof")
        if not (isinstance(nonce, str) and valid_nonce(nonce) and isinstance(said, str)
                and isinstance(moment, int) and not isinstance(moment, bool)):
            return False
        now = time.time()
        if abs(now - moment) > ACCOUNT_SECONDS:
            return False
        if not hmac.compare_digest(said, account_proof(key, nonce, moment, port)):
            return False
        with self.lock:
            for old in [n for n, at in self.seen.items() if now - at > 2 * ACCOUNT_SECONDS]:
                del self.seen[old]
            if nonce in self.seen:
                return False  # a replay
            self.seen[nonce] = now
        return True


# The kernel's word on a port.

def peer_uid(local: tuple[str, int], peer: tuple[str, int]) -> int | None:
    """The uid owning the other end of an accepted loopback connection, or None (not known)."""
    found = sock_diag(peer, local)
    return found[1] if isinstance(found, tuple) else None
