"""awslab/steps/kinds.py: each kind of thing the lab makes is created, seen, and deleted as AWS
(here the sandbox) answers, recorded while it exists, and ordered for clean-up as AWS requires."""

from __future__ import annotations

import time
from pathlib import Path

import pytest


def _code(error) -> str:
    return error.response["Error"]["Code"]


def test_phases_are_in_the_order_aws_requires():
    from awslab.steps.kinds import (
        KINDS,
        PHASES,
        AccessKey,
        AccountAssignment,
        Group,
        GroupPolicy,
        IdentityCenter,
        LoginProfile,
        Membership,
        MfaDevice,
        Organization,
        PermissionSet,
        SsoGroup,
        SsoMembership,
        SsoUser,
        User,
        UserPolicy,
    )

    def before(first, then):
        assert first.order < then.order, (first, then)

    user = User("u")
    for part in (AccessKey("u", "AKIA"), LoginProfile("u"), MfaDevice("u", "arn:mfa/u"), Membership("u", "g"),
                 UserPolicy("u", "arn:aws:iam::aws:policy/X")):
        before(part, user)
    group = Group("g")
    for part in (GroupPolicy("g", "arn:aws:iam::aws:policy/X"), Membership("v", "g", user_stays=True), user):
        before(part, group)
    before(AccountAssignment("arn:ps", "g-1"), PermissionSet("Admin"))
    before(SsoMembership("ana", "admins"), SsoUser("ana"))
    before(SsoMembership("ana", "admins"), SsoGroup("admins"))
    before(PermissionSet("Admin"), IdentityCenter("arn:instance"))
    before(SsoUser("ana"), IdentityCenter("arn:instance"))
    before(IdentityCenter("arn:instance"), Organization("o-1"))
    assert PHASES[0] == "access key"
    assert {k.phase for k in KINDS.values() if isinstance(k.phase, str)} <= set(PHASES)


