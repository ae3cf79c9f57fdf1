"""AWS managed policies (docs/contract.md, "Sandbox: a new account"): every one of moto's listed, each document read when
asked for, as moto has them (managed_policies.py), in a fraction of the memory."""

import json

import pytest
from botocore.exceptions import ClientError

from awslab.sandbox.services.iam import managed_policies

ADMIN = "arn:aws:iam::aws:policy/AdministratorAccess"
CHANGE_PASSWORD = "arn:aws:iam::aws:policy/IAMUserChangePassword"


def _moto_data() -> dict:
    """moto's AWS managed policies, parsed whole from its file (as moto itself would)."""
    text = managed_policies.source().read_text(encoding="utf-8")
    return json.loads(text[text.index('"""') + 3:text.rindex('"""')])


def test_the_catalogue_is_motos_own():
    from moto.iam.models import AWSManagedPolicy

    data = _moto_data()
    catalogue = managed_policies.catalogue("123456789012", "us-east-1")
    assert len(catalogue) == len(data) > 1000
    for name, item in data.items():
        expected = AWSManagedPolicy.from_data(name, "123456789012", "us-east-1", item)
        policy = catalogue[expected.arn]
        for attribute in ("name", "path", "arn", "default_version_id", "create_date", "update_date",
                          "description", "attachment_count"):
            assert getattr(policy, attribute) == getattr(expected, attribute), (name, attribute)
        [version], [wanted] = policy.versions, expected.versions
        assert (version.version_id, version.is_default, version.create_date) == (
            wanted.version_id, wanted.is_default, wanted.create_date), name
        assert version.document == wanted.document, name


def test_ids_look_like_aws_and_stay_the_same():
    policy_id = managed_policies.policy_id(ADMIN)
    assert policy_id.startswith("ANPA") and len(policy_id) == 21 and policy_id.isalnum()
    assert policy_id == managed_policies.policy_id(ADMIN)
    assert policy_id != managed_policies.policy_id(CHANGE_PASSWORD)


def test_motos_string_of_policies_is_let_go():
    """Once patches are applied the sandbox holds no 4.7 MB copy of the policies' JSON."""
    import moto.iam.aws_managed_policies as data_module
    import moto.iam.models as models

    from awslab.sandbox import patches

    patches.apply()
    assert len(data_module.aws_managed_policies_data) < 10
    assert len(models.aws_managed_policies_data) < 10
    assert any(r.module == "moto.iam.aws_managed_policies" for r in patches.RELEASES)


def test_listed_got_and_attached_over_the_api(iam):
    listed = []
    for page in iam.get_paginator("list_policies").paginate(Scope="AWS"):
        listed += page["Policies"]
    assert len(listed) == len(managed_policies.entries())
    arns = {policy["Arn"] for policy in listed}
    assert {ADMIN, CHANGE_PASSWORD} <= arns
    admin = iam.get_policy(PolicyArn=ADMIN)["Policy"]
    assert admin["PolicyName"] == "AdministratorAccess" and admin["PolicyId"].startswith("ANPA")
    version = iam.get_policy_version(PolicyArn=ADMIN, VersionId=admin["DefaultVersionId"])
    document = version["PolicyVersion"]["Document"]
    document = json.loads(document) if isinstance(document, str) else document
    assert document["Statement"][0]["Action"] == "*"
    with pytest.raises(ClientError) as missing:
        iam.get_policy(PolicyArn="arn:aws:iam::aws:policy/NoSuchPolicyAnywhere")
    assert missing.value.response["Error"]["Code"] == "NoSuchEntity"

    def attachments() -> int:
        return iam.get_policy(PolicyArn=CHANGE_PASSWORD)["Policy"]["AttachmentCount"]

    before = attachments()  # the shared sandbox may hold other tests' attachments
    iam.create_group(GroupName="policy-holders")
    try:
        iam.attach_group_policy(GroupName="policy-holders", PolicyArn=CHANGE_PASSWORD)
        assert attachments() == before + 1
        attached = iam.list_policies(Scope="AWS", OnlyAttached=True)["Policies"]
        assert CHANGE_PASSWORD in [policy["Arn"] for policy in attached]
        assert all(policy["AttachmentCount"] > 0 for policy in attached)
    finally:
        iam.detach_group_policy(GroupName="policy-holders", PolicyArn=CHANGE_PASSWORD)
        iam.delete_group(GroupName="policy-holders")
    assert attachments() == before
