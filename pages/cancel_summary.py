"""The result of a cancel: "Cancellation successful", or a cancellation requested from the seller."""
from __future__ import annotations

import enum

from playwright.sync_api import Page

from pages.common import path_of, query_param


class CancelResultKind(enum.StrEnum):
    SUCCESS = "SUCCESS"
    REQUESTED = "REQUESTED"
    UNKNOWN = "UNKNOWN"


class CancelSummaryPage:
    PATH = "/progress-tracker/package/preship/cancel-summary"

    def __init__(self, page: Page) -> None:
        self.page = page
        self.banner = page.locator("[data-csa-c-slot-id='pt2-banner-preshipCancel'][data-csa-c-content-id]")
        self.heading = page.locator(".preshipCancel-banner .a-alert-content h5")
        self.item_titles = page.locator("#preship-cancel-summary-page-container .item-row .item-title")

    @staticmethod
    def is_showing(page: Page) -> bool:
        return path_of(page) == CancelSummaryPage.PATH

    def kind(self) -> CancelResultKind:
        marker = (self.banner.first.get_attribute("data-csa-c-content-id") if self.banner.count() else None) \
            or query_param(self.page, "cancelMessageType") or ""
        try:
            return CancelResultKind(marker.upper())
        except ValueError:
            return CancelResultKind.UNKNOWN

    def message(self) -> str:
        return " ".join(self.heading.first.inner_text().split()) if self.heading.count() else ""

    def order_id(self) -> str | None:
        return query_param(self.page, "orderID")

    def items(self) -> list[str]:
        return [" ".join(t.split()) for t in self.item_titles.all_inner_texts()]
