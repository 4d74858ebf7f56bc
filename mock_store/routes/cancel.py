"""Cancel items (the form, its submit, the store's faults around it) and the cancel summary."""
from __future__ import annotations

import asyncio
import secrets
import urllib.parse

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from mock_store import texts
from mock_store.model import Account, Order
from mock_store.web import (
    CANCEL_PATH,
    DETAILS_PATH,
    SUMMARY_PATH,
    NotFound,
    Shopper,
    State,
    check_csrf,
    form_of,
    own_order,
    render,
    voice_of,
    words_of,
)

router = APIRouter()
MAX_NOTE = 255


def cancel_form(request: Request, account: Account, order: Order, error: str | None = None,
                status: int = 200) -> HTMLResponse:
    loc = voice_of(request, account)
    reasons = texts.reason_labels(loc)
    return render("cancel_items.html", request, status, account, title=loc.words["cancel_title"],
                  items=order.active_items, reasons=reasons, error=error)


@router.get(CANCEL_PATH)
def cancel_items(request: Request, store: State, shopper: Shopper) -> Response:
    _, account = shopper
    order = own_order(request, store, account)
    if not order.cancellable(store.now()):
        # the real site sends a shopper whose order left its window back to the order
        return RedirectResponse(f"{DETAILS_PATH}?orderID={order.id}", status_code=302)
    return cancel_form(request, account, order)


def valid_reason_and_note(form: dict[str, str]) -> tuple[str | None, str | None]:
    reason = form.get("cancelReason") or None
    note = form.get("cancelNote") or None
    if reason is not None and reason not in texts.REASON_VALUES:
        raise StarletteHTTPException(400, "unknown reason")
    if note is not None and (len(note) > MAX_NOTE or any(ord(c) < 32 or ord(c) == 127 for c in note)):
        raise StarletteHTTPException(400, "bad note")
    return reason, note


@router.post(CANCEL_PATH)
async def cancel_submit(request: Request, store: State, shopper: Shopper) -> Response:
    session, account = shopper
    order = own_order(request, store, account)
    form = await form_of(request)
    check_csrf(session, form.get("anti-csrftoken-a2z"))
    item_ids = [i.id for i in order.items if i.id in form]
    reason, note = valid_reason_and_note(form)
    with store.lock:  # every press that reaches the store, whatever becomes of it
        store.record(account.email, "cancel_received", "received", order_id=order.id, items=item_ids)
    if not item_ids:
        return cancel_form(request, account, order, words_of(request, account)["cancel_nothing"], 400)
    if order.id in store.faults.apply_cancel_late:
        # the store takes the cancel but answers nothing; it applies it later, on its own clock,
        # whether or not anyone still waits for the answer
        delay = store.faults.late_cancel_ms / 1000
        with store.lock:
            store.injected["late_cancel"] += 1
        asyncio.get_running_loop().call_later(delay, store.cancel, order, item_ids, reason, note)
        await asyncio.sleep(delay + 1)
        return RedirectResponse(f"{DETAILS_PATH}?orderID={order.id}", status_code=303)
    result = store.cancel(order, item_ids, reason, note)
    if result in ("refused", "bundle_refused"):
        return cancel_form(request, account, order, words_of(request, account)[
            "cancel_refused" if result == "refused" else "bundle_refused"])
    guid = secrets.token_hex(8)
    with store.lock:
        store.receipts[guid] = (order.id, item_ids, result)
    if order.id in store.faults.drop_response_after_cancel:
        # the store did cancel, but the answer never arrives
        store.injected["dropped_response"] += 1
        await asyncio.sleep(3600)
    kind = {"cancelled": "SUCCESS", "pending": "PENDING"}.get(result, "REQUESTED")
    query = urllib.parse.urlencode({"orderID": order.id, "cancelGuid": guid, "cancelMessageType": kind})
    return RedirectResponse(f"{SUMMARY_PATH}?{query}", status_code=303)


@router.get(SUMMARY_PATH)
def cancel_summary(request: Request, store: State, shopper: Shopper) -> Response:
    _, account = shopper
    order = own_order(request, store, account)
    receipt = store.receipts.get(request.query_params.get("cancelGuid", ""))
    if receipt is None or receipt[0] != order.id:
        raise NotFound()
    _, item_ids, result = receipt
    t = words_of(request, account)
    kind, words = {"cancelled": ("SUCCESS", ("cancel_success", None, "cancelled")),
                   "pending": ("PENDING", ("cancel_pending", "cancel_pending_body", "pending"))}.get(
        result, ("REQUESTED", ("cancel_requested", "cancel_requested_body", "requested")))
    heading, body, status = words
    return render("cancel_summary.html", request, account=account, title=t["summary_title"], kind=kind,
                  heading=t[heading], body=t[body] if body else None, item_status=t[status],
                  items=[i for i in order.items if i.id in item_ids])
