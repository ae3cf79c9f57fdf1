"""Notebooks are committed without outputs, execution counts or widget state, each with
one cell tagged `parameters` holding the names docs/contract.md, "Notebooks" fixes."""

from __future__ import annotations

import json
import subprocess

import pytest

from tests.conftest import NOTEBOOKS, ROOT

COMMON = {"target", "auto_submit", "confirm_account_id"}
EXPECTED = {
    "00_setup": COMMON,
    "01_secure_the_root_user": COMMON,
    "02_set_up_additional_users": COMMON | {"group_name", "policy_name", "user_name", "console_access",
                                            "programmatic_access", "password", "require_password_reset", "tags"},
    "03_account_alias_and_regions": COMMON | {"account_alias", "regions_to_enable"},
    "04_sign_in_and_review": COMMON | {"group_name", "user_name", "delete_root_access_keys"},
    "99_clean_up": COMMON | {"group_name", "user_name"},
}


def committed_notebooks():
    names = subprocess.run(["git", "ls-files", "*.ipynb"], cwd=ROOT, capture_output=True, text=True).stdout.split()
    return names or [str(p.relative_to(ROOT)) for p in NOTEBOOKS.glob("*.ipynb")]


@pytest.mark.parametrize("name", committed_notebooks())
def test_committed_without_outputs_or_state(name):
    notebook = json.loads((ROOT / name).read_text())
    for cell in notebook["cells"]:
        assert not cell.get("outputs"), f"{name} has a cell with outputs"
        assert cell.get("execution_count") is None, f"{name} has an execution count"
    assert "widgets" not in notebook.get("metadata", {}), f"{name} saved widget state"


@pytest.mark.parametrize("name", sorted(p.stem for p in NOTEBOOKS.glob("*.ipynb")))
def test_one_parameters_cell_with_the_fixed_names(name):
    import ast

    notebook = json.loads((NOTEBOOKS / f"{name}.ipynb").read_text())
    tagged = [c for c in notebook["cells"] if "parameters" in c.get("metadata", {}).get("tags", [])]
    assert len(tagged) == 1, f"{name}: {len(tagged)} cells tagged parameters"
    tree = ast.parse("".join(tagged[0]["source"]))
    names = {t.id for node in tree.body if isinstance(node, ast.Assign) for t in node.targets}
    assert EXPECTED.get(name, COMMON) <= names
    values = {t.id: node.value for node in tree.body if isinstance(node, ast.Assign) for t in node.targets}
    assert ast.literal_eval(values["target"]) == "sandbox"
    assert ast.literal_eval(values["auto_submit"]) is False


def test_ruff_is_clean_over_the_package():
    import sys

    result = subprocess.run([sys.executable, "-m", "ruff", "check", "awslab"], cwd=ROOT,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout
