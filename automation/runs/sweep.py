"""`ordercancel sweep`: find the orders to cancel by rules while their window is open. The rules
(`automation.runs.rules`) are validated before any browser starts; a sweep decides from Your Orders and
the details of the orders a rule may match, sets that against what earlier runs left in the journal,
and only with --apply cancels, through the batch (the same use case, journal and exactly-once
rules), each order journaled with its rule's name."""
from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta

from automation.language import _
from automation.marketplace import Marketplace, parse_money
from automation.order.items import Selector, lines_of
from automation.order.outcome import ItemReport, Outcome, Result
from automation.runs.batch import OrderRecord
from automation.runs.batch_input import BatchInput, BatchRow
from automation.runs.journal import Entry, JournalState, shown_state
from automation.runs.rules import Matchers, Rule, title_matches
from pages.order_details import OrderedItem, OrderSummary
from pages.your_orders import OrderCard

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
    # each item as the item rule finds that same line; for the whole order, every line still
    # ordered when decided (the lines the click must find, and no other)
    lines: list[Selector] = field(default_factory=list)

    @property
    def whole_order(self) -> bool:
        return self.rule.action == "cancel"

    @property
    def cancels(self) -> bool:
        return self.rule.action != "report"



def is_amazon(seller: str | None) -> bool:
    return seller is None or seller.casefold().startswith("amazon")


def item_matches(matchers: Matchers, item: OrderedItem, market: Marketplace) -> bool:
    """The item-level matchers (title, product, seller, price), all of those given."""
    if matchers.title and not title_matches(matchers.title, item.title):
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
                decided = candidate.open_items() if rule.action == "cancel" else items
                decision = Decision(candidate.order_id, rule, chosen, line_selectors(decided, candidate.summary))
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


def line_selectors(chosen: list[OrderedItem], summary: OrderSummary | None) -> list[Selector]:
    """Each chosen item as the selector the item rule resolves to that same line and no other: its
    product and position among that product's still-ordered lines, as `items.lines_of` counts them
    on every read of the order (never an item id, never a title)."""
    if summary is None:
        return []
    lines = list(zip(summary.items, lines_of(summary.items), strict=True))
    found = [next(line for item, line in lines if item is wanted) for wanted in chosen]
    return [Selector.for_line(line.product, line.position) for line in found]


# -- planning: the decisions against the journal ---------------------------------------------------

@dataclass
class Plan:
    """A sweep's work: what the rules decided, set against what earlier runs did (the journal)."""
    decisions: list[Decision]
    clicks: list[Decision] = field(default_factory=list)  # this run may press for these (--max-cancels counts them)
    confirms: list[BatchRow] = field(default_factory=list)  # an earlier run may have pressed: read, never pressed
    done: list[tuple[Decision, Entry]] = field(default_factory=list)  # finished by an earlier run: nothing to do
    drops: list[tuple[Entry, str]] = field(default_factory=list)  # an earlier sweep's unpressed rows, and why
    resumed: set[str] = field(default_factory=set)  # orders whose rows an earlier run left unfinished


def plan_sweep(decisions: list[Decision], journal: Mapping[str, Entry | None], unfinished: list[Entry],
               open_orders: set[str]) -> Plan:
    """Each decision to cancel: pressed for if no run ever pressed for it, only confirmed if one may
    have, nothing if an earlier run finished it. Each row an earlier sweep left unfinished (killed)
    and the rules no longer choose: confirmed if it may have been pressed for, else dropped."""
    plan = Plan(decisions, resumed={entry.order_id for entry in unfinished})
    cancelling = [decision for decision in decisions if decision.cancels]
    for decision in cancelling:
        entry = journal.get(decision.order_id)
        if entry is not None and entry.finished:
            plan.done.append((decision, entry))
        elif entry is not None and entry.may_have_clicked:
            plan.confirms.append(batch_row(decision))
        else:
            plan.clicks.append(decision)
    chosen = {decision.order_id for decision in cancelling}
    for entry in unfinished:
        if entry.order_id in chosen or not entry.request.get("rule"):  # a batch's rows are the batch's
            continue
        if entry.may_have_clicked:
            plan.confirms.append(BatchRow.from_request(entry.order_id, entry.request))
        else:
            plan.drops.append((entry, _("no rule chooses it now") if entry.order_id in open_orders
                               else _("it is no longer open to cancel")))
    return plan


