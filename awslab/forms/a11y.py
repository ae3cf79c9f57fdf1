"""What ipywidgets cannot say to a screen reader or a keyboard, said by one small view per form.

ipywidgets has no way to set `aria-invalid`, `aria-describedby` or a live region on the
elements it draws, nor to move focus to a panel that is not a button or a field. Each form
carries one `FormAria` (it draws nothing) that sets those attributes on its own form's
elements, found by the CSS class each widget was given, again whenever JupyterLab redraws
them. It holds no secret: only class names, so it is safe in saved widget state.

    aria = FormAria()
    aria.invalid = ["awslab-f3"]        # that field's input gets aria-invalid="true"
    aria.describe = {"awslab-f3": "awslab-f7"}  # ... and aria-describedby its message
    aria.focus_on("awslab-f9")          # focus moves there (made focusable if need be)
    aria.enter = {"awslab-f4": "awslab-f5"}  # Enter in that field presses that button

And what a keyboard expects of a form: Enter in a text field presses the nearest primary button
around it (the form's next step; Form.enter_presses names another), and a radio group is one
Tab stop whose arrow keys move the choice.
"""

from __future__ import annotations

import anywidget
import traitlets

_ESM = r"""
const FIELDS = "input, textarea, select";
// A radio group is one Tab stop and arrow keys move within it, as the browser does for radios
// that share a name: ipywidgets gives its radios none.
function radioGroups(form) {
  for (const group of form.querySelectorAll(".widget-radio-box")) {
    if (group.closest(".awslab-form") !== form) continue;
    if (!group.dataset.awslabName) group.dataset.awslabName = "awslab-radio-" + Math.random().toString(36).slice(2);
    group.setAttribute("role", "radiogroup");
    const label = group.parentElement && group.parentElement.querySelector(":scope > .widget-label");
    if (label && label.textContent.trim()) {
      if (!label.id) label.id = "awslab-" + Math.random().toString(36).slice(2);
      group.setAttribute("aria-labelledby", label.id);
    }
    for (const radio of group.querySelectorAll("input[type=radio]")) {
      if (radio.name !== group.dataset.awslabName) radio.name = group.dataset.awslabName;
    }
  }
}
// Enter in a text field presses the button that field belongs to: one the form names for it
// (`enter`), else the nearest primary button around it (the form's next step), as a web form's
// Enter submits it. Not in a field marked awslab-no-enter (a search box).
const TYPED = ["text", "password", "number", "email", "search", "tel", "url"];
function enterButton(form, model, input) {
  const usable = (b) => b && b.offsetParent !== null && !b.disabled && b.closest(".awslab-form") === form;
  const named = model.get("enter");
  for (let box = input; box && box !== form; box = box.parentElement) {
    const name = [...box.classList].find((c) => named[c]);
    if (name) { const button = form.querySelector("." + named[name]); return usable(button) ? button : null; }
  }
  for (let box = input.parentElement; box; box = box.parentElement) {
    const primary = [...box.querySelectorAll("button.mod-primary")].find(usable);
    if (primary) return primary;
    if (box === form) return null;
  }
  return null;
}
function onEnter(form, model, event) {
  const input = event.target;
  if (event.key !== "Enter" || event.isComposing || event.shiftKey || event.ctrlKey || event.altKey ||
      event.metaKey || !(input instanceof HTMLInputElement) || !TYPED.includes(input.type) ||
      input.closest(".awslab-form") !== form || input.closest(".awslab-no-enter") ||
      form.classList.contains("jupyter-widgets-disconnected")) return;
  const button = enterButton(form, model, input);
  if (!button) return;
  event.preventDefault();
  // The field's value first (a field that sends it when changed, not as typed), then the press.
  input.dispatchEvent(new Event("change", { bubbles: true }));
  button.click();
}
function apply(form, model) {
  radioGroups(form);
  const invalid = new Set(model.get("invalid"));
  const describe = model.get("describe");
  for (const message of form.querySelectorAll(".awslab-message")) {
    // A live region that stays while its words change: screen readers read each change.
    if (message.closest(".awslab-form") !== form) continue;
    message.setAttribute("role", "status");
    message.setAttribute("aria-live", "polite");
  }
  for (const box of form.querySelectorAll("[class*='awslab-f']")) {
    const name = [...box.classList].find((c) => /^awslab-f\d+$/.test(c));
    if (!name) continue;
    const inputs = box.matches(FIELDS) ? [box] : [...box.querySelectorAll(FIELDS)];
    for (const input of inputs) {
      if (invalid.has(name)) input.setAttribute("aria-invalid", "true");
      else input.removeAttribute("aria-invalid");
      const target = describe[name] && form.querySelector("." + describe[name]);
      if (target) {
        if (!target.id) target.id = "awslab-" + Math.random().toString(36).slice(2);
        input.setAttribute("aria-describedby", target.id);
      } else {
        input.removeAttribute("aria-describedby");
      }
    }
  }
}
function focus(form, model) {
  const name = model.get("focus");
  if (!name) return;
  // The panel appears in the same update: wait for JupyterLab to draw it.
  let tries = 0;
  const go = () => {
    const target = form.querySelector("." + name);
    if (!target) { if (tries++ < 20) setTimeout(go, 25); return; }
    // A field or a button takes focus itself; a panel is made focusable (not tabbable) so that
    // a screen reader reads what appeared and the next Tab goes on from there.
    // One field (ipywidgets draws a label and its input in one inline box): the input, to type.
    const field = target.matches(".widget-inline-hbox, .awslab-password-field") &&
                  target.querySelector("input, textarea, select");
    if (field) { field.focus(); return; }
    if (!target.matches("button, input, textarea, select, a[href]")) target.setAttribute("tabindex", "-1");
    target.focus();
  };
  go();
}
function render({ model, el }) {
  el.style.display = "none";
  let form = null;
  const attach = () => {
    form = el.closest(".awslab-form");
    if (!form) { setTimeout(attach, 50); return; }
    apply(form, model);
    const observer = new MutationObserver(() => apply(form, model));
    observer.observe(form, { childList: true, subtree: true });
    // Before ipywidgets' own handlers, which keep every key inside its field.
    form.addEventListener("keydown", (event) => onEnter(form, model, event), true);
    // Arrow keys in a radio group move the choice (the browser's own), not the notebook's cell.
    form.addEventListener("keydown", (event) => {
      if (event.target instanceof HTMLInputElement && event.target.type === "radio" &&
          ["ArrowUp", "ArrowDown", "ArrowLeft", "ArrowRight"].includes(event.key)) event.stopPropagation();
    });
    // The keys work from now on (this module loads after the form is drawn: an Enter before
    // it presses nothing); tests wait for this mark before pressing one.
    form.setAttribute("data-awslab-keyboard", "ready");
  };
  attach();
  model.on("change:invalid", () => form && apply(form, model));
  model.on("change:describe", () => form && apply(form, model));
  model.on("change:focus_serial", () => form && focus(form, model));
}
export default { render };
"""

