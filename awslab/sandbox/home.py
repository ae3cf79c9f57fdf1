"""The sandbox's folder: AWSLAB_HOME/sandbox, used only while it is the learner's own.

The checks (the folder and every file loaded from it are the learner's own, and no one else
may write them) are awslab/trust.py's, the one module the lab and the server share for them.
"""

from __future__ import annotations

from pathlib import Path

from awslab.trust import (  # noqa: F401 (the server's names for them)
    NotPrivate,
    NotWritable,
    Refused,
    check_private_file,
    home_named,
    lab_home,
    private_dir,
    read_json,
    read_private,
    write_json_private,
    write_private,
)


def sandbox_dir() -> Path:
    """AWSLAB_HOME/sandbox: made 0700, used only while it is the learner's own."""
    return private_dir(lab_home() / "sandbox")
