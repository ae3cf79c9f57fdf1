"""Notebook 00 runs top to bottom on the sandbox, headless, and says who you are."""

from __future__ import annotations

from tests.conftest import outputs_text, run_notebook


def test_setup_runs_headless_on_a_new_account(fresh_account, tmp_path, monkeypatch):
    import awslab

    lab = awslab.connect("sandbox")
    calls = tmp_path / "calls.txt"
    monkeypatch.setenv("AWSLAB_RECORD_CALLS", str(calls))  # the kernel records every AWS call
    executed = run_notebook("00_setup", tmp_path, auto_submit=True)
    monkeypatch.delenv("AWSLAB_RECORD_CALLS")
    cells = [c for c in executed.cells if c.cell_type == "code"]
    assert "injected-parameters" in cells[1].metadata.get("tags", [])
    assert not [o for c in cells for o in c.outputs if o.output_type == "error"]
    # The form's banner is widget state: find it there.
    state = executed.metadata["widgets"]["application/vnd.jupyter.widget-state+json"]["state"]
    texts = " ".join(str(m["state"].get("value", "")) for m in state.values())
    assert f"arn:aws:iam::{lab.account_id}:root" in texts
    assert "You are the root user" in texts
    assert "the root user has no MFA yet" in texts
    assert "no IAM user with AdministratorAccess yet" in texts
    assert "you are signed in as the root user" in texts
    assert "Traceback" not in outputs_text(executed)
    # Each thing read once: who you are, then one read per thing the overview shows (the
    # account summary serves both root's MFA and root's access keys).
    assert sorted(calls.read_text().split()) == sorted([
        "sts:GetCallerIdentity", "iam:GetAccountSummary", "iam:ListEntitiesForPolicy",
        "iam:ListAccountAliases"])


def test_unknown_target_fails_with_one_sentence(lab_home, tmp_path):
    import papermill
    import pytest

    with pytest.raises(papermill.PapermillExecutionError) as caught:
        run_notebook("00_setup", tmp_path, auto_submit=True, target="azure")
    assert "Unknown target 'azure'" in str(caught.value.evalue)


def test_overview_table_links_every_notebook_in_the_lab():
    """A learner reading 00 learns of every notebook the lab runs, each a link that opens it."""
    import json
    import re

    from awslab.notebooks import NOTEBOOKS
    from tests.conftest import NOTEBOOKS as NOTEBOOKS_DIR

    first = json.loads((NOTEBOOKS_DIR / "00_setup.ipynb").read_text())["cells"][0]
    rows = re.findall(r"^\| \[(\w+)\]\((\w+)\.ipynb\) \| \S", "".join(first["source"]), re.M)
    assert [name for name, _ in rows] == [n for n in NOTEBOOKS if n != "00_setup"]
    assert all(name == target for name, target in rows)
