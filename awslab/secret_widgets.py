"""Showing a secret once, in the live notebook only.

A secret (secret access key, password, MFA seed, its QR code) never becomes widget
state, a text repr or cell output: papermill and JupyterLab save all three. Instead the
secret stays in the kernel, and the browser view asks for it with a custom comm message
when it renders; the kernel answers with another custom message, which no one saves.
In a headless run no view renders, so the secret never leaves the kernel.

    SecretText("Secret access key", value)      # masked, with Show and Copy
    SecretImage("QR code", png_bytes)            # hidden until "Show QR code"
    SecretDownload("Download .csv", "alice_credentials.csv", csv_text)
    widget.forget()                              # drop it from the kernel too
"""

from __future__ import annotations

import base64

import anywidget
import traitlets

_ESM = r"""
function button(label) {
  const b = document.createElement("button");
  b.textContent = label;
  b.className = "jupyter-button widget-button awslab-secret-button";
  b.style.marginLeft = "6px";
  return b;
}
function render({ model, el }) {
  const kind = model.get("kind");
  const wrap = document.createElement("div");
  wrap.className = "awslab-secret";
  wrap.style.display = "flex";
  wrap.style.alignItems = "center";
  wrap.style.gap = "4px";
  wrap.style.margin = "2px 0";
  const label = document.createElement("span");
  label.textContent = model.get("label") + (kind === "download" ? "" : ": ");
  label.style.minWidth = kind === "download" ? "0" : "12em";
  label.style.fontWeight = "600";
  let secret = null;
  if (kind === "download") {
    const b = button(model.get("label"));
    b.className = "jupyter-button widget-button mod-primary awslab-download";
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
      } else if (msg.event === "forgotten") {
        b.disabled = true;
        b.textContent = model.get("label") + " (no longer available)";
      }
    });
    wrap.appendChild(b);
    el.appendChild(wrap);
    return;
  }
  const shown = document.createElement(kind === "image" ? "div" : "code");
  const masked = kind === "image" ? "(hidden)" : "\u2022".repeat(16);
  shown.textContent = masked;
  shown.className = "awslab-secret-value";
  const toggle = button(kind === "image" ? "Show QR code" : "Show");
  toggle.className += " awslab-show";
  const copy = button("Copy");
  copy.className += " awslab-copy";
  let visible = false;
  function paint() {
    shown.innerHTML = "";
    if (secret === null) { shown.textContent = "(no longer available)"; toggle.disabled = true; copy.disabled = true; return; }
    if (!visible) { shown.textContent = masked; toggle.textContent = kind === "image" ? "Show QR code" : "Show"; return; }
    toggle.textContent = "Hide";
    if (kind === "image") {
      const img = document.createElement("img");
      img.src = "data:image/png;base64," + secret;
      img.alt = model.get("label");
      img.style.width = "220px";
      img.style.imageRendering = "pixelated";
      shown.appendChild(img);
    } else {
      shown.textContent = secret;
    }
  }
  toggle.onclick = () => { visible = !visible; paint(); };
  copy.onclick = () => { if (secret !== null && navigator.clipboard) navigator.clipboard.writeText(secret); };
  model.on("msg:custom", (msg) => {
    if (msg.event === "secret") { secret = msg.value; paint(); }
    if (msg.event === "forgotten") { secret = null; paint(); }
  });
  wrap.appendChild(label);
  wrap.appendChild(shown);
  wrap.appendChild(toggle);
  if (kind !== "image") wrap.appendChild(copy);
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
        from awslab.log import keep_out_of_logs

        keep_out_of_logs(secret)
        super().__init__(label, secret, "text", **kwargs)


class SecretImage(_Secret):
    def __init__(self, label: str, png: bytes, **kwargs):
        super().__init__(label, base64.b64encode(png).decode("ascii"), "image", **kwargs)


class SecretDownload(_Secret):
    def __init__(self, label: str, filename: str, text: str, **kwargs):
        super().__init__(label, text, "download", filename=filename, **kwargs)
