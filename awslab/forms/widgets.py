"""The lab's shared widgets: the small custom widgets several notebooks' forms use.

    PasswordInput    a password box whose value stays in the kernel (notebook 02's custom
                     password, notebook 04's console sign-in and new password)

(The accessibility helpers of awslab/a11y.py and the secret widgets of awslab/secret_widgets.py
belong here too, and may move here later.)
"""

from __future__ import annotations

import anywidget
import traitlets

__all__ = ["PasswordInput"]

_PASSWORD_ESM = r"""
function render({ model, el }) {
  const input = document.createElement("input");
  input.type = "password";
  input.autocomplete = "new-password";
  input.placeholder = model.get("placeholder");
  input.className = "widget-input awslab-password-input";
  input.style.width = "20em";
  // A label tied to its field (axe-core: form elements must have labels).
  input.id = "awslab-password-" + Math.random().toString(36).slice(2);
  input.oninput = () => model.send({ event: "typed", value: input.value });
  model.on("msg:custom", (msg) => { if (msg.event === "clear") input.value = ""; });
  const label = document.createElement("label");
  label.textContent = model.get("label");
  label.htmlFor = input.id;
  label.style.minWidth = "12em";
  label.style.display = "inline-block";
  // A row of its own (the widget's own element is shown and hidden by its Layout).
  const row = document.createElement("div");
  row.style.display = "flex";
  row.style.alignItems = "center";
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

    def __init__(self, label: str = "Custom password", value: str = "", **kwargs):
        super().__init__(label=label, **kwargs)
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
        from awslab.log import keep_out_of_logs

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
