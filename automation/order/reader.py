"""Reading one account's orders through the storefront: an order's details verified to be that
order, a check's Result, the Your Orders cards; and the reports every Result is made of."""
from __future__ import annotations

import re
import urllib.parse
from dataclasses import replace
from typing import TYPE_CHECKING

from automation.browser.reloads import read_your_orders
from automation.browser.storefront import Storefront, same_origin
from automation.errors import StoreTrouble
from automation.language import _
from automation.marketplace import Marketplace, priced
from automation.order.input import is_digital
from automation.order.items import Line, lines_of, same_lines
from automation.order.outcome import ItemReport, Money, OrderState, Outcome, Result, StateReport
from automation.order.wording import RETURN_AT, RETURN_LATER, RETURN_OPEN, say
from pages import order_details, your_orders
from pages.common import error_kind, query_param
from pages.order_details import OrderDetailsPage, OrderSummary
from pages.your_orders import OrderCard, YourOrdersPage

if TYPE_CHECKING:
    from playwright.sync_api import Page

REFUND_BUSINESS_DAYS = 5  # "typically 3-5 business days": the refund date says the last of them
ORDERS_PAGES_MAX = 50
RETURN_CART, RETURN_STATUS = "/spr/returns/cart", "/spr/returns/prep"
# what an address may hold to be shown as one: RFC 3986's characters, no space, control or look-alike letter
URL_CHARACTERS = re.compile(r"[A-Za-z0-9._~:/?#\[\]@!$&'()*+,;=%-]{1,2000}")


class WrongOrder(StoreTrouble):
    """The page shows another order than the one asked about."""


def report_state(summary: OrderSummary) -> StateReport:
    return StateReport(summary.state, summary.status_text)


def report_items(summary: OrderSummary, market: Marketplace, lines: list[Line] | None = None,
                 chosen: list[Line] | None = None) -> list[ItemReport]:
    """The order's items as its details show them, with the Cancel items page's ids where known,
    each price's amount in the marketplace's currency, and the lines a submit would cancel marked."""
    lines = lines or lines_of(summary.items)
    reports = []
    for item, line in zip(summary.items, lines, strict=True):
        reports.append(ItemReport(item.title, item.quantity, item.price, item.cancelled, line.item_id, item.seller,
                                  item.product_id, item.cancelled, *priced(item.price, market),
                                  would_cancel=any(line is c for c in chosen or [])))
    return reports


def since(after: list[ItemReport], before: list[ItemReport]) -> list[ItemReport]:
    """The items read after a run, each with its state before it (paired by `items.same_lines`);
    not known (None) only for lines the two reads of the order disagree on."""
    pairs = same_lines(before, after)
    return [replace(item, cancelled_before=None if old is None else before[old].cancelled)
            for item, old in zip(after, pairs, strict=True)]


def doubt(items: list[ItemReport]) -> str:
    """What a result's message adds when the two reads of the order disagree on some lines: that
    whether this run cancelled them is not known, in words; '' when they agree."""
    unknown = [item.title for item in items if item.cancelled_before is None]
    return "; " + say("screens_disagree", names=", ".join(unknown))[0] if unknown else ""


def money(shown: str | None, market: Marketplace) -> Money | None:
    return Money(shown, *priced(shown, market)) if shown else None


def shows_order(summary: OrderSummary, order_id: str, address_order: str | None) -> bool:
    """Whether a details screen is this order's: its number, or, for a fully cancelled order whose
    page shows no number (as on the live site), the address it was read from."""
    if summary.order_id is None and summary.rejected_id is None and summary.cancelled_banner:
        return address_order == order_id
    return summary.order_id == order_id


def return_link(summary: OrderSummary, order_id: str, base_url: str) -> str | None:
    """The order page's return link as an absolute address, when it leads to this order's return on
    the store's own returns pages; else None. The link is the store's data: one that leaves the store's
    origin (another host, port or scheme, credentials), names another path or order, or holds
    characters no address holds is not passed on."""
    if not summary.return_path:
        return None
    url = urllib.parse.urljoin(base_url + "/", summary.return_path.strip())
    parts = urllib.parse.urlsplit(url)
    # every parameter a lenient server might take for the order's ("orderId ", "orderId%00", "amp;orderId", a blank one)
    query = urllib.parse.parse_qs(parts.query, keep_blank_values=True)
    orders = [v for k, vs in query.items() if "orderid" in re.sub(r"[^a-z]", "", k.lower()) for v in vs]
    if not URL_CHARACTERS.fullmatch(url) or not same_origin(url, base_url) or \
            parts.path not in (RETURN_CART, RETURN_STATUS) or any(found != order_id for found in orders) or \
            (parts.path == RETURN_CART and not orders):
        return None
    return url


