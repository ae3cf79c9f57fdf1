"""The browser tests' shared Chromium lives as long as the session (an xdist worker's): the
browser modules a worker runs one after the other share it, its page and the session's
JupyterLab (tests/browser/__init__.py, lab_server in tests/conftest.py)."""

import pytest


@pytest.fixture(scope="session", autouse=True)
def one_chromium_per_session():
    from tests.browser import close_browser

    yield
    close_browser()
