"""The sandbox answers one read per service before it says it is ready (server.warm_up)."""

import logging

from awslab.sandbox.server import WARM_UP, warm_up


def test_warm_up_reads_pass_through_the_whole_app(lab):
    from awslab.sandbox.process import log_path

    log = log_path().read_text(encoding="utf-8")
    assert "sandbox for account" in log
    assert "warm-up" not in log  # every warm-up read answered 200 (root's key, through the additions)
    assert [service for service, _host, _body in WARM_UP] == ["iam", "sts"]


def test_a_failing_warm_up_is_logged_not_fatal(caplog):
    class Account:
        account_id = "123456789012"
        region = "us-east-1"
        root_keys = []

    def broken_app(environ, start_response):
        raise RuntimeError("no moto here")

    with caplog.at_level(logging.WARNING, logger="awslab.sandbox"):
        warm_up(broken_app, Account())
    assert [r.message for r in caplog.records] == ["warm-up iam failed", "warm-up sts failed"]
