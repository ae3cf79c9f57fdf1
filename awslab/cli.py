"""The `awslab` command (also `python -m awslab`). See docs/contract.md, "Command line"."""

from __future__ import annotations

import argparse
import os
import shlex
import sys

from awslab.errors import Code, LabError


def port(text: str) -> int:
    """An --port value: a TCP port number."""
    try:
        number = int(text)
    except ValueError:
        number = -1
    if not 1 <= number <= 65535:
        raise argparse.ArgumentTypeError(f"{text} is not a port: give a number from 1 to 65535, "
                                         "or leave --port out")
    return number


def cmd_sandbox(args) -> int:
    from awslab import sandbox_client as sandbox

    if args.action == "start":
        info = sandbox.start(args.port)
        print(f"sandbox running: {info.endpoint} (account {info.account_id}, pid {info.pid})")
        return 0
    if args.action == "env":
        info = sandbox.ensure_running()
        creds = sandbox.lab_credentials()
        lines = {
            "AWS_ENDPOINT_URL": info.endpoint,
            "AWS_ACCESS_KEY_ID": creds["access_key_id"],
            "AWS_SECRET_ACCESS_KEY": creds["secret_access_key"],
            "AWS_DEFAULT_REGION": info.region,
        }
        if creds.get("session_token"):  # a root console session: temporary credentials
            lines["AWS_SESSION_TOKEN"] = creds["session_token"]
        for name, value in lines.items():
            print(f"export {name}={shlex.quote(value)}")
        print("unset AWS_PROFILE" if "AWS_SESSION_TOKEN" in lines else "unset AWS_SESSION_TOKEN AWS_PROFILE")
        return 0
    if args.action == "status":
        info = sandbox.running()
        if info is None:
            held = sandbox.why_not_running()  # its old port now answers for someone else
            print(f"sandbox not running: {held}" if held else
                  "sandbox not running (start it with `awslab sandbox start`)")
            return 1
        creds = sandbox.lab_credentials()
        print(f"sandbox running: {info.endpoint} (account {info.account_id}, pid {info.pid}); "
              f"the lab signs in as {creds.get('principal', 'root')}")
        return 0
    if args.action == "stop":
        print("sandbox stopped (its account is kept)" if sandbox.stop() else "sandbox was not running")
        return 0
    if args.action == "reset":
        info = sandbox.reset(args.port)
        print(f"sandbox reset: a brand-new account {info.account_id} at {info.endpoint}")
        return 0
    raise AssertionError(args.action)


def cmd_lab(args) -> int:
    """JupyterLab with its token (loopback is no boundary on a shared machine: every local user
    reaches it); the token goes to JupyterLab in its environment, which other users cannot
    read, and into the URL printed here, which only this terminal shows."""
    import secrets
    import signal
    import socket
    import subprocess

    from awslab.home import lab_home
    from awslab.notebooks import notebooks_dir

    root = notebooks_dir().parent
    with socket.socket(socket.AF_INET6 if ":" in args.ip else socket.AF_INET) as probe:
        # As JupyterLab binds (SO_REUSEADDR): a port whose last connections wait out TIME_WAIT
        # after a stop is free; one something listens on is not.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((args.ip, args.port))
        except OSError as error:
            raise LabError(f"JupyterLab cannot listen on {args.ip} port {args.port} ({error.strerror}): "
                           "choose another port with `make lab PORT=N` (or `awslab lab --port N`).",
                           code=Code.PortTaken) from None
    started_sandbox = False
    if args.target == "sandbox":
        from awslab import sandbox_client as sandbox

        info = sandbox.running()
        if info is None:
            info, started_sandbox = sandbox.start(), True
    token = secrets.token_hex(24)
    command = [sys.executable, "-m", "jupyter", "lab", f"--ip={args.ip}", f"--port={args.port}",
               "--ServerApp.port_retries=0", f"--ServerApp.root_dir={root}",
               # Where the browser opens (LabApp's: it overrides ServerApp's); ?reset: 00 alone, not every
               # tab the last session left open, each starting a kernel
               "--LabApp.default_url=/lab/tree/notebooks/00_setup.ipynb?reset"]
    if os.geteuid() == 0:
        command.append("--allow-root")  # containers and CI run as root
    if args.no_browser:
        command.append("--no-browser")
    host = f"[{args.ip}]" if ":" in args.ip else args.ip
    # JupyterLab's own log goes to a file: the terminal shows the lines that matter.
    log_path = lab_home() / "jupyterlab.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    log_fd = os.open(log_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    from awslab.jupyter_settings import environment

    if args.target == "sandbox":
        print(f"Sandbox:    {info.endpoint} (account {info.account_id}"
              f"{', started now' if started_sandbox else ', already running'})")
    print(f"JupyterLab: http://{host}:{args.port}/lab/tree/notebooks/00_setup.ipynb?token={token}&reset")
    print(f"            (its log: {log_path}; Ctrl+C stops it)")
    sys.stdout.flush()
    process = subprocess.Popen(command, env=dict(environment(), JUPYTER_TOKEN=token),
                               stdin=subprocess.DEVNULL, stdout=log_fd, stderr=log_fd)
    os.close(log_fd)
    try:
        code = process.wait()
    except KeyboardInterrupt:  # Ctrl+C reached JupyterLab too: let it shut its kernels down
        try:
            code = process.wait(30)
        except (subprocess.TimeoutExpired, KeyboardInterrupt):
            process.terminate()
            code = process.wait()
        code = 0 if code in (0, -signal.SIGINT, 130) else code
    if code != 0:
        tail = log_path.read_text(errors="replace").strip().splitlines()[-15:]
        print("JupyterLab stopped with an error; the end of its log:", *tail, sep="\n    ", file=sys.stderr)
    else:
        print("JupyterLab stopped.")
    if args.target == "sandbox":
        print(_sandbox_after_lab(started_sandbox))
    return code


