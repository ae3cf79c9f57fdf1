"""Notebook 03's package: the account alias and opt-in Regions, driven through the forms."""

from __future__ import annotations

import html
import re
import time
from types import SimpleNamespace

import pytest

from awslab import record
from awslab.errors import LabError
from awslab.forms.s03_alias_regions import AliasForm, RegionsForm
from awslab.steps.s03_alias_regions import (
    ALIAS_PATTERN,
    alias_problem,
    alias_suggestions,
    current_alias,
    enable_region,
    list_regions,
    region_status,
)

# An alias the sandbox treats as held by another account, as AWS would answer for a common one.
TAKEN = "test"


def test_the_sandbox_holds_the_taken_alias_elsewhere():
    from awslab.sandbox.services.iam.alias import HELD_ELSEWHERE

    assert TAKEN in HELD_ELSEWHERE


def buttons(form, description):
    """The buttons with this description in the form's answer area (the ask box)."""
    found = []

    def walk(widget):
        if getattr(widget, "description", None) == description and hasattr(widget, "click"):
            found.append(widget)
        for child in getattr(widget, "children", ()):
            walk(child)

    walk(form.after)
    return found


def answer(form, description):
    (button,) = buttons(form, description)
    button.click()


def texts(widget) -> str:
    """Every text a widget and its children show, HTML entities decoded."""
    parts = [html.unescape(str(getattr(widget, "value", "")))]
    for child in getattr(widget, "children", ()):
        parts.append(texts(child))
    return " ".join(parts)


def wait_status(lab, code, wanted, seconds=10):
    deadline = time.monotonic() + seconds
    while region_status(lab, code) != wanted and time.monotonic() < deadline:
        time.sleep(0.1)
    return region_status(lab, code)


def shown_regions(form) -> list[str]:
    """The Region codes whose rows the table shows, in order."""
    return re.findall(r'<tr class="awslab-region-([a-z0-9-]+)"', form.table.value)


def row_text(form, code) -> str:
    """What the table's row for this Region says, as text ('' when the row is not shown)."""
    found = re.search(rf'<tr class="awslab-region-{re.escape(code)}">(.*?)</tr>', form.table.value)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", found.group(1))).split()) if found else ""


def choose(form, code):
    """Pick the Region in the list of opt-in Regions; return the Region button."""
    form.choice.value = code
    return form.region_button


def chosen_label(form) -> str:
    return dict((value, label) for label, value in form.choice.options)[form.choice.value]


# --------------------------------------------------------------------------------------
# Alias
# --------------------------------------------------------------------------------------

def test_alias_set_replace_delete_with_sign_in_urls(fresh_account, lab):
    form = AliasForm(lab, "acme-lab-1")
    assert "no alias yet" in texts(form.current)
    assert form.submit()["changed"] is True
    assert current_alias(lab) == "acme-lab-1"
    shown = texts(form.after)
    assert "https://acme-lab-1.signin.aws.amazon.com/console" in shown
    assert f"https://{lab.account_id}.signin.aws.amazon.com/console" in shown
    assert "Current alias: acme-lab-1" in texts(form.current)

    # Safe to submit twice: nothing changes, no error.
    assert form.submit()["changed"] is False and form.error is None
    assert "already this account's alias" in texts(form.message)

    # Replacing asks first; Cancel changes nothing.
    form.field.value = "acme-lab-2"
    assert form.submit()["asked"]
    assert current_alias(lab) == "acme-lab-1"
    answer(form, "Cancel")
    assert current_alias(lab) == "acme-lab-1"
    assert "nothing changed" in texts(form.message)

    form.submit()
    answer(form, "Replace")
    assert current_alias(lab) == "acme-lab-2"
    assert "https://acme-lab-2.signin.aws.amazon.com/console" in texts(form.after)
    aliases = [e for e in record.created(lab.account_id) if e["kind"] == "alias"]
    assert [(e["name"], e["previous"]) for e in aliases] == [("acme-lab-2", None)]

    # Delete asks first, then the alias is gone; a second delete changes nothing.
    form.delete()
    assert current_alias(lab) == "acme-lab-2"
    answer(form, "Delete")
    assert current_alias(lab) is None
    assert not [e for e in record.created(lab.account_id) if e["kind"] == "alias"]
    assert f"https://{lab.account_id}.signin.aws.amazon.com/console" in texts(form.after)
    form.delete()
    assert "no alias; nothing to delete" in texts(form.message) and form.error is None


