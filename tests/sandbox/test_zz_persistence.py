"""(docs/contract.md, "Sandbox: a new account"): the account survives stop and start; reset starts over. (Runs last.)"""

import awslab
from awslab import sandbox_client as sandbox


def test_persistence_and_reset(lab, iam):
    iam.create_user(UserName="keeper")
    iam.create_group(GroupName="keepers")
    iam.add_user_to_group(GroupName="keepers", UserName="keeper")
    iam.create_account_alias(AccountAlias="kept-alias")
    lab.client("account").enable_region(RegionName="me-south-1")
    account_id = lab.account_id
    port = sandbox.running().port
    sandbox.stop()
    assert sandbox.running() is None
    sandbox.start(port)

    again = awslab.connect("sandbox")
    assert again.account_id == account_id
    iam2 = again.client("iam")
    assert iam2.get_user(UserName="keeper")["User"]["UserName"] == "keeper"
    assert [u["UserName"] for u in iam2.get_group(GroupName="keepers")["Users"]] == ["keeper"]
    assert iam2.list_account_aliases()["AccountAliases"] == ["kept-alias"]
    assert again.client("account").get_region_opt_status(
        RegionName="me-south-1")["RegionOptStatus"] in ("ENABLING", "ENABLED")

    sandbox.reset(port)
    fresh = awslab.connect("sandbox")
    assert fresh.account_id != account_id
    fresh_iam = fresh.client("iam")
    assert fresh_iam.list_users()["Users"] == []
    assert fresh_iam.list_account_aliases()["AccountAliases"] == []
    assert fresh_iam.get_account_summary()["SummaryMap"]["AccountMFAEnabled"] == 0