def _sandbox_after_lab(started_here: bool) -> str:
    """What happens to the sandbox when JupyterLab stops: said, not left for the learner to guess."""
    from awslab import sandbox_client as sandbox

    if started_here:
        sandbox.stop()
        return ("Stopped the sandbox this command started; its account is kept in AWSLAB_HOME "
                "(make lab, or awslab lab, starts both again).")
    idle = sandbox.idle_seconds()
    when = f"stops by itself after {idle / 3600:g} hours without a request" if idle > 0 else "runs until stopped"
    return (f"The sandbox was already running before this command, so it keeps running ({when}); "
            "stop it with: awslab sandbox stop")


def cmd_run(args) -> int:
    from awslab.headless import run_lab_cli

    return run_lab_cli(params_file=args.params, output_dir=args.output, target=args.target,
                       clean_up=args.clean_up)


def cmd_check(args) -> int:
    return print_checklist(args.target, args.confirm_account_id, as_json=args.json)


def print_checklist(target: str = "sandbox", confirm_account_id: str | None = None, *,
                    as_json: bool = False) -> int:
    """`awslab check` (notebook 04's checklist in a terminal): a text table, or JSON (one object
    per control: id, title, status, detail) for an instructor's or a grader's tools; 0 only when
    every check passes."""
    import json
    import shutil
    import textwrap

    from awslab.session import connect
    from awslab.steps import s04_checklist as s04

    lab = connect(target, confirm_account_id)
    facts = s04.Facts(lab)
    checks = s04.run_checklist(lab, facts)
    passed = sum(c.status == s04.PASS for c in checks)
    if as_json:
        print(json.dumps([{"id": c.id, "title": c.title, "status": c.status, "detail": c.why}
                          for c in checks], indent=2))
    else:
        print(f"Security checklist for account {lab.account_id} (signed in as {lab.principal}), "
              "after the CIS AWS Foundations Benchmark v5.0")
        print(s04.summary(checks))  # first, and again after the long table
        print(text_table(checks))
        said = s04.report_note(facts)
        if said:
            width = max(72, min(120, shutil.get_terminal_size((100, 20)).columns))
            print("\n".join(textwrap.wrap(said, width, break_on_hyphens=False)))
        print(s04.summary(checks))
    return 0 if passed == len(checks) else 1


def text_table(checks: list, width: int | None = None) -> str:
    """The checklist as text: one row per check, its why, the tutorial's trade-off, its meaning
    and its docs link wrapped under it."""
    import shutil
    import textwrap

    width = width or max(72, min(120, shutil.get_terminal_size((100, 20)).columns))
    indent = " " * 24
    out = [f"{'CIS':<6} {'Result':<16} Check", "-" * width]
    for c in checks:
        out.append(f"{c.cis or '-':<6} {c.label:<16} {c.title}")
        for label, text in (("", c.why), ("tutorial: ", c.tradeoff), ("means: ", c.meaning)):
            if text:
                out += textwrap.wrap(label + text, width, initial_indent=indent, subsequent_indent=indent,
                                     break_on_hyphens=False)
        out.append(f"{indent}docs: {c.link}")
    return "\n".join(out)


