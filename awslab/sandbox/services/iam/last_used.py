"""When, where and for which service each access key was last used.

AWS records it for every long-term access key, root's included, on each request the key
signs: GetAccessKeyLastUsed answers it (`LastUsedDate`, `Region`, `ServiceName`; "N/A" for a
key never used) and the credential report's `access_key_N_last_used_date`, `_region` and
`_service` show it. moto 5.2.5 records it only for IAM users' keys on requests that reach
moto itself (not those the sandbox's additions answer) and has no root keys at all.

Here one filter, after the gate has proven who signed the request, records it for the
signing key: on moto's AccessKey (its own `last_used`, an AccessKeyLastUsed) for an IAM
user's key, in state.STATE["root_key_use"] for root's. Sessions (temporary credentials)
are not access keys and record nothing. GetAccessKeyLastUsed of a root key is answered
here (moto does not know root's keys); the credential report's rows read `use()`.
The first use of a key is saved at once; later uses are saved with the next change or
when the sandbox stops.
"""

from __future__ import annotations

import time
from datetime import datetime, timezone

from moto.iam.models import AccessKeyLastUsed

from awslab.sandbox.state import LOCK, STATE, changed, iam_backend, iam_xml, iso, sandbox_account


def _root_use() -> dict:
    return STATE.setdefault("root_key_use", {})


def record(request) -> None:
    """Note that the key signing `request` was used now (a long-term key only)."""
    caller = request.caller
    if caller is None or caller.session is not None or not request.service:
        return
    now = time.time()
    region = request.region or sandbox_account().region
    with LOCK:
        if caller.is_root:
            first = caller.access_key not in _root_use()
            _root_use()[caller.access_key] = {"date": now, "region": region, "service": request.service}
        else:
            key = iam_backend(caller.account_id).access_keys.get(caller.access_key)
            if key is None:
                return
            first = key.last_used is None
            key.last_used = AccessKeyLastUsed(
                timestamp=datetime.fromtimestamp(int(now), timezone.utc), service=request.service,
                region=region)
        if first:
            changed()


def use(access_key_id: str, key=None) -> tuple[str, str, str]:
    """(date, region, service) as the credential report writes them: "N/A" each when the key
    was never used. `key` is moto's AccessKey of an IAM user (None for a root key)."""
    if key is not None:
        last = key.last_used
        if last is None:
            return "N/A", "N/A", "N/A"
        when = last.timestamp if hasattr(last, "timestamp") else last
        return (when.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S+00:00"),
                getattr(last, "region", None) or "N/A", getattr(last, "service", None) or "N/A")
    entry = _root_use().get(access_key_id)
    if entry is None:
        return "N/A", "N/A", "N/A"
    return (time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime(entry["date"])), entry["region"],
            entry["service"])


def _root_key_last_used(request):
    key_id = request.params.get("AccessKeyId", "")
    account = sandbox_account()
    if account.root_key(key_id) is None:
        return None  # an IAM user's key: moto answers
    entry = _root_use().get(key_id)
    if entry is None:
        inner = "<Region>N/A</Region><ServiceName>N/A</ServiceName>"
    else:
        inner = (f"<LastUsedDate>{iso(entry['date'])}</LastUsedDate>"
                 f"<Region>{entry['region']}</Region><ServiceName>{entry['service']}</ServiceName>")
    return iam_xml("GetAccessKeyLastUsed", f"<AccessKeyLastUsed>{inner}</AccessKeyLastUsed>")


def install(app) -> None:
    def last_used(request):
        record(request)
        if request.service == "iam" and request.action == "GetAccessKeyLastUsed":
            return _root_key_last_used(request)
        return None

    app.add_filter(last_used)
