"""The sandbox keeps its account across stop and start.

State file: AWSLAB_HOME/sandbox/state.pickle (mode 0600): a pickle of moto's IAM backend
for the sandbox's account plus the additions' own state (state.STATE), with the moto
version and account id it belongs to. It is written shortly after each change (a
background thread, SAVE_DELAY seconds after the last write, so a burst of calls costs one
save of ~10 ms and requests never wait for it) and on shutdown (app.on_stop), via a
temporary file and an atomic rename. At start it is loaded before any request. A file
from another moto version or account, or one that does not load, is set aside as
state.pickle.bad and the account starts empty (its id and root keys live in account.json
and are kept). `awslab sandbox reset` deletes the file with the rest of the state.

The file is this user's own (0700 directory, 0600 file), written and read only by this
user's sandbox process, which is why unpickling it is acceptable.
"""

from __future__ import annotations

import logging
import os
import pickle
import threading
import time
from pathlib import Path

import moto
from moto.iam.models import iam_backends

from awslab.sandbox.account import sandbox_dir
from awslab.sandbox.state import LOCK, STATE, iam_backend, on_change

FORMAT = 1
SAVE_DELAY = 0.3
log = logging.getLogger("awslab.sandbox.persistence")


def state_path() -> Path:
    return sandbox_dir() / "state.pickle"


def load(account_id: str, path: Path | None = None) -> bool:
    """Put the saved IAM backend and additions' state in place; False when there is none."""
    path = path or state_path()
    if not path.exists():
        return False
    try:
        with open(path, "rb") as handle:
            data = pickle.load(handle)  # noqa: S301 - this user's own file, see module docstring
        if data.get("format") != FORMAT or data.get("moto") != moto.__version__ \
                or data.get("account_id") != account_id:
            raise ValueError(f"saved by another sandbox (format {data.get('format')}, "
                             f"moto {data.get('moto')}, account {data.get('account_id')})")
    except Exception as error:  # a state file that does not load must not stop the sandbox
        log.warning("not loading %s: %s; starting with an empty account", path, error)
        os.replace(path, path.with_name(path.name + ".bad"))
        return False
    iam_backends[account_id]["aws"] = data["iam"]
    STATE.clear()
    STATE.update(data["awslab"])
    log.info("loaded the account's state from %s", path)
    return True


def save(account_id: str, path: Path | None = None) -> None:
    path = path or state_path()
    with LOCK:
        blob = pickle.dumps({"format": FORMAT, "moto": moto.__version__, "account_id": account_id,
                             "saved": time.time(), "iam": iam_backend(account_id),
                             "awslab": STATE}, protocol=pickle.HIGHEST_PROTOCOL)
    temporary = path.with_name(path.name + ".tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(blob)
    os.replace(temporary, path)


class Saver:
    """Saves SAVE_DELAY seconds after the last change, off the request path."""

    def __init__(self, account_id: str):
        self.account_id = account_id
        self.wanted = threading.Event()
        self.stopping = False
        self.thread = threading.Thread(target=self._run, name="awslab-saver", daemon=True)

    def changed(self) -> None:
        self.wanted.set()

    def _run(self) -> None:
        while not self.stopping:
            self.wanted.wait()
            if self.stopping:
                return
            # Coalesce a burst of writes into one save.
            while True:
                self.wanted.clear()
                time.sleep(SAVE_DELAY)
                if not self.wanted.is_set() or self.stopping:
                    break
            try:
                save(self.account_id)
            except Exception:
                log.exception("saving the sandbox's state failed")

    def stop(self) -> None:
        self.stopping = True
        self.wanted.set()
        try:
            save(self.account_id)
        except Exception:
            log.exception("saving the sandbox's state at shutdown failed")


def install(app) -> None:
    account_id = app.account.account_id
    load(account_id)
    saver = Saver(account_id)
    on_change(saver.changed)
    app.on_stop.append(saver.stop)
    saver.thread.start()
