"""Your Orders: the order cards of one page of the order history, and the way to the next page."""
from __future__ import annotations

from dataclasses import dataclass

from playwright.sync_api import Page, expect

from pages.common import exists
from pages.texts import all_languages


@dataclass(frozen=True)
class OrderCard:
    order_id: str
    placed: str
    total: str | None
    status_text: str
    details_path: str | None
    offers_cancel: bool


ENCRYPTED_CARD = ".csd-encrypted-sensitive"

_CARDS_JS = """(labels) => Array.from(document.querySelectorAll('.order-card')).map(card => {
  const clean = el => (el?.textContent || '').replace(/\\s+/g, ' ').trim();
  const headerValue = names => {
    for (const item of card.querySelectorAll('.order-header__header-list-item')) {
      const label = clean(item.querySelector('.a-text-caps'));
      if (names.includes(label)) return clean(item.querySelector('.a-row:not(.a-size-mini), .a-size-base'));
    }
    return null;
  };
  const details = card.querySelector('.yohtmlc-order-level-connections a[href*="order-details"]');
  return {
    order_id: clean(card.querySelector('.yohtmlc-order-id span[dir="ltr"], .yohtmlc-order-id bdi')),
    placed: headerValue(labels.placed) || '',
    total: headerValue(labels.total),
    status_text: Array.from(card.querySelectorAll('.delivery-box__primary-text')).map(clean).join(' / '),
    details_path: details ? details.getAttribute('href') : null,
    // "Cancel items" where the card offers it; "View or edit order" is the live site's way in for
    // orders that have not shipped
    offers_cancel: !!card.querySelector('a[href*="/preship/cancel-items"], a[href*="_fed_veo"]'),
  };
})"""


class YourOrdersPage:
    PATH = "/your-orders/orders"

    def __init__(self, page: Page) -> None:
        self.page = page
        self.next_link = page.locator("ul.a-pagination li.a-last a")
        self.encrypted = page.locator(ENCRYPTED_CARD)

    @classmethod
    def path_for(cls, order_filter: str | None = None, start_index: int = 0) -> str:
        query = [f"orderFilter={order_filter}"] if order_filter else []
        if start_index:
            query.append(f"startIndex={start_index}")
        return cls.PATH + ("?" + "&".join(query) if query else "")

    def open(self, order_filter: str | None = None, start_index: int = 0) -> YourOrdersPage:
        """Open the page and wait until its cards are readable (decrypted)."""
        self.page.goto(self.path_for(order_filter, start_index), wait_until="domcontentloaded")
        self.wait_until_decrypted()
        return self

    def is_showing(self) -> bool:
        return exists(self.page, "form.js-time-filter-form, #time-filter")

    def wait_until_decrypted(self, timeout_ms: float | None = None) -> None:
        """Wait until no order card is still encrypted. The live site sends each card encrypted
        (`.csd-encrypted-sensitive`) and a script decrypts them one by one; where that library is
        missing, the page sends itself to its plain fallback (`?disableCsd=missing-library`)."""
        expect(self.encrypted).to_have_count(0, timeout=timeout_ms)
        self.page.wait_for_load_state("domcontentloaded")  # the fallback document, if one replaced it, whole

    def cards(self) -> list[OrderCard]:
        labels = {"placed": all_languages("order_placed"), "total": all_languages("total")}
        return [OrderCard(**raw) for raw in self.page.evaluate(_CARDS_JS, labels) if raw["order_id"]]

    def next_page_path(self) -> str | None:
        return self.next_link.first.get_attribute("href") if self.next_link.count() else None

    def go_to_next_page(self) -> bool:
        href = self.next_page_path()
        if not href:
            return False
        self.page.goto(href, wait_until="domcontentloaded")
        self.wait_until_decrypted()
        return True
