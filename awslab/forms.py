"""Forms: objects with fields, a `submit()` that calls one plain function, a `result`.

The button only calls `submit()`; headless runs (`auto_submit=True`) call it too.
ipywidgets loads when a form is built, not when this module is imported: the HTML helpers
(`line`, `note`, `table`) serve the command line too.
A refused submission shows one sentence in the form (never a traceback, which goes to
the log); headless, the same sentence is raised as a LabError so the run fails visibly.
A message belongs to the values it judged: change any field and a refusal goes away.
The message is a live region (screen readers read each new sentence) and, after a
submission, focus moves to what it produced (see awslab.a11y).

    form = SomeForm(lab, auto_submit=auto_submit, name="alice")
    form.show()          # display; submits at once when auto_submit
    form.result          # what the action returned, or None
"""

from __future__ import annotations

import contextlib
import html
import time

from awslab.errors import Code, LabError, explain
from awslab.log import get_logger

GREEN, RED, GREY, AMBER = "#1d8102", "#d13212", "#545b64", "#8a6d00"


# What a mark says to a screen reader, which reads "heavy check mark" for ✔ otherwise.
MARK_WORDS = {True: "Yes", False: "No", None: "Note"}


def mark(ok: bool | None) -> str:
    """✔ / ✘ / • in its colour, with a word for screen readers."""
    symbol, color = {True: ("✔", GREEN), False: ("✘", RED), None: ("•", GREY)}[ok]
    return (f'<span role="img" aria-label="{MARK_WORDS[ok]}:" style="color:{color};font-weight:700">'
            f"{symbol}</span>")


def line(ok: bool | None, text: str, detail: str = "") -> str:
    """One status line as HTML: a mark, the text, and a quieter detail."""
    extra = f' <span style="color:{GREY}">{html.escape(detail)}</span>' if detail else ""
    return f'<div class="awslab-line" style="margin:2px 0">{mark(ok)} {sentence_html(text)}{extra}</div>'


def sentence_html(text: str) -> str:
    """A sentence as HTML: escaped, and a `name` in backticks (errors.explain() quotes actions,
    commands and parameters so) set as code rather than shown with raw backticks."""
    parts = html.escape(text).split("`")
    if len(parts) % 2 == 0:  # an odd backtick: no pairs to trust
        return html.escape(text)
    return "".join(f"<code>{part}</code>" if i % 2 else part for i, part in enumerate(parts))


def note(text: str, color: str = GREY) -> str:
    return f'<div style="color:{color};margin:4px 0">{sentence_html(text)}</div>'


def table(header: list[str], rows: list[list[str]], raw: bool = False) -> str:
    """An HTML table; cells are escaped unless raw."""
    esc = (lambda s: str(s)) if raw else (lambda s: html.escape(str(s)))
    head = "".join(f'<th style="text-align:left;padding:2px 8px">{html.escape(h)}</th>' for h in header)
    body = "".join(
        "<tr>" + "".join(f'<td style="padding:2px 8px;vertical-align:top">{esc(c)}</td>' for c in row) + "</tr>"
        for row in rows
    )
    return f'<table class="awslab-table"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


class Form:
    """Base of every form in the lab."""

    title = ""
    submit_label = "Submit"
    doing = "submitting the form"
    wrong_parameter: str | None = None  # a notebook parameter of the wrong type (see parameter())

    def __init__(self, lab, *, auto_submit: bool = False):
        import ipywidgets as W

        self.lab = lab
        self.auto_submit = auto_submit
        self.result = None
        self.error: str | None = None
        self.message = W.HTML(layout=W.Layout(margin="4px 0"))
        self.message.add_class("awslab-message")
        self.button = W.Button(description=self.submit_label, button_style="primary",
                               layout=W.Layout(width="auto"))
        self.button.add_class("awslab-submit")
        self.button.on_click(lambda _button: self._clicked())
        self.after = W.VBox()
        from awslab.a11y import FormAria

        self.aria = FormAria()
        from awslab.following import changes

        self._followed = changes(lab)  # the lab's identity changes this form has told of
        rows = self.build()
        heading = [W.HTML(f"<h4 style='margin:4px 0'>{html.escape(self.title)}</h4>")] if self.title else []
        self.widget = W.VBox([*heading, *rows, W.HBox([self.button]), self.message, self.after, self.aria])
        self.widget.add_class("awslab-form")
        self.watch_fields(*rows)
        self.notice_identity()

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

    def values(self) -> dict:
        return {}

    def action(self, **values):
        raise NotImplementedError

    def show_result(self, result) -> None:
        self.say(True, "Done.")

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
        from awslab.a11y import tag

        name = tag(field)
        names = [n for n in self.aria.invalid if n != name] + ([name] if invalid else [])
        self.aria.invalid = names
        describe = dict(self.aria.describe)
        if invalid:
            describe[name] = tag(message if message is not None else self.message)
        else:
            describe.pop(name, None)
        self.aria.describe = describe

    def focus(self, widget) -> None:
        """Move keyboard focus to a widget (a panel becomes focusable): after a submission,
        to what it produced, so that focus does not drop to the page."""
        from awslab.a11y import tag

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

    def _clicked(self) -> None:
        try:
            self.submit()
        except LabError:
            pass  # already shown in the form; a click never raises into the front end

    def submit(self):
        """Run the action with the form's values and return its result. A refusal shows one
        sentence in the form (`self.error`) and returns None; headless (auto_submit) it
        raises that sentence as a LabError, so the cell fails and says why."""
        self.button.disabled = True
        self.say(None, "Working…")
        started = time.monotonic()
        self._submitting = True
        try:
            values = self.values()
            self.result = self.action(**values)
        except Exception as error:  # every failure becomes one sentence
            self.refuse(error)
            self.focus(self.button)  # disabling it took focus away; the alert is read out
            return None
        finally:
            self._submitting = False
            self.button.disabled = False
            self.elapsed = time.monotonic() - started
        self.error = None
        self.aria.invalid = []
        self.message.value = ""
        self.show_result(self.result)
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
        no = W.Button(description="Cancel", layout=W.Layout(width="auto", margin="0 0 0 8px"))
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
        if not self.refuse_wrong_parameter() and self.auto_submit:
            self.submit()

    def _repr_keys(self):
        return iter(())
