"""The lab's log: AWSLAB_HOME/awslab.log, where tracebacks go instead of forms.

Secrets the lab handles are registered with `keep_out_of_logs()`; the log replaces
them with [redacted], so a traceback that quotes one still leaks nothing.
"""

from __future__ import annotations

import logging
import threading

_secrets: set[str] = set()
_lock = threading.Lock()
_configured = False


def keep_out_of_logs(*values: str | None) -> None:
    with _lock:
        _secrets.update(v for v in values if v and len(v) >= 6)


def redact(text: str) -> str:
    for value in sorted(_secrets, key=len, reverse=True):
        text = text.replace(value, "[redacted]")
    return text


class _Redacting(logging.Formatter):
    """The log file's lines, traceback included, with every registered secret redacted. The
    record itself is left as it is, for any other handler that sees it."""

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


def get_logger() -> logging.Logger:
    global _configured
    logger = logging.getLogger("awslab")
    if not _configured:
        with _lock:
            if not _configured:
                from awslab.home import lab_home

                handler = logging.FileHandler(lab_home() / "awslab.log", encoding="utf-8")
                handler.setFormatter(_Redacting("%(asctime)s %(levelname)s %(name)s: %(message)s"))
                logger.addHandler(handler)
                logger.setLevel(logging.INFO)
                logger.propagate = False
                _configured = True
    return logger
