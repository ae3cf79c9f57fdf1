"""moto's server finds each request's service once per host, not once per request.

moto 5.2.5's DomainDispatcherApplication.get_backend_for_host lists moto's package folder
(one stat call per service, some 180) on every request before it matches the host against
its URL patterns: about a millisecond per call here, more than the gate's signature and
policy checks together. The answer for a host never changes while the server runs (the
folder and the patterns are moto's own), so the sandbox keeps each host's answer.
"""

from __future__ import annotations

import threading

from moto.moto_server.werkzeug_app import DomainDispatcherApplication

from awslab.sandbox import patches

_known: dict[str | None, object] = {}
_lock = threading.Lock()


@patches.wraps(DomainDispatcherApplication, "get_backend_for_host")
def get_backend_for_host(original, self, host):
    try:
        return _known[host]
    except KeyError:
        pass
    backend = original(self, host)
    if backend is not None:
        with _lock:
            if len(_known) < 256:  # hosts a client made up must not grow it without end
                _known[host] = backend
    return backend
