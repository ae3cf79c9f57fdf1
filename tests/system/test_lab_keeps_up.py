"""The lab keeps up with itself (issue 21): notebooks opened before an identity change follow
it, a cell re-run after a clean-up works, and what a cell shows stays true."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

from tests.conftest import NOTEBOOKS, outputs_text
from tests.helpers import make_user, root_keys_present


def run_with_more_cells(name: str, folder: Path, more: list[str], **parameters):
    """Run notebooks/<name>.ipynb headless, in one kernel, with `more` code cells after its own
    (a learner running cells again in the same kernel); return the executed notebook."""
    import nbformat
    import papermill

    notebook = nbformat.read(str(NOTEBOOKS / f"{name}.ipynb"), as_version=4)
    for source in more:
        notebook.cells.append(nbformat.v4.new_code_cell(source))
    source_path = folder / f"{name}-in.ipynb"
    nbformat.write(notebook, str(source_path))
    output = folder / f"{name}.ipynb"
    papermill.execute_notebook(str(source_path), str(output), parameters=parameters,
                               kernel_name="python3", cwd=str(NOTEBOOKS), progress_bar=False,
                               request_save_on_cell_execute=False)
    return nbformat.read(str(output), as_version=4)


def cell_text(cell) -> str:
    return "\n".join(o.get("text", "") + str(o.get("data", {}).get("text/plain", ""))
                     for o in cell.get("outputs", []))


def errors(executed) -> list:
    return [o for c in executed.cells for o in c.get("outputs", []) if o.output_type == "error"]


def _clean_up_cell(name: str = "99_clean_up") -> str:
    import nbformat

    notebook = nbformat.read(str(NOTEBOOKS / f"{name}.ipynb"), as_version=4)
    return next(c.source for c in notebook.cells if "CleanUpForm(" in c.source)


@pytest.mark.parametrize("root_keys_left", [False, True], ids=["after-04", "root-keys-left"])
def test_notebook_99_run_again_in_the_same_kernel_says_nothing_to_clean_up(fresh_account, tmp_path,
                                                                          root_keys_left):
    """Issue 21, 1: the clean-up deletes the user the kernel signed in as; running its cell
    again (as the notebook says to) must say "Nothing to clean up", not InvalidClientTokenId."""
    import awslab
    from awslab import sandbox_client as sandbox
    from awslab.steps.s04_sign_in import retire_root_access_keys, sign_in_as

    lab = awslab.connect("sandbox")
    made = make_user(lab)
    if root_keys_left:
        sandbox.set_lab_credentials(made["access_key_id"], made["secret_access_key"],
                                    principal=f"user/{made['user_name']}")
    else:
        retire_root_access_keys(lab, sign_in_as(lab, "csv", made["user_name"]))
    assert awslab.connect("sandbox").user_name == made["user_name"]

    executed = run_with_more_cells("99_clean_up", tmp_path, [
        _clean_up_cell(),  # the same cell, run again
        "print(clean.listing.value)\nprint(clean.message.value)\nprint(lab.principal)",
    ], auto_submit=True)
    assert not errors(executed), errors(executed)
    said = cell_text(executed.cells[-1])
    assert "Nothing to clean up" in said
    assert "This notebook now signs in as root" in said   # and says who it is now
    assert said.strip().endswith("root")
    assert "InvalidClientTokenId" not in outputs_text(executed)
    assert made["secret_access_key"] not in outputs_text(executed)
    assert made["user_name"] not in {u["UserName"] for u in
                                     awslab.connect("sandbox").client("iam").list_users()["Users"]}


def test_an_open_notebook_follows_notebook_04s_switch(fresh_account):
    """Issue 21, 2: notebook 01 (its status panel) and 03 (a form) were opened as root; notebook
    04, in another kernel, retires root's keys and the lab signs in as the new user. Check again
    and the form work at once, without re-running their connect cell, and say who they are now."""
    import awslab
    from awslab.forms.s01_root_user import RootStatus
    from awslab.forms.s03_alias_regions import AliasForm
    from awslab.steps.s04_sign_in import retire_root_access_keys, sign_in_as

    lab01 = awslab.connect("sandbox")    # notebook 01's kernel
    status = RootStatus(lab01)
    status.refresh()
    assert status.state.problems == [] and lab01.is_root
    lab03 = awslab.connect("sandbox")    # notebook 03's kernel
    alias = AliasForm(lab03, f"keeps-up-{lab03.account_id}")
    made = make_user(lab01)

    lab04 = awslab.connect("sandbox")    # notebook 04's kernel
    retire_root_access_keys(lab04, sign_in_as(lab04, "csv", made["user_name"]))
    assert root_keys_present(lab04) == 0

    status.button.click()                # Check again
    assert status.state.problems == [], status.state.problems
    assert lab01.principal == f"user/{made['user_name']}"
    assert f"This notebook now signs in as user/{made['user_name']}" in status.lines.value
    assert "The root user has no access keys (AccountAccessKeysPresent = 0)." in status.lines.value
    assert "InvalidClientTokenId" not in status.lines.value

    alias.submit()
    assert alias.error is None, alias.error
    assert f"This notebook now signs in as user/{made['user_name']}" in alias.message.value
    assert lab03.user_name == made["user_name"]
    assert lab03.client("iam").list_account_aliases()["AccountAliases"] == [f"keeps-up-{lab03.account_id}"]
    status.button.click()                # said once per change, kept in the panel
    assert alias.message.value.count("now signs in as") == 1
    assert f"now signs in as user/{made['user_name']}" in status.lines.value


def test_a_lab_not_made_by_connect_keeps_its_identity(fresh_account):
    """Only the lab's own sign-in follows the saved credentials: a Lab made for the new user's
    keys (notebook 04's proof) or a root console session stays who it is."""
    import awslab
    from awslab import sandbox_client as sandbox
    from awslab.steps.s04_sign_in import sign_in_as

    lab = awslab.connect("sandbox")
    made = make_user(lab)
    proof = sign_in_as(lab, "csv", made["user_name"]).lab
    other = copy.copy(lab)
    other.following = None
    sandbox.set_lab_credentials(made["access_key_id"], made["secret_access_key"],
                                principal=f"user/{made['user_name']}")
    assert lab.client("sts").get_caller_identity()["Arn"].endswith(f":user/{made['user_name']}")
    assert other.client("sts").get_caller_identity()["Arn"].endswith(":root")
    sandbox.forget_lab_credentials()
    assert proof.client("sts").get_caller_identity()["Arn"].endswith(f":user/{made['user_name']}")
    assert lab.client("sts").get_caller_identity()["Arn"].endswith(":root") and lab.is_root


def test_following_costs_a_few_stat_calls(lab):
    """A Lab looks at the saved credentials' files before each client: no file is read, no
    call made, while nothing changed."""
    import time

    lab.client("iam")
    started = time.perf_counter()
    for _ in range(2000):
        lab.client("iam")
    each = (time.perf_counter() - started) / 2000
    assert each < 0.001, f"{each * 1e6:.0f} µs per client"


def test_01s_panel_is_green_only_when_no_row_is_red(fresh_account):
    """Issue 21, 6: root's MFA on but its access keys left (a red row): the panel's border is red,
    not green; once notebook 04 retired the keys, green."""
    import awslab
    from awslab.forms.s01_root_user import RootStatus
    from awslab.steps.s04_sign_in import retire_root_access_keys, sign_in_as
    from tests.helpers import assign_root_mfa

    lab = awslab.connect("sandbox")
    assign_root_mfa(lab)
    status = RootStatus(lab)
    status.refresh()
    assert "The root user has MFA" in status.lines.value and "✘" in status.lines.value
    assert status.widget.layout.border.endswith("#d13212")
    made = make_user(lab)
    retire_root_access_keys(awslab.connect("sandbox"), sign_in_as(lab, "csv", made["user_name"]))
    status.refresh()
    assert "✘" not in status.lines.value, status.lines.value
    assert status.widget.layout.border.endswith("#1d8102")


def test_04_and_99_show_the_signed_in_banner(fresh_account, tmp_path):
    """Issue 21, 4: the first cell of 04 and 99 shows who the lab signs in as (its banner was
    not the cell's last expression, so nothing showed)."""
    import nbformat
    import papermill

    for name in ("04_sign_in_and_review", "99_clean_up"):
        notebook = nbformat.read(str(NOTEBOOKS / f"{name}.ipynb"), as_version=4)
        first = next(i for i, c in enumerate(notebook.cells) if "awslab.connect(" in c.source)
        notebook.cells = notebook.cells[:first + 1]   # up to the connect cell
        path = tmp_path / f"{name}-in.ipynb"
        nbformat.write(notebook, str(path))
        papermill.execute_notebook(str(path), str(tmp_path / f"{name}.ipynb"), kernel_name="python3",
                                   cwd=str(NOTEBOOKS), progress_bar=False)
        executed = nbformat.read(str(tmp_path / f"{name}.ipynb"), as_version=4)
        connect = executed.cells[first]
        html = " ".join(str(o.get("data", {}).get("text/html", "")) + str(o.get("data", {}))
                        for o in connect.outputs)
        assert "awslab-banner" in html or "Signed in as" in html, (name, connect.outputs)


# Issue 21, 6 and 12: what a cell shows stays true.

def _check(checks, cis: str):
    return next(c for c in checks if c.cis == cis or c.id == cis)


def test_02s_user_summary_follows_its_mfa_and_04s_console_says_what_it_accepted(fresh_account, capsys):
    """02: the optional MFA cell, skipped, says so and how to take it; taken, the user's summary
    under Create user shows the device (not "MFA devices none"). 04: after the MFA code the console
    says the code was accepted (not "Password accepted"), and the sign-in's last line is a whole
    sentence. The checklist says "The one console user ... has MFA", not "All 1 console users"."""
    import awslab
    from awslab.forms.s02_users import UserForm, optional_user_mfa
    from awslab.forms.s04_sign_in import ConsoleSignInForm
    from awslab.steps.s04_checklist import run_checklist
    from awslab.steps.s04_sign_in import simulated_code

    lab = awslab.connect("sandbox")
    form = UserForm(lab, "mfa-learner", groups=[], auto_submit=True)
    form.show()
    assert form.error is None and "MFA devices" in form.summary.value

    assert optional_user_mfa(lab, form, False) is None
    shown = capsys.readouterr().out
    assert "Skipped: add_mfa is False" in shown and "add_mfa = True" in shown

    mfa = optional_user_mfa(lab, form, True, auto_submit=True)
    assert mfa.error is None and mfa.result
    summary = form.summary.value
    devices = summary.split("MFA devices", 1)[1].split("</div>", 1)[0]
    assert "none" not in devices and "mfa-learner" in devices, devices

    console = ConsoleSignInForm(lab, "mfa-learner")
    console.submit()
    assert console.step.next == "mfa_code" and "Password accepted" in console.message.value
    console.code.value = simulated_code(lab, "mfa-learner")
    console.submit()
    assert console.step.next == "new_password", console.message.value
    assert "The MFA code was accepted. You must choose a new password." in console.message.value
    assert "Password accepted" not in console.message.value
    console.new_password.value = console.confirm.value = "A-new-Password-for-2026!"
    console.submit()
    assert console.error is None and console.step.next is None, console.message.value
    said = console.after.children[-1].value
    assert "PasswordLastUsed now records this sign-in" in said and "is now<" not in said

    mfa_row = _check(run_checklist(lab), "1.9")
    assert mfa_row.why == "The one console user, mfa-learner, has MFA."


def test_the_checklist_speaks_to_a_terminal_too_and_a_named_user_that_is_not_there_says_so(fresh_account, capsys):
    """`awslab check` in a terminal names no "form below"; 04 and 99 given a user name that the
    account does not have say so (and what notebook 02 made), not just "as set in the parameters cell"."""
    import awslab
    from awslab.choices import choose
    from awslab.cli import print_checklist

    lab = awslab.connect("sandbox")
    print_checklist("sandbox")
    printed = capsys.readouterr().out
    assert "No security contact is registered" in printed
    assert "below" not in printed and "above" not in printed

    make_user(lab, "alice", "team-admins")
    bob = choose(lab, "user_name", "bob")
    assert bob.value == "bob"
    assert bob.sentence() == ("user bob: as set in the parameters cell (user_name), but this account "
                              "has no user bob; notebook 02 made user alice")
    lab.client("iam").create_user(UserName="carol")
    assert choose(lab, "user_name", "carol").sentence() == "user carol: as set in the parameters cell (user_name)"
    assert choose(lab, "group_name", "team-admins").sentence() == (
        "group team-admins: as set in the parameters cell (group_name)")


def test_02s_group_hint_follows_each_keystroke(fresh_account):
    """The group name is judged as it is typed (continuous_update), as the user name is: "admin
    group" is refused at once, not after leaving the field."""
    import awslab
    from awslab.forms.s02_users import GroupForm, UserForm

    lab = awslab.connect("sandbox")
    group = GroupForm(lab, "administrators", "AdministratorAccess")
    user = UserForm(lab, "someone")
    assert group.name.continuous_update is True and user.user_name.continuous_update is True
    group.name.value = "admin group"
    assert "does not exist yet" not in group.existing.value and "admin group" in group.existing.value


# Bad input at the edges: no message, log or output ever carries a secret.

SLASHED = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"   # a secret's shape, with "/" as half have


def _log_text() -> str:
    from awslab.home import lab_home

    path = lab_home() / "awslab.log"
    return path.read_text() if path.exists() else ""


def test_key_id_and_secret_swapped_get_their_own_sentence_and_no_secret_is_repeated(fresh_account):
    import awslab
    from awslab.forms.a11y import tag
    from awslab.forms.s04_sign_in import SignInForm

    lab = awslab.connect("sandbox")
    made = make_user(lab, write_csv=False)
    form = SignInForm(lab, made["user_name"], source="typed")
    form.access_key_id.value, form.secret.value = made["secret_access_key"], made["access_key_id"]
    form.submit()
    assert form.error.startswith("The key ID and the secret look swapped:"), form.error
    assert "nothing was sent to AWS" in form.error
    assert form.access_key_id.value == "" and form.secret.value == ""  # the secret was in the ID's field
    for said in (form.error, form.message.value, _log_text()):
        assert made["secret_access_key"] not in said

    # Issue 21, 11: one wrong character in the secret keeps the key ID; only the secret is refused.
    wrong = made["secret_access_key"][:-1] + ("A" if made["secret_access_key"][-1] != "A" else "B")
    form.access_key_id.value, form.secret.value = made["access_key_id"], wrong
    form.submit()
    assert "SignatureDoesNotMatch" in form.error
    assert form.access_key_id.value == made["access_key_id"] and form.secret.value == ""
    assert form.aria.invalid == [tag(form.secret)]
    assert wrong not in form.message.value and wrong not in _log_text()
    form.secret.value = made["secret_access_key"]
    assert form.submit() is not None and form.error is None
    assert form.access_key_id.value == "" and form.secret.value == ""


def test_every_error_sentence_and_log_line_is_scrubbed_of_secrets(fresh_account):
    """Whatever an error quotes (AWS's message, an exception's text), a secret the lab holds or
    anything shaped like a secret access key never reaches a sentence or the log."""
    from botocore.exceptions import ClientError

    import awslab
    from awslab.errors import LabError, explain
    from awslab.forms import Form
    from awslab.redaction import keep_out_of_logs

    scope = f"'{SLASHED}/20261206/us-east-1/sts/aws4_request'"
    answer = {"Error": {"Code": "IncompleteSignature", "Message": f"Credential should have five parts, not {scope}"}}
    said = explain(ClientError(answer, "GetCallerIdentity"), "checking the new user's keys")
    assert SLASHED not in said and "[redacted]" in said and "IncompleteSignature" in said
    said = explain(RuntimeError(f"Unable to parse response, not {scope}"), "checking the new user's keys")
    assert SLASHED not in said and "something unexpected went wrong" in said
    assert explain(RuntimeError(f"bad {SLASHED}.")).count("[redacted]") == 1

    held = "a-password-the-lab-holds-7"
    keep_out_of_logs(held)
    assert held not in LabError(f"The password {held} is refused.").sentence
    # Names and paths are not secrets: left as they are.
    kept = "User awslab-admin at arn:aws:iam::123456789012:user/awslab-admin, key AKIAIOSFODNN7EXAMPLE"
    assert explain(RuntimeError(kept)).count("[redacted]") == 0

    class Failing(Form):
        def action(self):
            raise RuntimeError(f"the parser quoted {scope} and {held}")

    form = Failing(awslab.connect("sandbox"))
    form.submit()
    assert SLASHED not in form.error and held not in form.error
    log = _log_text()
    assert "the parser quoted" in log  # the traceback went to the log ...
    assert SLASHED not in log and held not in log  # ... scrubbed


def test_removing_the_cli_profile_removes_the_files_the_lab_created_once_empty(fresh_account, tmp_path, monkeypatch):
    """Issue 21, 13: the AWS CLI files the lab created for its profile go with the profile when
    nothing else is in them; a file that was there before, or that holds the learner's own
    profile too, stays (with only the learner's lines)."""
    import awslab
    from awslab import record
    from awslab.credentials_file import save_cli_profile
    from awslab.steps.s99_clean_up import clean_up, describe_plan, plan_clean_up

    lab = awslab.connect("sandbox")
    credentials, config = tmp_path / "aws" / "credentials", tmp_path / "aws" / "config"
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(credentials))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    made = make_user(lab)
    save_cli_profile(lab, made["user_name"], made["access_key_id"], made["secret_access_key"])
    assert credentials.exists() and config.exists()
    assert "the lab created those files" in describe_plan(plan_clean_up(lab))
    assert clean_up(lab).failed == []
    assert not credentials.exists() and not config.exists()
    assert record.created(lab.account_id) == []

    # Made by the lab, then the learner's own profile added to the credentials file: it stays.
    other = make_user(lab, "second-admin")
    save_cli_profile(lab, other["user_name"], other["access_key_id"], other["secret_access_key"])
    with credentials.open("a") as handle:
        handle.write("\n[mine]\naws_access_key_id = AKIAMINE0000000000000\naws_secret_access_key = x\n")
    assert clean_up(lab).failed == []
    assert credentials.read_text().strip().startswith("[mine]") and other["user_name"] not in credentials.read_text()
    assert not config.exists()
    assert record.created(lab.account_id) == []
    assert plan_clean_up(lab).nothing_to_do


