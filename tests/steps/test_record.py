"""The lab's record of what it made: typed entries Made(kind, name, parent), and records that
earlier sessions wrote ("user|group" names, a `user` field) still load."""

from __future__ import annotations

import json

import pytest


@pytest.fixture
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("AWSLAB_HOME", str(tmp_path / "home"))
    (tmp_path / "home").mkdir(mode=0o700)
    return tmp_path / "home"


def _on_disk(home, account="111122223333"):
    return json.loads((home / "records" / f"{account}.json").read_text())


def test_a_record_written_by_an_earlier_session_loads_typed(home):
    from awslab import record
    from awslab.home import write_json_private
    from awslab.record import Made

    old = [{"kind": "group_membership", "name": "alice|administrators", "at": 1.0},
           {"kind": "user_policy", "name": "alice|arn:aws:iam::aws:policy/IAMUserChangePassword", "at": 2.0},
           {"kind": "group_policy", "name": "administrators|arn:aws:iam::aws:policy/AdministratorAccess"},
           {"kind": "access_key", "name": "AKIAEXAMPLE", "user": "alice"},
           {"kind": "mfa_device", "name": "arn:aws:iam::111122223333:mfa/root", "user": "root", "assigned": True},
           {"kind": "alias", "name": "acme", "previous": None},
           {"kind": "account_assignment", "name": "arn:aws:sso:::permissionSet/ps-1|g-1", "group_id": "g-1"}]
    write_json_private(home / "records" / "111122223333.json", old)
    made = record.created("111122223333")
    assert [m.key for m in made] == [
        ("group_membership", "administrators", "alice"),
        ("user_policy", "arn:aws:iam::aws:policy/IAMUserChangePassword", "alice"),
        ("group_policy", "arn:aws:iam::aws:policy/AdministratorAccess", "administrators"),
        ("access_key", "AKIAEXAMPLE", "alice"),
        ("mfa_device", "arn:aws:iam::111122223333:mfa/root", "root"),
        ("alias", "acme", None),
        ("account_assignment", "g-1", "arn:aws:sso:::permissionSet/ps-1")]
    assert made[4].info == {"assigned": True} and made[5].info == {"previous": None}
    # Read as the old dict entries were, while callers move to the attributes.
    assert made[3]["user"] == "alice" and made[4].get("user") == "root" and made[5].get("user") is None
    assert made[0] == Made("group_membership", "administrators", "alice")
    # The old spelling finds, and forgets, the typed entry.
    assert record.was_created("111122223333", "group_membership", "alice|administrators")
    record.forget("111122223333", "group_membership", "alice|administrators")
    record.forget("111122223333", "access_key", "AKIAEXAMPLE")   # no parent given: any parent
    assert not record.was_created("111122223333", Made("group_membership", "administrators", "alice"))
    # Written back in the new form: no "|" joins, no `user` field.
    for entry in _on_disk(home):
        assert set(entry) >= {"kind", "name", "parent", "at"} and "user" not in entry
        assert "|" not in entry["name"]


def test_remember_writes_the_new_form_and_one_entry_per_key(home):
    from awslab import record
    from awslab.record import Made

    record.remember("111122223333", Made("group_membership", "admins", "bob"))
    record.remember("111122223333", "group_membership", "bob|admins")   # the same key: replaced
    record.remember("111122223333", "mfa_device", "arn:aws:iam::111122223333:mfa/bob", user="bob",
                    assigned=False)
    record.remember("111122223333", "mfa_device", "arn:aws:iam::111122223333:mfa/bob", user="bob",
                    assigned=True)
    record.remember("111122223333", Made("user", "bob"))
    assert [e["kind"] for e in _on_disk(home)] == ["group_membership", "mfa_device", "user"]
    assert _on_disk(home)[0] == {"kind": "group_membership", "name": "admins", "parent": "bob",
                                 "at": _on_disk(home)[0]["at"]}
    assert record.entry("111122223333", "mfa_device", "arn:aws:iam::111122223333:mfa/bob").info == {
        "assigned": True}
    assert record.latest("111122223333", "user") == "bob"
    # A different parent is a different thing.
    record.remember("111122223333", Made("group_membership", "admins", "carol"))
    assert record.was_created("111122223333", Made("group_membership", "admins", "bob"))
    assert len([e for e in record.created("111122223333") if e.kind == "group_membership"]) == 2
