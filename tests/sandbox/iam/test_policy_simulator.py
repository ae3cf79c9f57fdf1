"""IAM's policy simulator in the sandbox (services/iam/simulator.py): SimulatePrincipalPolicy
and SimulateCustomPolicy answer what the sandbox's own evaluator decides, in AWS's shape.

Each test makes its own users and groups (unique names) and removes them: the suite shares one
account. The answers are read with boto3 (botocore parses them: AWS's wire format), and checked
against policy.evaluate for the lab's policies (AdministratorAccess through a group,
IAMUserChangePassword on the user, the lab's own least-privilege policy, a Deny) and against
what the gate then does when the user calls."""

from __future__ import annotations

import json
import uuid

import boto3
import pytest
from botocore.exceptions import ClientError

from awslab.sandbox import policy

ADMIN = "arn:aws:iam::aws:policy/AdministratorAccess"
CHANGE_PASSWORD = "arn:aws:iam::aws:policy/IAMUserChangePassword"
DECISIONS = {(True, False): "allowed", (False, False): "implicitDeny", (False, True): "explicitDeny"}
# AWS's own example (AWS CLI reference, simulate-custom-policy): this policy, this action and
# context, "allowed" with the statement at line 1, columns 38 to 167.
DATED = ('{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"dynamodb:*","Resource":"*",'
         '"Condition":{"DateGreaterThan":{"aws:CurrentTime":"2018-08-16T12:00:00Z"}}}}')
# AdministratorAccess as AWS stores it; AWS's answers name its statement at 3:17 to 8:6.
ADMIN_TEXT = ('{\n  "Version": "2012-10-17",\n  "Statement": [\n    {\n      "Effect": "Allow",\n'
              '      "Action": "*",\n      "Resource": "*"\n    }\n  ]\n}')


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def code(excinfo) -> tuple[int, str]:
    error = excinfo.value.response
    return error["ResponseMetadata"]["HTTPStatusCode"], error["Error"]["Code"]


def context(**keys) -> list[dict]:
    return [{"ContextKeyName": name.replace("_", ":", 1), "ContextKeyValues": [value], "ContextKeyType": "string"}
            for name, value in keys.items()]


def remove(iam, users=(), groups=(), policies=()) -> None:
    for name in users:
        for key in iam.list_access_keys(UserName=name)["AccessKeyMetadata"]:
            iam.delete_access_key(UserName=name, AccessKeyId=key["AccessKeyId"])
        for policy_name in iam.list_user_policies(UserName=name)["PolicyNames"]:
            iam.delete_user_policy(UserName=name, PolicyName=policy_name)
        for attached in iam.list_attached_user_policies(UserName=name)["AttachedPolicies"]:
            iam.detach_user_policy(UserName=name, PolicyArn=attached["PolicyArn"])
        for group in iam.list_groups_for_user(UserName=name)["Groups"]:
            iam.remove_user_from_group(UserName=name, GroupName=group["GroupName"])
        iam.delete_user(UserName=name)
    for name in groups:
        for attached in iam.list_attached_group_policies(GroupName=name)["AttachedPolicies"]:
            iam.detach_group_policy(GroupName=name, PolicyArn=attached["PolicyArn"])
        for policy_name in iam.list_group_policies(GroupName=name)["PolicyNames"]:
            iam.delete_group_policy(GroupName=name, PolicyName=policy_name)
        iam.delete_group(GroupName=name)
    for arn in policies:
        iam.delete_policy(PolicyArn=arn)


@pytest.fixture
def admin(iam):
    """As notebook 02 leaves it: a user in a group with AdministratorAccess, IAMUserChangePassword
    attached to the user, an access key. {"user", "group", "arn", "iam" (the user's client)}."""
    user, group = unique("sim"), unique("admins")
    iam.create_group(GroupName=group)
    iam.attach_group_policy(GroupName=group, PolicyArn=ADMIN)
    arn = iam.create_user(UserName=user)["User"]["Arn"]
    iam.add_user_to_group(GroupName=group, UserName=user)
    iam.attach_user_policy(UserName=user, PolicyArn=CHANGE_PASSWORD)
    key = iam.create_access_key(UserName=user)["AccessKey"]
    own = boto3.client("iam", aws_access_key_id=key["AccessKeyId"], region_name="us-east-1",
                       aws_secret_access_key=key["SecretAccessKey"], endpoint_url=iam.meta.endpoint_url)
    made = {"user": user, "group": group, "arn": arn, "iam": own, "policies": []}
    try:
        yield made
    finally:
        remove(iam, [user], [group], made["policies"])


