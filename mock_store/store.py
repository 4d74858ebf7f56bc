"""The mock storefront's state: accounts, orders, the store clock, sessions, faults and events."""
from __future__ import annotations

import secrets
import smtplib
import threading
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

from mock_store import mail
from mock_store.documents import account_from, order_from
from mock_store.model import (
    CANCELLATION_REQUESTED,
    CANCELLED,
    ORDERED,
    PREPARING,
    SHIPPED,
    Account,
    Faults,
    Item,
    Order,
    Session,
    StoreError,
    parse_time,
)


class StoreState:
    """All mutable state of one mock store, guarded by one lock (handlers run in a thread pool)."""

    def __init__(self, default_locale: str = "en", default_marketplace: str = "com") -> None:
        self.lock = threading.RLock()
        self.default_locale = default_locale
        self.default_marketplace = default_marketplace
        self.accounts: dict[str, Account] = {}
        self.orders: dict[str, Order] = {}
        self.sessions: dict[str, Session] = {}
        self.events: list[dict[str, Any]] = []
        self.requests: list[dict[str, Any]] = []  # every storefront request: method, path, monotonic time, host, user agent, whether a browser navigated
        self.faults = Faults()
        self.injected: Counter[str] = Counter()  # faults served, for the soak's numbers
        self.frozen_now: datetime | None = None
        self.approved: set[str] = set()
        # cancelGuid -> (order id, item ids, result), for the summary page
        self.receipts: dict[str, tuple[str, list[str], str]] = {}
        self.mail_default: mail.MailServer | None = None  # --smtp: kept across resets
        self.mail: mail.MailServer | None = None  # where the store's e-mails go now (the admin API may change it)
        self.waf_tokens: set[str] = set()  # the tokens the asset origin gave challenge scripts

    # -- time -------------------------------------------------------------------------------
    def now(self) -> datetime:
        return self.frozen_now or datetime.now(UTC)

    def set_clock(self, doc: dict[str, Any]) -> datetime:
        with self.lock:
            if "now" in doc:
                self.frozen_now = parse_time(doc["now"])
            elif "advance_seconds" in doc:
                self.frozen_now = self.now() + timedelta(seconds=float(doc["advance_seconds"]))
            else:
                raise StoreError("clock needs 'now' or 'advance_seconds'")
            return self.frozen_now

    # -- loading ----------------------------------------------------------------------------
    def load(self, doc: dict[str, Any]) -> None:
        with self.lock:
            self.accounts.clear()
            self.orders.clear()
            self.sessions.clear()
            self.events.clear()
            self.requests.clear()
            self.approved.clear()
            self.receipts.clear()
            self.waf_tokens.clear()
            self.faults = Faults()
            self.injected.clear()
            self.mail = self.mail_default
            self.frozen_now = parse_time(doc["now"]) if doc.get("now") else None
            for raw in doc.get("accounts", []):
                self.add_account(raw)
            self.add_orders(doc.get("orders", []))

    def add_account(self, raw: dict[str, Any]) -> Account:
        account = account_from(raw)
        self.accounts[account.email] = account
        return account

    def add_orders(self, raws: list[dict[str, Any]]) -> list[Order]:
        with self.lock:
            orders = [order_from(raw, self.accounts, self.now()) for raw in raws]
            for order in orders:
                self.orders[order.id] = order
            return orders

    # -- queries ----------------------------------------------------------------------------
    def order_for(self, email: str, order_id: str) -> Order | None:
        """The order, only if it belongs to this account: other accounts' orders do not exist."""
        order = self.orders.get(order_id)
        if order is None or order.account != email:
            return None
        self.settle(order)
        return order

    def orders_of(self, email: str) -> list[Order]:
        mine = [o for o in self.orders.values() if o.account == email]
        for order in mine:
            self.settle(order)
        return sorted(mine, key=lambda o: (o.placed_at, o.id), reverse=True)

    def settle(self, order: Order) -> None:
        """A pending cancellation decided once the store clock passes its time: 'cancelled'
        cancels its items; 'refused' leaves them ordered and the order ships (the live site's
        refusal says the items "may have entered the shipping process")."""
        with self.lock:
            if order.pending is None or order.decision is None:
                return
            since, item_ids = order.pending
            minutes, result = order.decision
            if self.now() < since + timedelta(minutes=minutes):
                return
            order.pending = None
            decided = [item for item in order.items if item.id in item_ids]
            if result == "cancelled":
                decided = [item for item in decided if item.status == ORDERED]
                for item in decided:
                    item.status = CANCELLED
            else:
                order.stage = SHIPPED
            self.record(order.account, "pending_decided", result, order_id=order.id, items=item_ids)
            self.send_mail(mail.YOU if result == "cancelled" else mail.REFUSED, order, decided)

    def admin_view(self, order: Order) -> dict[str, Any]:
        self.settle(order)
        now = self.now()
        return {
            "id": order.id,
            "account": order.account,
            "state": order.state(now),
            "partly_cancelled": 0 < sum(i.status == CANCELLED for i in order.items) < len(order.items),
            "cancellable": order.cancellable(now),
            "items": [{"id": i.id, "product_id": i.product_id, "title": i.title, "price": str(i.price),
                       "quantity": i.quantity, "status": i.status} for i in order.items],
            "cancel_reason": order.cancel_reason,
            "cancel_note": order.cancel_note,
            "pending": order.pending is not None,
        }

    # -- sessions ---------------------------------------------------------------------------
    def new_session(self) -> Session:
        session = Session(token=secrets.token_urlsafe(24), csrf=secrets.token_urlsafe(24))
        self.sessions[session.token] = session
        return session

    def session(self, token: str | None) -> Session | None:
        return self.sessions.get(token) if token else None

    # -- events -----------------------------------------------------------------------------
    def record(self, account: str | None, action: str, result: str, **fields: Any) -> None:
        event = {"at": self.now().isoformat(), "account": account, "action": action, "result": result}
        event.update({k: v for k, v in fields.items() if v is not None})
        self.events.append(event)

    # -- the cancellation itself ------------------------------------------------------------
    def cancel(self, order: Order, item_ids: list[str], reason: str | None, note: str | None) -> str:
        """Apply a cancel submission. Returns 'cancelled', 'requested', 'pending', 'refused' or
        'bundle_refused' (part of a bundle asked for: nothing changes)."""
        with self.lock:
            if self.orders.get(order.id) is not order:  # a late cancel of an order a reset has replaced
                return "refused"
            self.settle(order)
            if order.id in self.faults.ship_before_submit and order.stage != SHIPPED:
                order.stage = SHIPPED
                self.injected["shipped_before_submit"] += 1
            chosen = [item for item in order.items if item.id in item_ids]
            if not order.cancellable(self.now()) or any(i.status != ORDERED for i in chosen):
                self.record(order.account, "cancel_refused", "refused", order_id=order.id,
                            items=item_ids, reason=reason)
                return "refused"
            bundles = {i.bundle for i in chosen if i.bundle}
            if any(i.bundle in bundles and i.id not in item_ids for i in order.active_items):
                self.record(order.account, "cancel_refused", "bundle", order_id=order.id, items=item_ids)
                return "bundle_refused"
            if order.decision is not None and order.seller == "amazon":
                if order.pending is None:
                    order.pending = (self.now(), [i.id for i in chosen])
                order.cancel_reason, order.cancel_note = reason, note
                self.record(order.account, "cancel_submitted", "pending", order_id=order.id,
                            items=[i.id for i in chosen], reason=reason)
                self.settle(order)  # a decision after 0 minutes is taken at once
                return "pending"
            status = CANCELLATION_REQUESTED if order.seller == "third_party" else CANCELLED
            for item in chosen:
                item.status = status
            order.cancel_reason, order.cancel_note = reason, note
            result = "requested" if status == CANCELLATION_REQUESTED else "cancelled"
            self.record(order.account, "cancel_submitted", result, order_id=order.id,
                        items=[i.id for i in chosen], reason=reason)
            if result == "cancelled":
                self.send_mail(mail.YOU, order, chosen)
            return result

    def seller_decides(self, order: Order, accept: bool) -> None:
        with self.lock:
            asked = [item for item in order.items if item.status == CANCELLATION_REQUESTED]
            for item in asked:
                item.status = CANCELLED if accept else ORDERED
            if not accept:
                order.stage = PREPARING  # declined: the seller ships it
            self.record(order.account, "seller_decision", "accepted" if accept else "declined",
                        order_id=order.id)
            if asked:
                self.send_mail(mail.YOU if accept else mail.REFUSED, order, asked)

    def store_cancels(self, order: Order, item_ids: list[str] | None) -> list[str]:
        """The store cancels items itself (out of stock, a payment declined...), as the live store
        sometimes does: the shopper learns it from the store's e-mail and the order page."""
        with self.lock:
            chosen = [item for item in order.active_items if item_ids is None or item.id in item_ids]
            for item in chosen:
                item.status = CANCELLED
            self.record(order.account, "store_cancelled", "cancelled", order_id=order.id,
                        items=[item.id for item in chosen])
            if chosen:
                self.send_mail(mail.STORE, order, chosen)
            return [item.id for item in chosen]

    # -- the store's e-mails ----------------------------------------------------------------
    def send_mail(self, kind: str, order: Order, items: list[Item]) -> None:
        """The store's e-mail about a cancellation, when it has a mail server; one that cannot be
        delivered is an event in the log, never a failed request."""
        server, account = self.mail, self.accounts.get(order.account)
        if server is None or account is None or not items:
            return
        voice = mail.voice_for(account, self.default_locale, self.default_marketplace)
        message = mail.compose(kind, account, order, items, voice, self.now())
        try:
            mail.send(server, message)
        except (OSError, smtplib.SMTPException) as exc:
            self.record(order.account, "mail_failed", type(exc).__name__, order_id=order.id, kind=kind)
            return
        self.record(order.account, "mail_sent", kind, order_id=order.id, message_id=str(message["Message-ID"]),
                    subject=str(message["Subject"]), items=[item.id for item in items])
