"""The sandbox keeps its account: across stop and start, and through a crash.

AWS never forgets a change it has acknowledged. Neither does the sandbox: a request that
changes the account is answered only once the change is on disk, so a sandbox killed
with SIGKILL (or a machine that loses power) comes back with every change it said it made.

Files under AWSLAB_HOME/sandbox (a 0700 folder; files 0600):

- `journal`: one record per request that changed something, written before that
  request's answer is sent (and flushed to the disk by fdatasync right after it, or before
  it with AWSLAB_SANDBOX_FSYNC=1; see sync_wanted). A record is a whole snapshot of the
  account (below), so the last complete record is the account; a record cut short by a
  crash was never acknowledged and is ignored (each record carries its length and CRC).
- `state.pickle`: the latest snapshot again, written whole (temporary file, fsync, atomic
  rename) SAVE_DELAY seconds after the last change, at shutdown and after a start that
  recovered from the journal; the journal is then deleted (the next change starts a new
  one), so it stays short.

A snapshot is a pickle of {format, moto version, account id, seq, moto's IAM backend of
the account, the additions' own state (state.STATE), root's access keys}. AWS managed
policies are saved as references (ARN and attachment count, managed_policies.py), not
copied, so a snapshot of a lab's account is a few kB and takes well under a millisecond.

At start the saved state is loaded before any request: state.pickle, then the journal's
last complete record newer than it. A state.pickle from another moto version or account,
or one that does not load, is set aside as state.pickle.bad and the account starts empty
(its id and root keys live in account.json and are kept). `awslab sandbox reset` deletes
these files with the rest of the state (a running sandbox itself: Keeper.start_over).

When the change cannot be written (the disk is full, the folder read-only), the request is
answered with one sentence saying so (HTTP 507, `ServiceFailure`), and the account in
memory goes back to the last saved snapshot: as it was, and as it is on disk.

Unpickling runs whatever code the file names, so a file is unpickled only when it is this
user's own and no one else may write to it, in a folder that is this user's own and no one
else may change (AWSLAB_HOME and its sandbox/ folder, home.py): owner and mode are checked
on the open file before a byte is read (home.read_private). Otherwise the sandbox does not
start, with one sentence naming the file (home.NotPrivate; the server checks the same before
it loads anything, account.load_or_create, and hands the sentence to `awslab sandbox start`).
"""

from __future__ import annotations

import copyreg
import errno
import importlib
import io
import itertools
import logging
import os
import pickle
import struct
import sys
import threading
import time
import zlib
from dataclasses import asdict
from pathlib import Path

import moto
from moto.iam.models import AWSManagedPolicy, IAMBackend, iam_backends

from awslab.sandbox.account import RootKey, sandbox_dir
from awslab.sandbox.home import NotPrivate, read_private
from awslab.sandbox.services.iam import managed_policies
from awslab.sandbox.state import LOCK, STATE, on_change

FORMAT = 2
SAVE_DELAY = 0.3
CHECKPOINT_BYTES = 8 * 1024 * 1024  # a journal this long is folded into state.pickle at once
_RECORD = struct.Struct(">4sQII")   # magic, seq, length, crc32 of the snapshot
_MAGIC = b"AWJ1"
STORAGE_ERRORS = {errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EACCES, errno.EPERM,
                  errno.EFBIG, errno.EIO}
log = logging.getLogger("awslab.sandbox.persistence")


def sync_wanted() -> bool:
    """AWSLAB_SANDBOX_FSYNC=1: each journal record is also flushed to the disk (fdatasync)
    before the answer, so a change survives the machine losing power at any moment. By
    default the record is written to the system before the answer (it survives the sandbox
    being killed) and flushed by a background thread right after, which keeps a busy
    disk's flush time (milliseconds on a shared machine) out of every call."""
    return os.environ.get("AWSLAB_SANDBOX_FSYNC", "0").strip().lower() in ("1", "true", "yes", "on")


def state_path() -> Path:
    return sandbox_dir() / "state.pickle"


def journal_path() -> Path:
    return sandbox_dir() / "journal"


# Snapshots.

