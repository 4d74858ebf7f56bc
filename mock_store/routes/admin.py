"""The admin API: reset and seed the store, move its clock, switch faults on, decide for sellers,
approve devices, read the event log. Invisible (404) without the admin token."""
from __future__ import annotations

import hmac
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict
from starlette.exceptions import HTTPException as StarletteHTTPException

from mock_store import seed
from mock_store.mail import MailServer
from mock_store.model import Faults, Order, StoreError
from mock_store.web import State


def admin_guard(request: Request) -> None:
    """Constant-time check of the bearer token; a wrong or missing one sees no admin API at all."""
    token: str | None = request.app.state.admin_token
    supplied = request.headers.get("authorization", "")
    expected = f"Bearer {token}" if token else ""
    if not token or not hmac.compare_digest(supplied.encode(), expected.encode()):
        raise StarletteHTTPException(404, "Not Found")


router = APIRouter(prefix="/__admin", dependencies=[Depends(admin_guard)])


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Reset(Body):
    """A named scenario (optionally at a moment), or a whole store document."""
    scenario: str | None = None
    now: str | None = None
    accounts: list[dict[str, Any]] | None = None
    orders: list[dict[str, Any]] | None = None


class NewOrders(Body):
    orders: list[dict[str, Any]] = []


class SellerDecision(Body):
    accept: bool = False


class Clock(Body):
    now: str | None = None
    advance_seconds: float | None = None


class FaultSwitches(Body):
    seed: int | None = None
    error_rate: float | None = None
    latency_ms: list[int] | None = None
    session_ttl_requests: int | None = None
    challenge_next_sign_in: str | None = None
    ship_before_submit: list[str] | None = None
    drop_response_after_cancel: list[str] | None = None
    apply_cancel_late: list[str] | None = None
    late_cancel_ms: int | None = None
    sign_in_host: str | None = None
    inject_script: str | None = None
    decryption_reloads: str | None = None
    asset_origin: str | None = None
    robot_check: str | None = None
    robot_check_path: str | None = None


class Approval(Body):
    email: str = ""


class MailSettings(Body):
    """Where the store's e-mails go: `smtp` is HOST:PORT, smtp://HOST:PORT or lmtp://HOST:PORT
    (none: no mail); `to` sends them all to one address instead of each account's."""
    smtp: str | None = None
    to: str | None = None


class StoreCancel(Body):
    items: list[str] | None = None  # item ids; none: every item still ordered


def bad_request(exc: Exception) -> JSONResponse:
    return JSONResponse({"error": str(exc)}, status_code=400)


@router.post("/reset")
def reset(body: Reset, store: State) -> Response:
    try:
        if body.scenario is not None:
            if body.scenario not in seed.SCENARIOS:
                raise StoreError(f"unknown scenario {body.scenario!r}")
            now = datetime.fromisoformat(body.now) if body.now else store.now()
            store.load({**seed.SCENARIOS[body.scenario](now), **({"now": body.now} if body.now else {})})
        else:
            store.load(body.model_dump(exclude_none=True))
    except (StoreError, KeyError, TypeError, ValueError) as exc:
        return bad_request(exc)
    return JSONResponse({"accounts": len(store.accounts), "orders": len(store.orders)})


@router.post("/orders")
def add_orders(body: NewOrders, store: State) -> Response:
    try:
        orders = store.add_orders(body.orders)
    except (StoreError, KeyError, TypeError, ValueError) as exc:
        return bad_request(exc)
    return JSONResponse({"orders": [o.id for o in orders]})


def known_order(order_id: str, store: State) -> Order:
    """The order the address names; else 404, `{"error": "no such order"}` (the admin's error shape)."""
    found = store.orders.get(order_id)
    if found is None:
        raise StarletteHTTPException(404, "no such order")
    return found


KnownOrder = Annotated[Order, Depends(known_order)]


@router.get("/orders/{order_id:path}")  # path: a hostile id may hold slashes
def order(found: KnownOrder, store: State) -> Response:
    with store.lock:
        return JSONResponse(store.admin_view(found))


@router.post("/orders/{order_id}/seller-decision")
def seller_decision(found: KnownOrder, body: SellerDecision, store: State) -> Response:
    store.seller_decides(found, body.accept)
    return JSONResponse(store.admin_view(found))


@router.post("/orders/{order_id}/store-cancel")
def store_cancel(found: KnownOrder, body: StoreCancel, store: State) -> Response:
    """The store cancels an order (or some of its items) itself, and e-mails the shopper."""
    store.store_cancels(found, body.items)
    return JSONResponse(store.admin_view(found))


@router.post("/mail")
def mail_settings(body: MailSettings, store: State) -> Response:
    try:
        server = MailServer.parse(body.smtp, body.to) if body.smtp else None
    except StoreError as exc:
        return bad_request(exc)
    with store.lock:
        store.mail = server
    return JSONResponse({"ok": True})


@router.post("/clock")
def clock(body: Clock, store: State) -> Response:
    try:
        now = store.set_clock(body.model_dump(exclude_none=True))
    except (StoreError, TypeError, ValueError) as exc:
        return bad_request(exc)
    return JSONResponse({"now": now.isoformat()})


@router.post("/faults")
def faults(body: FaultSwitches, store: State) -> Response:
    try:
        switched = Faults.from_document(body.model_dump(exclude_none=True))
    except (StoreError, TypeError, ValueError) as exc:
        return bad_request(exc)
    with store.lock:
        store.faults = switched
    return JSONResponse({"ok": True})


@router.get("/faults")
def fault_counts(store: State) -> Response:
    with store.lock:
        return JSONResponse({"injected": dict(store.injected)})


@router.post("/approvals")
def approve(body: Approval, store: State) -> Response:
    store.approved.add(body.email.lower())
    return JSONResponse({"ok": True})


@router.get("/events")
def events(store: State) -> Response:
    with store.lock:
        return JSONResponse(list(store.events))


@router.get("/requests")
def requests(store: State) -> Response:
    """Every storefront request (method, path, query, and the store's monotonic clock in seconds)."""
    with store.lock:
        return JSONResponse(list(store.requests))
