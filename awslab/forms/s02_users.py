"""Notebook 02's forms: the console's "Create user group" and "Create user" pages, what you have now.

Defined for `notebooks/02_set_up_additional_users.ipynb`; each form names the steps
(awslab/steps/s02_users.py) behind its buttons:

    cell "1. Create the user group":      GroupForm      {"Create group": create_admin_group}
    cell "2. Create the IAM user":        UserForm       {"Create user": create_user,
                                                          "Create another access key": create_another_access_key,
                                                          "Save as AWS CLI profile": save_cli_profile}
    cell "3. Optional: MFA for the new user":   optional_user_mfa (notebook 01's VirtualMfaForm)
    cell "What you have now":             WhatYouHaveNow (the AWS CLI commands that show what was made)

The secrets (the password, the secret access key) reach the live view only through the secret
widgets; a typed password is a PasswordInput (its value stays in the kernel); a headless run
never shows them (they are in the lab's .csv, readable only by you).
"""

from __future__ import annotations

import html
import re
import weakref

import ipywidgets as W
from botocore.exceptions import ClientError
from IPython.display import display

from awslab import record
from awslab.credentials_file import profile_key_id, read_credentials_csv
from awslab.errors import Code, LabError, explain
from awslab.forms.base import Form
from awslab.forms.html import AMBER, GREEN, GREY, RED, line, note, table
from awslab.forms.widgets import PasswordInput
from awslab.steps import s02_users as s02
from awslab.steps.s02_users import (
    DEFAULT_GROUP_NAME,
    DEFAULT_USER_NAME,
    LAB_TAG,
    MAX_TAGS,
    GroupResult,
    NewKey,
    NewUser,
    ReviewReads,
    _policy_name,
    _tag_pairs,
)

__all__ = ["GroupForm", "UserForm", "WhatYouHaveNow", "optional_user_mfa", "what_you_have_html"]


