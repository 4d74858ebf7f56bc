"""The sweep's rules file: TOML, read and validated whole before any browser starts. Whatever the
file holds, a mistake is one line naming the rule and the key (exit 2, nothing done)."""
from __future__ import annotations

import functools
import re
import tomllib
from collections import Counter
from collections.abc import Iterable
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any, Literal

import re2
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StrictBool, ValidationError, field_validator

from automation.errors import BadInput, CannotStart
from automation.order.input import has_line_break_or_control, parse_note
from automation.order.reasons import CancelReason, parse_reason
from automation.words import nearest, rejected

MAX_RULES_BYTES = 1024 * 1024
# ASCII only: '١d' (an Arabic-Indic digit) is not a day, and the amount must be what it looks like
_DURATION = re.compile(r"^[ \t]*([0-9]+(?:\.[0-9]+)?)[ \t]*(s|m|min|h|d)[ \t]*$", re.IGNORECASE | re.ASCII)
_UNITS = {"s": 1, "m": 60, "min": 60, "h": 3600, "d": 86400}
ASIN = re.compile(r"[A-Z0-9]{10}", re.ASCII)
MATCHERS = ("title", "product", "seller", "placed_within", "item_price_over", "total_over", "duplicate_within")
CANCELLING = ("cancel", "cancel_items")


def shown(text: str, limit: int = 80) -> str:
    """A string from the file as one printable line: control characters and line separators escaped."""
    return "".join(c if c.isprintable() else f"\\u{ord(c):04x}" for c in text[:limit]) + \
        ("..." if len(text) > limit else "")


@functools.lru_cache(maxsize=256)
def title_pattern(pattern: str) -> Any:
    """A `title` pattern, compiled by RE2: matching takes time linear in the title, whatever the
    pattern and whatever a store writes in a title (Python's `re` backtracks: `(a+)+$` against a
    crafted title never ends). Case-insensitive. RE2 has no look-around and no back-references."""
    options = re2.Options()
    options.case_sensitive = False
    options.log_errors = False  # RE2 would print its own line on stderr; the error is ours to say
    return re2.compile(pattern, options)


def title_matches(patterns: Iterable[str], title: str) -> bool:
    """Whether a title matches one of the patterns (a title is searched, not matched whole)."""
    text = title.encode("utf-8", "replace").decode("utf-8")  # a lone surrogate cannot reach RE2
    return any(title_pattern(pattern).search(text) is not None for pattern in patterns)


