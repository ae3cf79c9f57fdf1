"""Where a new user's credentials go: the console's .csv file and an AWS CLI profile.

The .csv has the header the IAM console's "Download .csv file" uses (readable by the AWS
CLI v2's `aws configure import --csv file://...`); the lab keeps one per user under
AWSLAB_HOME/credentials with mode 0600 (notebook 04 signs in with it).

The CLI profile goes to the shared credentials file (AWS_SHARED_CREDENTIALS_FILE or
~/.aws/credentials) and its settings (region, and in the sandbox its endpoint_url) to the
config file (AWS_CONFIG_FILE or ~/.aws/config), keeping every other profile and every
comment; both files mode 0600.
"""

from __future__ import annotations

import configparser
import csv
import io
import os
import re
from pathlib import Path

from awslab import record
from awslab.errors import Code, LabError
from awslab.home import lab_home, write_private

CSV_HEADER = ["User name", "Password", "Access key ID", "Secret access key", "Console login link"]


def credentials_csv_path(account_id: str, user_name: str) -> Path:
    """The lab's copy of a user's credentials .csv (written once, at creation)."""
    return lab_home() / "credentials" / f"{account_id}-{user_name}_credentials.csv"


def credentials_csv(user_name: str, password: str | None, access_key_id: str | None,
                    secret_access_key: str | None, login_link: str) -> str:
    """The .csv text, as the console's download: a header line and one row."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_HEADER)
    writer.writerow([user_name, password or "", access_key_id or "", secret_access_key or "", login_link])
    return out.getvalue()


def write_credentials_csv(account_id: str, text: str, user_name: str) -> Path:
    path = write_private(credentials_csv_path(account_id, user_name), text)
    record.remember(account_id, "csv", str(path), user=user_name)
    return path


def read_credentials_csv(path: Path) -> dict | None:
    """The row of a credentials .csv as a dict keyed by the header, or None if missing."""
    try:
        with open(path, newline="", encoding="utf-8") as handle:
            rows = list(csv.DictReader(handle))
    except FileNotFoundError:
        return None
    return rows[0] if rows else None


def shared_credentials_file() -> Path:
    return Path(os.environ.get("AWS_SHARED_CREDENTIALS_FILE") or Path.home() / ".aws" / "credentials").expanduser()


def config_file() -> Path:
    return Path(os.environ.get("AWS_CONFIG_FILE") or Path.home() / ".aws" / "config").expanduser()


_HEADER = re.compile(r"^\s*\[([^\]]+)\]\s*(?:[#;].*)?$")


def _with_section(text: str, section: str, values: dict[str, str | None], merge: bool = False) -> str:
    """`text` (an ini file) with `section` replaced by `values` (or appended), everything
    else (other sections, comments, order) kept as it was. With `merge`, the section's other
    settings stay and a value of None removes that setting."""
    lines = text.splitlines()
    if merge:
        parser = configparser.RawConfigParser()
        parser.read_string(text)
        kept = dict(parser.items(section)) if parser.has_section(section) else {}
        values = {**kept, **values}
    body = [f"{key} = {value}" for key, value in values.items() if value is not None]
    start = next((i for i, ln in enumerate(lines) if (m := _HEADER.match(ln)) and m[1].strip() == section), None)
    if start is None:
        while lines and not lines[-1].strip():
            lines.pop()
        out = [*lines, *([""] if lines else []), f"[{section}]", *body]
    else:
        end = next((i for i in range(start + 1, len(lines)) if _HEADER.match(lines[i])), len(lines))
        # keep blank lines and comments that lead into the next section
        tail = end
        while tail > start + 1 and (not lines[tail - 1].strip() or lines[tail - 1].lstrip().startswith(("#", ";"))):
            tail -= 1
        out = [*lines[:start + 1], *body, *lines[tail:]]
    result = "\n".join(out) + "\n"
    parser = configparser.RawConfigParser()
    parser.read_string(result)  # refuse to write a file the CLI could not read
    return result


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return ""


def profile_key_id(profile_name: str) -> str | None:
    """The access key id a profile of the shared credentials file holds, if any."""
    parser = configparser.RawConfigParser()
    try:
        parser.read_string(_read(shared_credentials_file()))
    except configparser.Error:
        return None
    if parser.has_section(profile_name):
        return parser.get(profile_name, "aws_access_key_id", fallback=None)
    return None


PROFILE_NAME = re.compile(r"^[A-Za-z0-9_.@+=,-]{1,64}$")


def save_cli_profile(lab, profile_name: str, access_key_id: str, secret_access_key: str, *,
                     replace: bool = False) -> Path:
    """Write `profile_name` to the shared credentials file (and its region, and in the sandbox
    its endpoint_url, to the config file), so `aws --profile NAME ...` signs as that key.
    A profile of that name holding another key is replaced only with `replace=True`."""
    profile_name = (profile_name or "").strip()
    if not PROFILE_NAME.match(profile_name):
        raise LabError(f"{profile_name!r} can't be a profile name: use 1 to 64 letters, digits or _ . @ + = , -.",
                       code=Code.InvalidInput)
    held = profile_key_id(profile_name)
    if held and held != access_key_id and not replace:
        raise LabError(f"The AWS CLI profile {profile_name!r} already holds another access key ({held}): "
                       "choose another profile name, or confirm replacing it.", code=Code.ProfileExists)
    credentials = shared_credentials_file()
    config = config_file()
    new_files = [path for path in (credentials, config) if not path.exists()]
    try:
        write_private(credentials, _with_section(_read(credentials), profile_name, {
            "aws_access_key_id": access_key_id, "aws_secret_access_key": secret_access_key}))
        settings = {"region": lab.region, "endpoint_url": lab.endpoint_url if lab.sandbox else None}
        section = "default" if profile_name == "default" else f"profile {profile_name}"
        write_private(config, _with_section(_read(config), section, settings, merge=True))
    except configparser.Error as error:
        raise LabError(f"The AWS CLI files could not be read ({type(error).__name__}); fix {credentials} "
                       f"or {config} by hand, then save the profile again.", code=Code.BadConfig) from None
    record.remember(lab.account_id, "cli_profile", profile_name, key=access_key_id,
                    credentials_file=str(credentials), config_file=str(config))
    for path in new_files:  # the lab made it: clean-up removes it once no profile is left in it
        record.remember(lab.account_id, "cli_file", str(path))
    return credentials
