"""(docs/contract.md, "Sandbox: a new account"): root's access keys are visible, listable and deletable by root."""

import boto3
import pytest
from botocore.exceptions import ClientError

from awslab import sandbox_client
from awslab.sandbox.account import Account
from tests.helpers import error_code


def test_root_keys(lab, iam):
    root_key = sandbox_client.lab_credentials()["access_key_id"]
    assert iam.get_account_summary()["SummaryMap"]["AccountAccessKeysPresent"] == 1
    listed = iam.list_access_keys()["AccessKeyMetadata"]
    assert [key["AccessKeyId"] for key in listed] == [root_key]

    new = iam.create_access_key()["AccessKey"]
    other = boto3.client("sts", endpoint_url=lab.endpoint_url, region_name="us-east-1",
                         aws_access_key_id=new["AccessKeyId"],
                         aws_secret_access_key=new["SecretAccessKey"])
    assert other.get_caller_identity()["Arn"] == f"arn:aws:iam::{lab.account_id}:root"
    assert len(iam.list_access_keys()["AccessKeyMetadata"]) == 2
    with pytest.raises(ClientError) as third:
        iam.create_access_key()
    assert error_code(third) == "LimitExceeded"

    iam.update_access_key(AccessKeyId=new["AccessKeyId"], Status="Inactive")
    with pytest.raises(ClientError) as inactive:
        other.get_caller_identity()
    assert error_code(inactive) == "InvalidClientTokenId"
    iam.update_access_key(AccessKeyId=new["AccessKeyId"], Status="Active")
    other.get_caller_identity()

    with pytest.raises(ClientError) as unknown:
        iam.delete_access_key(AccessKeyId="AKIAIOSFODNN7EXAMPLE")
    assert error_code(unknown) == "NoSuchEntity"
    assert len(iam.list_access_keys()["AccessKeyMetadata"]) == 2

    iam.delete_access_key(AccessKeyId=new["AccessKeyId"])
    with pytest.raises(ClientError) as deleted:
        other.get_caller_identity()
    assert error_code(deleted) == "InvalidClientTokenId"
    assert [key["AccessKeyId"] for key in iam.list_access_keys()["AccessKeyMetadata"]] == [root_key]
    # Saved for the next start.
    assert [key.access_key_id for key in Account.load().root_keys] == [root_key]
