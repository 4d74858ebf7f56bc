"""Your Orders (encrypted card by card, as on the live site, unless ?disableCsd=) and Order Details."""
from __future__ import annotations

import base64
import secrets
import urllib.parse
from datetime import timedelta
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from mock_store import texts
from mock_store.model import CANCELLATION_REQUESTED, CANCELLED, DELIVERED, OPEN, PREPARING, SHIPPED, Account, Order
from mock_store.store import StoreState
from mock_store.web import (
    CANCEL_PATH,
    DETAILS_PATH,
    ORDERS_PATH,
    Shopper,
    State,
    own_order,
    render,
    templates,
    voice_of,
)

router = APIRouter()
PAGE_SIZE = 10
RETURN_PATH = "/spr/returns/cart"
RETURN_STATUS_PATH = "/spr/returns/prep"
TIME_FILTERS = ("last30", "months-3")


def encrypt_card(html: str, key: bytes) -> str:
    """The card as the live site sends it: unreadable until the decryption library runs (any
    reversible scheme serves the mock; this one is XOR with a per-page key)."""
    data = html.encode()
    return base64.b64encode(bytes(b ^ key[i % len(key)] for i, b in enumerate(data))).decode()


def status_of(store: StoreState, order: Order, t: dict[str, str], loc: texts.Voice) -> tuple[str, str | None]:
    state = order.state(store.now())
    if state == CANCELLED:
        return t["status_cancelled"], t["status_cancelled_detail"]
    if state == CANCELLATION_REQUESTED:
        return t["status_requested"], t["status_requested_detail"]
    if order.digital:
        return t["status_digital"], None
    if state == DELIVERED:
        return t["status_delivered"].format(day=texts.long_date(order.expected_delivery(), loc)), None
    if state == SHIPPED:
        return t["status_shipped"], None
    if state == PREPARING:
        return t["status_preparing"], None
    return order.status_text or t["status_open"].format(day=texts.weekday(order.expected_delivery(), loc)), None


def buttons_of(store: StoreState, order: Order, t: dict[str, str], where: str) -> list[tuple[str, str, bool]]:
    state = order.state(store.now())
    buttons: list[tuple[str, str, bool]] = []
    if state in (OPEN, PREPARING, SHIPPED):
        buttons.append((t["track_package"], f"/gp/your-account/ship-track?orderId={order.id}", True))
    if order.cancellable(store.now()):
        buttons.append((t["cancel_items"], f"{CANCEL_PATH}?orderID={order.id}&ref_=ppx_{where}_cancel_items", False))
        if where == "yo2ov_dt_b":
            buttons.append((t["view_or_edit"], f"{DETAILS_PATH}?orderID={order.id}&ref=ppx_yo2ov_dt_b_fed_veo", False))
    if state in (SHIPPED, DELIVERED) and not order.digital and store.now() <= order.return_deadline():
        buttons.append(return_button(order, t))
    return buttons


def return_button(order: Order, t: dict[str, str]) -> tuple[str, str, bool]:
    """The way out once it is too late, at the live paths: "Return or replace items", or "View
    return/refund status" once a return exists (a hostile store's order may link elsewhere)."""
    if order.return_link:
        return t["return_items"], order.return_link, False
    if order.return_started:
        return t["return_status"], f"{RETURN_STATUS_PATH}?orderId={order.id}&ref=ppx_yo2ov_dt_b_return_status", False
    return t["return_items"], f"{RETURN_PATH}?orderId={order.id}&ref=ppx_yo2ov_dt_b_return_replace", False


def in_time_filter(store: StoreState, order: Order, time_filter: str) -> bool:
    now = store.now()
    if time_filter == "last30":
        return order.placed_at >= now - timedelta(days=30)
    if time_filter.startswith("year-") and time_filter[5:].isdigit():
        return order.placed_at.year == int(time_filter[5:])
    return order.placed_at >= now - timedelta(days=90)


def chosen_orders(store: StoreState, email: str, time_filter: str, order_filter: str | None,
                  search: str) -> list[Order]:
    """The account's orders that the page's search, time filter and order filter select, newest first."""
    orders = store.orders_of(email)
    if search:
        needle = search.lower()
        orders = [o for o in orders if needle in o.id.lower() or any(needle in i.title.lower() for i in o.items)]
    else:
        orders = [o for o in orders if in_time_filter(store, o, time_filter)]
    now = store.now()
    if order_filter == "open":
        orders = [o for o in orders if o.state(now) in (OPEN, PREPARING)]
    elif order_filter == "cancelled":
        orders = [o for o in orders if any(i.status == CANCELLED for i in o.items)]
    return orders


def card_of(store: StoreState, order: Order, t: dict[str, str], loc: texts.Voice) -> dict[str, Any]:
    status, detail = status_of(store, order, t, loc)
    return {"id": order.id, "placed": texts.long_date(order.placed_at, loc), "total": texts.money(order.total, loc),
            "ship_to": order.ship_to, "status": status, "status_detail": detail,
            "cancelled": order.state(store.now()) == CANCELLED, "shipments": order.shipments(),
            "buttons": buttons_of(store, order, t, "yo2ov_dt_b")}


