"""Connecting: one call gives the notebooks a session on the sandbox or a real account.

    lab = awslab.connect("sandbox")          # starts the sandbox if needed
    lab = awslab.connect("aws", confirm_account_id="123456789012")
    lab.client("iam").list_users()
    lab.account_id, lab.arn, lab.is_root, lab.region

The sandbox is reached by endpoint URL with the credentials it keeps under
AWSLAB_HOME, whatever AWS_* variables the environment holds; a real account through
boto3's default chain (environment, a named profile, SageMaker Studio's role).
"""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass, field

from awslab.errors import Code, LabError, code_of, explain
from awslab.home import lab_home, read_json, write_json_private

TARGETS = ("sandbox", "aws")
DEFAULT_REGION = "us-east-1"


@dataclass
class Lab:
    target: str
    region: str
    account_id: str
    arn: str
    user_id: str
    session: object = field(repr=False)
    endpoint_url: str | None = None
    profile: str | None = None
    confirm_account_id: str | None = None
    # Set by connect("sandbox"): the Lab follows the lab's saved credentials (awslab.following),
    # so a notebook opened before notebook 04 or the clean-up switched them keeps working. Not a
    # field: become() keeps it.
    following = None

    @property
    def is_root(self) -> bool:
        return self.arn.endswith(":root")

    @property
    def principal(self) -> str:
        """'root', 'user/NAME', 'assumed-role/ROLE/SESSION', ..."""
        if self.is_root:
            return "root"
        return self.arn.split(":", 5)[-1]

    @property
    def user_name(self) -> str | None:
        kind, _, rest = self.principal.partition("/")
        return rest.rsplit("/", 1)[-1] if kind == "user" else None

    @property
    def sandbox(self) -> bool:
        return self.target == "sandbox"

    def become(self, other: Lab) -> None:
        """Sign in as `other` from now on, in place: every form that holds this Lab (the cells
        below a step that retired root's keys, say) follows, without running again."""
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(other, name))

    def client(self, service: str):
        if self.following is not None:
            self.following.check(self)
        return _client(self.session, service, self.region, self.endpoint_url)

    def require_write(self, doing: str = "change this account") -> None:
        """Refuse writes to a real account unless confirm_account_id names it."""
        if self.target != "aws":
            return
        if str(self.confirm_account_id or "").strip() != self.account_id:
            given = f" (it is set to {self.confirm_account_id!r})" if self.confirm_account_id else ""
            raise LabError(
                f"To {doing} in the real AWS account {self.account_id}, set "
                f'confirm_account_id = "{self.account_id}" in the parameters cell{given}, '
                "then run the cell again: the lab never changes a real account unconfirmed.",
                code=Code.NotConfirmed,
            )

    def sign_in_url(self, alias: str | None = None) -> str:
        return f"https://{alias or self.account_id}.signin.aws.amazon.com/console"

    def describe(self) -> str:
        where = "the sandbox (a simulated account on this machine)" if self.sandbox else "a real AWS account"
        return f"{self.principal} in account {self.account_id}, region {self.region}, on {where}"


@functools.lru_cache(maxsize=64)
def _client(session, service: str, region: str, endpoint_url: str | None):
    from botocore.config import Config

    local = endpoint_url is not None
    config = Config(
        retries={"mode": "standard", "max_attempts": 2 if local else 5},
        connect_timeout=2 if local else 10,
        read_timeout=60,
        user_agent_extra="awslab",
    )
    client = session.client(service, region_name=region, endpoint_url=endpoint_url, config=config)
    if local:  # the sandbox: before every request, it is still ours (awslab/sandbox_client.py)
        from awslab.sandbox_client import guard

        guard(client, getattr(session, "awslab_home", None) or lab_home())
    return client


def saved_connection() -> dict:
    """What notebook 00's form chose for the real account (profile, region)."""
    return read_json(lab_home() / "connection.json", default={}) or {}


def save_connection(**choice) -> None:
    write_json_private(lab_home() / "connection.json", choice)


def connect(target: str = "sandbox", confirm_account_id: str | None = None, *,
            profile: str | None = None, region: str | None = None) -> Lab:
    """A connected Lab for target 'sandbox' or 'aws'; LabError with one sentence otherwise."""
    target = target or "sandbox"
    target = target.strip().lower() if isinstance(target, str) else target
    if target not in TARGETS:
        raise LabError(f"Unknown target {target!r}: use one of {', '.join(repr(t) for t in TARGETS)}.",
                       code=Code.UnknownTarget)
    try:
        if target == "sandbox":
            from awslab.following import Following

            lab = _connect_sandbox(region)
            lab.following = Following(_connect_sandbox)
        else:
            lab = _connect_aws(profile, region)
    except LabError:
        raise
    except Exception as error:  # boto3's many ways to fail, each told in one sentence
        raise LabError(explain(error, "connecting")) from error
    lab.confirm_account_id = confirm_account_id
    return lab


