"""What both sides of the seam trust on this machine, and check the same way.

The lab (awslab/home.py, awslab/sandbox_client.py) and the sandbox's server (awslab/sandbox/)
share nothing but data and this module, which imports only the standard library (as
aws_model.py imports only botocore):

- folders and files of the learner's own, as ssh treats ~/.ssh: AWSLAB_HOME, its sandbox/
  folder and every file loaded from there must belong to the user the process runs as, and no
  one else may write to them (group-writable only when that group is the owner's alone);
  otherwise `NotPrivate`, one sentence naming the path, its owner and what to do, and nothing
  is read (a state file someone else could write would run their code as the learner).
  Everything written there is 0600, in folders made 0700;
- the sandbox's proof that it is this home's (an HMAC of the client's nonce and the port it
  really listens on, keyed by AWSLAB_HOME/sandbox/server.key);
- the kernel's word on who owns a TCP socket on loopback (Linux sock_diag).

Refusals are `Refused` with a sentence and a code in errors.Code's spelling; the lab turns them
into its LabError (awslab/home.py), the server hands them to whoever started it.
"""

from __future__ import annotations

import functools
import grp
import hashlib
import hmac
import json
import os
import pwd
import socket
import stat
import struct
from pathlib import Path

NOTHING = "nothing"   # a kernel lookup: nothing listens on the port


class Refused(Exception):
    """The sandbox cannot start or go on, in one sentence (`sentence`) with a code the lab
    knows (`code`: errors.Code's spelling). The server hands it to whoever started it."""

    code = "SandboxRefused"

    def __init__(self, sentence: str, code: str | None = None):
        super().__init__(sentence)
        self.sentence = sentence
        self.code = code or type(self).code


class NotPrivate(Refused):
    """AWSLAB_HOME, a folder or a file in it is not the learner's own (or others may write it)."""

    code = "HomeNotPrivate"


class NotWritable(Refused):
    code = "SandboxHomeNotWritable"


def home_named() -> Path:
    """AWSLAB_HOME as named (nothing created or checked)."""
    return Path(os.environ.get("AWSLAB_HOME") or Path.home() / ".awslab").expanduser()


def lab_home() -> Path:
    """AWSLAB_HOME, made (0700) when missing; NotPrivate when it is not the learner's own."""
    return private_dir(home_named(), "AWSLAB_HOME")


def private_dir(path: Path, what: str | None = None) -> Path:
    try:
        path.mkdir(parents=True, exist_ok=True, mode=0o700)
    except OSError as error:
        raise NotWritable(
            f"The lab cannot write to {path} ({error.strerror or error}): make its folder "
            "writable, or set AWSLAB_HOME to a folder of your own that you can write to.") from None
    check_private(path, os.stat(path), what or f"The lab's folder {path}")
    return path


def _name_of(uid: int) -> str:
    try:
        return f"{pwd.getpwuid(uid).pw_name} (uid {uid})"
    except KeyError:
        return f"uid {uid}"


@functools.lru_cache(maxsize=16)
def _group_is_owners_alone(gid: int, uid: int) -> bool:
    """Whether no account but `uid` can be in group `gid` (OpenSSH accepts a group-writable
    ~/.ssh on the same terms)."""
    try:
        group, owner = grp.getgrgid(gid), pwd.getpwuid(uid)
    except KeyError:
        return False
    if any(member != owner.pw_name for member in group.gr_mem):
        return False
    return not any(entry.pw_gid == gid and entry.pw_uid != uid for entry in pwd.getpwall())


def writable_by_others(found: os.stat_result) -> bool:
    if found.st_mode & stat.S_IWOTH:
        return True
    return bool(found.st_mode & stat.S_IWGRP) and not _group_is_owners_alone(found.st_gid, found.st_uid)


def check_private(path: Path, found: os.stat_result, what: str) -> None:
    """NotPrivate unless `found` (the stat of `path`) is the learner's own and no one else
    may write to it."""
    me = os.geteuid()
    label = f"{what} {path}" if what == "AWSLAB_HOME" else what
    other = ("choose another AWSLAB_HOME (a folder of your own, or leave it unset for ~/.awslab)"
             if what == "AWSLAB_HOME" else
             "remove it if you did not make it, or set AWSLAB_HOME to a folder of your own")
    read = ("reads nothing in it (a file planted there could run that user's code as you)"
            if stat.S_ISDIR(found.st_mode) else "did not read it (it could run that user's code as you)")
    if found.st_uid != me:
        raise NotPrivate(
            f"{label} belongs to {_name_of(found.st_uid)}, not to you, {_name_of(me)}: the lab "
            f"uses only what is your own, so it {read}; {other}.")
    if writable_by_others(found):
        raise NotPrivate(
            f"{label} can be changed by other users (mode {stat.S_IMODE(found.st_mode):04o}, "
            f"owner {_name_of(found.st_uid)}), so the lab does not use it: run "
            f"`chmod go-w {path}`, or {other}.")
    if what == "AWSLAB_HOME" and os.path.islink(path):
        link = os.lstat(path)
        if link.st_uid not in (me, 0):
            raise NotPrivate(
                f"{label} is a link made by {_name_of(link.st_uid)}, who can point it elsewhere "
                f"at any time, so the lab does not use it; {other}.")


def read_private(path: Path) -> bytes:
    """The bytes of a file of the learner's own that no one else may write (checked on the
    open file, so it cannot be swapped between the check and the read); FileNotFoundError
    when it does not exist, NotPrivate otherwise."""
    descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))
    try:
        check_private(path, os.fstat(descriptor), f"The lab's file {path}")
        chunks = []
        while chunk := os.read(descriptor, 1 << 20):
            chunks.append(chunk)
        return b"".join(chunks)
    finally:
        os.close(descriptor)


def check_private_file(path: Path) -> None:
    """NotPrivate when `path` exists and is not a file of the learner's own that no one else
    may write (read_private's check, without reading it)."""
    try:
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_NONBLOCK", 0))
    except FileNotFoundError:
        return
    try:
        check_private(path, os.fstat(descriptor), f"The lab's file {path}")
    finally:
        os.close(descriptor)


def write_private(path: Path, text: str) -> Path:
    """Write text to path with mode 0600, created that way, replacing it whole."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
        handle.write(text)
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)
    return path


def read_json(path: Path, default=None):
    """A JSON file of the learner's own (see read_private), or `default` when it is missing
    or not JSON."""
    try:
        return json.loads(read_private(path).decode("utf-8"))
    except (FileNotFoundError, NotADirectoryError, UnicodeDecodeError, json.JSONDecodeError):
        return default


def write_json_private(path: Path, data) -> Path:
    return write_private(path, json.dumps(data, indent=2, sort_keys=True, default=str))


def proof(key: bytes, nonce: str, port: int) -> str:
    """What only this home's sandbox listening on `port` can answer to `nonce`."""
    return hmac.new(key, f"awslab-sandbox\0{nonce}\0{int(port)}".encode(), hashlib.sha256).hexdigest()


_NETLINK_SOCK_DIAG = 4
_SOCK_DIAG_BY_FAMILY = 20
_NLMSG_ERROR = 2
_NO_COOKIE = 0xFFFFFFFF


def sock_diag(local: tuple[str, int], remote: tuple[str, int]) -> tuple[int, int, int] | str | None:
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
