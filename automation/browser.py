"""The browser's life cycle: one Chromium per run (local or remote), lean contexts on the store's host."""
from __future__ import annotations

import json
import shutil
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, BrowserContext, Playwright, Route, sync_playwright

from automation.settings import Settings

LAUNCH_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run"]
# The flow needs the documents, their scripts and styles; nothing else is fetched.
NEEDED_RESOURCES = {"document", "script", "stylesheet", "xhr", "fetch"}


class BrowserUnavailable(RuntimeError):
    pass


def chromium_executable(settings: Settings, playwright: Playwright) -> str | None:
    """The Chromium to launch: the setting, else Playwright's own if installed, else one on PATH."""
    if settings.browser_executable:
        return str(settings.browser_executable)
    if Path(playwright.chromium.executable_path).exists():
        return None
    found = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
    if found is None:
        raise BrowserUnavailable("no Chromium found: run 'playwright install chromium', install Debian's "
                                 "chromium, or set ORDERCANCEL_BROWSER_EXECUTABLE")
    return found


@contextmanager
def open_browser(settings: Settings) -> Iterator[Browser]:
    """One browser for the whole run: launched here, or on a Playwright server at BROWSER_ENDPOINT."""
    with sync_playwright() as playwright:
        options: dict[str, Any] = {"headless": settings.headless, "args": LAUNCH_FLAGS}
        if settings.slow_mo_ms:
            options["slow_mo"] = settings.slow_mo_ms
        if settings.browser_endpoint:
            # `playwright run-server` launches per connection with the options in this header
            remote = {k: v for k, v in options.items() if k != "slow_mo"}
            if settings.browser_executable:
                remote["executablePath"] = str(settings.browser_executable)
            browser = playwright.chromium.connect(
                settings.browser_endpoint, timeout=settings.timeout_s * 1000,
                slow_mo=settings.slow_mo_ms or None,
                headers={"x-playwright-launch-options": json.dumps(remote)})
        else:
            browser = playwright.chromium.launch(executable_path=chromium_executable(settings, playwright), **options)
        try:
            yield browser
        finally:
            browser.close()


def new_context(browser: Browser, settings: Settings, storage_state: Any = None) -> BrowserContext:
    context = browser.new_context(base_url=settings.base_url, storage_state=storage_state,
                                  viewport={"width": 1280, "height": 900}, service_workers="block")
    context.set_default_timeout(settings.timeout_s * 1000)
    context.set_default_navigation_timeout(settings.timeout_s * 1000)
    host = settings.host

    def only_what_the_flow_needs(route: Route) -> None:
        request = route.request
        if request.resource_type in NEEDED_RESOURCES and urllib.parse.urlsplit(request.url).hostname == host:
            route.continue_()
        else:
            route.abort("blockedbyclient")

    context.route("**/*", only_what_the_flow_needs)
    return context