def encrypt_cards(cards: list[dict[str, Any]], t: dict[str, str], keyless: bool = False) -> None:
    """Each card encrypted, with its key; `keyless`: the key service out of reach, no key is sent."""
    key = secrets.token_bytes(16)
    for number, card in enumerate(cards):
        plain = templates.get_template("_order_card.html").render(c=card, t=t)
        card.update(csd_id=f"csd-{secrets.token_hex(4)}-{number}", ct=encrypt_card(plain, key),
                    key=None if keyless else base64.b64encode(key).decode())


def orders_page(request: Request, store: StoreState, account: Account, search: str | None = None) -> Response:
    loc = voice_of(request, account)
    t = loc.words
    query = request.query_params
    time_filter = query.get("timeFilter") or "months-3"
    if time_filter not in TIME_FILTERS and not (time_filter.startswith("year-") and time_filter[5:].isdigit()):
        time_filter = "months-3"
    order_filter = query.get("orderFilter") if query.get("orderFilter") in ("open", "cancelled") else None
    search = (search if search is not None else query.get("search") or "").strip()[:100]
    orders = chosen_orders(store, account.email, time_filter, order_filter, search)
    try:
        start = max(0, int(query.get("startIndex") or 0))
    except ValueError:
        start = 0
    total = len(orders)
    start = min(start, max(0, (total - 1) // PAGE_SIZE * PAGE_SIZE))
    cards = [card_of(store, order, t, loc) for order in orders[start:start + PAGE_SIZE]]
    reloads = store.faults.decryption_reloads
    # the live site's switch for its plain fallback (which the "always" fault serves encrypted too)
    encrypted = "disableCsd" not in query or reloads == "always"
    if encrypted:
        encrypt_cards(cards, t, keyless=reloads is not None)
        with store.lock:
            store.injected["self_reloading_page"] += reloads is not None
    keep = {k: v for k, v in (("timeFilter", query.get("timeFilter")), ("orderFilter", order_filter),
                              ("search", search or None)) if v}

    def href(index: int) -> str:
        return f"{ORDERS_PATH}?{urllib.parse.urlencode({**keep, 'startIndex': index})}"
    pages = [(n + 1, href(n * PAGE_SIZE), n * PAGE_SIZE == start) for n in range((total + PAGE_SIZE - 1) // PAGE_SIZE)]
    now = store.now()
    time_filters = [("last30", t["last30"]), ("months-3", t["months3"])] + [
        (f"year-{y}", str(y)) for y in range(now.year, now.year - 4, -1)]
    return render("orders.html", request, account=account, title=t["your_orders"], cards=cards, total=total,
                  pages=pages, prev_href=href(start - PAGE_SIZE) if start > 0 else None,
                  next_href=href(start + PAGE_SIZE) if start + PAGE_SIZE < total else None,
                  time_filters=time_filters, time_filter=time_filter, order_filter=order_filter, search=search,
                  encrypted=encrypted)


@router.get(ORDERS_PATH)
def your_orders(request: Request, store: State, shopper: Shopper) -> Response:
    return orders_page(request, store, shopper[1])


@router.get("/your-orders/search")
def search_orders(request: Request, store: State, shopper: Shopper) -> Response:
    return orders_page(request, store, shopper[1], request.query_params.get("search") or "")


@router.get("/gp/css/order-history")
@router.get("/gp/your-account/order-history")
def old_order_history(request: Request) -> Response:
    return RedirectResponse(ORDERS_PATH + (f"?{request.url.query}" if request.url.query else ""), status_code=301)


def returns_text(store: StoreState, order: Order, t: dict[str, str], loc: texts.Voice) -> str | None:
    if order.digital or order.seller == "third_party" and order.state(store.now()) == OPEN:
        return None
    deadline = order.return_deadline()
    if deadline < store.now():
        return t["return_closed"].format(date=texts.long_date(deadline, loc))
    policy = t["return_free"] if order.free_returns else t["return_paid"]
    return f"{t['return_eligible'].format(date=texts.long_date(deadline, loc))} · {policy}"


@router.get(DETAILS_PATH)
@router.get("/gp/your-account/order-details")
def order_details(request: Request, store: State, shopper: Shopper) -> Response:
    _, account = shopper
    order = own_order(request, store, account)
    loc = voice_of(request, account)
    t = loc.words
    status, detail = status_of(store, order, t, loc)
    state = order.state(store.now())
    active = [i for i in order.items if i.status != CANCELLED]
    return render("order_details.html", request, account=account, title=t["order_details"], order=order,
                  fully_cancelled=state == CANCELLED, placed=texts.long_date(order.placed_at, loc),
                  status=status, status_detail=detail, active_items=active,
                  cancelled_items=[i for i in order.items if i.status == CANCELLED],
                  buttons=buttons_of(store, order, t, "hzod_shipconns_dt_b_fed"),
                  seller=order.seller_name, returns=returns_text(store, order, t, loc))


@router.get(RETURN_PATH)
@router.get(RETURN_STATUS_PATH)
def returns(request: Request, store: State, shopper: Shopper) -> Response:
    """A stand-in for the returns pages: the tool only ever names their address, never opens them."""
    _, account = shopper
    order = own_order(request, store, account)
    t = voice_of(request, account).words
    return render("message.html", request, account=account, title=t["return_items"], heading=t["return_items"],
                  body=t["returns_stub"].format(order_id=order.id), page_id="returns", kind=None)
