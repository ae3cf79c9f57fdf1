"""(docs/contract.md, "Sandbox: who may do what"): policy documents are checked when they are put, as IAM checks them:
a document IAM could not evaluate is MalformedPolicyDocument, and the size quotas (counted
without white space) are LimitExceeded; nothing is stored, and the sandbox goes on serving."""

import json
import uuid

import pytest
from botocore.exceptions import ClientError


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def refusal(excinfo) -> tuple[int, str, str]:
    error = excinfo.value.response
    return error["ResponseMetadata"]["HTTPStatusCode"], error["Error"]["Code"], error["Error"]["Message"]


def sized(size: int, indent: int | None = None) -> str:
    """A valid policy of exactly `size` characters other than white space."""
    def build(padding: str) -> str:
        return json.dumps({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "iam:GetUser",
             "Resource": f"arn:aws:iam::*:user/{padding}"}]}, indent=indent)

    bare = size_of(build(""))
    assert bare <= size
    return build("u" * (size - bare))


def size_of(document: str) -> int:
    return sum(1 for character in document if not character.isspace())


BAD_OPERATOR = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": "iam:ListUsers", "Resource": "*",
     "Condition": {"StringEqualsMaybe": {"aws:username": "alice"}}}]})


@pytest.fixture
def user(iam):
    name = unique("docs")
    iam.create_user(UserName=name)
    try:
        yield name
    finally:
        for policy_name in iam.list_user_policies(UserName=name)["PolicyNames"]:
            iam.delete_user_policy(UserName=name, PolicyName=policy_name)
        iam.delete_user(UserName=name)


@pytest.fixture
def group(iam):
    name = unique("docs")
    iam.create_group(GroupName=name)
    try:
        yield name
    finally:
        for policy_name in iam.list_group_policies(GroupName=name)["PolicyNames"]:
            iam.delete_group_policy(GroupName=name, PolicyName=policy_name)
        iam.delete_group(GroupName=name)


def still_serves(iam, user_name: str | None = None) -> None:
    names = [u["UserName"] for u in iam.list_users()["Users"]]
    if user_name:
        assert user_name in names


def test_an_unknown_condition_operator_is_malformed(iam, user, group):
    with pytest.raises(ClientError) as refused:
        iam.put_user_policy(UserName=user, PolicyName="bad", PolicyDocument=BAD_OPERATOR)
    assert refusal(refused)[:2] == (400, "MalformedPolicyDocument")
    assert iam.list_user_policies(UserName=user)["PolicyNames"] == []
    with pytest.raises(ClientError) as group_refused:
        iam.put_group_policy(GroupName=group, PolicyName="bad", PolicyDocument=BAD_OPERATOR)
    assert refusal(group_refused)[1] == "MalformedPolicyDocument"
    assert iam.list_group_policies(GroupName=group)["PolicyNames"] == []
    name = unique("bad")
    with pytest.raises(ClientError) as managed:
        iam.create_policy(PolicyName=name, PolicyDocument=BAD_OPERATOR)
    assert refusal(managed)[1] == "MalformedPolicyDocument"
    assert name not in [p["PolicyName"] for p in iam.list_policies(Scope="Local")["Policies"]]
    for broken in ("not json", json.dumps({"Version": "2012-10-17", "Statement": [
            {"Effect": "Perhaps", "Action": "iam:ListUsers", "Resource": "*"}]})):
        with pytest.raises(ClientError) as malformed:
            iam.put_user_policy(UserName=user, PolicyName="bad", PolicyDocument=broken)
        assert refusal(malformed)[1] == "MalformedPolicyDocument"
    still_serves(iam, user)
    # A known operator with IfExists is fine.
    iam.put_user_policy(UserName=user, PolicyName="good", PolicyDocument=BAD_OPERATOR.replace(
        "StringEqualsMaybe", "StringEqualsIfExists"))
    assert iam.list_user_policies(UserName=user)["PolicyNames"] == ["good"]


