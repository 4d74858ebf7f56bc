"""The result of a cancel: "Cancellation successful", or a cancellation requested from the seller."""
from __future__ import annotations

import enum

from playwright.sync_api import Page

from pages.common import path_of, query_param, text_or_attribute

BANNER = "[data-csa-c-slot-id='pt2-banner-preshipCancel'][data-csa-c-content-id]"
HEADING = ".preshipCancel-banner .a-alert-content h5"


class CancelResultKind(enum.StrEnum):
    SUCCESS = "SUCCESS"
    REQUESTED = "REQUESTED"
    UNKNOWN = "UNKNOWN"


class CancelSummaryPage:
    PATH = "/progress-tracker/package/preship/cancel-summary"

    def __init__(self, page: Page) -> None:
        self.page = page
        self.item_titles = page.locator("#preship-cancel-summary-page-container .item-row .item-title")

    @staticmethod
    def is_showing(page: Page) -> bool:
        return path_of(page) == CancelSummaryPage.PATH

    def kind(self) -> CancelResultKind:
        marker = text_or_attribute(self.page, BANNER, "data-csa-c-content-id") \
            or query_param(self.page, "cancelMessageType") or ""
        try:
            return CancelResultKind(marker.upper())
        except ValueError:
            return CancelResultKind.UNKNOWN

    def message(self) -> str:
        return text_or_attribute(self.page, HEADING) or ""

    def order_id(self) -> str | None:
        return query_param(self.page, "orderID")

    def items(self) -> list[str]:
        return [" ".join(t.split()) for t in self.item_titles.all_inner_texts()]