def document(iam, arn: str) -> str:
    managed = iam.get_policy(PolicyArn=arn)["Policy"]
    return json.dumps(iam.get_policy_version(PolicyArn=arn, VersionId=managed["DefaultVersionId"])
                      ["PolicyVersion"]["Document"])


def evaluator(documents, action, resource, keys=None) -> str:
    decision = policy.evaluate([policy.parse(d) for d in documents], action, resource, keys or {})
    return DECISIONS[decision.allowed, decision.explicit_deny]


def simulated(iam, **params) -> list[dict]:
    return [result for page in iam.get_paginator("simulate_principal_policy").paginate(**params)
            for result in page["EvaluationResults"]]


def sources(statements) -> list[str]:
    return [statement["SourcePolicyId"] for statement in statements]


ACTIONS = ["iam:ListUsers", "iam:CreateUser", "ec2:DescribeInstances", "s3:ListAllMyBuckets",
           "iam:ChangePassword", "iam:GetAccountPasswordPolicy"]


def test_administrator_access_through_the_group_and_change_password_on_the_user(iam, admin):
    held = [document(iam, ADMIN), document(iam, CHANGE_PASSWORD)]
    arn, name = admin["arn"], admin["user"]
    for resource in ("*", arn):
        results = simulated(iam, PolicySourceArn=arn, ActionNames=ACTIONS, ResourceArns=[resource],
                            ContextEntries=context(aws_username=name))
        assert [r["EvalActionName"] for r in results] == ACTIONS
        for result in results:
            expected = evaluator(held, result["EvalActionName"], resource, {"aws:username": name})
            assert result["EvalDecision"] == expected == "allowed"
            [one] = result["ResourceSpecificResults"]
            assert (one["EvalResourceName"], one["EvalResourceDecision"]) == (resource, "allowed")
    # Out of the group: only IAMUserChangePassword's two actions, and ChangePassword only on itself.
    iam.remove_user_from_group(GroupName=admin["group"], UserName=name)
    for resource in ("*", arn):
        results = simulated(iam, PolicySourceArn=arn, ActionNames=ACTIONS, ResourceArns=[resource],
                            ContextEntries=context(aws_username=name))
        decisions = {r["EvalActionName"]: r["EvalDecision"] for r in results}
        assert decisions == {action: evaluator(held[1:], action, resource, {"aws:username": name})
                             for action in ACTIONS}
    assert decisions == {**dict.fromkeys(ACTIONS, "implicitDeny"), "iam:ChangePassword": "allowed",
                         "iam:GetAccountPasswordPolicy": "allowed"}


def test_the_gate_does_what_the_simulator_says(iam, admin):
    name, own = admin["user"], admin["iam"]
    allowed = simulated(iam, PolicySourceArn=admin["arn"], ActionNames=["iam:ListUsers"])[0]["EvalDecision"]
    assert allowed == "allowed"
    own.list_users()
    iam.remove_user_from_group(GroupName=admin["group"], UserName=name)
    denied = simulated(iam, PolicySourceArn=admin["arn"], ActionNames=["iam:ListUsers"])[0]
    assert (denied["EvalDecision"], denied["MatchedStatements"]) == ("implicitDeny", [])
    with pytest.raises(ClientError) as refused:
        own.list_users()
    assert code(refused) == (403, "AccessDenied")
    iam.add_user_to_group(GroupName=admin["group"], UserName=name)
    assert simulated(iam, PolicySourceArn=admin["arn"], ActionNames=["iam:ListUsers"])[0]["EvalDecision"] == "allowed"
    own.list_users()