def duration(value: Any) -> timedelta:
    """'45m', '2h', '1d', '90s'."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        raise ValueError(f"{value} is not a duration: write it in quotes with its unit, such as '{value}m', "
                         "'2h' or '1d'")
    if not isinstance(value, str):
        raise ValueError("not a duration like '45m', '2h' or '1d'")
    match = _DURATION.match(value)
    if not match:
        raise ValueError(f"not a duration like '45m', '2h' or '1d': '{shown(value, 40)}'")
    try:
        return timedelta(seconds=float(match.group(1)) * _UNITS[match.group(2).lower()])
    except (OverflowError, ValueError):
        raise ValueError(f"'{shown(value, 40)}' is too long a duration") from None


Duration = Annotated[timedelta, BeforeValidator(duration)]


class Matchers(BaseModel):
    """Everything an order must show for a rule to hold (all given matchers at once)."""
    model_config = ConfigDict(extra="forbid")
    title: list[str] | None = None
    product: list[str] | None = None
    seller: str | None = None
    placed_within: Duration | None = None
    item_price_over: Decimal | None = None
    total_over: Decimal | None = None
    duplicate_within: Duration | None = None

    @field_validator("title", "product", mode="before")
    @classmethod
    def _listed(cls, value: Any) -> Any:
        return [value] if isinstance(value, str) else value

    @field_validator("title", "product")
    @classmethod
    def _not_empty(cls, value: list[str] | None) -> list[str] | None:
        # an empty list would filter nothing and still count as a matcher: a 'cancel' rule with
        # `title = []` alone would match every open order
        if value is not None and not value:
            raise ValueError("an empty list names nothing to match (it would filter nothing); name at least one, or leave "
                             "the key out")
        return value

    @field_validator("title")
    @classmethod
    def _patterns(cls, value: list[str] | None) -> list[str] | None:
        for pattern in value or []:
            try:
                compiled = title_pattern(pattern)
            except Exception as exc:  # re2.error (its message is bytes), or a pattern too large for RE2
                said = exc.args[0] if exc.args else exc
                said = said.decode("utf-8", "replace") if isinstance(said, bytes) else str(said)
                raise ValueError(f"'{shown(pattern, 60)}' is not a regular expression RE2 takes: {shown(said)}") \
                    from None
            if compiled.search("") is not None:  # '', 'a*', '^': it would match every title
                raise ValueError(f"'{shown(pattern, 60)}' matches an empty title, so it matches every title")
        return value

    @field_validator("seller")
    @classmethod
    def _seller(cls, value: str | None) -> str | None:
        if value is not None and not value.strip():
            raise ValueError("an empty seller names no seller; say 'amazon', 'third_party' or a seller's name, "
                             "or leave the key out")
        return value

    @field_validator("item_price_over", "total_over")
    @classmethod
    def _not_negative(cls, value: Decimal | None) -> Decimal | None:
        if value is not None and value < 0:  # every price is over a negative amount
            raise ValueError(f"{value} is below zero, so every amount is over it; give 0 or more")
        return value

    @field_validator("product")
    @classmethod
    def _asins(cls, value: list[str] | None) -> list[str] | None:
        for product in value or []:
            if not ASIN.fullmatch(product):
                raise ValueError(f"'{shown(product, 40)}' is not a product id (10 capitals and digits)")
        return value

    def has_matchers(self) -> bool:
        return any(getattr(self, key) is not None for key in MATCHERS)

    def has_item_matchers(self) -> bool:
        return bool(self.title or self.product or self.seller or self.item_price_over is not None)

    def needs_details(self) -> bool:
        return self.has_item_matchers() or self.duplicate_within is not None


class Rule(Matchers):
    name: str = Field(min_length=1, max_length=80)
    action: Literal["cancel", "cancel_items", "report"]
    every: StrictBool = Field(default=False, alias="all")  # the rule means every open order: no matcher needed
    reason: CancelReason | None = None
    note: str | None = None
    except_: Matchers | None = Field(default=None, alias="except")

    def needs_details(self) -> bool:
        # a rule that cancels records the lines it decided on, to compare them with the lines
        # ticked at the click: it is decided from the order's details only
        return super().needs_details() or self.action in CANCELLING

    @field_validator("name")
    @classmethod
    def _one_line(cls, value: str) -> str:
        if has_line_break_or_control(value):
            raise ValueError("the name holds a control character or a line break")
        return value

    @field_validator("reason", mode="before")
    @classmethod
    def _reason(cls, value: Any) -> Any:
        try:
            return parse_reason(str(value)) if value is not None else None
        except BadInput as exc:
            raise ValueError(str(exc)) from None

    @field_validator("note")
    @classmethod
    def _note(cls, value: str | None) -> str | None:
        try:
            return parse_note(value)
        except BadInput as exc:
            raise ValueError(str(exc)) from None


class RulesFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    rule: list[Rule] = Field(min_length=1)


def read_rules(path: Path) -> list[Rule]:
    """The rules, or a one-line error naming the rule and the key (exit 2, nothing done)."""
    try:
        with path.open("rb") as handle:
            raw = handle.read(MAX_RULES_BYTES + 1)
    except OSError as exc:
        raise CannotStart(f"cannot read the rules file {path}: {exc.strerror}") from None
    if len(raw) > MAX_RULES_BYTES:
        raise CannotStart(f"the rules file {path} is over 1 MiB")
    try:
        text = raw.decode("utf-8")
        return _checked(path, _validated(path, _parsed(path, text)))
    except CannotStart:
        raise
    except UnicodeDecodeError as exc:
        raise CannotStart(f"the rules file {path} is not UTF-8 (byte {exc.start} cannot be decoded)") from None
    except Exception as exc:  # whatever else a file provokes is still one line, never a traceback
        raise CannotStart(f"the rules file {path} cannot be used ({type(exc).__name__}); nothing was done") from None


def _parsed(path: Path, text: str) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        problem = str(exc).splitlines()[0]
        at = re.search(r"at line (\d+)", problem)
        line = int(at.group(1)) if at else None
    except RecursionError:
        problem, line = "arrays or tables nested too deeply", _deep_line(text)
    except ValueError as exc:  # an integer longer than Python converts, say
        digits = re.search(r"\d[\d_]{4300,}", text)
        problem = "a number of more than 4300 digits" if digits else shown(str(exc).splitlines()[0], 120)
        line = text.count("\n", 0, digits.start()) + 1 if digits else None
    raise CannotStart(f"the rules file {path} is not TOML: {_where(text, line)}{problem}")


def _validated(path: Path, document: dict[str, Any]) -> list[Rule]:
    unknown = [key for key in document if key != "rule"]
    if unknown:
        raise CannotStart(f"the rules file {path}: {_unknown(unknown[0], document[unknown[0]], ['rule'])}")
    try:
        return RulesFile.model_validate(document).rule
    except ValidationError as exc:
        raise CannotStart(f"the rules file {path}: {_explain(exc.errors()[0], document)}") from None


def _checked(path: Path, rules: list[Rule]) -> list[Rule]:
    """What no single key says: a rule that cancels names what it matches, and names are unique."""
    for rule in rules:
        name = f"rule '{shown(rule.name)}'"
        if rule.action in CANCELLING and not rule.has_matchers() and not rule.every:
            raise CannotStart(f"the rules file {path}: {name}, key 'action': '{rule.action}' with no matcher would match "
                       f"every open order; add a matcher ({', '.join(MATCHERS)}), or all = true if that is meant")
        if rule.every and rule.has_matchers():
            raise CannotStart(f"the rules file {path}: {name}, key 'all': all = true means every open order, but the rule "
                       "has matchers; keep one or the other")
    twice = [name for name, n in Counter(rule.name for rule in rules).items() if n > 1]
    if twice:
        raise CannotStart(f"the rules file {path}: two rules are named '{shown(twice[0])}'")
    return rules


def _explain(error: Any, document: dict[str, Any]) -> str:
    """One validation error as the user wrote the file: the rule (by name), the key, what is wrong
    and what would be right, in plain words (`automation.words`)."""
    where = list(error["loc"])
    rule = ""
    if len(where) >= 2 and where[0] == "rule" and isinstance(where[1], int):
        entries = document.get("rule")
        entry = entries[where[1]] if isinstance(entries, list) and where[1] < len(entries) else None
        name = entry.get("name") if isinstance(entry, dict) else None
        rule = f"rule '{shown(name)}'" if isinstance(name, str) and name else f"rule {where[1] + 1}"
        where = where[2:]
    item = f", item {where.pop() + 1}" if len(where) > 1 and isinstance(where[-1], int) else ""
    key = ".".join(shown(str(part)) for part in where)
    if error["type"] == "extra_forbidden" and where:
        known = _keys(Matchers if len(where) > 1 else Rule)
        problem = _unknown(str(where[-1]), error.get("input"), known, ".".join(str(part) for part in where[:-1]),
                           header="rule")
        return f"{rule}: {problem}" if rule else problem
    if error["type"] == "missing" and where == ["rule"]:
        return "the file has no [[rule]] table; it needs at least one"
    if error["type"] == "list_type" and where == ["rule"]:
        return "[rule] is one table: each rule is a [[rule]] table (two brackets)"
    said = rejected(error, f"key '{key}'{item}" if key else "the file")
    if error["type"] == "missing" and where in (["name"], ["action"]):
        said += " (every rule needs a name and an action: cancel, cancel_items or report)"
    return f"{rule}, {said}" if rule else said


def _keys(model: type[BaseModel]) -> list[str]:
    """The keys a table takes, as the file spells them."""
    return [field.alias or name for name, field in model.model_fields.items()]


def _unknown(key: str, value: Any, known: Iterable[str], prefix: str = "", header: str = "") -> str:
    """An unknown key or table, with the nearest known one; a table as its header is written
    (`[[rules]]`: did you mean `[[rule]]`?), `header` being the table it stands in."""
    table = isinstance(value, dict) or (isinstance(value, list) and bool(value) and
                                        all(isinstance(v, dict) for v in value))
    dotted = f"{prefix}." if prefix else ""
    close = nearest(key, known)
    if table:
        opening, closing = ("[[", "]]") if isinstance(value, list) else ("[", "]")
        path = f"{header}." if header else ""
        suggested = "[[rule]]" if not header and close == "rule" else f"{opening}{path}{dotted}{close}{closing}"
        hint = f" (did you mean {suggested}?)" if close else \
            f" (known: {', '.join(sorted(known))})"
        return f"unknown table {opening}{path}{dotted}{shown(key, 40)}{closing}{hint}"
    hint = f" (did you mean '{dotted}{close}'?)" if close else f" (known: {', '.join(sorted(known))})"
    return f"unknown key '{dotted}{shown(key, 40)}'{hint}"


_HEADER = re.compile(r"^\s*\[\[\s*rule\s*\]\]")
_KEY = re.compile(r"^\s*([A-Za-z0-9_.-]+)\s*=")
_NAME = re.compile(r"^\s*name\s*=\s*\"([^\"\\]{1,80})\"")


def _where(text: str, line: int | None) -> str:
    """Best effort for a file that did not parse, from its text alone: the rule and the key around a line."""
    if line is None:
        return ""
    lines = text.split("\n")
    key = None
    for current in reversed(lines[:line]):
        if current.lstrip().startswith("["):  # a table's header: the keys above it are another table's
            break
        if found := _KEY.match(current):
            key = found.group(1)
            break
    starts = [number for number, current in enumerate(lines[:line]) if _HEADER.match(current)]
    rule = ""
    if starts:
        block = lines[starts[-1] + 1:]
        end = next((n for n, current in enumerate(block) if current.lstrip().startswith("[[")), len(block))
        name = next((found.group(1) for current in block[:end] if (found := _NAME.match(current))), None)
        rule = f"rule '{shown(name)}'" if name else f"rule {len(starts)}"
    said = ", ".join(part for part in (rule, f"key '{shown(key)}'" if key else "") if part)
    return f"{said} (line {line}): " if said else f"line {line}: "


def _deep_line(text: str, deepest: int = 100) -> int | None:
    """The line where arrays or tables nest deeper than `deepest` (strings skipped, roughly)."""
    depth, quoted, line = 0, False, 1
    for index, char in enumerate(text):
        if char == "\n":
            line += 1
        elif char == '"' and (index == 0 or text[index - 1] != "\\"):
            quoted = not quoted
        elif not quoted and char in "[{":
            depth += 1
            if depth > deepest:
                return line
        elif not quoted and char in "]}":
            depth -= 1
    return None