class GroupForm(Form):
    """Cell "1. Create the user group", the console's "Create user group": a name and a search
    over AWS managed policies. Its one button runs s02.create_admin_group; it reads "Attach
    policies" when the group is there already (the step attaches the ticked ones it lacks)."""

    live: weakref.WeakSet = weakref.WeakSet()  # the user forms below hear when a group is made
    title = "Create the user group"
    actions = {"Create group": s02.create_admin_group}
    doing = "creating the group"

    def __init__(self, lab, group_name: str = DEFAULT_GROUP_NAME, policy_name: str = "AdministratorAccess", *,
                 auto_submit: bool = False):
        self._group_name = self.parameter("group_name", group_name, DEFAULT_GROUP_NAME)
        self._policy_name = self.parameter("policy_name", policy_name)
        self.policy_problem: str | None = None  # why policy_name names no AWS managed policy
        self.selected: dict[str, str] = {}
        self.made_now: set[str] = set()  # groups this form created
        self.listeners: list = []  # called when the form creates or finds the group (WhatYouHaveNow)
        GroupForm.live.add(self)
        super().__init__(lab, auto_submit=auto_submit)
        # After the base's watch: a new name first clears a refusal, then is judged itself.
        self.name.observe(lambda _c: self._refresh_existing(), "value")

    @property
    def group_name(self) -> str:
        """The group this form created or attached policies to; before that, the name in the form."""
        return self.result.group_name if self.result is not None else self.name.value.strip()

    def build(self) -> list:
        # Judged as you type, as the user form's name is (each change reads the group: GetGroup).
        self.name = W.Text(value=self._group_name, description="Group name", continuous_update=True,
                           style={"description_width": "8em"}, layout=W.Layout(width="32em"))
        self.name.add_class("awslab-group-name")
        self.search = W.Text(description="Search", placeholder="Filter AWS managed policies by name",
                             continuous_update=True, style={"description_width": "8em"},
                             layout=W.Layout(width="32em"))
        self.search.add_class("awslab-policy-search")
        self.search.add_class("awslab-no-enter")  # it filters as you type: Enter creates nothing
        self.results = W.VBox()
        self.results.add_class("awslab-policy-results")
        self.chosen = W.HTML()
        self.existing = W.HTML()
        self.existing.add_class("awslab-group-existing")
        self.existing.add_class("awslab-live-only")  # "created just now": not said by a saved view
        self.policies: list[dict] = []
        try:
            # Headless, the policy is resolved by name: the whole list (about 1,400) is for searching.
            self.policies = [] if self.auto_submit else s02.aws_managed_policies(self.lab)
        except ClientError as error:
            self.results.children = (W.HTML(note(explain(error, "listing the AWS managed policies"), RED)),)
        try:
            arn = s02.resolve_policy(self.lab, self._policy_name) if self._policy_name else None
        except LabError as error:
            arn = None
            self.policy_problem = self.error = error.sentence  # a change of any field clears it
            self.say(False, error.sentence)
            self.mark_invalid(self.search, True)
        if arn:
            self.selected[arn] = _policy_name(arn)
        if self._policy_name:
            self.search.value = self._policy_name
        self.search.observe(lambda _c: self._filter(), "value")
        self._filter()
        self._refresh_existing()
        return [self.name, self.existing,
                W.HTML("<b>Permissions policies</b> (AWS managed; the policy's description is under its name)"),
                self.search, self.results, self.chosen]

    def _filter(self) -> None:
        if not self.policies:
            return
        rows = []
        for policy in s02.search_policies(self.policies, self.search.value):
            box = W.Checkbox(value=policy["Arn"] in self.selected, description=policy["PolicyName"], indent=False,
                             layout=W.Layout(width="auto"))
            box.add_class("awslab-policy-choice")

            def toggle(change, policy=policy):
                if change["new"]:
                    self.selected[policy["Arn"]] = policy["PolicyName"]
                else:
                    self.selected.pop(policy["Arn"], None)
                self._show_chosen()

            box.observe(toggle, "value")
            kind = "AWS managed - job function" if policy.get("Path", "/").startswith("/job-function/") else "AWS managed"
            text = s02.policy_description(self.lab, policy)
            desc = W.HTML(f'<div style="color:{GREY};margin:-4px 0 4px 24px">{html.escape(kind)}'
                          f'{" · " + html.escape(text) if text else ""}</div>')
            rows.append(W.VBox([box, desc]))
        if not rows:
            rows = [W.HTML(note(f"No AWS managed policy name contains {self.search.value.strip()!r}."))]
        self.results.children = tuple(rows)
        if hasattr(self, "widget"):  # ticking a policy is a correction too
            self.watch_fields(*rows)
        self._show_chosen()

    def _show_chosen(self) -> None:
        names = ", ".join(sorted(self.selected.values())) or "none yet"
        self.chosen.value = f"<div><b>Selected</b>: {html.escape(names)}</div>"

    def _refresh_existing(self) -> None:
        """What the group name in the form means now: a broken rule (the field marked invalid),
        a group to create, or the group that is there already."""
        name = self.name.value.strip()
        problem = s02.group_name_problem(name)
        self.mark_invalid(self.name, bool(problem), self.existing if problem else None)
        if problem:
            self.existing.value = note(problem, RED)
            self.button.description = "Create group"
            return
        try:
            group = s02.describe_group(self.lab.client("iam"), name)
        except ClientError as error:
            self.existing.value = note(explain(error, "reading the group"), RED)
            return
        self._show_existing(name, group)

    def _earlier(self, name: str) -> str:
        """Who made the group that is there: this form just now, the lab earlier, or someone else."""
        if name in self.made_now:
            return "made just now by this form"
        if record.was_created(self.lab.account_id, "group", name):
            return "made earlier by this lab"
        return "not made by this lab"

    def _show_existing(self, name: str, group: dict | None) -> None:
        if group is None:
            self.existing.value = note(f"The group {name} does not exist yet; Create group creates it.")
            self.button.description = "Create group"
            return
        whose = self._earlier(name)
        if whose == "made just now by this form":
            self.existing.value = _group_html(group, "was created just now")
        elif whose == "made earlier by this lab":
            self.existing.value = _group_html(group, "is already there, made earlier by this lab")
        else:  # the one real conflict: a group of that name that someone else made
            self.existing.value = _group_html(group, "already exists, and this lab did not create it", None) + note(
                "Check that it is the group you mean: Attach policies adds the ticked policies it lacks to it "
                "(it never detaches any), or type another name to create a new group.", AMBER)
        self.button.description = "Attach policies"

    def values(self, label: str | None = None) -> dict:
        arns = sorted(self.selected)
        if not arns and self.policy_problem:  # policy_name named none: say so, not "pick one"
            raise LabError(self.policy_problem, code=Code.NoSuchEntity)
        return {"group_name": self.name.value.strip(), "policy_arns": arns}

    def show_result(self, result: GroupResult, label: str | None = None) -> None:
        name = result.group_name
        if result.created:
            self.made_now.add(name)
            self.say(True, f"Created the group {name} with "
                           f"{', '.join(_policy_name(a) for a in result.attached)}.")
        elif result.attached:
            self.say(True, f"The group {name} was already there ({self._earlier(name)}); attached "
                           f"{', '.join(_policy_name(a) for a in result.attached)}.")
        else:
            self.say(None, f"The group {name} is already there ({self._earlier(name)}) with "
                           f"{', '.join(_policy_name(a) for a in result.already)}; nothing to do.")
        # The group as it now is: read in this submit before the writes, plus what they did.
        if result.group is not None:
            self._show_existing(name, result.group)
        else:
            self._refresh_existing()
        for listener in self.listeners:
            listener()


def _group_html(group: dict, status: str, ok: bool | None = True) -> str:
    names = [p["PolicyName"] for p in group["policies"]] + [f"{n} (inline)" for n in group["inline"]]
    members = ", ".join(group["users"]) or "no members yet"
    return (line(ok, f"The group {group['name']} {status}.",
                 f"policies: {', '.join(names) or 'none'}; members: {members}"))