def test_matched_statements_name_the_policy_and_where_it_stands(iam, admin):
    arn, name = admin["arn"], admin["user"]
    [result] = simulated(iam, PolicySourceArn=arn, ActionNames=["iam:ChangePassword"], ResourceArns=[arn],
                         ContextEntries=context(aws_username=name))
    assert sources(result["MatchedStatements"]) == ["IAMUserChangePassword", "AdministratorAccess"]
    assert {s["SourcePolicyType"] for s in result["MatchedStatements"]} == {"IAM Policy"}
    for statement in result["MatchedStatements"]:
        text = document(iam, ADMIN if statement["SourcePolicyId"] == "AdministratorAccess" else CHANGE_PASSWORD)
        start, end = statement["StartPosition"], statement["EndPosition"]
        assert start["Line"] == end["Line"] == 1  # the sandbox keeps these documents on one line
        named = json.loads(text[start["Column"] - 1:end["Column"] - 1].lstrip(", "))
        assert named["Effect"] == "Allow"
        assert "iam:ChangePassword" in json.dumps(named) or named["Action"] == "*"
    # An inline group policy is named for its group; a Deny in the user's own wins, alone.
    iam.put_group_policy(GroupName=admin["group"], PolicyName="ReadUsers", PolicyDocument=json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "iam:ListUsers", "Resource": "*"}]}))
    deny = ('{\n  "Version": "2012-10-17",\n  "Statement": [\n    {"Effect": "Allow", "Action": "s3:*", '
            '"Resource": "*"},\n    {\n      "Sid": "NoNewUsers",\n      "Effect": "Deny",\n'
            '      "Action": "iam:CreateUser",\n      "Resource": "*"\n    }\n  ]\n}')
    iam.put_user_policy(UserName=name, PolicyName="NoNewUsers", PolicyDocument=deny)
    listed, created = simulated(iam, PolicySourceArn=arn, ActionNames=["iam:ListUsers", "iam:CreateUser"])
    # An inline policy comes before the attached ones, as the gate reads them.
    assert sources(listed["MatchedStatements"]) == [f"group_{admin['group']}_ReadUsers", "AdministratorAccess"]
    assert created["EvalDecision"] == "explicitDeny"
    assert evaluator([deny, document(iam, ADMIN)], "iam:CreateUser", "*") == "explicitDeny"
    [statement] = created["MatchedStatements"]
    assert statement["SourcePolicyId"] == f"user_{name}_NoNewUsers"
    # From just after the first statement's "}" (line 4, column 58) to just after the Deny's "}".
    assert statement["StartPosition"] == {"Line": 4, "Column": 59}
    assert statement["EndPosition"] == {"Line": 10, "Column": 6}
    lines = deny.split("\n")
    start = sum(len(line) + 1 for line in lines[:3]) + 58
    end = sum(len(line) + 1 for line in lines[:9]) + 5
    assert json.loads(deny[start:end].lstrip(", \n"))["Sid"] == "NoNewUsers"
    with pytest.raises(ClientError) as refused:
        admin["iam"].create_user(UserName=unique("never"))
    assert code(refused) == (403, "AccessDenied")


