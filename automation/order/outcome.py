"""What a run can end in: outcomes, order states, exit codes, and the result every command prints."""
from __future__ import annotations

import enum
from dataclasses import asdict, dataclass, field
from typing import Any

from automation.errors import ExitCode
from automation.language import pgettext
from pages.common import OrderState  # what the screens say; the results report it

__all__ = ["ItemReport", "Money", "OrderState", "Outcome", "Result", "StateReport"]


class Outcome(enum.StrEnum):
    CANCELLED = "cancelled"
    CANCELLATION_REQUESTED = "cancellation_requested"
    PENDING = "pending"  # the store took the cancel "pending" and decides later: read it with `follow`
    ALREADY_CANCELLED = "already_cancelled"
    WOULD_CANCEL = "would_cancel"
    NOT_CONFIRMED = "not_confirmed"  # a person at the terminal answered no: nothing was submitted
    CHECKED = "checked"
    NOT_CANCELLABLE = "not_cancellable"
    NOT_FOUND = "not_found"
    AUTH_FAILED = "auth_failed"
    NEEDS_HUMAN = "needs_human"
    BAD_INPUT = "bad_input"
    ERROR = "error"
    # what a sweep says of an order it does not work on in this run
    WOULD_CONFIRM = "would_confirm"  # an earlier run may have pressed: it would only be read
    NO_LONGER_MATCHED = "no_longer_matched"  # left unfinished earlier, and no rule chooses it now
    SKIPPED = "skipped"  # an earlier run finished it


EXIT_CODES = {
    Outcome.CANCELLED: ExitCode.OK,
    Outcome.CANCELLATION_REQUESTED: ExitCode.OK,
    Outcome.PENDING: ExitCode.OK,
    Outcome.ALREADY_CANCELLED: ExitCode.OK,
    Outcome.WOULD_CANCEL: ExitCode.OK,
    Outcome.NOT_CONFIRMED: ExitCode.OK,
    Outcome.CHECKED: ExitCode.OK,
    Outcome.NOT_CANCELLABLE: ExitCode.NOT_CANCELLABLE,
    Outcome.NOT_FOUND: ExitCode.NOT_FOUND,
    Outcome.AUTH_FAILED: ExitCode.SIGN_IN_FAILED,
    Outcome.NEEDS_HUMAN: ExitCode.NEEDS_HUMAN,
    Outcome.BAD_INPUT: ExitCode.BAD_INPUT,
    Outcome.ERROR: ExitCode.UNEXPECTED,
    Outcome.WOULD_CONFIRM: ExitCode.OK,
    Outcome.NO_LONGER_MATCHED: ExitCode.OK,
    Outcome.SKIPPED: ExitCode.OK,
}


ARROW = " -> "
LINE_STATE = {True: "cancelled", False: "ordered"}
PARTLY_CANCELLED = "partly cancelled"  # an order this run cancelled some lines of, and that stays open


def change(before: str | None, after: str | None, arrow: str = ARROW) -> str:
    """A state before and after a run as every output shows it: one word when it stayed, else both,
    '?' for a side that is not known, each in the tool's language (`state_word`). The terminal's
    arrow is ASCII; the report passes its own."""
    if before == after:
        return state_word(after) if after else ""
    return f"{state_word(before) if before else '?'}{arrow}{state_word(after) if after else '?'}"


def state_word(state: str) -> str:
    """An order's or a line's state as a person reads it, in the tool's language; JSON and the
    journal keep the code (`not_cancellable`), which is also the English a person reads."""
    words = {"cancellable": pgettext("state", "cancellable"),
             "not_cancellable": pgettext("state", "not_cancellable"),
             "cancelled": pgettext("state", "cancelled"),
             "cancellation_requested": pgettext("state", "cancellation_requested"),
             "ordered": pgettext("state", "ordered"),
             PARTLY_CANCELLED: pgettext("state", "partly cancelled")}
    return words.get(state, state)


