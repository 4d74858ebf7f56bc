"""Check the page objects against pages saved from the live storefront (not part of the project).

Serves ../shared/real-pages with ../shared/tools/replay-real-pages and asserts that every screen
parses and every locator the tool relies on matches. Run by hand where those pages exist:

    .venv/bin/python scripts/check_real_pages.py [--shared ../shared]
"""
from __future__ import annotations

import argparse
import subprocess
import sys
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import httpx
from playwright.sync_api import Page, sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from automation.browser.launch import LAUNCH_FLAGS, chromium_executable, new_context  # noqa: E402
from automation.order.outcome import OrderState  # noqa: E402
from automation.settings import Settings  # noqa: E402
from mock_store.server import free_port  # noqa: E402
from pages import your_orders  # noqa: E402
from pages.cancel_items import CancelItemsPage  # noqa: E402
from pages.cancel_summary import CancelResultKind, CancelSummaryPage  # noqa: E402
from pages.common import error_page  # noqa: E402
from pages.order_details import OrderDetailsPage  # noqa: E402
from pages.robot_check import RobotCheck, robot_check  # noqa: E402
from pages.sign_in import SignInPage, SignInStep  # noqa: E402
from tests.screens import show, show_orders  # noqa: E402

EXPECTED_STATES = {
    "114-2706026-4049019": OrderState.CANCELLABLE,
    "112-5561210-9300211": OrderState.CANCELLABLE,
    "112-0399923-3070642": OrderState.NOT_CANCELLABLE,
    "112-0000000-0000000": OrderState.CANCELLED,
}


class ScriptSources(HTMLParser):
    """The hosts a saved page loads scripts from."""

    def __init__(self) -> None:
        super().__init__()
        self.hosts: Counter[str] = Counter()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        src = dict(attrs).get("src")
        if tag == "script" and src and urlsplit(src).hostname:
            self.hosts[urlsplit(src).hostname or ""] += 1


def check_script_hosts(folder: Path) -> None:
    """Every host a live page loads scripts from is on the default allow-list for Amazon."""
    allowed = set(Settings(_env_file=None, base_url="https://www.amazon.com").asset_origins)
    for page in sorted(folder.glob("*.html")):
        reader = ScriptSources()
        reader.feed(page.read_bytes().decode("utf-8", errors="replace"))
        missing = [host for host in reader.hosts if f"https://{host}" not in allowed]
        assert not missing, (page.name, missing)
        print(f"ok  script hosts of {page.name}: {dict(reader.hosts) or 'none'}")


def check_layouts(folder: Path) -> None:
    """The layout reader on every saved Your Orders page: each card's items, each by its product."""
    for page in sorted(folder.glob("*.html")):
        html = page.read_bytes().decode("utf-8", errors="replace")
        if not your_orders.showing(html):
            continue
        cards = your_orders.parse(html).cards
        assert cards and all(card.items for card in cards), (page.name, [c.order_id for c in cards if not c.items])
        assert all(item.product_id and item.title for card in cards for item in card.items), page.name
        layouts = Counter(item.layout for card in cards for item in card.items)
        print(f"ok  items of {page.name}: {sum(layouts.values())} in {len(cards)} cards, {dict(layouts)}")


# the saved pages that are robot checks; every other saved page is a screen, never taken for one
ROBOT_CHECKS = {"auth-post-signin-captcha-2.html": RobotCheck.CAPTCHA}


def check_robot_rule(folder: Path) -> None:
    """The one robot-check rule on every saved page: the saved robot check is one, and no screen is."""
    for page in sorted(folder.glob("*.html")):
        found = robot_check(page.read_bytes().decode("utf-8", errors="replace"))
        assert found is ROBOT_CHECKS.get(page.name), (page.name, found)
        print(f"ok  robot check of {page.name}: {found.value if found else 'none'}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--shared", type=Path, default=Path(__file__).resolve().parents[2] / "shared")
    args = parser.parse_args()
    check_script_hosts(args.shared / "real-pages")
    check_layouts(args.shared / "real-pages")
    check_robot_rule(args.shared / "real-pages")
    port = free_port()
    server = subprocess.Popen([sys.executable, str(args.shared / "tools" / "replay-real-pages"), "--port", str(port)],
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    server.stdout.readline()  # it prints one line once it listens
    base = f"http://127.0.0.1:{port}"
    assert httpx.get(f"{base}/ap/signin").status_code == 200
    settings = Settings(_env_file=None, base_url=base)
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium_executable(settings, p), args=LAUNCH_FLAGS)
            check_in_the_browser(new_context(browser, settings).new_page())
            browser.close()
    finally:
        server.terminate()
    # the sign-in variants are not served at a path: tests/unit/test_screens.py reads them as files
    print("all real pages parse")


def check_in_the_browser(page: Page) -> None:
    """The page objects, as the tool drives them, on the live markup served at the live paths."""
    details = OrderDetailsPage(page)
    for order_id, expected in EXPECTED_STATES.items():
        show(page, OrderDetailsPage.path_for(order_id))
        summary = details.read()
        assert summary.state is expected, (order_id, summary)
        assert summary.order_id in (order_id, None) and (summary.items or summary.cancelled_banner)
        assert all(i.product_id for i in summary.items), summary.items  # identity, not titles
        print(f"ok  details {order_id}: {summary.state.value}, {len(summary.items)} item(s) "
              f"{[i.product_id for i in summary.items]}")
    show(page, OrderDetailsPage.path_for("999-0000000-0000000"))
    assert error_page(page) == "not_found"
    show(page, CancelItemsPage.path_for("112-5561210-9300211"))
    form = CancelItemsPage(page)
    read = form.read()
    items = read.items
    assert len(items) == 2 and items[1].quantity == 5 and len(read.reasons) == 11
    # the same order's two screens name the same products (identity by product, not title)
    show(page, OrderDetailsPage.path_for("112-5561210-9300211"))
    assert [i.product_id for i in items] == [i.product_id for i in details.read().items] == ["B0DXPH1YGN", "B0CGW4HFYN"]
    show(page, CancelItemsPage.path_for("112-5561210-9300211"))
    form.tick(items[0].item_id)
    assert form.ticked() == [items[0].item_id] and form.read().refusal is None
    print(f"ok  cancel items: {[i.item_id for i in items]}")
    show(page, f"{CancelSummaryPage.PATH}?orderID=112-5561210-9300211")
    result = CancelSummaryPage(page).read()
    assert result.kind is CancelResultKind.SUCCESS and len(result.items) == 2
    print("ok  cancel summary: SUCCESS")
    orders = show_orders(page)
    cards = orders.cards
    assert len(cards) == 10 and orders.next_page_path and any(c.offers_cancel for c in cards)
    assert all(c.items and all(i.product_id for i in c.items) for c in cards)  # as the tool reads them
    print(f"ok  your orders: {len(cards)} cards, {sum(len(c.items) for c in cards)} items, "
          f"next page {orders.next_page_path}")
    show(page, SignInPage.path_for())
    assert SignInPage(page).read().step is SignInStep.EMAIL
    print("ok  sign-in: e-mail step")


if __name__ == "__main__":
    main()
