"""One sandbox for the session, under a temporary AWSLAB_HOME, on a free port."""

from __future__ import annotations

import os
import socket

import pytest


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def sandbox(tmp_path_factory):
    saved = {name: os.environ.get(name) for name in ("AWSLAB_HOME", "AWSLAB_REGION_DELAY",
                                                     "AWSLAB_REPORT_SECONDS")}
    os.environ["AWSLAB_HOME"] = str(tmp_path_factory.mktemp("awslab_home"))
    os.environ["AWSLAB_REGION_DELAY"] = "1"
    os.environ["AWSLAB_REPORT_SECONDS"] = "0"  # a new report each time (test_row17 checks IAM's four hours)
    from awslab import sandbox as box

    info = box.start(_free_port())
    try:
        yield info
    finally:
        box.stop()
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


@pytest.fixture
def lab(sandbox):
    """A Lab signed in as the sandbox's root user (reconnects: the account may have been reset)."""
    import awslab
    from awslab import sandbox as box

    box.ensure_running()
    return awslab.connect("sandbox")


@pytest.fixture
def iam(lab):
    return lab.client("iam")




@pytest.fixture
def own_sandbox(sandbox, tmp_path, monkeypatch):
    """A second sandbox (its own AWSLAB_HOME) for a test that changes what the shared one must
    keep (root's MFA, for one: every later root console sign-in would need its codes)."""
    from awslab import sandbox as box

    monkeypatch.setenv("AWSLAB_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("AWSLAB_SANDBOX_PORT", "0")
    try:
        yield box.start()
    finally:
        box.stop()
