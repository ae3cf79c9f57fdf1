"""AWS managed policies: every one listed, each document read only when asked for.

AWS gives every account its managed policies (`AdministratorAccess`, `IAMUserChangePassword`
and some 1,500 more): ListPolicies lists them, GetPolicy and GetPolicyVersion answer, and
they can be attached. moto keeps its copy of them in moto/iam/aws_managed_policies.py (one
4.7 MB JSON string) and, with MOTO_IAM_LOAD_MANAGED_POLICIES=true, parses all of it into
every IAM backend and keeps every document: about 26 MB of a sandbox's resident memory
(the parse's garbage stays in the process's heap), for a lab that reads two documents.

Here the sandbox's IAM backend gets the same policies (moto's `_init_aws_policies`, wrapped
below) without their documents: the catalogue is read from moto's file once, as bytes, by
finding where each policy's JSON starts (its metadata is taken from its own few lines), and
a document is parsed from its slice of the file the first time someone asks for it
(GetPolicyVersion, the gate evaluating an attached policy), a few recently used kept. What
callers see is moto's: the same names, paths, dates, versions and documents (the
documents serialised as moto does, `json.dumps`), checked against moto's own parse by
tests/sandbox/iam/test_managed_policies.py. Each policy's id is derived from its ARN, so it
is the same after a restart, as AWS's ids are.

moto's JSON string itself is let go once the catalogue is read (`patches.releases`), so the
sandbox does not keep 4.7 MB of text it never reads.
"""

from __future__ import annotations

import base64
import hashlib
import importlib.util
import json
import re
import threading
from datetime import datetime
from functools import lru_cache
from pathlib import Path

from moto.iam.models import AWSManagedPolicy, IAMBackend, PolicyVersion
from moto.utilities.utils import get_partition

from awslab.sandbox import patches, state

_ENTRY = re.compile(rb'\n "([^"\n]+)":\{\n')
_FIELD = re.compile(rb'\n  "(CreateDate|DefaultVersionId|Path|UpdateDate)":"([^"\n]*)"')
_lock = threading.Lock()
_catalogues: dict[tuple[str, str], dict[str, AWSManagedPolicy]] = {}  # (account, partition)


def source() -> Path:
    """moto's file of AWS managed policies (read, never imported, by this module)."""
    return Path(importlib.util.find_spec("moto.iam.aws_managed_policies").origin)


@lru_cache(maxsize=1)
def entries() -> tuple[tuple[str, dict[str, str], int, int], ...]:
    """(name, {CreateDate, DefaultVersionId, Path, UpdateDate}, start, end) of every AWS managed
    policy, start:end being its JSON object in moto's file."""
    raw = source().read_bytes()
    found = list(_ENTRY.finditer(raw))
    result = []
    for index, match in enumerate(found):
        start = match.end() - 2  # the "{" that opens the policy's object
        end = found[index + 1].start() if index + 1 < len(found) else raw.rindex(b"}")
        end = raw.rindex(b"}", start, end) + 1
        fields = {key.decode(): value.decode() for key, value in _FIELD.findall(raw, start, end)}
        result.append((match.group(1).decode(), fields, start, end))
    if len(result) < 100 or any(len(fields) != 4 for _name, fields, _s, _e in result):
        return _parsed_entries()
    return tuple(result)


def _parsed_entries() -> tuple[tuple[str, dict[str, str], int, int], ...]:
    """The slow way, for a moto whose file is laid out otherwise: parse all of it once (from
    the file: the module's string may have been let go)."""
    text = source().read_text(encoding="utf-8")
    data = json.loads(text[text.index('"""') + 3:text.rindex('"""')])
    _documents_by_name.update({name: json.dumps(item.get("Document")) for name, item in data.items()})
    return tuple((name, {key: item.get(key) for key in ("CreateDate", "DefaultVersionId", "Path",
                                                         "UpdateDate")}, -1, -1)
                 for name, item in data.items())


_documents_by_name: dict[str, str] = {}


