"""(docs/contract.md, "Sandbox: a new account"): DeleteUser / DeleteGroup refuse with DeleteConflict while parts remain."""

import pytest
from botocore.exceptions import ClientError

from tests.helpers import error_code

ADMIN = "arn:aws:iam::aws:policy/AdministratorAccess"


def refused(call, **kwargs) -> str:
    with pytest.raises(ClientError) as conflict:
        call(**kwargs)
    assert error_code(conflict) == "DeleteConflict"
    assert conflict.value.response["ResponseMetadata"]["HTTPStatusCode"] == 409
    return conflict.value.response["Error"]["Message"]


def test_delete_conflicts(iam):
    iam.create_user(UserName="dora")
    iam.create_group(GroupName="team")
    iam.add_user_to_group(GroupName="team", UserName="dora")
    iam.attach_group_policy(GroupName="team", PolicyArn=ADMIN)
    iam.create_login_profile(UserName="dora", Password="Good-Passw0rd")
    key = iam.create_access_key(UserName="dora")["AccessKey"]["AccessKeyId"]

    steps = [
        ("must delete login profile first", lambda: iam.delete_login_profile(UserName="dora")),
        ("must delete access keys first",
         lambda: iam.delete_access_key(UserName="dora", AccessKeyId=key)),
        ("must remove user from all groups first",
         lambda: iam.remove_user_from_group(GroupName="team", UserName="dora")),
    ]
    assert "must remove users from group first" in refused(iam.delete_group, GroupName="team")
    for message, fix in steps:
        assert message in refused(iam.delete_user, UserName="dora")
        iam.get_user(UserName="dora")  # still there
        fix()
    assert "must detach all policies first" in refused(iam.delete_group, GroupName="team")
    iam.get_group(GroupName="team")
    iam.detach_group_policy(GroupName="team", PolicyArn=ADMIN)
    iam.delete_group(GroupName="team")

    iam.put_user_policy(UserName="dora", PolicyName="inline", PolicyDocument=(
        '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}'))
    assert "must delete policies first" in refused(iam.delete_user, UserName="dora")
    iam.delete_user_policy(UserName="dora", PolicyName="inline")
    iam.delete_user(UserName="dora")
