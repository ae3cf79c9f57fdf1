"""One small class per kind of thing the lab makes: how to make it, remove it, and tell if it is
there; the order clean-up removes it in; its typed record key.

Defined for every notebook that makes something (02: User, Group, GroupPolicy, Membership,
LoginProfile, UserPolicy, AccessKey, CredentialsCsv, CliProfile, MfaDevice; 01: the root's
MfaDevice, which clean-up never removes; 03: Alias, Region; 04: PasswordPolicy,
SecurityContact; 05: SsoUser, SsoGroup, SsoMembership, PermissionSet, AccountAssignment,
SsoProfile, SsoToken, and the Organization and IdentityCenter instance it enables), and for
notebook 99, which removes them (awslab/steps/s99_clean_up.py: for each recorded `Made`, in
`phase` order, if it `exists`: `delete`).

    kind = Membership("alice", "administrators")
    kind.create(lab)          # AddUserToGroup, recorded as Made("group_membership", "administrators", "alice")
    kind.exists(lab)          # True
    kind.delete(lab)          # RemoveUserFromGroup, forgotten
    kind.phase, kind.order    # "group membership", its place in PHASES
    of(made)                  # the kind a record entry names

Every `create` asks `lab.require_write` first and records what it made (awslab.record);
every `delete` forgets it. A delete of a thing already gone raises AWS's NoSuchEntity (or
ResourceNotFoundException), which callers take as "already gone" (missing()).
No widgets here.
"""

from __future__ import annotations

import os
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar

from botocore.exceptions import ClientError

from awslab import record
from awslab.errors import Code, LabError, code_of
from awslab.record import LAB_TAG, Made

TAG_KEY, TAG_VALUE = LAB_TAG  # the lab's tag on every IAM user it makes (awslab.record)

# The order AWS requires: a user's parts before the user, a group's before the group, an
# account assignment before its permission set, a person's membership before the person.
PHASES = ["access key", "login profile", "MFA device", "group membership", "user policy", "user",
          "group member", "group policy", "group", "alias", "region", "password policy",
          "security contact", "account assignment", "permission set", "SSO group membership",
          "SSO user", "SSO group", "IAM Identity Center", "organization", "SSO profile",
          "SSO token", "CLI profile", "credentials file"]


def missing(error: BaseException) -> bool:
    """AWS says the thing is not there (it is gone already)."""
    return code_of(error) in (Code.NoSuchEntity, Code.ResourceNotFoundException)


def _gone(what: str) -> ClientError:
    return ClientError({"Error": {"Code": Code.NoSuchEntity, "Message": f"{what} does not exist"}}, "Delete")


class Kind:
    """A thing the lab makes. Subclasses are small dataclasses naming one such thing."""

    kind: ClassVar[str]            # its record kind (Made.kind)
    phase: ClassVar[str]           # its place in clean-up's order (PHASES)
    creating: ClassVar[str] = ""   # what lab.require_write says before create()

    @property
    def order(self) -> int:
        return PHASES.index(self.phase)

    def made(self) -> Made:
        """Its typed record key."""
        raise NotImplementedError

    @property
    def what(self) -> str:
        """For people, as clean-up lists it ("access key AKIA… of user alice")."""
        raise NotImplementedError

    @property
    def gone(self) -> str:
        """For people, when it is gone already."""
        return self.what

    @property
    def kept_as(self) -> str:
        """For people, when it stays (see stays())."""
        return self.what

    def exists(self, lab) -> bool:
        raise NotImplementedError

    def stays(self, lab) -> str | None:
        """Why clean-up leaves it although it exists ("" to leave it without a word), or None."""
        return None

    def delete(self, lab) -> None:
        raise NotImplementedError

    def remember(self, lab, **info) -> Made:
        return record.remember(lab.account_id, self.made(), **info)

    def removed(self, lab, call) -> None:
        """Run the AWS call that removes it (`call()`); forget it once it is gone (removed now,
        or gone already: AWS's NoSuchEntity is raised on for the caller to say so)."""
        try:
            call()
        except ClientError as error:
            if missing(error):
                self.forget(lab)
            raise
        self.forget(lab)

    def forget(self, lab) -> None:
        record.forget(lab.account_id, self.made())

    @classmethod
    def from_made(cls, made: Made) -> Kind:
        raise NotImplementedError


def _exists(read) -> bool:
    try:
        read()
    except ClientError as error:
        if missing(error):
            return False
        raise
    return True


def _paged(paginator, key: str, **params) -> list:
    """Every page's `key` items. The caller names the operation itself, client.get_paginator("...")
    (awslab/lab_policy.py finds the actions the lab calls by reading such calls)."""
    return [item for page in paginator.paginate(**params) for item in page[key]]


def _policy_name(arn: str) -> str:
    return arn.rsplit("/", 1)[-1]


# --- IAM users and groups (notebook 02) ----------------------------------------------------------

@dataclass
class User(Kind):
    name: str
    kind: ClassVar[str] = "user"
    phase: ClassVar[str] = "user"
    creating: ClassVar[str] = "create the user"

    def made(self) -> Made:
        return Made(self.kind, self.name)

    @property
    def what(self) -> str:
        return f"user {self.name}"

    def create(self, lab, tags=()) -> dict:
        """CreateUser, tagged created-by=awslab (and `tags`, (key, value) pairs); the user."""
        lab.require_write(self.creating)
        pairs = [{"Key": k, "Value": v} for k, v in [*tags, LAB_TAG]]
        user = lab.client("iam").create_user(UserName=self.name, Tags=pairs)["User"]
        self.remember(lab)
        return user

    def exists(self, lab) -> bool:
        return _exists(lambda: lab.client("iam").get_user(UserName=self.name))

    def delete(self, lab) -> None:
        self.removed(lab, lambda: lab.client("iam").delete_user(UserName=self.name))

    def forget(self, lab) -> None:
        """The user, and whatever else the record held about its parts (gone with it)."""
        parts = (AccessKey.kind, MfaDevice.kind, Membership.kind, UserPolicy.kind)
        for entry in record.created(lab.account_id):
            if (entry.key == self.made().key or (entry.kind in parts and entry.parent == self.name)
                    or (entry.kind == LoginProfile.kind and entry.name == self.name)):
                record.forget(lab.account_id, entry)

    def parts(self, lab) -> list[Kind]:
        """What AWS requires removed before the user, as the account holds it now."""
        iam = lab.client("iam")
        found: list[Kind] = [AccessKey(self.name, k["AccessKeyId"])
                             for k in iam.list_access_keys(UserName=self.name)["AccessKeyMetadata"]]
        if LoginProfile(self.name).exists(lab):
            found.append(LoginProfile(self.name))
        found += [MfaDevice(self.name, d["SerialNumber"], assigned=True)
                  for d in iam.list_mfa_devices(UserName=self.name)["MFADevices"]]
        found += [Membership(self.name, g["GroupName"])
                  for g in _paged(iam.get_paginator("list_groups_for_user"), "Groups", UserName=self.name)]
        found += [UserPolicy(self.name, p["PolicyArn"])
                  for p in _paged(iam.get_paginator("list_attached_user_policies"), "AttachedPolicies", UserName=self.name)]
        found += [UserPolicy(self.name, n, inline=True)
                  for n in _paged(iam.get_paginator("list_user_policies"), "PolicyNames", UserName=self.name)]
        return found

    @staticmethod
    def tagged(lab) -> list[str]:
        """Every IAM user that carries the lab's tag (what clean-up may remove without a record)."""
        iam = lab.client("iam")
        found = []
        for user in _paged(iam.get_paginator("list_users"), "Users"):
            tags = user.get("Tags")
            if tags is None:
                tags = iam.list_user_tags(UserName=user["UserName"]).get("Tags", [])
            if any(t["Key"] == TAG_KEY and t["Value"] == TAG_VALUE for t in tags):
                found.append(user["UserName"])
        return found

    @classmethod
    def from_made(cls, made: Made) -> User:
        return cls(made.name)