def test_aws_documented_positions_and_context(iam):
    """AWS's documented examples, answered as AWS answers them."""
    later = [{"ContextKeyName": "aws:CurrentTime", "ContextKeyValues": ["2019-04-25T11:00:00Z"],
              "ContextKeyType": "date"}]
    [result] = iam.simulate_custom_policy(PolicyInputList=[DATED], ActionNames=["dynamodb:CreateBackup"],
                                          ContextEntries=later)["EvaluationResults"]
    assert result["EvalDecision"] == "allowed"
    # botocore 1.44's model: the ARN template of the action's resource type (the CLI example,
    # older, shows "*").
    assert result["EvalResourceName"] == "arn:aws:dynamodb:${Region}:${Account}:table/${TableName}"
    assert result["MatchedStatements"] == [{"SourcePolicyId": "PolicyInputList.1", "SourcePolicyType": "IAM Policy",
                                            "StartPosition": {"Line": 1, "Column": 38},
                                            "EndPosition": {"Line": 1, "Column": 167}}]
    assert result["MissingContextValues"] == [] and "EvalDecisionDetails" not in result
    earlier = [dict(later[0], ContextKeyValues=["2014-04-25T11:00:00Z"])]
    [result] = iam.simulate_custom_policy(PolicyInputList=[DATED], ActionNames=["dynamodb:CreateBackup"],
                                          ContextEntries=earlier)["EvaluationResults"]
    assert (result["EvalDecision"], result["MatchedStatements"]) == ("implicitDeny", [])
    [result] = iam.simulate_custom_policy(PolicyInputList=[DATED], ActionNames=["dynamodb:CreateBackup"])[
        "EvaluationResults"]
    assert (result["EvalDecision"], result["MissingContextValues"]) == ("implicitDeny", ["aws:CurrentTime"])
    [result] = iam.simulate_custom_policy(PolicyInputList=[ADMIN_TEXT], ActionNames=["s3:ListAllMyBuckets"])[
        "EvaluationResults"]
    [statement] = result["MatchedStatements"]
    assert (statement["StartPosition"], statement["EndPosition"]) == ({"Line": 3, "Column": 17},
                                                                      {"Line": 8, "Column": 6})


def test_change_password_needs_the_user_name_in_the_context(iam, admin):
    iam.remove_user_from_group(GroupName=admin["group"], UserName=admin["user"])
    [result] = simulated(iam, PolicySourceArn=admin["arn"], ActionNames=["iam:ChangePassword"],
                         ResourceArns=[admin["arn"]])
    assert result["EvalDecision"] == "implicitDeny"
    assert result["MissingContextValues"] == ["aws:username"]
    assert result["ResourceSpecificResults"][0]["MissingContextValues"] == ["aws:username"]
    assert result["EvalResourceName"] == "arn:aws:iam::${Account}:user/${UserNameWithPath}"
    assert result["EvalDecisionDetails"] == {}  # a resource ARN, same account: present and empty


def test_the_lab_policy_simulated_is_the_lab_policy_evaluated(lab, iam, admin):
    from awslab.lab_policy import POLICY_PATH, policy_actions

    text = POLICY_PATH.read_text()
    arn = iam.create_policy(PolicyName=unique("lab-policy"), PolicyDocument=text)["Policy"]["Arn"]
    admin["policies"].append(arn)
    user = unique("runner")
    source = iam.create_user(UserName=user)["User"]["Arn"]
    try:
        iam.attach_user_policy(UserName=user, PolicyArn=arn)
        acct = lab.account_id
        resources = ["*", f"arn:aws:iam::{acct}:user/someone", f"arn:aws:iam::{acct}:group/administrators",
                     f"arn:aws:iam::{acct}:policy/anything", f"arn:aws:account::{acct}:account",
                     f"arn:aws:iam::{acct}:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_x"]
        actions = sorted(policy_actions()) + ["iam:DeleteRole", "iam:PutUserPolicy", "s3:ListAllMyBuckets"]
        results = simulated(iam, PolicySourceArn=source, ActionNames=actions, ResourceArns=resources, MaxItems=25)
        assert [r["EvalActionName"] for r in results] == actions
        seen = set()
        for result in results:
            for each in result["ResourceSpecificResults"]:
                expected = evaluator([text], result["EvalActionName"], each["EvalResourceName"])
                assert each["EvalResourceDecision"] == expected, (result["EvalActionName"], each)
                seen.add(expected)
            assert result["EvalDecision"] == max((e["EvalResourceDecision"] for e in result["ResourceSpecificResults"]),
                                                 key=["allowed", "implicitDeny", "explicitDeny"].index)
        assert seen == {"allowed", "implicitDeny"}
        # AttachUserPolicy only for IAMUserChangePassword: the condition, given or not.
        attach = dict(PolicySourceArn=source, ActionNames=["iam:AttachUserPolicy"], ResourceArns=resources[1:2])
        assert simulated(iam, **attach)[0]["EvalDecision"] == "implicitDeny"
        assert simulated(iam, **attach)[0]["MissingContextValues"] == ["iam:PolicyARN"]
        given = [{"ContextKeyName": "iam:PolicyARN", "ContextKeyValues": [CHANGE_PASSWORD], "ContextKeyType": "string"}]
        assert simulated(iam, **attach, ContextEntries=given)[0]["EvalDecision"] == "allowed"
    finally:
        remove(iam, [user])