def test_a_user_s_inline_policies_share_2048_characters(iam, user):
    assert size_of(sized(2048)) == 2048
    iam.put_user_policy(UserName=user, PolicyName="whole", PolicyDocument=sized(2048))
    iam.delete_user_policy(UserName=user, PolicyName="whole")
    with pytest.raises(ClientError) as single:
        iam.put_user_policy(UserName=user, PolicyName="whole", PolicyDocument=sized(2049))
    assert refusal(single) == (409, "LimitExceeded",
                               f"Maximum policy size of 2048 bytes exceeded for user {user}")
    assert iam.list_user_policies(UserName=user)["PolicyNames"] == []
    # White space does not count.
    roomy = sized(1900, indent=40)
    assert len(roomy) > 2048
    iam.put_user_policy(UserName=user, PolicyName="first", PolicyDocument=roomy)
    # The user's policies together: 1,900 + 149 is one too many ...
    with pytest.raises(ClientError) as together:
        iam.put_user_policy(UserName=user, PolicyName="second", PolicyDocument=sized(149))
    assert refusal(together) == (409, "LimitExceeded",
                                 f"Maximum policy size of 2048 bytes exceeded for user {user}")
    assert iam.list_user_policies(UserName=user)["PolicyNames"] == ["first"]
    iam.put_user_policy(UserName=user, PolicyName="second", PolicyDocument=sized(148))
    # ... and replacing a policy counts its new text, not the old one.
    iam.put_user_policy(UserName=user, PolicyName="first", PolicyDocument=sized(1900))
    with pytest.raises(ClientError) as grown:
        iam.put_user_policy(UserName=user, PolicyName="first", PolicyDocument=sized(1901))
    assert refusal(grown)[1] == "LimitExceeded"
    stored = iam.get_user_policy(UserName=user, PolicyName="first")["PolicyDocument"]
    assert size_of(json.dumps(stored)) == 1900   # the refused text did not replace it
    assert sorted(iam.list_user_policies(UserName=user)["PolicyNames"]) == ["first", "second"]
    still_serves(iam, user)


def test_a_group_s_inline_policies_share_5120_characters(iam, group):
    iam.put_group_policy(GroupName=group, PolicyName="big", PolicyDocument=sized(5000))
    with pytest.raises(ClientError) as refused:
        iam.put_group_policy(GroupName=group, PolicyName="more", PolicyDocument=sized(121))
    assert refusal(refused) == (409, "LimitExceeded",
                                f"Maximum policy size of 5120 bytes exceeded for group {group}")
    assert iam.list_group_policies(GroupName=group)["PolicyNames"] == ["big"]
    iam.put_group_policy(GroupName=group, PolicyName="more", PolicyDocument=sized(120))
    assert sorted(iam.list_group_policies(GroupName=group)["PolicyNames"]) == ["big", "more"]
    still_serves(iam)


def test_a_managed_policy_holds_6144_characters(iam):
    name = unique("big")
    with pytest.raises(ClientError) as refused:
        iam.create_policy(PolicyName=name, PolicyDocument=sized(6145))
    assert refusal(refused) == (409, "LimitExceeded", "Cannot exceed quota for PolicySize: 6144")
    assert name not in [p["PolicyName"] for p in iam.list_policies(Scope="Local")["Policies"]]
    arn = iam.create_policy(PolicyName=name, PolicyDocument=sized(6144, indent=4))["Policy"]["Arn"]
    try:
        with pytest.raises(ClientError) as version:
            iam.create_policy_version(PolicyArn=arn, PolicyDocument=sized(6145), SetAsDefault=True)
        assert refusal(version)[1] == "LimitExceeded"
        versions = iam.list_policy_versions(PolicyArn=arn)["Versions"]
        assert [(v["VersionId"], v["IsDefaultVersion"]) for v in versions] == [("v1", True)]
    finally:
        iam.delete_policy(PolicyArn=arn)
    still_serves(iam)
