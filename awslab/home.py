"""Where the lab keeps its files: AWSLAB_HOME (default ~/.awslab).

Everything under it that may hold a secret is written with mode 0600, in folders made 0700.
The lab uses the folder, and every file it loads from it, only while it is the learner's own
and no one else may write it, as ssh treats ~/.ssh. The checks are awslab/trust.py's, the ones
the sandbox's server makes too; here a refusal is the lab's LabError (`NotPrivate`, one sentence
naming the path, its owner and what to do), and nothing is read.
"""

from __future__ import annotations

import functools

from awslab import trust
from awslab.errors import Code, LabError

home_named = trust.home_named
write_private = trust.write_private


class NotPrivate(LabError):
    """AWSLAB_HOME, a folder or a file in it is not the learner's own (or others may write it)."""

    def __init__(self, sentence: str):
        super().__init__(sentence, code=Code.HomeNotPrivate)


def _told(check):
    """`check`, its refusal told as the lab's LabError."""

    @functools.wraps(check)
    def told(*args, **kwargs):
        try:
            return check(*args, **kwargs)
        except trust.NotPrivate as refused:
            raise NotPrivate(refused.sentence) from None
        except trust.Refused as refused:
            raise LabError(refused.sentence, code=refused.code) from None

    return told


lab_home = _told(trust.lab_home)
private_dir = _told(trust.private_dir)
check_private = _told(trust.check_private)
check_private_file = _told(trust.check_private_file)
read_private = _told(trust.read_private)
read_json = _told(trust.read_json)
write_json_private = trust.write_json_private
