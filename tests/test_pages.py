"""Page objects in headless Chromium against the mock store, and the store's JavaScript behaviour."""
from __future__ import annotations

from collections.abc import Callable

import pyotp
from playwright.sync_api import Page, expect

from mock_store import seed
from pages.cancel_items import CancelItemsPage
from pages.cancel_summary import CancelResultKind, CancelSummaryPage
from pages.common import error_page
from pages.order_details import OrderDetailsPage
from pages.sign_in import SignInPage, SignInScreen, SignInStep
from pages.your_orders import YourOrdersPage
from tests.screens import show, show_orders
from tests.store_api import StoreAdmin

SignedIn = Callable[..., Page]


# -- sign-in, through the UI ------------------------------------------------------------------------

def test_sign_in_walks_email_then_password_and_returns(store: StoreAdmin, page: Page) -> None:
    show(page, OrderDetailsPage.path_for(seed.DEMO_ORDER))
    screen = SignInPage(page)
    assert screen.is_showing() and screen.read().step is SignInStep.EMAIL

    screen.enter_email(seed.DEMO_EMAIL)
    assert screen.read() == SignInScreen(SignInStep.PASSWORD, error=None)
    screen.enter_password(seed.DEMO_PASSWORD)

    page.wait_for_url(f"**{OrderDetailsPage.PATH}?orderID={seed.DEMO_ORDER}")
    assert OrderDetailsPage(page).read().order_id == seed.DEMO_ORDER


def test_sign_in_errors_are_read_from_the_error_box(store: StoreAdmin, page: Page) -> None:
    show(page, SignInPage.path_for())
    screen = SignInPage(page)
    screen.enter_email("nobody@example.com")
    assert screen.read() == SignInScreen(SignInStep.EMAIL, "We cannot find an account with that email address")
    screen.enter_email(seed.DEMO_EMAIL)
    screen.enter_password("wrong")
    assert screen.read() == SignInScreen(SignInStep.PASSWORD, "Your password is incorrect")


def test_two_step_captcha_and_approval_screens_are_recognised(store: StoreAdmin, page: Page) -> None:
    show(page, SignInPage.path_for())
    screen = SignInPage(page)
    screen.enter_email(seed.TOTP_EMAIL)
    screen.enter_password(seed.TOTP_PASSWORD)
    assert screen.read().step is SignInStep.TWO_STEP
    screen.enter_code(pyotp.TOTP(seed.TOTP_SECRET).now())
    assert YourOrdersPage(page).is_showing()

    for email, step in (("captcha@example.com", SignInStep.CAPTCHA), ("approval@example.com", SignInStep.APPROVAL)):
        page.context.clear_cookies()
        show(page, SignInPage.path_for())
        screen.enter_email(email)
        screen.enter_password(email.split("@")[0] + "-password")
        assert screen.read().step is step


# -- Your Orders ------------------------------------------------------------------------------------

def test_your_orders_cards_and_pagination(store: StoreAdmin, signed_in: SignedIn) -> None:
    page = signed_in()
    first_page = show_orders(page)
    cards = first_page.cards
    assert len(cards) == 10
    first = cards[0]
    assert first.order_id == seed.DEMO_ORDER and first.offers_cancel and first.total == "$54.49"
    assert first.details_path and seed.DEMO_ORDER in first.details_path and first.placed
    shipped = next(c for c in cards if c.order_id == "113-5678901-5678901")
    assert not shipped.offers_cancel and shipped.status_text == "Shipped"
    assert first_page.next_page_path
    second_page = show_orders(page, first_page.next_page_path)
    assert {c.order_id for c in second_page.cards}.isdisjoint({c.order_id for c in cards})
    assert second_page.next_page_path is None


def test_your_orders_in_danish_reads_the_same(store: StoreAdmin, signed_in: SignedIn) -> None:
    page = signed_in(seed.DANISH_EMAIL, "dansk-password")
    (card,) = show_orders(page).cards
    assert card.order_id == "113-4444444-4444444" and card.total == "$299.00" and card.offers_cancel
    assert card.status_text.startswith("Ankommer")


# -- Order Details ----------------------------------------------------------------------------------

def test_order_details_reads_items_status_and_the_cancel_link(store: StoreAdmin, signed_in: SignedIn) -> None:
    page = signed_in()
    show(page, OrderDetailsPage.path_for("113-2345678-2345678"))
    summary = OrderDetailsPage(page).read()
    assert summary.order_id == "113-2345678-2345678" and summary.status_text.startswith("Arriving")
    cable = summary.items[0]
    assert (cable.title, cable.quantity, cable.price, cable.seller) == ("USB-C Charging Cable, 2 m", 3, "$9.99", "Amazon.com")
    assert summary.cancel_path and summary.cancel_path.startswith(f"{CancelItemsPage.PATH}?orderID=113-2345678-2345678")