def test_paging(iam, admin):
    actions = [f"iam:Get{n}" for n in ("User", "Group", "Role", "Policy", "LoginProfile")]
    first = iam.simulate_principal_policy(PolicySourceArn=admin["arn"], ActionNames=actions, MaxItems=2)
    assert first["IsTruncated"] is True and len(first["EvaluationResults"]) == 2
    second = iam.simulate_principal_policy(PolicySourceArn=admin["arn"], ActionNames=actions, MaxItems=2,
                                           Marker=first["Marker"])
    third = iam.simulate_principal_policy(PolicySourceArn=admin["arn"], ActionNames=actions, MaxItems=2,
                                          Marker=second["Marker"])
    assert third["IsTruncated"] is False and "Marker" not in third
    pages = [first, second, third]
    assert [r["EvalActionName"] for p in pages for r in p["EvaluationResults"]] == actions
    everything = iam.simulate_principal_policy(PolicySourceArn=admin["arn"], ActionNames=actions)
    assert everything["IsTruncated"] is False and len(everything["EvaluationResults"]) == 5
    with pytest.raises(ClientError) as refused:
        iam.simulate_principal_policy(PolicySourceArn=admin["arn"], ActionNames=actions, Marker="not-a-marker")
    assert code(refused) == (400, "InvalidInput")


def test_the_answer_fits_aws_model(iam, admin):
    """Every member of the answer is one botocore's output shape has, every decision one of its
    values (SourcePolicyType is AWS's own "IAM Policy", which the enumeration lacks)."""
    import botocore.session

    model = botocore.session.get_session().get_service_model("iam")

    def walk(value, shape, where):
        if shape.type_name == "structure":
            assert set(value) <= set(shape.members), (where, set(value) - set(shape.members))
            for name, member in value.items():
                walk(member, shape.members[name], f"{where}.{name}")
        elif shape.type_name == "list":
            for item in value:
                walk(item, shape.member, f"{where}[]")
        elif shape.type_name == "map":
            for item in value.values():
                walk(item, shape.value, f"{where}{{}}")
        elif getattr(shape, "enum", None) and shape.name != "PolicySourceType":
            assert value in shape.enum, (where, value)

    iam.remove_user_from_group(GroupName=admin["group"], UserName=admin["user"])
    boundary = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "iam:*", "Resource": "*"}]})
    answer = iam.simulate_principal_policy(
        PolicySourceArn=admin["arn"], ActionNames=ACTIONS, ResourceArns=["*", admin["arn"]],
        PolicyInputList=[ADMIN_TEXT], PermissionsBoundaryPolicyInputList=[boundary])
    answer.pop("ResponseMetadata")
    walk(answer, model.operation_model("SimulatePrincipalPolicy").output_shape, "")
    results = {r["EvalActionName"]: r for r in answer["EvaluationResults"]}
    assert results["iam:ListUsers"]["EvalDecision"] == "allowed"
    assert results["iam:ListUsers"]["PermissionsBoundaryDecisionDetail"] == {"AllowedByPermissionsBoundary": True}
    assert results["s3:ListAllMyBuckets"]["EvalDecision"] == "implicitDeny"  # the boundary caps it
    assert results["s3:ListAllMyBuckets"]["PermissionsBoundaryDecisionDetail"] == {
        "AllowedByPermissionsBoundary": False}


