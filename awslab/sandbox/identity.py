"""Who is calling: the sandbox's own credentials are the account's root user.

AWS: `sts get-caller-identity` with root's access key gives `arn:aws:iam::<acct>:root`;
an IAM user's key gives that user; an unknown, deleted or inactive key gets
`InvalidClientTokenId`. moto alone answers `user/moto` to any key.
"""

from __future__ import annotations

from moto.iam.models import iam_backends
from moto.sts.models import STSBackend

from awslab.sandbox.app import AwsRequest, SandboxApp, aws_error

INVALID_TOKEN = "The security token included in the request is invalid."


def iam_backend(account_id: str):
    return iam_backends[account_id]["global"]


def install(app: SandboxApp) -> None:
    account = app.account

    def who_is_calling(request: AwsRequest):
        key = request.access_key
        if key is None:
            return aws_error(request, 403, "MissingAuthenticationToken",
                             "Request is missing Authentication Token")
        root = account.root_key(key)
        if root is not None and root.status == "Active":
            request.caller = "root"
            return None
        user_key = iam_backend(account.account_id).access_keys.get(key)
        if user_key is not None and user_key.status == "Active":
            request.caller = user_key.user_name
            return None
        return aws_error(request, 403, "InvalidClientTokenId", INVALID_TOKEN)

    app.add_filter(who_is_calling)

    original = STSBackend.get_caller_identity

    def get_caller_identity(self, access_key_id: str, region: str):
        if account.root_key(access_key_id) is not None:
            return account.account_id, account.root_arn, account.account_id
        return original(self, access_key_id, region)

    STSBackend.get_caller_identity = get_caller_identity
