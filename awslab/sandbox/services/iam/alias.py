"""Account alias: validated, unique across "AWS", one per account.

AWS: an alias matches `^[a-z0-9]([a-z0-9]|-(?!-)){1,61}[a-z0-9]$` (3 to 63 characters)
or gets `ValidationError` (validation.py checks it, from AWS's model, before this module
sees the request); an alias another account holds gets `EntityAlreadyExists`
("The account alias <alias> already exists."); an account has one alias, and creating
a new one replaces the old (the old sign-in URL stops working). DeleteAccountAlias must
name the current alias (`NoSuchEntity` otherwise). moto 5.2.5 accepts any alias.

The sandbox is alone, so it treats the aliases in HELD_ELSEWHERE as held by other
accounts: a learner can practise "your first choice may not be available".
"""

from __future__ import annotations

from moto.iam.exceptions import EntityAlreadyExists, NoSuchEntity
from moto.iam.models import IAMBackend

from awslab.sandbox import patches
from awslab.sandbox.state import current

# Taken by "other accounts" in the sandbox: common first choices.
HELD_ELSEWHERE = frozenset({
    "admin", "amazon", "aws", "company", "demo", "dev", "example", "mycompany",
    "my-company", "prod", "production", "root", "sandbox", "test", "testing",
})


@patches.wraps(IAMBackend, "create_account_alias")
def create_account_alias(original, self, alias):
    if alias in self.account_aliases:
        return None
    if alias in HELD_ELSEWHERE:
        raise EntityAlreadyExists(f"The account alias {alias} already exists.")
    return original(self, alias)  # replaces the current alias, as AWS does


@patches.wraps(IAMBackend, "delete_account_alias")
def delete_account_alias(original, self):
    request = current()
    named = request.params.get("AccountAlias") if request is not None else None
    if named is not None and named not in self.account_aliases:
        raise NoSuchEntity(f"The account alias {named} cannot be found.")
    return original(self)
