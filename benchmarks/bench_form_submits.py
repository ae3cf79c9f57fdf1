"""Each form's submit latency against the sandbox: median and 95th percentile over 50
submits (the form is built before the clock starts; Region waits excluded: the sandbox's
ENABLING time is 0 here and the form does not watch).

Target (issue 8): median at most 50 ms per form.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

N = int(os.environ.get("BENCH_SUBMITS", 50))


def setup_environment() -> None:
    work = Path(tempfile.mkdtemp(prefix="awslab-bench-forms-"))
    os.environ.update({"AWSLAB_HOME": str(work / "home"), "AWSLAB_SANDBOX_PORT": "0",
                       "AWSLAB_REGION_DELAY": "0", "AWS_CONFIG_FILE": str(work / "config"),
                       "AWS_SHARED_CREDENTIALS_FILE": str(work / "credentials")})


def measure(name: str, make_form, after=None) -> tuple[str, float, float]:
    """Build a form, time its submit(), N times; `after(i)` undoes what a submit made."""
    times = []
    for i in range(N):
        form = make_form(i)
        started = time.perf_counter()
        form.submit()
        times.append((time.perf_counter() - started) * 1000)
        if form.error:
            sys.exit(f"{name}: submit {i} was refused: {form.error}")
        if after:
            after(i)
    times.sort()
    return name, statistics.median(times), times[int(0.95 * (len(times) - 1))]


def ready_mfa_form(lab, user_name: str):
    """An MFA form after Continue, with two consecutive codes typed: ready for Assign MFA."""
    from awslab.forms.s01_root_user import VirtualMfaForm

    form = VirtualMfaForm(lab, user_name=user_name, auto_submit=True)
    form.set_up_device()
    app = form.use_simulated_authenticator()
    form.code1.value, form.code2.value = app.consecutive_codes()
    return form


def main() -> None:
    setup_environment()
    import awslab
    from awslab import sandbox_client as sandbox
    from awslab.forms.s00_target import TargetForm
    from awslab.forms.s02_users import GroupForm, UserForm
    from awslab.forms.s03_alias_regions import AliasForm, RegionsForm
    from awslab.forms.s04_checklist import PasswordPolicyForm
    from awslab.forms.s04_sign_in import SignInForm

    sandbox.ensure_running()
    lab = awslab.connect("sandbox")
    iam = lab.client("iam")
    account = lab.client("account")
    iam.create_group(GroupName="bench-admins")
    iam.attach_group_policy(GroupName="bench-admins",
                            PolicyArn="arn:aws:iam::aws:policy/AdministratorAccess")

    results = [
        measure("TargetForm (connect)", lambda i: TargetForm("sandbox", auto_submit=True)),
        measure("GroupForm (create group)",
                lambda i: GroupForm(lab, f"bench-group-{i}", "AdministratorAccess", auto_submit=True)),
        measure("UserForm (create user, password, key, group, .csv)",
                lambda i: UserForm(lab, f"bench-user-{i}", groups=["bench-admins"], auto_submit=True)),
        measure("VirtualMfaForm (Assign MFA to an IAM user, after Continue)",
                lambda i: ready_mfa_form(lab, f"bench-user-{i}")),
        measure("SignInForm (prove the new user's keys from its .csv)",
                lambda i: SignInForm(lab, f"bench-user-{i}", auto_submit=True)),
        measure("AliasForm (set or replace the alias)",
                lambda i: AliasForm(lab, f"bench-alias-{i}", auto_submit=True)),
        measure("RegionsForm (enable a Region, no waiting)",
                lambda i: RegionsForm(lab, ["eu-south-2"], auto_submit=True, timeout=0),
                after=lambda i: account.disable_region(RegionName="eu-south-2")),
        measure("PasswordPolicyForm (set the CIS policy)",
                lambda i: PasswordPolicyForm(lab, auto_submit=True)),
    ]
    sandbox.stop()
    width = max(len(r[0]) for r in results)
    print(f"form submit latency against the sandbox, {N} submits each (ms):")
    print(f"  {'form':<{width}}  {'median':>7}  {'p95':>7}")
    for name, median, p95 in results:
        flag = "" if median <= 50 else "   over the 50 ms target"
        print(f"  {name:<{width}}  {median:7.1f}  {p95:7.1f}{flag}")


if __name__ == "__main__":
    main()