def return_advice(summary: OrderSummary, url: str | None = None) -> str:
    """The next step of an order it is too late to cancel: its return link (`return_link`), else
    how to return it once it arrives, with the items' return notes."""
    notes = sorted({i.return_note for i in summary.items if i.return_note})
    advice = f" ({'; '.join(notes)})" if notes else ""
    if url and urllib.parse.urlsplit(url).path == RETURN_STATUS:
        return _(RETURN_OPEN).format(url=url)
    return _(RETURN_AT).format(url=url, notes=advice) if url else _(RETURN_LATER).format(notes=advice)


class OrderReader:
    """Reads the orders of one signed-in account, one at a time, and never acts on them."""

    def __init__(self, storefront: Storefront) -> None:
        self.storefront = storefront
        self.log = storefront.log
        self.market = storefront.settings.market

    @property
    def page(self) -> Page:
        return self.storefront.page  # the storefront may change tabs (after a broken submit, say)

    def read_order(self, order_id: str) -> OrderSummary | None:
        """The order's details screen, verified to be that order; None if the store has no such order.
        The screen is server-rendered, so it is fetched first without rendering (a fetch follows no
        redirect: what it read is the address it asked for); anything but a plain details screen
        of this very order is read again in the browser, the full way."""
        path = OrderDetailsPage.path_for(order_id)
        fetched = self.storefront.fetch(path)
        if fetched is not None and order_details.showing(fetched):
            summary = order_details.parse(fetched)
            if shows_order(summary, order_id, address_order=order_id):
                return summary
        response = self.storefront.visit(path)
        if response is not None and response.status == 404:
            return None
        html = self.page.content()  # the screen is read once, by the pure functions
        if not order_details.showing(html):
            if error_kind(html) == "not_found":  # a not-found page served as 200
                return None
            raise StoreTrouble(f"the page for {order_id} is not an order details screen")
        summary = order_details.parse(html)
        if not shows_order(summary, order_id, address_order=query_param(self.page, "orderID")):
            raise WrongOrder(f"asked for {order_id} but the page shows "
                             f"{summary.order_id or summary.rejected_id or 'no order number'}")
        return summary

    def check(self, order_id: str) -> Result:
        summary = self.read_order(order_id)
        if summary is None:
            return self._not_found(order_id)
        key = {OrderState.CANCELLABLE: "checked_cancellable", OrderState.NOT_CANCELLABLE: "checked_not_cancellable",
               OrderState.CANCELLED: "checked_cancelled", OrderState.CANCELLATION_REQUESTED: "checked_requested"}
        url = self.return_url(order_id, summary) if summary.state is OrderState.NOT_CANCELLABLE else None
        open_items = sum(not item.cancelled for item in summary.items)  # what a cancel could still take
        message, next_step = say(key[summary.state], order_id=order_id, count=open_items,
                                 status=summary.status_text or _("none shown"), advice=self._advice(order_id, summary, url))
        return Result(order_id, Outcome.CHECKED, message, before=report_state(summary), after=report_state(summary),
                      items=report_items(summary, self.market), next_step=next_step,
                      total=money(summary.total, self.market), return_url=url)

    def list_orders(self, order_filter: str | None) -> list[OrderCard]:
        """The order cards of every page, each read once its cards are decrypted (or from its plain
        fallback, for every page after one that needed it); a card whose number is not an order
        number is skipped with one warning, and its number is never used."""
        path: str | None = YourOrdersPage.path_for(order_filter)
        plain = False
        cards: dict[str, OrderCard] = {}
        skipped: set[str] = set()
        for _page in range(ORDERS_PAGES_MAX):
            if path is None:
                break
            html, plain = read_your_orders(self.storefront, path, plain)  # once per page, decrypted
            if not your_orders.showing(html):
                raise StoreTrouble("Your Orders did not show")
            read = your_orders.parse(html)
            new_skips = [number for number in dict.fromkeys(read.rejected) if number not in skipped]
            for number in new_skips:
                self.log.warning("order_card_skipped", number=number, reason="no order card: not an order number, or "
                                 "it holds another card")
            skipped.update(new_skips)
            fresh = {c.order_id: c for c in read.cards if c.order_id not in cards}
            cards.update(fresh)
            # a "next" page that repeats what was seen ends the walk
            path = read.next_page_path if fresh or new_skips else None
        return list(cards.values())

    def _not_found(self, order_id: str) -> Result:
        message, next_step = say("not_found", order_id=order_id)
        return Result(order_id, Outcome.NOT_FOUND, message, next_step=next_step)

    def return_url(self, order_id: str, summary: OrderSummary) -> str | None:
        """The order page's return link, checked (`return_link`); a digital order has none to follow."""
        return None if is_digital(order_id) else return_link(summary, order_id, self.storefront.settings.base_url)

    @staticmethod
    def _advice(order_id: str, summary: OrderSummary, url: str | None) -> str:
        """What to do about an order that can no longer be cancelled."""
        return (say("digital", status="")[1] or "") if is_digital(order_id) else return_advice(summary, url)
