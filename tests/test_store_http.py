"""The mock store at the HTTP level: every screen, state, transition, language, error and rule."""
from __future__ import annotations

import re

import httpx
import pyotp
import pytest
from fastapi.testclient import TestClient

from mock_store import seed
from mock_store.app import create_app
from tests.store_api import Shopper, StoreAdmin

CANCEL = "/progress-tracker/package/preship/cancel-items"
DETAILS = "/your-orders/order-details"


def order_cards(html: str) -> list[str]:
    return re.findall(r'<span class="a-color-secondary" dir="ltr">([^<]+)</span>', html)


# -- sign-in --------------------------------------------------------------------------------------

def test_a_signed_out_visitor_is_sent_to_sign_in_and_back(shopper: Shopper) -> None:
    first = shopper.get(f"{DETAILS}?orderID=113-1234567-1234567", follow_redirects=False)
    assert first.status_code == 302
    assert first.headers["location"].startswith("/ap/signin?openid.return_to=%2Fyour-orders%2Forder-details")

    page = shopper.get(first.headers["location"])
    token = shopper.csrf(page.text)
    assert 'form name="signIn"' in page.text and 'id="ap_email"' in page.text and 'id="continue"' in page.text
    step2 = shopper.http.post("/ap/signin", data={"appActionToken": token, "email": seed.DEMO_EMAIL})
    assert 'id="ap_password"' in step2.text and 'id="signInSubmit"' in step2.text and 'name="rememberMe"' in step2.text
    done = shopper.http.post("/ap/signin", data={"appActionToken": token, "email": seed.DEMO_EMAIL,
                                                 "password": seed.DEMO_PASSWORD}, follow_redirects=False)
    assert done.status_code == 302
    assert done.headers["location"] == f"{DETAILS}?orderID=113-1234567-1234567"


def test_unknown_email_and_wrong_password_show_the_real_error_boxes(shopper: Shopper, store: StoreAdmin) -> None:
    token = shopper.csrf(shopper.get("/ap/signin").text)
    unknown = shopper.http.post("/ap/signin", data={"appActionToken": token, "email": "nobody@example.com"})
    assert 'id="auth-error-message-box"' in unknown.text
    assert "We cannot find an account with that email address" in unknown.text

    wrong = shopper.sign_in(password="not-it")
    assert 'id="auth-error-message-box"' in wrong.text and "Your password is incorrect" in wrong.text
    assert [e["result"] for e in store.events("sign_in_failed")] == ["unknown_email", "wrong_password"]


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "javascript:alert(1)", "/\\evil"])
def test_return_to_accepts_only_the_stores_own_paths(shopper: Shopper, target: str) -> None:
    page = shopper.get("/ap/signin", params={"openid.return_to": target})
    token = shopper.csrf(page.text)
    done = shopper.http.post("/ap/signin", data={"appActionToken": token, "email": seed.DEMO_EMAIL,
                                                 "password": seed.DEMO_PASSWORD, "openid.return_to": target},
                             follow_redirects=False)
    assert done.headers["location"] == "/your-orders/orders"


def test_totp_accounts_get_two_step_verification(shopper: Shopper, store: StoreAdmin) -> None:
    mfa = shopper.sign_in(seed.TOTP_EMAIL, seed.TOTP_PASSWORD)
    assert 'id="auth-mfa-form"' in mfa.text and 'id="auth-mfa-otpcode"' in mfa.text
    assert 'id="auth-mfa-remember-device"' in mfa.text and 'id="auth-signin-button"' in mfa.text
    token = shopper.csrf(mfa.text)

    wrong = shopper.http.post("/ap/signin", data={"appActionToken": token, "otpCode": "000000"})
    assert "The One Time Password (OTP) you entered is not valid" in wrong.text

    code = pyotp.TOTP(seed.TOTP_SECRET).now()
    done = shopper.http.post("/ap/signin", data={"appActionToken": token, "otpCode": code}, follow_redirects=False)
    assert done.status_code == 302
    assert shopper.get("/your-orders/orders").text.count("order-card") >= 1
    assert [e["result"] for e in store.events() if e["account"] == seed.TOTP_EMAIL] == ["wrong_otp", "ok"]


