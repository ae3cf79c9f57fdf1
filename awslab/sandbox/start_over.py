"""A brand-new account in the running sandbox, without a new process: `POST /_awslab/reset`.

`awslab sandbox reset` (sandbox_client.reset) asks a running sandbox for it, signed as root (root's
access key or a root console session: whoever holds account.json, the account's owner); any
other caller is refused (403 AccessDenied). The answer, {"account_id"}, comes once the
sandbox is what a new sandbox process would start with (0.03 s here; stopping and starting
the process takes seconds, and the tests ask for a new account about seventy times):

- a new account id, new root access keys and a new console secret, written to account.json
  (the lab signs with what that file holds; Labs already connected follow it, following.py);
  the same Account object, changed in place, since the additions hold it (app.account);
- every moto backend emptied (what moto's own reset does, without re-creating the backends it
  then drops): IAM, STS, Organizations, Identity Center, whatever a request made;
- the additions' STATE (root's MFA, Regions, sessions, contacts, last used...), the guessing
  counters (throttle.py), console sign-ins waiting for a new password (signin.py) and the
  access portal's (portal.py), the AWS managed policies made for the old account;
- the saved state: the journal and state.pickle deleted (persistence.Keeper.start_over).

The server key (ownership.py), the port and the log are the home's, not the account's: kept,
as the old stop-and-start kept them; so are the caches of what no account changes (botocore's
models and Regions, parsed policies, SigV4 signing keys, AWS managed policies' documents). A request another client had in flight while the account
changed may land in the new account (one made after the reset is answered cannot).
"""

from __future__ import annotations

import os

from awslab.sandbox.app import SandboxCallError, json_body, json_response
from awslab.sandbox.state import LOCK, STATE, iam_backend

PATH = "/_awslab/reset"


def start_over(app) -> None:
    """The account of `app` brand-new (see the module docstring); call with LOCK held."""
    from moto.core.base_backend import BackendDict, backend_lock
    from moto.core.model_instances import reset_model_data

    from awslab.sandbox import throttle
    from awslab.sandbox.account import Account
    from awslab.sandbox.services.iam import managed_policies
    from awslab.sandbox.services.signin import signin
    from awslab.sandbox.services.sso import portal

    account = app.account
    old_id = account.account_id
    new = Account.new()
    new.save()  # first: should the sandbox die now, it starts again as the new account
    account.account_id, account.created = new.account_id, new.created
    account.console_secret, account.region = new.console_secret, new.region
    account.root_keys[:] = new.root_keys
    os.environ["MOTO_ACCOUNT_ID"] = account.account_id  # moto's account for every request
    with backend_lock:
        for backends in list(BackendDict._instances):
            backends.clear()
        BackendDict._instances.clear()
    reset_model_data()
    with managed_policies._lock:
        for key in [key for key in managed_policies._catalogues if key[0] == old_id]:
            del managed_policies._catalogues[key]
    STATE.clear()
    with throttle._lock:
        throttle._principals.clear()
        throttle._clients.clear()
    signin._pending.clear()
    portal._pending.clear()
    keeper = getattr(app, "keeper", None)
    if keeper is not None:
        keeper.start_over()
    iam_backend(account.account_id)  # the new account's IAM (and its managed policies), now


def _reset_route(app):
    def reset(request, caller):
        json_body(request)  # POST, with a JSON object (empty)
        if not caller.is_root:
            raise SandboxCallError("AccessDenied", "Only the root user can reset the sandbox's "
                                   "account: sign the call with root's access key or a root "
                                   "console session.", 403)
        with LOCK:
            start_over(app)
            account_id = app.account.account_id
        return json_response({"account_id": account_id})

    return reset


def install(app) -> None:
    app.signed_route(PATH, _reset_route(app))
