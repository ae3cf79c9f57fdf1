"""Notebook 02's lesson about groups, drawn: GroupLessonForm. The AWS work is
awslab/steps/s02_groups_lesson.py; the form's `actions` table names the step behind each button:

    cell "4. Permissions come from groups":  GroupLessonForm(lab, user_form, group_form)
        {"What can <user> do?": what_user_may_do,
         "Take <user> out of <group>": take_out_of_group,
         "Put <user> back": put_back_in_group}

Each button re-draws one table (action, decision, the policy that decided and how the user holds
it). Headless (auto_submit) it runs the whole lesson: the table, the user out of the group and the
table denied, the user back and the table allowed again (the account ends as it started); the
three tables are also kept as text in the saved notebook.
"""

from __future__ import annotations

import html

import ipywidgets as W
from IPython.display import display

from awslab.forms.base import Form
from awslab.forms.html import GREEN, GREY, RED, mark, note, table
from awslab.steps import s02_groups_lesson as lesson
from awslab.steps.s02_users import DEFAULT_GROUP_NAME, DEFAULT_USER_NAME

__all__ = ["GroupLessonForm", "permissions_html", "permissions_text"]

WHAT, OUT, BACK = "What can the user do?", "Take the user out of the group", "Put the user back"
LESSON = ("No policy changed: the permissions came through the group. When someone changes jobs, "
          "change their groups, not their permissions.")


def _decision(row: lesson.Row) -> str:
    return "allowed" if row.allowed else f"denied ({row.decision})"


def _action(row: lesson.Row) -> str:
    return row.action if row.resource == "*" else f"{row.action} on its own user"


def permissions_html(permissions: lesson.Permissions) -> str:
    rows = [[f"<code style='white-space:nowrap'>{html.escape(_action(r))}</code>",
             f"<span class='awslab-decision awslab-decision-{html.escape(r.decision)}' "
             f"style='color:{GREEN if r.allowed else RED};font-weight:600;white-space:nowrap'>{mark(r.allowed)} "
             f"{html.escape(_decision(r))}</span>",
             html.escape(r.why) + (f"<div style='color:{GREY}'>the simulator was not given "
                                   f"{html.escape(', '.join(r.missing))}</div>" if r.missing else "")]
            for r in permissions.rows]
    return table(["Action", "Decision", "Why (the policy, and how the user holds it)"], rows, raw=True)


def permissions_text(permissions: lesson.Permissions) -> str:
    width = max(len(_action(r)) for r in permissions.rows)
    lines = [permissions.sentence]
    lines += [f"  {_action(r):<{width}}  {_decision(r):<22}  {r.why}" for r in permissions.rows]
    return "\n".join(lines)


class GroupLessonForm(Form):
    """Cell "4. Permissions come from groups": what the user may do (IAM's policy simulator),
    the user taken out of its group and the same table denied, the user put back."""

    title = "Permissions come from groups"
    # The labels name the user and the group (set per form in __init__); these are the steps.
    actions = {WHAT: lesson.what_user_may_do, OUT: lesson.take_out_of_group, BACK: lesson.put_back_in_group}
    doing = "asking IAM's policy simulator"

    def __init__(self, lab, user=DEFAULT_USER_NAME, group=DEFAULT_GROUP_NAME, *, auto_submit: bool = False):
        """`user` and `group`: names, or notebook 02's UserForm and GroupForm, whose user and group
        the lesson then follows (run all cells, then create the user: the buttons name it)."""
        self._user_form = None if isinstance(user, str) or user is None else user
        self._group_form = None if isinstance(group, str) or group is None else group
        self._user_name = DEFAULT_USER_NAME if self._user_form else self.parameter(
            "user_name", user, DEFAULT_USER_NAME)
        self._group_name = DEFAULT_GROUP_NAME if self._group_form else self.parameter(
            "group_name", group, DEFAULT_GROUP_NAME)
        # The buttons' keys; their labels follow the user and the group (follow()).
        self.what, self.out, self.back = self.labels_now()
        self.actions = {self.what: lesson.what_user_may_do, self.out: lesson.take_out_of_group,
                        self.back: lesson.put_back_in_group}
        self.history: list[lesson.Permissions] = []  # every table drawn, in order
        super().__init__(lab, auto_submit=auto_submit)
        self.offer(self.what)
        for form in (self._user_form, self._group_form):
            if form is not None:
                form.listeners.append(self.follow)

    @property
    def user_name(self) -> str:
        return (self._user_form.current_user_name if self._user_form else self._user_name) or DEFAULT_USER_NAME

    @property
    def group_name(self) -> str:
        return (self._group_form.group_name if self._group_form else self._group_name) or DEFAULT_GROUP_NAME

    def labels_now(self) -> tuple[str, str, str]:
        user, group = self.user_name, self.group_name
        return f"What can {user} do?", f"Take {user} out of {group}", f"Put {user} back"

    def follow(self) -> None:
        """The form above made or found another user (or group): the buttons name it, and a
        table of someone else goes."""
        for key, label in zip((self.what, self.out, self.back), self.labels_now(), strict=True):
            self.action_buttons[key].description = label
        if self.history and self.history[-1].user_name != self.user_name:
            self.view.value, self.message.value, self.after.children = "", "", ()
            self.offer(self.what)

    @property
    def doings(self) -> dict[str, str]:  # what each button is doing, for its refusal
        user, group = self.user_name, self.group_name
        return {self.what: "asking IAM's policy simulator", self.out: f"taking {user} out of {group}",
                self.back: f"putting {user} back in {group}"}

    def build(self) -> list:
        self.view = W.HTML()
        self.view.add_class("awslab-lesson-table")
        return [W.HTML(note("IAM's policy simulator (SimulatePrincipalPolicy) evaluates the user's policies "
                            "and its groups' for a few actions, without calling them."))]

    def values(self, label: str | None = None) -> dict:
        if label == self.what:
            return {"user_name": self.user_name}
        return {"user_name": self.user_name, "group_name": self.group_name}

    def show_result(self, result: lesson.Permissions, label: str | None = None) -> None:
        self.history.append(result)
        self.view.value = permissions_html(result)
        self.after.children = (self.view,)
        in_group = self.group_name in result.groups
        ok = all(r.allowed for r in result.rows) if in_group else None
        said = result.sentence
        if label == self.out:
            said += " " + LESSON
        elif label == self.back:
            said += " No policy was edited at any point."
        self.say(ok, said)
        self.offer(*([self.out, self.what] if in_group else [self.back, self.what]))

    def submit(self):
        """The first table; headless, the whole lesson: out of the group, then back in (the
        account ends as it started), and the three tables as text in the saved notebook."""
        first = self.run(self.primary)
        if not self.auto_submit or first is None or self.group_name not in first.groups:
            return first
        if self.lab.user_name == self.user_name:
            self.say(None, f"{first.sentence} The lab signs in as {self.user_name}: it does not take "
                           "itself out of its group.")
            return first
        if self.run(self.out) is not None:
            self.run(self.back)
        text = "\n\n".join(permissions_text(p) for p in self.history)
        display({"text/html": "".join(f"<pre>{html.escape(permissions_text(p))}</pre>" for p in self.history),
                 "text/plain": text}, raw=True)
        return self.result