@dataclass
class Group(Kind):
    name: str
    kind: ClassVar[str] = "group"
    phase: ClassVar[str] = "group"
    creating: ClassVar[str] = "create the group"

    def made(self) -> Made:
        return Made(self.kind, self.name)

    @property
    def what(self) -> str:
        return f"group {self.name}"

    def create(self, lab) -> dict:
        lab.require_write(self.creating)
        group = lab.client("iam").create_group(GroupName=self.name)["Group"]
        self.remember(lab)
        return group

    def exists(self, lab) -> bool:
        return _exists(lambda: lab.client("iam").get_group(GroupName=self.name, MaxItems=1))

    def delete(self, lab) -> None:
        self.removed(lab, lambda: lab.client("iam").delete_group(GroupName=self.name))

    def forget(self, lab) -> None:
        """The group, its policies' entries, and memberships in it (gone with it)."""
        for entry in record.created(lab.account_id):
            if entry.key == self.made().key or (entry.kind == GroupPolicy.kind and entry.parent == self.name) or (
                    entry.kind == Membership.kind and entry.name == self.name):
                record.forget(lab.account_id, entry)

    def members(self, lab) -> list[str]:
        return [u["UserName"] for u in _paged(lab.client("iam").get_paginator("get_group"), "Users", GroupName=self.name)]

    def parts(self, lab, leaving: set[str] = frozenset()) -> list[Kind]:
        """What AWS requires removed before the group: members (but those of `leaving`, whose
        membership goes with the user) and policies."""
        iam = lab.client("iam")
        found: list[Kind] = [Membership(user, self.name, user_stays=True)
                             for user in self.members(lab) if user not in leaving]
        found += [GroupPolicy(self.name, p["PolicyArn"])
                  for p in _paged(iam.get_paginator("list_attached_group_policies"), "AttachedPolicies", GroupName=self.name)]
        found += [GroupPolicy(self.name, n, inline=True)
                  for n in _paged(iam.get_paginator("list_group_policies"), "PolicyNames", GroupName=self.name)]
        return found

    @classmethod
    def from_made(cls, made: Made) -> Group:
        return cls(made.name)


@dataclass
class _AttachedPolicy(Kind):
    """A managed policy attached to (or, `inline`, an inline policy of) a user or a group."""

    owner: str
    policy: str                 # the managed policy's ARN, or the inline policy's name
    inline: bool = False
    holder: ClassVar[str] = ""  # "user" or "group"

    def made(self) -> Made:
        return Made(self.kind, self.policy, self.owner, {"inline": True} if self.inline else {})

    @property
    def creating(self) -> str:
        return "attach the policy" if self.holder == "group" else f"attach {_policy_name(self.policy)}"

    @property
    def what(self) -> str:
        if self.inline:
            return f"inline policy {self.policy} of {self.holder} {self.owner}"
        return f"policy {_policy_name(self.policy)} attached to {self.holder} {self.owner}"

    @property
    def gone(self) -> str:
        return f"policy {self.policy} on {self.owner}"

    def create(self, lab) -> None:
        if self.inline:
            raise LabError("The lab attaches managed policies only; it makes no inline policies.")
        lab.require_write(self.creating)
        iam = lab.client("iam")
        if self.holder == "group":
            iam.attach_group_policy(GroupName=self.owner, PolicyArn=self.policy)
        else:
            iam.attach_user_policy(UserName=self.owner, PolicyArn=self.policy)
        self.remember(lab)

    def exists(self, lab) -> bool:
        iam = lab.client("iam")
        try:
            if self.holder == "group":
                listed = (_paged(iam.get_paginator("list_group_policies"), "PolicyNames", GroupName=self.owner)
                          if self.inline else [p["PolicyArn"] for p in _paged(
                              iam.get_paginator("list_attached_group_policies"), "AttachedPolicies",
                              GroupName=self.owner)])
            else:
                listed = (_paged(iam.get_paginator("list_user_policies"), "PolicyNames", UserName=self.owner)
                          if self.inline else [p["PolicyArn"] for p in _paged(
                              iam.get_paginator("list_attached_user_policies"), "AttachedPolicies",
                              UserName=self.owner)])
        except ClientError as error:
            if missing(error):
                return False
            raise
        return self.policy in listed

    def delete(self, lab) -> None:
        iam = lab.client("iam")

        def remove():
            if self.holder == "group" and self.inline:
                iam.delete_group_policy(GroupName=self.owner, PolicyName=self.policy)
            elif self.holder == "group":
                iam.detach_group_policy(GroupName=self.owner, PolicyArn=self.policy)
            elif self.inline:
                iam.delete_user_policy(UserName=self.owner, PolicyName=self.policy)
            else:
                iam.detach_user_policy(UserName=self.owner, PolicyArn=self.policy)
        self.removed(lab, remove)

    @classmethod
    def from_made(cls, made: Made):
        return cls(made.parent or "", made.name, bool(made.info.get("inline")))


@dataclass
class GroupPolicy(_AttachedPolicy):
    kind: ClassVar[str] = "group_policy"
    phase: ClassVar[str] = "group policy"
    holder: ClassVar[str] = "group"


@dataclass
class UserPolicy(_AttachedPolicy):
    kind: ClassVar[str] = "user_policy"
    phase: ClassVar[str] = "user policy"
    holder: ClassVar[str] = "user"


@dataclass
class Membership(Kind):
    user: str
    group: str
    user_stays: bool = field(default=False, compare=False)  # clean-up: the group goes, the user stays
    kind: ClassVar[str] = "group_membership"
    creating: ClassVar[str] = "add the user to the group"

    @property
    def phase(self) -> str:  # type: ignore[override]
        return "group member" if self.user_stays else "group membership"

    def made(self) -> Made:
        return Made(self.kind, self.group, self.user)

    @property
    def what(self) -> str:
        if self.user_stays:
            return f"member {self.user} of group {self.group} (the user stays)"
        return f"membership of user {self.user} in group {self.group}"

    @property
    def gone(self) -> str:
        return f"membership of {self.user} in {self.group}"

    def create(self, lab) -> None:
        lab.require_write(self.creating)
        lab.client("iam").add_user_to_group(GroupName=self.group, UserName=self.user)
        self.remember(lab)

    def exists(self, lab) -> bool:
        try:
            groups = _paged(lab.client("iam").get_paginator("list_groups_for_user"), "Groups", UserName=self.user)
        except ClientError as error:
            if missing(error):
                return False
            raise
        return self.group in [g["GroupName"] for g in groups]

    def delete(self, lab) -> None:
        self.removed(lab, lambda: lab.client("iam").remove_user_from_group(GroupName=self.group, UserName=self.user))

    @classmethod
    def from_made(cls, made: Made) -> Membership:
        return cls(made.parent or "", made.name)


