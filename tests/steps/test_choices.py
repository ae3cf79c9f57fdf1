"""A choice made in notebook 02 is the one notebooks 04 and 99 work on (issue 14, item 2):
their user_name and group_name parameters, left at their defaults, take the user and group
the lab made, from its record, and say so."""

from __future__ import annotations

from tests.conftest import outputs_text, run_notebook
from tests.helpers import make_user


def test_defaults_take_what_notebook_02_made_and_a_set_parameter_wins(fresh_account):
    import awslab
    from awslab.choices import choose

    lab = awslab.connect("sandbox")
    # Nothing made yet: the default, and it says the record has none.
    nothing = choose(lab, "user_name", "awslab-admin")
    assert nothing.value == "awslab-admin" and "no user from notebook 02" in nothing.sentence()

    make_user(lab, "alice", "team-admins")
    user, group = choose(lab, "user_name", "awslab-admin"), choose(lab, "group_name", "administrators")
    assert (user.value, group.value) == ("alice", "team-admins")
    assert user.sentence() == "user alice: the one notebook 02 made (from the lab's record)"
    # A value set in the parameters cell is the learner's word.
    bob = choose(lab, "user_name", "bob")
    assert bob.value == "bob" and "as set in the parameters cell" in bob.sentence()


def test_notebooks_04_and_99_work_on_alice_when_02_named_her(fresh_account, tmp_path):
    import awslab

    lab = awslab.connect("sandbox")
    made = make_user(lab, "alice", "team-admins")
    review = run_notebook("04_sign_in_and_review", tmp_path, auto_submit=True)
    said = outputs_text(review)
    assert "user alice: the one notebook 02 made" in said and "group team-admins" in said
    assert "awslab-admin" not in said  # nothing looked for the default user
    assert awslab.connect("sandbox").principal == "user/alice"  # 04 signed in as alice

    run_notebook("99_clean_up", tmp_path, auto_submit=True)
    iam = awslab.connect("sandbox").client("iam")
    users = [u["UserName"] for u in iam.list_users()["Users"]]
    groups = [g["GroupName"] for g in iam.list_groups()["Groups"]]
    assert made["user_name"] not in users and "team-admins" not in groups
