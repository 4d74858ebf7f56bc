"""A page's loads as the tool counts them: the address of one screen whatever its query, the plain
fallback of Your Orders, and the scripts a page asked for that never arrived, with why."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from automation.browser.reloads import address_pattern
from automation.browser.script_loads import ScriptLoads
from mock_store.model import Faults, StoreError
from pages.your_orders import plain_path

STORE = "https://www.amazon.com"


@pytest.mark.parametrize(("path", "plain"), [
    ("/your-orders/orders", "/your-orders/orders?disableCsd=no-js"),
    ("/your-orders/orders?orderFilter=open&startIndex=10", "/your-orders/orders?orderFilter=open&startIndex=10&disableCsd=no-js"),
    ("/your-orders/orders?disableCsd=missing-library", "/your-orders/orders?disableCsd=missing-library"),  # asked already
    ("/your-orders/orders?startIndex=10&disableCsd=", "/your-orders/orders?startIndex=10&disableCsd="),
])
def test_the_plain_fallback_is_the_same_page_with_the_stores_switch_once(path: str, plain: str) -> None:
    assert plain_path(path) == plain


def test_one_screens_loads_are_its_address_with_any_query_and_nothing_else() -> None:
    pattern = address_pattern(STORE, "/your-orders/orders?orderFilter=open")
    for url in (f"{STORE}/your-orders/orders", f"{STORE}/your-orders/orders?disableCsd=no-js",
                f"{STORE}/your-orders/orders#top"):
        assert pattern.match(url), url
    for url in (f"{STORE}/your-orders/orders-x", f"{STORE}/your-orders/order-details?orderID=1",
                "https://evil.example/your-orders/orders", f"{STORE}.evil.example/your-orders/orders"):
        assert not pattern.match(url), url


@dataclass
class Request:
    url: str
    failure: str | None = None
    resource_type: str = "script"


class Context:
    """A browser context's events, fired by the test."""

    def __init__(self) -> None:
        self.listeners: dict[str, list[Any]] = {}

    def on(self, event: str, listener: Any) -> None:
        self.listeners.setdefault(event, []).append(listener)

    def remove_listener(self, event: str, listener: Any) -> None:
        self.listeners[event].remove(listener)

    def fire(self, event: str, request: Request) -> None:
        for listener in list(self.listeners.get(event, [])):
            listener(request)


def test_scripts_that_never_arrived_are_named_with_why() -> None:
    context = Context()
    cdn = "https://m.media-amazon.com/images/I"
    with ScriptLoads(context) as scripts:  # type: ignore[arg-type]
        for name in ("ok.js", "refused.js", "dns.js", "hangs.js", "closed-by-the-tool.js"):
            context.fire("request", Request(f"{cdn}/{name}"))
        context.fire("request", Request(f"{cdn}/photo.jpg", resource_type="image"))
        context.fire("requestfinished", Request(f"{cdn}/ok.js"))
        context.fire("requestfailed", Request(f"{cdn}/refused.js", "net::ERR_CONNECTION_REFUSED"))
        context.fire("requestfailed", Request(f"{cdn}/dns.js", "net::ERR_NAME_NOT_RESOLVED"))
        context.fire("requestfailed", Request(f"{cdn}/closed-by-the-tool.js", "net::ERR_ABORTED"))
    context.fire("requestfailed", Request(f"{cdn}/ok.js", "net::ERR_FAILED"))  # after the block: not heard

    assert context.listeners == {"request": [], "requestfinished": [], "requestfailed": []}
    assert scripts.failures() == {f"{cdn}/refused.js": "connection refused", f"{cdn}/dns.js": "the name did not resolve"}
    assert scripts.unanswered(15) == {f"{cdn}/closed-by-the-tool.js": "no answer within 15 s",
                                      f"{cdn}/dns.js": "the name did not resolve",
                                      f"{cdn}/hangs.js": "no answer within 15 s",
                                      f"{cdn}/refused.js": "connection refused"}


@pytest.mark.parametrize("doc", [{"decryption_reloads": "sometimes"}, {"asset_origin": "ftp://cdn.example"},
                                 {"asset_origin": "http://cdn.example/static"}])
def test_the_mocks_cdn_and_decryption_faults_take_only_what_they_mean(doc: dict[str, Any]) -> None:
    with pytest.raises(StoreError):
        Faults.from_document(doc)
