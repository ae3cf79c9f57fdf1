"""The IAM identity-policy evaluator against AWS's documented logic and example policies.

Pure unit tests: no sandbox, no moto. Example policies are AWS's own (IAM User Guide,
"Example IAM identity-based policies", and the AWS managed policies AdministratorAccess and
IAMUserChangePassword); expected results follow "Policy evaluation logic" and "IAM JSON
policy elements: Condition operators".
"""

from __future__ import annotations

import json

import pytest

from awslab.sandbox.policy import Decision, MalformedPolicy, Policy, evaluate, parse

ACCOUNT = "123456789012"
ALLOW, DENY, IMPLICIT = "allow", "explicit deny", "implicit deny"


def doc(*statements, version: str | None = "2012-10-17") -> dict:
    document = {"Statement": list(statements)}
    if version is not None:
        document["Version"] = version
    return document


def user(name: str) -> str:
    return f"arn:aws:iam::{ACCOUNT}:user/{name}"


def outcome(decision: Decision) -> str:
    assert not (decision.allowed and decision.explicit_deny)
    return ALLOW if decision.allowed else DENY if decision.explicit_deny else IMPLICIT


# --- AWS's policies ---------------------------------------------------------------------------

ADMINISTRATOR_ACCESS = doc({"Effect": "Allow", "Action": "*", "Resource": "*"})

# AWS managed policy IAMUserChangePassword, v2, as AWS serves it (a JSON string).
IAM_USER_CHANGE_PASSWORD = (
    '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:ChangePassword"],'
    '"Resource":["arn:aws:iam::*:user/${aws:username}"]},{"Effect":"Allow",'
    '"Action":["iam:GetAccountPasswordPolicy"],"Resource":"*"}]}')

# "IAM: Allows IAM users to rotate their own access keys"
ROTATE_OWN_KEYS = doc({
    "Effect": "Allow",
    "Action": ["iam:ListAccessKeys", "iam:CreateAccessKey", "iam:DeleteAccessKey",
               "iam:UpdateAccessKey", "iam:GetAccessKeyLastUsed"],
    "Resource": "arn:aws:iam::*:user/${aws:username}"})

