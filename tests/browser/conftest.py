"""The browser tests' shared Chromium lives as long as their module (tests/browser/__init__.py)."""

import pytest


@pytest.fixture(scope="module", autouse=True)
def one_chromium_per_module():
    from tests.browser import close_browser

    yield
    close_browser()
