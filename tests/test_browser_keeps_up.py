"""The lab keeps up with itself, in a real browser (issue 21): a notebook open across notebook
04's switch keeps working and says who it is now; 04 and 99 show who the lab signs in as; 99's
clean-up cell run twice in one kernel says "Nothing to clean up"; 02's group name is judged as
it is typed.

Screenshots go to test-artifacts/keeps_up_*.png, for people to look at.
"""

from __future__ import annotations

import pytest

from tests.browser import (
    assert_widgets_render,
    browser_page,
    open_notebook,
    run_all_cells,
    screenshot,
    wait_until,
)
from tests.helpers import make_user

pytestmark = pytest.mark.browser


def visible_panel(page):
    return page.locator(".jp-NotebookPanel:not(.lm-mod-hidden)").first


def test_open_notebooks_follow_the_switch_and_99_runs_twice(served):
    import awslab
    from awslab.review import retire_root_access_keys, sign_in_as

    url, _root = served
    lab = awslab.connect("sandbox")
    made = make_user(lab)
    me = f"user/{made['user_name']}"
    with browser_page() as page:
        # Notebook 01, opened (and run) while the lab is root.
        open_notebook(page, url, "notebooks/01_secure_the_root_user.ipynb")
        run_all_cells(page)
        panel = visible_panel(page).locator(".awslab-root-panel").first
        panel.locator("text=AccountAccessKeysPresent = 1").first.wait_for(timeout=90_000)

        # Meanwhile notebook 04 (another kernel) retires root's keys: the lab is the new user.
        retire_root_access_keys(awslab.connect("sandbox"), sign_in_as(lab, "csv", made["user_name"]))

        # Check again in the open 01: it works, and says who it reads as now.
        panel.locator(".awslab-check-again").click()
        panel.locator(f"text=This notebook now signs in as {me}").wait_for(timeout=60_000)
        panel.locator("text=AccountAccessKeysPresent = 0").first.wait_for(timeout=30_000)
        assert "InvalidClientTokenId" not in page.inner_text("body")
        assert_widgets_render(page)
        panel.evaluate("e => e.scrollIntoView({block: 'start'})")
        screenshot(page, "keeps_up_01_follows_the_switch")

        # Notebook 04 shows the banner: signed in as the new user.
        open_notebook(page, url, "notebooks/04_sign_in_and_review.ipynb")
        run_all_cells(page)
        banner = visible_panel(page).locator(".awslab-banner").first
        banner.locator("text=Signed in as").wait_for(timeout=90_000)
        assert me in banner.text_content()
        banner.evaluate("e => e.scrollIntoView({block: 'start'})")
        screenshot(page, "keeps_up_04_banner")

        # Notebook 99: the banner, the clean-up, and its cell run again in the same kernel.
        open_notebook(page, url, "notebooks/99_clean_up.ipynb")
        run_all_cells(page)
        notebook = visible_panel(page)
        banner = notebook.locator(".awslab-banner").first
        banner.locator("text=Signed in as").wait_for(timeout=90_000)
        assert me in banner.text_content()
        form = notebook.locator(".awslab-form").first
        form.locator(".awslab-submit").click(timeout=90_000)
        form.locator(".awslab-yes").click(timeout=30_000)
        form.locator("text=Nothing to clean up").first.wait_for(timeout=120_000)
        cell = notebook.locator(".jp-CodeCell", has_text="CleanUpForm(lab").first
        cell.locator(".jp-InputArea-editor").click()
        page.keyboard.press("Shift+Enter")
        again = cell.locator(".awslab-form").first
        wait_until(lambda: "now signs in as root" in again.text_content(), timeout=90,
                   what="the clean-up cell run again, signed in as root")
        said = again.text_content()
        assert "Nothing to clean up" in said and "InvalidClientTokenId" not in page.inner_text("body")
        assert_widgets_render(page)
        again.evaluate("e => e.scrollIntoView({block: 'start'})")
        screenshot(page, "keeps_up_99_run_twice")
    users = {u["UserName"] for u in awslab.connect("sandbox").client("iam").list_users()["Users"]}
    assert made["user_name"] not in users


def test_02s_group_name_is_judged_as_it_is_typed(served):
    url, _root = served
    with browser_page() as page:
        open_notebook(page, url, "notebooks/02_set_up_additional_users.ipynb")
        run_all_cells(page)
        hint = visible_panel(page).locator(".awslab-group-existing").first
        try:
            wait_until(lambda: "does not exist yet" in hint.text_content(), timeout=90, what="the group hint")
        except AssertionError:
            screenshot(page, "keeps_up_02_no_hint")
            raise
        field = visible_panel(page).locator(".awslab-group-name input").first
        field.click()
        field.press("Control+a")
        field.press("Backspace")
        page.keyboard.type("admin group", delay=40)  # no Tab: focus stays in the field
        wait_until(lambda: "admin group" in hint.text_content() and "does not exist yet" not in hint.text_content(),
                   timeout=20, what="the hint judging the typed name before leaving the field")
        assert page.evaluate("() => document.activeElement?.closest('.awslab-group-name') !== null")
        hint.evaluate("e => e.scrollIntoView({block: 'center'})")
        screenshot(page, "keeps_up_02_group_name_as_typed")
