"""Where the lab keeps its files: AWSLAB_HOME (default ~/.awslab).

Everything under it that may hold a secret is written with mode 0600.
"""

from __future__ import annotations

import json
import os
from pathlib import Path


def lab_home() -> Path:
    """The lab's folder, created on first use (mode 0700)."""
    home = Path(os.environ.get("AWSLAB_HOME") or Path.home() / ".awslab").expanduser()
    home.mkdir(parents=True, exist_ok=True, mode=0o700)
    return home


def write_private(path: Path, text: str) -> Path:
    """Write text to path with mode 0600, created that way (never readable by others)."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
        handle.write(text)
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)
    return path


def read_json(path: Path, default=None):
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError):
        return default


def write_json_private(path: Path, data) -> Path:
    return write_private(path, json.dumps(data, indent=2, sort_keys=True, default=str))
