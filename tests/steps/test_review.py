"""Notebook 04's package code: signing in as the new user, retiring root's keys, the checklist.

The account is set up in-process with boto3 (what notebook 02 would leave behind), so these
tests do not depend on notebook 02.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.helpers import (
    ADMIN,
    CHANGE_PASSWORD,
    assign_root_mfa,
    counting_calls,
    make_user,
    root_keys_present,
)

# Signing in and retiring root's keys.

def test_sign_in_from_the_csv_proves_the_user_and_retires_root_keys(fresh_account):
    import awslab
    from awslab.forms.s04_sign_in import RetireRootKeysForm, SignInForm

    lab = awslab.connect("sandbox")
    made = make_user(lab)
    form = SignInForm(lab, made["user_name"])
    signed = form.submit()
    assert form.error is None
    assert signed.arn == f"arn:aws:iam::{lab.account_id}:user/{made['user_name']}"
    assert signed.administrator is True
    assert made["secret_access_key"] not in repr(signed)
    assert root_keys_present(lab) == 1

    retire = RetireRootKeysForm(lab, form, delete_root_access_keys=True, auto_submit=True)
    retire.show()  # headless: the question counts as confirmed
    assert retire.error is None
    assert retire.result.keys_present == 0
    assert len(retire.result.deleted) == 1
    now = awslab.connect("sandbox")
    assert now.principal == f"user/{made['user_name']}"
    assert root_keys_present(now) == 0
    # Running it again has nothing to do, and says so.
    again = RetireRootKeysForm(now, SignInForm(now, made["user_name"]).submit(), True, auto_submit=True)
    again.show()
    assert again.error is None and again.result.deleted == []


def test_wrong_credentials_say_so_and_delete_nothing(fresh_account):
    import awslab
    from awslab.forms.s04_sign_in import SignInForm

    lab = awslab.connect("sandbox")
    make_user(lab)
    form = SignInForm(lab, source="typed")
    form.access_key_id.value = "AKIAIOSFODNN7EXAMPLE"
    form.secret.value = "not-the-secret-at-all-0000000000000000000"
    assert form.submit() is None
    assert "InvalidClientTokenId" in form.error and "Nothing was changed" in form.error
    assert form.secret.value == "" and form.access_key_id.value == ""  # cleared after use
    assert root_keys_present(lab) == 1
    assert awslab.connect("sandbox").is_root


def test_revoked_key_is_refused(fresh_account):
    import awslab
    from awslab.errors import LabError
    from awslab.steps.s04_sign_in import sign_in_as

    lab = awslab.connect("sandbox")
    made = make_user(lab)
    lab.client("iam").update_access_key(UserName=made["user_name"], AccessKeyId=made["access_key_id"],
                                        Status="Inactive")
    with pytest.raises(LabError) as caught:
        sign_in_as(lab, "csv", made["user_name"])
    assert "InvalidClientTokenId" in caught.value.sentence
    assert root_keys_present(lab) == 1


def test_user_without_administrator_access_keeps_root_keys(fresh_account):
    import awslab
    from awslab.forms.s04_sign_in import RetireRootKeysForm, SignInForm

    lab = awslab.connect("sandbox")
    made = make_user(lab, "plain-user", admin=False)
    signin = SignInForm(lab, made["user_name"])
    signed = signin.submit()
    assert signed.administrator is False
    retire = RetireRootKeysForm(lab, signin, delete_root_access_keys=True)
    retire.submit()
    assert "root user's access keys are kept" in retire.error
    assert "AdministratorAccess" in retire.error
    assert root_keys_present(lab) == 1
    assert awslab.connect("sandbox").is_root


def test_missing_csv_says_where_it_looked(fresh_account):
    import awslab
    from awslab.forms.s04_sign_in import SignInForm
    from awslab.steps.s04_sign_in import credentials_csv_path

    lab = awslab.connect("sandbox")
    form = SignInForm(lab, "nobody-here")
    assert form.submit() is None
    assert str(credentials_csv_path(lab.account_id, "nobody-here")) in form.error
    assert "notebook 02" in form.error


def test_keys_are_kept_when_headless_says_no(fresh_account):
    import awslab
    from awslab.forms.s04_sign_in import RetireRootKeysForm, SignInForm

    lab = awslab.connect("sandbox")
    made = make_user(lab)
    retire = RetireRootKeysForm(lab, SignInForm(lab, made["user_name"]).submit(), False, auto_submit=True)
    retire.show()
    assert retire.result is None and "Kept" in retire.message.value
    assert root_keys_present(lab) == 1


# The checklist.

def _status(checks, key):
    return next(c for c in checks if key in (c.cis, c.title))


def test_checklist_on_a_prepared_account(fresh_account):
    import awslab
    from awslab.steps.s04_checklist import FAIL, PASS, run_checklist, set_password_policy

    lab = awslab.connect("sandbox")
    made = make_user(lab)
    checks = run_checklist(lab)
    expect = {"1.4": FAIL, "1.5": FAIL, "1.3": FAIL, "1.6": FAIL, "1.7": FAIL, "1.8": FAIL,
              "1.9": FAIL, "1.10": FAIL, "1.11": PASS, "1.12": PASS, "1.13": PASS, "1.14": FAIL,
              "1.15": FAIL, "1.1": PASS, "1.2": FAIL, "The account has an alias": FAIL,
              "A user other than root has administrator access": PASS}
    assert {k: _status(checks, k).status for k in expect} == expect
    assert len(checks) == 18
    assert {c.id for c in checks if c.advisory} == {
        "1.5", "1.6", "1.10", "1.15", "people-sign-in-through-iam-identity-center-not-as-iam-users-with-long-term-keys"}
    for check in checks:
        assert check.meaning and check.link.startswith("https://docs.aws.amazon.com/")
    assert "IAMUserChangePassword" in _status(checks, "1.14").tradeoff
    assert _status(checks, "1.10").advisory and "access key" in _status(checks, "1.10").tradeoff
    assert made["user_name"] in _status(checks, "1.9").why
    assert _status(checks, "1.7").fix == "password_policy"

    # The fixes, then the same checks again.
    set_password_policy(lab)
    serial = assign_root_mfa(lab)
    iam = lab.client("iam")
    iam.create_account_alias(AccountAlias=f"lab-{lab.account_id}")
    iam.detach_user_policy(UserName=made["user_name"], PolicyArn=CHANGE_PASSWORD)
    second = iam.create_access_key(UserName=made["user_name"])["AccessKey"]
    checks = run_checklist(lab)
    expect.update({"1.4": PASS, "1.7": PASS, "1.8": PASS, "1.14": PASS, "1.12": FAIL,
                   "The account has an alias": PASS})
    assert {k: _status(checks, k).status for k in expect} == expect
    assert serial in _status(checks, "1.5").why  # root's MFA is a virtual device: advisory FAIL
    assert _status(checks, "1.5").label == "FAIL (advisory)"
    assert "AdministratorAccess" in _status(checks, "1.14").tradeoff
    policy = iam.get_account_password_policy()["PasswordPolicy"]
    assert policy["MinimumPasswordLength"] == 14 and policy["PasswordReusePrevention"] == 24
    from awslab import record

    assert record.was_created(lab.account_id, "password_policy", "account")
    iam.delete_access_key(UserName=made["user_name"], AccessKeyId=second["AccessKeyId"])


def test_a_missing_permission_is_unknown_with_why(fresh_account):
    """An identity without iam:GetAccountSummary: the checks that need it say UNKNOWN and why;
    the others still answer."""
    from botocore.exceptions import ClientError

    import awslab
    from awslab.steps.s04_checklist import UNKNOWN, run_checklist

    lab = awslab.connect("sandbox")
    real = lab.client("iam")

    class Denied:
        def __getattr__(self, name):
            if name == "get_account_summary":
                def denied(**_):
                    raise ClientError({"Error": {"Code": "AccessDenied", "Message": "not allowed"}},
                                      "GetAccountSummary")
                return denied
            return getattr(real, name)

    class Limited:
        is_root, sandbox = True, True

        def client(self, service):
            return Denied() if service == "iam" else lab.client(service)

    checks = run_checklist(Limited())
    for cis in ("1.4", "1.5", "1.3"):
        assert _status(checks, cis).status == UNKNOWN
        assert "iam:GetAccountSummary" in _status(checks, cis).why
    assert _status(checks, "1.7").status == "FAIL"


def test_password_policy_form_validates_and_sets_benchmark_values(fresh_account):
    import awslab
    from awslab.forms.s04_checklist import ChecklistView, PasswordPolicyForm

    lab = awslab.connect("sandbox")
    view = ChecklistView(lab)
    assert view.status("1.7") == "FAIL"
    form = PasswordPolicyForm(lab, checklist=view)
    assert form.length.value == 14 and form.reuse.value == 24
    form.max_age.value = 0
    form.length.value = 14
    form.submit()
    assert form.error is None
    assert view.status("1.7") == "PASS" and view.status("1.8") == "PASS"
    assert "PASS" in view.widget.value
    headless = PasswordPolicyForm(lab, auto_submit=True)
    headless.show()
    assert "already meets" in headless.message.value


def test_setting_the_policy_rereads_only_the_password_checks(fresh_account):
    """After the form sets the policy, the checklist shows 1.7 and 1.8 passing from one fresh
    read of the policy; every other fact of its last reading stands (no new report, no user
    listing)."""
    import awslab
    from awslab.forms.s04_checklist import ChecklistView, PasswordPolicyForm
    from awslab.steps.s04_checklist import PASS

    lab = awslab.connect("sandbox")
    make_user(lab)
    view = ChecklistView(lab)
    before = {c.cis or c.title: c.status for c in view.checks}
    assert before["1.7"] == before["1.8"] == "FAIL"
    form = PasswordPolicyForm(lab, checklist=view)
    with counting_calls(lab.client("iam"), lab.client("sts")) as calls:
        form.submit()
    assert form.error is None
    # The old policy (for clean-up to put back), the update, one read for the checklist.
    assert calls == ["GetAccountPasswordPolicy", "UpdateAccountPasswordPolicy", "GetAccountPasswordPolicy"]
    assert view.status("1.7") == view.status("1.8") == PASS
    assert "Minimum password length is 14." in view.widget.value
    after = {c.cis or c.title: c.status for c in view.checks}
    assert {k: v for k, v in after.items() if k not in ("1.7", "1.8")} == {
        k: v for k, v in before.items() if k not in ("1.7", "1.8")}
    assert "Minimum password length 14" in form.after.children[0].value

    # Set again (recorded already): nothing to remember for clean-up, so no read before it.
    with counting_calls(lab.client("iam")) as calls:
        form.submit()
    assert calls == ["UpdateAccountPasswordPolicy", "GetAccountPasswordPolicy"]


def test_checklist_refresh_rereads_everything(fresh_account):
    """refresh() without `changed` (the learner asks) reads every fact again, so changes made
    outside the lab show; a refresh after the lab's own change reads only what it names."""
    import awslab
    from awslab.forms.s04_checklist import ChecklistView
    from awslab.steps.s04_checklist import FAIL, PASS

    lab = awslab.connect("sandbox")
    make_user(lab)
    view = ChecklistView(lab)
    assert view.status("The account has an alias") == FAIL
    iam = lab.client("iam")
    iam.create_account_alias(AccountAlias=f"outside-{lab.account_id}")  # the console, say
    iam.create_user(UserName="console-made")
    iam.create_login_profile(UserName="console-made", Password="Another-Horse-Battery-7")

    with counting_calls(iam) as calls:
        view.refresh(changed=("policy",))
    assert calls == ["GetAccountPasswordPolicy"]
    assert view.status("The account has an alias") == FAIL  # the last reading stands

    with counting_calls(iam) as calls:
        view.refresh()
    assert view.status("The account has an alias") == PASS
    assert "console-made" in next(c for c in view.checks if c.cis == "1.9").why
    for read in ("GetAccountSummary", "GetAccountPasswordPolicy", "GetCredentialReport", "ListUsers",
                 "ListAccountAliases", "ListEntitiesForPolicy"):
        assert read in calls, read
    # The report the first reading downloaded is under four hours old: IAM would hand back
    # that same report, so it is downloaded again without asking for a new one.
    assert "GenerateCredentialReport" not in calls
    per_user = {"ListAttachedUserPolicies", "ListUserPolicies", "GetLoginProfile", "ListMFADevices",
                "ListAccessKeys", "GetAccessKeyLastUsed",  # one each per user (two users) or key
                "GetPolicyVersion", "ListEntitiesForPolicy"}  # per attached policy
    assert {name: calls.count(name) for name in set(calls) - per_user} == dict.fromkeys(set(calls) - per_user, 1)


