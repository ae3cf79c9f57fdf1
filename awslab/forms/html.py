"""The HTML every form and panel is drawn with: status lines, notes, tables, marks.

No widgets here: the command line's own output never imports this either (it prints text); a
form's panels and a saved notebook's plain views use these helpers.
"""

from __future__ import annotations

import html

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