def test_exclusions_groups_and_roles(iam, admin):
    arn = admin["arn"]
    [result] = simulated(iam, PolicySourceArn=arn, ActionNames=["iam:ListUsers"],
                         PolicyExclusionList=[{"PolicyArn": "arn:aws:iam::aws:policy/Admin*"}])
    assert result["EvalDecision"] == "implicitDeny"
    [result] = simulated(iam, PolicySourceArn=arn, ActionNames=["iam:ListUsers"],
                         PolicyExclusionList=[{"PolicyType": "user-managed"}])
    assert result["EvalDecision"] == "allowed"  # AdministratorAccess is AWS managed
    group_arn = iam.get_group(GroupName=admin["group"])["Group"]["Arn"]
    [result] = simulated(iam, PolicySourceArn=group_arn, ActionNames=["iam:ChangePassword"], ResourceArns=[arn])
    assert sources(result["MatchedStatements"]) == ["AdministratorAccess"]  # the group's own, not the user's
    role = unique("role")
    trust = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]})
    role_arn = iam.create_role(RoleName=role, AssumeRolePolicyDocument=trust)["Role"]["Arn"]
    try:
        iam.put_role_policy(RoleName=role, PolicyName="Describe", PolicyDocument=json.dumps(
            {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "ec2:Describe*", "Resource": "*"}]}))
        described, listed = simulated(iam, PolicySourceArn=role_arn,
                                      ActionNames=["ec2:DescribeInstances", "iam:ListUsers"])
        assert (described["EvalDecision"], listed["EvalDecision"]) == ("allowed", "implicitDeny")
        assert sources(described["MatchedStatements"]) == [f"role_{role}_Describe"]
    finally:
        iam.delete_role_policy(RoleName=role, PolicyName="Describe")
        iam.delete_role(RoleName=role)


def test_refusals(lab, iam, admin):
    acct = lab.account_id

    def refused(**params):
        with pytest.raises(ClientError) as caught:
            iam.simulate_principal_policy(**{"ActionNames": ["iam:ListUsers"], **params})
        return code(caught)

    assert refused(PolicySourceArn=f"arn:aws:iam::{acct}:user/nobody-{uuid.uuid4().hex[:6]}") == (404, "NoSuchEntity")
    assert refused(PolicySourceArn=ADMIN) == (400, "InvalidInput")
    assert refused(PolicySourceArn=admin["arn"], PolicyInputList=['{"Statement": []}']) == (400, "InvalidInput")
    assert refused(PolicySourceArn=admin["arn"], ResourcePolicy=ADMIN_TEXT) == (501, "NotImplemented")
    assert refused(PolicySourceArn=admin["arn"], CallerArn=f"arn:aws:iam::{acct}:role/x") == (400, "InvalidInput")
    with pytest.raises(ClientError) as caught:
        iam.simulate_principal_policy(PolicySourceArn=admin["arn"], ActionNames=[])
    assert code(caught)[1] in ("ValidationError", "InvalidInput")


def test_the_call_itself_needs_permission_as_on_aws(lab, iam, admin):
    """iam:SimulatePrincipalPolicy on the PolicySourceArn (the lab's policy grants it on users
    only); iam:SimulateCustomPolicy on "*"."""
    acct = lab.account_id
    iam.remove_user_from_group(GroupName=admin["group"], UserName=admin["user"])
    own = admin["iam"]
    with pytest.raises(ClientError) as refused:
        own.simulate_principal_policy(PolicySourceArn=admin["arn"], ActionNames=["iam:ListUsers"])
    assert code(refused) == (403, "AccessDenied")
    assert "iam:SimulatePrincipalPolicy on resource: " + admin["arn"] in refused.value.response["Error"]["Message"]
    iam.put_user_policy(UserName=admin["user"], PolicyName="Simulate", PolicyDocument=json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "iam:SimulatePrincipalPolicy",
                                                 "Resource": f"arn:aws:iam::{acct}:user/*"}]}))
    [result] = own.simulate_principal_policy(PolicySourceArn=admin["arn"],
                                             ActionNames=["iam:ListUsers"])["EvaluationResults"]
    assert result["EvalDecision"] == "implicitDeny"
    group_arn = iam.get_group(GroupName=admin["group"])["Group"]["Arn"]
    with pytest.raises(ClientError) as refused:
        own.simulate_principal_policy(PolicySourceArn=group_arn, ActionNames=["iam:ListUsers"])
    assert code(refused) == (403, "AccessDenied")
    with pytest.raises(ClientError) as refused:
        own.simulate_custom_policy(PolicyInputList=[ADMIN_TEXT], ActionNames=["iam:ListUsers"])
    assert code(refused) == (403, "AccessDenied")
