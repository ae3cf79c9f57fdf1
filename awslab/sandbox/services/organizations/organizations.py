"""A brand-new account belongs to no organization, and AWS Organizations says so.

AWS: DescribeAccount (like DescribeOrganization) called from an account that is in no
organization answers AWSOrganizationsNotInUseException ("Your account is not a member of
an organization."). moto 5.2.5 answers AccountNotFoundException, as if the account named
did not exist; tools that read the account's organization (Prowler, for one) take that for
an error.
"""

from __future__ import annotations

from moto.organizations.exceptions import AWSOrganizationsNotInUseException
from moto.organizations.models import OrganizationsBackend

from awslab.sandbox import patches


@patches.wraps(OrganizationsBackend, "describe_account")
def describe_account(original, self, **kwargs):
    if self.org is None:
        raise AWSOrganizationsNotInUseException
    return original(self, **kwargs)
