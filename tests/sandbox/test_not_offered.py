"""(docs/contract.md, "Sandbox: a new account"; an auditor's view): a call the sandbox does not offer gets a well-formed AWS error.

moto 5.2.5 has no code for some operations (IAM's ListServiceSpecificCredentials,
GenerateServiceLastAccessedDetails, ListOrganizationsFeatures, ...) and its server answered
HTTP 500 with an HTML page: botocore failed with "Unable to parse response ... invalid XML"
after retrying. Now: HTTP 501 `NotImplemented` in the service's protocol, not retried, with
a sentence that names the operation. And AWS Organizations, asked about an account outside
any organization, answers AWSOrganizationsNotInUseException, as AWS does.
"""

import pytest
from botocore.exceptions import ClientError


@pytest.mark.parametrize("call", [
    lambda iam: iam.list_service_specific_credentials(),
    lambda iam: iam.generate_service_last_accessed_details(Arn="arn:aws:iam::123456789012:user/x"),
    lambda iam: iam.list_organizations_features(),
], ids=["ListServiceSpecificCredentials", "GenerateServiceLastAccessedDetails", "ListOrganizationsFeatures"])
def test_an_iam_operation_moto_lacks_is_a_well_formed_error(iam, call):
    with pytest.raises(ClientError) as refused:
        call(iam)
    error = refused.value.response
    operation = refused.value.operation_name
    assert error["Error"]["Code"] == "NotImplemented"
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 501
    assert error["ResponseMetadata"]["RetryAttempts"] == 0  # not a server fault to retry
    assert error["ResponseMetadata"]["HTTPHeaders"]["content-type"].startswith("text/xml")
    assert f"The sandbox does not offer iam:{operation}" in error["Error"]["Message"]


def test_a_json_service_gets_it_in_json(lab):
    organizations = lab.client("organizations")
    with pytest.raises(ClientError) as refused:
        organizations.describe_resource_policy()
    error = refused.value.response
    assert error["Error"]["Code"] == "NotImplemented"
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 501
    assert "organizations:DescribeResourcePolicy" in error["Error"]["Message"]


def test_describe_account_outside_an_organization(lab):
    organizations = lab.client("organizations")
    for call in (lambda: organizations.describe_account(AccountId=lab.account_id),
                 lambda: organizations.describe_account(AccountId="123456789012"),
                 lambda: organizations.describe_organization()):
        with pytest.raises(ClientError) as refused:
            call()
        assert refused.value.response["Error"]["Code"] == "AWSOrganizationsNotInUseException"
        assert refused.value.response["Error"]["Message"] == "Your account is not a member of an organization."
