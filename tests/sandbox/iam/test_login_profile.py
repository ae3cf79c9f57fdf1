"""(docs/contract.md, "Sandbox: a new account"): CreateLoginProfile keeps PasswordResetRequired and enforces the password policy."""

import pytest
from botocore.exceptions import ClientError

from tests.helpers import error_code


def test_login_profile(iam):
    iam.create_user(UserName="pat")
    try:
        # AWS's default policy: 8 characters, three of four character types.
        for weak in ("Sh0rt!", "alllowercase1", "pat"):
            with pytest.raises(ClientError) as refused:
                iam.create_login_profile(UserName="pat", Password=weak, PasswordResetRequired=True)
            assert error_code(refused) == "PasswordPolicyViolation"
        with pytest.raises(ClientError) as missing:
            iam.get_login_profile(UserName="pat")
        assert error_code(missing) == "NoSuchEntity"

        created = iam.create_login_profile(UserName="pat", Password="Good-Passw0rd",
                                           PasswordResetRequired=True)["LoginProfile"]
        assert created["PasswordResetRequired"] is True
        assert iam.get_login_profile(UserName="pat")["LoginProfile"]["PasswordResetRequired"] is True

        # The account's own policy applies once set.
        iam.update_account_password_policy(MinimumPasswordLength=14, RequireSymbols=True,
                                           RequireNumbers=True, RequireUppercaseCharacters=True,
                                           RequireLowercaseCharacters=True)
        with pytest.raises(ClientError) as short:
            iam.update_login_profile(UserName="pat", Password="Good-Passw0rd")
        assert error_code(short) == "PasswordPolicyViolation"
        assert "14" in short.value.response["Error"]["Message"]
        # Unchanged: still there, still requiring a reset.
        assert iam.get_login_profile(UserName="pat")["LoginProfile"]["PasswordResetRequired"] is True
        iam.update_login_profile(UserName="pat", Password="A-much-longer-Passw0rd",
                                 PasswordResetRequired=False)
        assert iam.get_login_profile(UserName="pat")["LoginProfile"]["PasswordResetRequired"] is False
        # Only the flag: the password stays.
        iam.update_login_profile(UserName="pat", PasswordResetRequired=True)
        assert iam.get_login_profile(UserName="pat")["LoginProfile"]["PasswordResetRequired"] is True
    finally:
        iam.delete_account_password_policy()
        iam.delete_login_profile(UserName="pat")
        iam.delete_user(UserName="pat")