def test_iam_user_and_group_kinds(fresh_account, tmp_path):
    import pyotp

    import awslab
    from awslab import record
    from awslab.steps.kinds import (
        LAB_TAG,
        AccessKey,
        CredentialsCsv,
        Group,
        GroupPolicy,
        LoginProfile,
        Membership,
        MfaDevice,
        User,
        UserPolicy,
        of,
    )

    lab = awslab.connect("sandbox")
    iam = lab.client("iam")
    admin, change = "arn:aws:iam::aws:policy/AdministratorAccess", "arn:aws:iam::aws:policy/IAMUserChangePassword"
    group, user = Group("admins"), User("dora")
    assert not group.exists(lab) and not user.exists(lab)
    group.create(lab)
    GroupPolicy("admins", admin).create(lab)
    made = user.create(lab, tags=[("team", "security")])
    assert made["Arn"].endswith(":user/dora")
    tags = {t["Key"]: t["Value"] for t in iam.list_user_tags(UserName="dora")["Tags"]}
    assert tags == {"team": "security", LAB_TAG[0]: LAB_TAG[1]}
    assert User.tagged(lab) == ["dora"]
    LoginProfile("dora").create(lab, password="Correct-Horse-Battery-9")
    UserPolicy("dora", change).create(lab)
    Membership("dora", "admins").create(lab)
    key = AccessKey("dora")
    secret = key.create(lab)["SecretAccessKey"]
    assert key.key_id.startswith("AKIA") and secret
    csv = CredentialsCsv("dora")
    path = csv.create(lab, f"User name\ndora,{key.key_id}\n")
    device = MfaDevice("dora", "")
    seed = device.create(lab, "dora-phone")["Base32StringSeed"]
    seed = seed.decode() if isinstance(seed, bytes) else seed
    totp, step = pyotp.TOTP(seed), int(time.time() // 30)
    device.enable(lab, totp.at((step - 1) * 30), totp.at(step * 30))

    parts = [AccessKey("dora", key.key_id), LoginProfile("dora"), MfaDevice("dora", device.serial),
             Membership("dora", "admins"), UserPolicy("dora", change)]
    for kind in [group, GroupPolicy("admins", admin), user, csv, *parts]:
        assert kind.exists(lab), kind
    # The record holds each, by its typed key; each entry gives back its kind.
    recorded = record.created(lab.account_id)
    for kind in [group, GroupPolicy("admins", admin), user, *parts]:
        assert kind.made() in recorded, kind
        assert of(next(m for m in recorded if m == kind.made())) == kind
    assert record.was_created(lab.account_id, "csv", str(path))
    # The user's parts, as AWS lists them, are the ones made.
    assert {p.made() for p in user.parts(lab)} == {p.made() for p in parts}
    assert [p.made() for p in group.parts(lab, leaving={"dora"})] == [GroupPolicy("admins", admin).made()]
    assert group.parts(lab)[0].what == "member dora of group admins (the user stays)"

    # AWS refuses to delete a user that still has parts: the record keeps it.
    with pytest.raises(Exception) as refused:
        user.delete(lab)
    assert _code(refused.value) == "DeleteConflict"
    assert record.was_created(lab.account_id, user.made())

    for part in sorted(parts, key=lambda k: k.order):
        part.exists(lab)
        part.delete(lab)
        assert not part.exists(lab), part
    user.delete(lab)
    assert not user.exists(lab)
    with pytest.raises(Exception) as again:   # gone already: AWS's NoSuchEntity, for callers to say so
        user.delete(lab)
    assert _code(again.value) == "NoSuchEntity"
    GroupPolicy("admins", admin).delete(lab)
    group.delete(lab)
    csv.delete(lab)
    assert not group.exists(lab) and not Path(path).exists()
    assert iam.list_virtual_mfa_devices()["VirtualMFADevices"] == []
    assert record.created(lab.account_id) == []


def test_an_unassigned_device_is_deleted_and_roots_stays(fresh_account):
    import awslab
    from awslab.steps.kinds import MfaDevice
    from tests.helpers import assign_root_mfa

    lab = awslab.connect("sandbox")
    root_serial = assign_root_mfa(lab)
    roots = MfaDevice("root", root_serial)
    assert roots.exists(lab) and roots.stays(lab) and roots.what.startswith("the root user's MFA device")
    with pytest.raises(Exception, match="never removes the root user's MFA"):
        roots.delete(lab)
    loose = MfaDevice("nobody", "")
    loose.create(lab, "never-assigned")
    assert loose.exists(lab) and not loose.assigned and loose.stays(lab) is None
    assert loose.what == f"unassigned virtual MFA device {loose.serial}"
    loose.delete(lab)
    assert not loose.exists(lab)
    assert lab.client("iam").get_account_summary()["SummaryMap"]["AccountMFAEnabled"] == 1


def test_account_kinds_go_back_to_what_the_account_had(fresh_account):
    import awslab
    from awslab import record
    from awslab.steps.kinds import Alias, PasswordPolicy, Region, SecurityContact

    lab = awslab.connect("sandbox")
    iam, account = lab.client("iam"), lab.client("account")
    iam.create_account_alias(AccountAlias=f"before-{lab.account_id}")
    alias = Alias(f"lab-{lab.account_id}")
    alias.create(lab)
    assert alias.previous == f"before-{lab.account_id}" and alias.exists(lab)
    assert "back to before-" in alias.what
    alias.delete(lab)
    assert iam.list_account_aliases()["AccountAliases"] == [f"before-{lab.account_id}"]

    region = Region("ap-east-1")
    region.create(lab)
    assert region.exists(lab)
    region.delete(lab)   # waits while ENABLING
    assert not region.exists(lab) and region.gone.startswith("Region ap-east-1 (disabl")
    default = Region("us-east-1")
    assert default.exists(lab) and default.stays(lab) == "it is enabled by default and can't be disabled"

    iam.update_account_password_policy(MinimumPasswordLength=10)
    policy = PasswordPolicy()
    policy.create(lab, MinimumPasswordLength=14, PasswordReusePrevention=24)
    assert policy.previous["MinimumPasswordLength"] == 10 and policy.exists(lab)
    PasswordPolicy.from_made(record.entry(lab.account_id, policy.made())).delete(lab)
    assert PasswordPolicy.current(lab)["MinimumPasswordLength"] == 10

    contact = SecurityContact()
    contact.create(lab, "Security team", "Security", "security@example.com", "+1 206-555-0199")
    assert contact.previous is None and SecurityContact.current(lab)["Name"] == "Security team"
    contact.delete(lab)
    assert SecurityContact.current(lab) is None and not contact.exists(lab)
    with pytest.raises(account.exceptions.ResourceNotFoundException):
        account.get_alternate_contact(AlternateContactType="SECURITY")
    assert record.created(lab.account_id) == []


def test_file_kinds_remove_only_the_labs_lines(fresh_account, tmp_path, monkeypatch):
    import awslab
    from awslab import record
    from awslab.steps.kinds import CliFile, CliProfile, SsoProfile, SsoToken

    credentials, config = tmp_path / "aws" / "credentials", tmp_path / "aws" / "config"
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(credentials))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    lab = awslab.connect("sandbox")
    profile = CliProfile("dora")
    profile.create(lab, "AKIAEXAMPLEEXAMPLE00", "secret-for-the-test-only")
    profile = CliProfile.from_made(record.entry(lab.account_id, "cli_profile", "dora"))
    assert profile.exists(lab) and CliFile(str(credentials)).exists(lab)
    assert "the lab created those files" in profile.describe(lab)
    with config.open("a") as handle:
        handle.write("\n[profile mine]\nregion = eu-west-1\n")
    profile.delete(lab)
    assert not profile.exists(lab)
    assert not credentials.exists()                       # the lab made it and it is empty: gone
    assert config.read_text().strip() == "[profile mine]\nregion = eu-west-1"   # the learner's stays
    assert not record.was_created(lab.account_id, "cli_file", str(config))      # and is theirs now

    sso = SsoProfile("ana", str(config))
    sso.remember(lab)
    with config.open("a") as handle:
        handle.write("\n[profile ana]\nsso_session = ana\n\n[sso-session ana]\nsso_start_url = x\n")
    assert sso.exists(lab)
    sso.delete(lab)
    assert not sso.exists(lab) and "[profile mine]" in config.read_text()

    token_file = tmp_path / "cache" / "token.json"
    token_file.parent.mkdir()
    token_file.write_text("{}")
    token = SsoToken("ana", str(token_file))
    token.remember(lab)
    assert token.exists(lab)
    token.delete(lab)
    assert not token_file.exists() and not token.exists(lab)
    assert record.created(lab.account_id) == []


