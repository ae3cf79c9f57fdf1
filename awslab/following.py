"""A notebook opened before the lab's identity changed follows it.

`awslab.connect("sandbox")` gives a Lab that signs with the credentials the lab keeps under
AWSLAB_HOME: root's access key; after notebook 04, the new user's; after the clean-up, a
root console session. Every open notebook's kernel holds its own Lab, made when its first
cell ran. Before it makes a client, such a Lab looks at those files (a few `stat` calls,
no reading while nothing changed); when they changed and name another key than the one it
signs with, it signs in again with the current ones, in place (`Lab.become`), and says so
once: `Following.sentence`, which the forms and panels show.

    lab = awslab.connect("sandbox")     # lab.following is a Following
    ...                                 # notebook 04 retires root's keys in another kernel
    lab.client("iam")                   # now signed as the new user; lab.following.sentence says so
"""

from __future__ import annotations


class Following:
    """What a sandbox Lab last saw of the lab's saved credentials, and what it said about it."""

    def __init__(self, reconnect) -> None:
        self.reconnect = reconnect       # region -> a Lab signed in with the lab's current credentials
        self.stamp: tuple | None = None  # None: not looked yet (the first client looks once)
        self.changes = 0                 # how many times the Lab signed in again
        self.sentence = ""               # the last time, in one sentence

    def check(self, lab) -> None:
        """Sign `lab` in again if the lab's saved credentials now name another key."""
        from awslab.sandbox_client import credentials_stamp, lab_credentials

        stamp = credentials_stamp()
        if stamp == self.stamp:
            return
        current = lab_credentials()
        signing = lab.session.get_credentials()
        if signing is not None and signing.access_key == current.get("access_key_id"):
            self.stamp = stamp
            return
        _sign_in_again(lab, self.reconnect)
        self.stamp = credentials_stamp()  # signing in may have renewed the console session
        self.changes += 1
        how = " through a console session (temporary credentials, not access keys)" if (
            lab.is_root and "session" in str(current.get("principal", ""))) else ""
        self.sentence = (f"This notebook now signs in as {lab.principal}{how}: the lab's credentials "
                         "changed after it connected (notebook 04 switches them to the new user, the "
                         "clean-up back to root), and it follows them without running its first "
                         "cell again.")


def _sign_in_again(lab, reconnect) -> None:
    from awslab.errors import LabError, explain

    try:
        now = reconnect(lab.region)
    except LabError:
        raise
    except Exception as error:
        raise LabError(explain(error, "signing in again with the lab's current credentials")) from None
    confirm = lab.confirm_account_id
    lab.become(now)
    lab.confirm_account_id = confirm


def notice(lab, seen: int) -> tuple[str, int]:
    """(what to say, the count to remember) for a form or panel that last saw `seen` changes:
    the sentence once, when the Lab signed in again since."""
    following = getattr(lab, "following", None)
    if following is None or following.changes == seen:
        return "", seen
    return following.sentence, following.changes


def changes(lab) -> int:
    following = getattr(lab, "following", None)
    return following.changes if following is not None else 0
