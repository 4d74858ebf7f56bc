"""What every screen shares: the HTML parser and its text rule, the order-number pattern, product
links, the page's own address, the store's error pages, and the states an order's screens can show."""
from __future__ import annotations

import enum
import re
import urllib.parse
from typing import TYPE_CHECKING

from selectolax.lexbor import LexborHTMLParser, LexborNode

from pages.texts import all_languages

if TYPE_CHECKING:
    from playwright.sync_api import Page

# Both live screens link each item to its product page; the ASIN in that link is the item's product.
PRODUCT_LINK = "a[href*='/dp/'], a[href*='/gp/product/']"
_PRODUCT_IN_HREF = re.compile(r"/(?:dp|gp/product)/([A-Z0-9]{10})(?:[/?#]|$)")
ERROR_HEADING = "h1"
# The one order-number pattern, for what the user types and what a page shows. ASCII digits
# only: \d would also accept look-alike digits from other scripts.
ORDER_NUMBER = re.compile(r"(?:[0-9]{3}|D01)-[0-9]{7}-[0-9]{7}")
# The same pattern as a whole token in running text: no letter, digit or hyphen either side, so
# "1113-1234567-12345678" holds no order number (never a part of a longer number).
_ORDER_NUMBER_TOKEN = re.compile(rf"(?<![0-9A-Za-z-])(?:{ORDER_NUMBER.pattern})(?![0-9A-Za-z-])")
SHOWN_MAX = 60


class OrderState(enum.StrEnum):
    """What an order's screens say about it."""
    CANCELLABLE = "cancellable"
    NOT_CANCELLABLE = "not_cancellable"
    CANCELLED = "cancelled"
    CANCELLATION_REQUESTED = "cancellation_requested"


def is_order_number(candidate: str) -> bool:
    """Whether the whole string is an order number: nothing before it, nothing after it."""
    return ORDER_NUMBER.fullmatch(candidate) is not None


def order_number_in(words: str) -> str | None:
    """The order number a text shows as a whole token ("Order# 113-1234567-1234567"), else None."""
    match = _ORDER_NUMBER_TOKEN.search(words)
    return match.group(0) if match else None


def order_numbers_in(words: str) -> set[str]:
    """Every order number a text shows as a whole token."""
    return set(_ORDER_NUMBER_TOKEN.findall(words))


def shown(raw: str) -> str:
    """A store-given string that failed its check, made safe to show: escaped (repr) and cut to
    SHOWN_MAX characters; for messages and logs only, never to be used as a value."""
    escaped = repr(raw)
    return escaped if len(escaped) <= SHOWN_MAX else escaped[:SHOWN_MAX - 3] + "..."


def document(html: str) -> LexborHTMLParser:
    return LexborHTMLParser(html)


def text(node: LexborNode | None) -> str:
    """A node's text with white space collapsed, as a person reads it; '' for no node."""
    return " ".join(node.text(deep=True).split()) if node is not None else ""


def attribute(node: LexborNode | None, name: str) -> str | None:
    return node.attributes.get(name) if node is not None else None


def within(node: LexborNode, containers: list[LexborNode]) -> bool:
    """Whether the node is one of the containers or inside one. (selectolax's css_matches also
    answers yes for a match among a node's descendants, so ancestry is checked by identity.)"""
    ids = {container.mem_id for container in containers}
    current: LexborNode | None = node
    while current is not None:
        if current.mem_id in ids:
            return True
        current = current.parent
    return False


def innermost(nodes: list[LexborNode], top: LexborNode) -> list[LexborNode]:
    """The nodes (below `top`) that hold none of the others, in their order. Each node's ancestors
    are walked once in all: the store decides how many boxes a page has and how deep they nest
    (comparing every pair took minutes for a page of a thousand)."""
    ids, holders, walked = {node.mem_id for node in nodes}, set(), {top.mem_id}
    for node in nodes:
        above = node.parent
        while above is not None and above.mem_id not in walked:  # a walked node's ancestors are done
            walked.add(above.mem_id)
            if above.mem_id in ids:
                holders.add(above.mem_id)
            above = above.parent
    return [node for node in nodes if node.mem_id not in holders]


def stylesheets(html: str, address: str) -> list[str]:
    """The addresses of a page's own style sheets, absolute, in document order."""
    links = document(html).css("link[rel~=stylesheet][href]")
    return [urllib.parse.urljoin(address, attribute(link, "href") or "") for link in links]


def product_id(href: str | None) -> str | None:
    """The product id (ASIN) in a product link, or None when the link carries none."""
    match = _PRODUCT_IN_HREF.search(urllib.parse.urlsplit(href or "").path + "/")
    return match.group(1) if match else None


def query_param(page: Page, name: str) -> str | None:
    """A parameter of the page's current URL, matched case-insensitively (orderID / orderId)."""
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(page.url).query)
    for key, values in query.items():
        if key.lower() == name.lower() and values:
            return values[0]
    return None


def path_of(page: Page) -> str:
    return urllib.parse.urlsplit(page.url).path


def error_kind(html: str) -> str | None:
    """'not_found' or 'server_error' when the HTML is one of the store's error pages, else None.
    Those pages carry no marker but their heading and title, so this is read from visible text."""
    doc = document(html)
    words = f"{text(doc.css_first(ERROR_HEADING))} {text(doc.css_first('title'))}"
    if any(t in words for t in all_languages("not_found")):
        return "not_found"
    if any(t in words for t in all_languages("server_error")):
        return "server_error"
    return None


def error_page(page: Page) -> str | None:
    return error_kind(page.content())