def test_captcha_persona_gets_a_captcha_a_person_can_pass(shopper: Shopper, store: StoreAdmin) -> None:
    page = shopper.sign_in("captcha@example.com", "captcha-password")
    assert 'action="/errors/validateCaptcha"' in page.text and 'id="captchacharacters"' in page.text
    assert shopper.get("/your-orders/orders", follow_redirects=False).status_code == 302  # not signed in

    characters = re.search(r'class="captcha-characters"[^>]*>([A-Z]+)<', page.text).group(1)
    done = shopper.get("/errors/validateCaptcha", params={"field-keywords": characters}, follow_redirects=False)
    assert done.status_code == 302
    assert shopper.get("/your-orders/orders", follow_redirects=False).status_code == 200
    assert store.events("challenge")[0]["result"] == "captcha"


def test_approval_persona_waits_for_the_device(shopper: Shopper, store: StoreAdmin) -> None:
    page = shopper.sign_in("approval@example.com", "approval-password")
    assert "Approve the notification sent to your Amazon app" in page.text
    assert "Approve the notification" in shopper.get("/ap/cvf/approval/poll").text
    store.approve("approval@example.com")
    assert shopper.get("/ap/cvf/approval/poll", follow_redirects=False).status_code == 302
    assert shopper.get("/your-orders/orders", follow_redirects=False).status_code == 200


def test_admin_can_ask_for_a_challenge_on_the_next_sign_in(shopper: Shopper, store: StoreAdmin) -> None:
    store.faults(challenge_next_sign_in="captcha")
    assert 'id="captchacharacters"' in shopper.sign_in().text
    assert "order-card" in Shopper(store.url).sign_in().text  # only the next sign-in
    assert store.events("sign_in")


def test_sign_out_ends_the_session(shopper: Shopper, store: StoreAdmin) -> None:
    shopper.sign_in()
    shopper.get("/gp/flex/sign-out.html")
    assert shopper.get("/your-orders/orders", follow_redirects=False).status_code == 302
    assert store.events("sign_out")


# -- Your Orders ----------------------------------------------------------------------------------

def test_your_orders_lists_ten_cards_per_page_with_a_next_link(shopper: Shopper) -> None:
    shopper.sign_in()
    first = shopper.get("/your-orders/orders")
    assert len(order_cards(first.text)) == 10
    assert order_cards(first.text)[0] == seed.DEMO_ORDER  # newest first
    next_href = re.search(r'<li class="a-last"><a href="([^"]+)"', first.text).group(1).replace("&amp;", "&")
    second = shopper.get(next_href)
    assert "startIndex=10" in next_href
    assert 1 <= len(order_cards(second.text)) <= 10
    assert not set(order_cards(first.text)) & set(order_cards(second.text))
    assert '<li class="a-last"><a' not in second.text


def test_only_cards_of_orders_in_their_window_offer_cancel_items(shopper: Shopper) -> None:
    shopper.sign_in()
    html = shopper.get("/your-orders/orders").text
    cards = html.split('class="order-card js-order-card"')[1:]
    offering = {order_cards(c)[0] for c in cards if f'{CANCEL}?orderID=' in c}
    assert offering == {seed.DEMO_ORDER, "113-2345678-2345678", "113-3456789-3456789", "113-8901234-8901234",
                        "113-9012345-9012345"}
    for card in cards:
        assert "Order placed" in card and "Order #" in card