def _connect_sandbox(region: str | None) -> Lab:
    from botocore.exceptions import ClientError

    from awslab import sandbox_client as sandbox

    info = sandbox.ensure_running()
    creds = sandbox.lab_credentials()
    region = region or info.region
    lab = _sandbox_lab(info, creds, region)
    try:
        _identify(lab)
    except ClientError as error:
        # A kept root console session the sandbox no longer knows (its state was lost): sign
        # in to the console again.
        if "session_token" not in creds or code_of(error) not in (
                Code.InvalidClientTokenId, Code.ExpiredToken):
            raise
        lab = _sandbox_lab(info, sandbox.root_console_credentials(info.account_id, renew=True), region)
        _identify(lab)
    return lab


def _sandbox_lab(info, creds: dict, region: str) -> Lab:
    session = keyed_session(creds["access_key_id"], creds["secret_access_key"],
                            creds.get("session_token"), region)  # a root console session has a token
    session.awslab_home = lab_home()  # whose sandbox its clients may talk to
    return Lab("sandbox", session.region_name, info.account_id, "", "", session,
               endpoint_url=info.endpoint)


@functools.lru_cache(maxsize=32)
def keyed_session(access_key_id: str, secret_access_key: str, session_token: str | None, region: str):
    """A boto3 session with these keys and no profile's settings (whatever AWS_PROFILE says).
    One per keys and Region: connecting again with the same keys (each notebook's first cell,
    every form that follows a switch) finds it and the clients _client made for it, instead of
    a new session registering botocore's 600 handlers and new clients (30 ms)."""
    import boto3
    import botocore.session

    core = botocore.session.Session(session_vars={"profile": (None, None, None, None)})
    _share_loader(core)
    return boto3.Session(aws_access_key_id=access_key_id, aws_secret_access_key=secret_access_key,
                         aws_session_token=session_token, region_name=region, botocore_session=core)


def profile_session(profile: str | None, region: str | None):
    """A boto3 session through the default chain, or a named profile."""
    import boto3
    import botocore.session

    core = botocore.session.Session()
    _share_loader(core)
    return boto3.Session(profile_name=profile, region_name=region, botocore_session=core)


def connect_root_console(confirm_account_id: str | None = None, *, region: str | None = None) -> Lab:
    """The sandbox's root user through a simulated console sign-in (temporary credentials,
    not an access key), as the account's owner signs in to the AWS console as root. The
    lab's saved credentials are left as they are."""
    from botocore.exceptions import ClientError

    from awslab import sandbox_client as sandbox
    from awslab.sandbox_client import root_console_credentials

    info = sandbox.ensure_running()
    lab = _sandbox_lab(info, root_console_credentials(info.account_id), region or info.region)
    try:
        _identify(lab)
    except ClientError:  # a kept session the sandbox no longer knows: sign in again
        lab = _sandbox_lab(info, root_console_credentials(info.account_id, renew=True), lab.region)
        _identify(lab)
    lab.confirm_account_id = confirm_account_id
    return lab


def _connect_aws(profile: str | None, region: str | None) -> Lab:
    saved = saved_connection()
    profile = profile or saved.get("profile") or None
    session = profile_session(profile, region or saved.get("region") or None)
    if session.get_credentials() is None:
        raise LabError(
            "No AWS credentials were found: pick a profile in notebook 00's form (or set AWS_PROFILE, "
            "run `aws configure` or AWS CLI v2's `aws sso login`), or use the sandbox target.",
            code=Code.NoCredentials,
        )
    lab = Lab("aws", session.region_name or DEFAULT_REGION, "", "", "", session, profile=profile)
    _identify(lab)
    return lab


@functools.lru_cache(maxsize=1)
def _loader():
    import boto3
    import botocore.loaders

    loader = botocore.loaders.create_loader()
    loader.search_paths.append(os.path.join(os.path.dirname(boto3.__file__), "data"))
    return loader


def _share_loader(core) -> None:
    """One loader (and its cache of parsed service models and endpoint data) for every
    session of this process: a reconnect costs no JSON parsing (about 0.1 s)."""
    loader = _loader()
    core.register_component("data_loader", loader)
    # boto3.Session appends its own data folder to the loader it is given: keep one copy.
    loader.search_paths[:] = list(dict.fromkeys(loader.search_paths))


def _identify(lab: Lab) -> None:
    who = lab.client("sts").get_caller_identity()
    lab.account_id, lab.arn, lab.user_id = who["Account"], who["Arn"], who["UserId"]