def test_a_refused_password_does_not_repeat_the_policy_shown_beside_it_and_the_alias_note_is_said_once(fresh_account):
    import awslab
    from awslab.forms.s02_users import UserForm
    from awslab.forms.s03_alias_regions import AliasForm

    lab = awslab.connect("sandbox")
    form = UserForm(lab, "pw-learner")
    form.password_choice.value = "custom"
    form.password.value = "short1A"
    assert "too short" in form.password_message.value
    assert "password policy" not in form.password_message.value      # ... it is right below:
    assert "password policy" in form.policy_note.value

    alias = AliasForm(lab, f"once-{lab.account_id}")
    alias.submit()
    shown = " ".join(getattr(w, "value", "") for box in alias.after.children for w in box.children)
    assert shown.count("the address your account would have on AWS") == 1


def test_the_checklist_says_when_the_credential_report_was_made_and_what_auditors_see_until_then(fresh_account, capsys):
    """Issue 21, 14: IAM keeps a credential report four hours. The checklist says when the one it
    read was generated, until when report-based auditors see that state, what they see that is no
    longer true (root's MFA and keys, users made since), and why its own reading differs."""
    from datetime import datetime, timezone

    import awslab
    from awslab.cli import print_checklist
    from awslab.forms.s04_checklist import ChecklistView
    from awslab.steps.s04_checklist import Facts, report_note

    lab = awslab.connect("sandbox")
    view = ChecklistView(lab)
    said = view.widget.value
    assert "The credential report was generated" in said and "at most every 4 hours" in said
    assert "Prowler" in said and "as it is now" in said
    print_checklist("sandbox")
    assert "The credential report was generated" in capsys.readouterr().out

    # A report made at 09:10, before root's MFA, the retired keys and the new user.
    facts = Facts(lab)
    facts.report_time = datetime(2026, 12, 6, 9, 10, tzinfo=timezone.utc)
    root = {"user": "<root_account>", "mfa_active": "false", "access_key_1_active": "true",
            "access_key_2_active": "false"}
    facts._cache.update({"report": ([root], None),
                         "summary": ({"AccountMFAEnabled": 1, "AccountAccessKeysPresent": 0}, None),
                         "users": ([{"user": "alice", "mfa_active": "false"}], None)})
    note = report_note(facts)
    assert note.startswith("The credential report was generated 2026-12-06 09:10 UTC.")
    assert "until 13:10 UTC auditors that read the report" in note
    assert "root without MFA, root with an active access key, no user alice (made since)" in note
    facts._cache["report"] = (None, "AccessDenied")  # not read: nothing said
    assert report_note(facts) == ""


