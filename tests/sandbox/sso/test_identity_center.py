"""docs/contract.md, "Sandbox: IAM Identity Center": IAM Identity Center in the sandbox, as AWS serves it to a new account.

A sandbox of its own (an organization is made, which no other test expects), with short
timings: assignments finish in 0.3 s, device codes expire in 3 s, role sessions last 2 s when
a test asks."""

from __future__ import annotations

import datetime
import hashlib
import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request

import boto3
import pyotp
import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.exceptions import ClientError

ADMIN = "arn:aws:iam::aws:policy/AdministratorAccess"
READ_ONLY = "arn:aws:iam::aws:policy/ReadOnlyAccess"
PASSWORD = "Corr3ct-Horse!battery"


@pytest.fixture(scope="module")
def box(tmp_path_factory):
    import awslab
    from awslab import sandbox_client as sandbox

    home = tmp_path_factory.mktemp("ic_home")
    os.chmod(home, 0o700)
    with pytest.MonkeyPatch.context() as env:
        env.setenv("AWSLAB_HOME", str(home))
        env.setenv("AWSLAB_SANDBOX_PORT", "0")
        env.setenv("AWSLAB_IC_DELAY", "0.3")
        env.setenv("AWSLAB_DEVICE_SECONDS", "3")
        sandbox.start()
        try:
            lab = awslab.connect("sandbox")
            yield Box(lab, home)
        finally:
            sandbox.stop()


class Box:
    def __init__(self, lab, home):
        self.lab, self.home = lab, home
        self.endpoint = lab.endpoint_url

    def client(self, service, **keys):
        if keys:
            return boto3.client(service, endpoint_url=self.endpoint, region_name="us-east-1", **keys)
        return self.lab.client(service)

    def signed(self, path, data, credentials=None):
        body = json.dumps(data).encode()
        request = AWSRequest(method="POST", url=self.endpoint + path, data=body,
                             headers={"Content-Type": "application/json"})
        frozen = credentials or self.lab.session.get_credentials().get_frozen_credentials()
        SigV4Auth(frozen, "iam", "us-east-1").add_auth(request)
        return call(self.endpoint + path, body, dict(request.headers.items()))

    def plain(self, path, data):
        return call(self.endpoint + path, json.dumps(data).encode(),
                    {"Content-Type": "application/json"})

    def owner_secret(self):
        from awslab.sandbox.account import Account

        return Account.load(self.home / "sandbox" / "account.json").console_secret


def call(url, body, headers):
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return answer.status, json.loads(answer.read() or b"{}")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")


def code_of(excinfo):
    return excinfo.value.response["Error"]["Code"]


@pytest.fixture(scope="module")
def center(box):
    """Organization, instance, a person `ana` in group `administrators` with AdministratorAccess
    on this account, her password set from the invitation, MFA registered at first sign-in."""
    sso = box.client("sso-admin")
    assert sso.list_instances()["Instances"] == []  # a new account: no instance
    status, refused = box.signed("/_awslab/console/identity-center/enable", {})
    assert status == 400 and "Organizations" in refused["message"]
    box.client("organizations").create_organization(FeatureSet="ALL")
    status, enabled = box.signed("/_awslab/console/identity-center/enable", {})
    assert status == 200 and enabled["already"] is False
    again = box.signed("/_awslab/console/identity-center/enable", {})[1]
    assert again["already"] is True and again["arn"] == enabled["arn"]
    instance = sso.list_instances()["Instances"][0]
    store = instance["IdentityStoreId"]
    ids = box.client("identitystore")
    user_id = ids.create_user(IdentityStoreId=store, UserName="ana", DisplayName="Ana Silva",
                              Name={"GivenName": "Ana", "FamilyName": "Silva"},
                              Emails=[{"Value": "ana@example.com", "Primary": True}])["UserId"]
    group_id = ids.create_group(IdentityStoreId=store, DisplayName="administrators")["GroupId"]
    ids.create_group_membership(IdentityStoreId=store, GroupId=group_id, MemberId={"UserId": user_id})
    permission_set = sso.create_permission_set(InstanceArn=instance["InstanceArn"],
                                               Name="AdministratorAccess")["PermissionSet"]
    sso.attach_managed_policy_to_permission_set(
        InstanceArn=instance["InstanceArn"], PermissionSetArn=permission_set["PermissionSetArn"],
        ManagedPolicyArn=ADMIN)
    made = sso.create_account_assignment(
        InstanceArn=instance["InstanceArn"], TargetId=box.lab.account_id, TargetType="AWS_ACCOUNT",
        PermissionSetArn=permission_set["PermissionSetArn"], PrincipalType="GROUP",
        PrincipalId=group_id)["AccountAssignmentCreationStatus"]
    status, mail = box.plain("/_awslab/mailbox", {"console_secret": box.owner_secret()})
    link = mail["messages"][-1]["link"]
    token = link.split("token=", 1)[1]
    assert box.plain("/_awslab/portal/accept-invite", {"token": token, "password": PASSWORD})[0] == 200
    first = box.plain("/_awslab/portal/sign-in", {"user_name": "ana", "password": PASSWORD})[1]
    seed = first["seed"]
    signed_in = box.plain("/_awslab/portal/sign-in", {"pending": first["pending"],
                                                      "mfa_code": pyotp.TOTP(seed).now()})[1]
    return {"instance": instance, "store": store, "user_id": user_id, "group_id": group_id,
            "permission_set": permission_set, "assignment": made, "mail": mail["messages"][-1],
            "link_token": token, "first": first, "seed": seed, "portal": signed_in}


