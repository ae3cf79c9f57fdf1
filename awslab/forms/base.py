"""The one base of every form: fields, buttons named for the steps they run, one run path.

A form is ipywidgets' `interactive` generalised to several named functions: its `actions`
table names, for each button, the plain step function (awslab/steps/) it runs, so the path
from a notebook cell to the AWS work is one hop:

    class AliasForm(Form):
        actions = {"Save alias": s03.set_account_alias, "Delete alias": s03.delete_account_alias}

        def values(self, label):
            return {"alias": self.alias.value} if label == "Save alias" else {}

`Form.run(label)` is the only path for every button (and for headless runs): the button is
busy, `values(label)` are bound to the step's signature, the step runs as `step(lab, **values)`,
a refusal becomes one sentence in the form (the traceback goes to the log; headless, the
sentence is raised as a LabError so the cell fails and says why), a result is shown by
`show_result(result, label)` and focus moves to what it produced. A question a person would
confirm (`ask`) counts as confirmed headless. `skip_headless()` says, headless, why a form
has nothing to do (the parameter was left empty) instead of submitting.

A message belongs to the values it judged: change any field and a refusal goes away. The
message is a live region (screen readers read each new sentence).

    form = SomeForm(lab, auto_submit=auto_submit, name="alice")
    form.show()          # display; runs the first action at once when auto_submit
    form.result          # what the last action returned, or None
"""

from __future__ import annotations

import contextlib
import html
import inspect
import time
from collections.abc import Callable

from awslab.errors import Code, LabError, explain
from awslab.forms.html import GREEN, GREY, RED, note, sentence_html
from awslab.log import get_logger


