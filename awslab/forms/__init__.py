"""The forms: widgets only, each naming the step functions behind its buttons (base.py)."""

from awslab.forms.base import Form
from awslab.forms.html import AMBER, GREEN, GREY, RED, line, mark, note, sentence_html, table

__all__ = ["AMBER", "GREEN", "GREY", "RED", "Form", "line", "mark", "note", "sentence_html", "table"]