def test_filters_search_and_the_old_address(shopper: Shopper) -> None:
    shopper.sign_in()
    cancelled = order_cards(shopper.get("/your-orders/orders", params={"orderFilter": "cancelled"}).text)
    assert set(cancelled) == {"113-7890123-7890123", "113-9012345-9012345"}
    open_ = order_cards(shopper.get("/your-orders/orders", params={"orderFilter": "open"}).text)
    assert "113-4567890-4567890" in open_ and "113-5678901-5678901" not in open_
    assert order_cards(shopper.get("/your-orders/search", params={"search": "2345678"}).text) == ["113-2345678-2345678"]
    assert "111-7777777-8888888" not in order_cards(shopper.get("/your-orders/orders?startIndex=10").text)
    year = shopper.get("/your-orders/orders", params={"timeFilter": "year-2026"})
    assert year.status_code == 200
    old = shopper.get("/gp/css/order-history", follow_redirects=False)
    assert old.status_code == 301 and old.headers["location"] == "/your-orders/orders"


# -- Order Details --------------------------------------------------------------------------------

@pytest.mark.parametrize("order_id, status, cancel_link", [
    (seed.DEMO_ORDER, "Arriving", True),
    ("113-4567890-4567890", "Preparing for Shipment", False),
    ("113-5678901-5678901", "Shipped", False),
    ("113-6789012-6789012", "Delivered", False),
    ("D01-1234567-1234567", "Digital order: delivered", False),
    ("113-0123456-0123457", "Cancellation requested", False),
])
def test_order_details_show_each_state(shopper: Shopper, order_id: str, status: str, cancel_link: bool) -> None:
    shopper.sign_in()
    html = shopper.get(f"{DETAILS}?orderID={order_id}").text
    assert f'<div data-component="orderId" class=""><span>{order_id}</span></div>' in html
    assert status in html
    for component in ("itemTitle", "orderedMerchant", "unitPrice", "quantity", "shipmentStatus", "orderDate"):
        assert f'data-component="{component}"' in html
    assert (f'href="{CANCEL}?orderID={order_id}' in html) is cancel_link


def test_delivered_orders_carry_return_advice(shopper: Shopper) -> None:
    shopper.sign_in()
    free = shopper.get(f"{DETAILS}?orderID=113-6789012-6789012").text
    assert "Eligible for Return until" in free and "Free returns" in free
    paid = shopper.get(f"{DETAILS}?orderID=112-1111111-2222222").text
    assert "Return shipping paid by customer" in paid


def test_cancelled_and_partly_cancelled_orders(shopper: Shopper) -> None:
    shopper.sign_in()
    cancelled = shopper.get(f"{DETAILS}?orderID=113-7890123-7890123").text
    assert 'data-component="cancelledOrderBanner"' in cancelled and "This order has been cancelled." in cancelled
    partly = shopper.get(f"{DETAILS}?orderID=113-9012345-9012345").text
    assert "cancelledOrderBanner" not in partly
    cancelled_part = partly.split('<div data-component="cancelled" class="">')[1]
    assert "Gel Pens" in cancelled_part and "Printer Paper" not in cancelled_part


def test_the_old_details_address_shows_the_same_order(shopper: Shopper) -> None:
    shopper.sign_in()
    assert seed.DEMO_ORDER in shopper.get(f"/gp/your-account/order-details?orderID={seed.DEMO_ORDER}").text


def test_the_window_closes_with_the_store_clock(shopper: Shopper, store: StoreAdmin) -> None:
    shopper.sign_in()
    store.clock(advance_seconds=26 * 60)  # placed 5 minutes ago, window of 30
    assert f"{CANCEL}?orderID={seed.DEMO_ORDER}" not in shopper.get(f"{DETAILS}?orderID={seed.DEMO_ORDER}").text
    assert store.order(seed.DEMO_ORDER).state == "preparing"
    assert shopper.get(f"{CANCEL}?orderID={seed.DEMO_ORDER}", follow_redirects=False).status_code == 302


# -- Cancel items and its result ------------------------------------------------------------------

