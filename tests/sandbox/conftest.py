"""One sandbox for the session, under a temporary AWSLAB_HOME, on a free port."""

from __future__ import annotations

import socket

import pytest


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


_HOME: list[str] = []  # this suite's AWSLAB_HOME
# The suite's sandboxes: Regions change in 1 s, and every GenerateCredentialReport makes a new
# report (test_row17_credential_report checks IAM's four hours in a sandbox of its own).
SANDBOX_ENV = {"AWSLAB_REGION_DELAY": "1", "AWSLAB_REPORT_SECONDS": "0"}


@pytest.fixture(scope="session")
def sandbox(tmp_path_factory):
    """The suite's sandbox. The session's environment is left as it was: with xdist (--dist
    loadfile) tests/ files run in the same process and keep their own AWSLAB_HOME (lab_home);
    `lab` points each test of this suite here."""
    from awslab import sandbox_client as box

    _HOME[:] = [str(tmp_path_factory.mktemp("awslab_home"))]
    with pytest.MonkeyPatch.context() as env:
        env.setenv("AWSLAB_HOME", _HOME[0])
        for name, value in SANDBOX_ENV.items():
            env.setenv(name, value)
        info = box.start(_free_port())
    try:
        yield info
    finally:
        with pytest.MonkeyPatch.context() as env:
            env.setenv("AWSLAB_HOME", _HOME[0])
            box.stop()


@pytest.fixture
def lab(sandbox, monkeypatch):
    """A Lab signed in as the sandbox's root user (reconnects: the account may have been reset)."""
    import awslab
    from awslab import sandbox_client as box

    monkeypatch.setenv("AWSLAB_HOME", _HOME[0])
    for name, value in SANDBOX_ENV.items():  # should ensure_running start it again
        monkeypatch.setenv(name, value)

    box.ensure_running()
    return awslab.connect("sandbox")


@pytest.fixture
def iam(lab):
    return lab.client("iam")




@pytest.fixture
def own_sandbox(sandbox, tmp_path, monkeypatch):
    """A second sandbox (its own AWSLAB_HOME) for a test that changes what the shared one must
    keep (root's MFA, for one: every later root console sign-in would need its codes)."""
    from awslab import sandbox_client as box

    monkeypatch.setenv("AWSLAB_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("AWSLAB_SANDBOX_PORT", "0")
    for name, value in SANDBOX_ENV.items():
        monkeypatch.setenv(name, value)
    try:
        yield box.start()
    finally:
        box.stop()
