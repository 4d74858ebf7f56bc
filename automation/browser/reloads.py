"""A page that navigates by itself: its main-frame loads counted while the tool reads it, and the
page stopped once it has loaded itself again more than MAX_RELOADS times; Your Orders read through
its plain fallback when its decryption does not complete."""
from __future__ import annotations

import re
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from automation.browser.playwright_errors import PlaywrightError
from automation.browser.session import save_session
from automation.errors import StoreTrouble
from pages.your_orders import YourOrdersPage, parse, plain_path, showing

if TYPE_CHECKING:
    from playwright.sync_api import Page, Request, Route

    from automation.browser.storefront import Storefront

# Two reloads may be a page's own doing (a fallback it sends itself to, a refreshed token); the
# live Your Orders whose decryption fails reloads several times a second without end
MAX_RELOADS = 2


class SelfReloading(StoreTrouble):
    """The page kept loading itself again; it was stopped (its tab closed), and no further load of it
    reached the store."""

    def __init__(self, path: str, loads: int) -> None:
        super().__init__(f"{path} loaded itself {loads} times; the tool stopped it")
        self.path = path
        self.loads = loads


def address_pattern(base_url: str, path: str) -> re.Pattern[str]:
    """The store's address of `path` with any query: the loads of one screen, asked or self-made."""
    address = urllib.parse.urljoin(base_url + "/", urllib.parse.urlsplit(path).path)
    return re.compile("^" + re.escape(address) + r"(?:[?#]|$)")


def main_frame_load(request: Request) -> bool:
    try:
        return request.is_navigation_request() and request.frame.parent_frame is None
    except PlaywrightError:  # no frame known (a request before its frame exists): not the tab's own load
        return False


class ReloadWatch:
    """Counts the main frame's document loads of one screen's address on one tab, from the tool's own
    load of it on (a sign-in's steps are not counted, the store sending the browser back is), and
    once that load is done every document the tab loads by itself, whatever its address: a page
    that sends itself elsewhere and back (an old address that redirects to it) loops as surely as
    one that reloads. Once the allowance is used up no document loads in the tab: a route aborts
    the next before it leaves the browser, and the tab is closed; a redirect's next hop, which no
    route sees, is counted from the tab's requests and closes the tab. Whatever waited (a load, a
    sign-in step, a decryption) ends at once, and the loop with it. The route is on the store's
    origin only, so its assets never pass through Python."""

    def __init__(self, page: Page, base_url: str, path: str) -> None:
        self.page = page
        self.path = path
        self.loads = 0
        self.stopped = False
        self.settled = False  # the tool's own load is done: every document the tab loads now is its own doing
        self._screen = address_pattern(base_url, path)
        self._origin = re.compile("^" + re.escape(urllib.parse.urljoin(base_url + "/", "/")))
        page.route(self._origin, self._route)
        page.on("request", self._redirected)

    def _counts(self, request: Request) -> bool:
        return main_frame_load(request) and (self.settled or self._screen.match(request.url) is not None)

    def _route(self, route: Route) -> None:
        if not main_frame_load(route.request):
            route.fallback()
            return
        if self.stopped or self.loads >= 1 + MAX_RELOADS:  # its allowance used up: no document loads in this tab
            route.abort("aborted")
            self._stop()
            return
        self.loads += self._counts(route.request)
        route.fallback()

    def _redirected(self, request: Request) -> None:
        if request.redirected_from is None or not self._counts(request):
            return
        self.loads += 1
        if self.loads > 1 + MAX_RELOADS:
            self._stop()

    def _stop(self) -> None:
        self.stopped = True
        if not self.page.is_closed():
            self.page.close()

    def stop(self) -> SelfReloading:
        """The error to raise for a stopped page: the loads that reached the store, not the refused one."""
        return SelfReloading(self.path, min(self.loads, 1 + MAX_RELOADS))

    def close(self) -> None:
        if self.page.is_closed():
            return
        try:
            self.page.remove_listener("request", self._redirected)
            self.page.unroute(self._origin, self._route)
        except PlaywrightError:  # the tab closed meanwhile: its routes went with it
            pass


@contextmanager
def watching(page: Page, base_url: str, path: str) -> Iterator[ReloadWatch]:
    """While the tool reads the screen at `path` on this tab: a tab that loads it again by itself more
    than MAX_RELOADS times is closed, and SelfReloading raised in place of whatever the closing made
    the reading raise."""
    watch = ReloadWatch(page, base_url, path)
    try:
        yield watch
    except (PlaywrightError, StoreTrouble, AssertionError):  # AssertionError: an `expect` on the closed tab
        if not watch.stopped:
            raise
        raise watch.stop() from None
    finally:
        watch.close()


class NotDecrypted(StoreTrouble):
    """Your Orders' decryption did not complete on a page: it reloaded itself, or stayed encrypted."""


def read_your_orders(storefront: Storefront, path: str, plain: bool = False) -> tuple[str, bool]:
    """Your Orders at `path`: its HTML once no card is encrypted, and whether it is the plain fallback.
    A page whose decryption does not complete (it reloads itself more than MAX_RELOADS times, or its
    cards stay encrypted for the time limit) is stopped, and its plain fallback asked for, once;
    `plain` asks for that one at once (an earlier page needed it). Where that does not complete
    either: StoreTrouble, saying so, and no further load."""
    if not plain:
        try:
            return _read_decrypted(storefront, path), False
        except NotDecrypted as exc:
            storefront.log.warning("your_orders_not_decrypted", path=path, error=str(exc))
    fallback = plain_path(path)
    try:
        html = _read_decrypted(storefront, fallback)
    except NotDecrypted as exc:
        storefront.log.warning("your_orders_not_decrypted", path=fallback, error=str(exc))
        raise StoreTrouble(f"Your Orders stays encrypted: the store's decryption did not complete, on the page nor "
                           f"on its plain version ({exc}); its key service or scripts may be out of reach from "
                           "this network: try again later") from None
    if not plain and showing(html):
        # signed in, as the page proves: a sign-in whose last step landed on the stopped page was
        # cut short before it saved the session
        save_session(storefront.context, storefront.settings)
    return html, True


def _read_decrypted(storefront: Storefront, path: str) -> str:
    timeout_s = storefront.settings.timeout_s
    try:
        with watching(storefront.page, storefront.settings.base_url, path) as watch:
            storefront.visit(path)
            watch.settled = True
            return _decrypted_html(storefront.page, timeout_s)
    except SelfReloading as exc:
        raise NotDecrypted(f"the page reloaded itself again and again: stopped after {exc.loads - 1} reloads") from None
    except AssertionError:
        raise NotDecrypted(f"its order cards were still encrypted after {timeout_s:g} s") from None


def _decrypted_html(page: Page, timeout_s: float) -> str:
    """The page's HTML once no card is encrypted (a sign-in or error page has none: the caller says
    what it is). Read again where a load of the page came between the wait and the read: every one
    is counted by the watch, which stops the page after its allowance."""
    screen = YourOrdersPage(page)
    for _ in range(2 + MAX_RELOADS):
        screen.wait_until_decrypted(timeout_s * 1000)
        try:
            html = page.content()
        except PlaywrightError:
            if page.is_closed():
                raise
            continue  # "the page is navigating": it loads itself again
        if not parse(html).still_encrypted:
            return html
    raise AssertionError("a load came between each wait and its read")
