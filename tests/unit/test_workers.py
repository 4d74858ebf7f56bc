"""The batch's workers share one browser through two private attributes of Playwright's sync API
(browser/workers.py). Should a Playwright release move them, this fails here, by name, rather than
as a batch that hangs. The workers themselves are tested in real browsers (tests/test_batch.py:
one driver and one browser at 2 and 4 workers, the interval between page loads across workers,
a run killed at any moment)."""
from __future__ import annotations

import asyncio
import inspect
import threading
import time
from types import SimpleNamespace

import greenlet
from playwright._impl._sync_base import SyncBase
from playwright.sync_api import Browser

from automation.browser.workers import SharedBrowser, Turn, pause
from automation.settings import Settings


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
