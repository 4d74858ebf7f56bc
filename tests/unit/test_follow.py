"""`follow`'s one rule, without a browser: a pending cancellation is judged by the store's answer
on the order's page, never by the order's cancel window; a seller's request by its requested status.
On made-up screens, and on the mock store's own pages read over plain HTTP as its clock moves."""
from __future__ import annotations

from typing import Any

import pytest

from automation.runs.follow import Verdict, verdict
from automation.runs.journal import JournalState
from pages import order_details
from pages.order_details import OrderedItem, OrderSummary
from tests.store_api import Shopper, StoreAdmin

PENDING, REQUESTED = JournalState.DECISION_PENDING, JournalState.CANCELLATION_REQUESTED
CHOSEN = [{"item_id": "k", "product_id": "B0KETTLE01", "title": "Kettle"}]


def screen(status: str, kettle_cancelled: bool = False, cancel_link: bool = False, banner: bool = False) -> OrderSummary:
    items = [OrderedItem("B0KETTLE01", "Kettle", 1, "$10.00", None, kettle_cancelled, None),
             OrderedItem("B0TEAPOT01", "Teapot", 1, "$5.00", None, False, None)]
    statuses = [status] if status else []
    return OrderSummary("113-0000001-0000001", "May 1, 2026", status, items,
                        "/progress-tracker/package/preship/cancel-items?orderID=x" if cancel_link else None, banner,
                        statuses=tuple(statuses))


@pytest.mark.parametrize("summary, answer", [
    (screen("Arriving Tuesday", cancel_link=True), Verdict.WAITING),  # still in its window
    (screen("Preparing for Shipment"), Verdict.WAITING),  # past the window, the store has not answered
    (screen(""), Verdict.WAITING),  # no status at all: no answer either
    (screen("Preparing for Shipment", kettle_cancelled=True), Verdict.CANCELLED),
    (screen("Cancelled", banner=True), Verdict.CANCELLED),
    (screen("Shipped"), Verdict.REFUSED),
    (screen("Delivered May 4"), Verdict.REFUSED),
    (screen("Dispatched"), Verdict.REFUSED),
    (screen("Versandt"), Verdict.REFUSED),
    (screen("Not Yet Shipped"), Verdict.WAITING),
])
def test_a_pending_cancellation_waits_for_the_stores_answer_not_for_the_window(summary: OrderSummary,
                                                                                  answer: Verdict) -> None:
    assert verdict(PENDING, CHOSEN, summary) is answer


@pytest.mark.parametrize("summary, answer", [
    (screen("Cancellation requested"), Verdict.WAITING),
    (screen("Cancelation requested"), Verdict.WAITING),
    (screen("Preparing for Shipment"), Verdict.REFUSED),  # the requested status gone: the seller's no
    (screen("Preparing for Shipment", kettle_cancelled=True), Verdict.CANCELLED),
])
def test_a_sellers_request_waits_while_it_shows_as_requested(summary: OrderSummary, answer: Verdict) -> None:
    assert verdict(REQUESTED, CHOSEN, summary) is answer


def test_only_the_chosen_products_cancelled_are_a_yes() -> None:
    teapot = [{"item_id": "t", "product_id": "B0TEAPOT01", "title": "Teapot"}]
    assert verdict(PENDING, teapot, screen("Preparing for Shipment", kettle_cancelled=True)) is Verdict.WAITING


@pytest.mark.parametrize("statuses, shipped", [
    (["Shipped"], True), (["Delivered May 4"], True), (["Afsendt"], True), (["Levererad 4 maj"], True),
    (["Not Yet Shipped"], False), (["Arriving Tuesday"], False), (["Preparing for Shipment"], False),
    (["Shipped", "Preparing for Shipment"], False), ([], False),
])
def test_an_order_has_shipped_only_when_every_shipment_says_so(statuses: list[str], shipped: bool) -> None:
    assert order_details.shows_shipped(statuses) is shipped


# -- the mock store's pages, as its clock moves --------------------------------------------------

def read(shopper: Shopper, order_id: str) -> OrderSummary:
    return order_details.parse(shopper.get(order_details.OrderDetailsPage.path_for(order_id)).text)


@pytest.mark.parametrize("result, answer", [("cancelled", Verdict.CANCELLED), ("refused", Verdict.REFUSED)])
def test_the_mock_stores_pending_order_past_its_window_is_waiting_until_the_store_decides(
        store: StoreAdmin, shopper: Shopper, result: str, answer: Verdict) -> None:
    items: list[dict[str, Any]] = [{"id": "k", "title": "Kettle", "price": "10.00", "product_id": "B0KETTLE01"},
                                   {"id": "t", "title": "Teapot", "price": "5.00", "product_id": "B0TEAPOT01"}]
    order = store.add_order(items, decision={"after_minutes": 60, "result": result})  # a 30-minute window
    shopper.sign_in()
    assert "Attempting to cancel" in shopper.cancel(order.id, ["k"]).text

    in_window = read(shopper, order.id)
    store.clock(advance_seconds=40 * 60)
    past_window = read(shopper, order.id)
    store.clock(advance_seconds=25 * 60)
    decided = read(shopper, order.id)

    assert store.events("pending_decided")[0]["result"] == result
    assert verdict(PENDING, CHOSEN, in_window) is Verdict.WAITING
    assert past_window.state is order_details.OrderState.NOT_CANCELLABLE  # no Cancel items link any more ...
    assert verdict(PENDING, CHOSEN, past_window) is Verdict.WAITING  # ... and still no answer
    assert verdict(PENDING, CHOSEN, decided) is answer


def test_a_kettle_cancelled_before_the_submit_is_no_answer_for_the_kettle_asked_for() -> None:
    def order(second_cancelled: bool, status: str = "Preparing for Shipment") -> OrderSummary:
        kettles = [OrderedItem("B0KETTLE01", "Kettle", 1, "$10.00", None, cancelled, None)
                   for cancelled in (True, second_cancelled)]  # the first was cancelled last week
        return OrderSummary("113-0000001-0000001", "May 1, 2026", status, kettles, None, False,
                            statuses=(status,))
    ticked = [{"item_id": "k2", "product": "B0KETTLE01", "product_id": "B0KETTLE01", "title": "Kettle",
               "cancelled_before": 1}]
    assert verdict(PENDING, ticked, order(second_cancelled=False)) is Verdict.WAITING
    assert verdict(PENDING, ticked, order(second_cancelled=False, status="Shipped")) is Verdict.REFUSED
    assert verdict(PENDING, ticked, order(second_cancelled=True)) is Verdict.CANCELLED
    old_row = [{key: value for key, value in ticked[0].items() if key != "cancelled_before"}]
    # journaled without the count from before: the page cannot tell, so it is no answer either way
    assert verdict(PENDING, old_row, order(second_cancelled=False, status="Shipped")) is Verdict.WAITING
    assert verdict(PENDING, old_row, order(second_cancelled=True)) is Verdict.CANCELLED