def test_cancel_items_form_matches_the_real_one(shopper: Shopper) -> None:
    shopper.sign_in()
    html = shopper.get(f"{CANCEL}?orderID=113-2345678-2345678").text
    assert 'id="cancel-items-form"' in html and 'id="select-toggle-link"' in html
    assert re.findall(r'<div class="a-box" data-itemid="([^"]+)">', html) == ["jlsmcable01s", "jlsmlamp002s", "jlsmmouse03s"]
    assert '<option value="ORDER_WAS_CREATED_BY_MISTAKE">Order Created by Mistake</option>' in html
    assert '<option value="OTHER_REASON">Other</option>' in html
    assert 'aria-label="Cancellation reason (optional)" id="cancel-reasons-dropdown"' in html
    assert 'maxlength="255" id="cancel-reason-additional-input"' in html
    assert re.search(r'<button id="preship-cancel-submit-button-announce"[^>]*disabled>Request cancellation</button>', html)
    assert '<span class="item-quantity">3</span>' in html


def test_a_cancel_lands_on_the_summary_and_changes_only_the_ticked_items(shopper: Shopper, store: StoreAdmin) -> None:
    shopper.sign_in()
    done = shopper.cancel("113-2345678-2345678", ["jlsmlamp002s"], "ITEM_PRICE_IS_TOO_HIGH", "found it cheaper")
    assert "/progress-tracker/package/preship/cancel-summary?orderID=113-2345678-2345678" in str(done.url)
    assert "cancelMessageType=SUCCESS" in str(done.url) and "cancelGuid=" in str(done.url)
    assert "Cancellation successful" in done.text and "LED Desk Lamp" in done.text and "Wireless Mouse" not in done.text
    order = store.order("113-2345678-2345678")
    assert order.item("Lamp")["status"] == "cancelled"
    assert order.item("Mouse")["status"] == "ordered" and order.state == "open"
    assert order.raw["cancel_reason"] == "ITEM_PRICE_IS_TOO_HIGH" and order.raw["cancel_note"] == "found it cheaper"
    (event,) = store.events("cancel_submitted")
    assert event["items"] == ["jlsmlamp002s"] and event["order_id"] == "113-2345678-2345678"


def test_cancelling_every_item_cancels_the_order(shopper: Shopper, store: StoreAdmin) -> None:
    shopper.sign_in()
    shopper.cancel(seed.DEMO_ORDER, ["jlsmkettle01s", "jlsmteapot02s"])
    assert store.order(seed.DEMO_ORDER).state == "cancelled"
    assert "cancelledOrderBanner" in shopper.get(f"{DETAILS}?orderID={seed.DEMO_ORDER}").text


def test_a_second_submission_is_refused_and_changes_nothing(shopper: Shopper, store: StoreAdmin) -> None:
    shopper.sign_in()
    shopper.cancel("113-2345678-2345678", ["jlsmlamp002s"])
    form = shopper.get(f"{CANCEL}?orderID=113-2345678-2345678")
    again = shopper.http.post(f"{CANCEL}?orderID=113-2345678-2345678",
                              data={"anti-csrftoken-a2z": shopper.csrf(form.text), "jlsmlamp002s": ""})
    assert "Unable to cancel requested items." in again.text
    assert len(store.events("cancel_submitted")) == 1 and len(store.events("cancel_refused")) == 1


def test_an_order_that_leaves_its_window_before_the_submit_is_refused(shopper: Shopper, store: StoreAdmin) -> None:
    shopper.sign_in()
    form = shopper.get(f"{CANCEL}?orderID={seed.DEMO_ORDER}")
    store.clock(advance_seconds=40 * 60)
    refused = shopper.http.post(f"{CANCEL}?orderID={seed.DEMO_ORDER}",
                                data={"anti-csrftoken-a2z": shopper.csrf(form.text), "jlsmkettle01s": ""})
    assert refused.status_code == 200
    assert "Unable to cancel requested items." in refused.text
    assert "You can return the eligible items after they arrive for a refund." in refused.text
    assert store.order(seed.DEMO_ORDER).statuses() == {"ordered"}


