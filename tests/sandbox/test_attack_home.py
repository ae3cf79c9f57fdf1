"""Issue 19, finding 5: a folder someone else made, or others may write to, is not used as
AWSLAB_HOME, and no state file in it is unpickled (awslab/home.py, sandbox/persistence.py).

Before, `awslab sandbox start` with AWSLAB_HOME pointing at another user's folder holding a
planted state.pickle unpickled it: that user's code ran as the learner. Each case here plants
a state.pickle whose unpickling creates a marker file, and checks the command refuses in one
sentence and the marker never appears. The cases with a second Unix user need root (CI runs
as root): a user is made with useradd when missing; elsewhere they are skipped, saying why.
"""

import grp
import os
import pickle
import pwd
import shutil
import signal
import struct
import subprocess
import sys
import time
import zlib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
OTHER = "awslab-other"


class _Planted:
    """Unpickled, it creates `marker`: what another user's state.pickle could do as the learner."""

    def __init__(self, marker: str):
        self.marker = marker

    def __reduce__(self):
        return open, (self.marker, "w")


def plant(folder: Path, marker: Path, name: str = "state.pickle") -> Path:
    """A state.pickle (or a journal of one record, as persistence.py writes it) whose
    unpickling creates `marker`."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    blob = pickle.dumps(_Planted(str(marker)))
    if name == "journal":
        blob = struct.pack(">4sQII", b"AWJ1", 1, len(blob), zlib.crc32(blob)) + blob
    path.write_bytes(blob)
    return path


def other_user() -> pwd.struct_passwd:
    """A second Unix user (made when missing); skips unless this test runs as root."""
    if os.geteuid() != 0:
        pytest.skip("needs root to give a folder to a second Unix user (CI runs the tests as root)")
    try:
        return pwd.getpwnam(OTHER)
    except KeyError:
        pass
    if shutil.which("useradd") is None:
        pytest.skip(f"no user {OTHER} and no useradd to make one")
    made = subprocess.run(["useradd", "--system", "--user-group", "--no-create-home",
                           "--shell", "/usr/sbin/nologin", OTHER], capture_output=True, text=True)
    try:
        return pwd.getpwnam(OTHER)  # made now, or by another test process meanwhile
    except KeyError:
        pytest.skip(f"could not make user {OTHER}: {made.stderr.strip()}")


def give(path: Path, user: pwd.struct_passwd) -> None:
    for folder, _, files in os.walk(path):
        os.chown(folder, user.pw_uid, user.pw_gid)
        for name in files:
            os.chown(os.path.join(folder, name), user.pw_uid, user.pw_gid)


def awslab(home: Path, *args: str) -> subprocess.CompletedProcess:
    """The `awslab` command with this AWSLAB_HOME."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(AWSLAB_HOME=str(home), AWSLAB_SANDBOX_PORT="0")
    return subprocess.run([sys.executable, "-m", "awslab", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)


def sandboxes_of(home: Path) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            environ = (entry / "environ").read_bytes().split(b"\0")
            cmdline = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        if b"awslab.sandbox.server" in cmdline and f"AWSLAB_HOME={home}".encode() in environ:
            found.append(int(entry.name))
    return found


@pytest.fixture
def place(tmp_path):
    """A folder for homes, and at the end no sandbox left running for any of them (the old code
    started one on a planted home)."""
    yield tmp_path
    for folder in tmp_path.iterdir():
        for pid in sandboxes_of(folder):
            os.kill(pid, signal.SIGKILL)


def refused(result: subprocess.CompletedProcess) -> str:
    """The one sentence a refused command printed (and no traceback)."""
    assert result.returncode == 2, (result.returncode, result.stdout, result.stderr)
    assert "Traceback" not in result.stderr, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("awslab: "), result.stderr
    return lines[0]


def settled(marker: Path) -> bool:
    """Whether the marker exists once a started server (old code) had time to load its state."""
    time.sleep(0.5)
    return marker.exists()


def test_a_home_owned_by_another_user_is_refused_and_nothing_in_it_is_unpickled(place):
    other = other_user()
    home, marker = place / "theirs", place / "ran-their-code"
    plant(home / "sandbox", marker)
    give(home, other)
    os.chmod(home, 0o755)  # as a folder made by another user usually is: readable, not writable
    started = awslab(home, "sandbox", "start")
    sentence = refused(started)
    assert f"AWSLAB_HOME {home} belongs to {OTHER}" in sentence and "not to you" in sentence
    assert not settled(marker)
    status = refused(awslab(home, "sandbox", "status"))
    assert f"AWSLAB_HOME {home} belongs to {OTHER}" in status
    assert not marker.exists() and not sandboxes_of(home)


@pytest.mark.parametrize("folder", ["home", "sandbox"])
def test_a_home_others_can_write_to_is_refused(place, folder):
    home, marker = place / "shared", place / "ran-their-code"
    plant(home / "sandbox", marker)
    writable = home if folder == "home" else home / "sandbox"
    os.chmod(writable, 0o777)  # anyone could have planted state.pickle
    sentence = refused(awslab(home, "sandbox", "start"))
    assert f"{writable} can be changed by other users (mode 0777" in sentence
    assert f"`chmod go-w {writable}`" in sentence
    assert not settled(marker) and not sandboxes_of(home)
    # Done as the sentence says (and the file nobody knows the origin of removed): it is used.
    os.chmod(writable, 0o700)
    (home / "sandbox" / "state.pickle").unlink()
    try:
        assert awslab(home, "sandbox", "start").returncode == 0
    finally:
        awslab(home, "sandbox", "stop")
    assert not marker.exists()


def test_a_home_group_writable_by_a_shared_group_is_refused(place):
    other = other_user()
    home = place / "group"
    home.mkdir(mode=0o700)
    os.chown(home, os.geteuid(), other.pw_gid)  # a group with another user in it
    os.chmod(home, 0o770)
    sentence = refused(awslab(home, "sandbox", "status"))
    assert "can be changed by other users (mode 0770" in sentence


def test_a_state_file_owned_by_another_user_is_never_unpickled(place):
    other = other_user()
    home, marker = place / "mine", place / "ran-their-code"
    assert awslab(home, "sandbox", "status").returncode == 1  # made: 0700, the learner's own
    assert (home.stat().st_mode & 0o777, (home / "sandbox").stat().st_mode & 0o777) == (0o700, 0o700)
    for name in ("state.pickle", "journal"):
        planted = plant(home / "sandbox", marker, name)
        os.chown(planted, other.pw_uid, other.pw_gid)
        sentence = refused(awslab(home, "sandbox", "start"))
        assert f"The lab's file {planted} belongs to {OTHER}" in sentence
        assert not settled(marker) and not sandboxes_of(home)
        planted.unlink()


def test_the_loader_itself_refuses_a_file_others_may_write(tmp_path, monkeypatch):
    """persistence.py checks the file it unpickles (owner and mode, on the open file), even
    when something got past the command's checks."""
    from awslab.sandbox import persistence
    from awslab.sandbox.home import NotPrivate

    home, marker = tmp_path / "home", tmp_path / "ran-their-code"
    monkeypatch.setenv("AWSLAB_HOME", str(home))
    for name in ("state.pickle", "journal"):
        planted = plant(home / "sandbox", marker, name)
        os.chmod(planted, 0o666)
        with pytest.raises(NotPrivate) as refusal:
            if name == "journal":
                list(persistence.records(planted))
            else:
                persistence.load("123456789012", planted)
        assert refusal.value.code == "HomeNotPrivate" and str(planted) in refusal.value.sentence
        assert "can be changed by other users" in refusal.value.sentence
        assert not marker.exists()
        planted.unlink()


def test_status_on_a_read_only_home_answers_a_sentence(place):
    """A home the learner cannot write to: one sentence, not a traceback. Root may write
    anywhere, so when the tests run as root the folder is made immutable (chattr +i)."""
    home = place / "read-only"
    home.mkdir(mode=0o700)
    if os.geteuid() == 0:
        if shutil.which("chattr") is None or subprocess.run(["chattr", "+i", str(home)],
                                                             capture_output=True).returncode != 0:
            pytest.skip("as root a folder is read-only only when immutable, and chattr +i failed here")
        undo = ["chattr", "-i", str(home)]
    else:
        os.chmod(home, 0o500)
        undo = ["chmod", "700", str(home)]
    try:
        sentence = refused(awslab(home, "sandbox", "status"))
        assert f"cannot write to {home / 'sandbox'}" in sentence
        sentence = refused(awslab(home, "sandbox", "start"))
        assert f"cannot write to {home / 'sandbox'}" in sentence
    finally:
        subprocess.run(undo, check=True)


def test_new_homes_are_made_0700(tmp_path, monkeypatch):
    from awslab.home import lab_home

    monkeypatch.setenv("AWSLAB_HOME", str(tmp_path / "a" / "new" / "home"))
    made = lab_home()
    assert made.stat().st_mode & 0o777 == 0o700 and made.stat().st_uid == os.geteuid()


def test_a_group_of_the_owners_alone_may_write(tmp_path, monkeypatch):
    """As OpenSSH accepts: group-writable when no one but the owner is in that group (a
    user-private group, or a single-user container's volume group)."""
    from awslab.home import lab_home

    me = pwd.getpwuid(os.geteuid())
    mine = grp.getgrgid(me.pw_gid)
    others = [entry for entry in pwd.getpwall() if entry.pw_gid == mine.gr_gid and entry.pw_uid != me.pw_uid]
    if others or any(member != me.pw_name for member in mine.gr_mem):
        pytest.skip(f"group {mine.gr_name} is not {me.pw_name}'s alone here")
    home = tmp_path / "home"
    home.mkdir(mode=0o700)
    os.chmod(home, 0o770)
    monkeypatch.setenv("AWSLAB_HOME", str(home))
    assert lab_home() == home