# The instance and the console step.

def test_enabling_needs_the_console_permissions(box, center):
    iam = box.client("iam")
    iam.create_user(UserName="nobody")
    key = iam.create_access_key(UserName="nobody")["AccessKey"]
    from botocore.credentials import Credentials

    status, answer = box.signed("/_awslab/console/identity-center/enable", {},
                                Credentials(key["AccessKeyId"], key["SecretAccessKey"]))
    assert status == 403 and answer["error"] == "AccessDenied"
    iam.delete_access_key(UserName="nobody", AccessKeyId=key["AccessKeyId"])
    iam.delete_user(UserName="nobody")


def test_the_instance_is_the_organization_instance_with_its_portal(box, center):
    instance = center["instance"]
    assert instance["InstanceArn"].startswith("arn:aws:sso:::instance/ssoins-")
    assert instance["IdentityStoreId"].startswith("d-") and len(instance["IdentityStoreId"]) == 12
    assert center["portal"]["signed_in"] is True


def test_an_unknown_identity_store_is_not_found(box, center):
    with pytest.raises(ClientError) as refused:
        box.client("identitystore").create_group(IdentityStoreId="d-0000000000", DisplayName="x")
    assert code_of(refused) == "ResourceNotFoundException"


# Identity Store: users, groups, the invitation.

def test_an_email_identity_center_refuses_is_a_validation_error(box, center):
    with pytest.raises(ClientError) as refused:
        box.client("identitystore").create_user(
            IdentityStoreId=center["store"], UserName="bob", DisplayName="Bob",
            Name={"GivenName": "Bob", "FamilyName": "B"}, Emails=[{"Value": "bob at example"}])
    assert code_of(refused) == "ValidationException"


def test_a_taken_user_name_is_a_conflict_whatever_its_case(box, center):
    with pytest.raises(ClientError) as refused:
        box.client("identitystore").create_user(
            IdentityStoreId=center["store"], UserName="ANA", DisplayName="Ana",
            Name={"GivenName": "Ana", "FamilyName": "S"}, Emails=[{"Value": "a2@example.com"}])
    assert code_of(refused) == "ConflictException"


def test_the_invitation_arrives_with_a_one_time_link(box, center):
    mail = center["mail"]
    assert mail["to"] == "ana@example.com"
    assert mail["subject"] == "Invitation to join AWS IAM Identity Center"
    assert f"https://{center['store']}.awsapps.com/start" in mail["body"]
    status, answer = box.plain("/_awslab/portal/accept-invite",
                               {"token": center["link_token"], "password": PASSWORD})
    assert (status, answer["error"]) == (400, "InvalidInvitation")


def test_only_the_owner_reads_the_mailbox(box, center):
    status, _answer = box.plain("/_awslab/mailbox", {"console_secret": "guess"})
    assert status == 403


