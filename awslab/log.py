"""The lab's log: AWSLAB_HOME/awslab.log, where tracebacks go instead of forms.

Every line goes through awslab.redaction.scrub: a secret the lab holds (keep_out_of_logs) or
anything shaped like a secret key or a session token is [redacted], so a traceback that quotes
one still leaks nothing.
"""

from __future__ import annotations

import logging
import threading

from awslab.redaction import scrub

_lock = threading.Lock()
_configured = False


class _Redacting(logging.Formatter):
    """The log file's lines, traceback included, with every registered secret redacted. The
    record itself is left as it is, for any other handler that sees it."""

    def format(self, record: logging.LogRecord) -> str:
        return scrub(super().format(record))


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
