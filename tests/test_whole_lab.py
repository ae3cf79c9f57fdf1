"""The whole lab headless on a brand-new sandbox account, 00 to 04 then 99: nothing the lab
created is left, and a second clean-up has nothing to do."""

from __future__ import annotations

import os
from pathlib import Path

from tests.conftest import NOTEBOOKS, run_notebook

REGION = "ap-east-1"


def test_the_whole_lab_then_clean_up_leaves_nothing_the_lab_created(fresh_account, tmp_path):
    import awslab
    from awslab import record
    from awslab.headless import run_lab
    from awslab.home import lab_home
    from awslab.sandbox_client import credentials_path

    account_id = awslab.connect("sandbox").account_id
    alias = f"whole-lab-{account_id}"
    params = {"02_set_up_additional_users": {"save_cli_profile": True, "add_mfa": True},
              "03_account_alias_and_regions": {"account_alias": alias, "regions_to_enable": [REGION]}}
    runs = run_lab(NOTEBOOKS, tmp_path / "run", params, clean_up=True)
    assert [(r.name, r.result) for r in runs] == [
        ("00_setup", "passed"), ("01_secure_the_root_user", "passed"),
        ("02_set_up_additional_users", "passed"), ("03_account_alias_and_regions", "passed"),
        ("04_sign_in_and_review", "passed"), ("05_identity_center", "passed"),
        ("99_clean_up", "passed")], [r.error for r in runs]

    # 99 listed the lab's own user for root, in the console, last; and removed it.
    import nbformat

    executed = nbformat.read(str(tmp_path / "run" / "99_clean_up.ipynb"), as_version=4)
    state = executed.metadata["widgets"]["application/vnd.jupyter.widget-state+json"]["state"]
    said = " ".join(str(m["state"].get("value", "")) for m in state.values())
    assert "Removed user awslab-admin" in said and "Removed group administrators" in said
    assert "console session" in said and "Not removed" not in said

    lab = awslab.connect("sandbox")
    assert lab.is_root and lab.account_id == account_id   # root, through a console session
    iam = lab.client("iam")
    summary = iam.get_account_summary()["SummaryMap"]
    assert summary["AccountAccessKeysPresent"] == 0       # notebook 04 retired root's keys
    assert summary["AccountMFAEnabled"] == 1              # root's MFA stays: it protects root
    assert iam.list_users()["Users"] == []
    assert iam.list_groups()["Groups"] == []
    assert iam.list_account_aliases()["AccountAliases"] == []
    devices = iam.list_virtual_mfa_devices()["VirtualMFADevices"]
    assert [d["SerialNumber"] for d in devices] == [f"arn:aws:iam::{account_id}:mfa/root-account-mfa-device"]
    # Notebook 05's: the person, group, permission set, assignment (and its role), the
    # instance and the organization (the sandbox's; on a real account those two stay).
    from awslab.steps import s05_identity_center as s05

    assert s05.status(lab) == {"organization": None, "instance": None}
    assert iam.list_roles(PathPrefix="/aws-reserved/sso.amazonaws.com/")["Roles"] == []
    status = lab.client("account").get_region_opt_status(RegionName=REGION)["RegionOptStatus"]
    assert status in ("DISABLING", "DISABLED")
    assert not credentials_path().exists()
    assert not list((lab_home() / "credentials").glob(f"{account_id}-*.csv"))
    aws_files = "".join(Path(os.environ[v]).read_text() for v in ("AWS_SHARED_CREDENTIALS_FILE",
                                                                    "AWS_CONFIG_FILE")
                        if Path(os.environ[v]).exists())
    assert "awslab-admin" not in aws_files
    leftovers = [e for e in record.created(account_id)
                 if not (e["kind"] == "mfa_device" and e.get("user") == "root")]
    assert leftovers == []

    (tmp_path / "again").mkdir()
    second = run_notebook("99_clean_up", tmp_path / "again", auto_submit=True)
    state = second.metadata["widgets"]["application/vnd.jupyter.widget-state+json"]["state"]
    text = " ".join(str(m["state"].get("value", "")) for m in state.values())
    assert "Nothing to clean up" in text
    assert "will be removed" not in text

    # Notebook 00 on the root console session: banner and overview work, root is named.
    (tmp_path / "setup").mkdir()
    setup = run_notebook("00_setup", tmp_path / "setup", auto_submit=True)
    assert not [o for c in setup.cells for o in c.get("outputs", []) if o.output_type == "error"]
    widgets = setup.metadata["widgets"]["application/vnd.jupyter.widget-state+json"]["state"]
    shown = " ".join(str(m["state"].get("value", "")) for m in widgets.values())
    assert f"arn:aws:iam::{account_id}:root" in shown and "You are the root user" in shown

    # The lab runs again on the same account from the root console session, and cleans up again.
    runs = run_lab(NOTEBOOKS, tmp_path / "rerun", params, clean_up=True)
    assert all(r.result == "passed" for r in runs), [r.error for r in runs]
    assert lab.client("iam").list_users()["Users"] == []
    assert awslab.connect("sandbox").is_root