class Form:
    """Base of every form in the lab."""

    title = ""
    # Button label -> the step it runs, called as step(lab, **values(label)); the first is the
    # form's primary button (the one auto_submit runs). A form that names no step overrides
    # `action(**values)` instead, under `submit_label`.
    actions: dict[str, Callable] = {}
    submit_label = "Submit"
    doing = "submitting the form"
    # What each button is doing, for its refusal sentence ("While creating another access key,
    # ..."); a label not named here says `doing`.
    doings: dict[str, str] = {}
    wrong_parameter: str | None = None  # a notebook parameter of the wrong type (see parameter())

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        for label, step in cls.__dict__.get("actions", {}).items():
            parameters = list(inspect.signature(step).parameters)
            if not parameters or parameters[0] != "lab":
                raise TypeError(f"{cls.__name__}.actions[{label!r}]: {step.__qualname__} must take "
                                "the Lab as its first parameter, `lab`")

    def __init__(self, lab, *, auto_submit: bool = False):
        import ipywidgets as W

        self.lab = lab
        self.auto_submit = auto_submit
        self.result = None
        self.error: str | None = None
        self.message = W.HTML(layout=W.Layout(margin="4px 0"))
        self.message.add_class("awslab-message")
        self.action_buttons: dict = {}
        self._placed: set[str] = set()
        for index, label in enumerate(self.labels):
            button = W.Button(description=label, button_style="primary" if index == 0 else "",
                              layout=W.Layout(width="auto"))
            button.add_class("awslab-submit" if index == 0 else "awslab-action")
            button.on_click(lambda _button, label=label: self._press(label))
            self.action_buttons[label] = button
        self.button = self.action_buttons[self.primary]
        self.after = W.VBox()
        from awslab.forms.a11y import FormAria

        self.aria = FormAria()
        from awslab.following import changes

        self._followed = changes(lab)  # the lab's identity changes this form has told of
        rows = self.build()
        heading = [W.HTML(f"<h4 style='margin:4px 0'>{html.escape(self.title)}</h4>")] if self.title else []
        loose = [b for label, b in self.action_buttons.items() if label not in self._placed]
        bar = [W.HBox(loose)] if loose else []
        self.widget = W.VBox([*heading, *rows, *bar, self.message, self.after, self.aria])
        self.widget.add_class("awslab-form")
        self.watch_fields(*rows)
        self.notice_identity()

    @property
    def labels(self) -> list[str]:
        return list(self.actions) or [self.submit_label]

    @property
    def primary(self) -> str:
        return self.labels[0]

    def offer(self, *labels: str) -> None:
        """A form of steps: show only the buttons of the steps that make sense now, the first as
        the primary (the next thing to do)."""
        for label, button in self.action_buttons.items():
            button.layout.display = "" if label in labels else "none"
            button.button_style = "primary" if labels and label == labels[0] else ""

    def place(self, label: str):
        """The button of `label`, for a form that lays it out itself (in build())."""
        self._placed.add(label)
        return self.action_buttons[label]

    def parameter(self, name: str, value, default=None):
        """A notebook parameter as the form received it, checked against the type its notebook's
        parameters cell declares (awslab.notebooks.check). None, and a value of the wrong type,
        give `default`; the wrong value is refused when the form is shown (refuse_wrong_parameter())."""
        from awslab.notebooks import check

        if value is None:
            return default
        try:
            return check(name, value)
        except LabError as error:
            if self.wrong_parameter is None:
                self.wrong_parameter = (f"{error.sentence.rstrip('.')}: correct it in the parameters "
                                        "cell and run the notebook again.")
            return default

    def refuse_wrong_parameter(self) -> bool:
        """Refuse a wrong parameter (see parameter()) as any refused step is: one sentence in
        the form, raised headless. True when there was one."""
        if self.wrong_parameter is None:
            return False
        self.refuse(LabError(self.wrong_parameter, code=Code.WrongParameter))
        return True

    # Subclasses fill these in.
    def build(self) -> list:
        return []

    def values(self, label: str | None = None) -> dict:
        """The keyword arguments of the step `label` runs (besides the Lab)."""
        return {}

    def action(self, **values):
        raise NotImplementedError(f"{type(self).__name__} names no step in `actions`")

    def show_result(self, result, label: str | None = None) -> None:
        self.say(True, "Done.")

    def skip_headless(self) -> str | None:
        """Headless, a note saying why there is nothing to submit (None: submit)."""
        return None

    # Messages that belong to what they judged, for eyes, keyboards and screen readers.
    def watch_fields(self, *widgets) -> None:
        """Fields (searched inside the given boxes too) whose change clears a refusal shown in
        the form: the sentence judged the old value. Subclasses call it for fields they add
        after build()."""
        import ipywidgets as W

        for widget in widgets:
            if isinstance(widget, W.Box):
                self.watch_fields(*widget.children)
            elif (isinstance(widget, W.ValueWidget) and not isinstance(widget, (W.HTML, W.Label, W.HTMLMath))
                  and widget is not self.message):
                widget.observe(self._field_changed, names="value")

    @contextlib.contextmanager
    def quietly(self):
        """Field changes the form makes itself (not the learner's correction of a refused value)."""
        before, self._submitting = getattr(self, "_submitting", False), True
        try:
            yield
        finally:
            self._submitting = before

    def _field_changed(self, _change) -> None:
        # Changes the form makes itself while submitting (a typed secret cleared after use)
        # are not the learner's correction.
        if self.error is not None and not getattr(self, "_submitting", False):
            self.error = None
            self.message.value = ""
            self.aria.invalid = []

    def mark_invalid(self, field, invalid: bool, message=None) -> None:
        """Tell assistive technology that a field's value is refused (aria-invalid), and which
        message says why (aria-describedby; the form's own message by default)."""
        from awslab.forms.a11y import tag

        name = tag(field)
        names = [n for n in self.aria.invalid if n != name] + ([name] if invalid else [])
        self.aria.invalid = names
        describe = dict(self.aria.describe)
        if invalid:
            describe[name] = tag(message if message is not None else self.message)
        else:
            describe.pop(name, None)
        self.aria.describe = describe

    def enter_presses(self, field, label: str) -> None:
        """Enter in `field` presses the button of `label`. Without it Enter in a text field presses
        the nearest primary button around it (awslab.forms.a11y): the form's next step."""
        from awslab.forms.a11y import tag

        self.aria.enter = {**self.aria.enter, tag(field): tag(self.action_buttons[label])}

    def focus(self, widget) -> None:
        """Move keyboard focus to a widget (a panel becomes focusable): after a submission,
        to what it produced, so that focus does not drop to the page."""
        from awslab.forms.a11y import tag

        self.aria.focus_on(tag(widget))

    def say(self, ok: bool | None, text: str) -> None:
        color = {True: GREEN, False: RED, None: GREY}[ok]
        role = ' role="alert"' if ok is False else ""
        self.message.value = f'<div{role} style="color:{color};font-weight:600">{sentence_html(text)}</div>'

    def notice_identity(self) -> None:
        """Say once, under the form's message, that the lab now signs in as someone else (its
        saved credentials changed after this notebook connected: awslab.following)."""
        from awslab.following import notice

        text, self._followed = notice(self.lab, self._followed)
        if text:
            self._noticed = text
            self.message.value += note(text)

    def refuse(self, error: BaseException, doing: str | None = None) -> str:
        """A refused step: one sentence in the form (`self.error`), the traceback in the log;
        headless (auto_submit) the sentence is raised as a LabError so the cell fails."""
        sentence = explain(error, doing or self.doing)
        if not isinstance(error, LabError):
            get_logger().error("%s failed", doing or type(self).__name__, exc_info=error)
        self.error = sentence
        self.say(False, sentence)
        self.notice_identity()
        if self.auto_submit:
            raise LabError(sentence) from None
        return sentence

    def _press(self, label: str) -> None:
        # A form may still catch its primary button's click in `_clicked()` (to ask first).
        if label == self.primary:
            self._clicked()
        else:
            self._clicked(label)

    def _clicked(self, label: str | None = None) -> None:
        try:
            if label is None or label == self.primary:
                self.submit()
            else:
                self.run(label)
        except LabError:
            pass  # already shown in the form; a click never raises into the front end

    def submit(self):
        """Run the primary action (what auto_submit does)."""
        return self.run(self.primary)

    def _call(self, label: str, values: dict):
        step = self.actions.get(label)
        if step is None:
            return self.action(**values)
        try:
            bound = inspect.signature(step).bind(self.lab, **values)
        except TypeError as error:  # a form whose values() do not fit its step: a bug, said so
            raise TypeError(f"{type(self).__name__}.values({label!r}) does not fit "
                            f"{step.__qualname__}: {error}") from None
        return step(*bound.args, **bound.kwargs)

    def _values(self, label: str) -> dict:
        try:
            return self.values(label)
        except TypeError as error:  # a form written before labels: values() takes none
            if "positional argument" not in str(error):
                raise
            return self.values()

    def _show_result(self, result, label: str) -> None:
        try:
            self.show_result(result, label)
        except TypeError as error:
            if "positional argument" not in str(error):
                raise
            self.show_result(result)

    def run(self, label: str):
        """The one path of every button: run the step `label` names with the form's values and
        return its result. A refusal shows one sentence in the form (`self.error`) and returns
        None; headless (auto_submit) it raises that sentence as a LabError, so the cell fails
        and says why."""
        button = self.action_buttons.get(label, self.button)
        button.disabled = True
        self.say(None, "Working…")
        started = time.monotonic()
        self._submitting = True
        try:
            values = self._values(label)
            self.result = self._call(label, values)
        except Exception as error:  # every failure becomes one sentence
            self.refuse(error, self.doings.get(label))
            self.focus(button)  # disabling it took focus away; the alert is read out
            return None
        finally:
            self._submitting = False
            button.disabled = False
            self.elapsed = time.monotonic() - started
        self.error = None
        self.aria.invalid = []
        self.message.value = ""
        self._show_result(self.result, label)
        self.notice_identity()
        # Focus goes to what the submission produced, not to the page.
        self.focus(self.after.children[-1] if self.after.children else self.message)
        return self.result

    def ask(self, question: str, on_yes, yes_label: str = "Yes") -> None:
        """A question a person would confirm; headless (auto_submit) it counts as confirmed."""
        if self.auto_submit:
            on_yes()
            return
        import ipywidgets as W

        yes = W.Button(description=yes_label, button_style="danger", layout=W.Layout(width="auto"))
        # The default margin on top and bottom too, so that Cancel lines up with the button beside it.
        no = W.Button(description="Cancel", layout=W.Layout(width="auto", margin="2px 2px 2px 8px"))
        yes.add_class("awslab-yes")
        no.add_class("awslab-no")
        box = W.VBox([W.HTML(f"<b>{html.escape(question)}</b>"), W.HBox([yes, no])])

        def answer(confirmed: bool) -> None:
            self.after.children = tuple(c for c in self.after.children if c is not box)
            # The question (and the focused button in it) is gone: focus goes to what follows.
            self.focus(self.message)
            if confirmed:
                try:
                    on_yes()
                except Exception as error:
                    self.refuse(error)
            else:
                self.say(None, "Cancelled; nothing changed.")

        yes.on_click(lambda _b: answer(True))
        no.on_click(lambda _b: answer(False))
        self.after.children = (*self.after.children, box)
        self.focus(no)  # the question is read out; Enter does not delete by accident

    def show(self) -> None:
        from IPython.display import display

        display(self.widget)
        if self.refuse_wrong_parameter() or not self.auto_submit:
            return
        skipped = self.skip_headless()
        if skipped:
            self.say(None, skipped)
            noticed = getattr(self, "_noticed", "")
            if noticed:  # the note does not hide whom the lab now signs in as
                self.message.value += note(noticed)
            return
        self.submit()

    def _repr_keys(self):
        return iter(())
