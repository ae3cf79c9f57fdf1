"""Notebook 03's forms as a learner meets them: a message judges the value beside it, buttons
name an action, the sandbox never links to a real AWS sign-in page, the scrolling table is
reachable by keyboard."""

from __future__ import annotations

import html
import re
from types import SimpleNamespace

from awslab.forms.a11y import tag
from awslab.forms.s03_alias_regions import AliasForm, RegionsForm, _sign_in_url
from awslab.steps.s03_alias_regions import current_alias, enable_region
from tests.steps.test_alias_and_regions import TAKEN, answer, buttons, choose, stubbed_lab, texts


def hrefs(widget) -> list[str]:
    return re.findall(r'href="([^"]*)"', texts(widget))


# --------------------------------------------------------------------------------------
# Alias
# --------------------------------------------------------------------------------------

def test_a_taken_alias_is_red_beside_its_value_and_goes_when_the_value_changes(fresh_account, lab):
    form = AliasForm(lab, TAKEN)
    assert "✔" in texts(form.hint)  # it follows the rule, before AWS is asked
    assert form.submit() is None
    assert "unique across all of AWS" in texts(form.message) and 'role="alert"' in form.message.value
    # The hint now agrees with AWS about this value: no green mark beside the red message.
    assert "✔" not in texts(form.hint) and "✘" in texts(form.hint)
    assert "another AWS account holds it" in texts(form.hint)
    assert form.aria.invalid == [tag(form.field)]
    assert form.aria.describe[tag(form.field)] == tag(form.message)

    form.field.value = "acme-lab-77"
    assert form.error is None and form.message.value == ""
    assert form.aria.invalid == []
    assert "✔" in texts(form.hint) and "acme-lab-77" in texts(form.hint)

    form.field.value = TAKEN  # AWS's answer about this value still holds
    assert "✘" in texts(form.hint) and "another AWS account holds it" in texts(form.hint)
    assert form.aria.invalid == [tag(form.field)]
    assert current_alias(lab) is None


def test_a_rule_breaking_alias_is_marked_invalid_until_corrected(fresh_account, lab):
    form = AliasForm(lab)
    assert form.aria.invalid == []  # an empty field is not wrong yet
    form.field.value = "Acme_Lab"
    assert "✘" in texts(form.hint) and form.aria.invalid == [tag(form.field)]
    assert form.aria.describe[tag(form.field)] == tag(form.hint)
    assert form.submit() is None and "uppercase" in form.error
    assert form.aria.invalid == [tag(form.field)]
    form.field.value = "acme-lab"
    assert form.error is None and form.message.value == "" and form.aria.invalid == []


def test_the_replace_question_goes_when_the_alias_changes(fresh_account, lab):
    lab.client("iam").create_account_alias(AccountAlias="keep-me")
    form = AliasForm(lab, "acme-new")
    assert form.submit()["asked"]
    assert buttons(form, "Replace")
    form.field.value = "acme-other"
    assert not buttons(form, "Replace")  # it asked about acme-new
    assert "question about the old one is gone" in texts(form.message)
    assert form.submit()["asked"] and "'acme-other'" in texts(form.after)
    answer(form, "Replace")
    assert current_alias(lab) == "acme-other"


def test_the_hint_says_when_the_value_is_already_the_alias(fresh_account, lab):
    lab.client("iam").create_account_alias(AccountAlias="keep-me")
    form = AliasForm(lab, "keep-me")
    assert "already this account's alias" in texts(form.hint)


def test_delete_alias_is_a_normal_button_beside_the_current_alias(fresh_account, lab):
    form = AliasForm(lab)
    button = form.delete_button
    assert button.layout.width == "auto"
    assert button.layout.display == "none"  # no alias: nothing to delete
    row = next(c for c in form.widget.children if button in getattr(c, "children", ()))
    assert form.current in row.children
    form.field.value = "acme-lab-5"
    form.submit()
    assert button.layout.display is None and not button.disabled
    button.click()
    assert buttons(form, "Delete") and current_alias(lab) == "acme-lab-5"  # it asks first
    answer(form, "Delete")
    assert current_alias(lab) is None and button.layout.display == "none"


def test_sandbox_sign_in_urls_link_to_the_simulated_sign_in_not_to_aws(fresh_account, lab):
    form = AliasForm(lab, "acme-lab-6")
    form.submit()
    shown = texts(form.after)
    assert "https://acme-lab-6.signin.aws.amazon.com/console" in shown  # the URL, as text
    assert "simulat" in shown
    links = hrefs(form.after) + hrefs(form.widget)
    assert links and all("amazon.com" not in link for link in links)
    assert "04_sign_in_and_review.ipynb" in links
    assert "amazon.com" not in " ".join(re.findall(r'href="([^"]*)"', texts(form.current)))


def test_a_real_account_keeps_the_link_to_its_sign_in_page():
    real = SimpleNamespace(sandbox=False)
    url = "https://acme-prod.signin.aws.amazon.com/console"
    assert url in hrefs(_sign_in_url(real, url, "awslab-sign-in-url"))


# --------------------------------------------------------------------------------------
# Regions
# --------------------------------------------------------------------------------------

def test_a_bad_region_code_message_goes_when_the_code_is_corrected(fresh_account, lab):
    form = RegionsForm(lab, ["eu-sout-1"])
    assert form.submit() is None
    assert "did you mean eu-south-1" in texts(form.message)
    assert form.aria.invalid == [tag(form.field)]

    form.only_opt_in.value = True  # only the view changes: the refusal still stands
    assert form.error and form.aria.invalid == [tag(form.field)]
    enable_region(lab, "me-south-1")
    form.refresh()  # the list is relabelled by the form itself: not the learner's correction
    assert form.error and "did you mean" in texts(form.message)

    form.field.value = "eu-south-1"
    assert form.error is None and form.message.value == "" and form.aria.invalid == []


def test_codes_read_in_lowercase_are_said(fresh_account, lab):
    form = RegionsForm(lab, ["EU-South-1"])
    result = form.submit()
    assert [r["code"] for r in result] == ["eu-south-1"]
    assert "read EU-South-1 as eu-south-1" in texts(form.message)


def test_the_region_button_always_names_an_action(fresh_account, lab):
    form = RegionsForm(lab)
    button = form.region_button
    assert form.choice.value is None
    assert (button.description, button.disabled) == ("Enable Region", True)
    assert "Choose" in button.tooltip
    assert button.layout.width == "auto"  # its words are never cut
    assert choose(form, "eu-south-1").description == "Enable"
    assert "Europe (Milan)" in button.tooltip


def test_the_regions_scroll_box_is_reachable_by_keyboard(fresh_account, lab):
    form = RegionsForm(lab)
    box = re.search(r"<div[^>]*overflow-y:auto[^>]*>", form.table.value).group(0)
    assert 'tabindex="0"' in box and 'role="region"' in box and 'aria-label="Regions' in box


def test_permissions_read_as_code_not_backticks():
    form = RegionsForm(stubbed_lab([("list_regions", "AccessDeniedException")]))
    shown = form.listing.value
    assert "`" not in html.unescape(re.sub(r"<[^>]+>", "", shown))
    assert "<code>account:ListRegions</code>" in shown
    form.say(False, "AWS needs the permission `account:EnableRegion`.")
    assert "<code>account:EnableRegion</code>" in form.message.value and "`" not in form.message.value