def test_replacing_an_alias_the_lab_did_not_set_records_the_previous_one(fresh_account, lab):
    lab.client("iam").create_account_alias(AccountAlias="their-alias")
    form = AliasForm(lab, "acme-lab-3", auto_submit=True)  # headless: "replace?" counts as yes
    form.show()
    assert current_alias(lab) == "acme-lab-3"
    (entry,) = [e for e in record.created(lab.account_id) if e["kind"] == "alias"]
    assert entry["name"] == "acme-lab-3" and entry["previous"] == "their-alias"
    assert "replacing 'their-alias'" in texts(form.message)


BAD_ALIASES = {
    "Acme-Lab": "uppercase",
    "acme_lab": "underscore",
    "acme--lab": "two hyphens in a row",
    "-acme": "starts with a hyphen",
    "acme-": "ends with a hyphen",
    "ab": "needs 3 to 63",
    "a" * 64: "at most 63",
    "acme.lab": "contains '.'",
    "": "Type an alias first",
}


def test_each_bad_alias_gets_its_sentence_as_you_type_and_nothing_changes(fresh_account, lab):
    lab.client("iam").create_account_alias(AccountAlias="keep-me")
    form = AliasForm(lab)
    for alias, words in BAD_ALIASES.items():
        form.field.value = alias
        if alias:
            assert "✘" in texts(form.hint) and words in texts(form.hint), alias
        assert form.submit() is None
        assert words in form.error and "nothing changed" in form.error, (alias, form.error)
        assert "Traceback" not in texts(form.message)
        assert current_alias(lab) == "keep-me"
    form.field.value = "good-alias-1"
    assert "✔" in texts(form.hint) and "good-alias-1.signin.aws.amazon.com" in texts(form.hint)


def test_alias_rule_matches_aws_pattern():
    import re

    rule = re.compile(ALIAS_PATTERN)
    for alias in ["abc", "a1b", "my-company-2", "0" * 63, "a-b-c"]:
        assert alias_problem(alias) is None and rule.match(alias)
    for alias in BAD_ALIASES:
        assert alias_problem(alias) and not rule.match(alias)
    for suggestion in alias_suggestions("my-company", "123456789012"):
        assert rule.match(suggestion)
    assert all(len(s) <= 63 for s in alias_suggestions("a" * 63, "123456789012"))


def test_a_taken_alias_is_one_sentence_with_suggestions(fresh_account, lab):
    form = AliasForm(lab, TAKEN)
    assert form.submit() is None
    assert "unique across all of AWS" in form.error
    assert "try adding" in form.error and f"'{TAKEN}-{lab.account_id[-4:]}'" in form.error
    assert current_alias(lab) is None
    with pytest.raises(LabError, match="unique across all of AWS"):
        AliasForm(lab, TAKEN, auto_submit=True).show()
    assert current_alias(lab) is None


# --------------------------------------------------------------------------------------
# Regions
# --------------------------------------------------------------------------------------

def test_region_names_come_from_botocores_small_partitions_file(monkeypatch):
    import botocore.loaders

    from awslab.steps.s03_alias_regions import region_name, region_names

    loaded = []
    original = botocore.loaders.Loader.load_data

    def recording(self, name, *args, **kwargs):
        loaded.append(name)
        return original(self, name, *args, **kwargs)

    monkeypatch.setattr(botocore.loaders.Loader, "load_data", recording)
    region_names.cache_clear()
    try:
        names = region_names()
    finally:
        region_names.cache_clear()
    assert loaded == ["partitions"]  # not the 1.2 MB endpoints.json
    assert names["eu-south-1"] == "Europe (Milan)" and names["us-east-1"] == "US East (N. Virginia)"
    assert names["cn-north-1"] and names["us-gov-west-1"]  # every partition
    assert region_name("xx-nowhere-9") == "xx-nowhere-9"


