"""Showing a secret once, in the live notebook only.

A secret (secret access key, password, MFA seed, its QR code) never becomes widget
state, a text repr or cell output: papermill and JupyterLab save all three. Instead the
secret stays in the kernel, and the browser view asks for it with a custom comm message
when it renders; the kernel answers with another custom message, which no one saves.
In a headless run no view renders, so the secret never leaves the kernel.

    SecretText("Secret access key", value)      # masked, with Show and Copy (before the value)
    SecretImage("QR code", png_bytes)            # hidden until "Show QR code"
    SecretDownload("Download .csv", "alice_credentials.csv", csv_text)
    widget.forget()                              # drop it from the kernel too
"""

from __future__ import annotations

import base64

import anywidget
import traitlets

_ESM = r"""
// One row per secret, in a grid that lines every row up: label | Show/Hide | Copy | value.
// The buttons come before the value, so revealing a 64-character secret moves none of them,
// and the value sits in a fixed-width monospace box that wraps.
function button(text, name) {
  const b = document.createElement("button");
  b.type = "button";
  b.textContent = text;
  b.className = "jupyter-button widget-button awslab-secret-button";
  b.style.width = "100%";  // "Show", "Hide" and "Copied" take the same room: their column's
  b.setAttribute("aria-label", name);
  return b;
}
function status() {
  // Read out by screen readers when its words change; seen too.
  const s = document.createElement("span");
  s.className = "awslab-secret-status";
  s.setAttribute("role", "status");
  s.setAttribute("aria-live", "polite");
  s.style.color = "#1d8102";
  s.style.minWidth = "6em";
  return s;
}
function say(s, text) {
  s.textContent = text;
  clearTimeout(s._timer);
  s._timer = setTimeout(() => { s.textContent = ""; }, 4000);
}
function render({ model, el }) {
  const kind = model.get("kind");
  const what = model.get("label");
  // "Console password" reads "Copy console password"; "QR code" keeps its capitals.
  const lower = /^[A-Z][a-z]/.test(what) ? what.charAt(0).toLowerCase() + what.slice(1) : what;
  const wrap = document.createElement("div");
  wrap.className = "awslab-secret";
  wrap.style.display = "grid";
  // Fixed columns: every row lines up, whatever its value or status says.
  wrap.style.gridTemplateColumns = "12em 7.5em 7.5em minmax(0, 34em) 1fr";
  wrap.style.alignItems = "center";
  wrap.style.columnGap = "6px";
  wrap.style.margin = "2px 0";
  let secret = null;
  if (kind === "download") {
    const b = button(what, what + ": the file " + model.get("filename") + ", with the password and secret access key");
    b.className = "jupyter-button widget-button mod-primary awslab-download";
    const note = status();
    b.onclick = () => model.send({ event: "ready" });
    model.on("msg:custom", (msg) => {
      if (msg.event === "secret") {
        const blob = new Blob([msg.value], { type: "text/csv" });
        const a = document.createElement("a");
        a.href = URL.createObjectURL(blob);
        a.download = model.get("filename");
        document.body.appendChild(a);
        a.click();
        setTimeout(() => { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
        say(note, "Downloaded " + model.get("filename"));
      } else if (msg.event === "forgotten") {
        b.disabled = true;
        b.textContent = what + " (no longer available)";
      }
    });
    wrap.style.display = "flex";  // the button as wide as its words, its status beside it
    b.style.width = "auto";
    wrap.appendChild(b);
    wrap.appendChild(note);
    el.appendChild(wrap);
    return;
  }
  const label = document.createElement("span");
  label.textContent = what;
  label.style.fontWeight = "600";
  const shown = document.createElement(kind === "image" ? "div" : "code");
  shown.className = "awslab-secret-value";
  if (kind !== "image") {
    shown.style.fontFamily = "var(--jp-code-font-family, monospace)";
    shown.style.overflowWrap = "anywhere";
    shown.style.wordBreak = "break-all";
    shown.style.whiteSpace = "normal";
  }
  const masked = kind === "image" ? "(hidden)" : "\u2022".repeat(16);
  const showText = kind === "image" ? "Show QR code" : "Show";
  if (kind === "image") wrap.style.gridTemplateColumns = "12em 9em 0 minmax(0, 34em) 1fr";
  const toggle = button(showText, "Show " + lower);
  toggle.className += " awslab-show";
  const copy = button("Copy", "Copy " + lower);
  copy.className += " awslab-copy";
  const note = status();
  let visible = false;
  function hidden() {
    shown.textContent = "";
    const dots = document.createElement("span");
    dots.textContent = masked;
    dots.setAttribute("aria-hidden", "true");
    const words = document.createElement("span");
    words.textContent = "(hidden)";
    words.style.position = "absolute";  // for screen readers only
    words.style.width = "1px";
    words.style.height = "1px";
    words.style.overflow = "hidden";
    words.style.clip = "rect(0 0 0 0)";
    shown.appendChild(dots);
    if (kind !== "image") shown.appendChild(words);
  }
  function paint() {
    shown.innerHTML = "";
    if (secret === null) {
      shown.textContent = "(no longer available)";
      toggle.disabled = true; copy.disabled = true; return;
    }
    toggle.disabled = false; copy.disabled = false;
    if (!visible) {
      hidden();
      toggle.textContent = showText;
      toggle.setAttribute("aria-label", "Show " + lower);
      toggle.setAttribute("aria-pressed", "false");
      return;
    }
    toggle.textContent = "Hide";
    toggle.setAttribute("aria-label", "Hide " + lower);
    toggle.setAttribute("aria-pressed", "true");
    if (kind === "image") {
      const img = document.createElement("img");
      img.src = "data:image/png;base64," + secret;
      img.alt = what;
      img.style.width = "220px";
      img.style.imageRendering = "pixelated";
      shown.appendChild(img);
    } else {
      shown.textContent = secret;
    }
  }
  toggle.onclick = () => { visible = !visible; paint(); };
  copy.onclick = async () => {
    if (secret === null) return;
    try {
      if (!navigator.clipboard) throw new Error("no clipboard");
      await navigator.clipboard.writeText(secret);
      copy.textContent = "Copied";
      say(note, "Copied the " + lower);
      clearTimeout(copy._timer);
      copy._timer = setTimeout(() => { copy.textContent = "Copy"; }, 2000);
    } catch (e) {
      say(note, "Could not copy: show it and copy it by hand");
    }
  };
  model.on("msg:custom", (msg) => {
    if (msg.event === "secret") { secret = msg.value; paint(); }
    if (msg.event === "forgotten") { secret = null; paint(); }
  });
  wrap.appendChild(label);
  wrap.appendChild(toggle);
  if (kind !== "image") wrap.appendChild(copy);
  else wrap.appendChild(document.createElement("span"));
  wrap.appendChild(shown);
  wrap.appendChild(note);
  paint();
  el.appendChild(wrap);
  model.send({ event: "ready" });
}
export default { render };
"""


