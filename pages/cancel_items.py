"""Cancel items: the order's cancellable items with their ids, the reason list, the note, the submit."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from pages.common import PRODUCT_LINK, attribute, document, product_id, text

if TYPE_CHECKING:
    from playwright.sync_api import Page, Response

FORM = "form#cancel-items-form"
ITEM = "form#cancel-items-form div.a-box[data-itemid]"
ITEM_TITLE = ".item-title"
ITEM_PRICE = ".item-price"
ITEM_QUANTITY = ".item-quantity"
CHECKBOX = "input[type='checkbox']"
# the real page labels both the drop-down and the free-text box "Cancellation reason (optional)",
# so a label locator would match two elements; the ids are stable
REASON = "select#cancel-reasons-dropdown"
NOTE = "input#cancel-reason-additional-input"
SELECT_ALL = "#select-toggle-link"
SUBMIT = "#preship-cancel-submit-button-announce"
REFUSAL = ".preshipCancel-error-alert"
REFUSAL_TEXT = ".a-alert-content"
SCRIPT = "script[src]"
_NUMBER = re.compile(r"[0-9]+")


@dataclass(frozen=True)
class CancellableItem:
    item_id: str  # this order line's id on the Cancel items page (data-itemid)
    product_id: str | None  # the ASIN its /dp/ link names
    title: str
    price: str | None
    quantity: int


@dataclass(frozen=True)
class ReasonOption:
    value: str
    label: str


@dataclass(frozen=True)
class CancelForm:
    """What the Cancel items screen says, as data."""
    items: list[CancellableItem]
    reasons: list[ReasonOption]
    refusal: str | None  # the store's refusal, shown on the form after a submit it would not take
    script_sources: list[str]  # the page's external scripts: the submit works only if they ran


def showing(html: str) -> bool:
    return document(html).css_first(FORM) is not None


def parse(html: str) -> CancelForm:
    doc = document(html)
    items = []
    for box in doc.css(ITEM):
        quantity = _NUMBER.search(text(box.css_first(ITEM_QUANTITY)))
        items.append(CancellableItem(item_id=attribute(box, "data-itemid") or "",
                                     product_id=product_id(attribute(box.css_first(PRODUCT_LINK), "href")),
                                     title=text(box.css_first(ITEM_TITLE)), price=text(box.css_first(ITEM_PRICE)) or None,
                                     quantity=int(quantity.group(0)) if quantity else 1))
    reasons = [ReasonOption(attribute(o, "value") or "", text(o)) for o in doc.css(f"{REASON} option")]
    shown = [alert for alert in doc.css(REFUSAL)
             if attribute(alert, "aria-hidden") != "true" and "aok-hidden" not in (attribute(alert, "class") or "")]
    refusal = text(shown[0].css_first(REFUSAL_TEXT)) if shown else ""
    return CancelForm(items, [r for r in reasons if r.value], refusal or None,
                      [attribute(s, "src") or "" for s in doc.css(SCRIPT)])


class CancelItemsPage:
    PATH = "/progress-tracker/package/preship/cancel-items"

    def __init__(self, page: Page) -> None:
        self.page = page
        self.form = page.locator(FORM)
        self.reason = page.locator(REASON)
        self.note = page.locator(NOTE)
        self.select_all = page.locator(SELECT_ALL)
        self.submit_button = page.locator(SUBMIT)

    @classmethod
    def path_for(cls, order_id: str) -> str:
        return f"{cls.PATH}?orderID={order_id}"

    def is_showing(self) -> bool:
        return showing(self.page.content())

    def read(self) -> CancelForm:
        return parse(self.page.content())

    # -- acting, through locators (Playwright's waiting and actionability checks are the point) --
    def tick(self, item_id: str) -> None:
        self.form.locator(f"div[data-itemid='{item_id}'] {CHECKBOX}").check()

    def ticked(self) -> list[str]:
        """The ids of the ticked boxes: the live state of the form, which the HTML does not carry.
        Queried in Playwright's own isolated world, so nothing is injected into the page's."""
        boxes = self.form.locator(f"div[data-itemid]:has({CHECKBOX}:checked)")
        return [box.get_attribute("data-itemid") or "" for box in boxes.all()]

    def choose_reason(self, value: str) -> None:
        self.reason.select_option(value=value)

    def write_note(self, words: str) -> None:
        self.note.fill(words)

    def submit_enabled(self) -> bool:
        return self.submit_button.is_enabled()

    def wait_until_submittable(self, timeout_ms: float) -> bool:
        """Whether the page's own scripts enabled "Request cancellation" (they do once an item is
        ticked); False if they did not within the time."""
        from playwright.sync_api import expect  # a browser runs: its client is loaded

        try:
            expect(self.submit_button).to_be_enabled(timeout=timeout_ms)
        except AssertionError:
            return False
        return True

    def submit(self, timeout_ms: float | None = None) -> Response | None:
        """Press "Request cancellation" once and wait for the store's answer to load; the answer's
        response (after any redirect), whose body is the answer as the store served it."""
        with self.page.expect_navigation(wait_until="domcontentloaded", timeout=timeout_ms) as answer:
            # the click itself must not wait for the answer under the action timeout: the answer's
            # own time limit is the navigation's
            self.submit_button.click(no_wait_after=True)
        return answer.value