@dataclass
class LoginProfile(Kind):
    user: str
    kind: ClassVar[str] = "login_profile"
    phase: ClassVar[str] = "login profile"
    creating: ClassVar[str] = "create the user's password"

    def made(self) -> Made:
        return Made(self.kind, self.user)

    @property
    def what(self) -> str:
        return f"console password (login profile) of user {self.user}"

    @property
    def gone(self) -> str:
        return f"console password of {self.user}"

    def create(self, lab, password: str, reset_required: bool = True) -> None:
        lab.require_write(self.creating)
        lab.client("iam").create_login_profile(UserName=self.user, Password=password,
                                               PasswordResetRequired=reset_required)
        self.remember(lab)

    def exists(self, lab) -> bool:
        return _exists(lambda: lab.client("iam").get_login_profile(UserName=self.user))

    def delete(self, lab) -> None:
        self.removed(lab, lambda: lab.client("iam").delete_login_profile(UserName=self.user))

    @classmethod
    def from_made(cls, made: Made) -> LoginProfile:
        return cls(made.name)


@dataclass
class AccessKey(Kind):
    user: str | None
    key_id: str | None = None   # known once made
    kind: ClassVar[str] = "access_key"
    phase: ClassVar[str] = "access key"
    creating: ClassVar[str] = "create the access key"

    def made(self) -> Made:
        return Made(self.kind, str(self.key_id), self.user)

    @property
    def what(self) -> str:
        return f"access key {self.key_id} of user {self.user}"

    @property
    def gone(self) -> str:
        return f"access key {self.key_id}"

    def create(self, lab) -> dict:
        """CreateAccessKey: the key with its secret (kept out of every log), shown once."""
        from awslab.redaction import keep_out_of_logs

        lab.require_write(self.creating)
        key = lab.client("iam").create_access_key(UserName=self.user)["AccessKey"]
        keep_out_of_logs(key["SecretAccessKey"])
        self.key_id = key["AccessKeyId"]
        self.remember(lab)
        return key

    def exists(self, lab) -> bool:
        if not self.user or not self.key_id:
            return False
        try:
            keys = lab.client("iam").list_access_keys(UserName=self.user)["AccessKeyMetadata"]
        except ClientError as error:
            if missing(error):
                return False
            raise
        return self.key_id in [k["AccessKeyId"] for k in keys]

    def delete(self, lab) -> None:
        self.removed(lab, lambda: lab.client("iam").delete_access_key(UserName=self.user, AccessKeyId=self.key_id))

    @classmethod
    def from_made(cls, made: Made) -> AccessKey:
        return cls(made.parent, made.name)


def is_root_device(device: dict) -> bool:
    """An assigned virtual MFA device of the root user: its User is the root ARN (AWS), or it
    has none although assigned (the sandbox leaves it out), or it has root's default name."""
    user = device.get("User")
    if user is not None:
        return str(user.get("Arn", "")).endswith(":root")
    return bool(device.get("EnableDate")) or device["SerialNumber"].endswith(":mfa/root-account-mfa-device")


@dataclass
class MfaDevice(Kind):
    """A virtual MFA device: a user's (notebook 02's optional step), or root's (notebook 01),
    which clean-up never removes."""

    user: str | None            # the IAM user, "root", or None when unknown
    serial: str
    assigned: bool | None = field(default=None, compare=False)   # read by exists()
    root: bool = field(default=False, compare=False)
    kind: ClassVar[str] = "mfa_device"
    phase: ClassVar[str] = "MFA device"
    creating: ClassVar[str] = "create a virtual MFA device"

    def made(self) -> Made:
        return Made(self.kind, self.serial, self.user)

    @property
    def what(self) -> str:
        if self.root:
            return f"the root user's MFA device {self.serial}"
        if not self.assigned:
            return f"unassigned virtual MFA device {self.serial}"
        return f"MFA device {self.serial} of user {self.user} (deactivated, then deleted)"

    @property
    def gone(self) -> str:
        return f"MFA device {self.serial}"

    def create(self, lab, device_name: str) -> dict:
        """CreateVirtualMFADevice for this user (unassigned until enable()): the device with
        its seed and QR code (secrets: shown once)."""
        from awslab.redaction import keep_out_of_logs

        lab.require_write(self.creating)
        device = lab.client("iam").create_virtual_mfa_device(VirtualMFADeviceName=device_name)["VirtualMFADevice"]
        keep_out_of_logs(str(device.get("Base32StringSeed", "")))
        self.serial, self.assigned = device["SerialNumber"], False
        self.remember(lab, assigned=False)
        return device

    def enable(self, lab, code1: str, code2: str) -> None:
        """EnableMFADevice with two consecutive codes: assigned to the user."""
        lab.require_write("assign the MFA device")
        lab.client("iam").enable_mfa_device(UserName=self.user, SerialNumber=self.serial,
                                            AuthenticationCode1=code1, AuthenticationCode2=code2)
        self.assigned = True
        self.remember(lab, assigned=True)

    def _virtual(self, lab) -> dict | None:
        devices = _paged(lab.client("iam").get_paginator("list_virtual_mfa_devices"), "VirtualMFADevices")
        return next((d for d in devices if d["SerialNumber"] == self.serial), None)

    def exists(self, lab) -> bool:
        """There, assigned or not (and whose: root's stays)."""
        device = self._virtual(lab)
        if device is not None:
            owner = str(device.get("User", {}).get("Arn", ""))
            self.assigned = bool(device.get("EnableDate") or owner)
            self.root = self.assigned and (self.user == "root" or is_root_device(device))
            if self.assigned and not self.root:
                if ":user/" in owner and self.user in (None, "root"):
                    self.user = owner.rsplit("/", 1)[-1]
                return self._assigned_to_user(lab)
            return True
        if self.user and self.user != "root" and self._assigned_to_user(lab):
            self.assigned = True   # a hardware device, or one the sandbox lists only per user
            return True
        return False

    def _assigned_to_user(self, lab) -> bool:
        try:
            devices = lab.client("iam").list_mfa_devices(UserName=self.user)["MFADevices"]
        except ClientError as error:
            if missing(error):
                return False
            raise
        return self.serial in [d["SerialNumber"] for d in devices]

    def stays(self, lab) -> str | None:
        if self.root:
            return "the lab never weakens the root user: only root can remove its MFA, in the console"
        return None

    def delete(self, lab) -> None:
        """A user's device is deactivated, then deleted; an unassigned one deleted; root's never."""
        if self.assigned is None:
            self.exists(lab)
        if self.root:
            raise LabError("The lab never removes the root user's MFA device: only root can, in the console.",
                           code=Code.Conflict)
        iam = lab.client("iam")

        def remove():
            if self.assigned:
                iam.deactivate_mfa_device(UserName=self.user, SerialNumber=self.serial)
            if ":mfa/" in self.serial:  # a virtual device: its entity goes too
                try:
                    iam.delete_virtual_mfa_device(SerialNumber=self.serial)
                except ClientError as error:
                    if not (missing(error) and self.assigned):
                        raise
        self.removed(lab, remove)

    @classmethod
    def from_made(cls, made: Made) -> MfaDevice:
        return cls(made.parent, made.name)


# --- the account (notebooks 03 and 04) -------------------------------------------------------------