# Focus that shows: JupyterLab's default ring on buttons is a faint 1 px line.
_CSS = r"""
.awslab-form button:focus-visible, .awslab-form input:focus-visible,
.awslab-form textarea:focus-visible, .awslab-form select:focus-visible,
.awslab-form a:focus-visible, .awslab-form [tabindex]:focus-visible {
  outline: 3px solid #0972d3 !important;
  outline-offset: 2px;
}
.awslab-form [aria-invalid="true"] { border-color: #d13212 !important; }
/* A form saved with its notebook and opened again without its kernel's live models (a new
   session): one plain sentence instead of ipywidgets' broken-chain icon beside every widget. */
.awslab-form .jupyter-widgets-disconnected::before { content: none; display: none; }
.awslab-form.jupyter-widgets-disconnected button,
.awslab-form.jupyter-widgets-disconnected input { pointer-events: none; opacity: 0.6; }
/* What was true when read ("created just now", "no members yet") is not said by a saved view. */
.awslab-form.jupyter-widgets-disconnected .awslab-live-only { display: none !important; }
.awslab-form.jupyter-widgets-disconnected::before {
  content: "A saved view of this form, from an earlier session: run its cell to use it again.";
  display: block; font: italic 600 var(--jp-ui-font-size1, 13px) var(--jp-ui-font-family, sans-serif);
  color: #545b64; padding: 4px 0;
}
"""


class FormAria(anywidget.AnyWidget):
    _esm = traitlets.Unicode(_ESM).tag(sync=True)
    _css = traitlets.Unicode(_CSS).tag(sync=True)
    invalid = traitlets.List(traitlets.Unicode()).tag(sync=True)
    describe = traitlets.Dict().tag(sync=True)
    focus = traitlets.Unicode("").tag(sync=True)
    focus_serial = traitlets.Int(0).tag(sync=True)
    enter = traitlets.Dict().tag(sync=True)  # a field's class -> the class of the button Enter presses

    def focus_on(self, css_class: str) -> None:
        self.focus = css_class
        self.focus_serial += 1

    def _repr_keys(self):
        return iter(())


_serial = 0


def tag(widget) -> str:
    """The widget's own class name (`awslab-f<n>`), given once, by which FormAria finds it."""
    global _serial
    for name in getattr(widget, "_dom_classes", ()):
        if name.startswith("awslab-f") and name[8:].isdigit():
            return name
    _serial += 1
    name = f"awslab-f{_serial}"
    widget.add_class(name)
    return name
