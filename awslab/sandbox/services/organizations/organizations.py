"""AWS Organizations as an account owner meets it.

A brand-new account belongs to no organization, and AWS Organizations says so.

AWS: DescribeAccount (like DescribeOrganization) called from an account that is in no
organization answers AWSOrganizationsNotInUseException ("Your account is not a member of
an organization."). moto 5.2.5 answers AccountNotFoundException, as if the account named
did not exist; tools that read the account's organization (Prowler, for one) take that for
an error.

The management account keeps the name its owner gave it at sign-up: AWS lists it under that
name (ListAccounts, the access portal of notebook 05). moto names it "master", and finds it by
that name when the organization is deleted, so that a member account named "master" let the
organization be deleted with the member still in it; the sandbox tells members apart by id.
"""

from __future__ import annotations

from moto.organizations.exceptions import (
    AWSOrganizationsNotInUseException,
    OrganizationNotEmptyException,
)
from moto.organizations.models import OrganizationsBackend

from awslab.sandbox import patches


@patches.wraps(OrganizationsBackend, "describe_account")
def describe_account(original, self, **kwargs):
    if self.org is None:
        raise AWSOrganizationsNotInUseException
    return original(self, **kwargs)


ACCOUNT_NAME = "Sandbox account"  # the name AWS asks for at sign-up, for the simulated account


def _management(backend) -> list:
    org = backend.org
    return [a for a in backend.accounts if org is not None and a.id == org.master_account_id]


@patches.wraps(OrganizationsBackend, "create_organization")
def create_organization(original, self, region, **kwargs):
    answer = original(self, region, **kwargs)
    for account in _management(self):
        account.name = ACCOUNT_NAME
    return answer


@patches.wraps(OrganizationsBackend, "delete_organization")
def delete_organization(original, self):
    management = _management(self)
    # Members are told apart by id: moto goes by the name "master", which a member may also have.
    if self.org is not None and len(self.accounts) > len(management):
        raise OrganizationNotEmptyException
    for account in management:
        account.name = "master"  # how moto finds the management account it keeps
    try:
        return original(self)
    finally:
        for account in management:
            account.name = ACCOUNT_NAME
