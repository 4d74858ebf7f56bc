"""The mock storefront's state: accounts, orders, the store clock, sessions, faults and events."""
from __future__ import annotations

import base64
import hashlib
import random
import re
import secrets
import threading
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pyotp

ORDER_ID = re.compile(r"^(?:[0-9]{3}|D01)-[0-9]{7}-[0-9]{7}$")  # ASCII digits only
PRODUCT_ID = re.compile(r"^[A-Z0-9]{10}$")  # an ASIN, as /dp/<ASIN> links carry it
PERSONAS = {"captcha", "approval", "locked"}
STAGES = {"preparing", "shipped", "delivered", "cancelled"}

# Order states as the storefront reports them through the admin API.
OPEN = "open"
PREPARING = "preparing"
SHIPPED = "shipped"
DELIVERED = "delivered"
CANCELLED = "cancelled"
CANCELLATION_REQUESTED = "cancellation_requested"

# Item statuses.
ORDERED = "ordered"


class StoreError(ValueError):
    """A store document or admin request that cannot be applied."""


def parse_time(value: str | datetime) -> datetime:
    if isinstance(value, datetime):
        moment = value
    else:
        try:
            moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
        except ValueError as exc:
            raise StoreError(f"not an ISO time: {value!r}") from exc
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@dataclass
class Account:
    email: str
    password: str
    name: str
    totp_secret: str | None = None
    locale: str | None = None
    persona: str | None = None
    marketplace: str | None = None


@dataclass
class Item:
    id: str  # the Cancel items page's data-itemid: this order line
    title: str
    price: Decimal
    quantity: int = 1
    status: str = ORDERED
    product_id: str = ""  # the product (ASIN) both screens link to; lines of one order may share it
    bundle: str | None = None  # items sharing a bundle name can only be cancelled together


def default_product_id(item_id: str) -> str:
    """A stable ASIN-shaped product id for an item whose document names none."""
    digest = base64.b32encode(hashlib.sha256(item_id.encode()).digest()).decode()
    return "B0" + digest[:8]


@dataclass
class Order:
    id: str
    account: str
    placed_at: datetime
    items: list[Item]
    cancel_window_minutes: int = 30
    seller: str = "amazon"
    seller_name: str = "Amazon.com"
    digital: bool = False
    stage: str | None = None
    ship_to: str = ""
    return_days: int = 30
    free_returns: bool = True
    cancel_reason: str | None = None
    cancel_note: str | None = None
    # a cancellation the store takes only "pending" and decides later on its own clock:
    # (minutes after the submit, "cancelled" or "refused")
    decision: tuple[int, str] | None = None
    pending: tuple[datetime, list[str]] | None = None  # since when, and which items
    status_text: str | None = None  # what an open order's status says instead of "Arriving ...", as any store may

    @property
    def total(self) -> Decimal:
        return sum((item.price * item.quantity for item in self.items), Decimal("0"))

    @property
    def active_items(self) -> list[Item]:
        return [item for item in self.items if item.status == ORDERED]

    def window_closes_at(self) -> datetime:
        return self.placed_at + timedelta(minutes=self.cancel_window_minutes)

    def state(self, now: datetime) -> str:
        if self.stage == CANCELLED or all(item.status == CANCELLED for item in self.items):
            return CANCELLED
        if any(item.status == CANCELLATION_REQUESTED for item in self.items):
            return CANCELLATION_REQUESTED
        if self.digital:
            return DELIVERED
        if self.stage:
            return self.stage
        return OPEN if now < self.window_closes_at() else PREPARING

    def cancellable(self, now: datetime) -> bool:
        return self.state(now) == OPEN and bool(self.active_items)

    def expected_delivery(self) -> datetime:
        return self.placed_at + timedelta(days=3)

    def return_deadline(self) -> datetime:
        return self.expected_delivery() + timedelta(days=self.return_days)


@dataclass
class Session:
    token: str
    csrf: str
    email: str | None = None
    # a sign-in in progress: the e-mail typed, and the step it is waiting for
    pending_email: str | None = None
    pending_step: str | None = None
    return_to: str = "/your-orders/orders"
    captcha: str | None = None
    requests: int = 0


