"""A learner's day in the browser (issue 14): a mistake in notebook 02 corrected, by keyboard;
the notebook saved, its kernel shut down and reopened tomorrow; the user named in 02 carried
to 04 and 99; axe-core finds no WCAG 2.1 AA violation in any of their outputs.

Screenshots go to test-artifacts/ for people to look at.
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
    save_notebook,
    screenshot,
    shut_down_kernels,
    visible_panel,
    wait_until,
)

pytestmark = pytest.mark.browser
USER = "alice"


def test_a_learners_day_in_the_browser(served):
    import awslab
    from awslab.credentials_file import credentials_csv_path, read_credentials_csv

    url, root = served
    lab = awslab.connect("sandbox")
    iam = lab.client("iam")
    with browser_page() as page:
        open_notebook(page, url, "notebooks/02_set_up_additional_users.ipynb")
        run_all_cells(page)
        group_form = page.locator(".awslab-form", has=page.locator(".awslab-group-name")).first
        group_form.locator(".awslab-submit").click(timeout=90_000)
        wait_until(lambda: any(g["GroupName"] == "administrators" for g in iam.list_groups()["Groups"]),
                   what="the group")

        # A mistake: a space in the name. One sentence, and the field is marked invalid.
        user_form = page.locator(".awslab-form", has=page.locator(".awslab-user-name")).first
        name = user_form.locator(".awslab-user-name input")
        name.fill("alice smith")
        name.press("Tab")
        user_form.locator(".awslab-create-user").click()
        refusal = user_form.locator("[role=alert]").first
        refusal.wait_for(timeout=30_000)
        assert "' '" in refusal.inner_text() or "space" in refusal.inner_text()
        page.wait_for_function(
            "() => document.querySelector('.awslab-user-name input')?.getAttribute('aria-invalid') === 'true'",
            timeout=10_000)
        screenshot(page, "02_name_refused")

        # Corrected: the sentence that judged the old name goes, and so does aria-invalid.
        name.fill(USER)
        name.press("Tab")
        page.wait_for_function(
            "() => !document.querySelector('.awslab-user-name input')?.hasAttribute('aria-invalid')",
            timeout=10_000)
        assert user_form.locator("[role=alert]").count() == 0
        assert "alice smith" not in user_form.inner_text()

        # By keyboard: Tab from the name reaches Create user; Enter creates; focus lands on
        # what was made, not on the page.
        name.focus()
        for _ in range(60):
            page.keyboard.press("Tab")
            if page.evaluate("() => document.activeElement?.closest('.awslab-create-user') !== null"):
                break
        else:
            raise AssertionError("Tab never reached Create user")
        page.keyboard.press("Enter")
        panel = page.locator(".awslab-credentials").first
        panel.wait_for(timeout=60_000)
        wait_until(lambda: page.evaluate(
            "() => document.activeElement !== document.body && "
            "document.activeElement.closest('.awslab-form') !== null"), timeout=10, what="focus on the result")
        assert [g["GroupName"] for g in iam.list_groups_for_user(UserName=USER)["Groups"]] == ["administrators"]
        assert iam.get_login_profile(UserName=USER)["LoginProfile"]["PasswordResetRequired"] is True
        assert [k["Status"] for k in iam.list_access_keys(UserName=USER)["AccessKeyMetadata"]] == ["Active"]
        # The secrets reach the live view only: masked, then shown on request, hidden again.
        row = read_credentials_csv(credentials_csv_path(lab.account_id, USER))
        secret = row["Secret access key"]
        assert secret not in page.inner_text("body")
        for button in panel.locator(".awslab-show").all():
            button.click()
        page.wait_for_function(f"() => document.body.innerText.includes({secret!r})", timeout=20_000)
        screenshot(page, "02_credentials_shown")
        for button in panel.locator(".awslab-show").all():
            button.click()

        # Section 4, the lesson about groups: what alice may do, out of administrators, back in.
        lesson = page.locator(".awslab-form", has_text="Permissions come from groups").first
        table = lesson.locator(".awslab-lesson-table")
        lesson.get_by_role("button", name=f"What can {USER} do?").click()
        table.get_by_text("AdministratorAccess, through group administrators").first.wait_for(timeout=30_000)
        lesson.evaluate("e => e.scrollIntoView({block: 'start'})")
        screenshot(page, "02_lesson_allowed")
        lesson.get_by_role("button", name=f"Take {USER} out of administrators").click()
        lesson.get_by_text(f"Took {USER} out of administrators.").wait_for(timeout=30_000)
        assert table.locator(".awslab-decision-implicitDeny").count() == 4
        assert iam.list_groups_for_user(UserName=USER)["Groups"] == []
        lesson.evaluate("e => e.scrollIntoView({block: 'start'})")
        screenshot(page, "02_lesson_denied")
        lesson.get_by_role("button", name=f"Put {USER} back").click()
        lesson.get_by_text(f"Put {USER} back in administrators.").wait_for(timeout=30_000)
        assert [g["GroupName"] for g in iam.list_groups_for_user(UserName=USER)["Groups"]] == ["administrators"]

        assert_widgets_render(page)
        assert_accessible(page, "notebook 02")
        assert_layout(page, "notebook 02")
        screenshot(page, "02_created_by_keyboard")

        # Saved, the kernel shut down, opened again tomorrow: the forms read as what was done.
        path = root / "notebooks" / "02_set_up_additional_users.ipynb"
        saved = save_notebook(page, path)
        assert row["Secret access key"] not in saved and row["Password"] not in saved
        shut_down_kernels(url)
        open_notebook(page, url, "notebooks/02_set_up_additional_users.ipynb")
        visible_panel(page).locator(".awslab-credentials").first.wait_for(timeout=60_000)
        assert_widgets_render(page)
        reopened = visible_panel(page)
        assert reopened.locator(".awslab-user-name input").first.input_value() == USER
        assert row["Secret access key"] not in page.inner_text("body")
        # Each restored form says, once, that it is a saved view (not a broken one).
        user_form = reopened.locator(".awslab-form", has=page.locator(".awslab-user-name")).first
        said = user_form.evaluate("e => getComputedStyle(e, '::before').content")
        assert "saved view of this form" in said, said
        user_form.evaluate("e => e.scrollIntoView({block: 'start'})")
        screenshot(page, "02_reopened_after_kernel_shutdown")
        reopened.locator(".awslab-credentials").first.evaluate("e => e.scrollIntoView({block: 'center'})")
        screenshot(page, "02_reopened_credentials")

        # Notebook 04 works on alice, the user 02 made, and says so.
        open_notebook(page, url, "notebooks/04_sign_in_and_review.ipynb")
        run_all_cells(page)
        choices = visible_panel(page).locator(".awslab-choices").first
        choices.wait_for(timeout=90_000)
        assert "user alice: the one notebook 02 made" in choices.text_content()
        page.wait_for_function("() => document.body.textContent.includes('Read from')", timeout=60_000)
        assert "No .csv for awslab-admin" not in page.text_content("body")
        assert_widgets_render(page)
        assert_accessible(page, "notebook 04")
        assert_layout(page, "notebook 04")
        choices.evaluate("e => e.scrollIntoView({block: 'start'})")
        screenshot(page, "04_carries_alice")

        # And so does 99: alice is on its list (nothing is deleted here).
        open_notebook(page, url, "notebooks/99_clean_up.ipynb")
        run_all_cells(page)
        form = visible_panel(page).locator(".awslab-form").first
        form.wait_for(timeout=90_000)
        wait_until(lambda: USER in form.inner_text(), timeout=60, what="alice on the clean-up list")
        assert_widgets_render(page)
        assert_accessible(page, "notebook 99")
        assert_layout(page, "notebook 99")
        form.evaluate("e => e.scrollIntoView({block: 'start'})")
        screenshot(page, "99_lists_alice")
