"""A signed-in browser context on one store account: visiting its screens, signing in when asked,
and keeping evidence (screenshots, HTML, traces) free of secrets."""
from __future__ import annotations

import http.client
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from automation.browser.launch import new_context
from automation.browser.plain_http import MAX_ANSWER_BYTES, PlainReader, ReadAbandoned, capped_text, reaches_directly
from automation.browser.playwright_errors import PlaywrightError, PlaywrightTimeout, in_words, load_failed
from automation.browser.reloads import read_your_orders
from automation.browser.robot_checks import RobotChecks
from automation.browser.session import load_session, save_session, sign_in
from automation.browser.traces import scrubbed_zip
from automation.browser.workers import Turn, pause, sharing
from automation.errors import AuthFailed, StoreTimeout, StoreTrouble
from automation.files import UnsafeName, artifact_path, ensure_folder, scrub, write_private
from automation.marketplace import language_cookie
from automation.settings import Settings
from pages import your_orders
from pages.common import error_page, stylesheets
from pages.sign_in import SignInPage
from pages.your_orders import YourOrdersPage

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Page, Response


class Pacer:
    """Spaces page loads on one account: the next load starts at least the interval after the
    previous one finished, across every context and worker of the process that works for that
    account (so the store, too, sees them at least that far apart)."""
    _all: dict[tuple[str, str], Pacer] = {}
    _all_lock = threading.Lock()

    def __init__(self, interval_s: float) -> None:
        self.interval_s = interval_s
        self._turn = Turn()
        self._finished = float("-inf")

    @classmethod
    def for_account(cls, settings: Settings) -> Pacer:
        key = (settings.base_url, settings.account)
        with cls._all_lock:
            return cls._all.setdefault(key, Pacer(settings.page_interval_s))

    @contextmanager
    def load(self) -> Iterator[None]:
        if self.interval_s <= 0:
            yield
            return
        with self._turn.held():  # one load at a time on this account, then the interval
            due = self._finished + self.interval_s
            if time.monotonic() < due:
                pause(due - time.monotonic())  # politeness toward the store, not a wait for a page
            try:
                yield
            finally:
                self._finished = time.monotonic()


