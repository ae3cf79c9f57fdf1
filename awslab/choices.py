"""A choice made in one notebook, carried to the next: the user and group notebook 02 made.

Notebooks 04 and 99 have `user_name` and `group_name` parameters. Left at their defaults,
they take what the learner really chose in notebook 02 (its form may name the user `alice`),
from the lab's record of what it made in this account (awslab.record); set to something
else, they are the learner's word. Either way the notebook says which it took and why.

    user_name, group_name = carry_over(lab, user_name=user_name, group_name=group_name)
"""

from __future__ import annotations

import html
from dataclasses import dataclass

from awslab import record
from awslab.notebooks import declared

KINDS = {"user_name": "user", "group_name": "group"}
MADE_IN = "02_set_up_additional_users"  # where user_name and group_name are first chosen


@dataclass(frozen=True)
class Choice:
    parameter: str
    value: str
    why: str  # "record", "parameter", "default"
    missing: bool = False     # a value set in the parameters cell that names nothing in the account
    made: str | None = None   # then, what notebook 02 made, if anything

    def sentence(self) -> str:
        kind = KINDS[self.parameter]
        if self.why == "record":
            return f"{kind} {self.value}: the one notebook 02 made (from the lab's record)"
        if self.why == "parameter":
            said = f"{kind} {self.value}: as set in the parameters cell ({self.parameter})"
            if not self.missing:
                return said
            made = f"; notebook 02 made {kind} {self.made}" if self.made else ""
            return f"{said}, but this account has no {kind} {self.value}{made}"
        return (f"{kind} {self.value}: the default; the lab's record has no {kind} from notebook 02 "
                "in this account yet")


def choose(lab, parameter: str, value: str) -> Choice:
    default = declared(MADE_IN)[parameter].default
    made = record.latest(lab.account_id, KINDS[parameter]) if lab.account_id else None
    if value != default:
        return Choice(parameter, value, "parameter", missing=_missing(lab, KINDS[parameter], value),
                      made=made if made != value else None)
    if made is not None:
        return Choice(parameter, made, "record")
    return Choice(parameter, value, "default")


def _missing(lab, kind: str, name: str) -> bool:
    """True only when IAM says there is no such user or group (not when it could not tell)."""
    from botocore.exceptions import ClientError

    from awslab.errors import Code, code_of

    iam = lab.client("iam")
    try:
        iam.get_user(UserName=name) if kind == "user" else iam.get_group(GroupName=name, MaxItems=1)
    except ClientError as error:
        return code_of(error) == Code.NoSuchEntity
    except Exception:
        return False
    return False


def carry_over(lab, **parameters: str) -> tuple[str, ...]:
    """The values to use for user_name / group_name (in the order given), shown as a short note
    in the notebook (printed, headless)."""
    choices = [choose(lab, name, value) for name, value in parameters.items()]
    _show(choices)
    return tuple(choice.value for choice in choices)


def _show(choices: list[Choice]) -> None:
    from IPython.display import display

    items = "".join(f"<li>{html.escape(c.sentence())}</li>" for c in choices)
    text = "Using " + "; ".join(c.sentence() for c in choices) + "."
    display({"text/html": f'<div class="awslab-choices"><b>This notebook works on</b><ul style="margin:2px 0">'
                          f"{items}</ul>To use others, set them in the parameters cell.</div>",
             "text/plain": text}, raw=True)
