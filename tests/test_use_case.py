"""The cancellation use case in-process, in headless Chromium against the mock store, where a test
must reach between the browser and the store: a connection that breaks during the submit, and
what a trace keeps."""
from __future__ import annotations

import json
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Route

from automation.browser.storefront import Storefront
from automation.logs import get_logger
from automation.order.cancellation import Cancellation, CancelRequest
from automation.order.outcome import Outcome
from automation.settings import Settings
from mock_store import seed
from mock_store.server import RunningStore
from tests.store_api import StoreAdmin

CANCEL_POST = "**/progress-tracker/package/preship/cancel-items*"


@pytest.fixture
def storefront(store: StoreAdmin, store_server: RunningStore, browser: Browser, tmp_path: Path) -> Iterator[Storefront]:
    settings = Settings(_env_file=None, base_url=store.url, asset_hosts=store_server.asset_origin,
                        email=seed.DEMO_EMAIL, password=seed.DEMO_PASSWORD,
                        state_dir=tmp_path / "state", timeout_s=15, submit_timeout_s=15)
    front = Storefront(browser, settings, "test-run", get_logger())
    yield front
    front.close()


def break_the_submit(reach_the_store: bool) -> object:
    def handle(route: Route) -> None:
        if route.request.method != "POST":
            route.fallback()
            return
        if reach_the_store:
            route.fetch()  # the store receives the press and acts on it ...
        route.abort("connectionreset")  # ... and the browser sees the connection break
    return handle


def test_a_connection_broken_after_the_store_acted_is_confirmed_from_the_order(
        store: StoreAdmin, storefront: Storefront) -> None:
    order = store.add_order(["Kettle", "Teapot"])
    storefront.context.route(CANCEL_POST, break_the_submit(reach_the_store=True))

    result = Cancellation(storefront).cancel(CancelRequest(order.id))

    assert result.outcome is Outcome.CANCELLED
    assert store.order(order.id).state == "cancelled"
    assert len(store.events("cancel_received")) == 1


def test_a_connection_broken_before_the_store_heard_is_reported_and_not_pressed_again(
        store: StoreAdmin, storefront: Storefront) -> None:
    order = store.add_order(["Kettle"])
    storefront.context.route(CANCEL_POST, break_the_submit(reach_the_store=False))

    canceller = Cancellation(storefront)
    result = canceller.cancel(CancelRequest(order.id))

    assert result.outcome is Outcome.ERROR and canceller.unanswered
    assert "may still act" in (result.next_step or "")
    assert store.order(order.id).statuses() == {"ordered"} and not store.events("cancel_received")


def test_a_trace_keeps_no_cookie_or_authorization_header(store: StoreAdmin, browser: Browser, tmp_path: Path) -> None:
    settings = Settings(_env_file=None, base_url=store.url, email=seed.DEMO_EMAIL, password=seed.DEMO_PASSWORD,
                        state_dir=tmp_path / "state", timeout_s=15)
    front = Storefront(browser, settings, "trace-run", get_logger(), trace=True)
    front.context.set_extra_http_headers({"Authorization": "Bearer header-secret-123"})
    try:
        Cancellation(front).check(seed.DEMO_ORDER)
        (saved,) = front.save_trace(seed.DEMO_ORDER)
        path = Path(saved)
    finally:
        front.close()

    headers = []
    with zipfile.ZipFile(path) as archive:
        assert not [n for n in archive.namelist() if n.endswith(".raw.zip")]
        for name in archive.namelist():
            data = archive.read(name)
            assert b"header-secret-123" not in data
            if name.endswith(".network"):
                for line in filter(None, data.split(b"\n")):
                    snapshot = json.loads(line).get("snapshot", {})
                    for side in ("request", "response"):
                        headers += snapshot.get(side, {}).get("headers", [])
    secret_headers = [h for h in headers if h["name"].lower() in ("cookie", "set-cookie", "authorization")]
    assert secret_headers and all(h["value"] == "***" for h in secret_headers)
    assert not list(path.parent.glob(".*raw*"))  # the unscrubbed trace never stays on disk


def details_requests(store: StoreAdmin, since: int) -> list[dict[str, object]]:
    return [r for r in store.requests()[since:] if r["path"] == "/your-orders/order-details"]


def test_a_signed_in_read_fetches_the_details_without_rendering_them(store: StoreAdmin, storefront: Storefront) -> None:
    storefront.open_your_orders()  # signed in
    since = len(store.requests())
    summary = Cancellation(storefront).read_order(seed.DEMO_ORDER)
    assert summary is not None and summary.order_id == seed.DEMO_ORDER
    (read,) = details_requests(store, since)
    assert read["navigation"] is False  # fetched by the request API, not navigated
    assert [r["path"] for r in store.requests()[since:]] == ["/your-orders/order-details"]  # no assets either


def test_a_fetch_that_meets_the_sign_in_page_is_done_again_in_the_browser(store: StoreAdmin, storefront: Storefront,
                                                                           browser: Browser) -> None:
    storefront.open_your_orders()  # signs in and saves the session
    store.reset()  # the store forgets every session: the saved one now meets the sign-in page
    later = Storefront(browser, storefront.settings, "test-run-2", get_logger())  # no browser context yet
    try:
        summary = Cancellation(later).read_order(seed.DEMO_ORDER)  # fetched over plain HTTP first
    finally:
        later.close()
    assert summary is not None and summary.order_id == seed.DEMO_ORDER
    reads = details_requests(store, 0)
    assert [r["navigation"] for r in reads][:2] == [False, True]  # the fetch, then the browser's own way
    assert store.events("sign_in")


def test_an_unknown_order_fetched_is_judged_in_the_browser(store: StoreAdmin, storefront: Storefront) -> None:
    storefront.open_your_orders()
    assert Cancellation(storefront).read_order("113-0000000-0000009") is None
    assert storefront.page.url.endswith("orderID=113-0000000-0000009")  # evidence shows the store's answer
