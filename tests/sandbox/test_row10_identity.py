"""Row 10: the sandbox's credentials are root; a user's key acts as that user."""

import boto3


def test_identity(lab, iam):
    assert lab.arn == f"arn:aws:iam::{lab.account_id}:root"
    iam.create_user(UserName="ivy")
    key = iam.create_access_key(UserName="ivy")["AccessKey"]
    session = boto3.Session(aws_access_key_id=key["AccessKeyId"],
                            aws_secret_access_key=key["SecretAccessKey"], region_name="us-east-1")
    sts = session.client("sts", endpoint_url=lab.endpoint_url)
    user_iam = session.client("iam", endpoint_url=lab.endpoint_url)
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
    finally:
        iam.delete_access_key(UserName="ivy", AccessKeyId=key["AccessKeyId"])
        iam.delete_user(UserName="ivy")