def _reduce_backend(backend: IAMBackend):
    """moto's IAM backend without the AWS managed policies it lists (managed_policies.py
    gives them back at load), the ones attached to someone saved as references."""
    state = dict(backend.__dict__)
    state.pop("aws_managed_policies", None)
    policies = backend.managed_policies
    aws = backend.__dict__.get("aws_managed_policies") or ()
    if len(policies) == len(aws) and type(policies.get(next(reversed(policies), None))) is AWSManagedPolicy:
        state["managed_policies"] = {}  # AWS's only (the usual case: no need to look at 1,582)
    else:
        state["managed_policies"] = {arn: policy for arn, policy in policies.items()
                                     if type(policy) is not AWSManagedPolicy}
    return copyreg.__newobj__, (IAMBackend,), state


def _reduce_without_policy_copies(backend):
    """moto's SSO admin backend without its own copy of every AWS managed policy (3 MB, read
    from moto's data again at the next attach): kept, it made each change after notebook 05
    cost 30 ms and 3 MB of journal."""
    return copyreg.__newobj__, (type(backend),), {**backend.__dict__, "aws_managed_policies": None}


_DISPATCH = dict(copyreg.dispatch_table)
_DISPATCH[IAMBackend] = _reduce_backend
_DISPATCH[AWSManagedPolicy] = managed_policies.reference


def _dispatch_table() -> dict:
    """The reducers above, and SSO admin's once moto's module for it is loaded (lazily)."""
    ssoadmin = sys.modules.get("moto.ssoadmin.models")
    if ssoadmin is not None and ssoadmin.SSOAdminBackend not in _DISPATCH:
        _DISPATCH[ssoadmin.SSOAdminBackend] = _reduce_without_policy_copies
    return _DISPATCH


def snapshot(account, seq: int) -> bytes:
    """The account as one pickle (call with LOCK held)."""
    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL)
    pickler.dispatch_table = _dispatch_table()
    pickler.dump({"format": FORMAT, "moto": moto.__version__, "account_id": account.account_id,
                  "seq": seq, "saved": time.time(),
                  "iam": iam_backends[account.account_id]["aws"], "awslab": STATE,
                  "services": _other_backends(account.account_id),
                  "root_keys": [asdict(key) for key in account.root_keys]})
    return buffer.getvalue()


# moto's backends of the other services the lab changes, saved with IAM's once they exist
# (a service nobody called is neither imported nor saved: the sandbox loads it lazily).
OTHER_SERVICES = {"organizations": "moto.organizations.models.organizations_backends",
                  "identitystore": "moto.identitystore.models.identitystore_backends",
                  "ssoadmin": "moto.ssoadmin.models.ssoadmin_backends"}


def _backend_dict(path: str, load: bool = False):
    module, _, name = path.rpartition(".")
    if module not in sys.modules and not load:
        return None
    return getattr(importlib.import_module(module), name)


def _other_backends(account_id: str) -> dict:
    saved = {}
    for service, path in OTHER_SERVICES.items():
        backends = _backend_dict(path)
        if backends is not None and account_id in backends:
            saved[service] = dict(backends[account_id].items())
    return saved


def _put_back_others(saved: dict, account_id: str) -> None:
    for service, regions in (saved or {}).items():
        backends = _backend_dict(OTHER_SERVICES[service], load=True)
        for region, backend in regions.items():
            backends[account_id][region] = backend


def _complete(backend: IAMBackend) -> IAMBackend:
    """Give a loaded backend its AWS managed policies (the one catalogue of this process),
    the ones its users, groups and roles hold included: a state saved before AWS managed
    policies were references (format 1) holds copies of them, replaced here."""
    catalogue = managed_policies.catalogue(backend.account_id, backend.region_name)
    own = {arn: policy for arn, policy in backend.managed_policies.items()
           if not isinstance(policy, AWSManagedPolicy)}
    for holder in [*backend.users.values(), *backend.groups.values(), *backend.roles.values()]:
        for arn, policy in list(holder.managed_policies.items()):
            if isinstance(policy, AWSManagedPolicy) and arn in catalogue and catalogue[arn] is not policy:
                catalogue[arn].attachment_count = policy.attachment_count
                holder.managed_policies[arn] = catalogue[arn]
    backend.aws_managed_policies = list(catalogue.values())
    backend.managed_policies = {**catalogue, **own}
    return backend


