"""(docs/contract.md, "Sandbox: a new account"; an auditor's view): ListVirtualMFADevices names root as the User of root's device.

AWS: root's virtual MFA device carries `User` with root's ARN (arn:aws:iam::<account>:root)
and the account id as UserId; tools such as Prowler read that to tell a virtual device from a
hardware one (CIS 1.5). moto leaves `User` out for it.
"""

import time

import pyotp

from awslab import sandbox_client as console


def test_root_device_names_root_as_its_user(own_sandbox):
    import awslab

    lab = awslab.connect("sandbox")
    iam = lab.client("iam")
    device = console.create_root_virtual_mfa(lab, "root-account-mfa-device")
    unassigned = iam.list_virtual_mfa_devices(AssignmentStatus="Unassigned")["VirtualMFADevices"]
    assert [d["SerialNumber"] for d in unassigned] == [device["serial_number"]]
    assert "User" not in unassigned[0]  # not assigned yet: no user

    totp = pyotp.TOTP(device["seed"])
    now = time.time()
    console.enable_root_mfa(lab, device["serial_number"], totp.at(now - 30), totp.at(now))
    iam.create_user(UserName="mfa-owner")
    user_device = iam.create_virtual_mfa_device(VirtualMFADeviceName="mfa-owner")["VirtualMFADevice"]
    user_totp = pyotp.TOTP(user_device["Base32StringSeed"].decode())
    now = time.time()
    iam.enable_mfa_device(UserName="mfa-owner", SerialNumber=user_device["SerialNumber"],
                          AuthenticationCode1=user_totp.at(now - 30), AuthenticationCode2=user_totp.at(now))

    assigned = {d["SerialNumber"]: d for d in
                iam.list_virtual_mfa_devices(AssignmentStatus="Assigned")["VirtualMFADevices"]}
    root = assigned[device["serial_number"]]
    assert root["User"]["Arn"] == f"arn:aws:iam::{lab.account_id}:root"
    assert root["User"]["UserId"] == lab.account_id
    assert "UserName" not in root["User"]  # as GetUser answers for root
    assert root["User"]["CreateDate"] == iam.get_user()["User"]["CreateDate"]
    assert root["EnableDate"]
    assert "Base32StringSeed" not in root and "QRCodePNG" not in root
    # What Prowler's iam_root_hardware_mfa_enabled reads: a virtual device of root.
    assert [d for d in assigned.values() if "root" in d.get("User", {}).get("Arn", "")] == [root]
    # An IAM user's device still names that user.
    assert assigned[user_device["SerialNumber"]]["User"]["UserName"] == "mfa-owner"
