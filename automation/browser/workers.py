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


def sharing() -> bool:
    """Whether workers share this thread's browser: then every wait of theirs must be on its loop."""
    return _running() is not None


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
        self._caller = greenlet.getcurrent()  # the first worker, where an interrupt is raised
        self._workers: list[greenlet.greenlet] = []
        self._stopped = False
        if existing is not None:
            self()

    def __enter__(self) -> SharedBrowser:
        return self

    def __exit__(self, kind: object, error: BaseException | None, trace: object) -> None:
        try:
            if isinstance(error, Exception):
                self._settle()  # the caller failed: the others end the order in hand, and take no other
            elif error is not None:
                self._stop()
        finally:
            self._close()

    def _close(self) -> None:
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
    def stopping(self) -> bool:
        """A worker failed or was interrupted: the others take no new order."""
        return bool(self._errors)

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
                if not self._stopped:  # the caller may have left before the loop started it
                    job()
            except Exception as exc:  # raised by wait(), in the caller, once every worker ended
                self._errors.append(exc)
            except BaseException as exc:
                self._errors.append(exc)
                if not isinstance(exc, greenlet.GreenletExit):
                    # an interrupt (Ctrl+C) that reached this worker: raised in the caller at once,
                    # where it waits on the loop (as Playwright raises one that reached the loop)
                    self._caller.throw(exc)
            finally:
                self._running -= 1
                if not self._running and not ended.done():
                    ended.set_result(None)

        def enter() -> None:
            worker = greenlet.greenlet(run)  # a child of the loop's greenlet: it ends into it
            self._workers.append(worker)
            worker.switch()

        # started from the loop, the greenlet's waits go to the dispatcher, and it ends into it
        loop.call_soon(enter)

    def _settle(self) -> None:
        """Until the workers beside the caller end the order in hand; their errors are the caller's to
        judge (it has one of its own)."""
        try:
            self.wait()
        except Exception:  # noqa: BLE001  # the caller's own error is the one raised
            pass

    def _stop(self) -> None:
        """The workers beside the caller, stopped where they wait (an interrupt): before the browser
        closes under them, so that none goes on to record what the closing did to its order, retry
        it, or start another. Their journal rows stay as they were, as after a kill."""
        self._stopped = True
        here = greenlet.getcurrent()
        for worker in self._workers:
            if not worker.dead:
                worker.parent = here  # its end comes back here, not to the loop
                worker.throw(greenlet.GreenletExit)

    def wait(self) -> None:
        """Until every worker started beside the caller ended; the first one's error raised here."""
        if self._running and self._ended is not None:
            self._browser._sync(_until(self._ended))  # type: ignore[union-attr]
        if self._errors:
            raise self._errors[0]
