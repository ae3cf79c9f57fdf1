"""Account Management's Region calls: ListRegions, GetRegionOptStatus, EnableRegion, DisableRegion.

AWS (rest-json, signing name "account": POST /listRegions, /getRegionOptStatus,
/enableRegion, /disableRegion): Regions launched before 20 March 2019 are
ENABLED_BY_DEFAULT and cannot be enabled or disabled (ValidationException); the opt-in
Regions start DISABLED; enabling passes through ENABLING, disabling through DISABLING
(each lasts AWSLAB_REGION_DELAY seconds here, default 3, instead of minutes to hours);
a Region that is ENABLING or DISABLING refuses the other change (ConflictException).
moto 5.2.5 answers these calls with 404. The Region lists are fixed here, as of today.
"""

from __future__ import annotations

import os
import time

from awslab.sandbox.services.account.account_service import Refused, operation
from awslab.sandbox.state import STATE, changed

DEFAULT_REGIONS = (
    "ap-northeast-1", "ap-northeast-2", "ap-northeast-3", "ap-south-1", "ap-southeast-1",
    "ap-southeast-2", "ca-central-1", "eu-central-1", "eu-north-1", "eu-west-1", "eu-west-2",
    "eu-west-3", "sa-east-1", "us-east-1", "us-east-2", "us-west-1", "us-west-2",
)
OPT_IN_REGIONS = (
    "af-south-1", "ap-east-1", "ap-east-2", "ap-south-2", "ap-southeast-3", "ap-southeast-4",
    "ap-southeast-5", "ap-southeast-6", "ap-southeast-7", "ca-west-1", "eu-central-2",
    "eu-south-1", "eu-south-2", "il-central-1", "me-central-1", "me-south-1", "mx-central-1",
)
ALL_REGIONS = tuple(sorted(DEFAULT_REGIONS + OPT_IN_REGIONS))
STATUSES = ("ENABLED", "ENABLING", "DISABLING", "DISABLED", "ENABLED_BY_DEFAULT")


def delay() -> float:
    try:
        return max(0.0, float(os.environ.get("AWSLAB_REGION_DELAY", "3")))
    except ValueError:
        return 3.0


def _opt_in() -> dict:
    """region -> {"status": ..., "until": time the transition ends, or None}."""
    return STATE.setdefault("regions", {})


def status(region: str) -> str:
    if region in DEFAULT_REGIONS:
        return "ENABLED_BY_DEFAULT"
    entry = _opt_in().get(region)
    if entry is None:
        return "DISABLED"
    if entry.get("until") is not None and time.time() >= entry["until"]:
        entry["status"] = "ENABLED" if entry["status"] == "ENABLING" else "DISABLED"
        entry["until"] = None
        changed()
    return entry["status"]


def _validation(message: str, reason: str = "fieldValidationFailed") -> Refused:
    return Refused(400, "ValidationException", message)


def _region_name(body: dict) -> str:
    name = body["RegionName"]  # a string of 1 to 50 characters: account_service checked the model
    if name not in ALL_REGIONS:
        raise _validation(f"The Region {name} is not a valid Region code.")
    return name


@operation("/listRegions", "ListRegions")
def list_regions(body: dict) -> dict:
    # Each status one of STATUSES, MaxResults 1 to 50: account_service checked the model.
    wanted = body.get("RegionOptStatusContains") or []
    if not isinstance(wanted, list):
        raise _validation("Invalid RegionOptStatusContains: it must be a list of "
                          + ", ".join(STATUSES) + ".")
    max_results = body.get("MaxResults", 50)
    if not isinstance(max_results, int):
        raise _validation("Invalid MaxResults: it must be a number between 1 and 50.")
    start = 0
    token = body.get("NextToken")
    if token:
        if not (isinstance(token, str) and token.isdigit() and int(token) < len(ALL_REGIONS)):
            raise _validation("The NextToken is not valid.")
        start = int(token)
    regions = [{"RegionName": name, "RegionOptStatus": status(name)} for name in ALL_REGIONS]
    if wanted:
        regions = [region for region in regions if region["RegionOptStatus"] in wanted]
    page = regions[start:start + max_results]
    answer: dict = {"Regions": page}
    if start + max_results < len(regions):
        answer["NextToken"] = str(start + max_results)
    return answer


@operation("/getRegionOptStatus", "GetRegionOptStatus")
def get_region_opt_status(body: dict) -> dict:
    name = _region_name(body)
    return {"RegionName": name, "RegionOptStatus": status(name)}


def _default_refusal(name: str) -> Refused:
    return Refused(400, "ValidationException",
                    f"The Region {name} is enabled by default and cannot be enabled or disabled.")


@operation("/enableRegion", "EnableRegion")
def enable_region(body: dict) -> dict:
    name = _region_name(body)
    now = status(name)
    if now == "ENABLED_BY_DEFAULT":
        raise _default_refusal(name)
    if now == "DISABLING":
        raise Refused(409, "ConflictException",
                       f"The Region {name} is being disabled: wait until it is DISABLED, then enable it.")
    if now == "DISABLED":
        _opt_in()[name] = {"status": "ENABLING", "until": time.time() + delay()}
        changed()
    return {}


@operation("/disableRegion", "DisableRegion")
def disable_region(body: dict) -> dict:
    name = _region_name(body)
    now = status(name)
    if now == "ENABLED_BY_DEFAULT":
        raise _default_refusal(name)
    if now == "ENABLING":
        raise Refused(409, "ConflictException",
                       f"The Region {name} is being enabled: wait until it is ENABLED, then disable it.")
    if now == "ENABLED":
        _opt_in()[name] = {"status": "DISABLING", "until": time.time() + delay()}
        changed()
    return {}
