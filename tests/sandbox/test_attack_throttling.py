"""Issue 19, finding 4: guessing is throttled, as AWS throttles it (awslab/sandbox/throttle.py).

Before, the console sign-in, MFA codes and GetSessionToken judged 900 to 1,800 guesses a
second without end. Now five wrong answers in a row for one principal (a user's sign-in, an
MFA device) lock it for a while that grows; during a lockout a right answer is refused too
(and not used up), and accepted once the lockout is over. One client address spraying many
principals is throttled as well. Each test has a sandbox of its own whose first lockout lasts
AWSLAB_THROTTLE_SECONDS (long enough to see it hold on a busy machine, short enough to wait).
"""

import json
import time
import urllib.error
import urllib.request
import uuid

import boto3
import pyotp
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from awslab import sandbox_client as box
from awslab.errors import LabError, explain
from awslab.sandbox.account import load_or_create

FIRST = 2.0           # the first lockout of these tests' sandboxes, in seconds
PASSWORD = "Right-Passw0rd!"
WRONG_CODE = "MultiFactorAuthentication failed with invalid MFA one time pass code."


@pytest.fixture
def start(tmp_path, monkeypatch):
    """start(first_lockout) -> a sandbox of this test's own, its root's IAM client and account id."""
    started = []

    def start(first: float = FIRST):
        monkeypatch.setenv("AWSLAB_HOME", str(tmp_path / "home"))
        monkeypatch.setenv("AWSLAB_SANDBOX_PORT", "0")
        monkeypatch.setenv("AWSLAB_THROTTLE_SECONDS", str(first))
        info = box.start()
        started.append(info)
        return info, client(info.endpoint, "iam", box.lab_credentials())

    yield start
    if started:
        box.stop()


def client(endpoint: str, service: str, credentials: dict):
    """A client that shows every answer as it comes (no retry: botocore retries Throttling)."""
    return boto3.client(service, endpoint_url=endpoint, region_name="us-east-1",
                        aws_access_key_id=credentials["access_key_id"],
                        aws_secret_access_key=credentials["secret_access_key"],
                        aws_session_token=credentials.get("session_token"),
                        config=Config(retries={"total_max_attempts": 1, "mode": "standard"}))


