"""Throttled guessing: console passwords and MFA codes are refused for a while after a few
wrong ones, per principal and per client address, as AWS throttles them.

What AWS does, and where that is written down:

- AWS's query APIs (IAM, STS) answer a throttled call with HTTP 400, `<Type>Sender</Type>
  <Code>Throttling</Code><Message>Rate exceeded</Message>` (seen from STS in
  jlevers/selling-partner-api#278 and aws/aws-sdk-go-v2#2481, "StatusCode: 400 ... api error
  Throttling: Rate exceeded"; from IAM in amazon-archives/aws-security-benchmark#80,
  "An error occurred (Throttling) ...: Rate exceeded"). SDKs retry it with a back-off.
- AWS's own sign-in service for applications, Amazon Cognito, documents its lockout: after
  five failed sign-in attempts (passwords, or MFA codes) the user is locked out for one
  second, doubling with each further failure up to about 15 minutes; attempts during a
  lockout are refused and do not lengthen it; a successful sign-in after the lockout, or
  15 minutes without attempts, clears it (Cognito developer guide, "Lockout behavior for
  failed sign-in attempts"). The AWS console's sign-in page publishes no numbers and
  refuses with a "try again later" kind of sentence; the sandbox follows Cognito's rule.

The sandbox, for every check of a secret someone could guess (signin.py: an IAM user's
console password and MFA code, root's console secret and MFA code; mfa.py: EnableMFADevice's
codes; root_user.py: root's MFA device's codes; sessions.py: GetSessionToken's TokenCode):

- per principal (`signin:user:<name>`, `signin:root`) and per MFA device (`mfa:<serial>`):
  each wrong answer is refused as wrong; from the FREE-th in a row on, it also locks the
  principal for FIRST * 2**(n - FREE) seconds (n: wrong answers so far), at most MOST. A right answer clears the count (it is never counted); a lockout
  refuses right and wrong answers alike, without judging them (a right MFA code is not used
  up) and without lengthening it; QUIET seconds without a wrong answer clear the count.
- per client address (REMOTE_ADDR; every local user shares 127.0.0.1): a leaky bucket of
  CLIENT_BURST wrong answers that empties one every CLIENT_LEAK_FACTOR * FIRST seconds, so
  one address cannot spray guesses over many principals (at most 6 a minute once full).
  Right answers do not empty it.

The refusal: `Throttling` "Rate exceeded", HTTP 400, with `Retry-After` (seconds) for AWS
API calls; `{"error": "Throttling", "message", "wait_seconds"}` with HTTP 429 for the
simulated console (/_awslab/ calls). The lab turns either into one sentence
(awslab.errors.throttled_sentence).

AWSLAB_THROTTLE_SECONDS sets FIRST (default 1 s; tests make it longer to see a lockout
hold). The counts live in the server's memory only: a restart clears them (only the
learner can restart their own sandbox).
"""

from __future__ import annotations

import math
import os
import threading
import time
from dataclasses import dataclass

FREE = 5                  # wrong answers in a row before the first lockout
FIRST = 1.0               # the first lockout, in seconds (AWSLAB_THROTTLE_SECONDS)
MOST = 15 * 60            # the longest lockout
QUIET = 15 * 60           # this long without a wrong answer clears a principal's count
CLIENT_BURST = 30         # wrong answers one client address may give in a burst
CLIENT_LEAK_FACTOR = 10   # then one more every FIRST * CLIENT_LEAK_FACTOR seconds
MAX_ENTRIES = 10_000      # principals and addresses remembered (user names are the caller's)
RATE_EXCEEDED = "Rate exceeded"


def first_lockout() -> float:
    try:
        return max(0.05, float(os.environ.get("AWSLAB_THROTTLE_SECONDS") or FIRST))
    except ValueError:
        return FIRST


@dataclass
class _Principal:
    wrong: int = 0
    locked_until: float = 0.0
    last_wrong: float = 0.0


