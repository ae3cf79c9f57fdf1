"""Keeping secrets out of what the lab writes: the log, and every sentence a learner reads.

Secrets the lab handles are registered with `keep_out_of_logs()`; `redact()` replaces them
with [redacted]. `scrub()` also redacts what is shaped like a secret access key or a session
token, held or not (a secret pasted into the wrong field, quoted back by an error): every log
line (awslab.log) and every sentence errors.explain() makes goes through it.
"""

from __future__ import annotations

import re
import threading

_secrets: set[str] = set()
_lock = threading.Lock()


def keep_out_of_logs(*values: str | None) -> None:
    with _lock:
        _secrets.update(v for v in values if v and len(v) >= 6)


def redact(text: str) -> str:
    for value in sorted(_secrets, key=len, reverse=True):
        text = text.replace(value, "[redacted]")
    return text


# A secret access key: 40 characters of A-Z a-z 0-9 + /, standing alone (or before the "/date/"
# of a signature's credential scope, where a secret pasted as the key id lands). A session
# token: 100 or more such characters (and =). Random, so both cases of letters, and a digit or
# a "+" or at most one "/" (which tells a secret from a 40-character path).
_SECRET_SHAPE = re.compile(r"(?<![A-Za-z0-9+/=])([A-Za-z0-9+/]{40})(?=/\d{8}/|[^A-Za-z0-9+/=]|$)")
_IN_SCOPE = re.compile(r"(?<![A-Za-z0-9+/=])[A-Za-z0-9+/]{40}(?=/\d{8}/[a-z0-9-]+/[a-z0-9-]+/aws4_request)")
_TOKEN_SHAPE = re.compile(r"(?<![A-Za-z0-9+/=])[A-Za-z0-9+/]{100,}={0,2}(?![A-Za-z0-9+/=])")


def _looks_secret(value: str) -> bool:
    return (any(c.isupper() for c in value) and any(c.islower() for c in value)
            and (any(c.isdigit() or c == "+" for c in value) or value.count("/") <= 1))


def scrub(text: str) -> str:
    """`text` with every secret the lab holds, and anything shaped like a secret access key
    or a session token, replaced by [redacted]."""
    text = redact(str(text))
    text = _TOKEN_SHAPE.sub(lambda m: "[redacted]" if _looks_secret(m[0]) else m[0], text)
    # Where a signature's credential scope puts the key id (20 characters), 40 are a secret.
    text = _IN_SCOPE.sub("[redacted]", text)
    return _SECRET_SHAPE.sub(lambda m: "[redacted]" if _looks_secret(m[1]) else m[0], text)