def post(endpoint: str, path: str, payload: dict) -> tuple[int, dict]:
    """A simulated console call as a browser would make it: (HTTP status, JSON answer)."""
    request = urllib.request.Request(endpoint + path, data=json.dumps(payload).encode(),
                                     headers={"Content-Type": "application/json"}, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")


def sign_in(info, user: str, password: str, code: str | None = None) -> tuple[int, dict]:
    payload = {"account": info.account_id, "user_name": user, "password": password}
    if code:
        payload["mfa_code"] = code
    return post(info.endpoint, box.SIGN_IN, payload)


def person(iam, *, key: bool = False) -> str:
    name = f"guessed-{uuid.uuid4().hex[:8]}"
    iam.create_user(UserName=name)
    iam.create_login_profile(UserName=name, Password=PASSWORD)
    if key:
        iam.create_access_key(UserName=name)
    return name


def with_device(iam, name: str) -> tuple[str, pyotp.TOTP]:
    """An MFA device assigned to `name`: (serial, its TOTP). Its codes for now-1 and now are used."""
    device = iam.create_virtual_mfa_device(VirtualMFADeviceName=name)["VirtualMFADevice"]
    totp = pyotp.TOTP(device["Base32StringSeed"].decode())
    now = time.time()
    iam.enable_mfa_device(UserName=name, SerialNumber=device["SerialNumber"],
                          AuthenticationCode1=totp.at(now - 30), AuthenticationCode2=totp.at(now))
    return device["SerialNumber"], totp


def wrong_code(totp: pyotp.TOTP) -> str:
    near = {totp.at(time.time() + 30 * step) for step in range(-3, 4)}
    return next(code for code in (f"{n:06d}" for n in range(1000000)) if code not in near)


def wait_out(seconds) -> None:
    time.sleep(float(seconds) + 0.3)


def test_guessing_a_console_password_is_throttled_and_the_lockout_grows(start):
    info, iam = start()
    name = person(iam)
    for _ in range(5):
        assert sign_in(info, name, "Wrong-Passw0rd!")[1]["error"] == "AuthenticationFailed"
    # Locked: the right password is refused too, with the console's throttling answer.
    status, answer = sign_in(info, name, PASSWORD)
    assert (status, answer["error"]) == (429, "Throttling")
    assert 1 <= answer["wait_seconds"] <= FIRST
    # ... and the lab's forms say so in one sentence.
    with pytest.raises(LabError) as refused:
        box.sign_in_as_user(info.endpoint, info.account_id, name, PASSWORD)
    assert refused.value.code == "Throttling"
    assert refused.value.sentence.startswith("Too many wrong passwords or MFA codes: AWS refuses "
                                             "more tries for a while; wait ")
    wait_out(answer["wait_seconds"])
    # One more wrong password after the lockout: a longer one (2 x FIRST).
    assert sign_in(info, name, "Wrong-Passw0rd!")[1]["error"] == "AuthenticationFailed"
    status, answer = sign_in(info, name, PASSWORD)
    assert (status, answer["error"]) == (429, "Throttling")
    assert FIRST < answer["wait_seconds"] <= 2 * FIRST
    wait_out(answer["wait_seconds"])
    status, answer = sign_in(info, name, PASSWORD)
    assert status == 200 and answer["signed_in"] is True
    # A right answer cleared the count: four wrong ones are only wrong again.
    for _ in range(4):
        assert sign_in(info, name, "Wrong-Passw0rd!")[1]["error"] == "AuthenticationFailed"
    assert sign_in(info, name, PASSWORD)[1]["signed_in"] is True


def test_guessing_an_iam_users_mfa_code_at_sign_in_is_throttled(start):
    info, iam = start()
    name = person(iam)
    _, totp = with_device(iam, name)
    for _ in range(5):
        status, answer = sign_in(info, name, PASSWORD, wrong_code(totp))
        assert (status, answer["error"]) == (403, "InvalidAuthenticationCode")
    right = totp.at(time.time() + 30)  # the current one was used by EnableMFADevice
    status, answer = sign_in(info, name, PASSWORD, right)
    assert (status, answer["error"]) == (429, "Throttling")
    wait_out(answer["wait_seconds"])
    # The refused right code was not used up: it signs in now.
    status, answer = sign_in(info, name, PASSWORD, right)
    assert status == 200 and answer["signed_in"] is True


def test_guessing_enable_mfa_device_codes_is_throttled(start):
    info, iam = start()
    name = person(iam)
    device = iam.create_virtual_mfa_device(VirtualMFADeviceName=name)["VirtualMFADevice"]
    serial, totp = device["SerialNumber"], pyotp.TOTP(device["Base32StringSeed"].decode())
    for _ in range(5):
        with pytest.raises(ClientError) as wrong:
            iam.enable_mfa_device(UserName=name, SerialNumber=serial,
                                  AuthenticationCode1=wrong_code(totp), AuthenticationCode2=wrong_code(totp))
        assert wrong.value.response["Error"]["Code"] == "InvalidAuthenticationCode"
    now = time.time()
    right = {"AuthenticationCode1": totp.at(now - 30), "AuthenticationCode2": totp.at(now)}
    with pytest.raises(ClientError) as throttled:
        iam.enable_mfa_device(UserName=name, SerialNumber=serial, **right)
    answer = throttled.value.response
    assert answer["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert (answer["Error"]["Code"], answer["Error"]["Message"]) == ("Throttling", "Rate exceeded")
    retry_after = answer["ResponseMetadata"]["HTTPHeaders"]["retry-after"]
    assert int(retry_after) >= 1
    assert explain(throttled.value) == (f"Too many wrong MFA codes: AWS refuses more tries for a "
                                        f"while; wait {retry_after} second{'s' * (retry_after != '1')} "
                                        "and try again.")
    assert iam.list_mfa_devices(UserName=name)["MFADevices"] == []
    wait_out(retry_after)
    iam.enable_mfa_device(UserName=name, SerialNumber=serial, **right)
    assert [d["SerialNumber"] for d in iam.list_mfa_devices(UserName=name)["MFADevices"]] == [serial]


def test_guessing_get_session_token_codes_is_throttled(start):
    info, iam = start()
    name = person(iam)
    serial, totp = with_device(iam, name)
    made = iam.create_access_key(UserName=name)["AccessKey"]
    sts = client(info.endpoint, "sts", {"access_key_id": made["AccessKeyId"],
                                        "secret_access_key": made["SecretAccessKey"]})
    # A brute-force loop: a handful of guesses are judged, the rest refused unjudged.
    near = {totp.at(time.time() + 30 * step) for step in range(-3, 4)}
    guesses = [code for code in (f"{n:06d}" for n in range(300)) if code not in near][:200]
    answers = []
    for guess in guesses:
        try:
            sts.get_session_token(SerialNumber=serial, TokenCode=guess)
            answers.append("accepted")
        except ClientError as error:
            answers.append(error.response["Error"]["Code"])
            if answers[-1] == "AccessDenied":
                assert error.response["Error"]["Message"] == WRONG_CODE
    judged = len(answers) - answers.count("Throttling")
    assert judged <= 8 and answers[:5] == ["AccessDenied"] * 5, answers[:20]
    right = totp.at(time.time() + 30)
    with pytest.raises(ClientError) as throttled:
        sts.get_session_token(SerialNumber=serial, TokenCode=right)
    answer = throttled.value.response
    assert (answer["ResponseMetadata"]["HTTPStatusCode"], answer["Error"]["Code"],
            answer["Error"]["Message"]) == (400, "Throttling", "Rate exceeded")
    wait_out(answer["ResponseMetadata"]["HTTPHeaders"]["retry-after"])
    assert sts.get_session_token(SerialNumber=serial, TokenCode=right)["Credentials"]["AccessKeyId"]


def test_one_address_spraying_many_users_is_throttled(start):
    info, iam = start(0.3)  # a client's bucket empties one wrong answer every 10 x 0.3 s
    name = person(iam)
    judged = 0
    for _ in range(40):  # a new user name each time, one wrong guess each: no principal is locked
        status, answer = sign_in(info, f"nobody-{uuid.uuid4().hex[:8]}", PASSWORD)
        if answer["error"] == "Throttling":
            break
        assert answer["error"] == "AuthenticationFailed"
        judged += 1
    assert 30 <= judged <= 33 and (status, answer["error"]) == (429, "Throttling")
    # The address is throttled, whoever it names.
    status, answer = sign_in(info, name, PASSWORD)
    assert (status, answer["error"]) == (429, "Throttling")
    wait_out(answer["wait_seconds"])
    assert sign_in(info, name, PASSWORD)[1]["signed_in"] is True


def test_right_answers_are_never_counted(start):
    """The lab's own runs and its simulated authenticator give right answers, many times:
    they never meet a lockout, even between wrong ones."""
    info, iam = start()
    name = person(iam)
    for _ in range(6):
        for _ in range(4):
            assert sign_in(info, name, "Wrong-Passw0rd!")[1]["error"] == "AuthenticationFailed"
        assert sign_in(info, name, PASSWORD)[1]["signed_in"] is True
    secret = load_or_create().console_secret
    for _ in range(12):
        assert box.root_console_session(info.endpoint, secret)["access_key_id"].startswith("ASIA")
