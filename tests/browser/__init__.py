"""Driving JupyterLab in headless Chromium (Playwright with Debian's system Chromium)."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
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
def jupyter_lab(root_dir: Path, **env: str):
    """JupyterLab on a free loopback port, token-less, serving root_dir (`env`: more of its
    environment)."""
    port = free_port()
    log = open(root_dir / "jupyter.log", "w")
    process = subprocess.Popen(
        [sys.executable, "-m", "jupyter", "lab", "--no-browser", f"--port={port}", "--ip=127.0.0.1",
         f"--ServerApp.root_dir={root_dir}", "--IdentityProvider.token=", "--ServerApp.password=",
         "--ServerApp.disable_check_xsrf=True", "--LabApp.news_url=", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
         "--LabApp.expose_app_in_browser=True"]  # window.jupyterapp: open_notebook() in the same page
        + (["--allow-root"] if os.geteuid() == 0 else []),
        # JupyterLab's settings as `awslab lab` gives them (awslab.jupyter_settings).
        stdout=log, stderr=subprocess.STDOUT, env=environment(dict(os.environ, JUPYTER_PLATFORM_DIRS="1",
                 JUPYTERLAB_WORKSPACES_DIR=str(root_dir / ".workspaces"), **env)),
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


# One Chromium for the session's pages (tests/browser/conftest.py closes it at the end): a
# launch costs about 1.6 s of CPU. And one page, kept from one browser test to the next
# with every document closed in between: loading JupyterLab costs about 6 s of CPU, opening a
# notebook in the page already loaded about one (open_notebook). A test that fails, or leaves a
# dialog open, leaves nothing behind: the next one gets a new context (no cookie, storage or
# cache of the one before), as does every test that asks for a fresh page.
_chromium: list = []  # [(playwright, browser)] while one is open
_kept: list = []  # [(context, page)]: the page the next browser test gets


def _browser():
    if _chromium and not _chromium[0][1].is_connected():
        close_browser()
    if not _chromium:
        from playwright.sync_api import sync_playwright

        executable = require_chromium()  # skips (fails in CI) before starting anything
        playwright = sync_playwright().start()
        try:
            browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS)
        except BaseException:
            playwright.stop()
            raise
        _chromium.append((playwright, browser))
    return _chromium[0][1]


def _drop_kept() -> None:
    while _kept:
        context, _ = _kept.pop()
        with contextlib.suppress(Exception):
            context.close()


def close_browser() -> None:
    _drop_kept()
    while _chromium:
        playwright, browser = _chromium.pop()
        try:
            browser.close()
        finally:
            playwright.stop()


# Every open document closed, unsaved changes dropped and kernels left running, as a reload
# does (and without the "Save your work?" dialog); `keep`: one left open.
_CLOSE_DOCUMENTS = """(keep) => {
    for (const widget of Array.from(window.jupyterapp.shell.widgets('main'))) {
        if (widget === keep) continue;
        if (widget.context) widget.context.model.dirty = false;
        widget.dispose();
    }
}"""
_CLOSE_ALL = ("() => { if (!window.jupyterapp) return false; (CLOSE)(null);"
              " return !document.querySelector('.jp-Dialog'); }").replace("CLOSE", _CLOSE_DOCUMENTS)


@contextlib.contextmanager
def browser_page(fresh: bool = False):
    """A page of the session's Chromium: the one the browser test before left, every document
    closed, or (`fresh`, or nothing to reuse) one in a new context."""
    if fresh or not _kept or _kept[0][1].is_closed():
        _drop_kept()
        context = _browser().new_context(viewport={"width": 1400, "height": 1000})
        page = context.new_page()
    else:
        context, page = _kept.pop()
    reusable = False
    try:
        yield page
        with contextlib.suppress(Exception):  # a page that cannot even say so is not kept
            reusable = not fresh and page.evaluate(_CLOSE_ALL)
    finally:
        if reusable:
            _kept.append((context, page))
        else:
            context.close()


# Opening a notebook inside the JupyterLab page already loaded, as a learner does from the file
# browser, instead of loading JupyterLab again: a page load costs about 6 s of Chromium's CPU, an
# in-page open about one.
_OPEN_IN_PAGE = """async (path) => {
    const close = CLOSE;
    close(null);  // the same notebook too: opened again, it is read from the file
    close(await window.jupyterapp.commands.execute('docmanager:open', {path}));  // and the Launcher
}""".replace("CLOSE", _CLOSE_DOCUMENTS)
_READY = """(path) => {
    const widget = window.jupyterapp && window.jupyterapp.shell.currentWidget;
    return !!(widget && widget.context && widget.context.path === path && widget.sessionContext
        && widget.sessionContext.session && widget.sessionContext.session.kernel
        && widget.sessionContext.session.kernel.status === 'idle'
        && widget.node.querySelector('.jp-Notebook'));
}"""


def open_notebook(page, url: str, name: str) -> None:
    """Only `name` open (no tab of an earlier notebook), its kernel idle. In the JupyterLab of
    `url` when the page shows it already, else by loading it (`?reset`: no saved tabs)."""
    if page.url.startswith(f"{url}/lab") and page.evaluate("() => !!window.jupyterapp"):
        page.evaluate(_OPEN_IN_PAGE, name)
    else:
        page.goto(f"{url}/lab/tree/{name}?reset")
    page.wait_for_selector(".jp-Notebook", timeout=90_000)
    if page.evaluate("() => !!window.jupyterapp"):
        page.wait_for_function(_READY, arg=name, timeout=90_000)
        return
    # A JupyterLab that keeps its app to itself (`awslab lab`): ready when the status says Idle.
    page.wait_for_function(
        "() => document.querySelector('.jp-Notebook') && "
        "[...document.querySelectorAll('.jp-Toolbar-kernelStatus, .jp-StatusBar-TextItem')]"
        ".some(e => /Idle/.test(e.textContent || e.getAttribute('title') || ''))", timeout=90_000)


def keyboard_ready(within, timeout: float = 30.0) -> None:
    """Wait until the form around `within` handles its keys (Enter presses its button: FormAria,
    awslab/forms/a11y.py): its module loads after the form is drawn, and an Enter pressed
    before that presses nothing."""
    wait_until(lambda: within.evaluate(
        "e => (e.closest('.awslab-form') || e).getAttribute('data-awslab-keyboard') === 'ready'"),
        timeout=timeout, what="the form's keyboard handling")


def visible_panel(page):
    """The notebook in front (a hidden panel's forms are not what the learner sees)."""
    return page.locator(".jp-NotebookPanel:not(.lm-mod-hidden)").first


def run_all_cells(page) -> None:
    page.click("text=Run", timeout=10_000)
    page.click("text=Run All Cells", timeout=10_000)


def assert_widgets_render(page) -> None:
    body = page.inner_text("body")
    assert "Error displaying widget" not in body, "a widget failed to render in the browser"
    assert "Failed to load model class" not in body


# axe-core (Deque), bundled by the axe-playwright-python package, over the lab's own markup:
# every cell output. WCAG 2.1 AA and what it builds on.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def axe_violations(page, selector: str = ".jp-OutputArea-output") -> list[dict]:
    """axe-core's violations inside the elements `selector` finds (the notebook's outputs).
    JupyterLab's page has no height of its own, and axe then skips colour contrast: set it."""
    import axe_playwright_python

    page.add_style_tag(content="html, body { height: 100%; }")
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate((Path(axe_playwright_python.__file__).parent / "axe.min.js").read_text())
    return page.evaluate(
        """async ([selector, tags]) => {
            const nodes = [...document.querySelectorAll(selector)];
            if (!nodes.length) return [{id: "nothing-scanned", help: "no element matched " + selector, nodes: []}];
            const result = await axe.run({include: nodes}, {runOnly: {type: "tag", values: tags},
                                                            resultTypes: ["violations"]});
            const violations = result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.slice(0, 3).map(n => n.html.slice(0, 200))}));
            // A check that skips is no check: colour contrast must have looked at some text.
            const contrast = result.passes.concat(result.violations).find(r => r.id === "color-contrast");
            if (!contrast || !contrast.nodes.length)
                violations.push({id: "color-contrast-not-checked", help: "axe checked no text's contrast", nodes: []});
            return violations;
        }""", [selector, AXE_TAGS])


def assert_accessible(page, what: str) -> None:
    violations = axe_violations(page)
    assert violations == [], f"axe-core finds WCAG 2.1 AA violations in {what}: {violations}"


def shut_down_kernels(url: str) -> None:
    """Every session and kernel of this JupyterLab, as Kernel, Shut Down All Kernels does (it
    deletes the sessions, and their kernels with them). Deleting only the kernels leaves each
    notebook's session naming a dead kernel for a moment, and a notebook reopened then can join
    it and wait forever for its widgets (seen twice under load: a saved view never rendered)."""
    import json

    for kind in ("sessions", "kernels"):
        with urllib.request.urlopen(f"{url}/api/{kind}", timeout=10) as answer:
            for item in json.load(answer):
                request = urllib.request.Request(f"{url}/api/{kind}/{item['id']}", method="DELETE")
                try:
                    urllib.request.urlopen(request, timeout=30).close()
                except urllib.error.HTTPError as error:
                    if error.code != 404:  # a kernel gone with its session
                        raise


def save_notebook(page, path: Path, wait_for: str = "application/vnd.jupyter.widget-state+json") -> str:
    """Ctrl+S, then the file's text once it holds `wait_for`."""
    before = path.stat().st_mtime
    page.keyboard.press("Control+s")
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if path.stat().st_mtime != before and wait_for in (text := path.read_text()):
            return text
        time.sleep(0.2)
    raise AssertionError(f"{path.name} was not saved with {wait_for}")


ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def screenshot(page, name: str) -> Path:
    """test-artifacts/<name>.png, the whole page, for people to look at."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def wait_until(probe, timeout=60.0, what="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = probe()
        if value:
            return value
        time.sleep(0.3)
    raise AssertionError(f"timed out waiting for {what}")


def layout_problems(page) -> list[str]:
    """What a learner would see as broken layout in the lab's forms: a label cut off with "…"
    (text wider than its box) and a button stretched across the form like a bar."""
    return page.evaluate("""() => {
        const problems = [];
        for (const form of document.querySelectorAll('.jp-NotebookPanel:not(.lm-mod-hidden) .awslab-form')) {
            if (!form.offsetParent) continue;
            const width = form.getBoundingClientRect().width;
            for (const label of form.querySelectorAll('label, .widget-label, .widget-label-basic, .widget-label-basic span, button')) {
                if (!label.offsetParent || !label.textContent.trim()) continue;
                if (label.scrollWidth > label.clientWidth + 1 && getComputedStyle(label).textOverflow === 'ellipsis')
                    problems.push('cut off: ' + label.textContent.trim().slice(0, 60));
            }
            for (const button of form.querySelectorAll('button')) {
                if (!button.offsetParent) continue;
                if (button.getBoundingClientRect().width > 0.6 * width && width > 400)
                    problems.push('a full-width bar: ' + button.textContent.trim().slice(0, 60));
            }
        }
        return problems;
    }""")


def assert_layout(page, what: str) -> None:
    problems = layout_problems(page)
    assert problems == [], f"{what}: {problems}"
