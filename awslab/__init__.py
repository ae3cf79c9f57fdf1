"""awslab: the "Secure Your AWS Account" tutorial as a guided lab in Jupyter notebooks.

The notebooks call this package; it makes the boto3 calls, validates input, and turns
AWS's errors into one sentence a learner can act on. Import stays light: the heavy
pieces (boto3, ipywidgets, the sandbox) load when first used.
"""

import os

__version__ = "0.1.0"

if os.environ.get("AWSLAB_RECORD_CALLS"):
    from awslab.call_recorder import install as _record_calls

    _record_calls()

__all__ = ["Lab", "LabError", "connect", "__version__"]


def __getattr__(name: str):
    """connect, Lab and LabError, loaded when first asked for: importing a module of the
    package (the sandbox server's, for one: it imports nothing of the lab) loads no other."""
    if name == "LabError":
        from awslab.errors import LabError

        return LabError
    if name in ("Lab", "connect"):
        from awslab import session

        return getattr(session, name)
    raise AttributeError(f"module 'awslab' has no attribute {name!r}")
