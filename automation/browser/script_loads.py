"""The scripts a page asked for while it loaded, and those that never arrived, with why: the Cancel
items button works only through the store's scripts, so a CDN that is down is said as such."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from playwright.sync_api import BrowserContext

# Chromium's words for a request that got no answer, as a person reads them
NET_ERRORS = {"net::ERR_NAME_NOT_RESOLVED": "the name did not resolve",
              "net::ERR_CONNECTION_REFUSED": "connection refused",
              "net::ERR_CONNECTION_TIMED_OUT": "timed out", "net::ERR_TIMED_OUT": "timed out",
              "net::ERR_CONNECTION_RESET": "connection reset", "net::ERR_CONNECTION_CLOSED": "connection closed",
              "net::ERR_ADDRESS_UNREACHABLE": "address unreachable", "net::ERR_INTERNET_DISCONNECTED": "no network",
              "net::ERR_CERT_AUTHORITY_INVALID": "untrusted certificate"}
ABORTED = "net::ERR_ABORTED"  # the tool closed the tab (a load past its time limit): no answer


class ScriptLoads:
    """Listens on a context while one page loads (a `with` block): every script it asked for, and how
    each ended. Addresses are absolute, as the browser asked for them."""

    def __init__(self, context: BrowserContext) -> None:
        self.context = context
        self.asked: set[str] = set()
        self.arrived: set[str] = set()
        self.failed: dict[str, str] = {}  # address: Chromium's error

    def __enter__(self) -> ScriptLoads:
        self.context.on("request", self._asked)
        self.context.on("requestfinished", self._arrived)
        self.context.on("requestfailed", self._failed)
        return self

    def __exit__(self, *exc: object) -> None:
        self.context.remove_listener("request", self._asked)
        self.context.remove_listener("requestfinished", self._arrived)
        self.context.remove_listener("requestfailed", self._failed)

    def _asked(self, request: Any) -> None:
        if request.resource_type == "script":
            self.asked.add(request.url)

    def _arrived(self, request: Any) -> None:
        self.arrived.add(request.url)

    def _failed(self, request: Any) -> None:
        if request.resource_type == "script":
            self.failed[request.url] = request.failure or ABORTED

    def failures(self) -> dict[str, str]:
        """The scripts whose fetch failed (not those the tool itself stopped), each with why."""
        return {url: NET_ERRORS.get(error, error) for url, error in self.failed.items()
                if url not in self.arrived and error != ABORTED}

    def unanswered(self, waited_s: float) -> dict[str, str]:
        """The scripts asked for that never arrived, each with why: its failure, else no answer in time."""
        failures = self.failures()
        return {url: failures.get(url, f"no answer within {waited_s:g} s")
                for url in sorted(self.asked - self.arrived)}
