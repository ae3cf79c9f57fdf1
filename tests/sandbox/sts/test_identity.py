"""(docs/contract.md, "Sandbox: a new account"): the sandbox's credentials are root; a user's key acts as that user, with that
user's permissions only."""

import json

import boto3
import pytest
from botocore.exceptions import ClientError


def test_identity(lab, iam):
    assert lab.arn == f"arn:aws:iam::{lab.account_id}:root"
    iam.create_user(UserName="ivy")
    key = iam.create_access_key(UserName="ivy")["AccessKey"]
    session = boto3.Session(aws_access_key_id=key["AccessKeyId"],
                            aws_secret_access_key=key["SecretAccessKey"], region_name="us-east-1")
    sts = session.client("sts", endpoint_url=lab.endpoint_url)
    user_iam = session.client("iam", endpoint_url=lab.endpoint_url)
    iam.put_user_policy(UserName="ivy", PolicyName="self-and-groups", PolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": ["iam:GetUser", "iam:ListAccessKeys"],
             "Resource": "arn:aws:iam::*:user/${aws:username}"},
            {"Effect": "Allow", "Action": "iam:CreateGroup", "Resource": "*"}]}))
    try:
        assert sts.get_caller_identity()["Arn"] == f"arn:aws:iam::{lab.account_id}:user/ivy"
        assert user_iam.get_user()["User"]["UserName"] == "ivy"
        listed = user_iam.list_access_keys()["AccessKeyMetadata"]
        assert [(k["UserName"], k["AccessKeyId"]) for k in listed] == [("ivy", key["AccessKeyId"])]
        # What ivy creates is created by ivy, in the same account.
        user_iam.create_group(GroupName="ivys-group")
        assert iam.get_group(GroupName="ivys-group")["Group"]["Arn"] == (
            f"arn:aws:iam::{lab.account_id}:group/ivys-group")
        iam.delete_group(GroupName="ivys-group")
        # What ivy's policy does not allow, ivy cannot do.
        with pytest.raises(ClientError) as denied:
            user_iam.get_user(UserName="root-only-reads-this")
        assert denied.value.response["Error"]["Code"] == "AccessDenied"
    finally:
        iam.delete_user_policy(UserName="ivy", PolicyName="self-and-groups")
        iam.delete_access_key(UserName="ivy", AccessKeyId=key["AccessKeyId"])
        iam.delete_user(UserName="ivy")
