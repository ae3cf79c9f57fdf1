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
    keyboard_ready,
    open_notebook,
    run_all_cells,
    save_notebook,
    screenshot,
    shut_down_kernels,
    visible_panel,
    wait_until,
)
from tests.helpers import make_user

pytestmark = pytest.mark.browser


def test_open_notebooks_follow_the_switch_and_99_runs_twice(served):
    import awslab
    from awslab.steps.s04_sign_in import retire_root_access_keys, sign_in_as

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


def _dirty(page) -> list[str]:
    """The tabs JupyterLab marks modified (a dot instead of the close button)."""
    return page.evaluate("() => [...document.querySelectorAll('.lm-TabBar-tab.jp-mod-dirty')]"
                         ".map(e => e.textContent)")


def _active(page) -> str:
    """What has keyboard focus: its tag and classes (and its form's first class)."""
    return page.evaluate("() => { const e = document.activeElement; return e.tagName + ' ' + e.className + ' ' + "
                         "(e.closest('.awslab-form') ? 'in-form' : 'outside') + ' ' + e.id + ' aria-invalid=' + "
                         "e.getAttribute('aria-invalid'); }")


def _save(page, path) -> str:
    """Ctrl+S from the notebook (a field keeps its keys to itself: leave it first); the saved text."""
    visible_panel(page).locator(".jp-MarkdownCell").first.click()
    text = save_notebook(page, path)
    page.wait_for_timeout(500)  # JupyterLab has taken the save's answer (not still "saving")
    return text


def test_01_and_02_by_keyboard_and_reopened(served):
    """Issue 21, 7 to 9, on notebooks 01 and 02: an untouched notebook opens unmodified; the MFA
    kind is one Tab stop (arrows move it); Enter in a field presses its step's button; after
    Continue focus is on step 2; the layout (Check again sized to its words, Cancel level with
    Assign MFA, the authenticator's label whole); reopened without a kernel, the authenticator
    and the group form say nothing that was true only then."""
    url, root = served
    with browser_page() as page:
        open_notebook(page, url, "notebooks/01_secure_the_root_user.ipynb")
        page.wait_for_timeout(1500)  # the kernel's metadata has arrived: nothing changed
        assert _dirty(page) == [], "an untouched notebook opens marked modified"
        run_all_cells(page)
        notebook = visible_panel(page)
        check_again = notebook.locator(".awslab-root-panel .awslab-check-again").first
        check_again.wait_for(timeout=90_000)
        assert check_again.bounding_box()["width"] < 200, check_again.bounding_box()
        form = notebook.locator(".awslab-form", has=page.locator(".awslab-mfa-kind")).first

        # The MFA device kind: one Tab stop, arrows move the choice.
        checked = form.locator(".awslab-mfa-kind input:checked")
        checked.focus()
        page.keyboard.press("ArrowDown")
        wait_until(lambda: form.locator(".awslab-continue").is_disabled(), timeout=10,
                   what="ArrowDown choosing the passkey (Continue is for the app only)")
        page.keyboard.press("ArrowUp")
        wait_until(lambda: form.locator(".awslab-continue").is_enabled(), timeout=10, what="ArrowUp back")
        page.keyboard.press("Tab")
        assert "awslab-device-name" in page.evaluate(
            "() => document.activeElement.closest('.widget-text')?.className || ''"), _active(page)
        page.keyboard.press("Shift+Tab")
        assert page.evaluate("() => document.activeElement.type === 'radio' && document.activeElement.checked")

        # Enter in the device name is Continue; focus goes on to step 2.
        keyboard_ready(form)
        form.locator(".awslab-device-name input").focus()
        page.keyboard.press("Enter")
        form.locator(".awslab-use-simulated-app").wait_for(timeout=30_000)
        wait_until(lambda: page.evaluate(
            "() => document.activeElement.classList.contains('awslab-step2-heading')"), timeout=10,
            what=f"focus on step 2 after Continue (it is on {_active(page)})")

        form.locator(".awslab-use-simulated-app").click()
        app = form.locator(".awslab-authenticator-account").first
        app.wait_for(timeout=30_000)
        assert app.evaluate("e => e.getClientRects().length === 1 && e.scrollWidth <= e.clientWidth + 1"), \
            "the authenticator's label breaks or is cut"
        assign, cancel = form.locator(".awslab-submit"), form.locator(".awslab-cancel")
        assert abs(assign.bounding_box()["y"] - cancel.bounding_box()["y"]) < 0.5
        assert abs(assign.bounding_box()["height"] - cancel.bounding_box()["height"]) < 0.5

        # Enter in MFA code 2 is Assign MFA (two wrong codes: refused, nothing assigned).
        form.locator(".awslab-code1 input").fill("000000")
        form.locator(".awslab-code2 input").fill("000001")
        form.locator(".awslab-code2 input").press("Enter")
        form.locator("[role=alert]").first.wait_for(timeout=30_000)
        assert "InvalidAuthenticationCode" in form.locator("[role=alert]").first.text_content()
        form.locator(".awslab-authenticator").first.evaluate("e => e.scrollIntoView({block: 'center'})")
        screenshot(page, "keeps_up_01_keyboard_and_layout")
        _save(page, root / "notebooks" / "01_secure_the_root_user.ipynb")

        # Notebook 02: the group made, saved.
        open_notebook(page, url, "notebooks/02_set_up_additional_users.ipynb")
        run_all_cells(page)
        group = visible_panel(page).locator(".awslab-form", has=page.locator(".awslab-group-name")).first
        group.locator(".awslab-submit").click(timeout=90_000)
        group.locator("text=was created just now").wait_for(timeout=60_000)
        _save(page, root / "notebooks" / "02_set_up_additional_users.ipynb")

        # Reopened without their kernels: saved views that say so, and claim nothing fresh.
        shut_down_kernels(url)
        open_notebook(page, url, "notebooks/02_set_up_additional_users.ipynb")
        group = visible_panel(page).locator(".awslab-form", has=page.locator(".awslab-group-name")).first
        group.locator("text=Created the group administrators").wait_for(timeout=60_000)
        assert not group.locator(".awslab-group-existing").is_visible()
        group.evaluate("e => e.scrollIntoView({block: 'start'})")
        assert "just now" not in group.inner_text() and "no members yet" not in group.inner_text()
        assert "saved view of this form" in group.evaluate("e => getComputedStyle(e, '::before').content")
        group.evaluate("e => e.scrollIntoView({block: 'start'})")
        screenshot(page, "keeps_up_02_reopened_group")
        # Saved again as it is (JupyterLab's autosave does it within two minutes: the restored
        # forms mark it modified), then reopened: the saved views are still there.
        saved = _save(page, root / "notebooks" / "02_set_up_additional_users.ipynb")
        assert "Created the group administrators" in saved, "saved again, the notebook lost its forms' saved views"
        shut_down_kernels(url)
        open_notebook(page, url, "notebooks/02_set_up_additional_users.ipynb")
        group = visible_panel(page).locator(".awslab-form", has=page.locator(".awslab-group-name")).first
        group.locator("text=Created the group administrators").wait_for(timeout=60_000)
        assert_widgets_render(page)
        open_notebook(page, url, "notebooks/01_secure_the_root_user.ipynb")
        app = visible_panel(page).locator("div.awslab-authenticator").first
        # (textContent: a cell out of view has no innerText in JupyterLab's windowed notebook)
        wait_until(lambda: "saved view" in app.text_content(), timeout=30, what="the authenticator saying it is saved")
        assert "getting the next code" not in app.text_content() and "--- ---" in app.text_content()
        assert_widgets_render(page)
        app.evaluate("e => e.scrollIntoView({block: 'center'})")
        screenshot(page, "keeps_up_01_reopened_authenticator")