def test_regions_are_listed_with_botocore_names_and_statuses(fresh_account, lab):
    import botocore.session

    loader = botocore.session.get_session().get_component("data_loader")
    (aws,) = [p for p in loader.load_data("partitions")["partitions"] if p["id"] == "aws"]
    regions = {r["code"]: r for r in list_regions(lab)}
    assert len(regions) > 30
    assert regions["eu-south-1"] == {"code": "eu-south-1", "name": aws["regions"]["eu-south-1"]["description"],
                                     "status": "DISABLED", "opt_in": True}
    assert regions["eu-south-1"]["name"] == "Europe (Milan)"
    assert regions["us-east-1"]["status"] == "ENABLED_BY_DEFAULT" and not regions["us-east-1"]["opt_in"]

    form = RegionsForm(lab)
    assert "awslab-regions" in form.table._dom_classes
    assert shown_regions(form) == sorted(regions)
    assert row_text(form, "eu-south-1") == "eu-south-1 Europe (Milan) disabled"
    assert row_text(form, "us-east-1") == "us-east-1 US East (N. Virginia) enabled by default"
    assert "<code>eu-south-1</code>" in form.table.value
    assert form.status_of("eu-south-1") == "DISABLED" and form.status_of("us-east-1") == "ENABLED_BY_DEFAULT"

    # The list offers the opt-in Regions only, each with its name and status.
    opt_in = sorted(code for code, r in regions.items() if r["opt_in"])
    assert [code for _, code in form.choice.options] == opt_in
    assert "us-east-1" not in [code for _, code in form.choice.options]
    assert choose(form, "eu-south-1").description == "Enable"
    assert chosen_label(form) == "eu-south-1 · Europe (Milan) · disabled"
    assert form.region_button.button_style == "primary" and not form.region_button.disabled

    # Only opt-in Regions: the rows enabled by default leave the table, and come back.
    form.only_opt_in.value = True
    assert shown_regions(form) == opt_in
    assert row_text(form, "us-east-1") == "" and "Europe (Milan)" in row_text(form, "eu-south-1")
    form.only_opt_in.value = False
    assert "US East (N. Virginia)" in row_text(form, "us-east-1")


def test_regions_form_is_a_handful_of_widgets(fresh_account, lab):
    from ipywidgets.widgets.widget import _instances

    before = len(_instances)
    form = RegionsForm(lab)
    assert len(form.regions) > 30
    assert len(_instances) - before < 60  # one row of widgets per Region made ~500


def test_the_table_escapes_what_it_shows():
    from awslab.forms.s03_alias_regions import _regions_table

    shown = _regions_table([{"code": "xx-<b>-1", "name": "A & <i>B</i>", "status": "<odd>", "opt_in": True}], {})
    assert "<b>" not in shown and "<i>" not in shown and "<odd>" not in shown
    assert "A &amp; &lt;i&gt;B&lt;/i&gt;" in shown and "&lt;odd&gt;" in shown


def test_enable_watches_enabling_to_enabled_and_is_safe_twice(fresh_account, lab):
    form = RegionsForm(lab, ["eu-south-1"])
    relabelled = []
    form.choice.observe(lambda change: relabelled.append(change["new"]), names="options")
    result = form.submit()
    assert form.error is None
    assert [r["status"] for r in result] == ["ENABLED"]
    assert region_status(lab, "eu-south-1") == "ENABLED"
    seen = [status for code, status, _ in form.progress_log if code == "eu-south-1"]
    assert seen[0] == "ENABLING" and seen[-1] == "ENABLED"
    # The list is relabelled when a status changes, not on every progress tick.
    assert len(relabelled) <= len(set(seen))
    progress = texts(form.progress)
    assert "enabled" in progress and " s" in progress
    assert "Enabled: Europe (Milan) eu-south-1." in texts(form.message)
    assert row_text(form, "eu-south-1") == "eu-south-1 Europe (Milan) enabled"
    assert choose(form, "eu-south-1").description == "Disable"
    assert chosen_label(form) == "eu-south-1 · Europe (Milan) · enabled"
    assert record.was_created(lab.account_id, "region", "eu-south-1")

    again = form.submit()
    assert form.error is None and again[0]["changed"] is False
    assert region_status(lab, "eu-south-1") == "ENABLED"


def test_the_region_button_enables_then_disables_after_asking(fresh_account, lab):
    form = RegionsForm(lab)
    button = choose(form, "af-south-1")
    assert (button.description, button.disabled, button.button_style) == ("Enable", False, "primary")
    button.click()
    assert region_status(lab, "af-south-1") == "ENABLED"
    assert form.choice.value == "af-south-1"  # still chosen after the table refreshed
    assert chosen_label(form) == "af-south-1 · Africa (Cape Town) · enabled"
    assert row_text(form, "af-south-1") == "af-south-1 Africa (Cape Town) enabled"
    assert (button.description, button.disabled, button.button_style) == ("Disable", False, "")

    button.click()  # Disable: asks first, saying what it means
    question = texts(form.after)
    assert "IAM access to resources in that Region stops" in question
    assert region_status(lab, "af-south-1") == "ENABLED"
    answer(form, "Disable")
    assert region_status(lab, "af-south-1") in ("DISABLING", "DISABLED")
    assert form.choice.value == "af-south-1"
    if form.status_of("af-south-1") == "DISABLING":
        assert (button.description, button.disabled) == ("Disabling…", True)
        assert "disabling…" in row_text(form, "af-south-1") and chosen_label(form).endswith("· disabling…")
    assert wait_status(lab, "af-south-1", "DISABLED") == "DISABLED"
    assert not record.was_created(lab.account_id, "region", "af-south-1")
    form.refresh()
    assert (button.description, button.disabled) == ("Enable", False)
    assert row_text(form, "af-south-1").endswith("disabled")

    # Another Region chosen: the button follows it.
    assert choose(form, "eu-south-1").description == "Enable"


