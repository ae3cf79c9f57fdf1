"""Console passwords: the account's password policy, checking a typed password against it,
and generating one that meets it.

AWS applies the account's password policy (GetAccountPasswordPolicy) or, when none is set
(NoSuchEntity), its default: at least 8 characters, at least three of uppercase letters,
lowercase letters, numbers and symbols (! @ # $ % ^ & * ( ) _ + - = [ ] { } | '), and not
the same as the user name. Passwords are at most 128 characters.

    policy = password_policy(lab.client("iam"))
    password_problem(policy, "hunter2", "alice")   # a sentence, or None
    generate_password(policy)                      # cryptographically random, meets it
"""

from __future__ import annotations

import secrets
import string
from dataclasses import dataclass

import anywidget
import traitlets
from botocore.exceptions import ClientError

from awslab.errors import Code, code_of

SYMBOLS = "!@#$%^&*()_+-=[]{}|'"
MAX_LENGTH = 128
GENERATED_LENGTH = 20


@dataclass(frozen=True)
class PasswordPolicy:
    min_length: int = 8
    require_uppercase: bool = False
    require_lowercase: bool = False
    require_numbers: bool = False
    require_symbols: bool = False
    is_default: bool = True  # AWS's default: three of the four kinds, not the user name
    allow_users_to_change: bool = True

    def describe(self) -> str:
        if self.is_default:
            return ("AWS's default password policy (the account sets none): at least 8 characters, "
                    "with at least three of uppercase letters, lowercase letters, numbers and symbols, "
                    "and not the user name")
        kinds = [name for on, name in ((self.require_uppercase, "an uppercase letter"),
                                       (self.require_lowercase, "a lowercase letter"),
                                       (self.require_numbers, "a number"),
                                       (self.require_symbols, "a symbol")) if on]
        needs = f", with {', '.join(kinds)}" if kinds else ""
        return f"the account's password policy: at least {self.min_length} characters{needs}"


DEFAULT_POLICY = PasswordPolicy()


def password_policy(iam) -> PasswordPolicy:
    """The account's password policy, or AWS's default when the account sets none."""
    try:
        p = iam.get_account_password_policy()["PasswordPolicy"]
    except ClientError as error:
        if code_of(error) == Code.NoSuchEntity:
            return DEFAULT_POLICY
        raise
    return PasswordPolicy(
        min_length=int(p.get("MinimumPasswordLength") or 6),
        require_uppercase=bool(p.get("RequireUppercaseCharacters")),
        require_lowercase=bool(p.get("RequireLowercaseCharacters")),
        require_numbers=bool(p.get("RequireNumbers")),
        require_symbols=bool(p.get("RequireSymbols")),
        is_default=False,
        allow_users_to_change=bool(p.get("AllowUsersToChangePassword", True)),
    )


def _kinds(password: str) -> dict[str, bool]:
    return {
        "uppercase letters": any(c in string.ascii_uppercase for c in password),
        "lowercase letters": any(c in string.ascii_lowercase for c in password),
        "numbers": any(c in string.digits for c in password),
        "symbols": any(c in SYMBOLS for c in password),
    }


def password_problem(policy: PasswordPolicy, password: str | None, user_name: str = "", *,
                     with_policy: bool = True) -> str | None:
    """One sentence saying how `password` breaks the policy (never quoting it), or None. Without
    `with_policy` the sentence leaves out the policy itself (for a form that shows it beside)."""
    password = password or ""
    rule = f"; {policy.describe()}" if with_policy else ""
    if not password:
        return "Type a password, or choose an auto-generated one."
    if len(password) > MAX_LENGTH:
        return f"The password is {len(password)} characters long; AWS allows at most {MAX_LENGTH}."
    if len(password) < policy.min_length:
        return f"The password is too short ({len(password)} characters){rule}."
    kinds = _kinds(password)
    if policy.is_default:
        if sum(kinds.values()) < 3:
            have = [k for k, on in kinds.items() if on]
            return (f"The password has only {' and '.join(have) or 'other characters'}: it needs at least three "
                    f"of uppercase letters, lowercase letters, numbers and symbols ({' '.join(SYMBOLS)}){rule}.")
        if user_name and password.lower() == user_name.lower():
            return "The password must not be the same as the user name."
        return None
    wanted = (("uppercase letters", policy.require_uppercase), ("lowercase letters", policy.require_lowercase),
              ("numbers", policy.require_numbers), ("symbols", policy.require_symbols))
    for kind, required in wanted:
        if required and not kinds[kind]:
            one = {"uppercase letters": "an uppercase letter", "lowercase letters": "a lowercase letter",
                   "numbers": "a number", "symbols": f"a symbol ({' '.join(SYMBOLS)})"}[kind]
            return f"The password needs at least {one}{rule}."
    return None


