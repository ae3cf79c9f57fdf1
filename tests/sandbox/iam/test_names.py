"""(docs/contract.md, "Sandbox: a new account"): user, group and alias names are validated with AWS's ValidationError."""

import pytest
from botocore.exceptions import ClientError

from tests.helpers import error_code


def test_names_are_validated(iam):
    with pytest.raises(ClientError) as bad_user:
        iam.create_user(UserName="bad name!")
    assert error_code(bad_user) == "ValidationError"
    assert bad_user.value.response["Error"]["Message"] == (
        "1 validation error detected: Value 'bad name!' at 'userName' failed to satisfy "
        "constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]+")
    with pytest.raises(ClientError) as long_user:
        iam.create_user(UserName="u" * 65)
    assert error_code(long_user) == "ValidationError"
    assert "length less than or equal to 64" in long_user.value.response["Error"]["Message"]
    with pytest.raises(ClientError) as bad_group:
        iam.create_group(GroupName="no/slash")
    assert error_code(bad_group) == "ValidationError"
    with pytest.raises(ClientError) as long_group:
        iam.create_group(GroupName="g" * 129)
    assert error_code(long_group) == "ValidationError"
    with pytest.raises(ClientError) as bad_alias:
        iam.create_account_alias(AccountAlias="Not--Valid")
    assert error_code(bad_alias) == "ValidationError"
    # Nothing was created.
    assert [u["UserName"] for u in iam.list_users()["Users"]] == []
    assert iam.list_groups()["Groups"] == []
    assert iam.list_account_aliases()["AccountAliases"] == []
    # Valid names still work.
    iam.create_user(UserName="Name.with+all=chars,@-_1")
    iam.create_group(GroupName="g" * 128)
    iam.delete_user(UserName="Name.with+all=chars,@-_1")
    iam.delete_group(GroupName="g" * 128)
