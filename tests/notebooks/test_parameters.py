"""Every input is checked before anything runs (issue 13): a params file against the notebooks'
parameters cells before `awslab run` starts anything, and a value typed into a notebook when its
form is built. Each wrong input gets one sentence naming the value and the fix."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from awslab.errors import LabError
from tests.conftest import NOTEBOOKS, ROOT


def awslab(*args):
    return subprocess.run([sys.executable, "-m", "awslab", *args], cwd=ROOT, env=dict(os.environ),
                          capture_output=True, text=True, timeout=120)


def account_state(lab) -> dict:
    iam = lab.client("iam")
    return {"users": iam.list_users()["Users"], "groups": iam.list_groups()["Groups"],
            "aliases": iam.list_account_aliases()["AccountAliases"]}


@pytest.fixture
def refused_run(lab, tmp_path):
    """`awslab run` with a params file holding `text`: it must refuse with exit 2 and one
    sentence, write no notebook and leave the account as it was; returns the sentence."""

    def run(text: str | None, name: str = "params.yaml") -> str:
        params = tmp_path / name
        if text is not None:
            params.write_text(text)
        before = account_state(lab)
        result = awslab("run", "--params", str(params), "--output", str(tmp_path / "out"))
        assert result.returncode == 2, result.stdout + result.stderr
        assert not (tmp_path / "out").exists(), "a notebook was written"
        assert account_state(lab) == before
        assert "Traceback" not in result.stderr and result.stdout == ""
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("awslab: "), result.stderr
        return lines[0]

    return run


# The params file: each row of the table through `awslab run`.

def test_a_misspelt_parameter_names_the_closest_real_one(refused_run):
    said = refused_run("usr_name: bob\n")
    assert "usr_name" in said and "did you mean `user_name`?" in said


def test_an_unknown_notebook_names_the_closest_real_one(refused_run):
    said = refused_run("02_set_up_users:\n  user_name: bob\n")
    assert "02_set_up_users" in said and "did you mean `02_set_up_additional_users`?" in said


def test_a_params_file_that_does_not_exist(refused_run):
    said = refused_run(None, "missing.yaml")
    assert "missing.yaml does not exist" in said and "--params" in said


def test_tags_as_a_string(refused_run):
    said = refused_run("tags: team=security\n")
    assert "tags must be a mapping" in said and "'team=security'" in said
    assert '{"team": "security"}' in said  # the fix, from the parameters cell's comment


@pytest.mark.parametrize("value, shown", [("42", "not 42"), ("[123]", "123 is not a string")])
def test_regions_that_are_not_region_codes(refused_run, value, shown):
    said = refused_run(f"03_account_alias_and_regions:\n  regions_to_enable: {value}\n")
    assert "regions_to_enable must be a list of strings" in said and shown in said
    assert '["eu-south-1"]' in said


def test_a_parameter_in_the_wrong_notebook_says_where_it_belongs(refused_run):
    said = refused_run("03_account_alias_and_regions:\n  tags: {team: security}\n")
    assert "no parameter named tags" in said and "02_set_up_additional_users" in said


@pytest.mark.parametrize("text, expected", [
    ("target: 5\n", 'target must be "sandbox" or "aws", not 5'),
    ("add_mfa: 'yes'\n", "add_mfa must be True or False, not 'yes'"),
    ("confirm_account_id: 123456789012\n", "put it in quotes"),
    ("user_name: [bob]\n", "user_name must be a string"),
    ("user_name: bob\nregions: [eu-south-1]\n", "regions"),
    ("- user_name: bob\n", "must hold one mapping"),
    ("user_name: [bob\n", "not valid YAML (line 2"),
])
def test_other_wrong_inputs_get_one_sentence(refused_run, text, expected):
    assert expected in refused_run(text)


def test_a_wrong_password_is_not_repeated(refused_run):
    said = refused_run("password: 12345678\n")
    assert "password must be a string" in said and "12345678" not in said


def test_invalid_json(refused_run):
    assert "not valid JSON (line 1, column" in refused_run('{"user_name": "bob",}', "params.json")


def test_a_region_code_as_a_string_is_a_list_of_one():
    from awslab.headless import parameters_for_each

    plan = parameters_for_each({"regions_to_enable": "af-south-1"}, folder=NOTEBOOKS)
    assert plan["03_account_alias_and_regions"]["regions_to_enable"] == ["af-south-1"]
    assert "regions_to_enable" not in plan["02_set_up_additional_users"]
    several = parameters_for_each({"regions_to_enable": "af-south-1, eu-south-1"}, folder=NOTEBOOKS)
    assert several["03_account_alias_and_regions"]["regions_to_enable"] == ["af-south-1", "eu-south-1"]


def test_shared_values_then_each_notebooks_own():
    from awslab.headless import parameters_for_each

    plan = parameters_for_each({"user_name": "alice", "tags": {"team": "x"},
                                "04_sign_in_and_review.ipynb": {"user_name": "bob"}}, "sandbox", NOTEBOOKS)
    assert plan["02_set_up_additional_users"]["user_name"] == "alice"
    assert plan["02_set_up_additional_users"]["tags"] == {"team": "x"}
    assert plan["04_sign_in_and_review"]["user_name"] == "bob"
    assert plan["00_setup"] == {"target": "sandbox", "auto_submit": True}


def test_a_port_that_is_no_port():
    result = awslab("sandbox", "start", "--port", "99999")
    assert result.returncode == 2
    assert "99999 is not a port: give a number from 1 to 65535" in result.stderr
    assert "Traceback" not in result.stderr


# The declaration: the notebooks' parameters cells, as papermill reads them.

def test_the_parameters_are_what_papermill_reads_each_with_a_type():
    import papermill

    from awslab.notebooks import NOTEBOOKS as NAMES
    from awslab.notebooks import TYPES, check, declared

    seen = set()
    for name in NAMES:
        ours = declared(name, NOTEBOOKS)
        theirs = papermill.inspect_notebook(str(NOTEBOOKS / f"{name}.ipynb"))
        assert list(ours) == list(theirs), name
        for parameter in ours.values():
            assert repr(parameter.default) == theirs[parameter.name]["default"].replace('"', "'")
            assert parameter.default is not None or parameter.name in TYPES, \
                f"{parameter.name}: a None default needs its type in awslab.notebooks.TYPES"
            assert check(parameter.name, parameter.default, parameter) == parameter.default
            seen.add(parameter.name)
    assert set(TYPES) <= seen, "TYPES names a parameter no notebook declares"


def test_a_parameter_means_the_same_in_every_notebook():
    from awslab.notebooks import NOTEBOOKS as NAMES
    from awslab.notebooks import declared

    defaults: dict = {}
    for name in NAMES:
        for parameter in declared(name, NOTEBOOKS).values():
            defaults.setdefault(parameter.name, parameter.default)
            assert defaults[parameter.name] == parameter.default, (name, parameter.name)


# The same checks when a value is typed into a notebook's parameters cell.

def test_a_region_code_typed_as_a_string_is_not_read_letter_by_letter(lab):
    from awslab.forms.s03_alias_regions import RegionsForm

    form = RegionsForm(lab, "af-south-1")
    assert form.field.value == "af-south-1" and form.wrong_parameter is None


@pytest.mark.parametrize("value", [42, [123]])
def test_regions_that_are_no_codes_are_refused_in_the_form(lab, value):
    from awslab.forms.s03_alias_regions import RegionsForm

    with pytest.raises(LabError) as caught:
        RegionsForm(lab, value, auto_submit=True).show()
    assert "regions_to_enable must be a list of strings" in caught.value.sentence
    assert "parameters cell" in caught.value.sentence
    form = RegionsForm(lab, value)  # interactively: shown in the form, nothing raised
    form.show()
    assert form.error == caught.value.sentence and "Traceback" not in form.message.value


def test_tags_as_a_string_are_refused_before_the_user_is_made(lab):
    from awslab.forms.s02_users import UserForm

    with pytest.raises(LabError) as caught:
        UserForm(lab, "tagged-wrong", tags="team=security", auto_submit=True).show()
    assert "tags must be a mapping" in caught.value.sentence
    assert "tagged-wrong" not in [u["UserName"] for u in lab.client("iam").list_users()["Users"]]


def test_a_number_as_the_target(lab_home):
    import awslab
    from awslab.forms.s00_target import TargetForm

    with pytest.raises(LabError) as caught:
        awslab.connect(5)
    assert caught.value.sentence == "Unknown target 5: use one of 'sandbox', 'aws'."
    with pytest.raises(LabError) as caught:
        TargetForm(5, auto_submit=True).show()
    assert "Unknown target 5" in caught.value.sentence


def test_a_misspelt_group_policy_keeps_its_sentence_headless(lab):
    from awslab.forms.s02_users import GroupForm

    form = GroupForm(lab, "policy-typo", "AdministratorAcess", auto_submit=True)
    with pytest.raises(LabError) as caught:
        form.show()
    sentence = caught.value.sentence
    assert "No AWS managed policy is named 'AdministratorAcess'" in sentence
    assert "did you mean AdministratorAccess?" in sentence
    assert "policy-typo" not in [g["GroupName"] for g in lab.client("iam").list_groups()["Groups"]]


def test_add_mfa_and_delete_root_access_keys_typed_wrong_get_one_sentence(fresh_account, tmp_path):
    """The two parameters notebooks read themselves: a string where True/False belongs is
    refused with one sentence, and nothing happens (no device, no key deleted)."""
    import pytest
    from papermill.exceptions import PapermillExecutionError

    import awslab
    from tests.conftest import run_notebook

    with pytest.raises(PapermillExecutionError) as refused:
        run_notebook("02_set_up_additional_users", tmp_path, auto_submit=True, add_mfa="yes")
    assert "add_mfa must be True or False, not 'yes'" in str(refused.value)
    iam = awslab.connect("sandbox").client("iam")
    assert iam.list_virtual_mfa_devices(AssignmentStatus="Assigned")["VirtualMFADevices"] == []

    with pytest.raises(PapermillExecutionError) as refused:
        run_notebook("04_sign_in_and_review", tmp_path, auto_submit=True, delete_root_access_keys="no")
    assert "delete_root_access_keys must be True or False or None, not 'no'" in str(refused.value)
    assert iam.get_account_summary()["SummaryMap"]["AccountAccessKeysPresent"] == 1