@dataclass
class Alias(Kind):
    alias: str
    previous: str | None = None   # the alias the account had before the lab: put back
    kind: ClassVar[str] = "alias"
    phase: ClassVar[str] = "alias"
    creating: ClassVar[str] = "set the account alias"

    def made(self) -> Made:
        return Made(self.kind, self.alias, None, {"previous": self.previous})

    @property
    def what(self) -> str:
        if self.previous:
            return f"account alias {self.alias} (back to {self.previous}, the alias the account had before)"
        return f"account alias {self.alias} (the sign-in URL goes back to the account ID)"

    @property
    def gone(self) -> str:
        return f"account alias {self.alias}"

    @staticmethod
    def current(lab) -> str | None:
        aliases = lab.client("iam").list_account_aliases()["AccountAliases"]
        return aliases[0] if aliases else None

    def create(self, lab) -> None:
        """CreateAccountAlias (an account has one: it replaces the one before, which the record
        keeps, so clean-up puts back the alias the account had before the lab touched it)."""
        lab.require_write(self.creating)
        before = self.current(lab)
        lab.client("iam").create_account_alias(AccountAlias=self.alias)
        original = before
        for entry in record.created(lab.account_id):
            if entry.kind == self.kind and entry.name == before:   # the lab's own, replaced
                original = entry.get("previous")
                record.forget(lab.account_id, entry)
        self.previous = original
        self.remember(lab)

    def exists(self, lab) -> bool:
        return self.alias in lab.client("iam").list_account_aliases()["AccountAliases"]

    def delete(self, lab) -> None:
        iam = lab.client("iam")

        def remove():
            iam.delete_account_alias(AccountAlias=self.alias)
            if self.previous:
                iam.create_account_alias(AccountAlias=self.previous)
        self.removed(lab, remove)

    @classmethod
    def from_made(cls, made: Made) -> Alias:
        return cls(made.name, made.info.get("previous"))


@dataclass
class Region(Kind):
    code: str
    status: str | None = field(default=None, compare=False)   # read by exists()
    kind: ClassVar[str] = "region"
    phase: ClassVar[str] = "region"

    def made(self) -> Made:
        return Made(self.kind, self.code)

    @property
    def what(self) -> str:
        return f"Region {self.code} (disabled again)"

    @property
    def gone(self) -> str:
        return f"Region {self.code} ({(self.status or 'disabled').lower()})"

    @property
    def kept_as(self) -> str:
        return f"Region {self.code}"

    def read(self, lab) -> str:
        self.status = lab.client("account").get_region_opt_status(RegionName=self.code).get("RegionOptStatus", "")
        return self.status

    def create(self, lab) -> None:
        lab.require_write(f"enable the Region {self.code}")
        lab.client("account").enable_region(RegionName=self.code)
        self.remember(lab)

    def exists(self, lab) -> bool:
        return self.read(lab) not in ("DISABLED", "DISABLING")

    def stays(self, lab) -> str | None:
        if self.status == "ENABLED_BY_DEFAULT":
            return "it is enabled by default and can't be disabled"
        return None

    def delete(self, lab) -> None:
        """DisableRegion, once AWS has finished enabling it (it can't disable one ENABLING)."""
        deadline = time.monotonic() + (30 if lab.sandbox else 5)
        while self.read(lab) == "ENABLING":
            if time.monotonic() > deadline:
                raise LabError(f"Region {self.code} is still being enabled, and AWS can't disable a Region "
                               "until that ends: run the clean-up again later.", code=Code.StillEnabling)
            time.sleep(0.5)
        lab.client("account").disable_region(RegionName=self.code)
        self.forget(lab)

    @classmethod
    def from_made(cls, made: Made) -> Region:
        return cls(made.name)


POLICY_FIELDS = ("MinimumPasswordLength", "RequireSymbols", "RequireNumbers", "RequireUppercaseCharacters",
                 "RequireLowercaseCharacters", "AllowUsersToChangePassword", "MaxPasswordAge",
                 "PasswordReusePrevention", "HardExpiry")


def restorable_policy(policy: dict) -> dict:
    """The UpdateAccountPasswordPolicy arguments that give back `policy` (unset numbers left out)."""
    return {k: v for k, v in policy.items()
            if k in POLICY_FIELDS and not (k in ("MaxPasswordAge", "PasswordReusePrevention") and not v)}


@dataclass
class PasswordPolicy(Kind):
    """The account's password policy; clean-up puts back the one it had before the lab."""

    previous: dict | None = None
    kind: ClassVar[str] = "password_policy"
    phase: ClassVar[str] = "password policy"
    creating: ClassVar[str] = "set the account's password policy"

    def made(self) -> Made:
        return Made(self.kind, "account", None, {"previous": self.previous})

    @property
    def what(self) -> str:
        return ("the account's password policy, back to what it was before the lab" if self.previous else
                "the account's password policy (there was none before the lab)")

    @property
    def gone(self) -> str:
        return "the account's password policy"

    @staticmethod
    def current(lab) -> dict | None:
        try:
            return lab.client("iam").get_account_password_policy()["PasswordPolicy"]
        except ClientError as error:
            if code_of(error) == Code.NoSuchEntity:
                return None
            raise

    def create(self, lab, **params) -> dict:
        """UpdateAccountPasswordPolicy(**params); the policy before the lab's first change is
        recorded (once) so clean-up puts it back. Returns params."""
        lab.require_write(self.creating)
        recorded = record.was_created(lab.account_id, self.kind, "account")
        before = None if recorded else self.current(lab)
        lab.client("iam").update_account_password_policy(**params)
        if not recorded:
            self.previous = restorable_policy(before) if before else None
            self.remember(lab)
        return params

    def exists(self, lab) -> bool:
        """Something to put back: a policy now, or one from before."""
        return bool(self.previous) or self.current(lab) is not None

    def delete(self, lab) -> None:
        """Back to the policy from before the lab, or none."""
        iam = lab.client("iam")
        if self.previous:
            iam.update_account_password_policy(**restorable_policy(self.previous))
        else:
            try:
                iam.delete_account_password_policy()
            except ClientError as error:
                if not missing(error):
                    raise
        self.forget(lab)

    @classmethod
    def from_made(cls, made: Made) -> PasswordPolicy:
        return cls(made.info.get("previous"))


SECURITY = "SECURITY"