# "AWS: Allows MFA-authenticated IAM users to manage their own MFA device"
MANAGE_OWN_MFA = doc(
    {"Sid": "AllowViewAccountInfo", "Effect": "Allow",
     "Action": "iam:ListVirtualMFADevices", "Resource": "*"},
    {"Sid": "AllowManageOwnVirtualMFADevice", "Effect": "Allow",
     "Action": ["iam:CreateVirtualMFADevice"], "Resource": "arn:aws:iam::*:mfa/*"},
    {"Sid": "AllowManageOwnUserMFA", "Effect": "Allow",
     "Action": ["iam:DeactivateMFADevice", "iam:EnableMFADevice", "iam:GetUser",
                "iam:GetMFADevice", "iam:ListMFADevices", "iam:ResyncMFADevice"],
     "Resource": "arn:aws:iam::*:user/${aws:username}"},
    {"Sid": "BlockMostAccessUnlessSignedInWithMFA", "Effect": "Deny",
     "NotAction": ["iam:CreateVirtualMFADevice", "iam:EnableMFADevice", "iam:GetUser",
                   "iam:GetMFADevice", "iam:ListMFADevices", "iam:ListVirtualMFADevices",
                   "iam:ResyncMFADevice", "sts:GetSessionToken"],
     "Resource": "*",
     "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}})

# "AWS: Denies access to AWS based on the requested Region"
DENY_OUTSIDE_REGIONS = doc({
    "Sid": "DenyAllOutsideRequestedRegions", "Effect": "Deny",
    "NotAction": ["cloudfront:*", "iam:*", "route53:*", "support:*"],
    "Resource": "*",
    "Condition": {"StringNotEquals": {
        "aws:RequestedRegion": ["eu-central-1", "eu-west-1", "eu-west-2", "eu-west-3"]}}})

# "AWS: Allows access within specific dates"
WITHIN_DATES = doc({
    "Effect": "Allow", "Action": "ec2:*", "Resource": "*",
    "Condition": {"DateGreaterThan": {"aws:CurrentTime": "2020-04-01T00:00:00Z"},
                  "DateLessThan": {"aws:CurrentTime": "2020-06-30T23:59:59Z"}}})

# "AWS: Denies access to AWS based on the source IP"
DENY_OUTSIDE_IPS = doc({
    "Effect": "Deny", "Action": "*", "Resource": "*",
    "Condition": {"NotIpAddress": {"aws:SourceIp": ["192.0.2.0/24", "203.0.113.0/24"]},
                  "Bool": {"aws:ViaAWSService": "false"}}})

# Permissions boundary from "Permissions boundaries for IAM entities" (ShirleyRodriguez).
BOUNDARY_S3_CLOUDWATCH_EC2 = doc({
    "Effect": "Allow", "Action": ["s3:*", "cloudwatch:*", "ec2:*"], "Resource": "*"})

DENY_DELETES = doc({"Sid": "NoDeletes", "Effect": "Deny", "Action": "iam:Delete*",
                    "Resource": "*"})

IVY = {"aws:username": "ivy", "aws:userid": "AIDAEXAMPLEIVY0000001"}
IVY_MFA = {**IVY, "aws:MultiFactorAuthPresent": "true", "aws:MultiFactorAuthAge": "30"}
IVY_NO_MFA = {**IVY, "aws:MultiFactorAuthPresent": "false"}


def allow(action: str | None = "s3:GetObject", resource="*", **more) -> dict:
    """An Allow statement; action None for one with NotAction in `more`."""
    statement = {"Effect": "Allow", "Resource": resource, **more}
    if action is not None:
        statement["Action"] = action
    return statement


EVALUATIONS = [
    # Basic logic: allow, implicit deny, explicit deny beats allow.
    pytest.param([ADMINISTRATOR_ACCESS], "iam:CreateUser", user("bob"), {}, None, ALLOW,
                 id="AdministratorAccess allows an action on an ARN"),
    pytest.param([ADMINISTRATOR_ACCESS], "iam:ListUsers", "*", {}, None, ALLOW,
                 id="AdministratorAccess allows an action on *"),
    pytest.param([], "iam:ListUsers", "*", {}, None, IMPLICIT, id="no policy: implicit deny"),
    pytest.param([ADMINISTRATOR_ACCESS, DENY_DELETES], "iam:DeleteUser", user("bob"), {}, None,
                 DENY, id="explicit deny beats allow"),
    pytest.param([DENY_DELETES, ADMINISTRATOR_ACCESS], "iam:DeleteUserPolicy", user("bob"), {},
                 None, DENY, id="explicit deny beats allow, whatever the order"),
    pytest.param([ADMINISTRATOR_ACCESS, DENY_DELETES], "iam:CreateUser", user("bob"), {}, None,
                 ALLOW, id="a deny on other actions does not matter"),
    pytest.param([DENY_DELETES], "iam:CreateUser", user("bob"), {}, None, IMPLICIT,
                 id="deny only: other actions are implicitly denied"),
    # IAMUserChangePassword and ${aws:username}.
    pytest.param([IAM_USER_CHANGE_PASSWORD], "iam:ChangePassword", user("ivy"), IVY, None, ALLOW,
                 id="IAMUserChangePassword: own password"),
    pytest.param([IAM_USER_CHANGE_PASSWORD], "iam:ChangePassword", user("bob"), IVY, None,
                 IMPLICIT, id="IAMUserChangePassword: another user's password"),
    pytest.param([IAM_USER_CHANGE_PASSWORD], "iam:ChangePassword", user("ivy"), {}, None,
                 IMPLICIT, id="IAMUserChangePassword: no aws:username, no match"),
    pytest.param([IAM_USER_CHANGE_PASSWORD], "iam:GetAccountPasswordPolicy", "*", IVY, None,
                 ALLOW, id="IAMUserChangePassword: password policy on *"),
    pytest.param([IAM_USER_CHANGE_PASSWORD], "IAM:changepassword", user("ivy"), IVY, None,
                 ALLOW, id="actions match case-insensitively"),
    pytest.param([IAM_USER_CHANGE_PASSWORD], "iam:ChangePassword",
                 "arn:aws:iam::210987654321:user/ivy", IVY, None, ALLOW,
                 id="* in the account segment"),
    pytest.param([IAM_USER_CHANGE_PASSWORD], "iam:ChangePassword", user("IVY"), IVY, None,
                 IMPLICIT, id="resources match case-sensitively"),
    pytest.param([IAM_USER_CHANGE_PASSWORD], "iam:ListUsers", "*", IVY, None, IMPLICIT,
                 id="IAMUserChangePassword: other actions"),
    pytest.param([IAM_USER_CHANGE_PASSWORD], "iam:ChangePassword", user("ivy"),
                 {"AWS:UserName": "ivy"}, None, ALLOW, id="context keys are case-insensitive"),
    # Rotate own access keys.
    pytest.param([ROTATE_OWN_KEYS], "iam:CreateAccessKey", user("ivy"), IVY, None, ALLOW,
                 id="rotate own keys: create own"),
    pytest.param([ROTATE_OWN_KEYS], "iam:DeleteAccessKey", user("bob"), IVY, None, IMPLICIT,
                 id="rotate own keys: not another user's"),
    pytest.param([ROTATE_OWN_KEYS], "iam:ListAccessKeys", user("ivy"),
                 {"aws:username": ["ivy"]}, None, IMPLICIT,
                 id="a multi-valued key is no policy variable"),
    # MFA: BlockMostAccessUnlessSignedInWithMFA (NotAction + BoolIfExists false).
    pytest.param([MANAGE_OWN_MFA], "iam:EnableMFADevice", user("ivy"), IVY_NO_MFA, None, ALLOW,
                 id="MFA policy: enable own MFA without MFA"),
    pytest.param([MANAGE_OWN_MFA], "iam:CreateVirtualMFADevice",
                 f"arn:aws:iam::{ACCOUNT}:mfa/ivy", IVY_NO_MFA, None, ALLOW,
                 id="MFA policy: create a virtual device without MFA"),
    pytest.param([MANAGE_OWN_MFA], "iam:DeactivateMFADevice", user("ivy"), IVY_NO_MFA, None,
                 DENY, id="MFA policy: deactivate without MFA is denied"),
    pytest.param([MANAGE_OWN_MFA], "iam:DeactivateMFADevice", user("ivy"), IVY_MFA, None,
                 ALLOW, id="MFA policy: deactivate with MFA"),
    pytest.param([MANAGE_OWN_MFA, ADMINISTRATOR_ACCESS], "iam:ListUsers", "*", IVY, None, DENY,
                 id="MFA policy: long-term key, key absent, BoolIfExists denies"),
    pytest.param([MANAGE_OWN_MFA, ADMINISTRATOR_ACCESS], "iam:ListUsers", "*", IVY_MFA, None,
                 ALLOW, id="MFA policy: with MFA the administrator works"),
    pytest.param([MANAGE_OWN_MFA, ADMINISTRATOR_ACCESS], "sts:GetSessionToken", "*", IVY_NO_MFA,
                 None, ALLOW, id="MFA policy: GetSessionToken is not blocked"),
    pytest.param([MANAGE_OWN_MFA], "iam:DeactivateMFADevice", user("bob"), IVY_MFA, None,
                 IMPLICIT, id="MFA policy: not another user's device"),
    # Requested Region (NotAction + StringNotEquals).
    pytest.param([ADMINISTRATOR_ACCESS, DENY_OUTSIDE_REGIONS], "ec2:RunInstances", "*",
                 {"aws:RequestedRegion": "us-east-1"}, None, DENY, id="region: outside denied"),
    pytest.param([ADMINISTRATOR_ACCESS, DENY_OUTSIDE_REGIONS], "ec2:RunInstances", "*",
                 {"aws:RequestedRegion": "eu-west-1"}, None, ALLOW, id="region: inside allowed"),
    pytest.param([ADMINISTRATOR_ACCESS, DENY_OUTSIDE_REGIONS], "iam:CreateUser", user("bob"),
                 {"aws:RequestedRegion": "us-east-1"}, None, ALLOW,
                 id="region: global services are excluded by NotAction"),
    pytest.param([ADMINISTRATOR_ACCESS, DENY_OUTSIDE_REGIONS], "ec2:RunInstances", "*", {}, None,
                 DENY, id="region: negated operator with the key missing is true"),
    # Dates and IP addresses.
    pytest.param([WITHIN_DATES], "ec2:RunInstances", "*",
                 {"aws:CurrentTime": "2020-05-15T12:00:00Z"}, None, ALLOW, id="dates: within"),
    pytest.param([WITHIN_DATES], "ec2:RunInstances", "*",
                 {"aws:CurrentTime": "2020-07-01T00:00:00Z"}, None, IMPLICIT, id="dates: after"),
    pytest.param([WITHIN_DATES], "ec2:RunInstances", "*",
                 {"aws:CurrentTime": "2019-12-31T23:59:59Z"}, None, IMPLICIT, id="dates: before"),
    pytest.param([WITHIN_DATES], "ec2:RunInstances", "*", {"aws:EpochTime": "1589544000"}, None,
                 IMPLICIT, id="dates: aws:CurrentTime missing"),
    pytest.param([ADMINISTRATOR_ACCESS, DENY_OUTSIDE_IPS], "s3:ListAllMyBuckets", "*",
                 {"aws:SourceIp": "203.0.113.7", "aws:ViaAWSService": "false"}, None, ALLOW,
                 id="source IP: inside a CIDR"),
    pytest.param([ADMINISTRATOR_ACCESS, DENY_OUTSIDE_IPS], "s3:ListAllMyBuckets", "*",
                 {"aws:SourceIp": "198.51.100.1", "aws:ViaAWSService": "false"}, None, DENY,
                 id="source IP: outside denied"),
    pytest.param([ADMINISTRATOR_ACCESS, DENY_OUTSIDE_IPS], "s3:ListAllMyBuckets", "*",
                 {"aws:SourceIp": "198.51.100.1", "aws:ViaAWSService": "true"}, None, ALLOW,
                 id="source IP: two operators are ANDed"),
    # Permissions boundaries.
    pytest.param([ADMINISTRATOR_ACCESS], "s3:GetObject", "arn:aws:s3:::bucket/key", {},
                 [BOUNDARY_S3_CLOUDWATCH_EC2], ALLOW, id="boundary: allowed by both"),
    pytest.param([ADMINISTRATOR_ACCESS], "iam:CreateUser", user("bob"), {},
                 [BOUNDARY_S3_CLOUDWATCH_EC2], IMPLICIT, id="boundary: not in the boundary"),
    pytest.param([], "s3:GetObject", "arn:aws:s3:::bucket/key", {},
                 [BOUNDARY_S3_CLOUDWATCH_EC2], IMPLICIT,
                 id="boundary: a boundary grants nothing by itself"),
    pytest.param([ADMINISTRATOR_ACCESS], "iam:DeleteUser", user("bob"), {},
                 [ADMINISTRATOR_ACCESS, DENY_DELETES], DENY, id="boundary: a Deny in it"),
    pytest.param([ADMINISTRATOR_ACCESS], "iam:CreateUser", user("bob"), {}, [], IMPLICIT,
                 id="boundary: an empty boundary allows nothing"),
    # NotAction / NotResource / wildcards.
    pytest.param([doc(allow(action=None, NotAction="iam:*"))], "s3:GetObject", "*", {}, None,
                 ALLOW, id="NotAction: other services"),
    pytest.param([doc(allow(action=None, NotAction="IAM:*"))], "iam:ListUsers", "*", {}, None,
                 IMPLICIT, id="NotAction: case-insensitive"),
    pytest.param([ADMINISTRATOR_ACCESS, doc({
        "Effect": "Deny", "Action": "iam:*AccessKey*",
        "NotResource": "arn:aws:iam::*:user/${aws:username}"})],
        "iam:CreateAccessKey", user("ivy"), IVY, None, ALLOW, id="NotResource: own user"),
    pytest.param([ADMINISTRATOR_ACCESS, doc({
        "Effect": "Deny", "Action": "iam:*AccessKey*",
        "NotResource": "arn:aws:iam::*:user/${aws:username}"})],
        "iam:CreateAccessKey", user("bob"), IVY, None, DENY, id="NotResource: other users"),
    pytest.param([ADMINISTRATOR_ACCESS, doc({
        "Effect": "Deny", "Action": "iam:List*", "NotResource": "arn:aws:iam::*:user/*"})],
        "iam:ListUsers", "*", {}, None, DENY, id="NotResource: an ARN pattern matches *"),
    pytest.param([doc(allow("iam:ListUsers", "arn:aws:iam::*:user/*"))], "iam:ListUsers", "*",
                 {}, None, IMPLICIT, id="resource *: not matched by an ARN pattern"),
    pytest.param([doc(allow("iam:?etUser"))], "iam:GetUser", "*", {}, None, ALLOW,
                 id="? in Action"),
    pytest.param([doc(allow("iam:?etUser"))], "iam:GetUserPolicy", "*", {}, None, IMPLICIT,
                 id="Action patterns match the whole name"),
    pytest.param([doc(allow("iam:List*"))], "iam:ListAttachedUserPolicies", "*", {}, None,
                 ALLOW, id="* in Action"),
    pytest.param([doc(allow("iam:GetUser", user("bo?")))], "iam:GetUser", user("bob"), {},
                 None, ALLOW, id="? in Resource"),
    pytest.param([doc(allow("iam:GetUser", user("bo?")))], "iam:GetUser", user("bobby"), {},
                 None, IMPLICIT, id="? is one character"),
    pytest.param([doc(allow("iam:GetUser", user("*")))], "iam:GetUser", user("division/ivy"),
                 {}, None, ALLOW, id="* spans / in Resource"),
    pytest.param([doc(allow("iam:GetUser", "arn:aws:*"))], "iam:GetUser", user("ivy"), {},
                 None, ALLOW, id="* spans : in Resource"),
    pytest.param([doc(allow("iam:GetUser", [user("bob"), user("ivy")]))], "iam:GetUser",
                 user("ivy"), {}, None, ALLOW, id="several resources"),
    pytest.param([{"Version": "2012-10-17", "Statement": allow("iam:GetUser")}], "iam:GetUser",
                 "*", {}, None, ALLOW, id="Statement as a single object"),
    # Policy variables.
    pytest.param([doc(allow("s3:GetObject", "arn:aws:s3:::home/${aws:userid}/*"))],
                 "s3:GetObject", "arn:aws:s3:::home/AIDAEXAMPLEIVY0000001/notes.txt", IVY, None,
                 ALLOW, id="${aws:userid}"),
    pytest.param([doc(allow("s3:GetObject", "arn:aws:s3:::home/${aws:username, 'shared'}/*"))],
                 "s3:GetObject", "arn:aws:s3:::home/shared/notes.txt", {}, None, ALLOW,
                 id="a variable's default value"),
    pytest.param([doc(allow("s3:GetObject", "arn:aws:s3:::home/${aws:username, 'shared'}/*"))],
                 "s3:GetObject", "arn:aws:s3:::home/shared/notes.txt", IVY, None, IMPLICIT,
                 id="the default only when the key is missing"),
    pytest.param([doc(allow("s3:GetObject", "arn:aws:s3:::home/${*}"))], "s3:GetObject",
                 "arn:aws:s3:::home/*", {}, None, ALLOW, id="${*} is a literal *"),
    pytest.param([doc(allow("s3:GetObject", "arn:aws:s3:::home/${*}"))], "s3:GetObject",
                 "arn:aws:s3:::home/notes.txt", {}, None, IMPLICIT, id="${*} is no wildcard"),
    pytest.param([doc(allow("s3:GetObject", "arn:aws:s3:::home/a${?}b${$}"))], "s3:GetObject",
                 "arn:aws:s3:::home/a?b$", {}, None, ALLOW, id="${?} and ${$}"),
    pytest.param([doc(allow("s3:GetObject", "arn:aws:s3:::home/${aws:UserName}/*"))],
                 "s3:GetObject", "arn:aws:s3:::home/ivy/a", IVY, None, ALLOW,
                 id="variable names are case-insensitive"),
    pytest.param([doc(allow("iam:GetUser", "arn:aws:iam::*:user/${aws:username}"),
                      version="2008-10-17")], "iam:GetUser", user("ivy"), IVY, None, IMPLICIT,
                 id="Version 2008-10-17: no policy variables"),
    pytest.param([doc(allow("iam:GetUser", "arn:aws:iam::*:user/${aws:username}"),
                      version=None)], "iam:GetUser", "arn:aws:iam::1:user/${aws:username}", IVY,
                 None, ALLOW, id="no Version: ${...} is literal text"),
]


@pytest.mark.parametrize("policies, action, resource, context, boundary, expected", EVALUATIONS)
def test_evaluate(policies, action, resource, context, boundary, expected):
    parsed = [parse(p) for p in policies]
    bound = None if boundary is None else [parse(b) for b in boundary]
    assert outcome(evaluate(parsed, action, resource, context, bound)) == expected


# --- each condition operator -----------------------------------------------------------------

TAGS = "aws:TagKeys"
CONDITIONS = [
    # String
    ({"StringEquals": {"aws:PrincipalTag/job": "admin"}}, {"aws:PrincipalTag/job": "admin"}, True),
    ({"StringEquals": {"aws:PrincipalTag/job": "admin"}}, {"aws:PrincipalTag/job": "Admin"}, False),
    ({"StringEquals": {"aws:PrincipalTag/job": "admin"}}, {}, False),
    ({"StringEquals": {"aws:PrincipalTag/job": ["dev", "admin"]}},
     {"aws:PrincipalTag/job": "admin"}, True),
    ({"StringEquals": {"aws:PrincipalTag/job": "a*"}}, {"aws:PrincipalTag/job": "admin"}, False),
    ({"StringNotEquals": {"aws:PrincipalTag/job": ["dev", "admin"]}},
     {"aws:PrincipalTag/job": "ops"}, True),
    ({"StringNotEquals": {"aws:PrincipalTag/job": ["dev", "admin"]}},
     {"aws:PrincipalTag/job": "admin"}, False),
    ({"StringNotEquals": {"aws:PrincipalTag/job": ["dev", "admin"]}}, {}, True),
    ({"StringEqualsIgnoreCase": {"aws:PrincipalTag/job": "ADMIN"}},
     {"aws:PrincipalTag/job": "admin"}, True),
    ({"StringNotEqualsIgnoreCase": {"aws:PrincipalTag/job": "public"}},
     {"aws:PrincipalTag/job": "PUBLIC"}, False),
    ({"StringLike": {"s3:prefix": ["home/${aws:username}/*"]}},
     {"s3:prefix": "home/ivy/docs", "aws:username": "ivy"}, True),
    ({"StringLike": {"s3:prefix": ["home/${aws:username}/*"]}},
     {"s3:prefix": "home/bob/docs", "aws:username": "ivy"}, False),
    ({"StringLike": {"s3:prefix": "home/${aws:username}/*"}}, {"s3:prefix": "home/ivy/"}, False),
    ({"StringLike": {"s3:prefix": "v?"}}, {"s3:prefix": "v2"}, True),
    ({"StringNotLike": {"s3:prefix": "private/*"}}, {"s3:prefix": "private/x"}, False),
    ({"StringNotLike": {"s3:prefix": "private/*"}}, {"s3:prefix": "public/x"}, True),
    ({"StringEquals": {"aws:PrincipalTag/team": "${aws:username}"}},
     {"aws:PrincipalTag/team": "ivy", "aws:username": "ivy"}, True),
    ({"StringEqualsIfExists": {"ec2:InstanceType": "t3.micro"}}, {}, True),
    ({"StringEqualsIfExists": {"ec2:InstanceType": "t3.micro"}},
     {"ec2:InstanceType": "m5.large"}, False),
    ({"StringNotEqualsIfExists": {"ec2:InstanceType": "t3.micro"}}, {}, True),
    # Numeric
    ({"NumericLessThan": {"s3:max-keys": "10"}}, {"s3:max-keys": "5"}, True),
    ({"NumericLessThan": {"s3:max-keys": "10"}}, {"s3:max-keys": "10"}, False),
    ({"NumericLessThanEquals": {"s3:max-keys": "10"}}, {"s3:max-keys": "10"}, True),
    ({"NumericGreaterThan": {"s3:max-keys": "10"}}, {"s3:max-keys": "10.5"}, True),
    ({"NumericGreaterThanEquals": {"s3:max-keys": "10"}}, {"s3:max-keys": "9"}, False),
    ({"NumericEquals": {"s3:max-keys": 10}}, {"s3:max-keys": "10"}, True),
    ({"NumericNotEquals": {"s3:max-keys": ["10", "20"]}}, {"s3:max-keys": "20"}, False),
    ({"NumericLessThan": {"aws:MultiFactorAuthAge": "3600"}}, {}, False),
    ({"NumericLessThan": {"aws:MultiFactorAuthAge": "3600"}},
     {"aws:MultiFactorAuthAge": "ten"}, False),
    # Date
    ({"DateGreaterThan": {"aws:CurrentTime": "2020-01-01"}},
     {"aws:CurrentTime": "2020-01-01T00:00:01Z"}, True),
    ({"DateLessThan": {"aws:CurrentTime": "1577836800"}},
     {"aws:CurrentTime": "2019-12-31T23:59:59Z"}, True),
    ({"DateEquals": {"aws:TokenIssueTime": "2020-01-01T00:00:00Z"}},
     {"aws:TokenIssueTime": "2020-01-01T01:00:00+01:00"}, True),
    ({"DateNotEquals": {"aws:TokenIssueTime": "2020-01-01T00:00:00Z"}},
     {"aws:TokenIssueTime": "2020-01-01T00:00:00Z"}, False),
    ({"DateLessThanEquals": {"aws:EpochTime": "2020-01-01T00:00:00Z"}},
     {"aws:EpochTime": "1577836800"}, True),
    ({"DateGreaterThanEquals": {"aws:CurrentTime": "2020-01-01T00:00:00.500Z"}},
     {"aws:CurrentTime": "2020-01-01T00:00:00Z"}, False),
    # Bool
    ({"Bool": {"aws:MultiFactorAuthPresent": "true"}}, {"aws:MultiFactorAuthPresent": "true"},
     True),
    ({"Bool": {"aws:MultiFactorAuthPresent": True}}, {"aws:multifactorauthpresent": "true"},
     True),
    ({"Bool": {"aws:MultiFactorAuthPresent": "true"}}, {"aws:MultiFactorAuthPresent": "false"},
     False),
    ({"Bool": {"aws:MultiFactorAuthPresent": "true"}}, {}, False),
    ({"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}, {}, True),
    ({"Bool": {"aws:SecureTransport": "true"}}, {"AWS:SECURETRANSPORT": True}, True),
    # Binary
    ({"BinaryEquals": {"s3:x-amz-key": "QmluYXJ5VmFsdWU="}}, {"s3:x-amz-key": "QmluYXJ5VmFsdWU="},
     True),
    ({"BinaryEquals": {"s3:x-amz-key": "QmluYXJ5VmFsdWU="}}, {"s3:x-amz-key": "T3RoZXI="}, False),
    # IP addresses
    ({"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}, {"aws:SourceIp": "203.0.113.200"}, True),
    ({"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}, {"aws:SourceIp": "203.0.114.1"}, False),
    ({"IpAddress": {"aws:SourceIp": "203.0.113.7"}}, {"aws:SourceIp": "203.0.113.7"}, True),
    ({"IpAddress": {"aws:SourceIp": "203.0.113.7"}}, {"aws:SourceIp": "203.0.113.8"}, False),
    ({"IpAddress": {"aws:SourceIp": "2001:DB8:1234:5678::/64"}},
     {"aws:SourceIp": "2001:db8:1234:5678::1"}, True),
    ({"IpAddress": {"aws:SourceIp": ["203.0.113.0/24", "2001:DB8:1234:5678::/64"]}},
     {"aws:SourceIp": "2001:db8:1234:5679::1"}, False),
    ({"NotIpAddress": {"aws:SourceIp": "203.0.113.0/24"}}, {"aws:SourceIp": "203.0.113.9"}, False),
    ({"NotIpAddress": {"aws:SourceIp": "203.0.113.0/24"}}, {"aws:SourceIp": "192.0.2.1"}, True),
    # ARN
    ({"ArnLike": {"aws:SourceArn": "arn:aws:iam::*:user/*"}},
     {"aws:SourceArn": user("division/ivy")}, True),
    ({"ArnEquals": {"aws:SourceArn": user("ivy")}}, {"aws:SourceArn": user("ivy")}, True),
    ({"ArnEquals": {"aws:SourceArn": user("ivy")}}, {"aws:SourceArn": user("Ivy")}, False),
    ({"ArnLike": {"aws:SourceArn": "arn:aws:iam::1*"}}, {"aws:SourceArn": user("ivy")}, False),
    ({"ArnLike": {"aws:SourceArn": "arn:aws:*:*:*:*"}}, {"aws:SourceArn": user("ivy")}, True),
    ({"ArnLike": {"aws:SourceArn": "arn:aws:iam::*:user/${aws:username}"}},
     {"aws:SourceArn": user("ivy"), "aws:username": "ivy"}, True),
    ({"ArnNotLike": {"aws:SourceArn": "arn:aws:iam::*:role/*"}},
     {"aws:SourceArn": user("ivy")}, True),
    ({"ArnNotEquals": {"aws:SourceArn": user("ivy")}}, {"aws:SourceArn": user("ivy")}, False),
    # Null
    ({"Null": {"aws:TokenIssueTime": "true"}}, {}, True),
    ({"Null": {"aws:TokenIssueTime": "true"}}, {"aws:TokenIssueTime": "2020-01-01T00:00:00Z"},
     False),
    ({"Null": {"aws:TokenIssueTime": "false"}}, {"aws:TokenIssueTime": "2020-01-01T00:00:00Z"},
     True),
    ({"Null": {"aws:TokenIssueTime": "false"}}, {}, False),
    # Multi-valued keys: ForAllValues / ForAnyValue
    ({"ForAllValues:StringEquals": {TAGS: ["environment", "cost-center"]}},
     {TAGS: ["environment"]}, True),
    ({"ForAllValues:StringEquals": {TAGS: ["environment", "cost-center"]}},
     {TAGS: ["environment", "owner"]}, False),
    ({"ForAllValues:StringEquals": {TAGS: ["environment", "cost-center"]}}, {}, True),
    ({"ForAllValues:StringEquals": {TAGS: ["environment", "cost-center"]}}, {TAGS: []}, True),
    ({"ForAnyValue:StringEquals": {TAGS: ["environment", "cost-center"]}},
     {TAGS: ["owner", "environment"]}, True),
    ({"ForAnyValue:StringEquals": {TAGS: ["environment", "cost-center"]}}, {TAGS: ["owner"]},
     False),
    ({"ForAnyValue:StringEquals": {TAGS: ["environment", "cost-center"]}}, {}, False),
    ({"ForAnyValue:StringEquals": {TAGS: ["environment"]}}, {TAGS: []}, False),
    ({"ForAnyValue:StringNotEquals": {TAGS: ["environment"]}}, {}, False),
    ({"ForAnyValue:StringNotEquals": {TAGS: ["environment"]}}, {TAGS: ["environment", "x"]},
     True),
    ({"ForAllValues:StringNotEquals": {TAGS: ["environment"]}}, {TAGS: ["owner", "x"]}, True),
    ({"ForAllValues:StringNotEquals": {TAGS: ["environment"]}}, {TAGS: ["owner", "environment"]},
     False),
    ({"ForAnyValue:StringLike": {TAGS: ["cost-*"]}}, {TAGS: ["owner", "cost-center"]}, True),
    # (a multi-valued key without ForAnyValue:/ForAllValues: is pinned in test_choices below)
    # Several keys (AND), several operators (AND), case of key names
    ({"StringEquals": {"aws:PrincipalTag/job": "admin", "aws:RequestedRegion": "eu-west-1"}},
     {"aws:PrincipalTag/job": "admin", "aws:RequestedRegion": "eu-west-1"}, True),
    ({"StringEquals": {"aws:PrincipalTag/job": "admin", "aws:RequestedRegion": "eu-west-1"}},
     {"aws:PrincipalTag/job": "admin", "aws:RequestedRegion": "us-east-1"}, False),
    ({"Bool": {"aws:MultiFactorAuthPresent": "true"},
      "NumericLessThan": {"aws:MultiFactorAuthAge": "3600"}},
     {"aws:MultiFactorAuthPresent": "true", "aws:MultiFactorAuthAge": "7200"}, False),
    ({"Bool": {"AWS:MULTIFACTORAUTHPRESENT": "true"}}, {"aws:multifactorauthpresent": "true"},
     True),
]


@pytest.mark.parametrize("condition, context, expected", CONDITIONS,
                         ids=[f"{i:02}-{next(iter(c))}" for i, (c, _, _) in enumerate(CONDITIONS)])
def test_condition(condition, context, expected):
    policy = parse(doc(allow("s3:GetObject", "*", Condition=condition)))
    assert evaluate([policy], "s3:GetObject", "*", context).allowed is expected


# --- MalformedPolicyDocument -----------------------------------------------------------------

SYNTAX = "Syntax errors in policy."
STATEMENT = {"Effect": "Allow", "Action": "iam:ListUsers", "Resource": "*"}
MALFORMED = [
    ('{"Version": "2012-10-17", "Statement": [', SYNTAX),
    ("[]", SYNTAX),
    ({"Version": "2012-10-18", "Statement": [STATEMENT]}, SYNTAX),
    ({"Version": "2012-10-17"}, SYNTAX),
    ({"Version": "2012-10-17", "Statement": []}, SYNTAX),
    ({"Version": "2012-10-17", "Statement": "iam:ListUsers"}, SYNTAX),
    ({"Version": "2012-10-17", "Statement": [STATEMENT], "Extra": 1}, SYNTAX),
    (doc({**STATEMENT, "Effect": "Permit"}), SYNTAX),
    (doc({"Action": "iam:ListUsers", "Resource": "*"}), SYNTAX),
    (doc({**STATEMENT, "NotAction": "iam:GetUser"}), SYNTAX),
    (doc({**STATEMENT, "NotResource": "*"}), SYNTAX),
    (doc({**STATEMENT, "Actions": "iam:GetUser"}), SYNTAX),
    (doc({**STATEMENT, "Action": 7}), SYNTAX),
    (doc({**STATEMENT, "Condition": ["Bool"]}), SYNTAX),
    (doc({**STATEMENT, "Condition": {"Bool": "aws:SecureTransport"}}), SYNTAX),
    (doc({**STATEMENT, "Effect": "allow"}), "The policy failed legacy parsing"),
    (doc({**STATEMENT, "Principal": {"AWS": "*"}}),
     "Policy document should not specify a principal."),
    (doc({**STATEMENT, "NotPrincipal": {"AWS": "*"}}),
     "Policy document should not specify a principal."),
    (doc({"Effect": "Allow", "Resource": "*"}), "Policy statement must contain actions."),
    (doc({**STATEMENT, "Action": []}), "Policy statement must contain actions."),
    (doc({"Effect": "Allow", "Action": "iam:ListUsers"}),
     "Policy statement must contain resources."),
    (doc({**STATEMENT, "Resource": []}), "Policy statement must contain resources."),
    (doc({**STATEMENT, "Action": "ListUsers"}),
     "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc."),
    (doc({**STATEMENT, "Action": "iam:List:Users"}),
     "Actions/Condition can contain only one colon."),
    (doc({**STATEMENT, "Action": "i am:ListUsers"}), "Vendor i am is not valid"),
    (doc({**STATEMENT, "Resource": "user/ivy"}), 'Resource user/ivy must be in ARN format or "*".'),
    (doc({**STATEMENT, "Condition": {"StringEqualz": {"aws:username": "ivy"}}}),
     "Invalid Condition type : StringEqualz"),
    (doc({**STATEMENT, "Condition": {"NullIfExists": {"aws:username": "true"}}}),
     "Invalid Condition type : NullIfExists"),
    (doc({**STATEMENT, "Condition": {"ForSomeValues:StringEquals": {TAGS: "a"}}}),
     "Invalid Condition type : ForSomeValues:StringEquals"),
    (doc({**STATEMENT, "Condition": {"DateLessThan": {"aws:CurrentTime": "next week"}}}),
     "The policy failed legacy parsing"),
    (doc({**STATEMENT, "Sid": "One"}, {**STATEMENT, "Sid": "One"}),
     "Statement IDs (SID) in a single policy must be unique."),
    (doc({**STATEMENT, "Sid": "my-sid"}), "Statement IDs (SID) must be alpha-numeric. Check "
     "that your input satisfies the regular expression [0-9A-Za-z]*"),
    ({"Version": "2012-10-17", "Statement": [STATEMENT], "Id": {1}}, SYNTAX),
]


@pytest.mark.parametrize("document, message", MALFORMED,
                         ids=[f"{i:02}-{m[:40]}" for i, (_, m) in enumerate(MALFORMED)])
def test_malformed(document, message):
    with pytest.raises(MalformedPolicy) as refused:
        parse(document)
    assert refused.value.message == message


@pytest.mark.parametrize("document", [
    ADMINISTRATOR_ACCESS, IAM_USER_CHANGE_PASSWORD, ROTATE_OWN_KEYS, MANAGE_OWN_MFA,
    DENY_OUTSIDE_REGIONS, WITHIN_DATES, DENY_OUTSIDE_IPS, BOUNDARY_S3_CLOUDWATCH_EC2,
    doc(STATEMENT, version=None), doc(STATEMENT, version="2008-10-17"),
    {"Version": "2012-10-17", "Id": "x", "Statement": STATEMENT},
    doc({**STATEMENT, "Sid": ""}, {**STATEMENT, "Sid": ""}),
])
def test_valid(document):
    assert isinstance(parse(document), Policy)


def test_every_aws_managed_policy_is_accepted():
    """IAM serves them, so its check when a policy is put takes each (1,582 of them)."""
    from awslab.sandbox.services.iam import managed_policies

    refused = []
    for name, _, start, end in managed_policies.entries():
        try:
            parse(managed_policies.document(name, start, end))
        except MalformedPolicy as error:
            refused.append((name, error.message))
    assert refused == []


def test_parse_is_cached():
    assert parse(IAM_USER_CHANGE_PASSWORD) is parse(IAM_USER_CHANGE_PASSWORD)
    as_dict = json.loads(IAM_USER_CHANGE_PASSWORD)
    assert parse(as_dict) is parse(json.loads(IAM_USER_CHANGE_PASSWORD))


def test_decision_names_the_statement():
    decision = evaluate((parse(p) for p in [ADMINISTRATOR_ACCESS, MANAGE_OWN_MFA]),
                        "iam:ListUsers", "*", IVY_NO_MFA)
    assert decision == Decision(False, True,
                                "policy 1 statement 3 (Sid BlockMostAccessUnlessSignedInWithMFA)")
    boundary = evaluate([parse(ADMINISTRATOR_ACCESS)], "iam:ListUsers", "*", {},
                        boundary=[parse(BOUNDARY_S3_CLOUDWATCH_EC2)])
    assert (boundary.allowed, boundary.explicit_deny) == (False, False)


# --- Resource texts AWS's documentation rules out ----------------------------------------------

ROLE = f"arn:aws:iam::{ACCOUNT}:role/deployer"
SESSION = f"arn:aws:sts::{ACCOUNT}:assumed-role/deployer/ivy"
PRINCIPAL_ACCOUNT = {"aws:PrincipalAccount": ACCOUNT, **IVY}
IAM_PATH = ('IAM resource path must either be "*", root, or start with user/, federated-user/, '
            'role/, group/, instance-profile/, mfa/, server-certificate/, policy/, sms-mfa/, '
            'saml-provider/, oidc-provider/, report/, access-report/.')


@pytest.mark.parametrize("element", ["Resource", "NotResource"])
@pytest.mark.parametrize("resource", [
    # "Don't use a wildcard in the user/, group/, or policy part of the ARN" (IAM identifiers)
    f"arn:aws:iam::{ACCOUNT}:us?r/*", f"arn:aws:iam::{ACCOUNT}:*/bob",
    f"arn:aws:iam::{ACCOUNT}:u*", f"arn:aws:iam::{ACCOUNT}:${{aws:username}}/x",
    # "You can't use a variable to replace parts of the ARN before the fifth colon": IAM reads
    # the ARN at its colons, so the resource path is "PrincipalAccount}:role/*"
    "arn:aws:iam::${aws:PrincipalAccount}:role/*",
    f"arn:aws:iam::{ACCOUNT}:instance-profiles/x", "arn:aws:iam::1*", "arn:aws:iam",
])
def test_an_iam_arn_without_an_iam_resource_type_is_refused_when_put(resource, element):
    with pytest.raises(MalformedPolicy) as refused:
        parse(doc({"Effect": "Allow", "Action": "iam:GetUser", element: ["*", resource]}))
    assert refused.value.message == IAM_PATH


@pytest.mark.parametrize("resource", [
    f"arn:aws:iam::{ACCOUNT}:*", "arn:aws:iam::*:root", "arn:aws:iam::*:user/${aws:username}",
    "arn:aws:iam::*:mfa/*", "arn:aws:iam::*:policy/*", "arn:aws:IAM::*:x*",
])
def test_an_iam_arn_with_a_resource_type_is_accepted(resource):
    assert isinstance(parse(doc(allow("iam:GetUser", resource))), Policy)


@pytest.mark.parametrize("resource, requested, context, matches", [
    # A wildcard or variable in the resource type of other services' ARNs, which IAM does not
    # check when the policy is put: accepted, matches nothing.
    (f"arn:aws:sts::{ACCOUNT}:assu?ed-role/*", SESSION, {}, False),
    (f"arn:aws:sts::{ACCOUNT}:*/deployer/ivy", SESSION, {}, False),
    (f"arn:aws:sts::{ACCOUNT}:assumed-role/*", SESSION, {}, True),
    (f"arn:aws:sts::{ACCOUNT}:${{aws:username}}-role/deployer/ivy",
     f"arn:aws:sts::{ACCOUNT}:ivy-role/deployer/ivy", IVY, False),
    (f"arn:aws:account::{ACCOUNT}:acc*", f"arn:aws:account::{ACCOUNT}:account", {}, False),
    (f"arn:aws:account::{ACCOUNT}:*", f"arn:aws:account::{ACCOUNT}:account", {}, True),
    ("arn:aws:lambda:*:*:func*:x", "arn:aws:lambda:us-east-1:1:function:x", {}, False),
    ("arn:aws:lambda:*:*:function:*", "arn:aws:lambda:us-east-1:1:function:x", {}, True),
    # no resource type: S3 bucket names, SNS topics
    ("arn:aws:s3:::example?bucket/*", "arn:aws:s3:::example1bucket/a/b", {}, True),
    ("arn:aws:sns:us-east-1:*:alerts-*", "arn:aws:sns:us-east-1:111122223333:alerts-x", {},
     True),
    # A variable before the fifth colon: accepted, matches nothing.
    ("arn:aws:sts::${aws:PrincipalAccount}:assumed-role/*", SESSION, PRINCIPAL_ACCOUNT,
     False),
    ("arn:aws:sts::${aws:PrincipalAccount, '123456789012'}:assumed-role/*", SESSION, {}, False),
    ("arn:${aws:username}:iam::*:role/*", ROLE, {"aws:username": "aws"}, False),
    # segments: `*` stays inside unless it ends the segment; `?` always does
    ("arn:aws:i*m::*:role/*", ROLE, {}, True),
    ("arn:aws:iam::1*2:role/*", ROLE, {}, True),
    ("arn:aws:ia?::*:role/*", ROLE, {}, True),
    ("arn:aws:sts:?*:assumed-role/deployer/ivy", SESSION, {}, False),
    ("arn:aws:*", ROLE, {}, True),
])
def test_resource_forms(resource, requested, context, matches):
    """Accepted when put (IAM checks only IAM's own resource types); the text matches or not."""
    allowing = parse(doc(allow("*", resource)))
    assert evaluate([allowing], "sts:AssumeRole", requested, context).allowed is matches
    # as NotResource, a text that matches nothing excludes nothing
    excluding = parse(doc({"Effect": "Allow", "Action": "*", "NotResource": resource}))
    assert evaluate([excluding], "sts:AssumeRole", requested, context).allowed is not matches


# --- Choices where AWS's documentation is silent (policy.py's docstring says why) -------------

CHOICES = [
    # A Resource ARN shorter than six segments: as written, not padded with wildcards.
    pytest.param({"Resource": "arn:aws:sqs:us-east-1"}, "arn:aws:sqs:us-east-1:1:q", {}, False,
                 id="short ARN, no *"),
    pytest.param({"Resource": "arn:aws:sqs:us-east-1:111122223333"},
                 "arn:aws:sqs:us-east-1:111122223333:q", {}, False, id="account-only ARN"),
    pytest.param({"Resource": "arn:aws:sqs:us-east-1:1*"}, "arn:aws:sqs:us-east-1:111:q", {},
                 True, id="short ARN ending in *"),
    pytest.param({"Resource": "arn:aws:sqs:*"}, "arn:aws:sqs:us-east-1:111:q", {}, True,
                 id="short ARN ending in *, four segments"),
    pytest.param({"Resource": "arn:aws:sqs:us-east-1:2*"}, "arn:aws:sqs:us-east-1:111:q", {},
                 False, id="short ARN ending in *, other account"),
    # Case in the partition, service, Region and account segments counts.
    pytest.param({"Resource": f"arn:AWS:iam::{ACCOUNT}:user/bob"}, user("bob"), {}, False,
                 id="partition in upper case"),  # refused when put too: moto's check, AWS's words
    pytest.param({"Resource": f"arn:aws:IAM::{ACCOUNT}:user/bob"}, user("bob"), {}, False,
                 id="service in upper case"),
    pytest.param({"Resource": "arn:aws:sqs:US-EAST-1:*:q"}, "arn:aws:sqs:us-east-1:1:q", {},
                 False, id="Region in upper case"),
    pytest.param({"Resource": "arn:aws:iam::*:user/Bob"}, user("bob"), {}, False,
                 id="resource part in another case"),
    # ${key, 'default'} needs the comma and a space.
    pytest.param({"Resource": "arn:aws:iam::*:user/${aws:username,'bob'}"}, user("bob"), {},
                 False, id="default without a space: no default"),
    pytest.param({"Resource": "arn:aws:iam::*:user/${aws:username,'bob'}"}, user("ivy"), IVY,
                 False, id="default without a space: names no key"),
    pytest.param({"Resource": "arn:aws:iam::*:user/${aws:username, 'bob'}"}, user("bob"), {},
                 True, id="default with the space"),
    pytest.param({"Resource": "arn:aws:iam::*:user/${ aws:username }"}, user("ivy"), IVY, True,
                 id="spaces around the key"),
    pytest.param({"Resource": "*", "Condition": {"StringNotEquals": {
        "aws:PrincipalTag/team": "${aws:username,'x'}"}}}, "*",
        {"aws:PrincipalTag/team": "x", "aws:username": "ivy"}, True,
        id="no default: a negated operator matches the missing value"),
    # A multi-valued key without ForAnyValue:/ForAllValues: never satisfies a condition.
    pytest.param({"Resource": "*", "Condition": {"StringEquals": {TAGS: "owner"}}}, "*",
                 {TAGS: ["environment", "owner"]}, False, id="multi-valued, StringEquals"),
    pytest.param({"Resource": "*", "Condition": {"StringNotEquals": {TAGS: "owner"}}}, "*",
                 {TAGS: ["environment", "x"]}, False, id="multi-valued, StringNotEquals"),
    pytest.param({"Resource": "*", "Condition": {"StringLikeIfExists": {TAGS: "*"}}}, "*",
                 {TAGS: ["a"]}, False, id="multi-valued, IfExists"),
    pytest.param({"Resource": "*", "Condition": {"StringLike": {TAGS: "*"}}}, "*",
                 {TAGS: "environment"}, True, id="one value given as a string"),
    pytest.param({"Resource": "*", "Condition": {"Null": {TAGS: "false"}}}, "*",
                 {TAGS: ["a", "b"]}, True, id="multi-valued, Null"),
    pytest.param({"Resource": "*", "Condition": {"ForAnyValue:StringEqualsIfExists": {
        TAGS: "owner"}}}, "*", {}, True, id="IfExists with a set operator, key missing"),
    # ARN operators on a policy value shorter than six segments.
    pytest.param({"Resource": "*", "Condition": {"ArnLike": {"aws:SourceArn": "arn:aws:iam::*"}}},
                 "*", {"aws:SourceArn": user("ivy")}, False, id="ArnLike, short value"),
    pytest.param({"Resource": "*", "Condition": {"ArnEquals": {"aws:SourceArn": "arn:aws:iam"}}},
                 "*", {"aws:SourceArn": user("ivy")}, False, id="ArnEquals, short value"),
    pytest.param({"Resource": "*", "Condition": {"ArnNotLike": {
        "aws:SourceArn": "arn:aws:iam::*"}}}, "*", {"aws:SourceArn": user("ivy")}, True,
        id="ArnNotLike, short value"),
    pytest.param({"Resource": "*", "Condition": {"ArnLike": {
        "aws:SourceArn": "arn:aws:iam::*:*"}}}, "*", {"aws:SourceArn": user("ivy")}, True,
        id="ArnLike, six segments"),
]


@pytest.mark.parametrize("statement, requested, context, allowed", CHOICES)
def test_choices(statement, requested, context, allowed):
    policy = parse(doc({"Effect": "Allow", "Action": "*", **statement}))
    assert evaluate([policy], "iam:GetUser", requested, context).allowed is allowed