# Bad input at the edges: the command line.

def _awslab(*args, env=None, timeout=120):
    import os
    import subprocess
    import sys

    from tests.conftest import ROOT

    return subprocess.run([sys.executable, "-m", "awslab", *args], cwd=ROOT, capture_output=True, text=True,
                          stdin=subprocess.DEVNULL, env=env or os.environ.copy(), timeout=timeout)


def test_clean_on_a_real_account_without_the_flag_names_the_flag(fresh_account):
    """`awslab clean --yes --target aws` without --confirm-account-id: a terminal has no
    parameters cell; the sentence names the flag, and nothing is deleted."""
    import os

    import awslab
    from awslab import sandbox_client as sandbox

    lab = awslab.connect("sandbox")
    made = make_user(lab)
    root = sandbox.lab_credentials()
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(AWS_ENDPOINT_URL=lab.endpoint_url, AWS_ACCESS_KEY_ID=root["access_key_id"],
               AWS_SECRET_ACCESS_KEY=root["secret_access_key"], AWS_DEFAULT_REGION="us-east-1",
               AWS_CONFIG_FILE=os.environ["AWS_CONFIG_FILE"], AWS_EC2_METADATA_DISABLED="true",
               AWS_SHARED_CREDENTIALS_FILE=os.environ["AWS_SHARED_CREDENTIALS_FILE"])
    refused = _awslab("clean", "--yes", "--target", "aws", env=env)
    assert refused.returncode == 2, refused.stderr
    assert f"--confirm-account-id {lab.account_id}" in refused.stderr
    assert "parameters cell" not in refused.stderr and "nothing was deleted" in refused.stderr
    assert "Traceback" not in refused.stderr
    assert made["user_name"] in {u["UserName"] for u in lab.client("iam").list_users()["Users"]}
    done = _awslab("clean", "--yes", "--target", "aws", "--confirm-account-id", lab.account_id, env=env)
    assert done.returncode == 0, done.stderr
    assert made["user_name"] not in {u["UserName"] for u in lab.client("iam").list_users()["Users"]}