@dataclass
class SecurityContact(Kind):
    """The account's security contact (an alternate contact); clean-up puts back the one it
    had before the lab, or deletes the lab's."""

    previous: dict | None = None
    kind: ClassVar[str] = "security_contact"
    phase: ClassVar[str] = "security contact"
    creating: ClassVar[str] = "register the account's security contact"

    def made(self) -> Made:
        return Made(self.kind, SECURITY, None, {"previous": self.previous})

    @property
    def what(self) -> str:
        return ("the account's security contact, back to the one it had before the lab" if self.previous else
                "the account's security contact (there was none before the lab)")

    @property
    def gone(self) -> str:
        return "the account's security contact"

    @staticmethod
    def current(lab) -> dict | None:
        """GetAlternateContact(SECURITY), or None when none is registered."""
        try:
            return lab.client("account").get_alternate_contact(AlternateContactType=SECURITY)["AlternateContact"]
        except ClientError as error:
            if code_of(error) == Code.ResourceNotFoundException:
                return None
            raise

    def create(self, lab, name: str, title: str, email: str, phone: str) -> dict:
        """PutAlternateContact(SECURITY); the contact before the lab's first change is recorded
        (once). Returns the contact as registered."""
        lab.require_write(self.creating)
        recorded = record.was_created(lab.account_id, self.kind, SECURITY)
        before = None if recorded else self.current(lab)
        contact = {"AlternateContactType": SECURITY, "Name": name, "Title": title,
                   "EmailAddress": email, "PhoneNumber": phone}
        lab.client("account").put_alternate_contact(**contact)
        if not recorded:
            self.previous = {k: before[k] for k in ("Name", "Title", "EmailAddress", "PhoneNumber")
                             if k in before} if before else None
            self.remember(lab)
        return contact

    def exists(self, lab) -> bool:
        return bool(self.previous) or self.current(lab) is not None

    def delete(self, lab) -> None:
        """Back to the contact from before the lab, or none."""
        account = lab.client("account")
        if self.previous:
            account.put_alternate_contact(AlternateContactType=SECURITY, **self.previous)
        else:
            try:
                account.delete_alternate_contact(AlternateContactType=SECURITY)
            except ClientError as error:
                if code_of(error) != Code.ResourceNotFoundException:
                    raise
        self.forget(lab)

    @classmethod
    def from_made(cls, made: Made) -> SecurityContact:
        return cls(made.info.get("previous"))


# --- files on this machine (notebooks 02 and 05) -------------------------------------------------

def aws_file(variable: str, default: str) -> Path:
    """An AWS CLI file: where its environment variable says, else ~/.aws/<default>."""
    return Path(os.environ.get(variable) or Path.home() / ".aws" / default).expanduser()


_SECTION = re.compile(r"^\s*\[\s*(.+?)\s*\]\s*$")


def has_section(path: Path, section: str) -> bool:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError:
        return False
    return re.search(rf"^\s*\[\s*{re.escape(section)}\s*\]\s*$", text, re.M) is not None


def sections(path: Path) -> set[str]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError:
        return set()
    return {m.group(1) for m in re.finditer(_SECTION.pattern, text, re.M)}


def drop_sections(path: Path, names: set[str]) -> bool:
    """Remove whole sections from an INI file, keeping every other line. True if any went."""
    from awslab.home import write_private

    if not any(has_section(path, name) for name in names):
        return False
    kept, skipping = [], False
    for text_line in path.read_text(encoding="utf-8").splitlines(keepends=True):
        header = _SECTION.match(text_line)
        if header:
            skipping = header.group(1) in names
        if not skipping:
            kept.append(text_line)
    write_private(path, "".join(kept))
    return True


@dataclass
class CliProfile(Kind):
    """An AWS CLI profile holding a user's access key: a section of the shared credentials file
    and one of the config file."""

    profile: str
    key: str | None = None
    credentials_file: str | None = None
    config_file: str | None = None
    user: str | None = None
    kind: ClassVar[str] = "cli_profile"
    phase: ClassVar[str] = "CLI profile"

    def made(self) -> Made:
        info = {k: v for k, v in (("key", self.key), ("credentials_file", self.credentials_file),
                                   ("config_file", self.config_file), ("user", self.user)) if v}
        return Made(self.kind, self.profile, None, info)

    def files(self) -> list[tuple[Path, str]]:
        """(file, section) pairs: the files the record names, else the AWS CLI's defaults."""
        config_name = "default" if self.profile == "default" else f"profile {self.profile}"
        credentials = self.credentials_file or aws_file("AWS_SHARED_CREDENTIALS_FILE", "credentials")
        config = self.config_file or aws_file("AWS_CONFIG_FILE", "config")
        return [(Path(credentials), self.profile), (Path(config), config_name)]

    @property
    def what(self) -> str:
        return f"AWS CLI profile {self.profile} (in the AWS CLI's credentials and config files)"

    @property
    def gone(self) -> str:
        return f"AWS CLI profile {self.profile}"

    def describe(self, lab) -> str:
        """`what`, saying which of its files the lab made (and so removes once empty)."""
        made = [str(p) for p, _s in self.files() if record.was_created(lab.account_id, CliFile.kind, str(p))]
        note = ("; the lab created those files, so each goes too once nothing else is left in it" if len(made) == 2
                else f"; the lab created {made[0]}, so it goes too once nothing else is left in it" if made else "")
        return f"AWS CLI profile {self.profile} (in the AWS CLI's credentials and config files{note})"

    def create(self, lab, access_key_id: str, secret_access_key: str, *, replace: bool = False) -> Path:
        """The profile in the AWS CLI's files (awslab.credentials_file.save_cli_profile, which
        records it, and each file it creates)."""
        from awslab.credentials_file import save_cli_profile

        return save_cli_profile(lab, self.profile, access_key_id, secret_access_key, replace=replace)

    def exists(self, lab) -> bool:
        return any(has_section(p, s) for p, s in self.files())

    def delete(self, lab) -> None:
        """The profile's sections go, every other line stays; a file the lab created that is
        left empty goes too."""
        for path, section in self.files():
            if drop_sections(path, {section}):
                CliFile(str(path)).settle(lab)
        self.forget(lab)

    def belongs_to(self, users: set[str], keys: set[str] = frozenset()) -> bool:
        """Whether it holds the keys of one of `users` (or one of `keys`)."""
        if self.key and self.key in keys:
            return True
        if self.user:
            return self.user in users
        return any(self.profile in (user, f"awslab-{user}") for user in users)

    @classmethod
    def from_made(cls, made: Made) -> CliProfile:
        return cls(made.name, made.info.get("key"), made.info.get("credentials_file"),
                   made.info.get("config_file"), made.info.get("user"))


@dataclass
class CliFile(Kind):
    """An AWS CLI file (credentials or config) the lab created: it goes once empty; one that
    holds only what is not the lab's (the learner's own profiles) is the learner's."""

    path: str
    kind: ClassVar[str] = "cli_file"
    phase: ClassVar[str] = "credentials file"

    def made(self) -> Made:
        return Made(self.kind, self.path)

    @property
    def what(self) -> str:
        return f"AWS CLI file {self.path} (the lab created it; it is empty)"

    @property
    def gone(self) -> str:
        return f"AWS CLI file {self.path}"

    def exists(self, lab) -> bool:
        return Path(self.path).exists()

    def stays(self, lab) -> str | None:
        try:
            empty = not Path(self.path).read_text(encoding="utf-8").strip()
        except OSError:
            return None
        return None if empty else ""   # it goes (or is forgotten) with the lab's profile in it

    def delete(self, lab) -> None:
        Path(self.path).unlink(missing_ok=True)
        self.forget(lab)

    def settle(self, lab) -> None:
        """After a profile left it: removed once empty; forgotten once it holds nothing of the lab's."""
        if not record.was_created(lab.account_id, self.kind, self.path):
            return
        path = Path(self.path)
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            self.forget(lab)
            return
        if not text.strip():
            self.delete(lab)
            return
        labs = {s for e in record.created(lab.account_id) if e.kind == CliProfile.kind
                for p, s in CliProfile.from_made(e).files() if str(p) == self.path}
        labs |= {s for e in record.created(lab.account_id) if e.kind == SsoProfile.kind
                 and str(SsoProfile.from_made(e).path()) == self.path
                 for s in SsoProfile.from_made(e).section_names()}
        if not sections(path) & labs:
            self.forget(lab)

    @classmethod
    def from_made(cls, made: Made) -> CliFile:
        return cls(made.name)


