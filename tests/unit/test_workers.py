"""The batch's workers share one browser through two private attributes of Playwright's sync API
(browser/workers.py). Should a Playwright release move them, this fails here, by name, rather than
as a batch that hangs. The workers themselves are tested in real browsers (tests/test_batch.py:
one driver and one browser at 2 and 4 workers, the interval between page loads across workers,
a run killed at any moment); here, without a browser (Playwright's driver only), how they stop."""
from __future__ import annotations

import asyncio
import inspect
import threading
import time
from types import SimpleNamespace
from typing import Any

import greenlet
import pytest
from playwright._impl._errors import TargetClosedError
from playwright._impl._sync_base import SyncBase
from playwright.sync_api import Browser, Error

from automation.browser.storefront import Pacer, Storefront
from automation.browser.workers import SharedBrowser, Turn, pause
from automation.logs import get_logger
from automation.order.cancellation import Cancellation
from automation.order.items import Line
from automation.settings import Settings

SETTINGS = Settings(_env_file=None, base_url="http://127.0.0.1:9")


@pytest.fixture
def driver(playwright: Any) -> Any:
    """Playwright's driver and loop, with no browser: any sync object of it serves the workers. The
    session's (pytest-playwright's): while one runs, no second can start in this thread."""
    return playwright.chromium


def test_every_sync_object_has_the_loop_and_the_call_the_workers_use() -> None:
    loop = asyncio.new_event_loop()
    try:
        impl = SimpleNamespace(_loop=loop, _dispatcher_fiber=greenlet.getcurrent())
        wrapped = SyncBase(impl)
        assert wrapped._loop is loop
        assert list(inspect.signature(wrapped._sync).parameters) == ["awaitable"]
        assert issubclass(Browser, SyncBase)
    finally:
        loop.close()


def test_a_turn_is_one_at_a_time_among_threads() -> None:
    turn, inside, most = Turn(), [0], [0]

    def work() -> None:
        for _ in range(50):
            with turn.held():
                inside[0] += 1
                most[0] = max(most[0], inside[0])
                time.sleep(0.0005)
                inside[0] -= 1

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert most == [1] and inside == [0]


def test_without_a_shared_browser_a_pause_sleeps_and_nothing_starts() -> None:
    started = time.monotonic()
    pause(0.05)
    assert time.monotonic() - started >= 0.05
    ran: list[str] = []
    with SharedBrowser(Settings(base_url="http://127.0.0.1:9")) as shared:
        shared.beside(lambda: ran.append("worker"))  # waits for a browser no screen asked for
        shared.wait()
    assert ran == []


def test_an_interrupt_that_reaches_a_worker_is_raised_in_the_caller_at_once_and_stops_every_worker(
        driver: Any) -> None:
    seen: list[str] = []

    def waits() -> None:  # a worker waiting on the browser when Ctrl+C comes
        try:
            pause(30)
            seen.append("a waiting worker went on")
        except greenlet.GreenletExit:
            seen.append("a waiting worker stopped")
            raise

    def interrupted() -> None:  # Ctrl+C comes while this worker's Python code runs
        pause(0.01)
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt), SharedBrowser(SETTINGS, existing=driver) as shared:
        shared.beside(waits)
        shared.beside(interrupted)
        pause(30)  # the caller's own wait, where the interrupt is raised
        seen.append("the caller went on")
    assert seen == ["a waiting worker stopped"]


def test_a_worker_that_fails_stops_new_work_and_the_others_end_the_order_in_hand(driver: Any) -> None:
    finished: list[str] = []

    def fails() -> None:
        pause(0.01)
        raise RuntimeError("a page object failed oddly")

    def orders(who: str) -> None:
        while not shared.stopping and len(finished) < 50:  # as a batch worker takes its next order
            pause(0.02)
            finished.append(who)

    with pytest.raises(RuntimeError, match="oddly"), SharedBrowser(SETTINGS, existing=driver) as shared:
        shared.beside(fails)
        shared.beside(lambda: orders("worker"))
        orders("caller")
        shared.wait()
    assert {"worker", "caller"} <= set(finished) and len(finished) < 50  # each ended the order in hand, no other

    with pytest.raises(ValueError), SharedBrowser(SETTINGS, existing=driver) as shared:
        finished.clear()
        shared.beside(lambda: (pause(0.05), finished.append("order in hand")))
        pause(0.01)
        raise ValueError("the caller's own order failed")
    assert finished == ["order in hand"]  # ended before the browser closed, not cut off


def test_a_press_the_browser_closed_under_is_counted_unanswered_even_when_no_new_tab_opens() -> None:
    def closed() -> None:
        raise TargetClosedError("Target page, context or browser has been closed")

    storefront = SimpleNamespace(log=get_logger(), settings=SimpleNamespace(market="com", submit_timeout_s=1),
                                 pacer=Pacer(0), renew_page=closed)
    form = SimpleNamespace(submit=lambda timeout_ms: (_ for _ in ()).throw(Error("Target closed")))
    canceller = Cancellation(storefront)  # type: ignore[arg-type]
    with pytest.raises(TargetClosedError):
        canceller._submit(form, [Line("B0KETTLE01", "Kettle", False, "k1")], [], None)  # type: ignore[arg-type]
    assert canceller.unanswered  # the batch presses it no more this run, and its journal row stays submitting


def test_beside_other_workers_a_read_waits_on_the_loop_never_in_a_plain_read_that_holds_them_all(
        driver: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    front = Storefront(lambda: driver, SETTINGS, "run", get_logger())
    monkeypatch.setattr(front, "_fetch_plain", lambda url, path: "read over plain HTTP")

    class ThroughTheBrowser(Exception):
        pass

    def open_context() -> None:
        raise ThroughTheBrowser  # the context's request API would read it, waiting on the loop

    monkeypatch.setattr(front, "_open_context", open_context)
    assert front.fetch("/your-orders/orders") == "read over plain HTTP"  # no browser yet: none is started for it
    with SharedBrowser(SETTINGS, existing=driver), pytest.raises(ThroughTheBrowser):
        front.fetch("/your-orders/orders")