def generate_password(policy: PasswordPolicy = DEFAULT_POLICY, user_name: str = "") -> str:
    """A cryptographically random password (the `secrets` module) meeting the policy:
    every kind of character at least once, at least 20 characters."""
    length = min(MAX_LENGTH, max(GENERATED_LENGTH, policy.min_length))
    pools = [string.ascii_uppercase, string.ascii_lowercase, string.digits, SYMBOLS]
    alphabet = "".join(pools)
    while True:
        chars = [secrets.choice(pool) for pool in pools]
        chars += [secrets.choice(alphabet) for _ in range(length - len(chars))]
        # Shuffle with the same generator, so the kinds' positions are random too.
        for i in range(len(chars) - 1, 0, -1):
            j = secrets.randbelow(i + 1)
            chars[i], chars[j] = chars[j], chars[i]
        password = "".join(chars)
        if password_problem(policy, password, user_name) is None:
            return password


_ESM = r"""
function render({ model, el }) {
  const input = document.createElement("input");
  input.type = "password";
  input.autocomplete = "new-password";
  input.placeholder = model.get("placeholder");
  input.className = "widget-input awslab-password-input";
  input.style.width = "20em";
  // A label tied to its field (axe-core: form elements must have labels).
  input.id = "awslab-password-" + Math.random().toString(36).slice(2);
  input.oninput = () => model.send({ event: "typed", value: input.value });
  model.on("msg:custom", (msg) => { if (msg.event === "clear") input.value = ""; });
  const label = document.createElement("label");
  label.textContent = model.get("label");
  label.htmlFor = input.id;
  label.style.minWidth = "12em";
  label.style.display = "inline-block";
  // A row of its own (the widget's own element is shown and hidden by its Layout).
  const row = document.createElement("div");
  row.style.display = "flex";
  row.style.alignItems = "center";
  row.appendChild(label);
  row.appendChild(input);
  el.appendChild(row);
}
export default { render };
"""


class PasswordInput(anywidget.AnyWidget):
    """A password box whose value stays in the kernel: the browser sends each keystroke's
    value with a custom message (never saved), unlike `ipywidgets.Password`, whose value is
    widget state that a saved notebook can keep."""

    _esm = traitlets.Unicode(_ESM).tag(sync=True)
    label = traitlets.Unicode("Custom password").tag(sync=True)
    placeholder = traitlets.Unicode("").tag(sync=True)

    def __init__(self, label: str = "Custom password", value: str = "", **kwargs):
        super().__init__(label=label, **kwargs)
        self._value = value or ""
        self._observers: list = []
        self.on_msg(self._typed)

    def _typed(self, _widget, content, _buffers) -> None:
        if isinstance(content, dict) and content.get("event") == "typed":
            self.value = str(content.get("value") or "")

    @property
    def value(self) -> str:
        return self._value

    @value.setter
    def value(self, text: str) -> None:
        from awslab.log import keep_out_of_logs

        self._value = text or ""
        keep_out_of_logs(self._value)
        for callback in self._observers:
            callback()

    def on_change(self, callback) -> None:
        self._observers.append(callback)

    def clear(self) -> None:
        self._value = ""
        self.send({"event": "clear"})

    def __repr__(self) -> str:
        return f"PasswordInput(label={self.label!r}, value=hidden)"

    def _repr_keys(self):
        yield "label"