def cmd_clean(args) -> int:
    return clean_cli(target=args.target, confirm_account_id=args.confirm_account_id, yes=args.yes)


def clean_cli(target: str = "sandbox", confirm_account_id: str | None = None, yes: bool = False) -> int:
    """`awslab clean` (notebook 99 in a terminal): list, ask (unless --yes), remove. 0 when all
    went, 1 when some could not."""
    from awslab.session import connect
    from awslab.steps.s99_clean_up import clean_up, describe_plan, describe_result, plan_clean_up

    lab = connect(target, confirm_account_id)
    plan = plan_clean_up(lab)
    print(describe_plan(plan))
    if plan.nothing_to_do:
        return 0
    if lab.target == "aws" and str(confirm_account_id or "").strip() != lab.account_id:
        given = f" (it was given {confirm_account_id!r})" if confirm_account_id else ""
        raise LabError(f"To remove what the lab created in the real AWS account {lab.account_id}, run "
                       f"`awslab clean --target aws --confirm-account-id {lab.account_id}`{given}: the lab "
                       "never changes a real account unconfirmed; nothing was deleted.", code=Code.NotConfirmed)
    lab.require_write("remove what the lab created")
    if not yes:
        if not sys.stdin.isatty():
            print("awslab: nothing was deleted: stdin is not a terminal, so there is no one to ask; "
                  "run `awslab clean --yes` to delete the things listed above without asking.",
                  file=sys.stderr)
            return 2
        answer = input(f"Delete these {plan.count} things? [y/N] ").strip().lower()
        if answer not in ("y", "yes"):
            print("Cancelled; nothing was deleted.")
            return 1
    result = clean_up(lab)
    print(describe_result(result))
    return 1 if result.failed else 0


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="awslab", description="Secure Your AWS Account, as a guided lab.")
    sub = top.add_subparsers(dest="command", required=True)

    box = sub.add_parser("sandbox", help="the simulated AWS account on this machine")
    box_sub = box.add_subparsers(dest="action", required=True)
    for name, text in [("start", "start it unless it runs; print its endpoint"),
                       ("env", "print export lines that point AWS tools at it"),
                       ("status", "running or not (exit 0 / 1)"),
                       ("stop", "stop it (its account is kept)"),
                       ("reset", "back to a brand-new account")]:
        action = box_sub.add_parser(name, help=text)
        if name in ("start", "reset"):
            action.add_argument("--port", type=port, default=None)
    box.set_defaults(func=cmd_sandbox)

    lab = sub.add_parser("lab", help="the sandbox and JupyterLab on notebooks/00_setup.ipynb")
    lab.add_argument("--target", choices=["sandbox", "aws"], default="sandbox")
    lab.add_argument("--ip", default="127.0.0.1")
    lab.add_argument("--port", type=port, default=int(os.environ.get("AWSLAB_LAB_PORT", 8888)))
    lab.add_argument("--no-browser", action="store_true")
    lab.set_defaults(func=cmd_lab)

    run = sub.add_parser("run", help="run notebooks 00 to 04 headless (papermill)")
    run.add_argument("--params", default=None, help="JSON or YAML parameters file")
    run.add_argument("--output", default="output", help="folder for the executed notebooks")
    run.add_argument("--target", choices=["sandbox", "aws"], default="sandbox")
    run.add_argument("--clean-up", action="store_true", help="also run 99_clean_up")
    run.set_defaults(func=cmd_run)

    for name, text, func in [("check", "the security checklist", cmd_check),
                             ("clean", "remove what the lab created", cmd_clean)]:
        command = sub.add_parser(name, help=text)
        command.add_argument("--target", choices=["sandbox", "aws"], default="sandbox")
        command.add_argument("--confirm-account-id", default=None)
        if name == "check":
            command.add_argument("--json", action="store_true", help="one JSON object per control")
        if name == "clean":
            command.add_argument("--yes", action="store_true", help="do not ask before deleting")
        command.set_defaults(func=func)
    return top


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return args.func(args)
    except LabError as error:
        print(f"awslab: {error.sentence}", file=sys.stderr)
        return 2
    except OSError as error:  # a folder or file the lab cannot use (read-only, full, ...)
        where = f" {error.filename}" if error.filename else ""
        print(f"awslab: the lab could not use{where} ({error.strerror or error}): make AWSLAB_HOME "
              "writable by you (or set AWSLAB_HOME to a folder of your own) and try again.",
              file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