def test_04s_console_sign_in_by_keyboard(served):
    """Issue 21, 8 and 9, on notebook 04: the new-password fields drawn as the fields around them
    (label width, input's left edge, not touching); Enter in a field is Sign in; "passwords
    differ" puts focus in the field; the done "Root's access keys deleted" button is grey."""
    import awslab

    url, _root = served
    made = make_user(awslab.connect("sandbox"))
    with browser_page() as page:
        open_notebook(page, url, "notebooks/04_sign_in_and_review.ipynb")
        run_all_cells(page)
        notebook = visible_panel(page)
        notebook.locator("text=Read from").first.wait_for(timeout=90_000)
        notebook.locator(".awslab-form").first.locator(".awslab-submit").click()
        console = notebook.locator(".awslab-console-sign-in").first
        name = console.locator(".widget-text", has=page.locator("text=IAM user name")).first
        keyboard_ready(console)
        name.locator("input").press("Enter")  # Enter is Sign in: the password from the .csv
        console.locator("text=You must choose a new password").wait_for(timeout=60_000)
        # By label, not position: each password row is drawn when its widget's module has loaded,
        # so the hidden typed-password row may come into the page after these two.
        row = lambda label: console.locator(".awslab-password-row").filter(  # noqa: E731
            has=page.get_by_text(label, exact=True))
        new, again = row("New password"), row("Confirm new password")
        new.wait_for(timeout=10_000)
        box = lambda e: e.bounding_box()  # noqa: E731
        assert abs(box(new.locator("label"))["width"] - box(name.locator("label"))["width"]) < 1
        assert abs(box(new.locator("input"))["x"] - box(name.locator("input"))["x"]) < 1
        assert abs(box(new.locator("input"))["height"] - box(name.locator("input"))["height"]) < 1
        gap = box(again)["y"] - (box(new)["y"] + box(new)["height"])
        assert gap >= 3, f"the two fields touch ({gap} px apart)"
        new.locator("input").fill("Differ-first-2468")
        again.locator("input").fill("Differ-second-1357")
        again.locator("input").press("Enter")
        try:
            console.locator("text=The two new passwords differ: type the same one").wait_for(timeout=30_000)
        except Exception:
            console.evaluate("e => e.scrollIntoView({block: 'start'})")
            screenshot(page, "keeps_up_04_passwords_differ_failed")
            raise
        try:
            wait_until(lambda: page.evaluate(
                "() => document.activeElement.classList.contains('awslab-password-input') && "
                "document.activeElement.getAttribute('aria-invalid') === 'true'"), timeout=10,
                what="focus in the refused field")
        except AssertionError:
            raise AssertionError(f"focus is on {_active(page)}; the new password's input is "
                                 f"{new.locator('input').get_attribute('id')}") from None
        assert page.evaluate("() => document.activeElement.id") == new.locator("input").get_attribute("id"), \
            (_active(page), new.locator("input").get_attribute("id"))
        console.evaluate("e => e.scrollIntoView({block: 'start'})")
        screenshot(page, "keeps_up_04_passwords_differ")

        retire = notebook.locator(".awslab-form", has=page.locator(".awslab-root-keys")).first
        retire.locator(".awslab-submit").click()
        retire.locator(".awslab-yes").click(timeout=30_000)
        done = retire.locator("button", has_text="Root's access keys deleted")
        done.wait_for(timeout=60_000)
        assert done.is_disabled()
        assert "mod-danger" not in done.get_attribute("class")
        retire.evaluate("e => e.scrollIntoView({block: 'start'})")
        screenshot(page, "keeps_up_04_root_keys_deleted")
    assert made["user_name"]


