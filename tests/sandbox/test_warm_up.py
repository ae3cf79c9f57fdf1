"""The sandbox answers one read per service before it says it is ready (server.warm_up)."""

import logging
from types import SimpleNamespace

from awslab.sandbox.server import WARM_UP, warm_up


def test_warm_up_reads_answered(lab):
    from awslab.sandbox_client import log_path

    log = log_path().read_text(encoding="utf-8")
    assert "sandbox for account" in log
    assert "warm-up" not in log  # every warm-up read answered 200
    assert [service for service, _host, _body in WARM_UP] == ["iam", "sts"]


def _account(root_keys):
    return SimpleNamespace(account_id="123456789012", region="us-east-1", root_keys=root_keys)


class _App:
    """A WSGI app standing in for the sandbox, with moto's part beside it; records who answered."""

    def __init__(self, fail=False):
        self.fail, self.calls = fail, []
        self.moto_app = lambda environ, start: self._answer("moto", environ, start)

    def __call__(self, environ, start):
        return self._answer("sandbox", environ, start)

    def _answer(self, who, environ, start):
        if self.fail:
            raise RuntimeError("no moto here")
        self.calls.append((who, environ["HTTP_HOST"], environ["HTTP_AUTHORIZATION"].split("/")[0]))
        start("200 OK", [("Content-Type", "text/xml")])
        return [b"<ok/>"]


def test_warm_up_goes_to_moto_alone(caplog):
    """The gate would refuse the warm-up's unsigned reads: they go to moto, root keys or not."""
    for keys in ([SimpleNamespace(access_key_id="AKIAIOSFODNN7EXAMPLE")], []):
        app = _App()
        with caplog.at_level(logging.WARNING, logger="awslab.sandbox"):
            warm_up(app, _account(keys))
        assert [(who, key) for who, _host, key in app.calls] == [
            ("moto", "AWS4-HMAC-SHA256 Credential=AWSLABWARMUP")] * 2
        assert caplog.records == []


def test_a_failing_warm_up_is_logged_not_fatal(caplog):
    with caplog.at_level(logging.WARNING, logger="awslab.sandbox"):
        warm_up(_App(fail=True), _account([]))
    assert [r.message for r in caplog.records] == ["warm-up iam failed", "warm-up sts failed"]
