"""The sandbox: a simulated brand-new AWS account on this machine.

A moto server that awslab runs in the background (detached from any kernel), with
awslab's additions beside it so that it behaves like a new AWS account (LAB_SPEC
section 5). Its state lives under AWSLAB_HOME/sandbox.

    from awslab import sandbox
    info = sandbox.ensure_running()      # start unless it already runs
    sandbox.lab_credentials()            # what the lab signs its calls with
"""

from awslab.sandbox.credentials import lab_credentials, set_lab_credentials
from awslab.sandbox.process import (
    DEFAULT_PORT,
    SandboxInfo,
    ensure_running,
    reset,
    running,
    start,
    stop,
)

__all__ = [
    "DEFAULT_PORT",
    "SandboxInfo",
    "ensure_running",
    "lab_credentials",
    "reset",
    "running",
    "set_lab_credentials",
    "start",
    "stop",
]
