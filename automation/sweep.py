"""`ordercancel sweep`: find the orders to cancel by rules while their window is open. The rules
file is TOML, validated before any browser starts; a sweep decides from Your Orders and the
details of the orders a rule may match, and only with --apply cancels, through the batch (the
same use case, journal and exactly-once rules), each order journaled with its rule's name."""
from __future__ import annotations

import re
import tomllib
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, field_validator

from automation.batch_input import BatchInput, BatchRow
from automation.errors import Fail
from automation.marketplace import Marketplace, parse_money
from automation.orders import BadInput, parse_note
from automation.reasons import CancelReason, parse_reason
from pages.order_details import OrderedItem, OrderSummary
from pages.your_orders import OrderCard

MAX_RULES_BYTES = 1024 * 1024
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(s|m|min|h|d)\s*$", re.IGNORECASE)
_UNITS = {"s": 1, "m": 60, "min": 60, "h": 3600, "d": 86400}
ASIN = re.compile(r"^[A-Z0-9]{10}$")


def duration(value: Any) -> timedelta:
    """'45m', '2h', '1d', '90s'."""
    match = _DURATION.match(str(value))
    if not match:
        raise ValueError(f"not a duration like '45m', '2h' or '1d': {str(value)[:40]!r}")
    return timedelta(seconds=float(match.group(1)) * _UNITS[match.group(2).lower()])


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

    @field_validator("title")
    @classmethod
    def _patterns(cls, value: list[str] | None) -> list[str] | None:
        for pattern in value or []:
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ValueError(f"{pattern!r} is not a regular expression: {exc}") from None
        return value

    @field_validator("product")
    @classmethod
    def _asins(cls, value: list[str] | None) -> list[str] | None:
        for product in value or []:
            if not ASIN.match(product):
                raise ValueError(f"{product!r} is not a product id (10 capitals and digits)")
        return value

    def has_item_matchers(self) -> bool:
        return bool(self.title or self.product or self.seller or self.item_price_over is not None)

    def needs_details(self) -> bool:
        return self.has_item_matchers() or self.duplicate_within is not None


class Rule(Matchers):
    name: str = Field(min_length=1, max_length=80)
    action: Literal["cancel", "cancel_items", "report"]
    reason: CancelReason | None = None
    note: str | None = None
    except_: Matchers | None = Field(default=None, alias="except")

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
        raise Fail(f"cannot read the rules file {path}: {exc.strerror}") from None
    if len(raw) > MAX_RULES_BYTES:
        raise Fail(f"the rules file {path} is over 1 MiB")
    try:
        document = tomllib.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise Fail(f"the rules file {path} is not TOML: {str(exc).splitlines()[0]}") from None
    try:
        rules = RulesFile.model_validate(document).rule
    except ValidationError as exc:
        error = exc.errors()[0]
        where = list(error["loc"])
        name = ""
        if len(where) >= 2 and where[0] == "rule" and isinstance(where[1], int):
            entries = document.get("rule") or []
            entry = entries[where[1]] if where[1] < len(entries) and isinstance(entries[where[1]], dict) else {}
            name = f"rule '{entry.get('name')}'" if entry.get("name") else f"rule {where[1] + 1}"
            where = where[2:]
        key = ".".join(str(p) for p in where) or "rule"
        message = str(error["msg"]).removeprefix("Value error, ")
        raise Fail(f"the rules file {path}: {name + ', ' if name else ''}key '{key}': {message}") from None
    names = Counter(rule.name for rule in rules)
    twice = [name for name, n in names.items() if n > 1]
    if twice:
        raise Fail(f"the rules file {path}: two rules are named '{twice[0]}'")
    return rules


# -- deciding -----------------------------------------------------------------------------------

@dataclass
class Candidate:
    """An open order as the sweep knows it: its card, when it was first seen, and its details once read."""
    card: OrderCard
    first_seen: datetime
    summary: OrderSummary | None = None

    @property
    def order_id(self) -> str:
        return self.card.order_id

    def open_items(self) -> list[OrderedItem]:
        return [item for item in (self.summary.items if self.summary else []) if not item.cancelled]


@dataclass
class Decision:
    order_id: str
    rule: Rule
    items: list[OrderedItem] = field(default_factory=list)  # empty: the whole order
    names: list[str] = field(default_factory=list)  # how the batch names each item (see `item_names`)

    @property
    def cancels(self) -> bool:
        return self.rule.action != "report"

    def to_json(self) -> dict[str, Any]:
        return {"order_id": self.order_id, "rule": self.rule.name, "action": self.rule.action,
                "items": [{"product_id": i.product_id, "title": i.title} for i in self.items],
                "reason": self.rule.reason.value if self.rule.reason else None}


