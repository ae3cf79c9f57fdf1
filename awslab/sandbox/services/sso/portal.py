"""The AWS access portal, and the two APIs behind `aws sso login` (docs/contract.md, "Sandbox: IAM Identity Center").

moto serves neither. What a person in IAM Identity Center does, and what the sandbox answers:

The simulated portal (awslab-only calls, JSON in and out; the person's user name, password and
MFA code are the credentials, as on the portal's sign-in page):

  POST /_awslab/portal/accept-invite  {"token", "password"}
       The invitation's one-time link: sets the password (IAM Identity Center's rules: 8 to 64
       characters with an upper-case and a lower-case letter, a number and a symbol). A used,
       expired or unknown link: 400 {"error": "InvalidInvitation"}.
  POST /_awslab/portal/sign-in  {"user_name", "password", "mfa_code"?, "pending"?}
       1. a wrong user name or password: 401 {"error": "AuthenticationFailed"}; guessing
          passwords or codes is throttled as the console's sign-in is (throttle.py: 429
          {"error": "Throttling", "wait_seconds"});
       2. no MFA device yet (IAM Identity Center's default, "every time they sign in", with
          registration at first sign-in): 200 {"next": "register_mfa", "pending", "seed",
          "qr_png", "otpauth"}: the device to add to the authenticator app; the next call sends
          {"pending", "mfa_code"}, a current code of it;
       3. a device: without "mfa_code" 200 {"next": "mfa_code", "pending"}; a wrong or used code
          403 {"error": "InvalidAuthenticationCode"};
       4. signed in: 200 {"signed_in": true, "portal_token", "expires", "accounts": [{"account_id",
          "account_name", "roles": [...]}]}.
  POST /_awslab/portal/credentials  {"portal_token", "account_id", "role_name"}
       The portal's "Access keys": the role's short-term credentials (as GetRoleCredentials).
  POST /_awslab/portal/approve-device  {"portal_token", "user_code"}
       The page `aws sso login` opens: approve the device's request (an unknown or expired code:
       400 {"error": "InvalidUserCode"}).
  POST /_awslab/portal/authenticator-code  {"console_secret", "user_name"}
       The simulated authenticator app of this person (the learner's phone): a code it accepts.

OIDC (`sso-oidc`, unsigned REST-JSON, as botocore's SSO token provider and the AWS CLI call it):
  POST /client/register, POST /device_authorization, POST /token (grant types device_code and
  refresh_token), with AWS's errors: AuthorizationPendingException (authorization_pending),
  SlowDownException (slow_down: polled faster than `interval`), ExpiredTokenException
  (expired_token), InvalidGrantException, InvalidClientException.

The portal API (`sso`, unsigned REST-JSON, authorized by the `x-amz-sso_bearer_token` header):
  GET /assignment/accounts, GET /assignment/roles?account_id=, GET /federation/credentials?
  account_id=&role_name=, POST /logout; a missing, unknown or expired token:
  401 UnauthorizedException "Session token not found or invalid".

Role credentials are sessions (sessions.py) of the provisioned role, named for the person:
`arn:aws:sts::<account>:assumed-role/AWSReservedSSO_<set>_<hex>/<user>`, valid for the
permission set's session duration; the gate evaluates the role's policies.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import time

import pyotp

from awslab.sandbox import throttle, wire
from awslab.sandbox.app import SandboxCallError, json_body, json_response
from awslab.sandbox.services.iam import mfa
from awslab.sandbox.services.sso import identity_center as ic
from awslab.sandbox.services.sts import sessions
from awslab.sandbox.state import LOCK, changed, iam_backend

PORTAL_SECONDS = 8 * 3600          # the AWS access portal's session (IAM Identity Center's default)
PENDING_SECONDS = 300
CLIENT_SECONDS = 90 * 24 * 3600    # a registered OIDC client's secret (AWS: 90 days)
DEVICE_SECONDS = 600               # a device authorization (AWS: 10 minutes)
INTERVAL = 1                       # seconds between polls of CreateToken
TOKEN_SECONDS = 8 * 3600
INCORRECT = "Incorrect username or password."
UNAUTHORIZED = "Session token not found or invalid"
_pending: dict[str, dict] = {}
_SYMBOLS = set("^$*.[]{}()?\"!@#%&/\\,><':;|_~`=+-")


def _setting(name: str, default: float) -> float:
    """A time the tests shorten (AWSLAB_DEVICE_SECONDS, AWSLAB_ROLE_SESSION_SECONDS)."""
    try:
        return max(0.1, float(os.environ.get(name) or default))
    except ValueError:
        return float(default)


def oidc() -> dict:
    data = ic.state()
    for name in ("clients", "devices", "tokens", "portal_sessions"):
        data.setdefault(name, {})
    return data


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _hash_password(password: str, salt: bytes | None = None) -> str:
    salt = salt or os.urandom(16)
    derived = hashlib.pbkdf2_hmac("sha256", password.encode(), salt, 100_000)
    return salt.hex() + "$" + derived.hex()


def _password_matches(stored: str | None, password: str) -> bool:
    if not stored or "$" not in stored:
        return False
    salt, _, _ = stored.partition("$")
    return hmac.compare_digest(stored, _hash_password(password, bytes.fromhex(salt)))


def password_problems(password: str) -> list[str]:
    """IAM Identity Center's password rules (its identity store's, which no policy changes)."""
    problems = []
    if not 8 <= len(password) <= 64:
        problems.append("be 8 to 64 characters long")
    if not any(c.isupper() for c in password):
        problems.append("contain an upper-case letter")
    if not any(c.islower() for c in password):
        problems.append("contain a lower-case letter")
    if not any(c.isdigit() for c in password):
        problems.append("contain a number")
    if not any(c in _SYMBOLS or not c.isalnum() for c in password):
        problems.append("contain a symbol")
    return problems


# --- the people -------------------------------------------------------------------------------

def _people_by_name() -> dict[str, tuple[str, dict]]:
    store = ic._store_backend().identity_stores.get((ic.instance() or {}).get("identity_store_id"))
    if store is None:
        return {}
    people = ic.state()["people"]
    return {user.UserName.lower(): (user_id, people.setdefault(user_id, {
        "user_name": user.UserName, "password": None, "invite": None, "mfa": None}))
        for user_id, user in store.users.items()}


def _groups_of(user_id: str) -> set[str]:
    store = ic._store_backend().identity_stores.get(ic.instance()["identity_store_id"])
    return {m["GroupId"] for m in store.group_memberships.values()
            if m["MemberId"].get("UserId") == user_id} if store else set()


def assignments_of(user_id: str) -> list[tuple[str, str]]:
    """(account id, role name) pairs the person may use: assignments to them or their groups."""
    found = ic.instance()
    if found is None:
        return []
    backend = ic._sso_backend(found["region"])
    principals = {("USER", user_id)} | {("GROUP", g) for g in _groups_of(user_id)}
    pairs = []
    for made in backend.account_assignments:
        if (made.principal_type, made.principal_id) in principals:
            permission_set = next((p for p in backend.permission_sets
                                   if p.permission_set_arn == made.permission_set_arn), None)
            if permission_set is not None:
                pair = (made.target_id, permission_set.name)
                if pair not in pairs:
                    pairs.append(pair)
    return pairs


def _role_for(user_id: str, account_id: str, set_name: str):
    if (account_id, set_name) not in assignments_of(user_id):
        return None, None
    found = ic.instance()
    backend = ic._sso_backend(found["region"])
    permission_set = next(p for p in backend.permission_sets if p.name == set_name)
    name = ic.state()["roles"].get(permission_set.permission_set_arn, {}).get("name")
    role = ic._role(iam_backend(account_id), name) if name else None
    return role, permission_set


def role_credentials(user_id: str, account_id: str, role_name: str) -> dict:
    """Short-term credentials of the role the set provisioned, for this person."""
    role, permission_set = _role_for(user_id, account_id, role_name)
    if role is None:
        raise SandboxCallError("ForbiddenException", "No access: this person has no permission set "
                               f"{role_name!r} on account {account_id}.", 403)
    person = ic.state()["people"][user_id]
    seconds = min(ic.duration_seconds(permission_set.session_duration),
                  _setting("AWSLAB_ROLE_SESSION_SECONDS", 12 * 3600))
    key, record = sessions.issue_role(role, person["user_name"], seconds)
    return {"accessKeyId": key, "secretAccessKey": record["secret_access_key"],
            "sessionToken": record["session_token"], "expiration": int(record["expires"] * 1000)}


def _accounts(user_id: str) -> list[dict]:
    names: dict[str, list[str]] = {}
    for account_id, role in assignments_of(user_id):
        names.setdefault(account_id, []).append(role)
    return [{"account_id": account_id, "account_name": _account_name(account_id), "roles": roles}
            for account_id, roles in names.items()]


def _account_name(account_id: str) -> str:
    try:
        org = ic._org_backend()
        for account in getattr(org, "accounts", []):
            if account.id == account_id:
                return account.name
    except Exception:
        pass
    return account_id


# --- the simulated portal -----------------------------------------------------------------------

def accept_invite(request):
    data = json_body(request)
    token, password = str(data.get("token") or ""), str(data.get("password") or "")
    with LOCK:
        people = ic.state()["people"]
        found = next(((uid, p) for uid, p in people.items()
                      if p.get("invite") and hmac.compare_digest(p["invite"], _digest(token))), None)
        if found is None or found[1].get("invite_expires", 0) < time.time():
            raise SandboxCallError("InvalidInvitation", "This invitation link was already used, has "
                                   "expired or is not valid: ask your administrator to send a new "
                                   "one.", 400)
        problems = password_problems(password)
        if problems:
            raise SandboxCallError("InvalidPassword", "The password must " + ", ".join(problems)
                                   + ".", 400, rules=problems)
        user_id, person = found
        person.update(password=_hash_password(password), invite=None, invite_expires=None)
        changed()
    return json_response({"accepted": True, "user_name": person["user_name"]})


def sign_in(request):
    data = json_body(request)
    now = time.time()
    pending = _pending.pop(str(data.get("pending") or ""), None)
    if pending is not None and pending["expires"] < now:
        pending = None
    with LOCK:
        if pending is None:
            name, password = str(data.get("user_name") or ""), str(data.get("password") or "")
            keys = throttle.keys(request.environ, "portal:" + name.lower())
            throttle.guard(keys, "passwords")
            found = _people_by_name().get(name.lower())
            if found is None or not _password_matches(found[1].get("password"), password):
                throttle.failed(keys)
                raise SandboxCallError("AuthenticationFailed", INCORRECT, 401)
            throttle.passed(keys)
            user_id, person = found
        else:
            user_id = pending["user_id"]
            person = ic.state()["people"].get(user_id)
            if person is None:
                raise SandboxCallError("AuthenticationFailed", INCORRECT, 401)
        code = str(data.get("mfa_code") or "")
        codes = throttle.keys(request.environ, "portal-mfa:" + user_id)
        if code:
            throttle.guard(codes, "MFA codes")
        if person.get("mfa") is None:
            seed = pending.get("seed") if pending else None
            if seed is None or not code:
                seed = seed or mfa.new_seed()
                token = secrets.token_urlsafe(24)
                _pending[token] = {"user_id": user_id, "seed": seed, "expires": now + PENDING_SECONDS}
                uri = mfa.otpauth_uri(seed, person["user_name"], "AWS IAM Identity Center")
                return json_response({"next": "register_mfa", "pending": token, "seed": seed,
                                      "otpauth": uri, "qr_png": mfa.png_base64(mfa.qr_png(uri))})
            step = mfa.code_step(seed, code, None, now)
            if step is None:
                throttle.failed(codes)
                _pending[str(data.get("pending"))] = pending
                raise SandboxCallError("InvalidAuthenticationCode", "That code is not the one the "
                                       "authenticator app shows now: type the current code.", 403)
            person["mfa"] = {"seed": seed, "last_step": step, "registered": now}
        else:
            if not code:
                token = secrets.token_urlsafe(24)
                _pending[token] = {"user_id": user_id, "expires": now + PENDING_SECONDS}
                return json_response({"next": "mfa_code", "pending": token})
            device = person["mfa"]
            step = mfa.code_step(device["seed"], code, device.get("last_step"), now)
            if step is None:
                throttle.failed(codes)
                raise SandboxCallError("InvalidAuthenticationCode", "The MFA code is not valid (or "
                                       "was already used): wait for the next code and try again.", 403)
            device["last_step"] = step
        throttle.passed(codes)
        portal_token = secrets.token_urlsafe(48)
        oidc()["portal_sessions"][_digest(portal_token)] = {"user_id": user_id,
                                                            "expires": now + PORTAL_SECONDS}
        changed()
    return json_response({"signed_in": True, "portal_token": portal_token,
                          "expires": now + PORTAL_SECONDS, "user_name": person["user_name"],
                          "accounts": _accounts(user_id)})


def _portal_person(data: dict) -> str:
    token = str(data.get("portal_token") or "")
    entry = oidc()["portal_sessions"].get(_digest(token))
    if entry is None or entry["expires"] < time.time():
        raise SandboxCallError("Unauthorized", "Your AWS access portal session ended: sign in "
                               "again.", 401)
    return entry["user_id"]


def portal_credentials(request):
    data = json_body(request)
    with LOCK:
        user_id = _portal_person(data)
        answer = role_credentials(user_id, str(data.get("account_id") or ""),
                                  str(data.get("role_name") or ""))
        changed()
    return json_response(answer)


def approve_device(request):
    data = json_body(request)
    code = str(data.get("user_code") or "").strip().upper()
    with LOCK:
        user_id = _portal_person(data)
        device = next((d for d in oidc()["devices"].values() if d["user_code"] == code), None)
        if device is None or device["expires"] < time.time() or device.get("approved_by"):
            raise SandboxCallError("InvalidUserCode", "This code is not valid or has expired: start "
                                   "`aws sso login` again and use the code it shows.", 400)
        device["approved_by"] = user_id
        changed()
    return json_response({"approved": True, "client_name": device["client_name"]})


def authenticator_code(account):
    def answer(request):
        from awslab.sandbox.services.signin.signin import _owner

        data = json_body(request)
        _owner(account, data, throttle.keys(request.environ, "signin:root"))
        found = _people_by_name().get(str(data.get("user_name") or "").lower())
        seed = str(data.get("seed") or "") or (found and (found[1].get("mfa") or {}).get("seed"))
        if not seed:
            raise SandboxCallError("NoSuchEntity", "This person has no MFA device yet.", 404)
        now = time.time()
        step = int(now // mfa.STEP)
        last = ((found[1].get("mfa") or {}).get("last_step") if found else None)
        if last is not None and last >= step:
            step = last + 1
        if step > int(now // mfa.STEP) + 1:
            wait = max(0.0, (step - 1) * mfa.STEP - now) + 0.05
            raise SandboxCallError("TryAgain", f"Both codes the device shows now were used: a new "
                                   f"one appears in {wait:.0f} s.", 409, wait_seconds=wait)
        return json_response({"code": pyotp.TOTP(seed).at(step * mfa.STEP),
                              "seconds_left": int((step + 1) * mfa.STEP - now)})

    return answer


# --- sso-oidc -----------------------------------------------------------------------------------

def _answer(data: dict, status: int = 200, error_type: str | None = None):
    """A REST-JSON answer as AWS sends it (an error names its type in x-amzn-ErrorType)."""
    import json
    import uuid

    from werkzeug.wrappers import Response

    headers = {"x-amzn-RequestId": str(uuid.uuid4())}
    if error_type:
        headers["x-amzn-ErrorType"] = error_type
    return Response(json.dumps(data), status=status, content_type="application/json", headers=headers)


def oidc_error(code: str, error: str, description: str, status: int = 400):
    return _answer({"error": error, "error_description": description}, status, code)


def _json(request) -> dict:
    try:
        data = wire.loads(request.body or b"{}")
    except wire.WireError:
        data = None
    if not isinstance(data, dict):
        raise _OidcRefusal("InvalidRequestException", "invalid_request", "The body is not a JSON object.")
    return data


class _OidcRefusal(Exception):
    def __init__(self, code: str, error: str, description: str, status: int = 400):
        super().__init__(description)
        self.code, self.error, self.description, self.status = code, error, description, status


def _oidc(handler):
    def answer(request):
        try:
            with LOCK:
                result = handler(_json(request), time.time())
                changed()
            return _ok(result)
        except _OidcRefusal as refusal:
            return oidc_error(refusal.code, refusal.error, refusal.description, refusal.status)

    return answer


def _ok(data: dict):
    return _answer(data)


def _client(data: dict, now: float) -> dict:
    client = oidc()["clients"].get(str(data.get("clientId") or ""))
    if client is None or not hmac.compare_digest(client["secret"], _digest(str(data.get("clientSecret") or ""))):
        raise _OidcRefusal("InvalidClientException", "invalid_client", "Invalid client id or secret.", 401)
    if client["expires"] < now:
        raise _OidcRefusal("InvalidClientException", "invalid_client", "The client's registration "
                           "has expired: register it again.", 401)
    return client


def register_client(data: dict, now: float) -> dict:
    name = str(data.get("clientName") or "")
    if not name or data.get("clientType") != "public":
        raise _OidcRefusal("InvalidRequestException", "invalid_request",
                           "clientName is required and clientType must be 'public'.")
    client_id, secret = secrets.token_urlsafe(16), secrets.token_urlsafe(48)
    oidc()["clients"][client_id] = {"secret": _digest(secret), "name": name, "issued": now,
                                    "expires": now + CLIENT_SECONDS,
                                    "scopes": list(data.get("scopes") or [])}
    return {"clientId": client_id, "clientSecret": secret, "clientIdIssuedAt": int(now),
            "clientSecretExpiresAt": int(now + CLIENT_SECONDS)}


def start_device_authorization(data: dict, now: float) -> dict:
    client = _client(data, now)
    found = ic.instance()
    start = str(data.get("startUrl") or "")
    if found is None or start.rstrip("/") != ic.portal_url(found["identity_store_id"]):
        raise _OidcRefusal("InvalidRequestException", "invalid_request",
                           f"The start URL {start!r} is not this organization's AWS access portal.")
    device_code = secrets.token_urlsafe(48)
    letters = "BCDFGHJKLMNPQRSTVWXZ"
    user_code = "".join(secrets.choice(letters) for _ in range(4)) + "-" + "".join(
        secrets.choice(letters) for _ in range(4))
    lifetime = _setting("AWSLAB_DEVICE_SECONDS", DEVICE_SECONDS)
    oidc()["devices"][_digest(device_code)] = {
        "client_name": client["name"], "client_id": data["clientId"], "user_code": user_code,
        "expires": now + lifetime, "last_poll": 0.0, "approved_by": None, "used": False}
    verify = "https://device.sso.us-east-1.amazonaws.com/"
    return {"deviceCode": device_code, "userCode": user_code, "verificationUri": verify,
            "verificationUriComplete": f"{verify}?user_code={user_code}",
            "expiresIn": int(lifetime), "interval": INTERVAL}


def create_token(data: dict, now: float) -> dict:
    _client(data, now)
    grant = data.get("grantType")
    if grant == "refresh_token":
        token = oidc()["tokens"].get(_digest("refresh:" + str(data.get("refreshToken") or "")))
        if token is None or token["client_id"] != data.get("clientId"):
            raise _OidcRefusal("InvalidGrantException", "invalid_grant", "Invalid refresh token.")
        return _issue_token(token["user_id"], data["clientId"], now)
    if grant != "urn:ietf:params:oauth:grant-type:device_code":
        raise _OidcRefusal("UnsupportedGrantTypeException", "unsupported_grant_type",
                           f"Unsupported grant type {grant!r}.")
    device = oidc()["devices"].get(_digest(str(data.get("deviceCode") or "")))
    if device is None or device["client_id"] != data.get("clientId") or device["used"]:
        raise _OidcRefusal("InvalidGrantException", "invalid_grant", "Invalid device code provided")
    if device["expires"] < now:
        raise _OidcRefusal("ExpiredTokenException", "expired_token", "Device code has expired")
    if device["approved_by"] is None:
        too_soon = now - device["last_poll"] < INTERVAL * 0.5
        device["last_poll"] = now
        if too_soon:
            raise _OidcRefusal("SlowDownException", "slow_down", "Client is polling too quickly")
        raise _OidcRefusal("AuthorizationPendingException", "authorization_pending",
                           "Authorization is still pending")
    device["used"] = True
    return _issue_token(device["approved_by"], data["clientId"], now)


def _issue_token(user_id: str, client_id: str, now: float) -> dict:
    access, refresh = secrets.token_urlsafe(64), secrets.token_urlsafe(64)
    tokens = oidc()["tokens"]
    tokens[_digest(access)] = {"user_id": user_id, "client_id": client_id,
                               "expires": now + TOKEN_SECONDS}
    tokens[_digest("refresh:" + refresh)] = {"user_id": user_id, "client_id": client_id,
                                             "expires": now + CLIENT_SECONDS}
    return {"accessToken": access, "tokenType": "Bearer", "expiresIn": TOKEN_SECONDS,
            "refreshToken": refresh}


# --- the portal API (sso) -------------------------------------------------------------------------

def _bearer(request) -> str | None:
    token = request.environ.get("awslab.sso_bearer_token") or ""
    entry = oidc()["tokens"].get(_digest(token)) if token else None
    if entry is None or entry["expires"] < time.time():
        return None
    return entry["user_id"]


def _args(request, *names: str) -> dict[str, str]:
    values = {}
    for name in names:
        given = request.http.args.getlist(name)
        if len(given) != 1:
            raise _OidcRefusal("InvalidRequestException", "invalid_request",
                               f"Give {name} exactly once.")
        values[name] = given[0]
    return values


def _portal_api(handler):
    def answer(request):
        with LOCK:
            user_id = _bearer(request)
            if user_id is None:
                return _portal_error("UnauthorizedException", UNAUTHORIZED, 401)
            try:
                result = handler(request, user_id)
            except _OidcRefusal as refusal:
                return _portal_error(refusal.code, refusal.description, refusal.status)
            except SandboxCallError as error:
                return _portal_error("ForbiddenException", str(error), 403)
            changed()
        return _ok(result)

    return answer


def _portal_error(code: str, message: str, status: int):
    return _answer({"message": message}, status, code)


def list_accounts(request, user_id):
    return {"accountList": [{"accountId": a["account_id"], "accountName": a["account_name"],
                             "emailAddress": ""} for a in _accounts(user_id)]}


def list_account_roles(request, user_id):
    account_id = _args(request, "account_id")["account_id"]
    return {"roleList": [{"roleName": role, "accountId": acct}
                         for acct, role in assignments_of(user_id) if acct == account_id]}


def get_role_credentials(request, user_id):
    given = _args(request, "account_id", "role_name")
    return {"roleCredentials": role_credentials(user_id, given["account_id"], given["role_name"])}


def logout(request, user_id):
    token = request.environ.get("awslab.sso_bearer_token") or ""
    oidc()["tokens"].pop(_digest(token), None)
    return {}


def install(app) -> None:
    app.route("/_awslab/portal/accept-invite", accept_invite)
    app.route("/_awslab/portal/sign-in", sign_in)
    app.route("/_awslab/portal/credentials", portal_credentials)
    app.route("/_awslab/portal/approve-device", approve_device)
    app.route("/_awslab/portal/authenticator-code", authenticator_code(app.account))
    app.unsigned_api("POST", "/client/register", _oidc(register_client))
    app.unsigned_api("POST", "/device_authorization", _oidc(start_device_authorization))
    app.unsigned_api("POST", "/token", _oidc(create_token))
    app.unsigned_api("GET", "/assignment/accounts", _portal_api(list_accounts))
    app.unsigned_api("GET", "/assignment/roles", _portal_api(list_account_roles))
    app.unsigned_api("GET", "/federation/credentials", _portal_api(get_role_credentials))
    app.unsigned_api("POST", "/logout", _portal_api(logout))