def _user_html(info: dict) -> str:
    login = info["login_profile"]
    if login["exists"]:
        login_text = "console password set" + ("; must create a new one at next sign-in" if login["reset_required"] else "")
    else:
        login_text = "no console password"
    keys = [[k["id"], k["status"], k["created"]] for k in info["access_keys"]]
    parts = [
        line(True, f"User {info['name']}", info["arn"]),
        line(None, "Groups", ", ".join(info["groups"]) or "none"),
        line(None, "Console access", login_text),
        line(None, "MFA devices", ", ".join(info["mfa_devices"]) or "none"),
        line(None, "Tags", ", ".join(f"{k}={v}" for k, v in info["tags"].items()) or "none"),
        "<div><b>Policies</b></div>" + ("<ul>" + "".join(f"<li>{html.escape(p)}</li>" for p in info["policies"])
                                        + "</ul>" if info["policies"] else note("none")),
        "<div><b>Access keys</b></div>" + (table(["Access key ID", "Status", "Created"], keys) if keys
                                           else note("none")),
    ]
    return "".join(parts)



# ---------------------------------------------------------------------------- the user form

def _field_message(css_class: str) -> W.HTML:
    """The message under one field: it judges that field's current value only."""
    message = W.HTML(layout=W.Layout(margin="0 0 2px 0"))
    message.add_class(css_class)
    return message


CREATE_USER, ANOTHER_KEY, SAVE_PROFILE = "Create user", "Create another access key", "Save as AWS CLI profile"