@dataclass
class CredentialsCsv(Kind):
    """The lab's copy of a user's credentials .csv (AWSLAB_HOME/credentials, mode 0600)."""

    user: str | None
    path: str | None = None
    kind: ClassVar[str] = "csv"
    phase: ClassVar[str] = "credentials file"

    def where(self, lab) -> Path:
        from awslab.credentials_file import credentials_csv_path

        return Path(self.path) if self.path else credentials_csv_path(lab.account_id, str(self.user))

    def made(self) -> Made:
        return Made(self.kind, str(self.path), self.user)

    @property
    def what(self) -> str:
        return f"credentials file {self.path}"

    def create(self, lab, text: str) -> Path:
        from awslab.credentials_file import write_credentials_csv

        path = write_credentials_csv(lab.account_id, text, str(self.user))   # records it
        self.path = str(path)
        return path

    def exists(self, lab) -> bool:
        return self.where(lab).exists()

    def delete(self, lab) -> None:
        path = self.where(lab)
        self.path = str(path)
        path.unlink(missing_ok=True)
        record.forget(lab.account_id, self.kind, str(path))

    def belongs_to(self, users: set[str]) -> bool:
        if self.user:
            return self.user in users
        name = Path(str(self.path)).name
        return any(name.endswith(f"-{user}_credentials.csv") for user in users)

    @classmethod
    def from_made(cls, made: Made) -> CredentialsCsv:
        return cls(made.parent, made.name)


# --- IAM Identity Center (notebook 05) ---------------------------------------------------------------

def _s05():
    from awslab.steps import s05_identity_center

    return s05_identity_center


def _instance(lab) -> dict | None:
    """The organization instance, or None when there is no organization or no instance (a
    refusal to read them is raised, as a LabError: never taken for "gone")."""
    return _s05().status(lab)["instance"]


def _store(lab):
    found = _instance(lab)
    if found is None:
        raise _gone("IAM Identity Center")
    return lab.client("identitystore"), found["identity_store_id"]


class _StoreEntry(Kind):
    """A user or group of IAM Identity Center's identity store, found by its unique name.
    Subclasses name their fields and make their kind's two calls (`_look_up`, `_remove`)."""

    name_field: ClassVar[str]        # the dataclass field holding the unique name
    id_field: ClassVar[str]          # and the one holding the store's id
    noun: ClassVar[str]              # user / group

    def _look_up(self, ids, store: str) -> str:
        raise NotImplementedError

    def _remove(self, ids, store: str, found: str) -> None:
        raise NotImplementedError

    @staticmethod
    def _unique(path: str, value: str) -> dict:
        return {"UniqueAttribute": {"AttributePath": path, "AttributeValue": value}}

    @property
    def entry_name(self) -> str:
        return getattr(self, self.name_field)

    @property
    def entry_id(self) -> str | None:
        return getattr(self, self.id_field)

    def made(self) -> Made:
        return Made(self.kind, self.entry_name, None, {"id": self.entry_id} if self.entry_id else {})

    @property
    def what(self) -> str:
        return f"IAM Identity Center {self.noun} {self.entry_name}"

    def find(self, lab) -> str | None:
        try:
            ids, store = _store(lab)
            return self._look_up(ids, store)
        except ClientError as error:
            if missing(error):
                return None
            raise

    def exists(self, lab) -> bool:
        found = self.find(lab)
        setattr(self, self.id_field, found or self.entry_id)
        return found is not None

    def delete(self, lab) -> None:
        def remove():
            ids, store = _store(lab)
            found = self.find(lab)
            if found is None:
                raise _gone(self.what)
            self._remove(ids, store, found)
        self.removed(lab, remove)

    @classmethod
    def from_made(cls, made: Made):
        return cls(made.name, made.info.get("id"))


@dataclass
class SsoUser(_StoreEntry):
    """A person's user in IAM Identity Center's identity store."""

    user_name: str
    user_id: str | None = None
    kind: ClassVar[str] = "sso_user"
    phase: ClassVar[str] = "SSO user"
    creating: ClassVar[str] = "create a user in IAM Identity Center"
    name_field: ClassVar[str] = "user_name"
    id_field: ClassVar[str] = "user_id"
    noun: ClassVar[str] = "user"

    def _look_up(self, ids, store: str) -> str:
        return ids.get_user_id(IdentityStoreId=store,
                               AlternateIdentifier=self._unique("userName", self.user_name))["UserId"]

    def _remove(self, ids, store: str, found: str) -> None:
        ids.delete_user(IdentityStoreId=store, UserId=found)

    def create(self, lab, given_name: str, family_name: str, email: str) -> str:
        lab.require_write(self.creating)
        ids, store = _store(lab)
        self.user_id = ids.create_user(
            IdentityStoreId=store, UserName=self.user_name, DisplayName=f"{given_name} {family_name}",
            Name={"GivenName": given_name, "FamilyName": family_name},
            Emails=[{"Value": email, "Type": "work", "Primary": True}])["UserId"]
        self.remember(lab)
        return self.user_id


@dataclass
class SsoGroup(_StoreEntry):
    """A group of IAM Identity Center's identity store."""

    group_name: str
    group_id: str | None = None
    kind: ClassVar[str] = "sso_group"
    phase: ClassVar[str] = "SSO group"
    creating: ClassVar[str] = "create a group in IAM Identity Center"
    name_field: ClassVar[str] = "group_name"
    id_field: ClassVar[str] = "group_id"
    noun: ClassVar[str] = "group"

    def _look_up(self, ids, store: str) -> str:
        return ids.get_group_id(IdentityStoreId=store,
                                AlternateIdentifier=self._unique("displayName", self.group_name))["GroupId"]

    def _remove(self, ids, store: str, found: str) -> None:
        ids.delete_group(IdentityStoreId=store, GroupId=found)

    def create(self, lab, description: str = "People with administrator access (awslab)") -> str:
        lab.require_write(self.creating)
        ids, store = _store(lab)
        self.group_id = ids.create_group(IdentityStoreId=store, DisplayName=self.group_name,
                                         Description=description)["GroupId"]
        self.remember(lab)
        return self.group_id


@dataclass
class SsoMembership(Kind):
    user_name: str
    group_name: str
    kind: ClassVar[str] = "sso_membership"
    phase: ClassVar[str] = "SSO group membership"
    creating: ClassVar[str] = "add the person to the group"

    def made(self) -> Made:
        return Made(self.kind, self.group_name, self.user_name)

    @property
    def what(self) -> str:
        return f"membership of IAM Identity Center user {self.user_name} in group {self.group_name}"

    def _ids(self, lab) -> tuple[str | None, str | None]:
        return SsoUser(self.user_name).find(lab), SsoGroup(self.group_name).find(lab)

    def create(self, lab) -> None:
        lab.require_write(self.creating)
        ids, store = _store(lab)
        user_id, group_id = self._ids(lab)
        ids.create_group_membership(IdentityStoreId=store, GroupId=group_id, MemberId={"UserId": user_id})
        self.remember(lab)

    def _membership_id(self, lab) -> str | None:
        user_id, group_id = self._ids(lab)
        if user_id is None or group_id is None:
            return None
        ids, store = _store(lab)
        try:
            return ids.get_group_membership_id(IdentityStoreId=store, GroupId=group_id,
                                               MemberId={"UserId": user_id})["MembershipId"]
        except ClientError as error:
            if missing(error):
                return None
            raise

    def exists(self, lab) -> bool:
        return self._membership_id(lab) is not None

    def delete(self, lab) -> None:
        def remove():
            membership = self._membership_id(lab)
            if membership is None:
                raise _gone(self.what)
            ids, store = _store(lab)
            ids.delete_group_membership(IdentityStoreId=store, MembershipId=membership)
        self.removed(lab, remove)

    @classmethod
    def from_made(cls, made: Made) -> SsoMembership:
        return cls(made.parent or "", made.name)


