"""Driving JupyterLab in headless Chromium (Playwright with Debian's system Chromium)."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from awslab.jupyter_settings import environment

CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def chromium_path() -> str | None:
    for name in (os.environ.get("CHROMIUM"), "chromium", "chromium-browser", "google-chrome"):
        if name and shutil.which(name):
            return shutil.which(name)
    return None


def require_chromium() -> str:
    path = chromium_path()
    if path is None:
        if os.environ.get("CI") == "true":
            pytest.fail("Chromium is required in CI: .ci/run must `apt-get install -y chromium`.")
        pytest.skip("No Chromium found: install Debian's `chromium` to run the browser test.")
    return path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def jupyter_lab(root_dir: Path):
    """JupyterLab on a free loopback port, token-less, serving root_dir."""
    port = free_port()
    log = open(root_dir / "jupyter.log", "w")
    process = subprocess.Popen(
        [sys.executable, "-m", "jupyter", "lab", "--no-browser", f"--port={port}", "--ip=127.0.0.1",
         f"--ServerApp.root_dir={root_dir}", "--IdentityProvider.token=", "--ServerApp.password=",
         "--ServerApp.disable_check_xsrf=True", "--LabApp.news_url=", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"]
        + (["--allow-root"] if os.geteuid() == 0 else []),
        # JupyterLab's settings as `awslab lab` gives them (awslab.jupyter_settings).
        stdout=log, stderr=subprocess.STDOUT, env=environment(dict(os.environ, JUPYTER_PLATFORM_DIRS="1",
                 JUPYTERLAB_WORKSPACES_DIR=str(root_dir / ".workspaces"))),
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(url + "/api/status", timeout=2)
                break
            except OSError:
                if process.poll() is not None:
                    raise RuntimeError((root_dir / "jupyter.log").read_text()) from None
                time.sleep(0.3)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


@contextlib.contextmanager
def browser_page():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=require_chromium(), args=CHROMIUM_FLAGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        try:
            yield page
        finally:
            browser.close()


def open_notebook(page, url: str, name: str) -> None:
    page.goto(f"{url}/lab/tree/{name}")
    page.wait_for_selector(".jp-Notebook", timeout=90_000)
    # The kernel is ready when the status says Idle.
    page.wait_for_function(
        "() => document.querySelector('.jp-Notebook') && "
        "[...document.querySelectorAll('.jp-Toolbar-kernelStatus, .jp-StatusBar-TextItem')]"
        ".some(e => /Idle/.test(e.textContent || e.getAttribute('title') || ''))", timeout=90_000)


def run_all_cells(page) -> None:
    page.click("text=Run", timeout=10_000)
    page.click("text=Run All Cells", timeout=10_000)


def assert_widgets_render(page) -> None:
    body = page.inner_text("body")
    assert "Error displaying widget" not in body, "a widget failed to render in the browser"
    assert "Failed to load model class" not in body
