"""Holes an attack on issue 19's merged parts found, without a browser: each test states what must
hold, and each failed before its fix. (tests/test_attack_findings.py has the CLI ones.)"""
from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from automation.errors import CannotStart
from automation.marketplace import MARKETPLACES
from automation.order.items import Selector, lines_of, resolve
from automation.runs.follow import Verdict, verdict
from automation.runs.journal import JournalState
from automation.runs.rules import read_rules
from automation.runs.sweep import Candidate, Decider, line_selectors
from pages import order_details
from pages.cancel_items import CancellableItem
from pages.order_details import OrderedItem, OrderSummary
from pages.your_orders import OrderCard


@pytest.mark.parametrize("matcher", ["title = []", "product = []", 'seller = ""'])
def test_a_cancel_rule_whose_only_matcher_is_empty_is_refused(tmp_path: Path, matcher: str) -> None:
    """An empty title or product list, or seller = '', filters nothing: it is no matcher (was: it
    counted as one, and a 'cancel' rule then matched every open order without all = true)."""
    path = tmp_path / "rules.toml"
    path.write_text(f'[[rule]]\nname = "oops"\naction = "cancel"\n{matcher}\n')
    with pytest.raises(CannotStart) as refused:
        read_rules(path)
    key = matcher.split(" ")[0]
    assert refused.value.exit_code == 2 and f"rule 'oops', key '{key}'" in str(refused.value), refused.value


def test_such_a_rule_really_decides_to_cancel_every_open_order(tmp_path: Path) -> None:
    """Not a hole on its own: what the rule refused above would do (why it is refused). The file is
    refused now, so the rule is built as a file that got past the check would have built it."""
    path = tmp_path / "rules.toml"
    path.write_text('[[rule]]\nname = "oops"\naction = "cancel"\ntitle = ["thing"]\n')
    rule = read_rules(path)[0].model_copy(update={"title": []})
    cards = [OrderCard(f"113-000000{n}-000000{n}", "May 1", "$10.00", "Arriving", None, True) for n in (1, 2)]
    summaries = [OrderSummary(c.order_id, "May 1", "Arriving", [OrderedItem(f"B0ITEM000{n}", f"Thing {n}", 1, "$10.00",
                                                                            None, False, None)], "/x", False)
                 for n, c in enumerate(cards)]
    candidates = [Candidate(card, datetime.now(UTC), summary) for card, summary in zip(cards, summaries, strict=True)]
    decisions = Decider([rule], MARKETPLACES["com"]).decide(candidates)
    assert sorted(d.order_id for d in decisions if d.cancels) == sorted(c.order_id for c in cards)


def test_the_line_chosen_by_price_is_the_line_ticked_when_the_form_lists_its_product_twice_reordered() -> None:
    cheap = OrderedItem("B0CABLE001", "USB cable", 1, "$5.00", None, False, None)
    dear = OrderedItem("B0CABLE001", "USB cable", 1, "$500.00", None, False, None)
    summary = OrderSummary("113-0000001-0000001", "May 1", "Arriving", [cheap, dear], "/x", False)
    # the decision: the $500 line (item_price_over = 100), named as the sweep names it
    (decided,) = line_selectors([dear], summary)
    # the Cancel items page, as the store serves it: the same two lines, the dear one first
    offered = [CancellableItem("line-dear", "B0CABLE001", "USB cable", "$500.00", 1),
               CancellableItem("line-cheap", "B0CABLE001", "USB cable", "$5.00", 1)]
    (ticked,) = resolve([decided], lines_of(summary.items, offered))
    assert ticked.item_id == "line-dear"


def test_a_line_cancelled_before_the_request_is_not_the_stores_answer() -> None:
    earlier = OrderedItem("B0KETTLE01", "Kettle", 1, "$10.00", None, True, None)  # cancelled last week
    waiting = OrderedItem("B0KETTLE01", "Kettle", 1, "$10.00", None, False, None)  # the one asked for, pending
    summary = OrderSummary("113-0000001-0000001", "May 1", "Preparing for Shipment", [earlier, waiting], None, False)
    chosen = [{"item_id": "k2", "product": "B0KETTLE01", "product_id": "B0KETTLE01", "title": "Kettle"}]
    assert verdict(JournalState.DECISION_PENDING, chosen, summary) is Verdict.WAITING


def test_the_older_details_markup_shows_the_order_number_whole_or_not_at_all() -> None:
    html = ('<div class="order-date-invoice-item">Order# <bdi>1113-1234567-12345678</bdi></div>'
            '<div class="shipment"><div class="yohtmlc-item"><a href="/dp/B0KETTLE01">Kettle</a></div></div>')
    assert order_details.parse(html).order_id is None


def test_an_asin_the_user_names_is_not_taken_for_another_lines_item_id() -> None:
    case = OrderedItem("B0CASE0001", "Phone Case", 1, "$9.99", None, False, None)
    laptop = OrderedItem("B0LAPTOP01", "Laptop", 1, "$2,499.00", None, False, None)
    offered = [CancellableItem("caseline01", "B0CASE0001", "Phone Case", "$9.99", 1),
               CancellableItem("B0CASE0001", "B0LAPTOP01", "Laptop", "$2,499.00", 1)]
    (ticked,) = resolve([Selector("B0CASE0001")], lines_of([case, laptop], offered))
    assert ticked.title == "Phone Case"