def test_awslab_lab_opens_00_alone_after_a_restart(lab_home, tmp_path):
    """Issue 21, 7: JupyterLab restores the last session's tabs (each starting a kernel); the URL
    `awslab lab` prints (and opens) shows notebooks/00_setup.ipynb alone."""
    import json
    import re
    import urllib.request

    from tests.browser import free_port
    from tests.system.test_lab_restart import _answering, _start, _stop

    def start():
        port, out_path = free_port(), tmp_path / f"lab-{len(list(tmp_path.glob('lab-*')))}.out"
        with open(out_path, "w") as out:
            process = _start(port, out, tmp_path)  # the same workspaces folder each time
        token = _answering(process, out_path, port)
        assert token, out_path.read_text()
        printed = re.search(r"JupyterLab: (http://\S+)", out_path.read_text())[1]
        return process, port, token, printed

    def tabs(page) -> list[str]:
        return page.evaluate("() => [...document.querySelectorAll('.lm-DockPanel-tabBar .lm-TabBar-tab')]"
                             ".map(e => e.textContent)")

    process, port, token, printed = start()
    try:
        base = f"http://127.0.0.1:{port}"
        with urllib.request.urlopen(f"{base}/?token={token}", timeout=30) as answer:  # the browser's way in
            assert "/lab/tree/notebooks/00_setup.ipynb?reset" in answer.geturl()
        with browser_page(fresh=True) as page:  # what a browser brings to a restarted lab
            page.goto(printed)
            page.wait_for_selector(".jp-NotebookPanel", timeout=90_000)
            for name in ("02_set_up_additional_users", "03_account_alias_and_regions"):  # from the file browser
                page.locator(".jp-DirListing-item", has_text=name).dblclick()
                wait_until(lambda name=name: any(name in t for t in tabs(page)), timeout=60, what=f"{name} open")
            assert len(tabs(page)) == 3, tabs(page)

            def saved() -> bool:
                with urllib.request.urlopen(f"{base}/lab/api/workspaces/default?token={token}", timeout=10) as a:
                    return "03_account_alias_and_regions" in json.dumps(json.load(a))

            wait_until(saved, timeout=30, what="JupyterLab saving its workspace with three tabs")
    finally:
        _stop(process)

    process, port, token, printed = start()
    try:
        with browser_page(fresh=True) as page:  # what a browser brings to a restarted lab
            page.goto(printed)
            page.wait_for_selector(".jp-NotebookPanel", timeout=90_000)
            page.wait_for_timeout(3000)  # a restored tab would be open by now
            assert [t for t in tabs(page) if ".ipynb" in t] == ["00_setup.ipynb"], tabs(page)
            # JupyterLab asks a new user about its news feed unless told; `awslab lab` tells it no.
            assert not page.get_by_text("official Jupyter news").count()
            screenshot(page, "keeps_up_lab_restarted_opens_00")
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/sessions?token={token}", timeout=10) as answer:
            assert [s["path"] for s in json.load(answer)] == ["notebooks/00_setup.ipynb"]
    finally:
        _stop(process)