@dataclass
class ItemReport:
    title: str
    quantity: int
    price: str | None
    cancelled: bool
    item_id: str | None = None  # the Cancel items page's id, while it offers the item
    seller: str | None = None
    product_id: str | None = None  # the ASIN: what identifies the item on every screen
    cancelled_before: bool | None = None  # as the order showed it before this run acted; None: not known
    amount: str | None = None  # the price as a decimal string, parsed for the marketplace; None: not parsed
    currency: str | None = None  # ISO 4217, with the amount
    would_cancel: bool = False  # a dry run (or an unconfirmed cancel) chose this line: the submit would cancel it

    @property
    def cancelled_now(self) -> bool:
        """Cancelled by this run: cancelled after, not before (the one rule every output shows)."""
        return self.cancelled and self.cancelled_before is False

    def change(self, arrow: str = ARROW) -> str:
        """The line's state before and after, as a person reads it ('ordered -> cancelled')."""
        before = None if self.cancelled_before is None else LINE_STATE[self.cancelled_before]
        return change(before, LINE_STATE[self.cancelled], arrow)

    def to_json(self) -> dict[str, Any]:
        return {**asdict(self), "cancelled_now": self.cancelled_now}


@dataclass
class Money:
    text: str  # as the page shows it
    amount: str | None  # a decimal string, parsed for the marketplace; None: not parsed
    currency: str | None  # ISO 4217, with the amount


@dataclass
class StateReport:
    state: OrderState
    status_text: str


@dataclass
class Result:
    order_id: str
    outcome: Outcome
    message: str
    before: StateReport | None = None
    after: StateReport | None = None
    items: list[ItemReport] = field(default_factory=list)
    reason: str | None = None
    refund_expected_by: str | None = None
    next_step: str | None = None
    artifacts: list[str] = field(default_factory=list)
    duration_ms: int = 0
    cancellable_until: str | None = None
    total: Money | None = None  # the order's grand total, where its page shows one
    return_url: str | None = None  # too late to cancel: the order page's return link, on the store's origin

    @property
    def exit_code(self) -> ExitCode:
        return EXIT_CODES[self.outcome]

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["state"] = {"before": data.pop("before"), "after": data.pop("after")}
        data["items"] = [item.to_json() for item in self.items]
        return data

    def state_change(self, arrow: str = ARROW) -> str:
        """The order's state before and after, as a person reads it: an order that stays open
        after this run cancelled some of its lines is 'partly cancelled' after, not its unchanged
        state (a row just cancelled never reads 'cancellable' alone)."""
        before, after = self.state_before, self.state_after
        if before == after and after != OrderState.CANCELLED and any(item.cancelled_now for item in self.items):
            after = PARTLY_CANCELLED
        return change(before, after, arrow)

    @property
    def state_before(self) -> str | None:
        return self.before.state.value if self.before else None

    @property
    def state_after(self) -> str | None:
        return self.after.state.value if self.after else None

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Result:
        """A Result as `to_json` wrote it (into the journal, by this or an earlier version): what
        is missing or unknown is left empty, never guessed."""
        try:
            outcome = Outcome(data.get("outcome"))
        except ValueError:
            outcome = Outcome.ERROR
        states = data.get("state") if isinstance(data.get("state"), dict) else {}
        items = [_rebuilt(ItemReport, raw) for raw in data.get("items") or []]
        return cls(str(data.get("order_id") or ""), outcome, str(data.get("message") or ""),
                   before=_state(states.get("before")), after=_state(states.get("after")),
                   items=[item for item in items if item is not None], reason=data.get("reason"),
                   refund_expected_by=data.get("refund_expected_by"), next_step=data.get("next_step"),
                   artifacts=[str(a) for a in data.get("artifacts") or []], duration_ms=int(data.get("duration_ms") or 0),
                   total=_rebuilt(Money, data.get("total")),
                   return_url=data["return_url"] if isinstance(data.get("return_url"), str) else None)


def _rebuilt(kind: Any, fields: Any) -> Any:
    """A record of `kind` from its JSON, or None when the JSON does not hold one."""
    if not isinstance(fields, dict):
        return None
    try:
        return kind(**{k: v for k, v in fields.items() if k in kind.__dataclass_fields__})
    except TypeError:
        return None


def _state(value: Any) -> StateReport | None:
    try:
        return StateReport(OrderState(value["state"]), str(value.get("status_text") or ""))
    except (TypeError, KeyError, ValueError):
        return None
