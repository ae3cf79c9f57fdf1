"""Notebook 01 headless in the sandbox: root MFA ends enabled, and no MFA secret is saved."""

from __future__ import annotations

import base64
import csv
import io
import os
import pickle
import re
import time

import pytest

from tests.conftest import notebook_text, outputs_text, run_notebook

NAME = "01_secure_the_root_user"


def widget_texts(executed) -> str:
    state = executed.metadata["widgets"]["application/vnd.jupyter.widget-state+json"]["state"]
    return " ".join(str(m["state"].get("value", "")) for m in state.values())


def sandbox_device(account_id: str, serial: str, timeout: float = 10.0):
    """The device as the sandbox keeps it (its saved state): where the seed legitimately lives."""
    from awslab.sandbox.persistence import state_path

    deadline = time.monotonic() + timeout
    while True:
        try:
            with open(state_path(), "rb") as handle:
                data = pickle.load(handle)  # noqa: S301 - the test's own sandbox state
            device = data["iam"].virtual_mfa_devices.get(serial)
            if device is not None and device.enable_date is not None:
                return device
        except (OSError, EOFError, pickle.UnpicklingError):
            pass
        if time.monotonic() > deadline:
            raise AssertionError(f"the sandbox's saved state has no assigned device {serial}")
        time.sleep(0.2)


@pytest.fixture(scope="module")
def headless_run(lab_home, tmp_path_factory):
    """One headless run on a brand-new account: (lab, the executed notebook, its AWS calls)."""
    import awslab
    from awslab import sandbox_client as sandbox

    sandbox.reset()
    folder = tmp_path_factory.mktemp("nb01")
    os.environ["AWSLAB_RECORD_CALLS"] = str(folder / "calls.txt")  # the kernel records its AWS calls
    try:
        executed = run_notebook(NAME, folder, auto_submit=True)
    finally:
        del os.environ["AWSLAB_RECORD_CALLS"]
    return awslab.connect("sandbox"), executed, (folder / "calls.txt").read_text().split()


@pytest.fixture(scope="module")
def headless(headless_run):
    lab, executed, _calls = headless_run
    return lab, executed


def test_headless_run_ends_with_root_mfa_enabled(headless):
    lab, executed = headless
    cells = [c for c in executed.cells if c.cell_type == "code"]
    assert "injected-parameters" in cells[1].metadata.get("tags", [])
    assert not [o for c in cells for o in c.outputs if o.output_type == "error"]
    iam = lab.client("iam")
    assert iam.get_account_summary()["SummaryMap"]["AccountMFAEnabled"] == 1
    iam.generate_credential_report()
    report = iam.get_credential_report()["Content"].decode()
    root = next(r for r in csv.DictReader(io.StringIO(report)) if r["user"] == "<root_account>")
    assert root["mfa_active"] == "true"

    texts = widget_texts(executed)
    assert "is assigned to the root user" in texts
    assert "The root user has MFA (AccountMFAEnabled = 1)." in texts  # the panel turned green
    # The notebook's report was made before the MFA, and IAM hands it back for four hours:
    # the panel says so rather than showing a failure.
    assert "mfa_active = false" in texts and "The report is older than the MFA change." in texts
    outputs = outputs_text(executed)
    # The last cell shows the same live panel again (one model, two views), not a snapshot
    # read before MFA was assigned.
    views = [o["data"]["application/vnd.jupyter.widget-view+json"]["model_id"] for c in cells
             for o in c.outputs if "application/vnd.jupyter.widget-view+json" in o.get("data", {})]
    assert views.count(views[1]) == 2 and views[-1] == views[1], views
    assert "Traceback" not in outputs


def test_headless_run_reads_each_thing_only_when_it_can_have_changed(headless_run):
    """The panel reads the summary and the report; after the lab assigns MFA, only the summary
    (AccountMFAEnabled) again; the last cell re-reads both, downloading the report generated
    just before without asking IAM to generate it again."""
    _, _, calls = headless_run
    count = {name: calls.count(name) for name in set(calls)}
    # The panel, the MFA form's check for a device, the panel after the assignment, the last cell.
    assert count["iam:GetAccountSummary"] == 4
    # Generated once (the sandbox answers STARTED, then COMPLETE), downloaded twice.
    assert count["iam:GenerateCredentialReport"] == 2
    assert count["iam:GetCredentialReport"] == 2
    assert count["sts:GetCallerIdentity"] == 1
    assert len(calls) <= 10, calls


def test_no_mfa_secret_is_saved(headless):
    lab, executed = headless
    serial = f"arn:aws:iam::{lab.account_id}:mfa/root-account-mfa-device"
    device = sandbox_device(lab.account_id, serial)
    seed = device.base32_string_seed
    png = base64.b64encode(device.qr_code_png).decode()
    text = notebook_text(executed)
    assert seed and seed not in text and seed.lower() not in text
    assert png[:200] not in text
    assert "otpauth://" not in text and "otpauth%3A" not in text
    assert "secret=" not in text
    assert not re.search(r"[A-Z2-7]{32,}", text)


def test_rerun_says_mfa_is_already_enabled(headless, tmp_path):
    lab, _ = headless
    executed = run_notebook(NAME, tmp_path, auto_submit=True)
    assert not [o for c in executed.cells for o in c.get("outputs", []) if o.output_type == "error"]
    assert "The root user already has MFA" in widget_texts(executed)
    assert lab.client("iam").get_account_summary()["SummaryMap"]["AccountMFAEnabled"] == 1
