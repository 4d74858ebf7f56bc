"""A store document (a scenario, or what the admin API is given) read into the store's records,
every field checked: a bad document is one StoreError, never a half-loaded store."""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

import pyotp

from mock_store.model import (
    CANCELLATION_REQUESTED,
    CANCELLED,
    LAYOUTS,
    ORDER_ID,
    ORDERED,
    PERSONAS,
    PRODUCT_ID,
    STAGES,
    Account,
    Item,
    Order,
    StoreError,
    default_product_id,
    parse_time,
)


def account_from(raw: dict[str, Any]) -> Account:
    """An account of a store document, every field checked."""
    try:
        email = str(raw["email"]).strip().lower()
        password = str(raw["password"])
    except KeyError as exc:
        raise StoreError(f"an account needs {exc.args[0]!r}") from exc
    persona = raw.get("persona")
    if persona is not None and persona not in PERSONAS:
        raise StoreError(f"unknown persona {persona!r}")
    locale = raw.get("locale")
    if locale not in (None, "en", "da", "de", "sv"):
        raise StoreError(f"unknown locale {locale!r}")
    marketplace = raw.get("marketplace")
    if marketplace not in (None, "com", "co.uk", "de", "se"):
        raise StoreError(f"unknown marketplace {marketplace!r}")
    secret = raw.get("totp_secret")
    if secret is not None:
        try:
            pyotp.TOTP(secret).byte_secret()
        except (ValueError, TypeError) as exc:
            raise StoreError(f"account {email}: totp_secret is not a base32 secret of 112 bits or more") from exc
    return Account(email, password, raw.get("name") or email.split("@")[0].title(), raw.get("totp_secret"), locale,
                   persona, marketplace)


def order_from(raw: dict[str, Any], accounts: dict[str, Account], now: datetime) -> Order:
    """An order of a store document, every field checked (the account must exist)."""
    order_id = str(raw.get("id", ""))
    # "hostile_id": a test's store that numbers an order with any string (a path, say), as a
    # hostile store could
    if not ORDER_ID.match(order_id) and not (raw.get("hostile_id") is True and 0 < len(order_id) <= 300):
        raise StoreError(f"not an order number: {order_id!r}")
    account = str(raw.get("account", "")).lower()
    if account not in accounts:
        raise StoreError(f"order {order_id}: unknown account {account!r}")
    stage = raw.get("stage")
    if stage is not None and stage not in STAGES:
        raise StoreError(f"order {order_id}: unknown stage {stage!r}")
    seller = raw.get("seller", "amazon")
    if seller not in ("amazon", "third_party"):
        raise StoreError(f"order {order_id}: seller must be 'amazon' or 'third_party'")
    items = items_from(order_id, raw.get("items") or [])
    if not items:
        raise StoreError(f"order {order_id}: an order needs items")
    digital = bool(raw.get("digital")) or order_id.startswith("D01-")
    decision = decision_from(order_id, raw.get("decision"))
    order = Order(
        id=order_id,
        account=account,
        placed_at=parse_time(raw.get("placed_at") or now),
        items=items,
        cancel_window_minutes=int(raw.get("cancel_window_minutes", 30)),
        seller=seller,
        seller_name=raw.get("seller_name") or ("Amazon.com" if seller == "amazon" else "Nordic Gadgets ApS"),
        digital=digital,
        stage=stage,
        ship_to=raw.get("ship_to") or accounts[account].name,
        return_days=int(raw.get("return_days", 30)),
        free_returns=bool(raw.get("free_returns", seller == "amazon")),
        decision=decision,
        status_text=str(raw["status_text"]) if raw.get("status_text") else None,
        layout=layout_from(order_id, raw.get("layout"), len(items)),
        return_started=bool(raw.get("return_started")),
        return_link=return_link_from(order_id, raw.get("return_link")),
    )
    if stage == CANCELLED:
        for item in order.items:
            item.status = CANCELLED
    return order


def items_from(order_id: str, raws: list[dict[str, Any]]) -> list[Item]:
    """An order's items, each field checked."""
    items = []
    for index, item in enumerate(raws):
        try:
            price = Decimal(str(item.get("price", "0")))
        except ArithmeticError as exc:
            raise StoreError(f"order {order_id}: bad price {item.get('price')!r}") from exc
        status = item.get("status", ORDERED)
        if status not in (ORDERED, CANCELLED, CANCELLATION_REQUESTED):
            raise StoreError(f"order {order_id}: unknown item status {status!r}")
        item_id = str(item.get("id") or f"{order_id[-7:]}{index:02d}s")
        product_id = str(item.get("product_id") or item.get("product") or default_product_id(item_id))
        if not PRODUCT_ID.match(product_id):
            raise StoreError(f"order {order_id}: product_id {product_id!r} is not 10 capitals and digits")
        if any(i.id == item_id for i in items):
            raise StoreError(f"order {order_id}: two items with the id {item_id!r}")
        bundle = item.get("bundle")
        items.append(Item(item_id, str(item["title"]), price, int(item.get("quantity", 1)), status, product_id,
                          str(bundle) if bundle else None))
    return items


def decision_from(order_id: str, decision: Any) -> tuple[int, str] | None:
    """When and how the store decides a cancellation it takes pending: (after minutes, result)."""
    if decision is None:
        return None
    if not isinstance(decision, dict) or decision.get("result") not in ("cancelled", "refused"):
        raise StoreError(f"order {order_id}: decision needs result 'cancelled' or 'refused'")
    minutes = decision.get("after_minutes", 0)
    if not isinstance(minutes, int | float) or not 0 <= minutes <= 60 * 24 * 30:
        raise StoreError(f"order {order_id}: decision.after_minutes must be 0 to 43200")
    return (int(minutes), decision["result"])


def layout_from(order_id: str, layout: Any, item_count: int) -> tuple[str, ...]:
    """Your Orders' layout of an order: one of LAYOUTS, or a list of them, one per shipment (no more
    shipments than items); none chooses by item count."""
    if layout is None:
        return ()
    names = (layout,) if isinstance(layout, str) else tuple(layout) if isinstance(layout, list) else None
    if not names or any(name not in LAYOUTS for name in names) or len(names) > item_count:
        raise StoreError(f"order {order_id}: layout must be one of {', '.join(LAYOUTS)}, or a list of them with "
                         "no more entries than items")
    return names


def return_link_from(order_id: str, link: Any) -> str | None:
    if link is not None and (not isinstance(link, str) or not 0 < len(link) <= 300):
        raise StoreError(f"order {order_id}: return_link must be an address of at most 300 characters")
    return link