def test_a_weak_password_is_refused_with_the_rules(box, center):
    ids = box.client("identitystore")
    ids.create_user(IdentityStoreId=center["store"], UserName="weakling", DisplayName="W",
                    Name={"GivenName": "W", "FamilyName": "L"}, Emails=[{"Value": "w@example.com"}])
    mail = box.plain("/_awslab/mailbox", {"console_secret": box.owner_secret()})[1]["messages"][-1]
    token = mail["link"].split("token=", 1)[1]
    status, answer = box.plain("/_awslab/portal/accept-invite", {"token": token, "password": "password"})
    assert status == 400 and "a number" in answer["message"] and "a symbol" in answer["message"]


# Permission sets and assignments.

def test_a_permission_set_lasts_an_hour_by_default(center):
    assert center["permission_set"]["SessionDuration"] == "PT1H"


def test_a_permission_set_name_is_unique(box, center):
    with pytest.raises(ClientError) as refused:
        box.client("sso-admin").create_permission_set(
            InstanceArn=center["instance"]["InstanceArn"], Name="AdministratorAccess")
    assert code_of(refused) == "ConflictException"


def test_an_assignment_goes_in_progress_then_succeeded(box, center):
    made = center["assignment"]
    assert made["Status"] == "IN_PROGRESS"
    time.sleep(0.35)
    status = box.client("sso-admin").describe_account_assignment_creation_status(
        InstanceArn=center["instance"]["InstanceArn"],
        AccountAssignmentCreationRequestId=made["RequestId"])["AccountAssignmentCreationStatus"]
    assert status["Status"] == "SUCCEEDED"


def test_the_assignment_provisioned_the_reserved_role_with_the_sets_policy(box, center):
    iam = box.client("iam")
    roles = iam.list_roles(PathPrefix="/aws-reserved/sso.amazonaws.com/")["Roles"]
    assert len(roles) == 1
    name = roles[0]["RoleName"]
    assert name.startswith("AWSReservedSSO_AdministratorAccess_") and len(name.rsplit("_", 1)[1]) == 16
    attached = iam.list_attached_role_policies(RoleName=name)["AttachedPolicies"]
    assert [p["PolicyArn"] for p in attached] == [ADMIN]
    trust = roles[0]["AssumeRolePolicyDocument"]
    trust = json.loads(trust) if isinstance(trust, str) else trust
    assert trust["Statement"][0]["Action"] == ["sts:AssumeRoleWithSAML", "sts:TagSession"]


@pytest.mark.parametrize("change", ["delete_role", "attach", "put_policy"])
def test_nobody_edits_the_reserved_role(box, center, change):
    iam = box.client("iam")
    name = iam.list_roles(PathPrefix="/aws-reserved/")["Roles"][0]["RoleName"]
    with pytest.raises(ClientError) as refused:
        if change == "delete_role":
            iam.delete_role(RoleName=name)
        elif change == "attach":
            iam.attach_role_policy(RoleName=name, PolicyArn=READ_ONLY)
        else:
            iam.put_role_policy(RoleName=name, PolicyName="x", PolicyDocument=json.dumps({
                "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*",
                                                        "Resource": "*"}]}))
    assert code_of(refused) == "UnmodifiableEntity"
    assert "only modifiable by AWS" in refused.value.response["Error"]["Message"]


def test_a_change_after_the_permission_set_holds_a_managed_policy_saves_little(box, center):
    """moto's SSO admin keeps its own copy of every AWS managed policy once one is attached
    (3 MB); saved with each change, it made every change after notebook 05 write 3 MB."""
    saved = box.home / "sandbox" / "state.pickle"
    before = saved.stat().st_mtime_ns if saved.exists() else 0
    box.client("identitystore").create_group(IdentityStoreId=center["store"], DisplayName="auditors")
    deadline = time.monotonic() + 15
    while (not saved.exists() or saved.stat().st_mtime_ns == before) and time.monotonic() < deadline:
        time.sleep(0.1)  # the journal is folded into state.pickle a moment after a change
    assert saved.stat().st_size < 500_000, f"the account takes {saved.stat().st_size:,} bytes"
    sso = box.client("sso-admin")  # and the next attach still finds AWS's policies
    instance = center["instance"]["InstanceArn"]
    other = sso.create_permission_set(InstanceArn=instance, Name="ViewOnly")["PermissionSet"]
    sso.attach_managed_policy_to_permission_set(InstanceArn=instance, PermissionSetArn=other["PermissionSetArn"],
                                                ManagedPolicyArn=READ_ONLY)
    sso.delete_permission_set(InstanceArn=instance, PermissionSetArn=other["PermissionSetArn"])