class Storefront:
    """One account's signed-in browser context, opened the first time a screen needs the browser:
    until then, read-only screens are fetched over plain HTTP with the saved session, so a run
    that only reads them never starts one. `browser` is the browser, or a function that launches
    it when first needed."""

    def __init__(self, browser: Browser | Callable[[], Browser], settings: Settings, run_id: str, log: Any,
                 trace: bool = False) -> None:
        self.settings = settings
        self.run_id = run_id
        self.log = log
        self._browser = browser
        self._context: BrowserContext | None = None
        self._page: Page | None = None
        self._plain: PlainReader | None = None
        self.sign_ins = 0
        self.pacer = Pacer.for_account(settings)
        self.tracing = trace
        self.sent_elsewhere: str | None = None  # the other host[:port] a navigation was sent to, if any
        self.robots = RobotChecks(settings, log)
        if trace:  # a trace is of the browser's work, from the first screen on
            self._open_context()

    @property
    def context(self) -> BrowserContext:
        return self._context if self._context is not None else self._open_context()

    @property
    def page(self) -> Page:
        if self._page is None or self._page.is_closed():  # closed: a page stopped for reloading itself
            self._page = self.context.new_page()
        return self._page

    def _open_context(self) -> BrowserContext:
        if callable(self._browser):  # started once, whatever happens next
            self._browser = self._browser()
        browser = self._browser
        if self._plain is not None:
            self._plain.close()
            self._plain = None
        self._context = context = new_context(browser, self.settings, load_session(self.settings))
        if self.settings.language:  # the display language, asked for the way the site keeps it
            context.add_cookies([language_cookie(self.settings.language, self.settings.market,  # type: ignore[list-item]
                                                 self.settings.base_url)])
        context.on("requestfailed", self._note_failure)
        if self.tracing:
            context.tracing.start(screenshots=True, snapshots=True)
        return context

    def close(self) -> None:
        if self._plain is not None:
            self._plain.close()
        if self._context is not None:
            self._context.close()

    def renew_page(self) -> None:
        """A fresh tab in the same signed-in context: Playwright keeps every request and response
        of a page's life until it closes, so long batches change tabs now and then."""
        old, self._page = self._page, self.context.new_page()
        if old is not None:
            old.close()

    # -- navigation -------------------------------------------------------------------------
    def visit(self, path: str) -> Response | None:
        """Open a store path, passing a robot check on the way (browser/robot_checks.py); sign in if
        the store asks; one retry on a timeout or a server error, none of a page that showed a check."""
        if self._page is not None and self.robots.halted is self._page:
            self.renew_page()  # stopped from loading after a challenge that did not clear
        challenged = False
        for attempt in (1, 2):
            try:
                response, challenged = self.robots.load(self.page, path, lambda: self._goto(path))
                if SignInPage(self.page).is_showing():
                    self.sign_in()  # the store sends the browser back to the page that asked
                    back = urllib.parse.urlsplit(self.page.url).path == urllib.parse.urlsplit(path).path
                    response, met = self.robots.load(self.page, path, (lambda: None) if back else
                                                     (lambda: self._goto(path)))
                    challenged = challenged or met
                    if SignInPage(self.page).is_showing():
                        raise AuthFailed("signed in, but the store asks to sign in again")
                status = response.status if response is not None else None
                if (status or 0) >= 500 or (status is None and error_page(self.page) == "server_error"):
                    raise StoreTrouble(f"the store answered {path} with a server error page")
                self.log.debug("page_loaded", path=path, status=status)
                return response
            except (PlaywrightTimeout, StoreTrouble) as exc:
                closed = self._page is not None and self._page.is_closed()  # stopped: never tried again
                trouble = exc if isinstance(exc, StoreTrouble) else load_failed(exc, self.settings.base_url)
                last = attempt == 2 or challenged or closed
                # info: the order's outcome says what failed, in the same words
                self.log.info("page_failed" if last else "page_retry", path=path, error=str(trouble))
                if last:
                    raise trouble from None
        raise AssertionError("unreachable")

    def _goto(self, path: str) -> Response | None:
        try:
            with self.pacer.load():
                return self.page.goto(path, wait_until="domcontentloaded")
        except PlaywrightTimeout as exc:
            # until a load's answer is in (a store can drip it for minutes, or flood the page with
            # more than it can parse) the tab is "navigating", and all asked of it next (its HTML
            # for the evidence, the next load) waits: a fresh tab does not, and closing one is quick
            self.renew_page()
            raise load_failed(exc, self.settings.base_url) from None
        except PlaywrightError as exc:
            elsewhere, self.sent_elsewhere = self.sent_elsewhere, None
            if elsewhere or "ERR_BLOCKED_BY_CLIENT" in str(exc).split("\n", 1)[0]:
                # every path the tool opens is on the store's host: only a redirect leads elsewhere
                raise AuthFailed(f"the store sent the browser from {path} to {elsewhere or 'another host'}, which "
                                 "the tool does not visit; no credentials were typed there") from None
            raise load_failed(exc, self.settings.base_url) from None

    def _note_failure(self, request: Any) -> None:
        """A navigation that failed on another origin: the browser refused to follow a redirect there
        (its resolver knows only the store's origin and its asset origins)."""
        if request.is_navigation_request() and not same_origin(request.url, self.settings.base_url):
            self.sent_elsewhere = urllib.parse.urlsplit(request.url).netloc

    def fetch(self, path: str) -> str | None:
        """A read-only screen's HTML fetched without rendering it: one GET, paced like a page load,
        through the context's request API (its cookies) once the browser runs, else over plain
        HTTP with the saved session's cookies. Only the store's own origin is asked, and no
        redirect is followed, so a fetch never reaches another host. None when the answer is
        anything but a plain 200 page (a redirect to sign in, an error, a failed connection, no
        saved session): then the caller visits the path in the browser, where every rule applies.
        An answer that does not come whole within the timeout, or is over the size cap, raises
        StoreTrouble: the browser would wait for that store twice as long again."""
        url = urllib.parse.urljoin(self.settings.base_url + "/", path)
        if not same_origin(url, self.settings.base_url):
            return None
        # a plain read blocks the thread: beside other workers (browser/workers.py) it would hold
        # them all for as long as the store takes, and their pages' route handlers with them
        if self._context is None and not sharing():
            return self._fetch_plain(url, path)
        try:
            with self.pacer.load():
                response = self.context.request.get(url, max_redirects=0, fail_on_status_code=False,
                                                    timeout=self.settings.timeout_s * 1000)
            try:
                if not response.headers.get("content-type", "").startswith("text/html"):
                    return None
                text = capped_text(response.headers, response.body)  # any status: a robot check may come with any
                if text is None:
                    raise StoreTrouble(f"could not read {path}: the answer is over the {MAX_ANSWER_BYTES >> 20} MiB cap")
                return None if self.robots.met_on_read(path, url, text) or response.status != 200 else text
            finally:
                response.dispose()
        except PlaywrightTimeout:  # Playwright's timeout covers the whole exchange, the body too
            raise StoreTimeout(f"the store did not answer within {self.settings.timeout_s:g} s") from None
        except PlaywrightError as exc:
            self.log.info("fetch_failed", path=path, error=in_words(exc))
            return None

    def _fetch_plain(self, url: str, path: str) -> str | None:
        if self._plain is None:
            session = load_session(self.settings)
            if session is None:  # nothing to read with: the browser signs in
                return None
            if self.settings.browser_endpoint or not reaches_directly(self.settings.base_url):
                return None  # the browser runs elsewhere, or reaches the store through a proxy
            cookies = list(session["cookies"])
            if self.settings.language:
                cookies.append(language_cookie(self.settings.language, self.settings.market, self.settings.base_url))
            self._plain = PlainReader(self.settings.base_url, cookies, self.settings.timeout_s)
        try:
            with self.pacer.load():
                answer = self._plain.get(url)
        except ReadAbandoned as exc:
            raise StoreTrouble(f"could not read {path}: {exc}") from None
        except (OSError, http.client.HTTPException) as exc:
            self.log.info("fetch_failed", path=path, error=str(exc).splitlines()[0] if str(exc) else type(exc).__name__)
            return None
        self.log.debug("page_read", path=path, status=answer.status, browser=False)
        if not answer.content_type.startswith("text/html") or self.robots.met_on_read(path, url, answer.body):
            return None  # a robot check, whatever its status, is read in the browser, never parsed as a screen
        return answer.body if answer.status == 200 else None

    def open_your_orders(self) -> None:
        """Open Your Orders, signing in if the store asks: the proof that this context is signed in.
        Its plain fallback serves as well, where the page's decryption does not complete."""
        html, _ = read_your_orders(self, YourOrdersPage.PATH)
        if SignInPage(self.page).is_showing() or not your_orders.showing(html):
            raise StoreTrouble("Your Orders did not show after signing in")

    def prove_signed_in(self) -> None:
        """Signed in (the browser signs in where the store asks), as Your Orders proves when the
        store serves it to this context. Opened, not read: the wait for its cards' decryption (a
        second on a long list) is for reading orders, which this proof does not."""
        self.visit(YourOrdersPage.PATH)
        html = self.fetch(YourOrdersPage.PATH)
        if html is None or SignInPage(self.page).is_showing() or not your_orders.showing(html):
            raise StoreTrouble("Your Orders did not show after signing in")

    def sign_in(self) -> None:
        """Sign in through the screens the browser is showing, keeping credentials out of any trace."""
        if self.tracing:
            self.context.tracing.stop_chunk()  # discard: it led to the sign-in page
        if self.sign_ins == 0:  # say where credentials are about to go, before typing any
            self.log.info("signing_in", store_host=self.settings.host, email=self.settings.email)
        sign_in(self.page, self.settings)
        self.sign_ins += 1
        save_session(self.context, self.settings)
        self.log.info("signed_in", sign_ins=self.sign_ins)
        if self.tracing:
            self.context.tracing.start_chunk()

    # -- evidence ---------------------------------------------------------------------------
    def save_evidence(self, order_id: str, label: str) -> list[str]:
        """The page's HTML and a screenshot a person can read (the page's own styles, password
        fields masked), both free of secrets. None unless the browser shows a store page with text
        on it (not its own error page for a store it could not reach): a blank one is no evidence."""
        saved: list[str] = []
        # none shown, stopped for reloading itself, or the browser's own error page (no store page)
        if self._page is None or self._page.is_closed() or not same_origin(self._page.url, self.settings.base_url):
            return saved
        try:
            folder = self.settings.artifacts_path / self.run_id
            # named before anything is made; "" is the run's own work (a sign-in, a list of orders)
            png_path = artifact_path(folder, order_id or None, f"-{label}.png")
            html_path = artifact_path(folder, order_id or None, f"-{label}.html")
            size, text = self.page.evaluate("[document.documentElement?.outerHTML.length ?? 0, "
                                            "(document.body?.innerText ?? '').trim().length]")
            if size > MAX_ANSWER_BYTES:
                self.log.warning("evidence_failed", error=f"the page is over the {MAX_ANSWER_BYTES >> 20} MiB cap")
                return saved
            if not text:
                return saved
            ensure_folder(folder, "artifacts folder")
            html = self.page.content()
            png = self.screenshot(html, full_page=True)
            saved.append(str(write_private(png_path, png)))
            cleaned = scrub(html, self.settings.secrets() + self._cookie_values())
            saved.append(str(write_private(html_path, cleaned.encode())))
        except (PlaywrightError, OSError, UnsafeName) as exc:
            self.log.warning("evidence_failed", error=in_words(exc))
        return saved

    def screenshot(self, html: str | None = None, **options: Any) -> bytes:
        """The page as a person would see it, password fields masked. Headless runs block style
        sheets, so the page's own are fetched (from the store's and asset origins only, following no
        redirect) and added to the page first, all within one timeout, each within the size cap;
        nothing is navigated, images stay blocked."""
        if self.settings.headless:
            allowed = (self.settings.base_url, *self.settings.asset_origins)
            deadline = time.monotonic() + self.settings.timeout_s  # however many sheets the page names
            for address in stylesheets(html if html is not None else self.page.content(), self.page.url):
                if not any(same_origin(address, origin) for origin in allowed):
                    continue
                if time.monotonic() >= deadline:
                    self.log.info("style_sheet_failed", address=address, error="no time left for style sheets")
                    break
                try:
                    response = self.context.request.get(address, max_redirects=0, fail_on_status_code=False,
                                                        timeout=max(1.0, (deadline - time.monotonic()) * 1000))
                    try:
                        css = capped_text(response.headers, response.body) if response.status == 200 else None
                        if css is not None:
                            self.page.add_style_tag(content=css)
                    finally:
                        response.dispose()
                except PlaywrightError as exc:  # a screenshot without styles is still evidence
                    self.log.info("style_sheet_failed", address=address, error=in_words(exc))
        return self.page.screenshot(mask=[self.page.locator("input[type=password]")],
                                    timeout=self.settings.timeout_s * 1000, **options)

    def save_trace(self, order_id: str) -> list[str]:
        """The trace of this order's work, scrubbed before it reaches its final path."""
        if not self.tracing:
            return []
        folder = self.settings.artifacts_path / self.run_id
        try:
            path = artifact_path(folder, order_id or None, "-trace.zip")
        except UnsafeName as exc:  # the chunk is dropped, so the next order's trace starts clean
            self.log.warning("trace_not_saved", error=str(exc))
            self.context.tracing.stop_chunk()
            self.context.tracing.start_chunk()
            return []
        ensure_folder(folder, "artifacts folder")
        raw = path.with_name(f".{path.stem}.raw.zip")  # hidden until scrubbed
        try:
            self.context.tracing.stop_chunk(path=raw)
            self.context.tracing.start_chunk()
            write_private(path, scrubbed_zip(raw, self.settings.secrets() + self._cookie_values()))
        finally:
            raw.unlink(missing_ok=True)
        return [str(path)]

    def _cookie_values(self) -> list[str]:
        if self._context is None:
            return []
        try:
            return [c["value"] for c in self.context.cookies() if len(c.get("value", "")) >= 6]
        except PlaywrightError:
            return []


def served_html(response: Response | None) -> str | None:
    """The HTML a navigation's response served: a server-rendered screen read as the store sent it,
    without asking the page (whose first question after each load costs Chromium ~40 ms to set up
    Playwright's helpers). None when it is not a 200 HTML answer or its body is no longer kept."""
    if response is None or response.status != 200 or \
            not response.headers.get("content-type", "").startswith("text/html"):
        return None
    try:
        return response.text()
    except PlaywrightError:
        return None


def same_origin(url: str, base_url: str) -> bool:
    ours, theirs = urllib.parse.urlsplit(base_url), urllib.parse.urlsplit(url)
    return (ours.scheme, ours.netloc) == (theirs.scheme, theirs.netloc)
