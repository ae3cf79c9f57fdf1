"""When the sandbox stops by itself, and the memory it hands back.

A sandbox runs detached from any kernel (so a kernel can restart), which on a shared
machine must not mean forever. It stops by itself, its account kept as with `awslab sandbox
stop` (the next `awslab.connect` or `awslab sandbox start` starts it again):

- when nobody uses it: no authenticated request (one the gate let through, or a signed
  sandbox call; an unsigned or refused one does not count) for AWSLAB_SANDBOX_IDLE_SECONDS
  (default 7200, two hours; 0 or less: never);
- when the process it serves ends: `awslab sandbox start` names one (`--watch-pid`): the
  JupyterHub single-user server the starter runs under (found by walking up from the
  starter to the outermost process of this user whose environment has JUPYTERHUB_USER, as
  JupyterHub's spawners set it: sandbox_client.process_to_watch), or AWSLAB_SANDBOX_WATCH_PID
  when set (0: none). So a
  learner's server culled for idleness or stopped leaves no sandbox behind, whatever the
  spawner does with the processes it did not start itself. Outside JupyterHub nothing is
  watched (the sandbox outlives JupyterLab, as a terminal's `awslab sandbox start` should).

Memory: the sandbox is one process per learner, so on a hub with a hundred learners every
megabyte counts a hundred times. After a burst of requests, once quiet for TRIM_AFTER
seconds, the C heap's free pages go back to the system (glibc's malloc_trim), and the
server keeps a single malloc arena (M_ARENA_MAX=1, set in server.main): its threads take
turns under one lock anyway (state.LOCK).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import logging
import os
import select
import threading
import time
from collections.abc import Callable

IDLE_SECONDS = 2 * 3600
TRIM_AFTER = 1.0
log = logging.getLogger("awslab.sandbox.lifetime")


def idle_seconds() -> float:
    """AWSLAB_SANDBOX_IDLE_SECONDS, or two hours; 0 or less means never."""
    try:
        return float(os.environ.get("AWSLAB_SANDBOX_IDLE_SECONDS") or IDLE_SECONDS)
    except ValueError:
        return float(IDLE_SECONDS)


@functools.lru_cache(maxsize=1)
def _libc():
    try:
        return ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
    except OSError:
        return None


def one_malloc_arena() -> None:
    """glibc: one arena for every thread (M_ARENA_MAX = -8), not one per thread that allocates."""
    libc = _libc()
    if libc is not None and hasattr(libc, "mallopt"):
        libc.mallopt(-8, 1)


def hand_back_memory() -> None:
    libc = _libc()
    if libc is not None and hasattr(libc, "malloc_trim"):
        libc.malloc_trim(0)


class Lifetime:
    """Notes each request; stops the server when idle or when the watched process ends."""

    def __init__(self):
        self.last = time.monotonic()
        self.busy = 0
        self.trimmed = True
        self.lock = threading.Lock()
        self.stop: Callable[[str], None] | None = None
        self.watch_pid: int | None = None
        self.done = threading.Event()

    def wrap(self, app):
        """Only a request proven to come from someone (the app calls environ[AUTHENTICATED]:
        the gate let it through, or a signed sandbox call) holds off the idle stop: anyone
        on the machine can send unsigned ones."""
        from awslab.sandbox.app import AUTHENTICATED

        def noted(environ, start_response):
            counted = []

            def authenticated():
                if not counted:
                    counted.append(True)
                    with self.lock:
                        self.busy += 1

            environ[AUTHENTICATED] = authenticated
            with self.lock:
                self.trimmed = False  # any request may leave memory to hand back
            try:
                return app(environ, start_response)
            finally:
                if counted:
                    with self.lock:
                        self.busy -= 1
                        self.last = time.monotonic()

        return noted

    def start(self, stop: Callable[[str], None], watch_pid: int | None = None) -> None:
        self.stop, self.watch_pid = stop, watch_pid
        threading.Thread(target=self._run, name="awslab-lifetime", daemon=True).start()

    def _watch(self):
        """A file descriptor that becomes readable when the watched process ends (Linux's
        pidfd: immune to the pid being reused), or None (then it is polled)."""
        if self.watch_pid is None or not hasattr(os, "pidfd_open"):
            return None
        try:
            return os.pidfd_open(self.watch_pid)
        except OSError:
            return None

    def _alive(self) -> bool:
        try:
            os.kill(self.watch_pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        return True

    def _run(self) -> None:
        idle = idle_seconds()
        if self.watch_pid is not None:
            log.info("stopping when process %s ends", self.watch_pid)
        descriptor = self._watch()
        if self.watch_pid is not None and descriptor is None and not self._alive():
            return self._stop(f"process {self.watch_pid} it serves is gone")
        tick = max(0.05, min(5.0, TRIM_AFTER, idle / 10 if idle > 0 else 5.0))
        while not self.done.is_set():
            if descriptor is not None:
                if select.select([descriptor], [], [], tick)[0]:
                    return self._stop(f"process {self.watch_pid} it serves ended")
            else:
                self.done.wait(tick)
                if self.watch_pid is not None and not self._alive():
                    return self._stop(f"process {self.watch_pid} it serves ended")
            with self.lock:
                quiet = time.monotonic() - self.last if self.busy == 0 else 0.0
                trim = not self.trimmed and quiet >= TRIM_AFTER
                if trim:
                    self.trimmed = True
            if trim:
                hand_back_memory()
            if idle > 0 and quiet >= idle:
                return self._stop(f"no request for {quiet:.0f} s (AWSLAB_SANDBOX_IDLE_SECONDS={idle:g})")

    def _stop(self, why: str) -> None:
        log.info("stopping by itself: %s; the account is kept", why)
        self.done.set()
        if self.stop is not None:
            self.stop(why)


def install(app) -> None:
    app.lifetime = Lifetime()
    app.wrappers.append(app.lifetime.wrap)
