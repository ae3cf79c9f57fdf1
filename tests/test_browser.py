"""A real browser: JupyterLab in headless Chromium runs the lab's notebooks and its forms.

Fails on "Error displaying widget" or a missing widget view. Saves screenshots under
test-artifacts/ for people to look at. Skips locally without Chromium; in CI it must run.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.browser import assert_widgets_render, browser_page, jupyter_lab, open_notebook, run_all_cells
from tests.conftest import NOTEBOOKS, ROOT

pytestmark = pytest.mark.browser
ARTIFACTS = ROOT / "test-artifacts"


@pytest.fixture
def served(fresh_account, tmp_path):
    """A copy of the notebooks (the browser saves them) served by JupyterLab."""
    root = tmp_path / "lab"
    shutil.copytree(NOTEBOOKS, root / "notebooks")
    with jupyter_lab(root) as url:
        yield url, root


def screenshot(page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def test_setup_notebook_shows_the_banner_in_a_browser(served):
    url, _root = served
    with browser_page() as page:
        open_notebook(page, url, "notebooks/00_setup.ipynb")
        run_all_cells(page)
        banner = page.wait_for_selector(".awslab-banner", timeout=90_000)
        assert "You are the root user" in banner.inner_text()
        assert_widgets_render(page)
        screenshot(page, "00_setup")
