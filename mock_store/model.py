"""The mock storefront's records: accounts, items, orders, sessions and faults, with the states
an order goes through on the store's clock."""
from __future__ import annotations

import base64
import hashlib
import random
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

ORDER_ID = re.compile(r"^(?:[0-9]{3}|D01)-[0-9]{7}-[0-9]{7}$")  # ASCII digits only
PRODUCT_ID = re.compile(r"^[A-Z0-9]{10}$")  # an ASIN, as /dp/<ASIN> links carry it
PERSONAS = {"captcha", "approval", "locked"}
# robot checks at any address: AWS WAF's JavaScript challenge (one that clears, one that never
# does) and the classic "Enter the characters you see below"
ROBOT_CHECKS = {"challenge", "stuck_challenge", "captcha"}
STAGES = {"preparing", "shipped", "delivered", "cancelled"}
# how Your Orders shows a shipment's items (the live site's three, 2026): a list of .item-box, a
# grid of .yo-enhanced-flex-card, a carousel of .yo-enhanced-card
LAYOUTS = ("item-box", "flex-card", "carousel")
CAROUSEL_FROM = 3  # an order with this many items or more shows them as a carousel, unless told otherwise

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
    # Your Orders: each shipment's layout, the items shared out among them in turn; () chooses by item count
    layout: tuple[str, ...] = ()
    return_started: bool = False  # a return exists: the order links "View return/refund status"
    return_link: str | None = None  # the href its return button carries instead of the live path, as a hostile store's could

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

    def shipments(self) -> list[tuple[str, list[Item]]]:
        """The items as Your Orders shows them: one box per layout, the items shared out in order
        (the first boxes take one more where they do not divide evenly); by default one box, a
        carousel for many items, a grid for two or more, an item box for one."""
        layouts = self.layout or (LAYOUTS[2] if len(self.items) >= CAROUSEL_FROM else
                                  LAYOUTS[1] if len(self.items) > 1 else LAYOUTS[0],)
        size, extra = divmod(len(self.items), len(layouts))
        boxes: list[tuple[str, list[Item]]] = []
        start = 0
        for index, layout in enumerate(layouts):
            end = start + size + (index < extra)
            boxes.append((layout, self.items[start:end]))
            start = end
        return boxes


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
    robot_check_passed: bool = False  # a person typed the characters of the robot-check fault's CAPTCHA


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
    # a script added to the order pages (details, cancel items, Your Orders), as a compromised page would run one
    inject_script: str | None = None
    # Your Orders' key service out of reach, so its decryption library reloads the page instead of
    # decrypting (as on the live site): "encrypted" on the encrypted page only (its plain fallback,
    # ?disableCsd=, works), "always" on the fallback too (served encrypted as well)
    decryption_reloads: str | None = None
    # the origin pages name for their scripts and styles instead of the store's asset origin (its
    # CDN moved, or is down: a closed port, a name that does not resolve)
    asset_origin: str | None = None
    # answer pages (whose path the pattern finds, if one is given) with a robot check: a visitor
    # passes the challenge with a token its script fetches from the asset origin, the CAPTCHA by
    # typing its characters
    robot_check: str | None = None
    robot_check_path: re.Pattern[str] | None = None
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
        reloads = doc.get("decryption_reloads") or None
        if reloads not in (None, "encrypted", "always"):
            raise StoreError("decryption_reloads must be 'encrypted' or 'always'")
        asset = doc.get("asset_origin") or None
        if asset is not None and not re.fullmatch(r"https?://[A-Za-z0-9.-]+(?::[0-9]{1,5})?", str(asset)):
            raise StoreError("asset_origin must be an http(s) origin: scheme, host and port only")
        script = doc.get("inject_script") or None
        if script is not None and (not isinstance(script, str) or len(script) > 20_000):
            raise StoreError("inject_script must be a script of at most 20000 characters")
        robot_check = doc.get("robot_check") or None
        if robot_check not in (None, *ROBOT_CHECKS):
            raise StoreError(f"robot_check must be one of {sorted(ROBOT_CHECKS)}")
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
            decryption_reloads=reloads,
            asset_origin=asset,
            robot_check=robot_check,
            robot_check_path=pattern_of(doc.get("robot_check_path")),
            rng=random.Random(seed),
        )


def pattern_of(value: object) -> re.Pattern[str] | None:
    """A fault's path pattern: a regular expression searched in the path."""
    if value in (None, ""):
        return None
    if not isinstance(value, str) or len(value) > 200:
        raise StoreError("robot_check_path must be a regular expression of at most 200 characters")
    try:
        return re.compile(value)
    except re.error as exc:
        raise StoreError(f"robot_check_path is not a regular expression: {exc}") from None
