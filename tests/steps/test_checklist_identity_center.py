"""The checklist's advisory control (docs/contract.md, "The checklist" and "Sandbox: IAM Identity Center"): people sign in through IAM
Identity Center rather than as IAM users with long-term keys."""

from __future__ import annotations

from tests.steps.test_review import make_user

TITLE = "People sign in through IAM Identity Center, not as IAM users with long-term keys"


def _control(lab):
    from awslab.steps.s04_checklist import run_checklist

    return next(c for c in run_checklist(lab) if c.title == TITLE)


def test_it_passes_only_once_a_person_holds_an_assignment_and_no_iam_user_has_a_password_and_a_key(
        fresh_account, tmp_path, monkeypatch):
    import awslab
    from awslab.steps import s05_identity_center as s05

    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "config"))
    lab = awslab.connect("sandbox")
    control = _control(lab)   # a brand-new account
    assert control.status == "FAIL" and control.advisory and control.label == "FAIL (advisory)"
    assert "no organization instance" in control.why and "notebook 05" in control.why
    assert "long-term access key" in control.tradeoff and "software that cannot use" in control.tradeoff

    made = make_user(lab)   # the tutorial's IAM user: a console password and an access key
    s05.enable_organization(lab)
    s05.enable_identity_center(lab)
    control = _control(lab)
    assert control.status == "FAIL" and "none of its users holds an account assignment" in control.why
    assert made["user_name"] in control.why

    s05.create_person(lab, "ana-silva", "Ana", "Silva", "ana@example.com", "people-admins")
    s05.grant_access(lab, "AdministratorAccess", "people-admins")
    control = _control(lab)
    assert control.status == "FAIL" and control.why.startswith("ana-silva signs in through IAM Identity Center, but")
    assert made["user_name"] in control.why

    # The IAM user keeps its password but its long-term key goes: people sign in through Identity Center.
    lab.client("iam").delete_access_key(UserName=made["user_name"], AccessKeyId=made["access_key_id"])
    control = _control(lab)
    assert control.status == "PASS", control.why
    assert control.why.startswith("ana-silva signs in through IAM Identity Center") and not control.tradeoff


def test_it_is_unknown_with_why_when_the_caller_cannot_read_organizations(fresh_account):
    from botocore.exceptions import ClientError

    import awslab
    from awslab.steps.s04_checklist import run_checklist

    lab = awslab.connect("sandbox")
    real = lab.client("organizations")

    class Denied:
        def __getattr__(self, name):
            if name == "describe_organization":
                def denied(**_):
                    raise ClientError({"Error": {"Code": "AccessDenied", "Message": "not allowed"}},
                                      "DescribeOrganization")
                return denied
            return getattr(real, name)

    class Limited:
        is_root, sandbox, account_id = True, True, lab.account_id

        def client(self, service):
            return Denied() if service == "organizations" else lab.client(service)

    checks = run_checklist(Limited())
    control = next(c for c in checks if c.title == TITLE)
    assert control.status == "UNKNOWN"
    assert "could not read AWS Organizations or IAM Identity Center" in control.why
    assert "organizations:DescribeOrganization" in control.why
    assert next(c for c in checks if c.cis == "1.4").status != "UNKNOWN"   # the others still answer