def test_ship_before_submit_fault_refuses_the_cancel(shopper: Shopper, store: StoreAdmin) -> None:
    shopper.sign_in()
    store.faults(ship_before_submit=[seed.DEMO_ORDER])
    refused = shopper.cancel(seed.DEMO_ORDER, ["jlsmkettle01s"])
    assert "Unable to cancel requested items." in refused.text
    assert store.order(seed.DEMO_ORDER).state == "shipped"


def test_third_party_orders_get_a_cancellation_request_the_seller_answers(shopper: Shopper, store: StoreAdmin) -> None:
    shopper.sign_in()
    done = shopper.cancel("113-8901234-8901234", ["jlsmdrone01s"])
    assert "cancelMessageType=REQUESTED" in str(done.url) and "Cancellation requested" in done.text
    assert store.order("113-8901234-8901234").state == "cancellation_requested"
    store.http.post("/__admin/orders/113-8901234-8901234/seller-decision", json={"accept": True})
    assert store.order("113-8901234-8901234").state == "cancelled"

    store.http.post("/__admin/orders/113-0123456-0123457/seller-decision", json={"accept": False})
    assert store.order("113-0123456-0123457").statuses() == {"ordered"}


def test_a_submit_with_no_item_ticked_is_rejected(shopper: Shopper, store: StoreAdmin) -> None:
    shopper.sign_in()
    response = shopper.cancel(seed.DEMO_ORDER, [])
    assert response.status_code == 400 and "Select at least one item" in response.text
    assert not store.events("cancel_submitted")


@pytest.mark.parametrize("reason, note", [("NOT_A_REASON", ""), ("", "x" * 256), ("", "line\nbreak"), ("", "nul\x00")])
def test_bad_reasons_and_notes_get_a_clear_4xx(shopper: Shopper, store: StoreAdmin, reason: str, note: str) -> None:
    shopper.sign_in()
    response = shopper.cancel(seed.DEMO_ORDER, ["jlsmkettle01s"], reason, note)
    assert response.status_code == 400
    assert store.order(seed.DEMO_ORDER).statuses() == {"ordered"}


def test_the_summary_needs_its_own_receipt(shopper: Shopper) -> None:
    shopper.sign_in()
    response = shopper.get(f"/progress-tracker/package/preship/cancel-summary?orderID={seed.DEMO_ORDER}&cancelGuid=nope")
    assert response.status_code == 404


# -- languages ------------------------------------------------------------------------------------

def test_a_danish_account_sees_danish_texts_with_the_same_structure(shopper: Shopper) -> None:
    shopper.sign_in(seed.DANISH_EMAIL, "dansk-password")
    orders = shopper.get("/your-orders/orders").text
    assert "Mine ordrer" in orders and "Annuller varer" in orders and "Ordre afgivet" in orders
    details = shopper.get(f"{DETAILS}?orderID=113-4444444-4444444").text
    assert "Ordredetaljer" in details and 'data-component="orderId"' in details
    form = shopper.get(f"{CANCEL}?orderID=113-4444444-4444444").text
    assert '<option value="ORDER_WAS_CREATED_BY_MISTAKE">Ordren blev oprettet ved en fejl</option>' in form
    assert "Anmod om annullering" in form and 'id="cancel-reasons-dropdown"' in form
    done = shopper.cancel("113-4444444-4444444", ["jlsmdansk1s"])
    assert "Annullering gennemført" in done.text


def test_the_store_wide_locale_applies_to_the_sign_in_pages() -> None:
    client = TestClient(create_app(locale="da"))
    page = client.get("/ap/signin")
    assert "E-mail eller mobiltelefonnummer" in page.text and 'id="ap_email"' in page.text


