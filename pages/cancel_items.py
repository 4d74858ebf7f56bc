"""Cancel items: the order's cancellable items with their ids, the reason list, the note, the submit."""
from __future__ import annotations

from dataclasses import dataclass

from playwright.sync_api import Page, expect

from pages.common import PRODUCT_LINK, exists, product_id


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


_ITEMS_JS = """(productLink) => Array.from(document.querySelectorAll('#cancel-items-form div.a-box[data-itemid]')).map(box => {
  const clean = el => (el?.textContent || '').replace(/\\s+/g, ' ').trim();
  return {
    item_id: box.getAttribute('data-itemid'),
    product_href: box.querySelector(productLink)?.getAttribute('href') || null,
    title: clean(box.querySelector('.item-title')),
    price: clean(box.querySelector('.item-price')) || null,
    quantity: parseInt((clean(box.querySelector('.item-quantity')).match(/\\d+/) || ['1'])[0], 10),
  };
})"""


class CancelItemsPage:
    PATH = "/progress-tracker/package/preship/cancel-items"

    def __init__(self, page: Page) -> None:
        self.page = page
        self.form = page.locator("form#cancel-items-form")
        # the real page labels both the drop-down and the free-text box "Cancellation reason
        # (optional)", so a label locator would match two elements; the id is stable
        self.reason = page.locator("select#cancel-reasons-dropdown")
        self.note = page.locator("input#cancel-reason-additional-input")
        self.select_all = page.locator("#select-toggle-link")
        self.submit_button = page.locator("#preship-cancel-submit-button-announce")
        self.refusal = page.locator(".preshipCancel-error-alert:not([aria-hidden='true']):not(.aok-hidden) .a-alert-content")

    @classmethod
    def path_for(cls, order_id: str) -> str:
        return f"{cls.PATH}?orderID={order_id}"

    def open(self, order_id: str) -> CancelItemsPage:
        self.page.goto(self.path_for(order_id), wait_until="domcontentloaded")
        return self

    def is_showing(self) -> bool:
        return exists(self.page, "form#cancel-items-form")

    def items(self) -> list[CancellableItem]:
        return [CancellableItem(raw["item_id"], product_id(raw["product_href"]), raw["title"], raw["price"],
                                raw["quantity"]) for raw in self.page.evaluate(_ITEMS_JS, PRODUCT_LINK)]

    def reasons(self) -> list[ReasonOption]:
        options = self.reason.locator("option").evaluate_all(
            "(os) => os.map(o => [o.value, o.textContent.replace(/\\s+/g, ' ').trim()])")
        return [ReasonOption(value, label) for value, label in options if value]

    def tick(self, item_id: str) -> None:
        self.form.locator(f"div[data-itemid='{item_id}'] input[type='checkbox']").check()

    def ticked(self) -> list[str]:
        return self.form.locator("div[data-itemid]:has(input[type='checkbox']:checked)").evaluate_all(
            "(boxes) => boxes.map(b => b.getAttribute('data-itemid'))")

    def choose_reason(self, value: str) -> None:
        self.reason.select_option(value=value)

    def write_note(self, text: str) -> None:
        self.note.fill(text)

    def submit_enabled(self) -> bool:
        return self.submit_button.is_enabled()

    def wait_until_submittable(self, timeout_ms: float) -> bool:
        """Whether the page's own scripts enabled "Request cancellation" (they do once an item is
        ticked); False if they did not within the time."""
        try:
            expect(self.submit_button).to_be_enabled(timeout=timeout_ms)
        except AssertionError:
            return False
        return True

    def script_sources(self) -> list[str]:
        """The addresses of the page's external scripts: the button works only if they ran."""
        return self.page.evaluate("() => Array.from(document.scripts, s => s.src).filter(Boolean)")

    def submit(self, timeout_ms: float | None = None) -> None:
        """Press "Request cancellation" once and wait for the store's answer to load."""
        with self.page.expect_navigation(wait_until="domcontentloaded", timeout=timeout_ms):
            # the click itself must not wait for the answer under the action timeout: the answer's
            # own time limit is the navigation's
            self.submit_button.click(no_wait_after=True)

    def refusal_text(self) -> str | None:
        if self.refusal.count() == 0:
            return None
        return " ".join(self.refusal.first.inner_text().split()) or None