def test_a_duplicate_assignment_is_a_conflict(box, center):
    with pytest.raises(ClientError) as refused:
        box.client("sso-admin").create_account_assignment(
            InstanceArn=center["instance"]["InstanceArn"], TargetId=box.lab.account_id,
            TargetType="AWS_ACCOUNT", PermissionSetArn=center["permission_set"]["PermissionSetArn"],
            PrincipalType="GROUP", PrincipalId=center["group_id"])
    assert code_of(refused) == "ConflictException"


def test_an_assigned_permission_set_cannot_be_deleted(box, center):
    with pytest.raises(ClientError) as refused:
        box.client("sso-admin").delete_permission_set(
            InstanceArn=center["instance"]["InstanceArn"],
            PermissionSetArn=center["permission_set"]["PermissionSetArn"])
    assert code_of(refused) == "ConflictException"


# The access portal and role sessions.

def test_a_wrong_password_at_the_portal_is_refused(box, center):
    status, answer = box.plain("/_awslab/portal/sign-in", {"user_name": "ana", "password": "nope"})
    assert (status, answer["error"]) == (401, "AuthenticationFailed")


def test_the_first_sign_in_registered_an_mfa_device_and_now_asks_for_its_code(box, center):
    assert center["first"]["next"] == "register_mfa" and center["first"]["qr_png"]
    step = box.plain("/_awslab/portal/sign-in", {"user_name": "ana", "password": PASSWORD})[1]
    assert step["next"] == "mfa_code"
    status, answer = box.plain("/_awslab/portal/sign-in", {"pending": step["pending"],
                                                           "mfa_code": "000000"})
    assert status == 403 and answer["error"] == "InvalidAuthenticationCode"


def test_the_portal_lists_the_account_and_role(box, center):
    accounts = center["portal"]["accounts"]
    # Under the name its owner gave it, as AWS lists the management account (not moto's "master").
    assert accounts == [{"account_id": box.lab.account_id, "account_name": "Sandbox account",
                         "roles": ["AdministratorAccess"]}]


def role_keys(box, center):
    status, creds = box.plain("/_awslab/portal/credentials", {
        "portal_token": center["portal"]["portal_token"], "account_id": box.lab.account_id,
        "role_name": "AdministratorAccess"})
    assert status == 200
    return {"aws_access_key_id": creds["accessKeyId"], "aws_secret_access_key": creds["secretAccessKey"],
            "aws_session_token": creds["sessionToken"]}, creds


def test_role_credentials_are_an_assumed_role_session_named_for_the_person(box, center):
    keys, creds = role_keys(box, center)
    assert creds["accessKeyId"].startswith("ASIA")
    assert 3500 <= creds["expiration"] / 1000 - time.time() <= 3600  # the set's PT1H
    identity = box.client("sts", **keys).get_caller_identity()
    role = box.client("iam").list_roles(PathPrefix="/aws-reserved/")["Roles"][0]
    assert identity["Arn"] == (f"arn:aws:sts::{box.lab.account_id}:assumed-role/"
                               f"{role['RoleName']}/ana")
    assert identity["UserId"] == f"{role['RoleId']}:ana"
    assert len(box.client("iam", **keys).list_users()["Users"]) >= 0  # AdministratorAccess


