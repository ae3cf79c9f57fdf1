"""Undoable units: a sequence of steps, each with its undo, done all or not at all.

Defined for notebook 02 (`notebooks/02_set_up_additional_users.ipynb`): its cells "1. Create the
user group" and "2. Create the IAM user" each make several things (the group and its policies; the
user, its password, its policy, its memberships, its access key and its .csv) as one unit, through
awslab/steps/s02_users.py:

    run_steps(lab, "Creating the user alice", [change(lab, "create the user alice", User("alice")),
                                               change(lab, "create the console password", LoginProfile("alice"),
                                                      password=...), ...])

A step that makes one kind of thing (awslab/steps/kinds.py) is `change(lab, title, kind, ...)`:
it does kind.create(lab, ...) and its undo is kind.delete(lab). When a step fails, the steps already done are undone in reverse and the LabError names the failed
step (and anything that could not be undone). No widgets here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from awslab.errors import Code, LabError, code_of, explain
from awslab.log import get_logger


def _missing(error: BaseException) -> bool:
    return code_of(error) == Code.NoSuchEntity


def _as_sentence_body(sentence: str) -> str:
    return sentence.rstrip(".")


@dataclass
class Step:
    title: str
    do: Callable[[], object]
    undo: Callable[[], None] | None = None


def change(lab, title: str, kind, *args, then: Callable[[object], None] | None = None, **kwargs) -> Step:
    """The step that makes `kind` (kind.create(lab, *args, **kwargs); `then` hears what it
    returned); its undo is kind.delete(lab), which forgets it too."""
    def do():
        made = kind.create(lab, *args, **kwargs)
        if then is not None:
            then(made)
        return made

    return Step(title, do, lambda: kind.delete(lab))


def run_steps(lab, what: str, steps: list[Step]) -> list[str]:
    """Do each step; when one fails, undo the done ones in reverse and raise a LabError naming
    the failed step (and anything that could not be undone). Returns the titles done."""
    done: list[Step] = []
    for number, step in enumerate(steps, 1):
        try:
            step.do()
        except Exception as error:  # every failure is undone, then told in one sentence
            if not isinstance(error, LabError):
                get_logger().exception("%s: step %r failed", what, step.title)
            reason = _as_sentence_body(explain(error))
            left = _undo(done)
            if not done:
                after = "nothing was created"
            elif not left:
                after = (f"the {len(done)} steps already done were undone" if len(done) > 1
                         else "the step already done was undone") + ", so nothing is left half-made"
            else:
                after = ("undoing failed for: " + "; ".join(left) +
                         " (remove those by hand, or run notebook 99 to clean up)")
            raise LabError(f"{what} failed at step {number} of {len(steps)}, {step.title}: {reason}; {after}.",
                           code=code_of(error)) from None
        done.append(step)
    return [s.title for s in done]


def _undo(done: list[Step]) -> list[str]:
    left = []
    for step in reversed(done):
        if step.undo is None:
            continue
        try:
            step.undo()
        except Exception as error:
            if _missing(error):
                continue  # already gone
            get_logger().exception("undoing %r failed", step.title)
            left.append(step.title)
    return left
