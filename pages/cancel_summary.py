"""The result of a cancel: "Cancellation successful", or a cancellation requested from the seller."""
from __future__ import annotations

import enum
import urllib.parse
from dataclasses import dataclass

from playwright.sync_api import Page

from pages.common import attribute, document, path_of, text

BANNER = "[data-csa-c-slot-id='pt2-banner-preshipCancel'][data-csa-c-content-id]"
HEADING = ".preshipCancel-banner .a-alert-content h5"
ITEM_TITLE = "#preship-cancel-summary-page-container .item-row .item-title"


class CancelResultKind(enum.StrEnum):
    SUCCESS = "SUCCESS"
    REQUESTED = "REQUESTED"
    UNKNOWN = "UNKNOWN"


@dataclass(frozen=True)
class CancelResult:
    kind: CancelResultKind
    message: str
    order_id: str | None
    items: list[str]


def parse(html: str, address: str) -> CancelResult:
    """The summary screen and its address (which carries the order and, as on the live site, the
    result type): the banner's content id first, then the address's cancelMessageType."""
    doc = document(html)
    query = {k.lower(): v[0] for k, v in urllib.parse.parse_qs(urllib.parse.urlsplit(address).query).items() if v}
    marker = attribute(doc.css_first(BANNER), "data-csa-c-content-id") or query.get("cancelmessagetype") or ""
    try:
        kind = CancelResultKind(marker.upper())
    except ValueError:
        kind = CancelResultKind.UNKNOWN
    return CancelResult(kind, text(doc.css_first(HEADING)), query.get("orderid"),
                        [text(node) for node in doc.css(ITEM_TITLE)])


class CancelSummaryPage:
    PATH = "/progress-tracker/package/preship/cancel-summary"

    def __init__(self, page: Page) -> None:
        self.page = page

    def is_showing(self) -> bool:
        return path_of(self.page) == self.PATH

    def read(self) -> CancelResult:
        return parse(self.page.content(), self.page.url)