# -- security -------------------------------------------------------------------------------------

def test_session_cookie_is_httponly_and_samesite_lax(store: StoreAdmin) -> None:
    response = httpx.get(f"{store.url}/ap/signin")
    cookie = response.headers["set-cookie"].lower()
    assert "session-token=" in cookie and "httponly" in cookie and "samesite=lax" in cookie


def test_every_post_checks_the_csrf_token(shopper: Shopper, store: StoreAdmin) -> None:
    shopper.get("/ap/signin")
    no_token = shopper.http.post("/ap/signin", data={"email": seed.DEMO_EMAIL, "password": seed.DEMO_PASSWORD})
    assert no_token.status_code == 403
    shopper.sign_in()
    forged = shopper.http.post(f"{CANCEL}?orderID={seed.DEMO_ORDER}",
                               data={"anti-csrftoken-a2z": "forged", "jlsmkettle01s": ""})
    assert forged.status_code == 403
    assert store.order(seed.DEMO_ORDER).statuses() == {"ordered"}


def test_another_accounts_order_does_not_exist(shopper: Shopper, store: StoreAdmin) -> None:
    shopper.sign_in()
    foreign = "114-1111111-1111111"
    for path in (f"{DETAILS}?orderID={foreign}", f"{CANCEL}?orderID={foreign}"):
        response = shopper.get(path)
        assert response.status_code == 404 and "Looking for something?" in response.text
        assert "Blender" not in response.text
    token = shopper.csrf(shopper.get(f"{CANCEL}?orderID={seed.DEMO_ORDER}").text)
    post = shopper.http.post(f"{CANCEL}?orderID={foreign}", data={"anti-csrftoken-a2z": token, "jlsmother1s": ""})
    assert post.status_code == 404
    assert store.order(foreign).statuses() == {"ordered"}


def test_the_admin_api_is_invisible_without_its_token(store: StoreAdmin) -> None:
    assert httpx.get(f"{store.url}/__admin/events").status_code == 404
    assert httpx.get(f"{store.url}/__admin/events", headers={"Authorization": "Bearer wrong"}).status_code == 404
    no_admin = TestClient(create_app())
    assert no_admin.post("/__admin/reset", json={"scenario": "demo"}).status_code == 404


def test_item_titles_with_markup_render_as_text(shopper: Shopper, store: StoreAdmin) -> None:
    order = store.add_order(["<script>alert('x')</script> Kettle"])
    shopper.sign_in()
    html = shopper.get(f"{DETAILS}?orderID={order.id}").text
    assert "<script>alert" not in html and "&lt;script&gt;alert" in html


@pytest.mark.parametrize("order_id", ["", "113", "113-1234567-12345678", "' OR 1=1 --", "<script>", "１１３-1234567-1234567",
                                      "x" * 5000])
def test_malformed_order_numbers_get_the_not_found_page(shopper: Shopper, order_id: str) -> None:
    shopper.sign_in()
    response = shopper.get(DETAILS, params={"orderID": order_id})
    assert response.status_code == 404 and "Looking for something?" in response.text


def test_oversized_form_fields_are_a_4xx(shopper: Shopper) -> None:
    token = shopper.csrf(shopper.get("/ap/signin").text)
    response = shopper.http.post("/ap/signin", data={"appActionToken": token, "email": "a" * 5000})
    assert response.status_code == 400


def test_unknown_pages_are_not_found(shopper: Shopper) -> None:
    response = shopper.get("/no/such/page")
    assert response.status_code == 404 and "not a functioning page on our site" in response.text


# -- faults and the admin API ---------------------------------------------------------------------

def test_error_rate_serves_the_server_error_page(shopper: Shopper, store: StoreAdmin) -> None:
    store.faults(seed=7, error_rate=1.0)
    response = shopper.get("/ap/signin")
    assert response.status_code == 500 and "Sorry! Something went wrong" in response.text
    assert httpx.get(f"{store.url}/healthz").status_code == 200  # never the health check


