"""(docs/contract.md, "Sandbox: a new account"): Account Management's Region calls."""

import time

import pytest
from botocore.exceptions import ClientError

from awslab.sandbox.services.account.regions import DEFAULT_REGIONS, OPT_IN_REGIONS
from tests.helpers import error_code


def test_regions(lab):
    account = lab.client("account")
    regions = []
    token = None
    while True:
        page = account.list_regions(MaxResults=7, **({"NextToken": token} if token else {}))
        assert len(page["Regions"]) <= 7
        regions += page["Regions"]
        token = page.get("NextToken")
        if not token:
            break
    statuses = {r["RegionName"]: r["RegionOptStatus"] for r in regions}
    assert set(statuses) == set(DEFAULT_REGIONS) | set(OPT_IN_REGIONS)
    assert all(statuses[name] == "ENABLED_BY_DEFAULT" for name in DEFAULT_REGIONS)
    assert all(statuses[name] == "DISABLED" for name in OPT_IN_REGIONS)
    disabled = account.list_regions(RegionOptStatusContains=["DISABLED"])["Regions"]
    assert sorted(r["RegionName"] for r in disabled) == sorted(OPT_IN_REGIONS)

    with pytest.raises(ClientError) as default:
        account.disable_region(RegionName="us-east-1")
    assert error_code(default) == "ValidationException"
    assert account.get_region_opt_status(RegionName="us-east-1")["RegionOptStatus"] == "ENABLED_BY_DEFAULT"

    account.enable_region(RegionName="af-south-1")
    assert account.get_region_opt_status(RegionName="af-south-1")["RegionOptStatus"] == "ENABLING"
    with pytest.raises(ClientError) as busy:
        account.disable_region(RegionName="af-south-1")
    assert error_code(busy) == "ConflictException"
    assert account.get_region_opt_status(RegionName="af-south-1")["RegionOptStatus"] == "ENABLING"
    time.sleep(1.2)
    assert account.get_region_opt_status(RegionName="af-south-1")["RegionOptStatus"] == "ENABLED"

    account.disable_region(RegionName="af-south-1")
    assert account.get_region_opt_status(RegionName="af-south-1")["RegionOptStatus"] == "DISABLING"
    time.sleep(1.2)
    assert account.get_region_opt_status(RegionName="af-south-1")["RegionOptStatus"] == "DISABLED"

    with pytest.raises(ClientError) as unknown:
        account.get_region_opt_status(RegionName="xx-nowhere-1")
    assert error_code(unknown) == "ValidationException"