@dataclass
class PermissionSet(Kind):
    name: str
    arn: str | None = None
    kind: ClassVar[str] = "permission_set"
    phase: ClassVar[str] = "permission set"
    creating: ClassVar[str] = "create a permission set"

    def made(self) -> Made:
        return Made(self.kind, self.name, None, {"arn": self.arn} if self.arn else {})

    @property
    def what(self) -> str:
        return f"permission set {self.name}"

    def create(self, lab, session_duration: str = "PT1H",
               description: str = "awslab: administrator access") -> dict:
        lab.require_write(self.creating)
        instance = _instance(lab)
        if instance is None:
            raise _gone("IAM Identity Center")
        found = lab.client("sso-admin").create_permission_set(
            InstanceArn=instance["arn"], Name=self.name, SessionDuration=session_duration,
            Description=description)["PermissionSet"]
        self.arn = found["PermissionSetArn"]
        self.remember(lab)
        return found

    def find(self, lab) -> str | None:
        instance = _instance(lab)
        if instance is None:
            return None
        sso = lab.client("sso-admin")
        for arn in _paged(sso.get_paginator("list_permission_sets"), "PermissionSets", InstanceArn=instance["arn"]):
            found = sso.describe_permission_set(InstanceArn=instance["arn"], PermissionSetArn=arn)["PermissionSet"]
            if found["Name"] == self.name:
                return arn
        return None

    def exists(self, lab) -> bool:
        found = self.find(lab)
        self.arn = found or self.arn
        return found is not None

    def delete(self, lab) -> None:
        def remove():
            arn = self.find(lab)
            if arn is None:
                raise _gone(self.what)
            lab.client("sso-admin").delete_permission_set(InstanceArn=_instance(lab)["arn"], PermissionSetArn=arn)
        self.removed(lab, remove)

    @classmethod
    def from_made(cls, made: Made) -> PermissionSet:
        return cls(made.name, made.info.get("arn"))


@dataclass
class AccountAssignment(Kind):
    """A permission set assigned to a group (or user) on this account. AWS provisions the role
    AWSReservedSSO_<set>_<hex> for it, and deletes that role when the last assignment of the
    set on the account goes: both take a moment (IN_PROGRESS, then SUCCEEDED)."""

    permission_set_arn: str
    principal_id: str
    principal_type: str = "GROUP"
    timeout: float = field(default=120.0, compare=False)
    names: tuple[str, str] | None = field(default=None, compare=False)   # (set, principal), read by exists()
    kind: ClassVar[str] = "account_assignment"
    phase: ClassVar[str] = "account assignment"
    creating: ClassVar[str] = "assign the permission set"

    def made(self) -> Made:
        return Made(self.kind, self.principal_id, self.permission_set_arn,
                    {"permission_set_arn": self.permission_set_arn, "group_id": self.principal_id}
                    if self.principal_type == "GROUP" else {"principal_type": self.principal_type})

    @property
    def what(self) -> str:
        name, principal = self.names or (self.permission_set_arn.rsplit("/", 1)[-1], self.principal_id)
        return (f"assignment of permission set {name} to IAM Identity Center {self.principal_type.lower()} "
                f"{principal} on this account (and the AWSReservedSSO_{name}_… role it provisioned)")

    @property
    def gone(self) -> str:
        return f"assignment of permission set {self.permission_set_arn.rsplit('/', 1)[-1]} to {self.principal_id}"

    def _read_names(self, lab, sso, instance: str) -> None:
        try:
            name = sso.describe_permission_set(InstanceArn=instance, PermissionSetArn=self.permission_set_arn)[
                "PermissionSet"]["Name"]
            ids, store = _store(lab)
            principal = (ids.describe_group(IdentityStoreId=store, GroupId=self.principal_id)["DisplayName"]
                         if self.principal_type == "GROUP" else
                         ids.describe_user(IdentityStoreId=store, UserId=self.principal_id)["UserName"])
            self.names = (name, principal)
        except ClientError:
            pass  # named by its ids

    def _sso(self, lab):
        instance = _instance(lab)
        if instance is None:
            raise _gone("IAM Identity Center")
        return lab.client("sso-admin"), instance["arn"]

    def _target(self, lab) -> dict:
        return {"TargetId": lab.account_id, "TargetType": "AWS_ACCOUNT",
                "PermissionSetArn": self.permission_set_arn, "PrincipalType": self.principal_type,
                "PrincipalId": self.principal_id}

    def _wait(self, lab, status: dict, describe, on_status=None) -> dict:
        """Watch `status` until SUCCEEDED or FAILED, reading it again with describe(request_id)."""
        deadline = time.monotonic() + self.timeout
        while True:
            if on_status is not None:
                on_status(status["Status"])
            if status["Status"] in ("SUCCEEDED", "FAILED"):
                return status
            if time.monotonic() > deadline:
                raise LabError("The account assignment is still in progress after two minutes: run the "
                               "cell again to keep watching it.", code=Code.InProgress)
            time.sleep(0.5)
            status = describe(status["RequestId"])

    def create(self, lab, on_status=None) -> dict:
        """CreateAccountAssignment, watched until SUCCEEDED (the role is provisioned)."""
        lab.require_write(self.creating)
        sso, instance = self._sso(lab)
        status = sso.create_account_assignment(InstanceArn=instance, **self._target(lab))[
            "AccountAssignmentCreationStatus"]
        self.remember(lab)
        status = self._wait(lab, status, lambda request: sso.describe_account_assignment_creation_status(
            InstanceArn=instance, AccountAssignmentCreationRequestId=request)["AccountAssignmentCreationStatus"],
            on_status)
        if status["Status"] == "FAILED":
            raise LabError(f"IAM Identity Center could not assign the permission set: "
                           f"{status.get('FailureReason', 'no reason given')}.")
        return status

    def exists(self, lab) -> bool:
        try:
            sso, instance = self._sso(lab)
            found = _paged(sso.get_paginator("list_account_assignments"), "AccountAssignments", InstanceArn=instance,
                           AccountId=lab.account_id, PermissionSetArn=self.permission_set_arn)
        except ClientError as error:
            if missing(error):
                return False
            raise
        there = any(a["PrincipalType"] == self.principal_type and a["PrincipalId"] == self.principal_id
                    for a in found)
        if there and self.names is None:
            self._read_names(lab, sso, instance)
        return there

    def delete(self, lab) -> None:
        """DeleteAccountAssignment, watched until SUCCEEDED: AWS deletes the provisioned role
        then, and refuses to delete the permission set before."""
        sso, instance = self._sso(lab)
        status = sso.delete_account_assignment(InstanceArn=instance, **self._target(lab))[
            "AccountAssignmentDeletionStatus"]
        status = self._wait(lab, status, lambda request: sso.describe_account_assignment_deletion_status(
            InstanceArn=instance, AccountAssignmentDeletionRequestId=request)["AccountAssignmentDeletionStatus"])
        if status["Status"] == "FAILED":
            raise LabError(f"IAM Identity Center could not delete the account assignment: "
                           f"{status.get('FailureReason', 'no reason given')}.")
        self.forget(lab)

    @classmethod
    def from_made(cls, made: Made) -> AccountAssignment:
        return cls(made.parent or made.info.get("permission_set_arn", ""), made.name,
                   made.info.get("principal_type", "GROUP"))