def batch_row(decision: Decision, line: int = 0) -> BatchRow:
    rule = decision.rule
    return BatchRow(line, decision.order_id, (), rule.reason, rule.note, rule.name, tuple(decision.lines),
                    decision.whole_order)


def as_batch(plan: Plan) -> BatchInput:
    """The rows the batch works on: the orders to press for, the ones only to confirm, and those an
    earlier run finished (the batch lists them as such)."""
    rows = [batch_row(d) for d in plan.clicks] + plan.confirms + [batch_row(d) for d, _entry in plan.done]
    return BatchInput(rows=[replace(row, line=n) for n, row in enumerate(rows, 1)])


def dropped(entry: Entry, why: str, applied: bool) -> Result:
    """What a dropped row says: in the journal, and in the run's summary."""
    rule = entry.request.get("rule")
    done = _("dropped, nothing was pressed") if applied else _("it would be dropped, nothing pressed")
    return Result(entry.order_id, Outcome.NO_LONGER_MATCHED,
                  _("left unfinished by an earlier sweep (rule '{rule}') before its click; {why}: {done}").format(
                      rule=rule, why=why, done=done))


def records(plan: Plan, applied: bool) -> list[OrderRecord]:
    """The sweep's own lines in its summary: without --apply every order it would act on, each kind
    said; with --apply the reports and the dropped rows (the batch lists the rest)."""
    out: list[OrderRecord] = []
    clicks = {d.order_id for d in plan.clicks}
    done = {d.order_id: entry for d, entry in plan.done}
    for decision in plan.decisions:
        rule, order_id = decision.rule, decision.order_id
        what = ", ".join(i.title for i in decision.items) if decision.items else _("the whole order")
        if not decision.cancels:
            message = _("rule '{rule}' matched ({what})").format(rule=rule.name, what=what) + \
                (f"; {rule.note}" if rule.note else "")
            out.append(_record(decision, "reported", Outcome.CHECKED, message))
        elif applied:
            continue
        elif order_id in clicks:
            again = _(" (left unfinished by an earlier run: decided again)") if order_id in plan.resumed else ""
            out.append(_record(decision, "would_cancel", Outcome.WOULD_CANCEL,
                               _("rule '{rule}': would cancel {what}").format(rule=rule.name, what=what) + again,
                               _("run the sweep again with --apply to cancel")))
        elif order_id in done:
            out.append(_record(decision, done[order_id].state, Outcome.SKIPPED,
                               _("rule '{rule}' matches; an earlier run ended it {state}: nothing to do").format(
                                   rule=rule.name, state=shown_state(done[order_id].state)), skipped=True))
    if not applied:
        decided = {d.order_id: d for d in plan.decisions}
        for row in plan.confirms:
            message = _("rule '{rule}': an earlier run may have pressed 'Request cancellation' for it: would read "
                        "the order to confirm, never press again").format(rule=row.rule)
            items = _items(decided[row.order_id]) if row.order_id in decided else []
            out.append(OrderRecord(row.order_id, None, "would_confirm",
                                   Result(row.order_id, Outcome.WOULD_CONFIRM, message, items=items), rule=row.rule))
    for entry, why in plan.drops:
        out.append(OrderRecord(entry.order_id, None, JournalState.NO_LONGER_MATCHED if applied else "would_drop",
                               dropped(entry, why, applied), rule=entry.request.get("rule")))
    return out


def _record(decision: Decision, state: str, outcome: Outcome, message: str, next_step: str | None = None,
            skipped: bool = False) -> OrderRecord:
    result = Result(decision.order_id, outcome, message, items=_items(decision), next_step=next_step,
                    reason=decision.rule.reason.value if decision.rule.reason else None)
    return OrderRecord(decision.order_id, None, state, result, skipped=skipped, rule=decision.rule.name)


def _items(decision: Decision) -> list[ItemReport]:
    """The lines a decision names (none: the whole order), each marked as what the submit would cancel."""
    return [ItemReport(i.title, i.quantity, i.price, i.cancelled, seller=i.seller, product_id=i.product_id,
                       cancelled_before=i.cancelled, would_cancel=decision.cancels) for i in decision.items]