# The sandbox's modules that moved to services/<service>/ (issue 23): a state saved before names
# them where they were (managed_policies.aws_policy brings back an attached AWS managed policy).
_MOVED = {f"awslab.sandbox.{name}": f"awslab.sandbox.services.{service}.{name}" for service, names in {
    "iam": ("validation", "login_profile", "mfa", "alias", "deletion", "policy_documents",
            "managed_policies", "root_user", "last_used", "answers"),
    "account": ("account_service", "regions", "contacts"), "sts": ("sessions",),
    "signin": ("signin",), "organizations": ("organizations",), "sso": ("identity_center", "portal"),
}.items() for name in names}


class _Unpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str):
        return super().find_class(_MOVED.get(module, module), name)


def _read(blob: bytes, account_id: str) -> dict:
    data = _Unpickler(io.BytesIO(blob)).load()  # this user's own file, see module docstring
    if data.get("format") not in (1, FORMAT) or data.get("moto") != moto.__version__ \
            or data.get("account_id") != account_id:
        raise ValueError(f"saved by another sandbox (format {data.get('format')}, "
                         f"moto {data.get('moto')}, account {data.get('account_id')})")
    return data


def _put_in_place(data: dict, account) -> bool:
    """Make the loaded snapshot the sandbox's account (call with LOCK held); True when root's
    keys differ from the ones account.json held (then account.json is to be rewritten)."""
    iam_backends[account.account_id]["aws"] = _complete(data["iam"])
    STATE.clear()
    STATE.update(data["awslab"])
    _put_back_others(data.get("services"), account.account_id)
    keys = [RootKey(**key) for key in data.get("root_keys", [])]
    if "root_keys" in data and keys != account.root_keys:
        account.root_keys[:] = keys
        return True
    return False


# The journal.

def records(path: Path):
    """(seq, snapshot) of every complete record of a journal, in order."""
    try:
        raw = read_private(path)  # NotPrivate: someone else's file is never unpickled
    except FileNotFoundError:
        return
    offset = 0
    while offset + _RECORD.size <= len(raw):
        magic, seq, length, crc = _RECORD.unpack_from(raw, offset)
        blob = raw[offset + _RECORD.size:offset + _RECORD.size + length]
        if magic != _MAGIC or len(blob) != length or zlib.crc32(blob) != crc:
            return  # cut short by a crash: never acknowledged
        yield seq, blob
        offset += _RECORD.size + length