class UserForm(Form):
    """Cell "2. Create the IAM user", the console's "Create user": name, access types, password,
    groups, tags, review, Create user. Under it, the credentials of the key just made with Save
    as AWS CLI profile; on a rerun, the user as it is with Create another access key. Every
    button runs its step through run(label); with save_cli_profile, Save as AWS CLI profile runs
    after each key is made, as if pressed."""

    title = "Create the IAM user"
    actions = {"Create user": s02.create_user,
               "Create another access key": s02.create_another_access_key,
               "Save as AWS CLI profile": s02.save_cli_profile}
    doing = "creating the user"
    # What each button does, as a refused step's sentence names it ("While creating ...").
    doings = {CREATE_USER: "creating the user", ANOTHER_KEY: "creating another access key",
              SAVE_PROFILE: "saving the AWS CLI profile"}

    def __init__(self, lab, user_name: str = DEFAULT_USER_NAME, *, console_access: bool = True,
                 programmatic_access: bool = True, password: str | None = None,
                 require_password_reset: bool = True, groups=(DEFAULT_GROUP_NAME,), tags=None,
                 auto_submit: bool = False, save_cli_profile: bool = False, profile_name: str | None = None):
        given = self.parameter
        self._init = dict(user_name=given("user_name", user_name, DEFAULT_USER_NAME),
                          console_access=given("console_access", console_access, True),
                          programmatic_access=given("programmatic_access", programmatic_access, True),
                          password=given("password", password),
                          require_password_reset=given("require_password_reset", require_password_reset, True),
                          groups=list(groups or []), tags=_tag_pairs(given("tags", tags, {})))
        self.save_profile = given("save_cli_profile", save_cli_profile, False)
        self.profile_name_default = profile_name
        self.secret_widgets: list = []
        self.new_user: NewUser | None = None
        self.new_key: NewKey | None = None
        self.created_name: str | None = None  # the user this form created
        self.shown_user: dict | None = None  # the user shown below the form (created, or there already)
        self.listeners: list = []  # called when the form shows a user (WhatYouHaveNow)
        self.summary: W.HTML | None = None  # the user's state under the credentials panel
        self.existing_sentence: str | None = None  # said when the typed user is there already
        self._standing: tuple[bool | None, str] | None = None  # what the form last made or found
        self._profile_key: tuple[str, str] | None = None  # the key Save as AWS CLI profile saves
        self._replace = False  # Save as AWS CLI profile may replace another key (confirmed)
        self._observing = False
        super().__init__(lab, auto_submit=auto_submit)
        self.watch_fields(self.profile_name)  # a new profile name is a correction too
        for group_form in list(GroupForm.live):
            if group_form.lab.account_id == lab.account_id:
                group_form.listeners.append(self.groups_changed)
        # After the base's watch: a change first clears a refusal (and its marks), then the
        # field messages judge the new value and mark what is still wrong.
        self._observing = True
        self._observe_review(self.user_name, self.console, self.password_choice, self.reset, self.programmatic,
                             *self.group_boxes.values(), *(t for k, v, _r in self.tag_rows for t in (k, v)))

    def groups_changed(self) -> None:
        """The group form above made or found a group: list the account's groups again (no
        stale "does not exist yet"), keeping what is ticked."""
        self._init["groups"] = [name for name, box in self.group_boxes.items() if box.value]
        self.group_boxes = {}
        self.reads = ReviewReads(self.lab.client("iam"))
        with self.quietly():
            self._load_groups()
        self.watch_fields(*self.group_boxes.values())
        self._observe_review(*self.group_boxes.values())
        self.refresh()

    def _observe_review(self, *widgets) -> None:
        if self._observing:
            for widget in widgets:
                widget.observe(lambda _c: self.refresh(), "value")

    @property
    def current_user_name(self) -> str:
        """The user this form created or showed; before that, the name in the form."""
        return self.shown_user["name"] if self.shown_user else self.user_name.value.strip()

    def _tell(self) -> None:
        for listener in self.listeners:
            listener()

    # -- fields
    def build(self) -> list:
        init = self._init
        wide = {"style": {"description_width": "12em"}, "layout": W.Layout(width="36em")}
        auto = W.Layout(width="auto")  # a checkbox's whole label, never cut off with "..."
        self.button.add_class("awslab-create-user")
        # The other buttons sit in the panels below the form: the existing user's, the credentials'.
        self.another_button = self.place(ANOTHER_KEY)
        self.another_button.add_class("awslab-another-key")
        self.profile_button = self.place(SAVE_PROFILE)
        self.profile_button.add_class("awslab-save-profile")
        self.profile_name = W.Text(value=self.profile_name_default or init["user_name"], description="Profile name",
                                   style={"description_width": "initial"}, layout=W.Layout(width="24em"))
        self.enter_presses(self.profile_name, SAVE_PROFILE)
        self.profile_message = W.HTML()
        self.profile_message.add_class("awslab-profile-message")
        # Every keystroke redraws the review: it reads the account once (ReviewReads), not per key.
        self.user_name = W.Text(value=init["user_name"], description="User name", continuous_update=True, **wide)
        self.user_name.add_class("awslab-user-name")
        self.user_name_message = _field_message("awslab-user-name-message")
        self.console = W.Checkbox(value=bool(init["console_access"]), indent=False, layout=auto,
                                  description="Provide user access to the AWS Management Console")
        self.console.add_class("awslab-console-access")
        self.password_choice = W.RadioButtons(options=[("Autogenerated password", "auto"),
                                                       ("Custom password", "custom")],
                                              value="custom" if init["password"] is not None else "auto",
                                              layout=auto)
        self.password = PasswordInput("Custom password", init["password"] or "", description_width="12em",
                                      width="36em")
        self.password.add_class("awslab-password")
        self.password_message = _field_message("awslab-password-message")
        self.reset = W.Checkbox(value=bool(init["require_password_reset"]), indent=False, layout=W.Layout(width="auto"),
                                description="Users must create a new password at next sign-in (recommended)")
        self.policy_note = W.HTML()
        self.console_box = W.VBox([self.password_choice, self.password, self.password_message, self.policy_note,
                                   self.reset], layout=W.Layout(margin="0 0 0 24px"))
        self.programmatic = W.Checkbox(value=bool(init["programmatic_access"]), indent=False,
                                       layout=W.Layout(width="auto"),
                                       description="Create an access key (programmatic access: AWS CLI, SDKs)")
        self.programmatic.add_class("awslab-programmatic-access")
        self.access_message = _field_message("awslab-access-message")
        self.reads = ReviewReads(self.lab.client("iam"))
        self.group_boxes: dict[str, W.Checkbox] = {}
        self.groups_box = W.VBox()
        self._load_groups()
        self.tag_rows: list[tuple[W.Text, W.Text, W.HBox]] = []
        self.tags_box = W.VBox()
        self.tags_message = _field_message("awslab-tags-message")
        add_tag = W.Button(description="Add new tag", layout=W.Layout(width="auto", align_self="flex-start"))
        add_tag.add_class("awslab-add-tag")
        add_tag.on_click(lambda _b: self.add_tag())
        self.review = W.HTML()
        self.review.add_class("awslab-review")
        self.policy = None
        self.existing = W.VBox()
        self.existing.add_class("awslab-existing-user")
        for key, value in init["tags"]:
            self.add_tag(key, value)
        # The password is no ipywidgets field (its value never becomes widget state): a new one
        # is the learner's correction of a refused password, as any field's change is.
        self.password.on_change(self._typed_password)
        self.refresh()
        return [
            W.HTML("<b>User details</b>"), self.user_name, self.user_name_message, self.console, self.console_box,
            self.programmatic, self.access_message,
            W.HTML("<b>Permissions</b>: add the user to groups (the console's recommended way)"), self.groups_box,
            W.HTML(f"<b>Tags</b> (optional; up to {MAX_TAGS - 1}, the lab adds {LAB_TAG[0]}={LAB_TAG[1]})"),
            self.tags_box, self.tags_message, add_tag,
            W.HTML("<b>Review</b> (updates as you type)"), self.review,
        ]

    def _typed_password(self) -> None:
        self._field_changed(None)
        self.refresh()

    def _load_groups(self) -> None:
        try:
            names = [g["GroupName"] for page in self.lab.client("iam").get_paginator("list_groups").paginate()
                     for g in page["Groups"]]
        except ClientError as error:
            self.groups_box.children = (W.HTML(note(explain(error, "listing the groups"), RED)),)
            return
        wanted = self._init["groups"]
        self.missing_groups = [g for g in wanted if g not in names]
        for name in names + self.missing_groups:
            label = f"{name} (does not exist yet)" if name in self.missing_groups else name
            box = W.Checkbox(value=name in wanted, description=label, indent=False, layout=W.Layout(width="auto"))
            box.add_class("awslab-group-choice")
            self.group_boxes[name] = box
        rows = list(self.group_boxes.values())
        if self.missing_groups:
            rows.append(W.HTML(note(f"The group {', '.join(self.missing_groups)} does not exist yet: create it in "
                                    "the group form above and run this cell again, or untick it.", AMBER)))
        if not names:
            rows.append(W.HTML(note("This account has no groups yet.")))
        self.groups_box.children = tuple(rows)

    def add_tag(self, key: str = "", value: str = "") -> None:
        k = W.Text(value=key, placeholder="Key", continuous_update=True, layout=W.Layout(width="16em"))
        v = W.Text(value=value, placeholder="Value (optional)", continuous_update=True, layout=W.Layout(width="20em"))
        k.add_class("awslab-tag-key")
        v.add_class("awslab-tag-value")
        remove = W.Button(description="Remove", layout=W.Layout(width="auto"))
        row = W.HBox([k, v, remove])
        row.add_class("awslab-tag-row")
        entry = (k, v, row)
        number = len(self.tag_rows) + 1
        # ipywidgets has no aria-label: the placeholder is what a screen reader reads, so it says which tag.
        k.placeholder, v.placeholder = f"Key (tag {number})", f"Value (tag {number}, optional)"
        remove.tooltip = f"Remove tag {number}"

        def drop(_b):
            self.tag_rows.remove(entry)
            self.tags_box.children = tuple(r for _k, _v, r in self.tag_rows)
            for text in (k, v):
                self.mark_invalid(text, False)
            self._field_changed(None)
            self.refresh()

        remove.on_click(drop)
        self.watch_fields(k, v)
        self._observe_review(k, v)
        self.tag_rows.append(entry)
        self.tags_box.children = tuple(r for _k, _v, r in self.tag_rows)
        self.refresh()

    def values(self, label: str | None = None) -> dict:
        """The step's keyword arguments: Create user's from the fields (the review's too, with
        label None); Create another access key's, the typed user; Save as AWS CLI profile's, the
        key just made (or kept in the lab's .csv, on a rerun)."""
        if label == ANOTHER_KEY:
            return {"user_name": self.user_name.value.strip()}
        if label == SAVE_PROFILE:
            if self._profile_key is None:
                raise LabError("The secret access key is no longer in the notebook's memory (forget() dropped "
                               "it): save the profile from the .csv file with aws configure --profile NAME, or "
                               "create another access key.", code=Code.InvalidInput)
            key_id, secret = self._profile_key
            return {"profile_name": self.profile_name.value.strip(), "access_key_id": key_id,
                    "secret_access_key": secret, "replace": self._replace}
        custom = self.password_choice.value == "custom"
        return {
            "user_name": self.user_name.value.strip(),
            "console_access": self.console.value,
            "programmatic_access": self.programmatic.value,
            "password": self.password.value if custom else None,
            "require_password_reset": self.reset.value,
            "groups": [name for name, box in self.group_boxes.items() if box.value],
            "tags": [(k.value.strip(), v.value) for k, v, _r in self.tag_rows if k.value.strip() or v.value],
        }

    def _judge(self, field, message, problem: str | None, remark: str | None = None) -> None:
        """A field's own message, recomputed from its current value: the problem (and the
        field marked invalid, described by it), or a remark, or nothing."""
        message.value = note(problem, RED) if problem else (note(remark, AMBER) if remark else "")
        for one in (field if isinstance(field, (list, tuple)) else [field]):
            self.mark_invalid(one, bool(problem), message if problem else None)

    def _judge_fields(self, values: dict, password: str | None) -> None:
        """Each field's message judges its value now (never an earlier one)."""
        name, typed = values["user_name"], self.user_name.value
        problem = s02.user_name_problem(name)
        if problem is None and self.reads.user_exists(name) and name != getattr(self, "created_name", None):
            problem = s02.user_exists_sentence(name)
        remark = (f"The spaces around the name are left out: the user will be named {name}."
                  if not problem and typed != name else None)
        self._judge(self.user_name, self.user_name_message, problem, remark)
        self._judge([self.console, self.programmatic], self.access_message,
                    s02.access_problem(values["console_access"], values["programmatic_access"]))
        problem = None
        # The typed password was used and cleared when this user was created: nothing to judge.
        used = password == "" and name == getattr(self, "created_name", None)
        if values["console_access"] and password is not None and self.policy is not None and not used:
            problem = s02.password_problem(self.policy, password, name, with_policy=False)  # shown below it
        self._judge(self.password, self.password_message, problem)
        # The first tag row that makes the tags wrong is the one marked.
        pairs, bad, problem = [], None, None
        for k, v, _row in self.tag_rows:
            if not (k.value.strip() or v.value):
                continue
            pairs.append((k.value.strip(), v.value))
            problem = s02.tags_problem(pairs)
            if problem:
                bad = v if "value" in problem.split(":")[0] else k
                break
        remark = None
        stripped = [k.value for k, _v, _r in self.tag_rows if k.value != k.value.strip() and k.value.strip()]
        if not problem and stripped:
            remark = f"The spaces around the tag key {stripped[0].strip()!r} are left out."
        for k, v, _row in self.tag_rows:
            for text in (k, v):
                self.mark_invalid(text, text is bad, self.tags_message if text is bad else None)
        self.tags_message.value = note(problem, RED) if problem else (note(remark, AMBER) if remark else "")

    def refresh(self) -> None:
        """Show or hide the console options, judge each field, and redo the review panel.
        Cheap enough for every keystroke: the account's facts are read once (ReviewReads)."""
        if not hasattr(self, "review"):
            return
        self.console_box.layout.display = "" if self.console.value else "none"
        self.password.layout.display = "" if self.password_choice.value == "custom" else "none"
        values = self.values()
        password = values.pop("password")
        if values["console_access"]:  # read once: the note shows it, the plan checks with it
            try:
                self.policy = self.reads.password_policy()
                self.policy_note.value = note(f"Passwords follow {self.policy.describe()}.")
            except ClientError as error:
                self.policy, self.policy_note.value = None, note(explain(error, "reading the password policy"), RED)
        self._judge_fields(values, password)
        if getattr(self, "created_name", None) == values["user_name"]:
            # Re-planning would find the user just made: say what happened.
            self.review.value = line(True, f"Created {values['user_name']} as reviewed.",
                                     "to create another user, type another name")
            return
        try:
            plan = s02.plan_user(self.lab, **values, password=password if values["console_access"] else None,
                             password_rules=self.policy if values["console_access"] else None, reads=self.reads)
        except Exception as error:
            self.review.value = line(False, explain(error, "checking the user"), "nothing will be created")
            return
        rows = [[what, detail] for what, detail in plan.creations()]
        policies = "".join(f"<li>{html.escape(p)}</li>" for p in plan.policies) or "<li>none</li>"
        self.review.value = (f"<div>{html.escape('These will be created:')}</div>" + table(["", ""], rows) +
                             f"<div><b>Policies {html.escape(plan.user_name)} ends up with</b></div><ul>{policies}</ul>")

    # -- the buttons
    def run(self, label: str):
        """Every button's one path (Form.run), naming the step in a refused step's sentence.
        With save_cli_profile, a key just made is then saved as the profile, as if Save as AWS
        CLI profile were pressed; the form's result stays the user (or key) made."""
        self.doing = self.doings.get(label, type(self).doing)
        result = super().run(label)
        if result is not None and label != SAVE_PROFILE and self.save_profile and self._profile_key:
            self.save_profile_now()
            self.result = result
        elif result is not None and label == SAVE_PROFILE:
            self.focus(self.profile_message)  # what the save produced, beside its button
        return result

    def _clicked(self, label: str | None = None) -> None:
        if label == SAVE_PROFILE:  # a profile holding another key: asked first
            try:
                self.save_profile_now()
            except LabError:
                pass  # already shown in the form
            return
        super()._clicked(label)

    def save_profile_now(self, replace: bool = False):
        """Save as AWS CLI profile, as its button does: a profile of that name that holds another
        access key is replaced only once that is confirmed (headless: counts as confirmed)."""
        name = self.profile_name.value.strip()
        held = profile_key_id(name) if self._profile_key else None
        if not replace and held and held != self._profile_key[0]:
            self.ask(f"The profile {name!r} holds another access key. Replace it?",
                     lambda: self.save_profile_now(True), "Replace")
            return None
        self._replace = replace
        try:
            return self.run(SAVE_PROFILE)
        finally:
            self._replace = False

    def show_result(self, result, label: str | None = None) -> None:
        if label == ANOTHER_KEY:
            self._show_new_key(result)
        elif label == SAVE_PROFILE:
            self._show_profile(result)
        else:
            self._show_new_user(result)

    def _say_standing(self, ok: bool | None, text: str) -> None:
        """Say what the form made or found; a profile saved after it leaves this said."""
        self._standing = (ok, text)
        self.say(ok, text)

    def _show_new_user(self, new: NewUser) -> None:
        self.new_user = new
        self.created_name = new.user_name
        self.reads.made(new.user_name)
        with self.quietly():  # the form clears the typed password itself: no correction of anything
            self.password.clear()
            self.refresh()  # the review says the user was created as reviewed
        self._say_standing(True, f"Created the user {new.user_name}: {len(new.steps)} steps done.")
        panel = self._credentials_panel(new.user_name, new.console_url, new.access_key_id, new.password,
                                        new.secret_access_key, new.csv_path, new.csv_text())
        self.summary = W.HTML(_user_html(new.described()))
        self.after.children = (panel, self.summary)
        self.shown_user = new.described()
        self._tell()

    def user_changed(self, changed: str | None = None) -> None:
        """Another form changed the user shown below (notebook 02's MFA step assigned it a
        device): show it as it is now, not as it was created. After the lab's own assignment
        (`changed="user_mfa"`) only its MFA devices are read again."""
        if self.shown_user is None:
            return
        name = self.shown_user["name"]
        if changed == "user_mfa":
            devices = self.lab.client("iam").list_mfa_devices(UserName=name)["MFADevices"]
            info = dict(self.shown_user, mfa_devices=[d["SerialNumber"] for d in devices])
        else:
            info = s02.describe_user(self.lab, name)
        if info is None:
            return
        if self.summary is not None and self.summary in self.after.children:
            self.summary.value = _user_html(info)
            self.shown_user = info
            self._tell()
        else:
            self.show_existing()

    def _credentials_panel(self, user_name, url, key_id, password, secret, csv_path, csv_text) -> W.VBox:
        rows: list = [W.HTML(f"<h4 style='margin:4px 0'>Credentials for {html.escape(user_name)}</h4>"),
                      W.HTML(line(None, "User name", user_name) +
                             line(None, "Console sign-in URL", url + (
                                 " (in the sandbox, simulated: notebook 04 signs in with it)"
                                 if self.lab.sandbox else "")) +
                             (line(None, "Access key ID", key_id) if key_id else ""))]
        self._profile_key = None  # Save as AWS CLI profile saves this panel's key, if it has one
        if self.auto_submit:
            rows.append(W.HTML(note(f"Headless run: the password and secret access key are not shown; they are in "
                                    f"{csv_path} (readable only by you, for notebook 04).")))
        else:
            rows.append(W.HTML(note("This is the only time the password and secret access key can be seen or "
                                    "downloaded. Save them now; if you lose them, you can only replace them.",
                                    AMBER)))
            from awslab.forms.secret_widgets import SecretDownload, SecretText

            shown = [SecretText(label, value) for label, value in (("Console password", password),
                                                                   ("Secret access key", secret)) if value]
            shown.append(SecretDownload("Download .csv", csv_path.name, csv_text))
            self.secret_widgets += shown
            rows += shown
            rows.append(W.HTML(note(f"The lab also keeps a copy in {csv_path} (readable only by you).")))
        if key_id and secret:
            rows.append(self._profile_row(user_name, key_id, secret))
        panel = W.VBox(rows, layout=W.Layout(border=f"2px solid {GREEN}", padding="6px"))
        panel.add_class("awslab-credentials")
        return panel

    def _profile_row(self, user_name, key_id, secret) -> W.VBox:
        """The profile name and Save as AWS CLI profile, for the key just made."""
        self._profile_key = (key_id, secret)
        with self.quietly():
            self.profile_name.value = self.profile_name_default or user_name
        self.profile_message.value = ""
        return W.VBox([W.HBox([self.profile_name, self.profile_button]), self.profile_message])

    def _show_profile(self, path) -> None:
        name = self.profile_name.value.strip()
        self.profile_message.value = (
            f'<div style="color:{GREEN};margin:4px 0">Saved the profile {html.escape(name)} to '
            f"{html.escape(str(path))}: try <code>aws --profile {html.escape(name)} sts get-caller-identity"
            "</code>.</div>")
        if self._standing:  # the form's message still says what the form made or found
            self.say(*self._standing)

    def forget(self) -> None:
        """Drop the secrets from the kernel (the credentials panel then shows none)."""
        for widget in self.secret_widgets:
            widget.forget()
        if self.new_user:
            self.new_user.password = self.new_user.secret_access_key = None
        if self.new_key:
            self.new_key.secret_access_key = ""
        self._profile_key = None

    # -- an existing user (a rerun)
    def show_existing(self) -> bool:
        """If the user named in the form exists, show it as it is (no secret: those were shown
        once) with the "Create another access key" button. True when it exists."""
        name = self.user_name.value.strip()
        if s02.user_name_problem(name):
            return False
        info = s02.describe_user(self.lab, name)
        if info is None:
            return False
        csv_path = s02.credentials_csv_path(self.lab.account_id, name)
        kept = (f"The lab's copy of the credentials is {csv_path} (readable only by you)." if csv_path.exists()
                else "The lab has no credentials file for this user.")
        earlier = (" (made earlier by this lab)" if record.was_created(self.lab.account_id, "user", name)
                   else " (this lab did not create it)")
        self.existing.children = (
            W.HTML(f"<h4 style='margin:4px 0'>{html.escape(name)} already exists{earlier}</h4>" + _user_html(info) +
                   note("Its password and secret access key were shown once, when it was created, and can't be "
                        "recovered, only replaced: create another access key (then delete the old one), or set a "
                        f"new console password. {kept}", AMBER)),
            self.another_button,
        )
        self.after.children = (self.existing,)
        self.existing_sentence = (f"The user {name} already exists{earlier}; nothing was created. Its current "
                                  "state is below.")
        self._say_standing(None, self.existing_sentence)
        self.shown_user = info
        self._tell()
        return True

    def _show_new_key(self, new: NewKey) -> None:
        name = new.user_name
        self.new_key = new
        self._say_standing(True, f"Created the access key {new.access_key_id} for {name}.")
        row = read_credentials_csv(new.csv_path) or {}
        panel = self._credentials_panel(name, row.get("Console login link", s02.console_url(self.lab)),
                                        new.access_key_id, None, new.secret_access_key, new.csv_path,
                                        new.csv_path.read_text())
        info = s02.describe_user(self.lab, name)
        self.summary = W.HTML(_user_html(info) if info else "")
        self.after.children = (panel, self.summary)

    def _save_kept_profile(self) -> None:
        """A rerun with save_cli_profile: the key in the lab's .csv, if still active, is saved as
        the profile again (Save as AWS CLI profile, replacing what the profile held)."""
        name = self.shown_user["name"]
        csv_path = s02.credentials_csv_path(self.lab.account_id, name)
        if not csv_path.exists():
            return
        row = read_credentials_csv(csv_path) or {}
        active = {k["id"] for k in self.shown_user["access_keys"] if k["status"] == "Active"}
        if row.get("Access key ID") in active and row.get("Secret access key"):
            self._profile_key = (row["Access key ID"], row["Secret access key"])
            with self.quietly():
                self.profile_name.value = self.profile_name_default or name
            self.profile_message.value = ""
            self.existing.children = (*self.existing.children, self.profile_message)
            self.save_profile_now(replace=True)

    def show(self) -> None:
        """Show the form. A user of the typed name that is there already (a rerun) is shown as
        it is, and with save_cli_profile its key kept in the lab's .csv is saved as the profile
        again; headless, nothing is created then (skip_headless)."""
        self.existing_sentence = None
        if self.wrong_parameter is None:
            try:
                # The review, made as the form was built (just before it is shown), listed the users:
                # a name not among them needs no second look; the submit checks again before any write.
                known = self.reads.user_exists(self.user_name.value.strip())
                if known is not False:
                    self.show_existing()
            except ClientError as error:
                self.say(False, explain(error, "reading the user"))
        super().show()
        if self.existing_sentence and self.save_profile and self.wrong_parameter is None:
            self._save_kept_profile()

    def skip_headless(self) -> str | None:
        return self.existing_sentence  # the user is there already: nothing to create