def test_run_with_output_naming_a_file_says_so_before_anything_starts(lab_home, tmp_path):
    import time

    taken = tmp_path / "results.txt"
    taken.write_text("mine\n")
    params = tmp_path / "params.json"
    params.write_text('{"user_name": "alice"}')
    started = time.monotonic()
    for output in (taken, taken / "inside"):
        result = _awslab("run", "--params", str(params), "--output", str(output))
        assert result.returncode == 2, result.stderr
        assert result.stderr.startswith(f"awslab: --output {output} ") and "not a folder" in result.stderr
        assert "nothing was run" in result.stderr and "Traceback" not in result.stderr
        assert result.stderr.count("\n") == 1  # one sentence
    assert time.monotonic() - started < 30  # no kernel, no sandbox was started first
    assert taken.read_text() == "mine\n"
    bad = _awslab("run", "--params", str(tmp_path / "missing.json"), "--output", str(taken))
    assert bad.returncode == 2 and "--params" in bad.stderr  # the params file is checked first, as before


def test_sandbox_status_on_a_read_only_home_answers_with_a_sentence(tmp_path):
    """AWSLAB_HOME on a read-only file system (a private read-only bind mount: the tests run as
    root, whom permission bits do not stop): a sentence, no traceback, nothing made."""
    import os
    import shutil
    import subprocess
    import sys

    from tests.conftest import ROOT

    home = tmp_path / "ro-home"
    home.mkdir(mode=0o700)
    if not shutil.which("unshare"):
        pytest.skip("no unshare(1) to make a read-only mount")
    script = (f"mount --bind {home} {home} && mount -o remount,bind,ro {home} && "
              f"cd {ROOT} && AWSLAB_HOME={home} {sys.executable} -m awslab sandbox status")
    env = {k: v for k, v in os.environ.items() if k != "AWSLAB_HOME"}
    result = subprocess.run(["unshare", "-m", "sh", "-c", script], capture_output=True, text=True,
                            timeout=120, env=env)
    if "mount" in result.stderr and ("permission denied" in result.stderr.lower()
                                     or "not permitted" in result.stderr.lower()):
        pytest.skip(f"read-only mount not allowed here: {result.stderr.strip()}")
    assert result.returncode in (1, 2), (result.stdout, result.stderr)
    said = result.stdout + result.stderr
    assert "Traceback" not in said and "Error" not in said.replace("awslab:", ""), said
    assert str(home) in said or "not running" in said
    assert list(home.iterdir()) == []
