"""A real browser: JupyterLab in headless Chromium runs the lab's notebooks and its forms.

Fails on "Error displaying widget" or a missing widget view. Saves screenshots under
test-artifacts/ for people to look at. Skips locally without Chromium; in CI it must run.
"""

from __future__ import annotations

import pytest

from tests.browser import (
    assert_accessible,
    assert_layout,
    assert_widgets_render,
    browser_page,
    open_notebook,
    run_all_cells,
    screenshot,
    wait_until,
)

pytestmark = pytest.mark.browser


def test_setup_notebook_shows_the_banner_in_a_browser(served):
    url, _root = served
    with browser_page() as page:
        open_notebook(page, url, "notebooks/00_setup.ipynb")
        run_all_cells(page)
        banner = page.wait_for_selector(".awslab-banner", timeout=90_000)
        assert "You are the root user" in banner.inner_text()
        assert_widgets_render(page)
        assert_accessible(page, "notebook 00")
        assert_layout(page, "notebook 00")
        screenshot(page, "00_setup")


def test_assign_root_mfa_in_notebook_01_with_a_browser(served):
    """The simulated console: Continue, the QR code on screen, the simulated authenticator's
    two consecutive codes typed by hand, Assign MFA; the account then has root MFA."""
    import awslab

    url, _root = served
    iam = awslab.connect("sandbox").client("iam")
    with browser_page() as page:
        open_notebook(page, url, "notebooks/01_secure_the_root_user.ipynb")
        run_all_cells(page)
        page.locator(".awslab-continue").first.click(timeout=90_000)
        page.locator(".awslab-show").first.click(timeout=30_000)  # Show QR code
        qr = page.locator(".awslab-secret-value img").first
        qr.wait_for(timeout=30_000)
        assert qr.evaluate("img => img.naturalWidth") > 100  # a real PNG, decoded by the browser
        screenshot(page, "01_qr_code")
        page.locator(".awslab-use-simulated-app").first.click()
        shown = page.locator(".awslab-authenticator-code").first
        shown.wait_for(timeout=30_000)

        def code_now():
            text = shown.inner_text().replace(" ", "")
            return text if text.isdigit() else None

        first = wait_until(code_now, what="the authenticator's code")
        page.locator(".awslab-code1 input").first.fill(first)
        second = wait_until(lambda: (c := code_now()) and c != first and c, timeout=45,
                            what="the next code")
        page.locator(".awslab-code2 input").first.fill(second)
        screenshot(page, "01_codes_typed")
        mfa_form = page.locator(".awslab-form", has=page.locator(".awslab-code1")).first
        mfa_form.locator(".awslab-submit").click()
        wait_until(lambda: iam.get_account_summary()["SummaryMap"]["AccountMFAEnabled"] == 1,
                   what="root MFA to be enabled")
        # What the learner sees once it settles: the form says so, the panel above turns green.
        mfa_form.locator(".awslab-message", has_text="is assigned to").wait_for(timeout=30_000)
        panel = page.locator(".awslab-root-panel").first
        panel.locator("text=The root user has MFA (AccountMFAEnabled = 1).").wait_for(timeout=30_000)
        assert_widgets_render(page)
        assert_accessible(page, "notebook 01")
        assert_layout(page, "notebook 01")
        panel.evaluate("e => e.scrollIntoView({block: 'start'})")
        screenshot(page, "01_secure_the_root_user")