# ---------------------------------------------------------------------------- optional MFA

def optional_user_mfa(lab, user_form: UserForm, add_mfa, *, auto_submit: bool = False):
    """Cell "3. Optional: MFA for the new user". With `add_mfa`, the MFA form for the user the
    form above made (its summary there follows the assignment); without it, a sentence saying the
    step is skipped and how to take it. A wrong type ("yes") gets one sentence
    (awslab.notebooks.check)."""
    from awslab.notebooks import check

    name = user_form.current_user_name
    if not check("add_mfa", add_mfa):
        text = (f"Skipped: add_mfa is False, so {name} gets no MFA device here. To add one, set "
                "add_mfa = True in the parameters cell, run that cell, then this one (or, in the "
                f"console: IAM, Users, {name}, Security credentials, Assign MFA device).")
        display({"text/html": note(text), "text/plain": text}, raw=True)
        return None
    from awslab.forms.s01_root_user import VirtualMfaForm

    form = VirtualMfaForm(lab, user_name=name, auto_submit=auto_submit)
    form.on_assigned(user_form.user_changed)
    form.show()
    return form


# ---------------------------------------------------------------------------- what you have now

def what_you_have_html(group_name: str, user: dict | None, typed_name: str = "", sandbox: bool = False) -> str:
    """The AWS CLI commands that show the group and the user this notebook made, naming them
    (in the sandbox, after the one that points the AWS CLI at it)."""
    def command(text: str, what: str) -> str:
        return f"<li>{html.escape(what)}: <code>{html.escape(text)}</code></li>"

    items = [command('eval "$(awslab sandbox env)"', "in JupyterLab's terminal (File, New, Terminal), first, "
                     "so that the AWS CLI talks to the sandbox")] if sandbox else []
    items.append(command(f"aws iam list-attached-group-policies --group-name {group_name}", "the group, with its policies"))
    if user is None:
        items.append(command(f"aws iam get-group --group-name {group_name}", "its members"))
        rest = note(f"No user is created yet: after Create user above, the commands here name it "
                    f"(the form holds {typed_name or 'no name'}).")
        return f'<ul style="margin:4px 0">{"".join(items)}</ul>{rest}'
    name = user["name"]
    member = "the user in it" if group_name in user.get("groups", []) else f"its members (not {name}: it is not in it)"
    items.append(command(f"aws iam get-group --group-name {group_name}", member))
    if user["login_profile"]["exists"]:
        items.append(command(f"aws iam get-login-profile --user-name {name}", "its console password"))
    if user["access_keys"]:
        items.append(command(f"aws iam list-access-keys --user-name {name}", "its access key"))
    items.append(command(f"aws iam list-groups-for-user --user-name {name}", "its groups"))
    return f'<ul style="margin:4px 0">{"".join(items)}</ul>'


