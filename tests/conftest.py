"""Shared fixtures: a sandbox under a temporary AWSLAB_HOME, and papermill runs against it.

Nothing here reaches the internet or a real AWS account: AWS_* variables are cleared,
the shared config and credentials files point into the temporary folder, and the
instance metadata service is off.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"


@pytest.fixture(scope="session")
def lab_home(tmp_path_factory):
    """AWSLAB_HOME for the whole session, with its sandbox running (on a free port)."""
    home = tmp_path_factory.mktemp("awslab-home")
    aws = tmp_path_factory.mktemp("aws-config")
    saved = dict(os.environ)
    for name in list(os.environ):
        if name.startswith("AWS_"):
            del os.environ[name]
    os.environ.update({
        "AWSLAB_HOME": str(home),
        "AWSLAB_SANDBOX_PORT": "0",
        "AWS_CONFIG_FILE": str(aws / "config"),
        # Notebook 05 leaves an SSO token in ~/.aws/sso/cache (where botocore and the AWS CLI
        # look, whatever AWS_CONFIG_FILE says): a private home keeps the tests' own. Caches that
        # outlive a run (Prowler's install, uv's) stay in the real home's.
        "HOME": str(aws),
        "AWSLAB_PROWLER_HOME": saved.get("AWSLAB_PROWLER_HOME") or str(
            Path(saved.get("HOME") or Path.home()) / ".cache" / "awslab-prowler"),
        "UV_CACHE_DIR": saved.get("UV_CACHE_DIR") or str(Path(saved.get("HOME") or Path.home()) / ".cache" / "uv"),
        "AWS_SHARED_CREDENTIALS_FILE": str(aws / "credentials"),
        "AWS_EC2_METADATA_DISABLED": "true",
        "AWSLAB_REGION_DELAY": "0.5",
        # Every GenerateCredentialReport makes a new report, as if IAM's four hours had passed:
        # tests change the account between reads (tests/sandbox/test_row17_* checks the four hours).
        "AWSLAB_REPORT_SECONDS": "0",
    })
    from awslab import sandbox_client as sandbox
    from tests.kernel_zygote import Zygote

    # Every kernel a fork of one warm process; AWSLAB_TEST_KERNELS=ordinary: each started as usual.
    zygote = None if saved.get("AWSLAB_TEST_KERNELS") == "ordinary" else Zygote(tmp_path_factory.mktemp("kernels"))
    if zygote is not None:
        os.environ.update(zygote.env)
    sandbox.start()
    yield home
    sandbox.stop()
    if zygote is not None:
        zygote.close()
    os.environ.clear()
    os.environ.update(saved)


@pytest.fixture
def fresh_account(lab_home, monkeypatch):
    """A brand-new sandbox account for this test: the running sandbox starts over in place
    (POST /_awslab/reset, awslab/sandbox/start_over.py), in a fraction of a second."""
    from awslab import sandbox_client as sandbox

    # This session's home, even when tests/sandbox's suite set its own in this process before.
    monkeypatch.setenv("AWSLAB_HOME", str(lab_home))

    sandbox.reset()
    return lab_home


@pytest.fixture
def lab(fresh_account):
    """A Lab signed in as root on a brand-new sandbox account (made after the reset: it has
    new root keys). tests/sandbox/ has its own `lab`: that suite shares one account."""
    import awslab

    return awslab.connect("sandbox")


def run_notebook(name: str, output_dir: Path, **parameters):
    """Run notebooks/<name>.ipynb headless with papermill; return the executed notebook."""
    import nbformat
    import papermill

    output = Path(output_dir) / f"{name}.ipynb"
    papermill.execute_notebook(
        str(NOTEBOOKS / f"{name}.ipynb"), str(output), parameters=parameters,
        kernel_name="python3", cwd=str(NOTEBOOKS), progress_bar=False,
        request_save_on_cell_execute=False,
    )
    executed = nbformat.read(str(output), as_version=4)
    nbformat.validate(executed)
    return executed


def notebook_text(notebook) -> str:
    """Every byte a saved notebook holds (outputs and metadata), as text."""
    import json

    return json.dumps(notebook, default=str)


def outputs_text(notebook) -> str:
    parts = []
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            for value in output.get("data", {}).values():
                parts.append(value if isinstance(value, str) else str(value))
            parts.append(output.get("text", ""))
            parts.append(output.get("evalue", ""))
    return "\n".join(parts)


@pytest.fixture(scope="session")
def python():
    return sys.executable


@pytest.fixture(scope="session")
def lab_server(lab_home, tmp_path_factory):
    """JupyterLab with the lab's settings (it saves widget state with a notebook: the harder
    case for secrets), started once for the browser tests of a session (of an xdist worker),
    over a folder of notebooks; its kernels see this session's sandbox. `served` gives each
    test the notebooks as committed and no kernel of the test before."""
    from tests.browser import jupyter_lab

    root = tmp_path_factory.mktemp("lab")
    settings = root / "lab-settings"  # no one's own settings: the lab's defaults (no news pop-up)
    settings.mkdir()
    with jupyter_lab(root, AWSLAB_HOME=str(lab_home), JUPYTERLAB_SETTINGS_DIR=str(settings)) as url:
        yield url, root


@pytest.fixture(scope="module", autouse=True)
def no_browser_outside_browser_tests(request):
    """The browser tests' Chromium (kept from one browser module to the next) is closed before
    any other module: Playwright keeps an asyncio loop running while it lives, and asyncio.run()
    (the JupyterHub test's) refuses to start beside one."""
    if request.module.__name__.split(".")[:2] != ["tests", "browser"] and "tests.browser" in sys.modules:
        sys.modules["tests.browser"].close_browser()
    yield


@pytest.fixture
def served(fresh_account, lab_server):
    """For a browser test: a brand-new account, the lab's notebooks as committed (the browser
    saves them), and no kernel left from the test before."""
    import shutil

    from tests.browser import shut_down_kernels

    url, root = lab_server
    shut_down_kernels(url)
    shutil.rmtree(root / "notebooks", ignore_errors=True)
    shutil.copytree(NOTEBOOKS, root / "notebooks")
    yield url, root


# The longest test files start first, so that on the workers (make test: pytest-xdist, one
# file per worker at a time, in this order: --no-loadscope-reorder) none of them starts last
# and runs on alone: a whole-lab audit by Prowler, the browser tests, the whole lab on the
# real-account path and headless, then the other environments and the longest of the rest
# (in the order of their durations in a make test run). Every worker sorts the same way.
LONGEST_FIRST = ["test_prowler_agrees.py", "test_browser.py", "test_real_account_rehearsal.py",
                 "test_headless_run.py", "test_binder.py", "test_browser_learner.py",
                 "test_browser_keeps_up.py", "test_attack_impostor.py",
                 "test_browser_identity_center.py", "test_clean_up.py", "test_attack_throttling.py",
                 "test_lab_keeps_up.py", "test_jupyterhub.py", "test_notebook_04.py",
                 "test_notebook_02.py"]


def pytest_collection_modifyitems(session, config, items):
    rank = {name: i for i, name in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.path.name, len(rank)))


def pytest_xdist_make_scheduler(config, log):
    """make test's workers take a test file at a time (--dist loadfile), except the browser
    tests, which one worker takes together: one JupyterLab server, one Chromium and one loaded
    page (lab_server, browser_page) for all of them, instead of one on each worker that draws a
    browser file. Another --dist keeps xdist's own scheduler."""
    if config.getvalue("dist") != "loadfile":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class FilesAndTheBrowser(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            path = nodeid.split("::", 1)[0]
            return "tests/browser/" if path.startswith("tests/browser/") else path

    return FilesAndTheBrowser(config, log)