@dataclass
class Faults:
    seed: int = 0
    error_rate: float = 0.0
    latency_ms: tuple[int, int] | None = None
    session_ttl_requests: int | None = None
    challenge_next_sign_in: str | None = None
    ship_before_submit: set[str] = field(default_factory=set)
    drop_response_after_cancel: set[str] = field(default_factory=set)
    # hold the answer to a cancel of these orders and apply the cancellation only after
    # late_cancel_ms, when the browser has long given up waiting
    apply_cancel_late: set[str] = field(default_factory=set)
    late_cancel_ms: int = 3000
    # send signed-out visitors to a sign-in page on this other host name (a phishing-like detour)
    sign_in_host: str | None = None
    # a script added to the order pages (details, cancel items), as a compromised page would run one
    inject_script: str | None = None
    rng: random.Random = field(default_factory=lambda: random.Random(0))

    @classmethod
    def from_document(cls, doc: dict[str, Any]) -> Faults:
        latency = doc.get("latency_ms")
        challenge = doc.get("challenge_next_sign_in")
        if challenge not in (None, "captcha", "approval"):
            raise StoreError("challenge_next_sign_in must be 'captcha' or 'approval'")
        rate = float(doc.get("error_rate") or 0.0)
        if not 0.0 <= rate <= 1.0:
            raise StoreError("error_rate must be between 0 and 1")
        if latency is not None:
            low, high = (int(v) for v in latency)
            if not 0 <= low <= high <= 30_000:
                raise StoreError("latency_ms must be [min, max] with 0 <= min <= max <= 30000")
            latency = (low, high)
        late_ms = int(doc.get("late_cancel_ms") or 3000)
        if not 0 <= late_ms <= 600_000:
            raise StoreError("late_cancel_ms must be between 0 and 600000")
        script = doc.get("inject_script") or None
        if script is not None and (not isinstance(script, str) or len(script) > 20_000):
            raise StoreError("inject_script must be a script of at most 20000 characters")
        ttl = doc.get("session_ttl_requests")
        seed = int(doc.get("seed") or 0)
        return cls(
            seed=seed,
            error_rate=rate,
            latency_ms=latency,
            session_ttl_requests=int(ttl) if ttl else None,
            challenge_next_sign_in=challenge,
            ship_before_submit=set(doc.get("ship_before_submit") or ()),
            drop_response_after_cancel=set(doc.get("drop_response_after_cancel") or ()),
            apply_cancel_late=set(doc.get("apply_cancel_late") or ()),
            late_cancel_ms=late_ms,
            sign_in_host=doc.get("sign_in_host") or None,
            inject_script=script,
            rng=random.Random(seed),
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
            self.faults = Faults()
            self.injected.clear()
            self.frozen_now = parse_time(doc["now"]) if doc.get("now") else None
            for raw in doc.get("accounts", []):
                self.add_account(raw)
            self.add_orders(doc.get("orders", []))

    def add_account(self, raw: dict[str, Any]) -> Account:
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
        account = Account(email, password, raw.get("name") or email.split("@")[0].title(),
                          raw.get("totp_secret"), locale, persona, marketplace)
        self.accounts[email] = account
        return account

    def add_orders(self, raws: list[dict[str, Any]]) -> list[Order]:
        with self.lock:
            orders = [self._order_from(raw) for raw in raws]
            for order in orders:
                self.orders[order.id] = order
            return orders

    def _order_from(self, raw: dict[str, Any]) -> Order:
        order_id = str(raw.get("id", ""))
        # "hostile_id": a test's store that numbers an order with any string (a path, say), as a
        # hostile store could
        if not ORDER_ID.match(order_id) and not (raw.get("hostile_id") is True and 0 < len(order_id) <= 300):
            raise StoreError(f"not an order number: {order_id!r}")
        account = str(raw.get("account", "")).lower()
        if account not in self.accounts:
            raise StoreError(f"order {order_id}: unknown account {account!r}")
        stage = raw.get("stage")
        if stage is not None and stage not in STAGES:
            raise StoreError(f"order {order_id}: unknown stage {stage!r}")
        seller = raw.get("seller", "amazon")
        if seller not in ("amazon", "third_party"):
            raise StoreError(f"order {order_id}: seller must be 'amazon' or 'third_party'")
        items = []
        for index, item in enumerate(raw.get("items") or []):
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
        if not items:
            raise StoreError(f"order {order_id}: an order needs items")
        digital = bool(raw.get("digital")) or order_id.startswith("D01-")
        decision = raw.get("decision")
        if decision is not None:
            if not isinstance(decision, dict) or decision.get("result") not in ("cancelled", "refused"):
                raise StoreError(f"order {order_id}: decision needs result 'cancelled' or 'refused'")
            minutes = decision.get("after_minutes", 0)
            if not isinstance(minutes, int | float) or not 0 <= minutes <= 60 * 24 * 30:
                raise StoreError(f"order {order_id}: decision.after_minutes must be 0 to 43200")
            decision = (int(minutes), decision["result"])
        order = Order(
            id=order_id,
            account=account,
            placed_at=parse_time(raw.get("placed_at") or self.now()),
            items=items,
            cancel_window_minutes=int(raw.get("cancel_window_minutes", 30)),
            seller=seller,
            seller_name=raw.get("seller_name") or ("Amazon.com" if seller == "amazon" else "Nordic Gadgets ApS"),
            digital=digital,
            stage=stage,
            ship_to=raw.get("ship_to") or self.accounts[account].name,
            return_days=int(raw.get("return_days", 30)),
            free_returns=bool(raw.get("free_returns", seller == "amazon")),
            decision=decision,
            status_text=str(raw["status_text"]) if raw.get("status_text") else None,
        )
        if stage == CANCELLED:
            for item in order.items:
                item.status = CANCELLED
        return order

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
            if result == "cancelled":
                for item in order.items:
                    if item.id in item_ids and item.status == ORDERED:
                        item.status = CANCELLED
            else:
                order.stage = SHIPPED
            self.record(order.account, "pending_decided", result, order_id=order.id, items=item_ids)

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
            return result

    def seller_decides(self, order: Order, accept: bool) -> None:
        with self.lock:
            for item in order.items:
                if item.status == CANCELLATION_REQUESTED:
                    item.status = CANCELLED if accept else ORDERED
            if not accept:
                order.stage = PREPARING  # declined: the seller ships it
            self.record(order.account, "seller_decision", "accepted" if accept else "declined",
                        order_id=order.id)