@dataclass
class SsoProfile(Kind):
    """`[profile NAME]` and `[sso-session NAME]` in the AWS config file (as `aws configure sso`
    writes them); the file goes too when the lab created it and nothing else is left in it."""

    profile: str
    config_file: str | None = None
    config_created: bool = False
    kind: ClassVar[str] = "sso_profile"
    phase: ClassVar[str] = "SSO profile"

    def made(self) -> Made:
        return Made(self.kind, self.profile, None,
                    {"config_file": self.config_file, "config_created": self.config_created})

    def path(self) -> Path:
        return Path(self.config_file) if self.config_file else aws_file("AWS_CONFIG_FILE", "config")

    def section_names(self) -> set[str]:
        return {f"profile {self.profile}", f"sso-session {self.profile}"}

    @property
    def what(self) -> str:
        return f"AWS CLI profile {self.profile} and its sso-session (in {self.path()})"

    @property
    def gone(self) -> str:
        return f"AWS CLI profile {self.profile} (IAM Identity Center)"

    def create(self, lab, portal_url: str, role_name: str) -> Path:
        """The two sections (s05_identity_center.write_sso_profile, which records them)."""
        return _s05().write_sso_profile(lab, self.profile, portal_url, role_name)

    def exists(self, lab) -> bool:
        return any(has_section(self.path(), name) for name in self.section_names())

    def delete(self, lab) -> None:
        path = self.path()
        drop_sections(path, self.section_names())
        self.forget(lab)
        if self.config_created:
            try:
                if not path.read_text(encoding="utf-8").strip():
                    path.unlink()
            except FileNotFoundError:
                pass
        CliFile(str(path)).settle(lab)

    @classmethod
    def from_made(cls, made: Made) -> SsoProfile:
        return cls(made.name, made.info.get("config_file"), bool(made.info.get("config_created")))


@dataclass
class SsoToken(Kind):
    """The access token `aws sso login` leaves in the SSO token cache (~/.aws/sso/cache)."""

    session: str
    path: str | None = None
    kind: ClassVar[str] = "sso_token"
    phase: ClassVar[str] = "SSO token"

    def made(self) -> Made:
        return Made(self.kind, self.session, None, {"path": self.path} if self.path else {})

    def where(self) -> Path:
        return Path(self.path) if self.path else _s05().token_cache_path(self.session)

    @property
    def what(self) -> str:
        return f"the cached IAM Identity Center token of sso-session {self.session} ({self.where()})"

    @property
    def gone(self) -> str:
        return f"the cached token of sso-session {self.session}"

    def exists(self, lab) -> bool:
        return self.where().exists()

    def delete(self, lab) -> None:
        self.where().unlink(missing_ok=True)
        self.forget(lab)

    @classmethod
    def from_made(cls, made: Made) -> SsoToken:
        return cls(made.name, made.info.get("path"))


@dataclass
class IdentityCenter(Kind):
    """The organization instance of IAM Identity Center (enabled in the console: there is no
    API to make or delete one)."""

    arn: str
    kind: ClassVar[str] = "identity_center"
    phase: ClassVar[str] = "IAM Identity Center"
    console_steps: ClassVar[str] = (
        "there is no API to delete an organization instance: in the AWS console open IAM Identity "
        "Center (https://console.aws.amazon.com/singlesignon), Settings, the Management tab, "
        "Delete IAM Identity Center, and confirm (this removes its users, groups, permission sets "
        "and assignments)")

    def made(self) -> Made:
        return Made(self.kind, self.arn)

    @property
    def what(self) -> str:
        return f"IAM Identity Center's organization instance {self.arn}"

    def exists(self, lab) -> bool:
        found = _instance(lab)
        return found is not None and found["arn"] == self.arn

    def stays(self, lab) -> str | None:
        return None if lab.sandbox else self.console_steps

    def delete(self, lab) -> None:
        """In the sandbox, the simulated console's Delete step."""
        if not lab.sandbox:
            raise LabError(self.console_steps[0].upper() + self.console_steps[1:] + ".", code=Code.ConsoleOnly)
        from awslab.sandbox_client import signed_call as _signed

        _signed(lab, "/_awslab/console/identity-center/delete", {"region": lab.region})
        self.forget(lab)

    @classmethod
    def from_made(cls, made: Made) -> IdentityCenter:
        return cls(made.name)


@dataclass
class Organization(Kind):
    """The AWS Organizations organization notebook 05 created (this account its management account)."""

    org_id: str
    kind: ClassVar[str] = "organization"
    phase: ClassVar[str] = "organization"
    console_steps: ClassVar[str] = (
        "the lab does not delete an organization on a real account: once IAM Identity Center is "
        "deleted and no other account is in it, sign in to the AWS Organizations console "
        "(https://console.aws.amazon.com/organizations) as the management account, Settings, "
        "Delete organization, and confirm")

    def made(self) -> Made:
        return Made(self.kind, self.org_id)

    @property
    def what(self) -> str:
        return f"organization {self.org_id} (AWS Organizations)"

    def exists(self, lab) -> bool:
        try:
            found = lab.client("organizations").describe_organization()["Organization"]
        except ClientError as error:
            if code_of(error) == Code.AWSOrganizationsNotInUseException:
                return False
            raise
        return found["Id"] == self.org_id

    def stays(self, lab) -> str | None:
        return None if lab.sandbox else self.console_steps

    def delete(self, lab) -> None:
        if not lab.sandbox:
            raise LabError(self.console_steps[0].upper() + self.console_steps[1:] + ".", code=Code.ConsoleOnly)
        lab.client("organizations").delete_organization()
        self.forget(lab)

    @classmethod
    def from_made(cls, made: Made) -> Organization:
        return cls(made.name)


KINDS: dict[str, type[Kind]] = {cls.kind: cls for cls in (
    User, Group, GroupPolicy, UserPolicy, Membership, LoginProfile, AccessKey, MfaDevice, Alias, Region,
    PasswordPolicy, SecurityContact, CliProfile, CliFile, CredentialsCsv, SsoUser, SsoGroup,
    SsoMembership, PermissionSet, AccountAssignment, SsoProfile, SsoToken, IdentityCenter, Organization)}


def of(made: Made) -> Kind:
    """The kind a record entry names (a KeyError for a kind this version does not know)."""
    return KINDS[made.kind].from_made(made)


__all__ = ["KINDS", "LAB_TAG", "PHASES", "AccessKey", "AccountAssignment", "Alias", "CliFile", "CliProfile",
           "CredentialsCsv", "Group", "GroupPolicy", "IdentityCenter", "Kind", "LoginProfile", "Made",
           "Membership", "MfaDevice", "Organization", "PasswordPolicy", "PermissionSet", "Region",
           "SecurityContact", "SsoGroup", "SsoMembership", "SsoProfile", "SsoToken", "SsoUser", "User",
           "UserPolicy", "is_root_device", "missing", "of", "restorable_policy"]
