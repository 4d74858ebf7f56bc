"""Order Details: which order the page shows, its items and status, and the "Cancel items" way in."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from selectolax.lexbor import LexborHTMLParser, LexborNode

from pages.common import (
    PRODUCT_LINK,
    OrderState,
    attribute,
    document,
    is_order_number,
    order_number_in,
    product_id,
    shown,
    text,
    within,
)
from pages.texts import all_languages

if TYPE_CHECKING:
    from playwright.sync_api import Page

# The current markup (data-component) first, then the older one (yohtmlc-item,
# order-date-invoice-item) that /gp/your-account/order-details still serves for old orders.
SCREEN = "[data-component='orderId'], [data-component='cancelledOrderBanner'], .order-date-invoice-item"
ORDER_ID = "[data-component='orderId']"
OLD_ORDER_ID = ".order-date-invoice-item bdi, .order-date-invoice-item"
OLD_ORDER_NUMBER = ".order-date-invoice-item bdi"
PLACED = "[data-component='orderDate']"
ITEM = "[data-component='purchasedItemsRightGrid']"
ITEM_LEFT_COMPONENT = "purchasedItemsLeftGrid"  # the item's left column, just before ITEM
ITEM_TITLE = "[data-component='itemTitle']"
QUANTITY = "[data-component='quantity']"
OLD_QUANTITY = ".od-item-view-qty"
PRICE = "[data-component='unitPrice'] .a-offscreen"
PRICE_SHOWN = "[data-component='unitPrice']"
SELLER = "[data-component='orderedMerchant']"
RETURN_NOTE = "[data-component='itemReturnEligibility']"
CANCELLED_PART = "[data-component='cancelled']"
OLD_ITEM = ".shipment .yohtmlc-item"
STATUS = "[data-component='shipmentStatus']"
CANCEL_LINK = "a[href*='/progress-tracker/package/preship/cancel-items']"
# the way out once it is too late: "Return or replace items", or, once a return exists, "View
# return/refund status" (/spr/returns/cart?orderId=…, /spr/returns/prep?…; a store's data, checked by the reader)
RETURN_LINK = "a[href*='/spr/returns/cart']"
RETURN_STATUS_LINK = "a[href*='/spr/returns/prep']"
# the order's charges, a row each; the last row is the grand total (checked on the saved live pages)
CHARGE_ROW_AMOUNT = "[data-component='chargeSummary'] .od-line-item-row .od-line-item-row-content"
CANCELLED_BANNER = "[data-component='cancelledOrderBanner']"
BANNER_HEADING = "h4, .a-alert-heading"
_NUMBER = re.compile(r"[0-9]+")


@dataclass(frozen=True)
class OrderedItem:
    product_id: str | None  # the ASIN its title's /dp/ link names
    title: str
    quantity: int
    price: str | None
    seller: str | None
    cancelled: bool
    return_note: str | None


@dataclass(frozen=True)
class OrderSummary:
    """Everything the details screen says about the order."""
    order_id: str | None
    placed: str | None
    status_text: str
    items: list[OrderedItem]
    cancel_path: str | None
    cancelled_banner: bool
    total: str | None = None  # the grand total as the page shows it
    statuses: tuple[str, ...] = ()  # each shipment's status, as shown, for the items still in it
    rejected_id: str | None = None  # what the page shows as its number when that is no order number, escaped
    return_path: str | None = None  # the href of its return link (RETURN_LINK, else RETURN_STATUS_LINK), as given

    @property
    def shipped(self) -> bool:
        """Every shipment still holding items says it has left (shipped or delivered)."""
        return not self.cancelled_banner and shows_shipped(list(self.statuses))

    @property
    def state(self) -> OrderState:
        """The store's own answer: its "Cancel items" link, its cancelled banner or items, and
        (the one state with no marker) the status text of a requested cancellation."""
        if self.cancelled_banner or (self.items and all(i.cancelled for i in self.items)):
            return OrderState.CANCELLED
        if shows_cancellation_requested(self.status_text):
            return OrderState.CANCELLATION_REQUESTED
        if self.cancel_path:
            return OrderState.CANCELLABLE
        return OrderState.NOT_CANCELLABLE


def shows_cancellation_requested(status_text: str) -> bool:
    return any(words in status_text for words in all_languages("cancellation_requested"))


def shows_shipped(statuses: list[str]) -> bool:
    """Whether every shipment status shown says the shipment has left: "Not Yet Shipped" has not."""
    words = tuple(all_languages("shipped") + all_languages("delivered"))
    return bool(statuses) and all(status.startswith(words) for status in statuses)


def showing(html: str) -> bool:
    """Whether the HTML is an order details screen at all (any markup generation, cancelled or not)."""
    return document(html).css_first(SCREEN) is not None


def parse(html: str) -> OrderSummary:
    """What the screen says, as data: no browser, no waiting, no side effects."""
    doc = document(html)
    number = text(doc.css_first(ORDER_ID)) or _old_number(doc)
    order_id = number if is_order_number(number) else None
    cancelled_part = doc.css(CANCELLED_PART)
    items = [_item(node, within(node, cancelled_part)) for node in doc.css(ITEM)] or \
        [_old_item(node) for node in doc.css(OLD_ITEM)]
    statuses = [text(node) for node in doc.css(STATUS) if not within(node, cancelled_part)]
    banner = doc.css_first(CANCELLED_BANNER)
    if banner is not None:
        heading = banner.css_first(BANNER_HEADING)
        status = text(heading) if heading is not None else text(banner)
        status = re.sub(r"\s*Continue shopping$", "", status)
    else:
        status = " / ".join(s for s in statuses if s)
    charges = doc.css(CHARGE_ROW_AMOUNT)
    return OrderSummary(order_id=order_id, placed=text(doc.css_first(PLACED)) or None, status_text=status,
                        items=items, cancel_path=attribute(doc.css_first(CANCEL_LINK), "href"),
                        cancelled_banner=banner is not None, total=text(charges[-1]) if charges else None,
                        statuses=tuple(s for s in statuses if s),
                        rejected_id=shown(number) if number and order_id is None else None,
                        return_path=attribute(doc.css_first(RETURN_LINK) or doc.css_first(RETURN_STATUS_LINK), "href"))


def _old_number(doc: LexborHTMLParser) -> str:
    """The older markup's number: the order number its text shows whole ("Order# <bdi>…</bdi>"),
    else what its <bdi> shows, to be rejected and reported as such."""
    found = next((number for node in doc.css(OLD_ORDER_ID) if (number := order_number_in(text(node)))), None)
    return found or text(doc.css_first(OLD_ORDER_NUMBER))


def _seller(words: str) -> str | None:
    for prefix in all_languages("sold_by"):
        if words.startswith(prefix):
            words = words[len(prefix):]
    return words.strip() or None


def _quantity(words: str) -> int:
    match = _NUMBER.search(words)
    return int(match.group(0)) if match else 1


def _left_of(right: LexborNode) -> LexborNode | None:
    node = right.prev
    while node is not None and not node.is_element_node:
        node = node.prev
    return node if node is not None and attribute(node, "data-component") == ITEM_LEFT_COMPONENT else None


def _item(right: LexborNode, cancelled: bool) -> OrderedItem:
    left = _left_of(right)
    title = right.css_first(ITEM_TITLE)
    quantity = text(right.css_first(QUANTITY)) or (text(left.css_first(OLD_QUANTITY)) if left is not None else "")
    price = right.css_first(PRICE) or right.css_first(PRICE_SHOWN)
    return OrderedItem(
        product_id=product_id(attribute(title.css_first(PRODUCT_LINK), "href")) if title is not None else None,
        title=text(title), quantity=_quantity(quantity), price=text(price) or None,
        seller=_seller(text(right.css_first(SELLER))), cancelled=cancelled,
        return_note=text(right.css_first(RETURN_NOTE)) or None)


def _old_item(node: LexborNode) -> OrderedItem:
    sold_by = all_languages("sold_by")
    secondary = [text(n) for n in node.css(".a-color-secondary")]
    rows = [text(n) for n in node.css(".a-row")]
    return OrderedItem(
        product_id=product_id(attribute(node.css_first(PRODUCT_LINK), "href")), title=text(node.css_first("a")),
        quantity=_quantity(text(node.css_first(".item-view-qty"))), price=text(node.css_first(".a-color-price")) or None,
        seller=_seller(next((t for t in secondary if any(t.startswith(p) for p in sold_by)), "")), cancelled=False,
        return_note=next((t for t in rows if "return" in t.lower()), None))


class OrderDetailsPage:
    PATH = "/your-orders/order-details"

    def __init__(self, page: Page) -> None:
        self.page = page

    @classmethod
    def path_for(cls, order_id: str) -> str:
        return f"{cls.PATH}?orderID={order_id}"

    def is_showing(self) -> bool:
        return showing(self.page.content())

    def read(self) -> OrderSummary:
        return parse(self.page.content())