def test_stops_waiting_after_the_bound_and_offers_check_again(fresh_account, lab):
    form = RegionsForm(lab, ["ap-east-1"], timeout=0.05, interval=0.02)
    form.submit()
    assert form.still_enabling == ["ap-east-1"]
    assert "Still enabling after" in texts(form.message) and "Check again" in texts(form.message)
    assert form.check_again.layout.display != "none"
    assert row_text(form, "ap-east-1").endswith("enabling…")
    button = choose(form, "ap-east-1")
    assert (button.description, button.disabled, button.button_style) == ("Enabling…", True, "")
    assert chosen_label(form).endswith("· enabling…")
    form.timeout = 10
    form.check_again.click()
    assert form.still_enabling == [] and region_status(lab, "ap-east-1") == "ENABLED"
    assert form.check_again.layout.display == "none"
    assert row_text(form, "ap-east-1").endswith("enabled") and button.description == "Disable"


@pytest.mark.parametrize("codes, words", [
    (["eu-south-1", "xx-south-9"], "not a Region code this account knows"),
    (["Milan"], "Region codes look like eu-south-1"),
    (["us-east-1"], "enabled by default"),
])
def test_bad_regions_to_enable_change_nothing(fresh_account, lab, codes, words):
    form = RegionsForm(lab, codes)
    assert form.submit() is None
    assert words in form.error and "nothing changed" in form.error
    assert region_status(lab, "eu-south-1") == "DISABLED"


def test_disable_refusals(fresh_account, lab):
    form = RegionsForm(lab, auto_submit=True)  # questions count as confirmed
    with pytest.raises(LabError, match="enabled by default"):
        form.disable("us-west-2")
    assert region_status(lab, "us-west-2") == "ENABLED_BY_DEFAULT"

    enable_region(lab, "me-south-1")
    assert region_status(lab, "me-south-1") == "ENABLING"
    with pytest.raises(LabError, match=r"still being enabled \(ENABLING\)"):
        form.disable("me-south-1")
    assert "nothing changed" in form.error
    assert wait_status(lab, "me-south-1", "ENABLED") == "ENABLED"

    with pytest.raises(LabError, match="not a Region code"):
        form.disable("eu-nowhere-1")
    form.disable("eu-central-2")  # already disabled: nothing to do, no error
    assert form.error is None and "already DISABLED" in texts(form.message)


# --------------------------------------------------------------------------------------
# Real accounts: permissions that a role may lack
# --------------------------------------------------------------------------------------

def stubbed_lab(calls):
    """A lab on a 'real account' whose Account Management calls are stubbed."""
    import boto3
    from botocore.stub import Stubber

    client = boto3.client("account", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="y")
    stub = Stubber(client)
    for method, outcome in calls:
        if isinstance(outcome, str):
            stub.add_client_error(method, outcome, "User is not authorized", http_status_code=403)
        else:
            stub.add_response(method, outcome)
    stub.activate()
    return SimpleNamespace(client=lambda service: client, sandbox=False, account_id="111122223333",
                           confirm_account_id="111122223333", target="aws",
                           require_write=lambda doing: None)


def test_denied_list_regions_names_the_missing_permission():
    form = RegionsForm(stubbed_lab([("list_regions", "AccessDeniedException")]))
    assert "account:ListRegions" in texts(form.listing)
    assert form.table.value == "" and shown_regions(form) == []
    assert form.choice.options == () and form.region_button.disabled


def test_denied_enable_region_names_the_missing_permission():
    regions = {"Regions": [{"RegionName": "eu-south-1", "RegionOptStatus": "DISABLED"}]}
    lab = stubbed_lab([("list_regions", regions), ("list_regions", regions),
                       ("get_region_opt_status", {"RegionName": "eu-south-1", "RegionOptStatus": "DISABLED"}),
                       ("enable_region", "AccessDeniedException")])
    form = RegionsForm(lab, ["eu-south-1"])
    assert form.submit() is None
    assert "account:EnableRegion" in form.error