def test_sign_in_reads_the_alias_once(fresh_account):
    import awslab
    from awslab.steps.s04_sign_in import sign_in_as

    lab = awslab.connect("sandbox")
    made = make_user(lab)
    with counting_calls(lab.client("iam")) as calls:
        signed = sign_in_as(lab, "csv", made["user_name"])
    assert signed.alias is None and signed.administrator is True
    assert calls.count("ListAccountAliases") == 1  # no alias is an answer: not asked again as the user
    lab.client("iam").create_account_alias(AccountAlias=f"lab-{lab.account_id}")
    assert sign_in_as(lab, "csv", made["user_name"]).alias == f"lab-{lab.account_id}"


def test_awslab_check_exit_codes(fresh_account, monkeypatch, capsys):
    result = subprocess.run([sys.executable, "-m", "awslab", "check"], capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 1, result.stderr
    assert "1.4" in result.stdout and "FAIL" in result.stdout and "checks pass" in result.stdout
    assert "docs.aws.amazon.com" in result.stdout

    from awslab import cli
    from awslab.steps import s04_checklist as checklist

    real = checklist.run_checklist

    def all_pass(lab, facts=None):
        checks = real(lab, facts)
        for check in checks:
            check.status = "PASS"
        return checks

    monkeypatch.setattr(checklist, "run_checklist", all_pass)
    assert cli.print_checklist("sandbox") == 0
    assert "18 of 18 checks pass" in capsys.readouterr().out


def test_delete_button_without_sign_in_says_so_without_asking(fresh_account):
    import awslab
    from awslab.forms.s04_sign_in import RetireRootKeysForm, SignInForm

    lab = awslab.connect("sandbox")
    make_user(lab)
    retire = RetireRootKeysForm(lab, SignInForm(lab), delete_root_access_keys=True)
    retire.button.click()
    assert "Sign in as the new user first" in retire.error
    assert not any("awslab-yes" in getattr(c, "_dom_classes", ()) for c in retire.after.children)
    assert root_keys_present(lab) == 1


def test_delete_button_asks_first_and_cancel_keeps_the_keys(fresh_account):
    import awslab
    from awslab.forms.s04_sign_in import RetireRootKeysForm, SignInForm

    lab = awslab.connect("sandbox")
    made = make_user(lab)
    signin = SignInForm(lab, made["user_name"])
    signin.submit()
    retire = RetireRootKeysForm(lab, signin)
    retire.button.click()
    question = retire.after.children[-1]
    yes, cancel = question.children[1].children
    cancel.click()
    assert "Cancelled" in retire.message.value
    assert root_keys_present(lab) == 1
    retire.button.click()
    retire.after.children[-1].children[1].children[0].click()
    assert retire.result.keys_present == 0
    assert awslab.connect("sandbox").user_name == made["user_name"]


def test_real_account_switches_through_a_saved_profile_only(fresh_account):
    """target 'aws' (here pointed at the sandbox's endpoint): without a CLI profile of the new
    user nothing is deleted; with one, the lab's saved connection becomes that profile."""
    import os
    from pathlib import Path

    import awslab
    from awslab.errors import LabError
    from awslab.home import lab_home
    from awslab.session import Lab, saved_connection
    from awslab.steps.s04_sign_in import (
        keys_from_profile,
        prove_keys,
        retire_root_access_keys,
        sign_in_as,
    )

    box = awslab.connect("sandbox")
    made = make_user(box)
    real = Lab("aws", box.region, box.account_id, box.arn, box.user_id, box.session,
               endpoint_url=box.endpoint_url, confirm_account_id=box.account_id)
    signed = sign_in_as(real, "csv", made["user_name"])
    with pytest.raises(LabError) as caught:
        retire_root_access_keys(real, signed)
    assert "AWS CLI profile" in caught.value.sentence and "nothing was deleted" in caught.value.sentence
    assert root_keys_present(box) == 1

    credentials = Path(os.environ["AWS_SHARED_CREDENTIALS_FILE"])
    before = credentials.read_text() if credentials.exists() else None
    connection = lab_home() / "connection.json"
    saved_before = connection.read_text() if connection.exists() else None
    try:
        credentials.write_text(f"[lab-admin]\naws_access_key_id = {made['access_key_id']}\n"
                               f"aws_secret_access_key = {made['secret_access_key']}\n")
        signed = prove_keys(real, keys_from_profile("lab-admin"))
        retired = retire_root_access_keys(real, signed)
        assert retired.keys_present == 0
        assert saved_connection()["profile"] == "lab-admin"
    finally:
        if saved_before is None:
            connection.unlink(missing_ok=True)
        else:
            connection.write_text(saved_before)
        if before is None:
            credentials.unlink(missing_ok=True)
        else:
            credentials.write_text(before)


def test_administrator_access_directly_through_a_group_or_not_at_all(fresh_account, lab):
    from awslab.steps.s00_connect import holds_administrator_access

    iam = lab.client("iam")
    for name in ("direct", "grouped", "plain"):
        iam.create_user(UserName=name)
    iam.attach_user_policy(UserName="direct", PolicyArn=ADMIN)
    iam.create_group(GroupName="readers")  # a group without the policy does not count
    iam.attach_group_policy(GroupName="readers", PolicyArn="arn:aws:iam::aws:policy/ReadOnlyAccess")
    iam.create_group(GroupName="admins")
    iam.attach_group_policy(GroupName="admins", PolicyArn=ADMIN)
    iam.add_user_to_group(GroupName="readers", UserName="grouped")
    iam.add_user_to_group(GroupName="admins", UserName="grouped")
    iam.add_user_to_group(GroupName="readers", UserName="plain")
    assert holds_administrator_access(iam, "direct")
    assert holds_administrator_access(iam, "grouped")
    assert not holds_administrator_access(iam, "plain")


# The controls an auditor's tool judges too (CIS 1.6, 1.10 as its audit reads, 1.15).

def test_1_10_follows_the_benchmarks_audit_a_console_users_key_never_used(fresh_account):
    import boto3

    import awslab
    from awslab.steps.s04_checklist import FAIL, PASS, run_checklist

    lab = awslab.connect("sandbox")
    made = make_user(lab)
    check = _status(run_checklist(lab), "1.10")
    assert check.status == FAIL and check.advisory
    assert f"{made['user_name']} (access key 1)" in check.why and "benchmark's audit" in check.why
    assert "notebook 04 uses it" in check.tradeoff
    # The key is used (notebook 04 signs in with it): no longer a key made at set-up and unused.
    boto3.client("sts", endpoint_url=lab.endpoint_url, region_name=lab.region,
                 aws_access_key_id=made["access_key_id"],
                 aws_secret_access_key=made["secret_access_key"]).get_caller_identity()
    check = _status(run_checklist(lab), "1.10")
    assert check.status == PASS and "never used" in check.why


def test_users_are_read_as_they_are_now_whatever_the_reports_age(fresh_account):
    """IAM hands back a report up to four hours old: a user made since is not in it, yet the
    checklist sees it (users are read live; the report serves root's row)."""
    import awslab
    from awslab.forms.s04_checklist import ChecklistView
    from awslab.steps.s04_checklist import FAIL

    lab = awslab.connect("sandbox")
    view = ChecklistView(lab)  # the report is made now, before the user exists
    made = make_user(lab)
    view.refresh()  # the known report is downloaded again, not regenerated
    report = lab.client("iam").get_credential_report()["Content"].decode()
    assert made["user_name"] not in report
    assert view.status("1.9") == FAIL
    assert made["user_name"] in next(c for c in view.checks if c.cis == "1.9").why


def test_1_6_root_in_use_then_retired(fresh_account):
    import awslab
    from awslab.steps.s04_checklist import FAIL, PASS, run_checklist
    from awslab.steps.s04_sign_in import retire_root_access_keys, sign_in_as

    lab = awslab.connect("sandbox")
    made = make_user(lab)
    check = _status(run_checklist(lab), "1.6")
    assert check.status == FAIL and check.advisory
    assert "access key 1 was last used" in check.why and "less than a day ago" in check.why
    assert "notebook 04" in check.tradeoff

    retire_root_access_keys(lab, sign_in_as(lab, "csv", made["user_name"]))
    now = awslab.connect("sandbox")
    checks = run_checklist(now)
    assert _status(checks, "1.6").status == PASS  # root's deleted key took its last use with it
    assert "no use of root's password or access keys" in _status(checks, "1.6").why
    assert _status(checks, "1.3").status == PASS
    assert _status(checks, "1.10").status == PASS  # the sign-in used the new user's key


def test_1_15_names_the_policy_that_allows_everything_and_where_it_is_attached(fresh_account):
    import awslab
    from awslab.steps.s04_checklist import FAIL, PASS, allows_everything, run_checklist

    lab = awslab.connect("sandbox")
    make_user(lab)
    checks = run_checklist(lab)
    check = _status(checks, "1.15")
    assert check.status == FAIL and check.label == "FAIL (advisory)"
    assert "AdministratorAccess (on group administrators)" in check.why
    assert "IAMUserChangePassword" not in check.why  # attached, but does not allow everything
    assert "administrators group" in check.tradeoff
    assert "1.15" in _status(checks, "A user other than root has administrator access").why

    iam = lab.client("iam")
    iam.detach_group_policy(GroupName="administrators", PolicyArn=ADMIN)
    iam.attach_group_policy(GroupName="administrators", PolicyArn="arn:aws:iam::aws:policy/PowerUserAccess")
    checks = run_checklist(lab)
    assert _status(checks, "1.15").status == PASS
    assert _status(checks, "A user other than root has administrator access").status == FAIL

    assert allows_everything({"Statement": {"Effect": "Allow", "Action": "*", "Resource": "*"}})
    assert allows_everything('{"Statement":[{"Effect":"Allow","Action":["*"],"Resource":["*"]}]}')
    assert not allows_everything({"Statement": [{"Effect": "Allow", "Action": "iam:*", "Resource": "*"}]})
    assert not allows_everything({"Statement": [{"Effect": "Deny", "Action": "*", "Resource": "*"}]})


def test_1_1_and_1_2_the_accounts_contacts(fresh_account):
    import awslab
    from awslab.steps.s04_checklist import FAIL, PASS, run_checklist

    lab = awslab.connect("sandbox")
    checks = run_checklist(lab)
    contact = _status(checks, "1.1")
    assert contact.status == PASS and "Primary contact:" in contact.why and "manual" in contact.why
    assert "206-555-0100" not in contact.why and "ending 0100" in contact.why  # masked
    security = _status(checks, "1.2")
    assert security.status == FAIL and security.fix == "security_contact"
    lab.client("account").put_alternate_contact(
        AlternateContactType="SECURITY", Name="Security team", Title="Security",
        EmailAddress="security@example.com", PhoneNumber="+1 206-555-0199")
    security = _status(run_checklist(lab), "1.2")
    assert security.status == PASS
    assert "Security team (Security), s***@example.com, phone ending 0199" in security.why


def test_forms_below_retire_keep_working_after_roots_keys_are_gone(fresh_account):
    """Run All in notebook 04 builds every form with root's session; Retire deletes root's keys;
    the password policy and security contact forms below then sign in as the new user, without
    running their cells again (they held root's deleted key before: InvalidClientTokenId)."""
    import awslab
    from awslab.forms.s04_checklist import PasswordPolicyForm, SecurityContactForm
    from awslab.forms.s04_sign_in import RetireRootKeysForm, SignInForm

    lab = awslab.connect("sandbox")
    made = make_user(lab)
    signin = SignInForm(lab, made["user_name"])
    retire = RetireRootKeysForm(lab, signin, delete_root_access_keys=True)
    policy = PasswordPolicyForm(lab)
    contact = SecurityContactForm(lab, {})
    signin.submit()
    retire.submit()
    assert retire.error is None and retire.result.deleted
    assert lab.principal == f"user/{made['user_name']}"  # the same Lab, now the new user
    policy.submit()
    assert policy.error is None, policy.error
    for key, value in {"name": "Security team", "title": "Security", "email": "security@example.com",
                       "phone": "+1 206-555-0199"}.items():
        contact.fields[key].value = value
    contact.submit()
    assert contact.error is None, contact.error
