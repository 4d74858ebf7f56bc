"""The browser's life cycle: one Chromium per run (a batch's workers share it: browser/workers.py),
local or remote, over Playwright's own pipe; lean contexts that reach the store's origin and its asset origins only."""
from __future__ import annotations

import json
import re
import shutil
import urllib.parse
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from automation.browser.playwright_errors import PlaywrightError, launch_failed
from automation.errors import BrowserUnavailable
from automation.logs import get_logger
from automation.settings import Settings

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Playwright, Route, WebSocketRoute

LAUNCH_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run",
                # WebRTC reaches IP addresses (STUN, TURN) below the resolver and the routes: a page
                # script could send what it reads to any port; with no proxy this allows it none
                "--force-webrtc-ip-handling-policy=disable_non_proxied_udp"]


def playwright_client() -> Any:
    """Playwright's sync API, imported only when a browser is about to start: its client takes
    about 90 ms to import, which a run that reads over plain HTTP does not pay."""
    from playwright.sync_api import sync_playwright
    return sync_playwright()


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


def host_and_port(origin: str) -> str:
    """`host:port` of an origin, the port always written (the form the resolver's rules match)."""
    parts = urllib.parse.urlsplit(origin)
    host = f"[{parts.hostname}]" if ":" in (parts.hostname or "") else parts.hostname
    return f"{host}:{parts.port or {'http': 80, 'https': 443}[parts.scheme]}"


# The hosts AWS WAF serves its JavaScript challenge from (`<id>.<id>.<region>.token.awswaf.com`):
# they resolve, so that a challenge can run; the routes let them in only for a page that shows one
# (browser/robot_checks.py), and never a document.
CHALLENGE_HOSTS = ("*.awswaf.com",)


def launch_flags(settings: Settings) -> list[str]:
    """The launch flags, with the origin rule in the browser's own resolver: the store's host and
    port and its asset origins' resolve (each mapped to itself), every other host, and every other
    port of those hosts, fails to, IP literals included. Playwright's routes never see the hops of
    a redirect (by design), nor a worker's WebSocket; with this, neither a redirect nor a socket
    nor anything else reaches another host, or another port of the store's (whose cookies,
    HttpOnly ones too, go to every port of its host). The challenge hosts are excluded from the
    rule: they resolve as usual."""
    endpoints = dict.fromkeys(host_and_port(origin) for origin in [settings.base_url, *settings.asset_origins])
    rules = [*(f"MAP {endpoint} {endpoint}" for endpoint in endpoints), "MAP * ~NOTFOUND",
             *(f"EXCLUDE {hosts}" for hosts in CHALLENGE_HOSTS)]
    return [*LAUNCH_FLAGS, f"--host-resolver-rules={' , '.join(rules)}"]


def _launch(playwright: Playwright, settings: Settings) -> Browser:
    options: dict[str, Any] = {"headless": settings.headless, "args": launch_flags(settings)}
    if settings.slow_mo_ms:
        options["slow_mo"] = settings.slow_mo_ms
    return playwright.chromium.launch(executable_path=chromium_executable(settings, playwright), **options)


def _connect(playwright: Playwright, settings: Settings) -> Browser:
    """A browser on the Playwright server at BROWSER_ENDPOINT (`playwright run-server`), which
    launches one per connection with the options in this header."""
    remote: dict[str, Any] = {"headless": settings.headless, "args": launch_flags(settings)}
    if settings.browser_executable:
        remote["executablePath"] = str(settings.browser_executable)
    assert settings.browser_endpoint
    return playwright.chromium.connect(settings.browser_endpoint, timeout=settings.timeout_s * 1000,
                                       slow_mo=settings.slow_mo_ms or None,
                                       headers={"x-playwright-launch-options": json.dumps(remote)})


@contextmanager
def open_browser(settings: Settings) -> Iterator[Browser]:
    """One browser for the whole run: launched here, or on a Playwright server at BROWSER_ENDPOINT."""
    with playwright_client() as playwright:
        try:
            browser = _connect(playwright, settings) if settings.browser_endpoint else _launch(playwright, settings)
        except PlaywrightError as exc:  # said as what it is, wherever the first screen asked for it
            raise launch_failed(exc) from None
        get_logger().info("browser_started", remote=bool(settings.browser_endpoint))
        try:
            yield browser
        finally:
            browser.close()


def launch_when_needed(stack: ExitStack, settings: Settings) -> Callable[[], Browser]:
    """A function that starts the run's one browser on its first call and gives that same browser
    on every later one (a run whose screens are all read over plain HTTP never calls it); the
    browser closes with the stack."""
    started: list[Browser] = []
    failed: list[BrowserUnavailable] = []

    def browser() -> Browser:
        if failed:  # one try per run: the next order does not start it again
            raise failed[0]
        if not started:
            try:
                started.append(stack.enter_context(open_browser(settings)))
            except BrowserUnavailable as exc:
                failed.append(exc)
                raise
        return started[0]
    return browser


def blocked_requests(settings: Settings) -> re.Pattern[str]:
    """Everything the flow does not need: origins other than the store's and its asset origins, images,
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
            route.continue_()
        else:
            route.abort("blockedbyclient")
    return guard


def new_context(browser: Browser, settings: Settings, storage_state: Any = None) -> BrowserContext:
    context = browser.new_context(base_url=settings.base_url, storage_state=storage_state,
                                  viewport={"width": 1280, "height": 900}, service_workers="block")
    context.set_default_timeout(settings.timeout_s * 1000)
    context.set_default_navigation_timeout(settings.timeout_s * 1000)
    assets = asset_requests(settings)
    if assets is not None:  # registered first, so it sees only the asset requests the rule below let pass
        context.route(assets, asset_guard(settings))
    # the blocking rule is matched in Playwright's driver and runs first (the last registered
    # route does): style sheets, images and other hosts never make a round trip through Python
    context.route(blocked_requests(settings), lambda route: route.abort("blockedbyclient"))
    # the flow needs no WebSocket, and one would carry the store's cookies: every one is closed
    # before it connects (the resolver's rule stops those of other origins, workers' too, anyway)
    context.route_web_socket(EVERY_ADDRESS, refuse_web_socket)
    return context


EVERY_ADDRESS = re.compile("")


def refuse_web_socket(socket: WebSocketRoute) -> None:
    socket.close(code=1008, reason="the tool opens no WebSocket")