def is_amazon(seller: str | None) -> bool:
    return seller is None or seller.casefold().startswith("amazon")


def item_matches(matchers: Matchers, item: OrderedItem, market: Marketplace) -> bool:
    """The item-level matchers (title, product, seller, price), all of those given."""
    if matchers.title and not any(re.search(p, item.title, re.IGNORECASE) for p in matchers.title):
        return False
    if matchers.product and item.product_id not in matchers.product:
        return False
    if matchers.seller:
        wanted = matchers.seller
        seller_ok = is_amazon(item.seller) if wanted == "amazon" else not is_amazon(item.seller) \
            if wanted == "third_party" else (item.seller or "").casefold() == wanted.casefold()
        if not seller_ok:
            return False
    if matchers.item_price_over is not None:
        price = parse_money(item.price, market)
        if price is None or price <= matchers.item_price_over:
            return False
    return True


class Decider:
    """Applies the rules to the open orders, oldest first, so that of two duplicates the earlier
    is kept and the later matches, never both."""

    def __init__(self, rules: list[Rule], market: Marketplace, now: datetime | None = None) -> None:
        self.rules = rules
        self.market = market  # whose money the amounts in the rules are
        self.now = now or datetime.now(UTC)

    def may_match(self, candidate: Candidate) -> bool:
        """From the card alone: whether some rule can still match (then the details are read)."""
        return any(self._order_level(rule, candidate) for rule in self.rules)

    def _order_level(self, matchers: Matchers, candidate: Candidate) -> bool:
        if matchers.placed_within is not None and self.now - candidate.first_seen > matchers.placed_within:
            return False
        if matchers.total_over is not None:
            total = parse_money(candidate.card.total, self.market)
            if total is None or total <= matchers.total_over:
                return False
        return True

    def decide(self, candidates: list[Candidate]) -> list[Decision]:
        decisions: list[Decision] = []
        cancelled: set[str] = set()
        oldest_first = list(reversed(candidates))  # Your Orders lists the newest first
        for index, candidate in enumerate(oldest_first):
            earlier = [c for c in oldest_first[:index] if c.order_id not in cancelled]
            for rule in self.rules:
                items = self._matches(rule, candidate, earlier)
                if items is None:
                    continue
                if rule.except_ is not None and self._matches(rule.except_, candidate, earlier) is not None:
                    continue
                chosen = [] if rule.action == "cancel" else items
                decision = Decision(candidate.order_id, rule, chosen, item_names(chosen, candidate.open_items()))
                decisions.append(decision)
                if decision.cancels:
                    cancelled.add(candidate.order_id)
                break
        return list(reversed(decisions))

    def _matches(self, matchers: Matchers, candidate: Candidate, earlier: list[Candidate]) -> list[OrderedItem] | None:
        """The order's matching items if every given matcher holds, else None."""
        if not self._order_level(matchers, candidate):
            return None
        items = candidate.open_items()
        if matchers.needs_details() and candidate.summary is None:
            return None
        if matchers.has_item_matchers():
            items = [item for item in items if item_matches(matchers, item, self.market)]
            if not items:
                return None
        if matchers.duplicate_within is not None and not self._duplicate(candidate, earlier, matchers.duplicate_within):
            return None
        return items

    @staticmethod
    def _duplicate(candidate: Candidate, earlier: list[Candidate], within: timedelta) -> bool:
        """Every product of the order is still ordered in an earlier open order seen within `within`."""
        mine = Counter(item.product_id or item.title for item in candidate.open_items())
        if not mine:
            return False
        for other in earlier:
            theirs = Counter(item.product_id or item.title for item in other.open_items())
            if other.summary is not None and not mine - theirs and \
                    abs(candidate.first_seen - other.first_seen) <= within:
                return True
        return False


def item_names(chosen: list[OrderedItem], open_items: list[OrderedItem]) -> list[str]:
    """Each chosen item as the item rule names it exactly: its product, or ASIN#n (the n-th
    still-ordered line of that product) when the order has several lines of it."""
    names = []
    for item in chosen:
        same = [other for other in open_items if other.product_id and other.product_id == item.product_id]
        if len(same) > 1:
            names.append(f"{item.product_id}#{next(n for n, other in enumerate(same, 1) if other is item)}")
        else:
            names.append(item.product_id or item.title)
    return names


def as_batch(decisions: list[Decision]) -> BatchInput:
    """The decisions that cancel, as batch rows: the whole order, or its matching items."""
    rows = [BatchRow(index + 1, d.order_id, tuple(d.names), d.rule.reason, d.rule.note, d.rule.name)
            for index, d in enumerate(x for x in decisions if x.cancels)]
    return BatchInput(rows=rows)
