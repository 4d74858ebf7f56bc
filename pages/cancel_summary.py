"""The result of a cancel: "Cancellation successful", or a cancellation requested from the seller."""
from __future__ import annotations

import enum
import urllib.parse
from dataclasses import dataclass
from typing import TYPE_CHECKING

from pages.common import attribute, document, is_order_number, path_of, shown, text
from pages.texts import all_languages

if TYPE_CHECKING:
    from playwright.sync_api import Page

BANNER = "[data-csa-c-slot-id='pt2-banner-preshipCancel'][data-csa-c-content-id]"
HEADING = ".preshipCancel-banner .a-alert-content h5"
ITEM_TITLE = "#preship-cancel-summary-page-container .item-row .item-title"


class CancelResultKind(enum.StrEnum):
    SUCCESS = "SUCCESS"
    REQUESTED = "REQUESTED"  # asked of a third-party seller
    PENDING = "PENDING"  # "Attempting to cancel requested items. We'll email you when there's an update"
    UNKNOWN = "UNKNOWN"


@dataclass(frozen=True)
class CancelResult:
    kind: CancelResultKind
    message: str
    order_id: str | None  # the order its address names; None if it names none, or nothing that is an order number
    items: list[str]
    rejected_id: str | None = None  # what the address names instead of an order number, escaped


def parse(html: str, address: str) -> CancelResult:
    """The summary screen and its address (which carries the order and, as on the live site, the
    result type): the banner's content id first, then the address's cancelMessageType."""
    doc = document(html)
    query = {k.lower(): v[0] for k, v in urllib.parse.parse_qs(urllib.parse.urlsplit(address).query).items() if v}
    marker = attribute(doc.css_first(BANNER), "data-csa-c-content-id") or query.get("cancelmessagetype") or ""
    heading = text(doc.css_first(HEADING))
    try:
        kind = CancelResultKind(marker.upper())
    except ValueError:
        kind = CancelResultKind.UNKNOWN
    if kind is CancelResultKind.UNKNOWN and any(heading.startswith(t) for t in all_languages("attempting_to_cancel")):
        kind = CancelResultKind.PENDING  # the live pending answer's marker is not known: its words are
    named = query.get("orderid")
    valid = named is not None and is_order_number(named)
    return CancelResult(kind, heading, named if valid else None, [text(node) for node in doc.css(ITEM_TITLE)],
                        rejected_id=shown(named) if named is not None and not valid else None)


class CancelSummaryPage:
    PATH = "/progress-tracker/package/preship/cancel-summary"

    def __init__(self, page: Page) -> None:
        self.page = page

    def is_showing(self) -> bool:
        return path_of(self.page) == self.PATH

    def read(self) -> CancelResult:
        return parse(self.page.content(), self.page.url)
