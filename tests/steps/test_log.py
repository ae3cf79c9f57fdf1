"""The lab's log: tracebacks go there, registered secrets never do, and the records other
handlers see (pytest's caplog, for one) are left as they were logged."""

from __future__ import annotations

import logging


def test_a_traceback_quoting_a_secret_is_logged_redacted_and_the_record_kept(lab_home):
    from awslab.log import get_logger
    from awslab.redaction import keep_out_of_logs

    secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"  # AWS's documented example secret
    keep_out_of_logs(secret)
    seen = []

    class Another(logging.Handler):  # after the log file's handler
        def emit(self, record):
            seen.append((record.getMessage(), record.exc_info is not None))

    logger = get_logger()
    another = Another()
    logger.addHandler(another)
    try:
        raise RuntimeError(f"refused {secret}")
    except RuntimeError as error:
        logger.error("creating the key for %s failed", "alice", exc_info=error)
    finally:
        logger.removeHandler(another)
    for handler in logger.handlers:
        handler.flush()
    text = (lab_home / "awslab.log").read_text(encoding="utf-8")
    assert "creating the key for alice failed" in text and "Traceback" in text
    assert "RuntimeError: refused [redacted]" in text and secret not in text
    assert seen == [("creating the key for alice failed", True)]
