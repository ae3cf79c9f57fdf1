"""The management account under the name its owner gave it, as AWS lists it, not moto's "master"."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from awslab.sandbox.services.organizations.organizations import ACCOUNT_NAME


def test_listed_under_its_name_and_the_organization_still_deletes(fresh_account):
    import awslab

    organizations = awslab.connect("sandbox").client("organizations")
    organizations.create_organization(FeatureSet="ALL")
    assert [a["Name"] for a in organizations.list_accounts()["Accounts"]] == [ACCOUNT_NAME]

    # A member account: the organization cannot go, and the management account keeps its name.
    organizations.create_account(AccountName="member", Email="member@example.com")
    with pytest.raises(ClientError) as refused:
        organizations.delete_organization()
    assert refused.value.response["Error"]["Code"] == "OrganizationNotEmptyException"
    names = sorted(a["Name"] for a in organizations.list_accounts()["Accounts"])
    assert names == sorted([ACCOUNT_NAME, "member"])

    member = next(a["Id"] for a in organizations.list_accounts()["Accounts"] if a["Name"] == "member")
    organizations.remove_account_from_organization(AccountId=member)
    organizations.delete_organization()  # notebook 99's clean-up: only the management account left
    with pytest.raises(ClientError) as gone:
        organizations.describe_organization()
    assert gone.value.response["Error"]["Code"] == "AWSOrganizationsNotInUseException"


def test_a_member_named_master_does_not_pass_for_the_management_account(fresh_account):
    """moto tells the management account by its name; a member may take that name."""
    import awslab

    organizations = awslab.connect("sandbox").client("organizations")
    organizations.create_organization(FeatureSet="ALL")
    organizations.create_account(AccountName="master", Email="impostor@example.com")
    with pytest.raises(ClientError) as refused:
        organizations.delete_organization()
    assert refused.value.response["Error"]["Code"] == "OrganizationNotEmptyException"
    assert len(organizations.list_accounts()["Accounts"]) == 2
