"""`awslab check` and `awslab clean` call plain functions: no widget library is loaded for them."""

import subprocess
import sys


def test_check_and_clean_load_without_ipywidgets():
    code = ("import sys; sys.modules['ipywidgets'] = None; sys.modules['anywidget'] = None\n"
            "import awslab.cli, awslab.steps.s04_checklist, awslab.steps.s99_clean_up, awslab.headless\n"
            "assert callable(awslab.cli.print_checklist)\n"
            "assert callable(awslab.cli.clean_cli)\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
