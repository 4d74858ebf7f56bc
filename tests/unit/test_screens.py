"""Each screen's parser on pages saved from the live site and on the mock store's pages: seconds,
no browser. The saved pages live beside the project (../shared/real-pages) and are never
committed; where they are missing, those tests skip."""
from __future__ import annotations

from pathlib import Path

import pytest

from mock_store import seed
from pages import cancel_items, cancel_summary, order_details, sign_in, your_orders
from pages.common import OrderState, error_kind
from pages.sign_in import SignInStep
from tests.store_api import Shopper, StoreAdmin

REAL_PAGES = Path(__file__).resolve().parents[3] / "shared" / "real-pages"
live = pytest.mark.skipif(not REAL_PAGES.is_dir(), reason="the saved live pages are not beside this clone")


def saved(name: str) -> str:
    return (REAL_PAGES / name).read_bytes().decode("utf-8", errors="replace")


# -- the live site's markup ----------------------------------------------------------------------

@live
@pytest.mark.parametrize("name, order_id, state, products", [
    ("order-details-cancellable.html", "114-2706026-4049019", OrderState.CANCELLABLE,
     ["B0DJG7W8QX", "B0CJ8NSB3C", "B0CHN6K9BF", "B0DJG67M7X", "B0CHN59RH2"]),
    ("order-details-cancellable-2.html", "112-5561210-9300211", OrderState.CANCELLABLE, ["B0DXPH1YGN", "B0CGW4HFYN"]),
    ("orders-order-details-112-0399923-3070642.html", "112-0399923-3070642", OrderState.NOT_CANCELLABLE,
     ["B0018CJYCO"]),
    ("order-details-cancelled.html", None, OrderState.CANCELLED, []),
])
def test_live_order_details(name: str, order_id: str | None, state: OrderState, products: list[str]) -> None:
    html = saved(name)
    summary = order_details.parse(html)
    assert order_details.showing(html)
    assert summary.order_id == order_id and summary.state is state
    assert [i.product_id for i in summary.items] == products
    assert all(i.title and i.quantity >= 1 for i in summary.items)


@live
def test_live_order_totals_are_the_grand_total_row() -> None:
    assert order_details.parse(saved("order-details-cancellable.html")).total == "$162.95"
    assert order_details.parse(saved("order-details-cancellable-2.html")).total == "$90.54"
    assert order_details.parse(saved("order-details-cancelled.html")).total is None  # a cancelled page shows none


@live
def test_live_cancel_items_names_the_same_products_as_its_order_details() -> None:
    form = cancel_items.parse(saved("cancel-items.html"))
    details = order_details.parse(saved("order-details-cancellable-2.html"))
    assert [i.item_id for i in form.items] == ["jlsmovqqoprttsps", "jlsmlulsmkpotsps"]
    assert [i.product_id for i in form.items] == [i.product_id for i in details.items]
    assert [i.quantity for i in form.items] == [1, 5] and len(form.reasons) == 11 and form.refusal is None
    assert form.reasons[0].value == "ORDER_WAS_CREATED_BY_MISTAKE"


@live
def test_live_cancel_summary() -> None:
    result = cancel_summary.parse(saved("cancel-summary-success.html"),
                                  "https://www.amazon.com/progress-tracker/package/preship/cancel-summary"
                                  "?orderID=112-5561210-9300211&cancelMessageType=SUCCESS")
    assert result.kind is cancel_summary.CancelResultKind.SUCCESS and result.order_id == "112-5561210-9300211"
    assert len(result.items) == 2


@live
def test_live_your_orders() -> None:
    screen = your_orders.parse(saved("order-history-not-yet-shipped.html"))
    assert len(screen.cards) == 10 and screen.next_page_path and screen.still_encrypted == 0
    assert any(c.offers_cancel for c in screen.cards) and all(c.placed for c in screen.cards)


@live
@pytest.mark.parametrize("name, step, error", [
    ("auth-signin.html", SignInStep.EMAIL, None),
    ("auth-signin-claim-password.html", SignInStep.PASSWORD, None),
    ("auth-post-signin-invalid-password.html", SignInStep.PASSWORD, "Your password is incorrect"),
    ("auth-post-signin-mfa.html", SignInStep.TWO_STEP, None),
    ("auth-post-signin-captcha-2.html", SignInStep.CAPTCHA, None),
    ("auth-post-signin-captcha-otp.html", SignInStep.APPROVAL, None),
])
def test_live_sign_in_steps(name: str, step: SignInStep, error: str | None) -> None:
    assert sign_in.parse(saved(name)) == sign_in.SignInScreen(step, error)


# -- the mock store's markup, read the same way ---------------------------------------------------------

def test_mock_screens_parse_like_the_live_ones(store: StoreAdmin, shopper: Shopper) -> None:
    order = store.add_order([{"id": "a", "title": "Kettle", "price": "10.00", "product_id": "B0KETTLE01"},
                             {"id": "b", "title": "Teapot", "price": "5.00", "quantity": 2,
                              "product_id": "B0TEAPOT01"}])
    shopper.sign_in()

    details = order_details.parse(shopper.get(order_details.OrderDetailsPage.path_for(order.id)).text)
    form = cancel_items.parse(shopper.get(cancel_items.CancelItemsPage.path_for(order.id)).text)
    answer = shopper.cancel(order.id, ["b"])
    result = cancel_summary.parse(answer.text, str(answer.url))
    after = order_details.parse(shopper.get(order_details.OrderDetailsPage.path_for(order.id)).text)
    orders = your_orders.parse(shopper.get(your_orders.YourOrdersPage.PATH).text)
    encrypted = your_orders.parse(shopper.get(your_orders.YourOrdersPage.PATH, plain=False).text)

    assert details.order_id == order.id and details.state is OrderState.CANCELLABLE
    assert [(i.product_id, i.title, i.quantity) for i in details.items] == [("B0KETTLE01", "Kettle", 1),
                                                                            ("B0TEAPOT01", "Teapot", 2)]
    assert [(i.item_id, i.product_id) for i in form.items] == [("a", "B0KETTLE01"), ("b", "B0TEAPOT01")]
    assert result.kind is cancel_summary.CancelResultKind.SUCCESS and result.items == ["Teapot"]
    assert [(i.product_id, i.cancelled) for i in after.items] == [("B0KETTLE01", False), ("B0TEAPOT01", True)]
    assert orders.cards[0].order_id == order.id and orders.cards[0].state is OrderState.CANCELLABLE
    assert encrypted.cards == [] and encrypted.still_encrypted == 10


def test_mock_error_pages_are_told_apart(shopper: Shopper, store: StoreAdmin) -> None:
    shopper.sign_in()
    assert error_kind(shopper.get(order_details.OrderDetailsPage.path_for("999-0000000-0000000")).text) == "not_found"
    store.faults(error_rate=1.0)
    assert error_kind(shopper.get(order_details.OrderDetailsPage.path_for(seed.DEMO_ORDER)).text) == "server_error"