def test_a_role_session_gets_only_what_the_roles_policies_allow(box, center):
    sso = box.client("sso-admin")
    arn = center["instance"]["InstanceArn"]
    viewer = sso.create_permission_set(InstanceArn=arn, Name="ViewOnly",
                                       SessionDuration="PT2H")["PermissionSet"]
    sso.attach_managed_policy_to_permission_set(InstanceArn=arn, PermissionSetArn=viewer["PermissionSetArn"],
                                                ManagedPolicyArn=READ_ONLY)
    sso.create_account_assignment(InstanceArn=arn, TargetId=box.lab.account_id, TargetType="AWS_ACCOUNT",
                                  PermissionSetArn=viewer["PermissionSetArn"], PrincipalType="USER",
                                  PrincipalId=center["user_id"])
    status, creds = box.plain("/_awslab/portal/credentials", {
        "portal_token": center["portal"]["portal_token"], "account_id": box.lab.account_id,
        "role_name": "ViewOnly"})
    assert status == 200
    iam = box.client("iam", aws_access_key_id=creds["accessKeyId"],
                     aws_secret_access_key=creds["secretAccessKey"],
                     aws_session_token=creds["sessionToken"])
    iam.list_users()
    with pytest.raises(ClientError) as refused:
        iam.create_user(UserName="sneaky")
    message = refused.value.response["Error"]["Message"]
    assert code_of(refused) == "AccessDenied"
    assert ":assumed-role/AWSReservedSSO_ViewOnly_" in message and "/ana is not authorized to perform: iam:CreateUser" in message
    # Removing the assignment removes the role, and its sessions stop at once.
    sso.delete_account_assignment(InstanceArn=arn, TargetId=box.lab.account_id, TargetType="AWS_ACCOUNT",
                                  PermissionSetArn=viewer["PermissionSetArn"], PrincipalType="USER",
                                  PrincipalId=center["user_id"])
    names = [r["RoleName"] for r in box.client("iam").list_roles(PathPrefix="/aws-reserved/")["Roles"]]
    assert not any("ViewOnly" in name for name in names)
    with pytest.raises(ClientError) as gone:
        iam.list_users()
    assert code_of(gone) == "InvalidClientTokenId"
    sso.delete_permission_set(InstanceArn=arn, PermissionSetArn=viewer["PermissionSetArn"])


def test_an_expired_role_session_is_expired_token(box, center, monkeypatch):
    from awslab import sandbox_client as sandbox

    keys, _creds = role_keys(box, center)
    # the server reads AWSLAB_ROLE_SESSION_SECONDS; this test checks the gate's expiry with a
    # session made to last 1 s in a sandbox restarted with that setting
    monkeypatch.setenv("AWSLAB_HOME", str(box.home))
    monkeypatch.setenv("AWSLAB_ROLE_SESSION_SECONDS", "1")
    sandbox.stop()
    sandbox.start(int(box.endpoint.rsplit(":", 1)[1]))
    short, _ = role_keys(box, center)
    time.sleep(1.2)
    with pytest.raises(ClientError) as expired:
        box.client("sts", **short).get_caller_identity()
    assert code_of(expired) == "ExpiredToken"
    # and the account was kept across the restart: the person, the instance, the role
    assert box.client("sso-admin").list_instances()["Instances"][0]["InstanceArn"] == \
        center["instance"]["InstanceArn"]
    assert box.client("identitystore").list_users(IdentityStoreId=center["store"])["Users"]


# sso-oidc and the portal API (what `aws sso login` and botocore's SSO provider call).

def device_flow(box, center):
    oidc = box.client("sso-oidc")
    client = oidc.register_client(clientName="botocore-client-ana", clientType="public")
    device = oidc.start_device_authorization(
        clientId=client["clientId"], clientSecret=client["clientSecret"],
        startUrl=f"https://{center['store']}.awsapps.com/start")
    return oidc, client, device


def poll(oidc, client, device):
    return oidc.create_token(clientId=client["clientId"], clientSecret=client["clientSecret"],
                             grantType="urn:ietf:params:oauth:grant-type:device_code",
                             deviceCode=device["deviceCode"])


def test_the_device_flow_answers_pending_slow_down_then_a_token(box, center):
    oidc, client, device = device_flow(box, center)
    assert device["userCode"][4] == "-" and device["verificationUriComplete"].endswith(device["userCode"])
    with pytest.raises(ClientError) as pending:
        poll(oidc, client, device)
    assert code_of(pending) == "AuthorizationPendingException"
    with pytest.raises(ClientError) as fast:
        poll(oidc, client, device)
    assert code_of(fast) == "SlowDownException"
    status, _ = box.plain("/_awslab/portal/approve-device", {
        "portal_token": center["portal"]["portal_token"], "user_code": device["userCode"]})
    assert status == 200
    token = poll(oidc, client, device)
    assert token["tokenType"] == "Bearer" and token["accessToken"]
    with pytest.raises(ClientError) as reused:
        poll(oidc, client, device)
    assert code_of(reused) == "InvalidGrantException"
    sso = box.client("sso")
    assert sso.list_accounts(accessToken=token["accessToken"])["accountList"][0]["accountId"] == \
        box.lab.account_id
    roles = sso.list_account_roles(accessToken=token["accessToken"], accountId=box.lab.account_id)
    assert [r["roleName"] for r in roles["roleList"]] == ["AdministratorAccess"]
    creds = sso.get_role_credentials(accessToken=token["accessToken"], accountId=box.lab.account_id,
                                     roleName="AdministratorAccess")["roleCredentials"]
    assert creds["accessKeyId"].startswith("ASIA")
    sso.logout(accessToken=token["accessToken"])
    with pytest.raises(ClientError) as out:
        sso.list_accounts(accessToken=token["accessToken"])
    assert code_of(out) == "UnauthorizedException"