@dataclass
class _Client:
    level: float = 0.0
    updated: float = 0.0


_lock = threading.Lock()
_principals: dict[str, _Principal] = {}
_clients: dict[str, _Client] = {}


def keys(environ: dict | None, *principals: str) -> list[str]:
    """The keys one check counts against: its principals and the client's address."""
    address = (environ or {}).get("REMOTE_ADDR") or "unknown"
    return [*principals, "client:" + address]


def _client(key: str, now: float) -> _Client:
    entry = _clients.setdefault(key, _Client(updated=now))
    leak = first_lockout() * CLIENT_LEAK_FACTOR
    entry.level = max(0.0, entry.level - (now - entry.updated) / leak)
    entry.updated = now
    return entry


def wait(found: list[str], now: float | None = None) -> float:
    """Seconds until these keys may be tried again (0: now)."""
    now = time.time() if now is None else now
    longest = 0.0
    with _lock:
        for key in found:
            if key.startswith("client:"):
                if key in _clients:
                    entry = _client(key, now)
                    over = entry.level - (CLIENT_BURST - 1)  # room for one more?
                    if over > 0:
                        longest = max(longest, over * first_lockout() * CLIENT_LEAK_FACTOR)
            else:
                entry = _principals.get(key)
                if entry is not None and entry.locked_until > now:
                    longest = max(longest, entry.locked_until - now)
    return longest


def failed(found: list[str], now: float | None = None) -> None:
    """A wrong answer: counted against each key (a lockout may start)."""
    now = time.time() if now is None else now
    with _lock:
        _forget_old(now)
        for key in found:
            if key.startswith("client:"):
                _client(key, now).level += 1
                continue
            entry = _principals.setdefault(key, _Principal())
            if now - entry.last_wrong >= QUIET:
                entry.wrong = 0
            entry.wrong += 1
            entry.last_wrong = now
            if entry.wrong >= FREE:
                entry.locked_until = now + min(MOST, first_lockout() * 2 ** (entry.wrong - FREE))


def passed(found: list[str]) -> None:
    """A right answer: the principals' counts are cleared (a client's bucket only leaks)."""
    with _lock:
        for key in found:
            if not key.startswith("client:"):
                _principals.pop(key, None)


def _forget_old(now: float) -> None:
    if len(_principals) + len(_clients) < MAX_ENTRIES:
        return
    for key in [k for k, v in _principals.items()
                if v.locked_until <= now and now - v.last_wrong >= QUIET]:
        del _principals[key]
    for key in [k for k, v in _clients.items() if _client(k, now).level <= 0]:
        del _clients[key]
    while len(_principals) + len(_clients) >= MAX_ENTRIES and _principals:
        oldest = min(_principals, key=lambda k: _principals[k].last_wrong)
        del _principals[oldest]


def seconds(wait_for: float) -> int:
    """A wait as whole seconds, rounded up (at least 1)."""
    return max(1, math.ceil(wait_for))


def refusal(request, wait_for: float):
    """AWS's answer to a throttled API call: Throttling, Rate exceeded, HTTP 400."""
    from awslab.sandbox.app import aws_error

    response = aws_error(request, 400, "Throttling", RATE_EXCEEDED)
    response.headers["Retry-After"] = str(seconds(wait_for))
    return response


def console_refusal(wait_for: float, guesses: str):
    """The simulated console's refusal (a SandboxCallError to raise)."""
    from awslab.sandbox.app import SandboxCallError

    after = seconds(wait_for)
    return SandboxCallError("Throttling", f"Too many wrong {guesses}: further attempts are refused "
                            f"for a while; try again in {after} seconds", 429, wait_seconds=after)


def guard(found: list[str], guesses: str) -> None:
    """For the simulated console: raise its refusal while any of these keys is locked."""
    left = wait(found)
    if left > 0:
        raise console_refusal(left, guesses)
