"""Notebook 03 runs headless on the sandbox: sets the alias, enables Regions, runs again."""

from __future__ import annotations

import pytest

from tests.conftest import outputs_text, run_notebook


def run(tmp_path, folder, **params):
    (tmp_path / folder).mkdir()
    return run_notebook("03_account_alias_and_regions", tmp_path / folder, **params)


def widget_texts(executed) -> str:
    state = executed.metadata["widgets"]["application/vnd.jupyter.widget-state+json"]["state"]
    return " ".join(str(m["state"].get("value", "")) for m in state.values())


def test_alias_and_regions_headless_and_again(fresh_account, tmp_path):
    import awslab
    from awslab import record
    from awslab.steps.s03_alias_regions import current_alias, region_status

    lab = awslab.connect("sandbox")
    params = {"auto_submit": True, "account_alias": "acme-lab-03", "regions_to_enable": ["eu-south-1", "af-south-1"]}
    executed = run(tmp_path, "first", **params)
    cells = [c for c in executed.cells if c.cell_type == "code"]
    assert "injected-parameters" in cells[1].metadata.get("tags", [])
    assert not [o for c in cells for o in c.outputs if o.output_type == "error"]
    assert current_alias(lab) == "acme-lab-03"
    assert region_status(lab, "eu-south-1") == "ENABLED"
    assert region_status(lab, "af-south-1") == "ENABLED"
    shown = widget_texts(executed)
    assert "https://acme-lab-03.signin.aws.amazon.com/console" in shown
    assert f"https://{lab.account_id}.signin.aws.amazon.com/console" in shown
    assert "Enabled: Europe (Milan) eu-south-1" in shown
    assert record.was_created(lab.account_id, "alias", "acme-lab-03")
    assert record.was_created(lab.account_id, "region", "af-south-1")
    assert "Traceback" not in outputs_text(executed)

    again = run(tmp_path, "second", **params)
    assert not [o for c in again.cells for o in c.get("outputs", []) if o.output_type == "error"]
    assert "already this account&#x27;s alias" in widget_texts(again)
    assert current_alias(lab) == "acme-lab-03"
    assert region_status(lab, "eu-south-1") == "ENABLED"


def test_defaults_change_nothing_and_a_taken_alias_fails_with_its_sentence(fresh_account, tmp_path):
    import papermill

    import awslab
    from awslab.steps.s03_alias_regions import current_alias, list_regions

    lab = awslab.connect("sandbox")
    executed = run(tmp_path, "defaults", auto_submit=True)
    assert not [o for c in executed.cells for o in c.get("outputs", []) if o.output_type == "error"]
    assert current_alias(lab) is None
    assert all(r["status"] in ("DISABLED", "ENABLED_BY_DEFAULT") for r in list_regions(lab))

    with pytest.raises(papermill.PapermillExecutionError) as caught:
        run(tmp_path, "taken", auto_submit=True, account_alias="test")
    assert "unique across all of AWS" in str(caught.value.evalue)
    assert current_alias(lab) is None


def test_next_is_a_link_that_opens_notebook_04():
    import nbformat

    from tests.conftest import NOTEBOOKS

    notebook = nbformat.read(NOTEBOOKS / "03_account_alias_and_regions.ipynb", as_version=4)
    last = notebook.cells[-1]
    assert last.cell_type == "markdown"
    assert "[04 Sign in and review](04_sign_in_and_review.ipynb)" in last.source
    assert "`04_sign_in_and_review.ipynb`" not in last.source
