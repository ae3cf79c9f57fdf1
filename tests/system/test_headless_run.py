"""`awslab run`: the whole lab headless, as CI or a teacher would run it.

One module-scoped run of notebooks 00 to 05 on a brand-new sandbox account (every option
on: MFA for the new user, a CLI profile, an alias, an opt-in Region), then the same again
with `--clean-up`, both recording every AWS call. From those runs:
- what the command prints (progress, summary table, exit code) and the executed notebooks;
- after the clean-up, nothing the lab created is left, a second clean-up has nothing to do,
  and the lab runs again from root's console session (this was tests/test_whole_lab.py, with
  a whole run of its own);
- no secret anywhere in the output folder or the command's output (docs/contract.md, "Secrets");
- the lab's least-privilege policy holds exactly the actions the package calls.
"""

from __future__ import annotations

import base64
import json
import os
import pickle
import subprocess
import sys
import time
from pathlib import Path

import pytest

from awslab.lab_policy import actions_in_source, policy_actions
from tests.conftest import ROOT

pytestmark = pytest.mark.slow

PARAMS = {
    "02_set_up_additional_users": {"add_mfa": True, "save_cli_profile": True, "tags": {"team": "security"}},
    "03_account_alias_and_regions": {"account_alias": "awslab-headless-check", "regions_to_enable": ["eu-south-2"]},
    "04_sign_in_and_review": {"security_contact": {"name": "Security team", "title": "Security",
                                                   "email": "security@example.com", "phone": "+1 206-555-0199"}},
}