@pytest.fixture
def identity_center(fresh_account, monkeypatch):
    import awslab
    from awslab.steps import s05_identity_center as s05

    lab = awslab.connect("sandbox")
    s05.enable_organization(lab)
    s05.enable_identity_center(lab)
    return lab


def test_identity_center_kinds(identity_center):
    from botocore.exceptions import ClientError

    from awslab import record
    from awslab.steps import s05_identity_center as s05
    from awslab.steps.kinds import (
        AccountAssignment,
        IdentityCenter,
        Organization,
        PermissionSet,
        SsoGroup,
        SsoMembership,
        SsoUser,
    )

    lab = identity_center
    user, group, member = SsoUser("ana"), SsoGroup("admins"), SsoMembership("ana", "admins")
    assert not user.exists(lab)
    user.create(lab, "Ana", "Silva", "ana@example.com")
    group.create(lab)
    member.create(lab)
    permission_set = PermissionSet("AdministratorAccess")
    permission_set.create(lab)
    lab.client("sso-admin").attach_managed_policy_to_permission_set(
        InstanceArn=s05.require_instance(lab)["arn"], PermissionSetArn=permission_set.arn,
        ManagedPolicyArn="arn:aws:iam::aws:policy/AdministratorAccess")
    seen = []
    assignment = AccountAssignment(permission_set.arn, group.group_id)
    assert assignment.create(lab, on_status=seen.append)["Status"] == "SUCCEEDED"
    assert seen[0] == "IN_PROGRESS" and seen[-1] == "SUCCEEDED"
    role = s05.provisioned_role(lab, permission_set.arn)
    assert role.startswith("AWSReservedSSO_AdministratorAccess_")
    for kind in (user, group, member, permission_set, assignment):
        assert kind.exists(lab), kind
        assert record.was_created(lab.account_id, kind.made()), kind
    assert "AdministratorAccess to IAM Identity Center group admins" in assignment.what

    with pytest.raises(ClientError) as refused:   # AWS: the assignment goes first
        permission_set.delete(lab)
    assert _code(refused.value) == "ConflictException"
    for kind in sorted((user, group, member, permission_set, assignment), key=lambda k: k.order):
        kind.delete(lab)
        assert not kind.exists(lab), kind
    assert s05.provisioned_role(lab) is None       # the deletion's SUCCEEDED: the role is gone
    assert [e.kind for e in record.created(lab.account_id)] == ["organization", "identity_center"]

    instance, org = IdentityCenter(s05.require_instance(lab)["arn"]), Organization(
        lab.client("organizations").describe_organization()["Organization"]["Id"])
    assert instance.exists(lab) and org.exists(lab) and instance.stays(lab) is None
    instance.delete(lab)
    assert not instance.exists(lab) and s05.status(lab)["instance"] is None
    org.delete(lab)
    assert not org.exists(lab)
    assert record.created(lab.account_id) == []


def test_on_a_real_account_the_organization_and_the_instance_stay_with_the_console_steps(identity_center):
    from awslab.session import Lab
    from awslab.steps import s05_identity_center as s05
    from awslab.steps.kinds import IdentityCenter, Organization

    me = identity_center
    real = Lab("aws", me.region, me.account_id, me.arn, me.user_id, me.session,
               endpoint_url=me.endpoint_url, confirm_account_id=me.account_id)
    instance = IdentityCenter(s05.require_instance(me)["arn"])
    assert "Delete IAM Identity Center" in instance.stays(real) and "console" in instance.stays(real)
    assert "Delete organization" in Organization("o-x").stays(real)
    with pytest.raises(Exception, match="no API"):
        instance.delete(real)
