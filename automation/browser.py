"""The browser's life cycle: one Chromium per run (local or remote), lean contexts on the store's host."""
from __future__ import annotations

import json
import re
import shutil
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, BrowserContext, Playwright, Route, sync_playwright

from automation.settings import Settings

LAUNCH_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run"]


class BrowserUnavailable(RuntimeError):
    pass


def is_headless_shell(path: str) -> bool:
    return "headless-shell" in Path(path).name or "headless_shell" in Path(path).name


def chromium_executable(settings: Settings, playwright: Playwright) -> str | None:
    """The Chromium to launch. Headless: the setting, else Playwright's own (its headless shell),
    else Debian's `chromium-headless-shell`, else `chromium`. Headed: a full Chromium, since the
    headless shell has no window: the headed setting, else a full browser setting, else
    Playwright's own, else `chromium` on PATH."""
    chosen = settings.browser_executable
    if settings.headless:
        if chosen:
            return str(chosen)
        candidates = ["chromium-headless-shell", "chromium", "chromium-browser", "google-chrome"]
    else:
        if settings.headed_browser_executable:
            return str(settings.headed_browser_executable)
        if chosen and not is_headless_shell(str(chosen)):
            return str(chosen)
        candidates = ["chromium", "chromium-browser", "google-chrome"]
    if Path(playwright.chromium.executable_path).exists():
        return None
    found = next((path for name in candidates if (path := shutil.which(name))), None)
    if found is None:
        raise BrowserUnavailable("no Chromium found: run 'playwright install chromium', install Debian's "
                                 "chromium-headless-shell (headless) or chromium (headed), or set "
                                 "ORDERCANCEL_BROWSER_EXECUTABLE")
    return found


def _launch(playwright: Playwright, settings: Settings, extra_args: tuple[str, ...] = ()) -> Browser:
    options: dict[str, Any] = {"headless": settings.headless, "args": [*LAUNCH_FLAGS, *extra_args]}
    if settings.slow_mo_ms:
        options["slow_mo"] = settings.slow_mo_ms
    return playwright.chromium.launch(executable_path=chromium_executable(settings, playwright), **options)


def _connect(playwright: Playwright, settings: Settings) -> Browser:
    """A browser on the Playwright server at BROWSER_ENDPOINT (`playwright run-server`), which
    launches one per connection with the options in this header."""
    remote: dict[str, Any] = {"headless": settings.headless, "args": LAUNCH_FLAGS}
    if settings.browser_executable:
        remote["executablePath"] = str(settings.browser_executable)
    assert settings.browser_endpoint
    return playwright.chromium.connect(settings.browser_endpoint, timeout=settings.timeout_s * 1000,
                                       slow_mo=settings.slow_mo_ms or None,
                                       headers={"x-playwright-launch-options": json.dumps(remote)})


@contextmanager
def open_browser(settings: Settings) -> Iterator[Browser]:
    """One browser for the whole run: launched here, or on a Playwright server at BROWSER_ENDPOINT."""
    with sync_playwright() as playwright:
        browser = _connect(playwright, settings) if settings.browser_endpoint else _launch(playwright, settings)
        try:
            yield browser
        finally:
            browser.close()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class SharedBrowser:
    """One Chromium for a batch, driven from several threads. Playwright's sync API belongs to the
    thread that started it, so each worker attaches with its own Playwright: over CDP on loopback
    to the browser launched here, or with its own connection to a remote browser server."""

    def __init__(self, settings: Settings, threads: int = 2) -> None:
        self.settings = settings
        self.threads = threads
        self.cdp_url: str | None = None

    def __enter__(self) -> Browser:
        self._playwright = sync_playwright().start()
        if self.settings.browser_endpoint:
            self.browser = _connect(self._playwright, self.settings)
        elif self.threads == 1:
            self.browser = _launch(self._playwright, self.settings)  # driven from this thread only: no CDP port
        else:
            port = free_port()
            self.browser = _launch(self._playwright, self.settings,
                                   (f"--remote-debugging-port={port}", "--remote-debugging-address=127.0.0.1"))
            self.cdp_url = f"http://127.0.0.1:{port}"
        return self.browser

    def __exit__(self, *exc: object) -> None:
        try:
            self.browser.close()
        finally:
            self._playwright.stop()

    @contextmanager
    def attach(self) -> Iterator[Browser]:
        """The shared browser, usable from the calling thread; closing it closes only this thread's contexts."""
        if self.threads == 1:
            yield self.browser
            return
        with sync_playwright() as playwright:
            browser = (playwright.chromium.connect_over_cdp(self.cdp_url, timeout=self.settings.timeout_s * 1000)
                       if self.cdp_url else _connect(playwright, self.settings))
            try:
                yield browser
            finally:
                browser.close()


def blocked_requests(settings: Settings) -> re.Pattern[str]:
    """Everything the flow does not need: hosts other than the store and its asset origins, images,
    fonts, media (and, headless, style sheets). A regular expression, so Playwright's driver matches
    it and requests the flow needs never make a round trip through Python."""
    allowed = "|".join(re.escape(f"{origin}/") for origin in [settings.base_url, *settings.asset_origins])
    kinds = "png|jpe?g|gif|webp|avif|svg|ico|bmp|woff2?|ttf|otf|eot|mp4|webm|mp3|ogg|wav" + ("|css" if settings.headless else "")
    return re.compile(rf"^(?!(?:{allowed}))|\.(?:{kinds})(?:[?#]|$)", re.IGNORECASE)


def asset_requests(settings: Settings) -> re.Pattern[str] | None:
    """Requests to the store's asset origins (its CDN), which the asset guard inspects."""
    if not settings.asset_origins:
        return None
    return re.compile("^(?:" + "|".join(re.escape(f"{origin}/") for origin in settings.asset_origins) + ")")


def asset_guard(settings: Settings) -> Any:
    """The CDN serves scripts (and style sheets, when a person will see the page), never a document
    the tool reads or types into, nor anything else."""
    kinds = {"script"} | (set() if settings.headless else {"stylesheet"})

    def guard(route: Route) -> None:
        if route.request.resource_type in kinds:
            route.fallback()  # on to the blocking rule above, which lets the asset origins through
        else:
            route.abort("blockedbyclient")
    return guard


def new_context(browser: Browser, settings: Settings, storage_state: Any = None) -> BrowserContext:
    context = browser.new_context(base_url=settings.base_url, storage_state=storage_state,
                                  viewport={"width": 1280, "height": 900}, service_workers="block")
    context.set_default_timeout(settings.timeout_s * 1000)
    context.set_default_navigation_timeout(settings.timeout_s * 1000)
    context.route(blocked_requests(settings), lambda route: route.abort("blockedbyclient"))
    assets = asset_requests(settings)
    if assets is not None:  # registered last, so it sees asset requests first
        context.route(assets, asset_guard(settings))
    return context
