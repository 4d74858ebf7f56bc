"""The tool's own sentences that are not about one order, in one place so that they can be
translated: what each exit code means, and a rejected value (a setting, a key of the rules file)
said in plain words, never in a validation library's. Outcomes of orders and runs are in
`automation/order/wording.py`; what a browser error means, in `automation/browser/playwright_errors.py`."""
from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Mapping
from typing import Any

from automation.errors import ExitCode

EXIT_MEANINGS: dict[ExitCode, str] = {
    ExitCode.OK: "done: nothing failed",
    ExitCode.UNEXPECTED: "something unexpected (the store, the browser, an order); running again is safe",
    ExitCode.BAD_INPUT: "bad input or usage; nothing was done",
    ExitCode.NOT_CANCELLABLE: "not cancellable (shipped, past its window, digital, or refused)",
    ExitCode.NOT_FOUND: "no such order on this account",
    ExitCode.SIGN_IN_FAILED: "sign-in failed (wrong or missing credentials)",
    ExitCode.NEEDS_HUMAN: "a person is needed (CAPTCHA, approval): ordercancel login --headed",
    ExitCode.INTERRUPTED: "interrupted",
}


def exit_meaning(code: int) -> str:
    """`exit 3: not cancellable (...)`: what a process's exit code means."""
    try:
        return f"exit {code}: {EXIT_MEANINGS[ExitCode(code)]}"
    except ValueError:
        return f"exit {code}"


def exit_codes_help(*codes: ExitCode) -> str:
    """A command's exit codes for its --help, one per line (kept as they are by the help's `\\b`)."""
    return "\b\nExit codes:\n" + "\n".join(f"  {int(code)}  {EXIT_MEANINGS[code]}" for code in codes)


def nearest(word: str, known: Iterable[str]) -> str | None:
    """The known word closest to a misspelt one, if any is close."""
    close = difflib.get_close_matches(word, list(known), n=1, cutoff=0.6)
    return close[0] if close else None


def _listed(expected: str) -> list[str]:
    """The values of pydantic's `expected` ("'com', 'co.uk' or 'de'") as plain words."""
    return re.findall(r"'([^']*)'", expected) or [expected]


def _either(values: list[str]) -> str:
    return values[0] if len(values) == 1 else f"{', '.join(values[:-1])} or {values[-1]}"


# What a value must be, by the validation error's type; {..} are the error's context values
MUST_BE = {
    "bool_type": "true or false", "bool_parsing": "true or false",
    "int_type": "a whole number", "int_parsing": "a whole number", "int_from_float": "a whole number",
    "float_type": "a number", "float_parsing": "a number", "finite_number": "a finite number",
    "decimal_type": "a number such as 25 or 19.99", "decimal_parsing": "a number such as 25 or 19.99",
    "string_type": "text in quotes", "list_type": "text in quotes, or a list of them such as [\"a\", \"b\"]",
    "dict_type": "a table", "model_type": "a table", "model_attributes_type": "a table",
    "path_type": "a path", "greater_than": "more than {gt}", "greater_than_equal": "at least {ge}",
    "less_than": "less than {lt}", "less_than_equal": "at most {le}",
    "string_too_short": "at least {min_length} character(s) long", "string_too_long": "at most {max_length} characters long",
    "too_short": "at least {min_length} item(s) long", "too_long": "at most {max_length} items long",
}


def rejected(error: Mapping[str, Any], subject: str, secret: bool = False) -> str:
    """One validation error in plain words, about `subject` ("key 'action'", "--marketplace"):
    what is wrong and what would be right, with the nearest allowed value when one is close. A
    secret's value is never shown."""
    kind, given, context = str(error.get("type", "")), error.get("input"), error.get("ctx") or {}
    if secret:
        kind = kind if kind in ("missing", "value_error") else "secret"
    if kind == "missing":
        return f"{subject} is missing"
    if kind in ("string_too_short", "too_short") and context.get("min_length") == 1:
        return f"{subject} must not be empty"
    if kind == "literal_error":
        allowed = _listed(str(context.get("expected", "")))
        close = nearest(str(given), allowed) if isinstance(given, str) else None
        hint = f" (did you mean '{close}'?)" if close else ""
        return f"{subject} must be {_either(allowed)}, not {_shown(given)}{hint}"
    if kind in ("value_error", "assertion_error"):
        said = str(error.get("msg", "")).removeprefix("Value error, ").removeprefix("Assertion failed, ")
        return f"{subject}: {said}"
    if kind in MUST_BE:
        limits = {k: f"{v:g}" if isinstance(v, float) else v for k, v in context.items()}  # 0, not 0.0
        return f"{subject} must be {MUST_BE[kind].format(**limits)}, not {_shown(given)}"
    if kind == "secret":
        return f"{subject} is not valid"
    said = str(error.get("msg", "is not valid")).replace("Input should be", "must be")
    return f"{subject}: {said}"


def _shown(value: Any, limit: int = 40) -> str:
    """A rejected value as one short printable quote ("a table" for a table, and so on)."""
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    text = "".join(c if c.isprintable() else f"\\u{ord(c):04x}" for c in str(value)[:limit])
    return f"'{text}{'...' if len(str(value)) > limit else ''}'"
