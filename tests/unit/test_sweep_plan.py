"""A sweep's decisions and plan, without a browser: each decided item resolves to that same line,
and what earlier runs left in the journal is re-decided, confirmed or dropped, never pressed twice."""
from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from automation.marketplace import MARKETPLACES
from automation.order.items import Selector, differs, lines_of, resolve
from automation.runs.batch import BatchOptions, BatchRun
from automation.runs.batch_input import BatchInput, BatchRow
from automation.runs.journal import Entry
from automation.runs.rules import read_rules
from automation.runs.sweep import Candidate, Decider, Decision, batch_row, plan_sweep, records
from automation.settings import Settings
from pages.cancel_items import CancellableItem
from pages.order_details import OrderedItem, OrderSummary
from pages.your_orders import OrderCard

CASE = OrderedItem("B0CASE0001", "Phone Case", 1, "$9.99", None, False, None)
LAPTOP = OrderedItem("B0LAPTOP01", "Laptop", 1, "$2,499.00", None, False, None)
ORDER = "113-0000001-0000001"


def rules(tmp_path: Path, text: str) -> list:
    path = tmp_path / "rules.toml"
    path.write_text(text)
    return read_rules(path)


def candidate(order_id: str, items: list[OrderedItem]) -> Candidate:
    card = OrderCard(order_id, "today", "$10.00", "Arriving soon", None, True)
    summary = OrderSummary(order_id, "today", "Arriving soon", items, f"/cancel?orderID={order_id}", False)
    return Candidate(card, datetime.now(UTC), summary)


def decide(tmp_path: Path, text: str, *candidates: Candidate) -> list[Decision]:
    return Decider(rules(tmp_path, text), MARKETPLACES["com"]).decide(list(candidates))


CASE_RULE = '[[rule]]\nname = "case"\naction = "cancel_items"\ntitle = ["case"]\n'


def test_a_decided_item_resolves_to_its_own_line_when_another_line_has_its_product_as_item_id(tmp_path: Path) -> None:
    (decision,) = decide(tmp_path, CASE_RULE, candidate(ORDER, [CASE, LAPTOP]))
    # the laptop's line has the item id B0CASE0001: neither the sweep's line nor a user's --item names it
    lines = lines_of([CASE, LAPTOP], [CancellableItem("c1", "B0CASE0001", "Phone Case", "$9.99", 1),
                                      CancellableItem("B0CASE0001", "B0LAPTOP01", "Laptop", "$2,499.00", 1)])
    assert [line.title for line in resolve([Selector("B0CASE0001")], lines)] == ["Phone Case"]
    assert [line.item_id for line in resolve(decision.lines, lines)] == ["c1"]
    assert differs(decision.lines, resolve(decision.lines, lines)) is None
    assert differs(decision.lines, [line for line in lines if line.title == "Laptop"]) is not None


def test_each_of_two_lines_of_one_product_is_named_by_its_position(tmp_path: Path) -> None:
    mug = OrderedItem("B0MUGMUG01", "Sample Mug", 1, "$4.00", None, False, None)
    box = OrderedItem("B0MUGMUG01", "Mug Gift Box", 1, "$4.00", None, False, None)
    (decision,) = decide(tmp_path, CASE_RULE.replace('["case"]', '["box"]'), candidate(ORDER, [mug, box]))
    lines = lines_of([mug, box], [CancellableItem("a", "B0MUGMUG01", "Sample Mug", None, 1),
                                  CancellableItem("b", "B0MUGMUG01", "Mug Gift Box", None, 1)])
    assert [line.item_id for line in resolve(decision.lines, lines)] == ["b"]


def entry(order_id: str, state: str, rule: str | None = "old", chosen: list | None = None) -> Entry:
    return Entry(order_id, state, 1, {"items": [], "rule": rule} if rule else {"items": []}, chosen, None)


def test_unfinished_rows_are_decided_again_confirmed_or_dropped_and_only_new_presses_count(tmp_path: Path) -> None:
    ids = [f"113-000000{n}-000000{n}" for n in range(1, 8)]
    orders = [candidate(order_id, [CASE]) for order_id in ids[:5]]
    decisions = decide(tmp_path, CASE_RULE, *orders)
    ticked = [{"item_id": "c1", "product": "B0CASE0001", "product_id": "B0CASE0001", "title": "Phone Case"}]
    journal = {ids[0]: None,  # never seen: pressed for
               ids[1]: entry(ids[1], "pending"),  # left before its click, still chosen: decided again
               ids[2]: entry(ids[2], "submitting", chosen=ticked),  # may have been pressed: confirmed only
               ids[3]: entry(ids[3], "cancelled", chosen=ticked),  # finished earlier: nothing to do
               ids[4]: entry(ids[4], "failed", chosen=ticked)}  # pressed, not confirmed: read, never pressed
    unfinished = [journal[ids[1]], journal[ids[2]], entry(ids[5], "checking"), entry(ids[6], "submitting", chosen=ticked),
                  entry("113-0000009-0000009", "pending", rule=None)]  # a batch's row: not the sweep's
    plan = plan_sweep(decisions, journal, unfinished, set(ids[:5]))
    assert sorted(d.order_id for d in plan.clicks) == [ids[0], ids[1]]  # what --max-cancels counts
    assert sorted(row.order_id for row in plan.confirms) == [ids[2], ids[4], ids[6]]
    assert [d.order_id for d, _ in plan.done] == [ids[3]]
    assert [(e.order_id, why) for e, why in plan.drops] == [(ids[5], "it is no longer open to cancel")]
    said = {r.order_id: (r.state, r.result.message) for r in records(plan, applied=False)}
    assert {order_id: state for order_id, (state, _) in said.items()} == {
        ids[0]: "would_cancel", ids[1]: "would_cancel", ids[2]: "would_confirm", ids[3]: "cancelled",
        ids[4]: "would_confirm", ids[5]: "would_drop", ids[6]: "would_confirm"}
    assert "decided again" in said[ids[1]][1] and "never press again" in said[ids[2]][1]
    assert [r.state for r in records(plan, applied=True)] == ["no_longer_matched"]


