"""The credentials the lab signs its sandbox calls with.

Under AWSLAB_HOME/sandbox: credentials.json (the new user's key, once notebook 04 has
switched the lab to it; 0600) and console-session.json (a root console session the lab
signs in with when no credentials are saved and root has no access keys left; 0600).

    lab_credentials()   # {"access_key_id", "secret_access_key", "principal"} (+ "session_token")

Signing in to the console as root takes root's MFA code once root has a device: the
simulated authenticator app (the learner's phone in the sandbox) supplies it, as a
person would type it.
"""

from __future__ import annotations

import functools
import os
import time
from datetime import datetime
from pathlib import Path

from awslab.errors import LabError
from awslab.home import read_json, write_json_private
from awslab.sandbox.account import load_or_create, sandbox_dir
from awslab.sandbox.process import ensure_running


def credentials_path() -> Path:
    return sandbox_dir() / "credentials.json"


def console_session_path() -> Path:
    return sandbox_dir() / "console-session.json"


def credentials_stamp() -> tuple:
    """What changes whenever lab_credentials() may answer differently: the saved credentials,
    the account (root's keys) and the kept console session, as their files' inode, size and
    time (each is replaced whole when written). Reads no file, so a Lab can look before every
    client it makes (awslab.following)."""
    stamp = []
    for path in _stamped_files(os.environ.get("AWSLAB_HOME", "")):
        try:
            found = os.stat(path)
        except OSError:
            stamp.append(None)
        else:
            stamp.append((found.st_ino, found.st_size, found.st_mtime_ns))
    return tuple(stamp)


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
    account = load_or_create()
    if account.root_keys:
        key = account.root_keys[0]
        return {"access_key_id": key.access_key_id, "secret_access_key": key.secret_access_key,
                "principal": "root"}
    return root_console_credentials(account.account_id)


def root_console_credentials(account_id: str | None = None, *, renew: bool = False) -> dict:
    """A root console session's credentials for this sandbox account (the kept one while it
    has time left, unless renew, else a new sign-in)."""
    from awslab.log import keep_out_of_logs

    account_id = account_id or load_or_create().account_id
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
    from awslab.sandbox import console

    account = load_or_create()
    try:
        return console.root_console_session(endpoint, account.console_secret)
    except LabError as error:
        serials = getattr(error, "details", {}).get("serial_numbers") or []
        if error.code != "MFACodeRequired" or not serials:
            raise
    code = console.authenticator_code(endpoint, account.console_secret, serials[0])
    return console.root_console_session(endpoint, account.console_secret, code)


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