def _write_whole(path: Path, blob: bytes) -> None:
    """path holds blob, or what it held before (temporary file, fsync, rename, fsync folder)."""
    temporary = path.with_name(path.name + ".tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        view = memoryview(blob)
        while view:
            view = view[os.write(descriptor, view):]
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
    os.replace(temporary, path)
    folder = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(folder)
    finally:
        os.close(folder)


class StorageError(Exception):
    """The account's change could not be written: the sandbox did not make it."""

    def __init__(self, error: OSError):
        self.error = error
        reason = error.strerror or str(error)
        super().__init__(
            f"The sandbox could not save this change, so it did not make it: its folder "
            f"{sandbox_dir()} is full or read-only ({reason}). Free some space (or make the "
            "folder writable) and try again; the account is as it was.")


class Keeper:
    """The account on disk: the journal before each answer, state.pickle after a pause."""

    def __init__(self, account):
        self.account = account
        self.seq = 0                 # the last snapshot written (journal or state.pickle)
        self.checkpointed = 0        # the seq state.pickle holds
        self.changes = itertools.count(1)
        self.version = 0             # bumped by every change
        self.committed_version = 0   # every change up to this one is in the journal
        self.lost_version = 0        # every change up to this one was undone (not saved)
        self.lost: StorageError | None = None
        self.saved = b""             # the last snapshot written: what a rollback goes back to
        self.descriptor: int | None = None
        self.sync = sync_wanted()
        self.descriptor_lock = threading.Lock()
        self.journal_bytes = 0
        self.local = threading.local()
        self.wanted = threading.Event()
        self.stopping = False
        self.thread = threading.Thread(target=self._run, name="awslab-checkpoint", daemon=True)

    # Loading.

    def load(self) -> bool:
        """Put the saved account in place; False when there is none."""
        account_id = self.account.account_id
        data = None
        path = state_path()
        path.with_name(path.name + ".tmp").unlink(missing_ok=True)
        if path.exists():
            try:
                data = _read(read_private(path), account_id)
            except NotPrivate:
                raise  # someone else's file: not read, not moved; the sandbox does not start
            except Exception as error:  # a state file that does not load must not stop the sandbox
                log.warning("not loading %s: %s; starting with an empty account", path, error)
                os.replace(path, path.with_name(path.name + ".bad"))
        recovered = 0
        for seq, blob in records(journal_path()):
            if data is None or seq > data.get("seq", 0):
                try:
                    data, recovered = _read(blob, account_id), seq
                except Exception as error:
                    log.warning("journal record %s does not load: %s", seq, error)
        if data is None:
            return False
        with LOCK:
            keys_differ = _put_in_place(data, self.account)
            self.seq = data.get("seq", 0)
        if keys_differ:  # account.json lagged behind an acknowledged change of root's keys
            self._save_account()
        if recovered:
            log.info("recovered the account's changes up to #%s from %s", recovered, journal_path())
            try:
                self.checkpoint()
            except OSError as error:
                log.warning("could not write %s: %s (the journal keeps the account)", path, error)
        else:
            self.checkpointed = self.seq
            with LOCK:
                self.saved = snapshot(self.account, self.seq)
        log.info("loaded the account's state from %s", path)
        return True

    def _save_account(self) -> None:
        try:
            self.account.save()
        except OSError as error:
            log.warning("could not rewrite account.json: %s", error)

    # Changes, committed before the answer.

    def changed(self) -> None:
        """state.changed(): this request changed the account (it commits before answering)."""
        self.version = self.local.version = next(self.changes)
        self.wanted.set()

    def begin(self) -> None:
        self.local.version = 0

    def mine(self) -> int:
        """The last change this thread's request made (0: none)."""
        return getattr(self.local, "version", 0)

    def commit(self, mine: int | None = None) -> None:
        """The account as it is now, in the journal (written, and flushed unless the background
        thread does it); StorageError, with the account back as it was saved, when that cannot
        be done. `mine`: the request's own last change (already saved, or undone by another
        request's failed commit, settles it)."""
        with LOCK:
            if mine is not None and mine <= self.lost_version:
                raise self.lost
            if self.committed_version >= (self.version if mine is None else mine):
                return  # another commit already holds this change
            version, seq = self.version, self.seq + 1
            blob = snapshot(self.account, seq)
            try:
                self._append(seq, blob)
            except OSError as error:
                self.lost = StorageError(error)
                self.rollback()
                raise self.lost from error
            self.seq, self.saved, self.committed_version = seq, blob, version
        self.wanted.set()  # flushed right after; state.pickle after a pause

    def _append(self, seq: int, blob: bytes) -> None:
        if self.descriptor is None:
            self.descriptor = os.open(journal_path(), os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            self.journal_bytes = os.fstat(self.descriptor).st_size
        record = _RECORD.pack(_MAGIC, seq, len(blob), zlib.crc32(blob)) + blob
        try:
            written = os.write(self.descriptor, record)
            if written != len(record):
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
            if self.sync:
                os.fdatasync(self.descriptor)
        except OSError:
            # A partial record is ignored at load; cut it off so the next one follows a whole
            # one, and open the journal afresh next time (the folder may be fixed by then).
            with self.descriptor_lock:
                try:
                    os.ftruncate(self.descriptor, self.journal_bytes)
                except OSError:
                    pass
                os.close(self.descriptor)
                self.descriptor = None
            raise
        self.journal_bytes += len(record)

    def flush(self) -> None:
        """The journal's records on the disk (the background thread, right after a change)."""
        with self.descriptor_lock:
            if self.descriptor is not None and not self.sync:
                try:
                    os.fdatasync(self.descriptor)
                except OSError as error:
                    log.warning("flushing the journal failed: %s", error)

    def rollback(self) -> None:
        """The account in memory back to the last snapshot written (call with LOCK held)."""
        with LOCK:
            if self.saved:
                _put_in_place(_read(self.saved, self.account.account_id), self.account)
            else:  # nothing saved yet: a brand-new account, root's keys as account.json has them
                from awslab.sandbox.account import Account

                iam_backends[self.account.account_id].pop("aws", None)
                STATE.clear()
                on_disk = Account.load()
                if on_disk is not None:
                    self.account.root_keys[:] = on_disk.root_keys
            self.committed_version = self.lost_version = self.version
            self.lost = self.lost or StorageError(OSError(errno.EIO, "the change was not saved"))
        log.warning("a change could not be saved: the account is back as it was saved (#%s)", self.seq)

    def start_over(self) -> None:
        """A brand-new account (start_over.py): no journal, no state.pickle, nothing saved
        to roll back to (a rollback then empties the account, as after a first start); the
        next change starts a new journal. Changes made before are settled (not saved)."""
        with LOCK, self.descriptor_lock:
            if self.descriptor is not None:
                os.close(self.descriptor)
                self.descriptor = None
            self.journal_bytes = 0
            for path in (journal_path(), state_path()):
                for name in (path.name, path.name + ".tmp", path.name + ".bad"):
                    path.with_name(name).unlink(missing_ok=True)
            self.seq = self.checkpointed = 0
            self.saved = b""
            self.committed_version = self.version

    # state.pickle, after a pause.

    def checkpoint(self) -> None:
        """state.pickle holds the latest snapshot; the journal is emptied."""
        with LOCK:
            if self.committed_version < self.version:
                self.commit()
            if self.checkpointed == self.seq and self.saved:
                return
            blob = self.saved or snapshot(self.account, self.seq)
            _write_whole(state_path(), blob)
            self.saved, self.checkpointed = blob, self.seq
            with self.descriptor_lock:  # the journal's records are all in state.pickle now
                if self.descriptor is not None:
                    os.close(self.descriptor)
                    self.descriptor = None
                journal_path().unlink(missing_ok=True)
                self.journal_bytes = 0

    def _run(self) -> None:
        while not self.stopping:
            self.wanted.wait()
            if self.stopping:
                return
            while True:  # a burst of writes: flushed as it goes, one checkpoint after it
                self.wanted.clear()
                self.flush()
                time.sleep(SAVE_DELAY)
                if not self.wanted.is_set() or self.stopping or self.journal_bytes > CHECKPOINT_BYTES:
                    break
            try:
                self.checkpoint()
            except Exception:
                log.exception("writing the sandbox's state.pickle failed (the journal keeps it)")

    def stop(self) -> None:
        self.stopping = True
        self.wanted.set()
        try:
            self.checkpoint()
        except Exception:
            log.exception("saving the sandbox's state at shutdown failed (the journal keeps it)")

    # The WSGI layer: every answer waits for its change to be saved.

    def wrap(self, app):
        def durable(environ, start_response):
            self.begin()
            answer: list = []

            def hold(status, headers, exc_info=None):
                answer[:] = [status, headers]
                return lambda data: body.append(data)

            body: list[bytes] = []
            try:
                iterable = app(environ, hold)
                try:
                    body.extend(iterable)
                finally:
                    getattr(iterable, "close", lambda: None)()
                if self.mine():
                    self.commit(self.mine())
            except StorageError as error:
                return _refuse(environ, start_response, str(error))
            except OSError as error:  # an addition's own file (account.json) could not be written
                if error.errno not in STORAGE_ERRORS:
                    raise
                self.lost = StorageError(error)
                self.rollback()
                return _refuse(environ, start_response, str(self.lost))
            start_response(*answer)
            return body

        return durable


def _refuse(environ, start_response, sentence: str):
    from awslab.sandbox.app import aws_error, json_response
    from awslab.sandbox.state import current

    if environ.get("PATH_INFO", "").startswith("/_awslab/"):
        response = json_response({"error": "ServiceFailure", "message": sentence}, 507)
    else:
        response = aws_error(current(), 507, "ServiceFailure", sentence)
    return response(environ, start_response)


# Kept for tools and tests that read a saved state.

def load(account_id: str, path: Path | None = None) -> dict | None:
    """The snapshot saved in `path` (default: state.pickle), unpickled, or None."""
    try:
        return _read(read_private(path or state_path()), account_id)
    except FileNotFoundError:
        return None


def install(app) -> None:
    keeper = Keeper(app.account)
    keeper.load()
    on_change(keeper.changed)
    app.on_stop.append(keeper.stop)
    app.wrappers.append(keeper.wrap)
    app.keeper = keeper
    keeper.thread.start()
