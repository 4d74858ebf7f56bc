"""Playwright's errors, and the one place their words become a person's: no API name
(`Page.goto:`), call log, banner or `net::ERR_` code reaches a message, a log line or a report.

The classes are imported from the module Playwright's public API re-exports them from: about 2 ms,
where `playwright.sync_api` costs about 90 ms that a run which never starts a browser (a `check`
read over plain HTTP) need not pay. A unit test holds them to be the public classes."""
from __future__ import annotations

import re
import urllib.parse

from playwright._impl._errors import Error as PlaywrightError
from playwright._impl._errors import TimeoutError as PlaywrightTimeout

from automation.errors import BrowserUnavailable, NoDisplay, StoreTimeout, StoreTrouble, StoreUnreachable

__all__ = ["PlaywrightError", "PlaywrightTimeout", "in_words", "launch_failed", "load_failed"]

# Chromium's network errors that mean the address could not be reached, as a person says them
UNREACHABLE = {
    "ERR_CONNECTION_REFUSED": "connection refused",
    "ERR_NAME_NOT_RESOLVED": "no such host",
    "ERR_NAME_RESOLUTION_FAILED": "the host name could not be looked up",
    "ERR_ADDRESS_UNREACHABLE": "address unreachable",
    "ERR_INTERNET_DISCONNECTED": "no network connection",
    "ERR_NETWORK_CHANGED": "the network changed",
    "ERR_CONNECTION_RESET": "connection reset",
    "ERR_CONNECTION_CLOSED": "connection closed",
    "ERR_CONNECTION_FAILED": "connection failed",
    "ERR_EMPTY_RESPONSE": "it closed the connection without answering",
    "ERR_SSL_PROTOCOL_ERROR": "TLS failed",
    "ERR_SSL_VERSION_OR_CIPHER_MISMATCH": "TLS failed: no TLS version or cipher in common",
    "ERR_CERT_AUTHORITY_INVALID": "its TLS certificate is not from an authority the browser trusts",
    "ERR_CERT_COMMON_NAME_INVALID": "its TLS certificate is for another host",
    "ERR_CERT_DATE_INVALID": "its TLS certificate has expired or is not valid yet",
}
TIMED_OUT = ("ERR_TIMED_OUT", "ERR_CONNECTION_TIMED_OUT")
NET_ERROR = re.compile(r"net::(ERR_[A-Z_]+)(?: at (\S+))?")
TIMEOUT = re.compile(r"Timeout (\d+)ms exceeded")
API_NAME = re.compile(r"^[A-Za-z]+\.[A-Za-z]+: ")  # "Page.goto: ", "Locator.click: "
NO_DISPLAY = ("Missing X server", "without having a XServer", "$DISPLAY", "cannot open display")
CLOSED = ("has been closed", "Target closed", "Connection closed", "Browser closed")
HEADED_NEEDS_A_DISPLAY = "--headed needs a display"  # the fix is in the wording of no_display


def _origin(url: str) -> str:
    parts = urllib.parse.urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else url


def _seconds(ms: str) -> str:
    return f"{int(ms) / 1000:g} s"


def _net_reason(code: str) -> str:
    if code in UNREACHABLE:
        return UNREACHABLE[code]
    return "its TLS certificate is not valid" if code.startswith("ERR_CERT_") else \
        code.removeprefix("ERR_").replace("_", " ").lower()


def in_words(exc: BaseException) -> str:
    """What an error from the browser means, in one line a person reads."""
    text = str(exc)
    first = API_NAME.sub("", text.strip().splitlines()[0] if text.strip() else type(exc).__name__)
    if any(sign in text for sign in NO_DISPLAY):
        return HEADED_NEEDS_A_DISPLAY
    if net := NET_ERROR.search(first):
        code, where = net.group(1), net.group(2)
        if code in TIMED_OUT:
            return "the store did not answer in time"
        return f"cannot reach {_origin(where)} ({_net_reason(code)})" if where else \
            f"the browser could not load the page ({_net_reason(code)})"
    if timeout := TIMEOUT.search(first):
        navigating = text.startswith(("Page.goto", "Page.reload", "Frame.goto", "APIRequestContext"))
        return f"the store did not answer within {_seconds(timeout.group(1))}" if navigating else \
            f"the store's page did not get ready within {_seconds(timeout.group(1))}"
    if any(sign in first for sign in CLOSED):
        return "the browser closed unexpectedly"
    if "doesn't exist at" in first:
        return f"no browser at {first.split('exist at', 1)[1].strip()}"
    if "Execution context was destroyed" in first:
        return "the page changed while it was being read"
    return first


def load_failed(exc: PlaywrightError, store: str) -> StoreTrouble:
    """A page of the store that did not load, as the tool's error: StoreUnreachable (naming the
    store's address), StoreTimeout, or StoreTrouble."""
    said = in_words(exc)
    if isinstance(exc, PlaywrightTimeout) or said.startswith("the store did not answer"):
        return StoreTimeout(said)
    net = NET_ERROR.search(str(exc))
    if net and net.group(1) not in TIMED_OUT:
        return StoreUnreachable(f"cannot reach {_origin(store)} ({_net_reason(net.group(1))})")
    return StoreTrouble(said)


def launch_failed(exc: PlaywrightError) -> BrowserUnavailable:
    """A browser that could not start or connect, as the tool's error (NoDisplay for --headed
    without a display)."""
    said = in_words(exc)
    return NoDisplay(said) if said == HEADED_NEEDS_A_DISPLAY else BrowserUnavailable(said)