@lru_cache(maxsize=16)
def document(name: str, start: int, end: int) -> str:
    """The policy's document, as moto serialises it (json.dumps of its "Document")."""
    if start < 0:
        return _documents_by_name[name]
    with open(source(), "rb") as handle:
        handle.seek(start)
        data = json.loads(handle.read(end - start))
    return json.dumps(data.get("Document"))


class AWSPolicyVersion(PolicyVersion):
    """An AWS managed policy's version whose document is read when first asked for."""

    def __init__(self, policy_arn: str, name: str, span: tuple[int, int], version_id: str,
                 create_date: datetime):
        self._source = (name, *span)
        super().__init__(policy_arn, None, True, version_id, create_date)

    @property
    def document(self) -> str:
        if self._document is None:
            return document(*self._source)
        return self._document

    @document.setter
    def document(self, value: str) -> None:
        self._document = value or None


def policy_id(arn: str) -> str:
    """A policy id shaped like AWS's (ANPA and 17 more), the same for an ARN every time."""
    digest = base64.b32encode(hashlib.sha256(arn.encode()).digest()).decode()
    return "ANPA" + digest[:17]


def catalogue(account_id: str, region_name: str) -> dict[str, AWSManagedPolicy]:
    """arn -> policy: the AWS managed policies of this account and partition (built once)."""
    key = (account_id, get_partition(region_name))
    with _lock:
        found = _catalogues.get(key)
        if found is None:
            found = _catalogues[key] = _build(*key)
        return found


def _build(account_id: str, region_name: str) -> dict[str, AWSManagedPolicy]:
    """The catalogue for one account: copies of this partition's templates (made through moto's
    constructors once per process), each with the account's id and tags of its own. A reset
    makes a new account; copying is 0.01 s, constructing 0.06 s."""
    policies = {}
    for policy_state, version_state in _templates(get_partition(region_name)):
        policy = object.__new__(AWSManagedPolicy)
        policy.__dict__.update(policy_state, account_id=account_id, tags={})
        version = object.__new__(AWSPolicyVersion)
        version.__dict__.update(version_state)
        policy.versions = [version]
        policies[policy.arn] = policy
    return policies


@lru_cache(maxsize=4)
def _templates(partition: str) -> tuple[tuple[dict, dict], ...]:
    made = []
    for name, fields, start, end in entries():
        created = datetime.fromisoformat(fields["CreateDate"])
        updated = datetime.fromisoformat(fields["UpdateDate"])
        policy = AWSManagedPolicy(name, account_id="000000000000", region=partition,
                                  default_version_id=fields["DefaultVersionId"],
                                  path=fields["Path"], create_date=created, update_date=updated)
        policy.id = policy_id(policy.arn)
        version = AWSPolicyVersion(policy.arn, name, (start, end), policy.default_version_id, updated)
        shared = {key: value for key, value in policy.__dict__.items() if key not in ("versions", "tags")}
        made.append((shared, dict(version.__dict__)))
    return tuple(made)


def aws_policy(account_id: str, partition: str, arn: str, attachment_count: int) -> AWSManagedPolicy:
    """The account's AWS managed policy `arn`, attached `attachment_count` times (how a saved
    state refers to one: persistence.py saves this reference, not the policy)."""
    policy = catalogue(account_id, partition)[arn]
    policy.attachment_count = attachment_count
    return policy


def reference(policy: AWSManagedPolicy) -> tuple:
    """What pickle saves for an AWS managed policy (a reducer: see aws_policy)."""
    return aws_policy, (policy.account_id, policy.partition, policy.arn, policy.attachment_count)


@patches.wraps(IAMBackend, "_init_aws_policies")
def _init_aws_policies(original, self):
    account = state.sandbox_account()
    if account is not None and self.account_id != account.account_id:
        # moto's default account, whose backend moto makes for its URL map and nobody calls
        # (every request is the sandbox's account): no catalogue of 1,582 policies (0.17 s).
        return []
    return list(catalogue(self.account_id, self.region_name).values())


patches.releases("moto.iam.aws_managed_policies", "aws_managed_policies_data", "{}",
                 "read from its file by managed_policies.py instead")
patches.releases("moto.iam.models", "aws_managed_policies_data", "{}",
                 "read from its file by managed_policies.py instead")