def test_enable_a_region_in_the_regions_form_of_notebook_03_with_a_browser(served):
    """The Regions table lists eu-south-1 as disabled; choose it in the list of opt-in Regions,
    press Enable, and the table shows it enabled (the sandbox's AWSLAB_REGION_DELAY is 0.5 s)."""
    import awslab

    url, _root = served
    account = awslab.connect("sandbox").client("account")
    code = "eu-south-1"
    with browser_page() as page:
        open_notebook(page, url, "notebooks/03_account_alias_and_regions.ipynb")
        run_all_cells(page)
        table = page.locator(".awslab-regions").first
        table.wait_for(timeout=90_000)
        status = table.locator(f".awslab-region-{code} .awslab-region-status")
        assert status.inner_text().strip() == "disabled"

        # ipywidgets 8 renders the Dropdown as a <select> whose options' values are the labels
        # ("eu-south-1 · Europe (Milan) · disabled"); the text shows them with no-break spaces.
        select = page.locator(".awslab-region-choice select").first
        label = select.evaluate(
            f"s => [...s.options].map(o => o.value).find(v => v.startsWith('{code} '))")
        assert label and label.endswith("· disabled"), label
        select.select_option(value=label)
        button = page.locator(".awslab-region-button").first
        page.wait_for_function(
            "() => document.querySelector('.awslab-region-button')?.textContent.trim() === 'Enable'",
            timeout=20_000)
        assert button.is_enabled()
        button.click()
        page.wait_for_function(
            f"() => document.querySelector('.awslab-regions .awslab-region-{code} "
            ".awslab-region-status')?.textContent.trim() === 'enabled'", timeout=30_000)

        assert account.get_region_opt_status(RegionName=code)["RegionOptStatus"] == "ENABLED"
        page.wait_for_function(
            "() => document.querySelector('.awslab-region-button')?.textContent.trim() === 'Disable'",
            timeout=20_000)
        assert_widgets_render(page)
        assert_accessible(page, "notebook 03")
        assert_layout(page, "notebook 03")
        # The notebook scrolls inside JupyterLab: one picture from the form's top (the count, the
        # list and its button, the table in its scrolling box), one centred on the button.
        form = page.locator(".awslab-form", has=page.locator(".awslab-regions")).first
        form.evaluate("e => e.scrollIntoView({block: 'start'})")
        screenshot(page, "03_regions_table")
        page.locator(".awslab-region-button").first.evaluate(
            "e => e.scrollIntoView({block: 'center'})")
        screenshot(page, "03_regions")


def test_sign_in_to_the_console_as_the_new_user_in_notebook_04_with_a_browser(served):
    """The tutorial's last step in the simulated console: the .csv's password, a new password
    (a mismatch first, then the right one, checked as typed), signed in."""
    import awslab
    from tests.helpers import make_user

    url, root = served
    lab = awslab.connect("sandbox")
    made = make_user(lab)
    iam = lab.client("iam")
    new_password = "Browser-Chosen-Passw0rd-42"
    with browser_page() as page:
        open_notebook(page, url, "notebooks/04_sign_in_and_review.ipynb")
        run_all_cells(page)
        form = page.locator(".awslab-console-sign-in").first
        form.wait_for(timeout=90_000)
        form.locator(".awslab-submit").click()
        page.wait_for_function("() => document.body.innerText.includes('You must choose a new password')",
                               timeout=60_000)
        fields = form.locator("input.awslab-password-input:visible")
        fields.nth(0).fill(new_password)
        fields.nth(1).fill(new_password + "x")
        page.wait_for_function("() => document.body.innerText.includes('The two new passwords differ')",
                               timeout=20_000)
        form.locator(".awslab-submit").click()
        page.wait_for_function("() => document.body.innerText.includes('type the same one in both fields')",
                               timeout=20_000)
        screenshot(page, "04_console_new_password_mismatch")
        assert iam.get_login_profile(UserName=made["user_name"])["LoginProfile"]["PasswordResetRequired"]
        fields.nth(1).fill(new_password)
        page.wait_for_function("() => document.body.innerText.includes('Both fields match')",
                               timeout=20_000)
        form.locator(".awslab-submit").click()
        page.wait_for_function("() => document.body.innerText.includes('Signed in to the console as')",
                               timeout=60_000)
        assert_widgets_render(page)
        assert_accessible(page, "notebook 04 after the console sign-in")
        assert_layout(page, "notebook 04 after the console sign-in")
        screenshot(page, "04_console_signed_in")
        assert new_password not in page.inner_text("body")

        # The checklist's 1.2 fix: the security contact, typed and registered.
        contact = page.locator(".awslab-security-contact").first
        contact.scroll_into_view_if_needed()
        for key, value in (("name", "Security team"), ("title", "Security"),
                           ("email", "security@example.com"), ("phone", "+1 206-555-0199")):
            contact.locator(f".awslab-contact-{key} input").fill(value)
        contact.locator(".awslab-submit").click()
        page.wait_for_function("() => document.body.innerText.includes('Security contact: Security team')",
                               timeout=60_000)
        assert_widgets_render(page)
        assert_accessible(page, "notebook 04")
        assert_layout(page, "notebook 04")
        screenshot(page, "04_security_contact")
        page.locator(".awslab-checklist").first.scroll_into_view_if_needed()
        screenshot(page, "04_checklist")

    login = iam.get_login_profile(UserName=made["user_name"])["LoginProfile"]
    assert login["PasswordResetRequired"] is False
    assert iam.get_user(UserName=made["user_name"])["User"].get("PasswordLastUsed")
    from awslab import sandbox_client as console

    signed = console.sign_in_as_user(lab.endpoint_url, lab.account_id, made["user_name"], new_password)
    assert signed["signed_in"] is True