def test_error_rate_is_deterministic_for_a_seed(store: StoreAdmin) -> None:
    def pattern() -> list[int]:
        store.faults(seed=42, error_rate=0.5)
        client = httpx.Client(base_url=store.url)
        return [client.get("/ap/signin").status_code for _ in range(12)]
    first = pattern()
    assert first == pattern() and 500 in first and 200 in first


def test_the_session_expires_after_its_requests(shopper: Shopper, store: StoreAdmin) -> None:
    shopper.sign_in()
    store.faults(session_ttl_requests=2)
    assert shopper.get("/your-orders/orders", follow_redirects=False).status_code == 200
    assert shopper.get("/your-orders/orders", follow_redirects=False).status_code == 200
    assert shopper.get("/your-orders/orders", follow_redirects=False).status_code == 302
    assert store.events("session_expired")


def test_reset_takes_a_whole_store_document(store: StoreAdmin, shopper: Shopper) -> None:
    store.http.post("/__admin/reset", json={
        "now": "2026-01-05T10:00:00Z",
        "accounts": [{"email": "a@example.com", "password": "pw"}],
        "orders": [{"id": "123-0000001-0000001", "account": "a@example.com", "placed_at": "2026-01-05T09:50:00Z",
                    "cancel_window_minutes": 15, "items": [{"id": "i1", "title": "Lamp", "price": "5"}]}],
    }).raise_for_status()
    assert store.order("123-0000001-0000001").state == "open"
    store.clock(advance_seconds=6 * 60)
    assert store.order("123-0000001-0000001").state == "preparing"


@pytest.mark.parametrize("doc", [{"accounts": [{"email": "a@example.com"}]}, {"scenario": "nope"},
                                 {"accounts": [], "orders": [{"id": "bad", "account": "x", "items": []}]}])
def test_bad_store_documents_are_a_400(store: StoreAdmin, doc: dict) -> None:
    response = store.http.post("/__admin/reset", json=doc)
    assert response.status_code == 400 and "error" in response.json()


def test_both_languages_have_every_text_and_none_shadows_a_template_name() -> None:
    from mock_store.texts import TEXTS
    assert set(TEXTS["en"]) == set(TEXTS["da"])
    assert not [key for key in TEXTS["en"] if hasattr(dict, key)]  # t.clear would be dict.clear in Jinja


def test_an_order_number_that_is_no_number_only_when_a_test_asks_for_a_hostile_store(
        store: StoreAdmin, shopper: Shopper) -> None:
    item = {"title": "Mug", "price": "5"}
    refused = store.http.post("/__admin/orders", json={"orders": [{"id": "../x/113-1234567-1234567",
                                                                   "account": seed.DEMO_EMAIL, "items": [item]}]})
    assert refused.status_code == 400 and "not an order number" in refused.text
    hostile = store.add_order([item], order_id="../x/113-1234567-1234567", hostile_id=True)
    assert hostile.id == "../x/113-1234567-1234567"
    shopper.sign_in()
    assert "../x/113-1234567-1234567" in order_cards(shopper.get("/your-orders/orders").text)
    assert shopper.get("/your-orders/order-details", params={"orderID": hostile.id}).status_code == 200


def test_the_admin_api_answers_an_unknown_order_with_its_json_error(store: StoreAdmin) -> None:
    for method, path, doc in [("GET", "/__admin/orders/113-0000000-0000009", None),
                              ("POST", "/__admin/orders/113-0000000-0000009/seller-decision", {"accept": True}),
                              ("POST", "/__admin/orders/113-0000000-0000009/store-cancel", {})]:
        answer = store.http.request(method, path, json=doc)
        assert (answer.status_code, answer.json()) == (404, {"error": "no such order"}), path
