"""Notebook 05 in a real browser: the person's first sign-in at the simulated AWS access portal
(the invitation's password, an MFA device registered with the simulated authenticator app, the
account and role, short-term credentials), then the AWS CLI's device flow approved in the portal.

Its own JupyterLab, with a private HOME (the notebook writes ~/.aws/config and the SSO token
cache). Screenshots go to test-artifacts/identity_center_*.png, for people to look at; the
notebook is saved at the end and must hold no secret.
"""

from __future__ import annotations

import json
import shutil

import pytest

from tests.browser import (
    assert_accessible,
    assert_layout,
    assert_widgets_render,
    browser_page,
    jupyter_lab,
    open_notebook,
    run_all_cells,
    save_notebook,
    screenshot,
)
from tests.conftest import NOTEBOOKS

pytestmark = pytest.mark.browser
PASSWORD = "Corr3ct-Horse!battery"


@pytest.fixture
def lab05(fresh_account, tmp_path):
    home = tmp_path / "home"
    (home / ".aws").mkdir(parents=True)
    root = tmp_path / "lab"
    shutil.copytree(NOTEBOOKS, root / "notebooks")
    (root / "lab-settings").mkdir()  # no one's own settings: the lab's defaults (no news pop-up)
    with jupyter_lab(root, AWSLAB_HOME=str(fresh_account), HOME=str(home),
                     AWS_CONFIG_FILE=str(home / ".aws" / "config"),
                     AWS_SHARED_CREDENTIALS_FILE=str(home / ".aws" / "credentials"),
                     AWSLAB_IC_DELAY="0.5",
                     JUPYTERLAB_SETTINGS_DIR=str(root / "lab-settings")) as url:
        yield url, root, home


def form(page, title: str):
    return page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .awslab-form", has_text=title).first


def press(where, label: str) -> None:
    where.locator("button", has_text=label).first.click(timeout=60_000)


def test_the_portal_sign_in_with_mfa_registration_and_the_device_flow(lab05):
    url, root, home = lab05
    with browser_page() as page:
        open_notebook(page, url, "notebooks/05_identity_center.ipynb")
        run_all_cells(page)
        organization = form(page, "1. Create the organization")
        press(organization, "Create organization")
        organization.locator("text=is now its management account").wait_for(timeout=90_000)
        center = form(page, "2. Enable IAM Identity Center")
        press(center, "Enable IAM Identity Center")
        center.locator("text=AWS access portal: https://d-").wait_for(timeout=60_000)
        person = form(page, "3. A person")
        press(person, "Create user and group")
        person.locator("text=Invitation to join AWS IAM Identity Center").wait_for(timeout=60_000)
        person.evaluate("e => e.scrollIntoView({block: 'start'})")
        screenshot(page, "identity_center_1_mailbox")
        access = form(page, "4. Permission set")
        press(access, "Create and assign")
        access.locator("text=Account assignment: SUCCEEDED").wait_for(timeout=60_000)
        access.locator("text=AWSReservedSSO_AdministratorAccess_").first.wait_for(timeout=10_000)

        # 5. The access portal: the invitation's password, then MFA registered at first sign-in.
        portal = form(page, "5. Sign in to the AWS access portal")
        portal.locator(".awslab-portal-password input").fill(PASSWORD)
        press(portal, "Set password")
        portal.locator("text=the invitation's link is used up").wait_for(timeout=60_000)
        press(portal, "Sign in")
        portal.locator("text=The portal asks for an MFA device").wait_for(timeout=60_000)
        app = portal.locator(".awslab-authenticator").first
        app.wait_for(timeout=30_000)
        portal.evaluate("e => e.scrollIntoView({block: 'start'})")
        screenshot(page, "identity_center_2_register_mfa")
        code = "".join(ch for ch in app.inner_text() if ch.isdigit())[:6]
        portal.locator(".awslab-portal-code input").fill(code)
        press(portal, "Verify MFA code")
        portal.locator("text=Signed in to the AWS access portal as ana-silva, with MFA").wait_for(timeout=60_000)
        assert "AdministratorAccess" in portal.locator("table").last.inner_text()
        press(portal, "Get short-term credentials")
        portal.locator("text=Nothing long-lived was made").wait_for(timeout=60_000)
        portal.evaluate("e => e.scrollIntoView({block: 'start'})")
        screenshot(page, "identity_center_3_portal_signed_in")

        # 6. The AWS CLI: the profile, the device flow, approved in the portal.
        cli = form(page, "6. The AWS CLI")
        press(cli, "Write the profile")
        cli.locator("text=No key is written").first.wait_for(timeout=60_000)
        press(cli, "Sign in (aws sso login)")
        cli.locator("text=device.sso.us-east-1.amazonaws.com").first.wait_for(timeout=60_000)
        cli.evaluate("e => e.scrollIntoView({block: 'start'})")
        screenshot(page, "identity_center_4_device_code")
        press(cli, "Approve in the portal")
        cli.locator("text=Approved").first.wait_for(timeout=60_000)
        press(cli, "Finish sign-in")
        cli.locator("text=The profile works, with no access key on disk").wait_for(timeout=90_000)
        assert ":assumed-role/AWSReservedSSO_AdministratorAccess_" in cli.inner_text()
        cli.evaluate("e => e.scrollIntoView({block: 'start'})")
        screenshot(page, "identity_center_5_cli_profile")
        assert_widgets_render(page)
        assert_layout(page, "notebook 05")
        assert_accessible(page, "notebook 05")

        saved = save_notebook(page, root / "notebooks" / "05_identity_center.ipynb")
    [token_file] = list((home / ".aws" / "sso" / "cache").iterdir())
    cached = json.loads(token_file.read_text())
    for name in ("accessToken", "clientSecret", "refreshToken"):
        assert cached[name] not in saved, name
    assert PASSWORD not in saved and "ASIA" not in saved and "token=" not in saved
    assert "otpauth://" not in saved
