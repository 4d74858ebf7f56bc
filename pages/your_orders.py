"""Your Orders: the order cards of one page of the order history, and the way to the next page."""
from __future__ import annotations

import urllib.parse
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from selectolax.lexbor import LexborNode

from pages.common import (
    PRODUCT_LINK,
    OrderState,
    attribute,
    document,
    innermost,
    is_order_number,
    product_id,
    shown,
    text,
)
from pages.texts import all_languages

if TYPE_CHECKING:
    from playwright.sync_api import Page

SCREEN = "form.js-time-filter-form, #time-filter"
CARD = ".order-card"
ENCRYPTED_CARD = ".csd-encrypted-sensitive"
ORDER_ID = ".yohtmlc-order-id span[dir='ltr'], .yohtmlc-order-id bdi"
HEADER_ITEM = ".order-header__header-list-item"
HEADER_LABEL = ".a-text-caps"
HEADER_VALUE = ".a-row:not(.a-size-mini), .a-size-base"
STATUS = ".delivery-box__primary-text"
DETAILS_LINK = ".yohtmlc-order-level-connections a[href*='order-details']"
# "Cancel items" where the card offers it; "View or edit order" is the live site's way in for
# orders that have not shipped
CANCEL_LINK = "a[href*='/preship/cancel-items'], a[href*='_fed_veo']"
NEXT_PAGE = "ul.a-pagination li.a-last a"
# The live site's switch for its plain fallback: cards served unencrypted (its own page asks for it
# with "missing-library" when its decryption library did not load; readers without scripts use "no-js")
PLAIN_SWITCH = "disableCsd"
# A card shows each shipment's items one of three ways (public readers' selectors, 2026): a list of
# .item-box, a grid of .yo-enhanced-flex-card, a carousel of .yo-enhanced-card; one card mixes them.
# Older cards (gift cards, digital codes, in the saved 2024 history) still show a .yohtmlc-item.
LAYOUT_CLASS = {"item-box": "item-box", "flex-card": "yo-enhanced-flex-card", "carousel": "yo-enhanced-card",
                "older": "yohtmlc-item"}
ITEM = ".item-box, .yo-enhanced-flex-card, .yo-enhanced-item-carousel .yo-enhanced-card, .yohtmlc-item"
ITEM_TITLE = ".yohtmlc-product-title, .yo-enhanced-title"
ITEM_IMAGE = "img[alt]"


@dataclass(frozen=True)
class CardItem:
    product_id: str | None  # the ASIN its /dp/ link names: the item's identity; None when it links none
    title: str  # as shown, for people only
    layout: str  # the layout that showed it: item-box, flex-card, carousel or older (LAYOUT_CLASS)


@dataclass(frozen=True)
class OrderCard:
    order_id: str
    placed: str
    total: str | None
    status_text: str
    details_path: str | None
    offers_cancel: bool
    items: tuple[CardItem, ...] = ()  # every shipment's, in the card's order

    @property
    def state(self) -> OrderState:
        """The state the card shows, without opening the order."""
        if self.status_text in all_languages("cancelled"):
            return OrderState.CANCELLED
        if any(words in self.status_text for words in all_languages("cancellation_requested")):
            return OrderState.CANCELLATION_REQUESTED
        return OrderState.CANCELLABLE if self.offers_cancel else OrderState.NOT_CANCELLABLE


@dataclass(frozen=True)
class OrdersScreen:
    cards: list[OrderCard]  # only cards whose number is an order number
    next_page_path: str | None
    still_encrypted: int  # cards the page's decryption script has not yet replaced
    rejected: list[str] = field(default_factory=list)  # the numbers of the other cards (and of cards holding cards), escaped (`shown`)


def showing(html: str) -> bool:
    return document(html).css_first(SCREEN) is not None