class WhatYouHaveNow:
    """Cell "What you have now": the commands that show what notebook 02 made, naming the group and the user the forms
    actually made (not the parameters' defaults); redrawn whenever either form makes or finds one.

        WhatYouHaveNow(group_form, user_form).show()
    """

    def __init__(self, group_form: GroupForm, user_form: UserForm):
        self.group_form, self.user_form = group_form, user_form
        self.widget = W.HTML()
        self.widget.add_class("awslab-what-you-have")
        group_form.listeners.append(self.refresh)
        user_form.listeners.append(self.refresh)
        self.refresh()

    @property
    def text(self) -> str:
        return self.widget.value

    def refresh(self) -> None:
        self.widget.value = what_you_have_html(self.group_form.group_name, self.user_form.shown_user,
                                               self.user_form.user_name.value.strip(),
                                               sandbox=self.group_form.lab.sandbox)

    def show(self) -> None:
        display(self)

    def _repr_mimebundle_(self, **kwargs):
        """The live view, and the commands as plain text for a saved notebook or `awslab run`
        (a widget's own text is its repr, cut at 110 characters)."""
        data = self.widget._repr_mimebundle_(**kwargs)
        data["text/plain"] = html.unescape(re.sub(r"<li>", "- ", re.sub(r"</li>|</div>", "\n",
                                                                        self.widget.value)))
        data["text/plain"] = re.sub(r"<[^>]+>", "", data["text/plain"]).strip()
        return data