def test_the_last_check_before_a_click_refuses_other_lines_and_orders_past_the_limit(tmp_path: Path) -> None:
    run = BatchRun(Settings(_env_file=None), BatchOptions(tmp_path / "journal.sqlite", max_clicks=1), BatchInput())
    lines = lines_of([CASE, LAPTOP], [CancellableItem("c1", "B0CASE0001", "Phone Case", "$9.99", 1),
                                      CancellableItem("B0CASE0001", "B0LAPTOP01", "Laptop", "$2,499.00", 1)])
    case, laptop = lines
    decided = BatchRow(1, ORDER, lines=(Selector.for_line("B0CASE0001", 1),))
    assert "not the lines decided" in (run._why_not_press(decided, [laptop]) or "")
    assert "not the lines decided" in (run._why_not_press(decided, [case, laptop]) or "")
    assert run._why_not_press(decided, [case]) is None
    assert run._why_not_press(decided, [case]) is None  # the same order again (a sign-in at the submit)
    assert "at most 1 order (--max-cancels)" in (run._why_not_press(BatchRow(2, "113-0000002-0000002"), [laptop]) or "")
    nothing = BatchRun(Settings(_env_file=None), BatchOptions(tmp_path / "journal.sqlite", max_clicks=0), BatchInput())
    assert "at most 0 orders" in (nothing._why_not_press(BatchRow(1, ORDER), [case]) or "")


WHOLE_RULE = '[[rule]]\nname = "cases"\naction = "cancel"\ntitle = ["case"]\n[rule.except]\ntitle = ["laptop"]\n'


def test_a_whole_order_decision_records_every_open_line_and_the_click_must_find_exactly_them(tmp_path: Path) -> None:
    cancelled = OrderedItem("B0CABLE001", "USB cable", 1, "$5.00", None, True, None)  # cancelled before: not decided
    (decision,) = decide(tmp_path, WHOLE_RULE, candidate(ORDER, [CASE, cancelled]))
    row = batch_row(decision)
    assert decision.items == [] and row.whole_order
    assert row.selectors() == []  # the request still ticks every line the form offers
    assert [(s.product, s.nth) for s in row.lines] == [("B0CASE0001", 1)]
    assert BatchRow.from_request(ORDER, row.request()) == replace(row, line=0)  # as a resumed row reads it back

    run = BatchRun(Settings(_env_file=None), BatchOptions(tmp_path / "journal.sqlite"), BatchInput())
    case, laptop = lines_of([CASE, LAPTOP], [CancellableItem("c1", "B0CASE0001", "Phone Case", "$9.99", 1),
                                             CancellableItem("l1", "B0LAPTOP01", "Laptop", "$2,499.00", 1)])
    # the store added a laptop after the decision: the form offers both, and nothing is submitted
    assert "the order changed after the sweep decided to cancel it whole" in (run._why_not_press(row, [case, laptop])
                                                                              or "")
    assert run._why_not_press(row, []) is not None
    assert run._why_not_press(row, [case]) is None


def test_a_cancelling_rule_decides_only_from_the_details_it_records(tmp_path: Path) -> None:
    order_level = '[[rule]]\nname = "big"\naction = "cancel"\ntotal_over = 5\n'
    (rule,) = rules(tmp_path, order_level)
    assert rule.needs_details()  # the sweep reads the order's lines before deciding
    unread = Candidate(OrderCard(ORDER, "today", "$10.00", "Arriving soon", None, True), datetime.now(UTC))
    assert Decider([rule], MARKETPLACES["com"]).decide([unread]) == []  # no lines to record: no decision
    (decision,) = decide(tmp_path, order_level, candidate(ORDER, [CASE, LAPTOP]))
    assert [s.product for s in decision.lines] == ["B0CASE0001", "B0LAPTOP01"]
    (report,) = rules(tmp_path, order_level.replace('"cancel"', '"report"'))
    assert not report.needs_details()