class _Secret(anywidget.AnyWidget):
    _esm = traitlets.Unicode(_ESM).tag(sync=True)
    label = traitlets.Unicode("").tag(sync=True)
    kind = traitlets.Unicode("text").tag(sync=True)
    filename = traitlets.Unicode("").tag(sync=True)

    def __init__(self, label: str, secret: str, kind: str, **kwargs):
        super().__init__(label=label, kind=kind, **kwargs)
        self._secret: str | None = secret
        self.on_msg(self._answer)

    def _answer(self, _widget, content, _buffers) -> None:
        if isinstance(content, dict) and content.get("event") == "ready":
            if self._secret is None:
                self.send({"event": "forgotten"})
            else:
                self.send({"event": "secret", "value": self._secret})

    @property
    def available(self) -> bool:
        return self._secret is not None

    def forget(self) -> None:
        """Drop the secret from the kernel; views show "(no longer available)"."""
        self._secret = None
        self.send({"event": "forgotten"})

    def __repr__(self) -> str:  # the text/plain a saved notebook keeps: never the secret
        return f"{type(self).__name__}(label={self.label!r}, value=hidden)"

    def _repr_keys(self):  # ipywidgets builds reprs of containers from these
        yield "label"


class SecretText(_Secret):
    def __init__(self, label: str, secret: str, **kwargs):
        from awslab.redaction import keep_out_of_logs

        keep_out_of_logs(secret)
        super().__init__(label, secret, "text", **kwargs)


class SecretImage(_Secret):
    def __init__(self, label: str, png: bytes, **kwargs):
        super().__init__(label, base64.b64encode(png).decode("ascii"), "image", **kwargs)


class SecretDownload(_Secret):
    def __init__(self, label: str, filename: str, text: str, **kwargs):
        super().__init__(label, text, "download", filename=filename, **kwargs)
