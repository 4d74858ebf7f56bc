"""A batch's workers in the run's one browser. Playwright's sync API is greenlets over one asyncio
loop: a "dispatcher" greenlet runs the loop, and a sync call parks the greenlet that made it until
the answer comes (several may be parked at once: that is how the sync API runs event handlers).
So the workers are greenlets of the main thread, started from that loop, each with a context of
its own in the one browser: one Playwright driver and one browser per run at any concurrency, the
host rule still per context, and the same sync page objects and use case as a single order. They
take turns at every wait on the browser; Python's own work (a plain read, SQLite) holds them all
meanwhile, so waits that are not the browser's go through `pause` and `Turn`.

Two private attributes of the sync API are used, `_loop` and `_sync` (every sync object has
them, and they have not moved since the sync API began); `tests/unit/test_workers.py` fails
loudly if a Playwright release moves them."""
from __future__ import annotations

import asyncio
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from typing import TYPE_CHECKING, Any

import greenlet

from automation.browser.launch import launch_when_needed
from automation.settings import Settings

if TYPE_CHECKING:
    from playwright.sync_api import Browser

_here = threading.local()  # this thread's shared browser, while one runs


def _running() -> Any:
    return getattr(_here, "browser", None)


async def _until(future: asyncio.Future[Any]) -> None:
    await future


def pause(seconds: float) -> None:
    """Wait without holding the other workers: on the loop while a shared browser runs, else asleep.
    A backoff or a politeness interval, never a wait for a page."""
    browser = _running()
    if browser is None:
        time.sleep(seconds)
    else:
        browser._sync(asyncio.sleep(seconds))


class Turn:
    """One at a time, among threads and among the workers of a shared browser: a worker that must
    wait parks on the loop, since a thread's lock would stop every worker, the holder too."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._waiting: deque[asyncio.Future[None]] = deque()

    @contextmanager
    def held(self) -> Iterator[None]:
        while not self._lock.acquire(blocking=False):
            browser = _running()
            if browser is None:
                self._lock.acquire()
                break
            waiter: asyncio.Future[None] = browser._loop.create_future()
            self._waiting.append(waiter)
            browser._sync(_until(waiter))
        try:
            yield
        finally:
            self._lock.release()
            while self._waiting:  # the next worker in line tries again
                waiter = self._waiting.popleft()
                if not waiter.done():
                    waiter.set_result(None)
                    break


class SharedBrowser:
    """The run's one browser, started when a screen first needs it (a batch whose orders are all
    read over plain HTTP starts none), or the caller's own; and the workers beside the caller,
    which start with it. Call it for the browser."""

    def __init__(self, settings: Settings, existing: Browser | None = None) -> None:
        self._stack = ExitStack()  # the browser started here, closed with it
        self._launch: Callable[[], Browser] = (lambda: existing) if existing is not None else \
            launch_when_needed(self._stack, settings)
        self._browser: Browser | None = None
        self._waiting: list[Callable[[], None]] = []  # workers to start once the browser runs
        self._running = 0
        self._ended: asyncio.Future[None] | None = None
        self._errors: list[BaseException] = []
        if existing is not None:
            self()

    def __enter__(self) -> SharedBrowser:
        return self

    def __exit__(self, *exc: object) -> None:
        try:
            self._stack.close()
        finally:
            if self._browser is not None and _running() is self._browser:
                _here.browser = None

    def __call__(self) -> Browser:
        browser = self._launch()
        if self._browser is None:
            self._browser = _here.browser = browser
            waiting, self._waiting = self._waiting, []
            for job in waiting:
                self._start(job)
        return browser

    @property
    def interrupted(self) -> bool:
        """A worker was interrupted (Ctrl+C reached it): the others take no new work."""
        return any(not isinstance(error, Exception) for error in self._errors)

    def beside(self, job: Callable[[], None]) -> None:
        """Run `job` beside the caller as a worker: now if the browser runs, else once it starts
        (and never, if no screen needs it). Its error is raised by `wait`."""
        if self._browser is None:
            self._waiting.append(job)
        else:
            self._start(job)

    def _start(self, job: Callable[[], None]) -> None:
        loop = self._browser._loop  # type: ignore[union-attr]
        if self._ended is None or self._ended.done():
            self._ended = loop.create_future()
        ended = self._ended
        self._running += 1

        def run() -> None:
            try:
                job()
            except BaseException as exc:  # noqa: BLE001  # raised by wait(), in the main greenlet
                self._errors.append(exc)
            finally:
                self._running -= 1
                if (not self._running or self.interrupted) and not ended.done():
                    ended.set_result(None)

        # started from the loop, the greenlet's waits go to the dispatcher, and it ends into it
        loop.call_soon(lambda: greenlet.greenlet(run).switch())

    def wait(self) -> None:
        """Until every worker started beside the caller ended; the first one's error raised here."""
        if self._running and self._ended is not None:
            self._browser._sync(_until(self._ended))  # type: ignore[union-attr]
        if self._errors:
            raise self._errors[0]
