"""Order Details: which order the page shows, its items and status, and the "Cancel items" way in."""
from __future__ import annotations

from dataclasses import dataclass

from playwright.sync_api import Page, Response

from pages.common import PRODUCT_LINK, exists, product_id
from pages.texts import all_languages


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
    """Everything the details screen says about the order, read in one round trip."""
    order_id: str | None
    placed: str | None
    status_text: str
    items: list[OrderedItem]
    cancel_path: str | None
    cancelled_banner: bool


# The current markup (data-component) first, then the older one (yohtmlc-item, order-date-invoice-item)
# that /gp/your-account/order-details still serves for old orders.
_READ_JS = """([soldBy, productLink]) => {
  const clean = el => (el?.textContent || '').replace(/\\s+/g, ' ').trim();
  const seller = text => {
    let s = text;
    for (const prefix of soldBy) if (s.startsWith(prefix)) s = s.slice(prefix.length);
    return s.trim() || null;
  };
  const q = css => document.querySelector(css);
  let orderId = clean(q('[data-component="orderId"]'));
  if (!orderId) {
    const old = Array.from(document.querySelectorAll('.order-date-invoice-item bdi, .order-date-invoice-item'))
      .map(clean).map(t => (t.match(/(D01|\\d{3})-\\d{7}-\\d{7}/) || [null])[0]).find(Boolean);
    orderId = old || '';
  }
  let items = Array.from(document.querySelectorAll('[data-component="purchasedItemsRightGrid"]')).map(right => {
    const left = right.previousElementSibling?.matches('[data-component="purchasedItemsLeftGrid"]') ? right.previousElementSibling : null;
    const qty = clean(right.querySelector('[data-component="quantity"]')) || clean(left?.querySelector('.od-item-view-qty'));
    const price = right.querySelector('[data-component="unitPrice"] .a-offscreen') || right.querySelector('[data-component="unitPrice"]');
    return {
      product_href: right.querySelector('[data-component="itemTitle"]')?.querySelector(productLink)?.getAttribute('href') || null,
      title: clean(right.querySelector('[data-component="itemTitle"]')),
      quantity: parseInt((qty.match(/\\d+/) || ['1'])[0], 10),
      price: clean(price) || null,
      seller: seller(clean(right.querySelector('[data-component="orderedMerchant"]'))),
      cancelled: !!right.closest('[data-component="cancelled"]'),
      return_note: clean(right.querySelector('[data-component="itemReturnEligibility"]')) || null,
    };
  });
  if (!items.length) {
    items = Array.from(document.querySelectorAll('.shipment .yohtmlc-item')).map(item => ({
      product_href: item.querySelector(productLink)?.getAttribute('href') || null,
      title: clean(item.querySelector('a')),
      quantity: parseInt((clean(item.querySelector('.item-view-qty')).match(/\\d+/) || ['1'])[0], 10),
      price: clean(item.querySelector('.a-color-price')) || null,
      seller: seller(Array.from(item.querySelectorAll('.a-color-secondary')).map(clean).find(t => soldBy.some(p => t.startsWith(p))) || ''),
      cancelled: false,
      return_note: Array.from(item.querySelectorAll('.a-row')).map(clean).find(t => /return/i.test(t)) || null,
    }));
  }
  const statuses = Array.from(document.querySelectorAll('[data-component="shipmentStatus"]'))
    .filter(el => !el.closest('[data-component="cancelled"]')).map(clean).filter(Boolean);
  const cancel = q('a[href*="/progress-tracker/package/preship/cancel-items"]');
  const banner = q('[data-component="cancelledOrderBanner"]');
  return {
    order_id: orderId || null,
    placed: clean(q('[data-component="orderDate"]')) || null,
    status_text: banner ? clean(banner.querySelector('h4, .a-alert-heading') || banner).replace(/\\s*Continue shopping$/, '') : statuses.join(' / '),
    items,
    cancel_path: cancel ? cancel.getAttribute('href') : null,
    cancelled_banner: !!banner,
  };
}"""


class OrderDetailsPage:
    PATH = "/your-orders/order-details"

    def __init__(self, page: Page) -> None:
        self.page = page

    @classmethod
    def path_for(cls, order_id: str) -> str:
        return f"{cls.PATH}?orderID={order_id}"

    def open(self, order_id: str) -> Response | None:
        return self.page.goto(self.path_for(order_id), wait_until="domcontentloaded")

    def is_showing(self) -> bool:
        """Whether this is an order details screen at all (any markup generation, cancelled or not)."""
        return exists(self.page, "[data-component='orderId'], [data-component='cancelledOrderBanner'], "
                                 ".order-date-invoice-item")

    def read(self) -> OrderSummary:
        raw = self.page.evaluate(_READ_JS, [all_languages("sold_by"), PRODUCT_LINK])
        items = [OrderedItem(product_id(item.pop("product_href")), **item) for item in raw["items"]]
        return OrderSummary(**{**raw, "items": items})


def shows_cancellation_requested(status_text: str) -> bool:
    return any(text in status_text for text in all_languages("cancellation_requested"))
