"""Record every AWS API call this process makes, as IAM actions (`iam:CreateUser`).

On when AWSLAB_RECORD_CALLS names a file: each call appends one line to it. The lab's
least-privilege policy (awslab/policy/lab-policy.json) is checked against a full
headless run recorded this way (tests/system/test_headless_run.py). It hooks botocore's
`before-call` event on every client created in the process, whoever creates it.
"""

from __future__ import annotations

import os
import threading

_lock = threading.Lock()
_installed = False


def install() -> None:
    global _installed
    path = os.environ.get("AWSLAB_RECORD_CALLS")
    if not path or _installed:
        return
    import botocore.session

    original = botocore.session.Session.create_client

    def create_client(self, service_name, *args, **kwargs):
        client = original(self, service_name, *args, **kwargs)
        prefix = client.meta.service_model.signing_name or client.meta.service_model.endpoint_prefix

        def record(model, **_ignored):
            if getattr(model, "auth_type", None) == "none":
                return  # unsigned (sso-oidc, the access portal's API): no IAM action is needed
            with _lock, open(path, "a", encoding="utf-8") as handle:
                handle.write(f"{prefix}:{model.name}\n")

        client.meta.events.register("before-call", record)
        return client

    botocore.session.Session.create_client = create_client
    _installed = True