def awslab_run(*args, env):
    return subprocess.run([sys.executable, "-m", "awslab", "run", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=900)


@pytest.fixture(scope="module")
def whole_lab(lab_home, tmp_path_factory):
    import awslab
    from awslab import sandbox_client as sandbox
    from awslab.credentials_file import credentials_csv_path, read_credentials_csv
    from awslab.steps.s02_users import DEFAULT_USER_NAME

    sandbox.reset()  # a brand-new account

    work = tmp_path_factory.mktemp("whole-lab")
    params = work / "params.json"
    params.write_text(json.dumps(PARAMS))
    calls = work / "calls.txt"
    env = dict(os.environ, AWSLAB_RECORD_CALLS=str(calls))
    account_id = awslab.connect("sandbox").account_id
    first = awslab_run("--params", str(params), "--output", str(work / "first"), env=env)
    row = read_credentials_csv(credentials_csv_path(account_id, DEFAULT_USER_NAME))
    secrets = {"password": row["Password"], "secret access key": row["Secret access key"]}
    secrets.update(mfa_secrets(Path(os.environ["AWSLAB_HOME"])))
    for cached in (Path.home() / ".aws" / "sso" / "cache").glob("*.json"):  # notebook 05's token
        entry = json.loads(cached.read_text())
        secrets.update({f"SSO {name}": entry[name] for name in ("accessToken", "clientSecret",
                                                                   "refreshToken") if entry.get(name)})
    second = awslab_run("--params", str(params), "--output", str(work / "second"), "--clean-up", env=env)
    return {"work": work, "first": first, "second": second, "secrets": secrets,
            "calls": set(calls.read_text().split()), "account_id": account_id}


def mfa_secrets(home: Path) -> dict[str, str]:
    """The seeds (and QR codes) of every virtual MFA device, read from the sandbox's saved state."""
    found = {}
    with open(home / "sandbox" / "state.pickle", "rb") as handle:
        state = pickle.load(handle)  # noqa: S301 - the test's own sandbox
    for serial, device in state["iam"].virtual_mfa_devices.items():
        seed = device.base32_string_seed
        found[f"seed of {serial}"] = seed.decode() if isinstance(seed, bytes) else seed
        if getattr(device, "qr_code_png", None):
            png = device.qr_code_png
            found[f"QR of {serial}"] = (png if isinstance(png, str) else base64.b64encode(png).decode())[:60]
    additions = state.get("awslab") if isinstance(state.get("awslab"), dict) else {}
    for key, value in additions.items():
        if "seed" in key and isinstance(value, str):
            found[key] = value
    # Notebook 05: each person's MFA seed (registered at the portal), and every session's secret
    # and token (role credentials from the portal and through the profile, console sessions).
    for user_id, person in (additions.get("identity_center") or {}).get("people", {}).items():
        if (person.get("mfa") or {}).get("seed"):
            found[f"portal MFA seed of {user_id}"] = person["mfa"]["seed"]
    for key, session in (additions.get("sessions") or {}).items():
        found[f"secret of session {key}"] = session["secret_access_key"]
        found[f"token of session {key}"] = session["session_token"][:60]
    assert any(k.startswith("seed of") for k in found), "the run assigned MFA devices, so seeds exist"
    return found


def test_the_whole_lab_runs_headless(whole_lab):
    first = whole_lab["first"]
    assert first.returncode == 0, first.stdout + first.stderr
    for name in ("00_setup", "01_secure_the_root_user", "02_set_up_additional_users",
                 "03_account_alias_and_regions", "04_sign_in_and_review"):
        assert f"{name} " in first.stdout and (whole_lab["work"] / "first" / f"{name}.ipynb").exists()
    assert "passed" in first.stdout and "failed" not in first.stdout
    assert "notebook" in first.stderr and "04_sign_in_and_review" in first.stderr  # the progress bar
    # Kernels over IPC: no "Kernel is running over TCP without encryption" between its lines.
    assert "WARNING" not in first.stderr and "without encryption" not in first.stderr, first.stderr


def test_a_second_run_with_clean_up_passes_and_leaves_nothing_to_clean(whole_lab):
    import awslab

    second = whole_lab["second"]
    assert second.returncode == 0, second.stdout + second.stderr
    assert "99_clean_up" in second.stdout
    lab = awslab.connect("sandbox")
    iam = lab.client("iam")
    assert iam.list_account_aliases()["AccountAliases"] == []
    status = lab.client("account").get_region_opt_status(RegionName="eu-south-2")["RegionOptStatus"]
    assert status in ("DISABLED", "DISABLING")
    from awslab.steps.s04_checklist import security_contact

    assert security_contact(lab) is None  # registered by 04, removed by 99


def ran(stdout: str) -> list[tuple[str, str]]:
    """(notebook, result) of each row of `awslab run`'s summary table."""
    rows = [line.split() for line in stdout.splitlines()]
    return [(row[0], row[1]) for row in rows
            if len(row) == 3 and row[0][:2].isdigit() and row[2].replace(".", "", 1).isdigit()]


def test_clean_up_leaves_nothing_the_lab_created_and_the_lab_runs_again(whole_lab, tmp_path):
    """The whole lab, 00 to 05 then 99 (the module's second run): nothing the lab created is
    left, a second clean-up has nothing to do, and the lab runs again (in this process, with
    run_lab) from root's console session and cleans up again."""
    import nbformat

    import awslab
    from awslab import record
    from awslab.headless import run_lab
    from awslab.home import lab_home
    from awslab.sandbox_client import credentials_path
    from tests.conftest import NOTEBOOKS, run_notebook

    account_id = whole_lab["account_id"]
    assert ran(whole_lab["second"].stdout) == [
        ("00_setup", "passed"), ("01_secure_the_root_user", "passed"),
        ("02_set_up_additional_users", "passed"), ("03_account_alias_and_regions", "passed"),
        ("04_sign_in_and_review", "passed"), ("05_identity_center", "passed"),
        ("99_clean_up", "passed")], whole_lab["second"].stdout

    # 99 listed the lab's own user for root, in the console, last; and removed it.
    executed = nbformat.read(str(whole_lab["work"] / "second" / "99_clean_up.ipynb"), as_version=4)
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
    region = PARAMS["03_account_alias_and_regions"]["regions_to_enable"][0]
    status = lab.client("account").get_region_opt_status(RegionName=region)["RegionOptStatus"]
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
    runs = run_lab(NOTEBOOKS, tmp_path / "rerun", PARAMS, clean_up=True)
    assert all(r.result == "passed" for r in runs), [r.error for r in runs]
    assert lab.client("iam").list_users()["Users"] == []
    assert awslab.connect("sandbox").is_root


def test_no_secret_in_the_output_folder_or_the_commands_output(whole_lab):
    secrets = whole_lab["secrets"]
    assert len(secrets) >= 3
    places = {str(p): p.read_text(errors="replace") for p in whole_lab["work"].rglob("*.ipynb")}
    for run in ("first", "second"):
        places[f"awslab run output ({run})"] = whole_lab[run].stdout + whole_lab[run].stderr
    for where, text in places.items():
        assert "otpauth://" not in text, where
        for what, secret in secrets.items():
            assert secret not in text, f"the {what} is in {where}"


def test_a_refused_step_fails_the_run_with_its_sentence(lab_home, tmp_path):
    params = tmp_path / "bad.yaml"
    params.write_text("user_name: 'no spaces allowed'\n")
    result = awslab_run("--params", str(params), "--output", str(tmp_path / "out"), env=dict(os.environ))
    assert result.returncode == 1
    assert "02_set_up_additional_users" in result.stdout and "failed" in result.stdout
    assert "skipped" in result.stdout  # later notebooks do not run on a half-done lab
    failure = [line for line in result.stdout.splitlines() if "failed at cell" in line]
    assert failure and "no spaces allowed" in failure[0]
    assert "Traceback" not in result.stdout


def test_the_lab_policy_holds_every_action_called_and_no_other(whole_lab):
    in_source = set(actions_in_source())
    called = whole_lab["calls"]
    granted = policy_actions()
    assert called <= in_source, f"calls the source scan does not see: {sorted(called - in_source)}"
    missing = (called | in_source) - granted
    assert not missing, f"the lab calls these, but the policy does not allow them: {sorted(missing)}"
    unused = granted - called - in_source
    assert not unused, f"the policy allows these, but the lab never calls them: {sorted(unused)}"


def test_the_lab_policy_is_a_valid_identity_policy():
    from awslab.lab_policy import policy
    from awslab.sandbox import policy as evaluator

    document = policy()
    assert document["Version"] == "2012-10-17"
    evaluator.parse(document)  # as IAM checks it when the policy is created
    for statement in document["Statement"]:
        assert statement["Effect"] == "Allow"
        assert all(a.split(":")[0] in ("iam", "sts", "account", "organizations", "sso", "identitystore")
                   for a in statement["Action"])
    # Narrowed where AWS allows it: only account-wide actions (and GetCallerIdentity) on "*".
    wide = {a for s in document["Statement"] if s["Resource"] == "*" for a in s["Action"]}
    # Notebook 05's Organizations, Identity Store and IAM Identity Center actions are on "*": the
    # sandbox judges them without resource types (it builds ARNs for IAM and STS only).
    wide -= {a for a in wide if a.split(":")[0] in ("organizations", "sso", "identitystore")}
    assert wide <= {"sts:GetCallerIdentity", "iam:GenerateCredentialReport",
                    "iam:GetCredentialReport", "iam:GetAccountSummary", "iam:GetAccountPasswordPolicy",
                    "iam:UpdateAccountPasswordPolicy", "iam:DeleteAccountPasswordPolicy",
                    "iam:ListAccountAliases", "iam:CreateAccountAlias", "iam:DeleteAccountAlias",
                    "iam:ListPolicies", "iam:ListVirtualMFADevices"}, wide


def test_the_next_kernel_imports_ahead_without_leaving_a_trace(tmp_path):
    """awslab run's runner: the next notebook's kernel starts, and imports what that notebook
    imports, while the current one runs; the notebook sees no name, count or output from it."""
    import nbformat
    from nbformat.v4 import new_code_cell, new_notebook

    from awslab.headless import Kernels, execute_notebook, notebook_imports

    probe = ("import sys\n"
             "print(sorted(n for n in ('awslab', 'awslab.forms.s00_target') if n in sys.modules),\n"
             "      [n for n in globals() if 'ahead' in n])\n"
             "from awslab.forms import s00_target")
    paths = []
    for index in range(2):
        nb = new_notebook(cells=[new_code_cell("x = 0", metadata={"tags": ["parameters"]}), new_code_cell(probe)])
        nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
        paths.append(tmp_path / f"probe{index}.ipynb")
        nbformat.write(nb, paths[-1])
    assert notebook_imports(paths[0]) == ["sys", "awslab.forms", "awslab.forms.s00_target"]
    with Kernels(tmp_path) as kernels:
        first = kernels.take()  # taken at once: nothing ahead
        kernels.start_next(paths[1])
        execute_notebook(paths[0], tmp_path / "out0.ipynb", {"x": 1}, tmp_path, first)
        time.sleep(3)  # as if the first notebook took a while
        execute_notebook(paths[1], tmp_path / "out1.ipynb", {"x": 2}, tmp_path, kernels.take())
    assert not kernels.folder.exists()  # its sockets and connection files are gone
    outputs = []
    for index in range(2):
        cells = [c for c in nbformat.read(tmp_path / f"out{index}.ipynb", as_version=4).cells
                 if c.cell_type == "code"]
        assert [c.execution_count for c in cells] == [1, 2, 3]  # parameters, injected, probe
        outputs.append(cells[2].outputs[0]["text"])
    assert outputs[0] == "[] []\n"
    assert outputs[1] == "['awslab', 'awslab.forms.s00_target'] []\n"
