"""The simulated account: its id and its root user's credentials.

Created once per AWSLAB_HOME (and again on `awslab sandbox reset`), kept in
AWSLAB_HOME/sandbox/account.json with mode 0600, by the server process, which owns the file
(root can delete its keys). The lab never reads it: it asks the running server
(`POST /_awslab/account`, signed with the home's key: app.py).

`console_secret` stands for what the owner of a real account signs in to the console
with as root (email address, password, MFA code): whoever holds it can get a root
console session (temporary credentials, see sessions.py and signin.py) even when root has no access
keys left. It lives only in this file.
"""

from __future__ import annotations

import secrets
import string
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from awslab.sandbox.home import check_private_file, read_json, sandbox_dir, write_json_private

REGION = "us-east-1"
_ALNUM = string.ascii_uppercase + "234567"


def new_access_key_id(prefix: str = "AKIA") -> str:
    return prefix + "".join(secrets.choice(_ALNUM) for _ in range(16))


def new_secret_access_key() -> str:
    alphabet = string.ascii_letters + string.digits + "+/"
    return "".join(secrets.choice(alphabet) for _ in range(40))


def new_console_secret() -> str:
    return secrets.token_urlsafe(32)


@dataclass
class RootKey:
    access_key_id: str
    secret_access_key: str
    status: str = "Active"
    created: float = field(default_factory=time.time)


@dataclass
class Account:
    account_id: str
    root_keys: list[RootKey]
    created: float = field(default_factory=time.time)
    region: str = REGION
    console_secret: str = field(default_factory=new_console_secret, repr=False)

    @classmethod
    def new(cls) -> Account:
        # Account ids are 12 digits; a leading 1-9 keeps them from looking like octal.
        account_id = str(secrets.randbelow(9) + 1) + "".join(
            str(secrets.randbelow(10)) for _ in range(11)
        )
        key = RootKey(new_access_key_id(), new_secret_access_key())
        return cls(account_id=account_id, root_keys=[key])

    @property
    def root_arn(self) -> str:
        return f"arn:aws:iam::{self.account_id}:root"

    def root_key(self, access_key_id: str) -> RootKey | None:
        for key in self.root_keys:
            if key.access_key_id == access_key_id:
                return key
        return None

    def save(self, path: Path | None = None) -> None:
        write_json_private(path or account_path(), asdict(self))

    @classmethod
    def load(cls, path: Path | None = None) -> Account | None:
        data = read_json(path or account_path())
        if not data:
            return None
        data["root_keys"] = [RootKey(**key) for key in data.get("root_keys", [])]
        known = {name for name in cls.__dataclass_fields__}
        account = cls(**{key: value for key, value in data.items() if key in known})
        if not data.get("console_secret"):
            # An account.json from before the simulated console sign-in: give it one, kept.
            account.save(path)
        return account


def account_path() -> Path:
    return sandbox_dir() / "account.json"


# The sandbox's saved account, which its server unpickles (persistence.py).
SAVED_STATE = ("state.pickle", "journal")


def load_or_create() -> Account:
    """The account (made when there is none). NotPrivate (home.py) when account.json or the
    saved state the sandbox would unpickle is not the learner's own, before anything loads it
    (the server, at its start: server.prepare)."""
    for name in SAVED_STATE:
        check_private_file(sandbox_dir() / name)
    account = Account.load()
    if account is None:
        account = Account.new()
        account.save()
    return account