def test_order_details_of_partly_and_fully_cancelled_orders(store: StoreAdmin, signed_in: SignedIn) -> None:
    page = signed_in()
    screen = OrderDetailsPage(page)
    show(page, OrderDetailsPage.path_for("113-9012345-9012345"))
    partly = screen.read()
    assert {i.title: i.cancelled for i in partly.items} == {"A4 Printer Paper, 500 sheets": False, "Gel Pens, 12-pack": True}
    show(page, OrderDetailsPage.path_for("113-7890123-7890123"))
    full = screen.read()
    assert full.cancelled_banner and full.order_id is None and full.cancel_path is None
    assert full.status_text == "This order has been cancelled."


def test_not_found_and_server_error_pages_are_told_apart(store: StoreAdmin, signed_in: SignedIn) -> None:
    page = signed_in()
    response = show(page, OrderDetailsPage.path_for("114-1111111-1111111"))
    assert response is not None and response.status == 404 and error_page(page) == "not_found"
    store.faults(seed=3, error_rate=1.0)
    show(page, YourOrdersPage.path_for())
    assert error_page(page) == "server_error"


# -- Cancel items: the page and its JavaScript ----------------------------------------------------

def test_the_submit_button_stays_disabled_until_an_item_is_ticked(store: StoreAdmin, signed_in: SignedIn) -> None:
    page = signed_in()
    show(page, CancelItemsPage.path_for("113-2345678-2345678"))
    form = CancelItemsPage(page)
    expect(form.submit_button).to_be_disabled()
    expect(page.locator("#preship-cancel-submit-button")).to_have_class("a-button a-button-primary a-button-disabled")
    form.tick("jlsmlamp002s")
    expect(form.submit_button).to_be_enabled()
    page.locator("div[data-itemid='jlsmlamp002s'] input").uncheck()
    expect(form.submit_button).to_be_disabled()


def test_select_all_and_clear_toggle_every_item(store: StoreAdmin, signed_in: SignedIn) -> None:
    page = signed_in()
    show(page, CancelItemsPage.path_for("113-2345678-2345678"))
    form = CancelItemsPage(page)
    form.select_all.click()
    assert sorted(form.ticked()) == ["jlsmcable01s", "jlsmlamp002s", "jlsmmouse03s"]
    expect(form.select_all).to_have_text("Clear")
    form.select_all.click()
    assert form.ticked() == []
    expect(form.select_all).to_have_text("Select all")


def test_the_form_offers_the_real_reasons_in_both_languages(store: StoreAdmin, signed_in: SignedIn) -> None:
    page = signed_in(seed.DANISH_EMAIL, "dansk-password")
    show(page, CancelItemsPage.path_for("113-4444444-4444444"))
    reasons = CancelItemsPage(page).read().reasons
    assert len(reasons) == 11 and reasons[0].value == "ORDER_WAS_CREATED_BY_MISTAKE"
    assert reasons[0].label == "Ordren blev oprettet ved en fejl" and reasons[-1].label == "Andet"


def test_a_submit_sends_the_ticked_items_reason_and_note_once(store: StoreAdmin, signed_in: SignedIn) -> None:
    page = signed_in()
    show(page, CancelItemsPage.path_for("113-2345678-2345678"))
    form = CancelItemsPage(page)
    assert [i.item_id for i in form.read().items] == ["jlsmcable01s", "jlsmlamp002s", "jlsmmouse03s"]
    form.tick("jlsmmouse03s")
    form.choose_reason("FOUND_CHEAPER_SOMEWHERE_ELSE")
    form.write_note("elsewhere")
    page.locator("#preship-cancel-submit-button-announce").dblclick()  # an impatient double click
    page.wait_for_url("**/cancel-summary?**")

    summary = CancelSummaryPage(page).read()
    assert summary.kind is CancelResultKind.SUCCESS and summary.message == "Cancellation successful"
    assert summary.items == ["Wireless Mouse"] and summary.order_id == "113-2345678-2345678"
    (event,) = store.events("cancel_submitted")
    assert event["items"] == ["jlsmmouse03s"] and event["reason"] == "FOUND_CHEAPER_SOMEWHERE_ELSE"
    assert not store.events("cancel_refused")
    assert store.order("113-2345678-2345678").raw["cancel_note"] == "elsewhere"


def test_a_refusal_comes_back_on_the_form(store: StoreAdmin, signed_in: SignedIn) -> None:
    page = signed_in()
    show(page, CancelItemsPage.path_for(seed.DEMO_ORDER))
    form = CancelItemsPage(page)
    assert form.read().refusal is None
    store.faults(ship_before_submit=[seed.DEMO_ORDER])
    form.tick("jlsmkettle01s")
    form.submit()
    assert form.is_showing()
    assert (form.read().refusal or "").startswith("Unable to cancel requested items.")


def test_a_third_party_order_shows_a_requested_summary(store: StoreAdmin, signed_in: SignedIn) -> None:
    page = signed_in()
    show(page, CancelItemsPage.path_for("113-8901234-8901234"))
    form = CancelItemsPage(page)
    form.tick("jlsmdrone01s")
    form.submit()
    summary = CancelSummaryPage(page).read()
    assert summary.kind is CancelResultKind.REQUESTED and summary.message == "Cancellation requested"