def parse(html: str) -> OrdersScreen:
    """The page's cards. A card whose number is not an order number (none, a path, markup...), or
    that holds another card, is no order card: the store gave a string that is data, and it is only
    reported, escaped."""
    doc = document(html)
    found = doc.css(CARD)
    cards = innermost(found, doc.root) if doc.root is not None else found
    # a card that holds another is none: its statuses and items would be the other's too
    kept = {node.mem_id for node in cards}
    holders = [shown(text(node.css_first(ORDER_ID))) for node in found if node.mem_id not in kept]
    read = [_card(node) for node in cards]
    return OrdersScreen([card for card in read if is_order_number(card.order_id)],
                        attribute(doc.css_first(NEXT_PAGE), "href"), len(doc.css(ENCRYPTED_CARD)),
                        [shown(card.order_id) for card in read if not is_order_number(card.order_id)] + holders)


def plain_path(path: str) -> str:
    """The same page of Your Orders in its plain fallback (unless the path asks for it already)."""
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(path).query, keep_blank_values=True)
    return path if PLAIN_SWITCH in query else path + ("&" if "?" in path else "?") + f"{PLAIN_SWITCH}=no-js"


def _header_value(card: LexborNode, labels: list[str]) -> str | None:
    for entry in card.css(HEADER_ITEM):
        if text(entry.css_first(HEADER_LABEL)) in labels:
            return text(entry.css_first(HEADER_VALUE))
    return None


def _card(card: LexborNode) -> OrderCard:
    return OrderCard(order_id=text(card.css_first(ORDER_ID)),
                     placed=_header_value(card, all_languages("order_placed")) or "",
                     total=_header_value(card, all_languages("total")),
                     # a status each shipment: one said once ("Cancelled", not "Cancelled / Cancelled")
                     status_text=" / ".join(dict.fromkeys(text(n) for n in card.css(STATUS))),
                     details_path=attribute(card.css_first(DETAILS_LINK), "href"),
                     offers_cancel=card.css_first(CANCEL_LINK) is not None,
                     items=card_items(card))


def card_items(card: LexborNode) -> tuple[CardItem, ...]:
    """The card's items in every layout, in document order. Where one layout's box holds another's
    (a carousel card wrapping an item box), the innermost is the item: no item is read twice."""
    return tuple(_item(node) for node in innermost(card.css(ITEM), card))


def _item(node: LexborNode) -> CardItem:
    title = node.css_first(ITEM_TITLE)
    links = (title.css(PRODUCT_LINK) if title is not None else []) + node.css(PRODUCT_LINK)
    asin = next((found for link in links if (found := product_id(attribute(link, "href")))), None)
    words = text(title) or next((text(link) for link in links if text(link)), "") or \
        (attribute(node.css_first(ITEM_IMAGE), "alt") or "").strip()
    classes = (attribute(node, "class") or "").split()
    return CardItem(asin, words, next(layout for layout, name in LAYOUT_CLASS.items() if name in classes))


class YourOrdersPage:
    PATH = "/your-orders/orders"

    def __init__(self, page: Page) -> None:
        self.page = page
        self.encrypted = page.locator(ENCRYPTED_CARD)

    @classmethod
    def path_for(cls, order_filter: str | None = None, start_index: int = 0) -> str:
        query = [f"orderFilter={order_filter}"] if order_filter else []
        if start_index:
            query.append(f"startIndex={start_index}")
        return cls.PATH + ("?" + "&".join(query) if query else "")

    def is_showing(self) -> bool:
        return showing(self.page.content())

    def wait_until_decrypted(self, timeout_ms: float | None = None) -> None:
        """Wait until no order card is still encrypted. The live site sends each card encrypted
        (`.csd-encrypted-sensitive`) and a script decrypts them one by one; where that library is
        missing, the page sends itself to its plain fallback (`?disableCsd=missing-library`)."""
        from playwright.sync_api import expect  # a browser runs: its client is loaded

        expect(self.encrypted).to_have_count(0, timeout=timeout_ms)
        self.page.wait_for_load_state("domcontentloaded")  # the fallback document, if one replaced it, whole

    def read(self) -> OrdersScreen:
        return parse(self.page.content())
