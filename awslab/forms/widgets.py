"""The lab's shared widgets: the small custom widgets several notebooks' forms use.

    PasswordInput    a password box whose value stays in the kernel (notebook 02's custom
                     password, notebook 04's console sign-in and new password)

Beside it: forms/a11y.py (focus, aria-invalid, the live message: what every form uses for
keyboards and screen readers) and forms/secret_widgets.py (a secret shown once, never saved).
"""

from __future__ import annotations

import anywidget
import traitlets

__all__ = ["PasswordInput"]

_PASSWORD_ESM = r"""
function render({ model, el }) {
  // Drawn as ipywidgets draws a Text field (its classes, so its styles: label width and
  // alignment, input height, margins), so that it lines up with the fields around it.
  el.classList.add("awslab-password-field");
  const row = document.createElement("div");
  row.className = "widget-inline-hbox widget-text awslab-password-row";
  row.style.margin = "var(--jp-widgets-margin, 2px)";  // as every ipywidget has (.jupyter-widgets)
  if (model.get("width")) row.style.width = model.get("width");
  const input = document.createElement("input");
  input.type = "password";
  input.autocomplete = "new-password";
  input.placeholder = model.get("placeholder");
  input.className = "widget-input awslab-password-input";
  // A label tied to its field (axe-core: form elements must have labels).
  input.id = "awslab-password-" + Math.random().toString(36).slice(2);
  input.oninput = () => model.send({ event: "typed", value: input.value });
  model.on("msg:custom", (msg) => { if (msg.event === "clear") input.value = ""; });
  const label = document.createElement("label");
  label.className = "widget-label";
  label.textContent = model.get("label");
  label.title = model.get("label");
  label.htmlFor = input.id;
  if (model.get("description_width")) label.style.width = model.get("description_width");
  row.appendChild(label);
  row.appendChild(input);
  el.appendChild(row);
}
export default { render };
"""


class PasswordInput(anywidget.AnyWidget):
    """A password box whose value stays in the kernel: the browser sends each keystroke's
    value with a custom message (never saved), unlike `ipywidgets.Password`, whose value is
    widget state that a saved notebook can keep."""

    _esm = traitlets.Unicode(_PASSWORD_ESM).tag(sync=True)
    label = traitlets.Unicode("Custom password").tag(sync=True)
    placeholder = traitlets.Unicode("").tag(sync=True)
    # As a W.Text's style={"description_width": ...} and layout width (CSS; "" is ipywidgets' own).
    description_width = traitlets.Unicode("").tag(sync=True)
    width = traitlets.Unicode("").tag(sync=True)

    def __init__(self, label: str = "Custom password", value: str = "", **kwargs):
        super().__init__(label=label, **kwargs)
        from awslab.forms.a11y import tag

        # Its class for FormAria (aria-invalid, focus) from the start: an anywidget's view does not
        # take classes added once it is drawn.
        tag(self)
        self._value = value or ""
        self._observers: list = []
        self.on_msg(self._typed)

    def _typed(self, _widget, content, _buffers) -> None:
        if isinstance(content, dict) and content.get("event") == "typed":
            self.value = str(content.get("value") or "")

    @property
    def value(self) -> str:
        return self._value

    @value.setter
    def value(self, text: str) -> None:
        from awslab.redaction import keep_out_of_logs

        self._value = text or ""
        keep_out_of_logs(self._value)
        for callback in self._observers:
            callback()

    def on_change(self, callback) -> None:
        self._observers.append(callback)

    def clear(self) -> None:
        self._value = ""
        self.send({"event": "clear"})

    def __repr__(self) -> str:
        return f"PasswordInput(label={self.label!r}, value=hidden)"

    def _repr_keys(self):
        yield "label"
