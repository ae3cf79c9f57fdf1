"""(docs/contract.md, "Sandbox: a new account"): one alias per account; an alias held elsewhere gives EntityAlreadyExists."""

import pytest
from botocore.exceptions import ClientError

from tests.helpers import error_code


def test_alias(iam):
    with pytest.raises(ClientError) as taken:
        iam.create_account_alias(AccountAlias="mycompany")
    assert error_code(taken) == "EntityAlreadyExists"
    assert iam.list_account_aliases()["AccountAliases"] == []

    iam.create_account_alias(AccountAlias="learner-first-choice")
    iam.create_account_alias(AccountAlias="learner-second-choice")  # replaces, as AWS
    assert iam.list_account_aliases()["AccountAliases"] == ["learner-second-choice"]
    with pytest.raises(ClientError) as taken_again:
        iam.create_account_alias(AccountAlias="test")
    assert error_code(taken_again) == "EntityAlreadyExists"
    assert iam.list_account_aliases()["AccountAliases"] == ["learner-second-choice"]

    with pytest.raises(ClientError) as wrong:
        iam.delete_account_alias(AccountAlias="learner-first-choice")
    assert error_code(wrong) == "NoSuchEntity"
    iam.delete_account_alias(AccountAlias="learner-second-choice")
    assert iam.list_account_aliases()["AccountAliases"] == []