def test_a_device_code_never_approved_expires(box, center):
    oidc, client, device = device_flow(box, center)
    time.sleep(3.1)
    with pytest.raises(ClientError) as expired:
        poll(oidc, client, device)
    assert code_of(expired) == "ExpiredTokenException"
    status, answer = box.plain("/_awslab/portal/approve-device", {
        "portal_token": center["portal"]["portal_token"], "user_code": device["userCode"]})
    assert (status, answer["error"]) == (400, "InvalidUserCode")


def test_the_portal_api_refuses_a_made_up_token(box, center):
    with pytest.raises(ClientError) as refused:
        box.client("sso").list_accounts(accessToken="made-up")
    assert code_of(refused) == "UnauthorizedException"


def test_a_wrong_client_secret_is_invalid_client(box, center):
    oidc, client, _device = device_flow(box, center)
    with pytest.raises(ClientError) as refused:
        oidc.start_device_authorization(clientId=client["clientId"], clientSecret="guess",
                                        startUrl=f"https://{center['store']}.awsapps.com/start")
    assert code_of(refused) == "InvalidClientException"


def test_a_profile_with_an_sso_session_works_through_botocores_own_provider(box, center, tmp_path):
    """What `aws configure sso` and `aws sso login` leave: the profile, its sso-session, and
    the token in the SSO cache; no access key on disk."""
    oidc, client, device = device_flow(box, center)
    box.plain("/_awslab/portal/approve-device", {"portal_token": center["portal"]["portal_token"],
                                                 "user_code": device["userCode"]})
    token = poll(oidc, client, device)
    start = f"https://{center['store']}.awsapps.com/start"
    (tmp_path / ".aws" / "sso" / "cache").mkdir(parents=True)
    (tmp_path / ".aws" / "config").write_text(
        f"[profile ana]\nsso_session = ana\nsso_account_id = {box.lab.account_id}\n"
        f"sso_role_name = AdministratorAccess\nregion = us-east-1\nendpoint_url = {box.endpoint}\n\n"
        f"[sso-session ana]\nsso_start_url = {start}\nsso_region = us-east-1\n"
        "sso_registration_scopes = sso:account:access\n")
    later = (datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(hours=8)).strftime(
        "%Y-%m-%dT%H:%M:%SZ")
    cache = tmp_path / ".aws" / "sso" / "cache" / (hashlib.sha1(b"ana").hexdigest() + ".json")
    cache.write_text(json.dumps({
        "startUrl": start, "region": "us-east-1", "accessToken": token["accessToken"],
        "expiresAt": later, "clientId": client["clientId"], "clientSecret": client["clientSecret"],
        "registrationExpiresAt": later, "refreshToken": token["refreshToken"]}))
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(HOME=str(tmp_path), AWS_CONFIG_FILE=str(tmp_path / ".aws" / "config"),
               AWS_SHARED_CREDENTIALS_FILE=str(tmp_path / ".aws" / "credentials"),
               AWS_EC2_METADATA_DISABLED="true")
    script = ("import boto3; s = boto3.Session(profile_name='ana'); "
              "print(s.client('sts').get_caller_identity()['Arn']); print(s.get_credentials().method)")
    done = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stderr[-2000:]
    arn, method = done.stdout.split()
    assert arn.startswith(f"arn:aws:sts::{box.lab.account_id}:assumed-role/AWSReservedSSO_"
                          "AdministratorAccess_") and arn.endswith("/ana")
    assert method == "sso"
    assert not (tmp_path / ".aws" / "credentials").exists()
