"""Going to a screen in the tests the way the tool does: its page object's path, then its read."""
from __future__ import annotations

from playwright.sync_api import Page, Response

from pages.your_orders import OrdersScreen, YourOrdersPage


def show(page: Page, path: str) -> Response | None:
    """Load a screen's path as `Storefront.visit` does (without its pacing, sign-in and retry, which
    the tests of the tool cover): the response, once the document is parsed."""
    return page.goto(path, wait_until="domcontentloaded")


def show_orders(page: Page, path: str | None = None) -> OrdersScreen:
    """A page of Your Orders read as `OrderReader.list_orders` reads it: once its cards are decrypted."""
    show(page, path or YourOrdersPage.path_for())
    screen = YourOrdersPage(page)
    screen.wait_until_decrypted()
    return screen.read()
