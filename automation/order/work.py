"""One command's work on the store: a storefront opened for it (the browser launched only when a
screen needs one), and every way an order's work can end turned into a Result."""
from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from typing import Any

import structlog

from automation.browser.launch import launch_when_needed
from automation.browser.playwright_errors import PlaywrightError
from automation.browser.storefront import Storefront
from automation.errors import AuthFailed, BadInput, BrowserUnavailable, NeedsHuman, RobotCheckShown
from automation.language import _
from automation.logs import get_logger
from automation.order.cancellation import Cancellation
from automation.order.failures import FAILURES, failure
from automation.order.outcome import Outcome, Result
from automation.order.reader import OrderReader
from automation.settings import Settings

# The browser itself could not start, connect or go on: no screen was read, nothing was done.
BROWSER_FAILURES = (BrowserUnavailable, PlaywrightError)


def browser_failed(exc: BaseException, order_id: str = "") -> Result:
    """The one way a browser that failed ends a command's work: logged once (at info: the outcome
    says it to the person, in the same words), its Result."""
    result = failure(exc, order_id, browser=True)
    get_logger().info("browser_failed", error=result.message)
    return result


@contextmanager
def storefront_for(settings: Settings, trace: bool = False, browser: Any = None) -> Iterator[Storefront]:
    """One signed-in context for this command's work, in the browser given, else in one launched
    when a screen first needs it (a command that only reads fetched screens launches none)."""
    run_id = uuid.uuid4().hex[:12]
    structlog.contextvars.bind_contextvars(run_id=run_id)
    with ExitStack() as stack:
        storefront = Storefront(browser if browser is not None else launch_when_needed(stack, settings), settings,
                                run_id, get_logger(), trace=trace)
        try:
            yield storefront
        finally:
            storefront.close()


def with_storefront(settings: Settings, order_id: str, work: Callable[[Cancellation], Result],
                    trace: bool = False, browser: Any = None) -> Result:
    """One browser, one context, one order; every way it ends becomes a Result."""
    structlog.contextvars.bind_contextvars(order_id=order_id)
    try:
        with storefront_for(settings, trace, browser) as storefront:
            return run_order(storefront, order_id, lambda: work(Cancellation(storefront)))
    except BROWSER_FAILURES as exc:
        return browser_failed(exc, order_id)


def check_many(settings: Settings, order_ids: list[str]) -> list[Result]:
    """Every order read in one browser, one context and one sign-in; a sign-in that fails or
    needs a person ends the run, and the orders not yet read say so."""
    results: list[Result] = []
    try:
        with storefront_for(settings) as storefront:
            reader = OrderReader(storefront)
            for order_id in order_ids:
                structlog.contextvars.bind_contextvars(order_id=order_id)
                results.append(run_order(storefront, order_id, lambda o=order_id: reader.check(o)))
                if results[-1].outcome in (Outcome.AUTH_FAILED, Outcome.NEEDS_HUMAN):
                    break
    except BROWSER_FAILURES as exc:  # logged either way; an order of its own if any was left unread
        failed = browser_failed(exc, order_ids[len(results)] if len(results) < len(order_ids) else "")
        if len(results) < len(order_ids):
            results.append(failed)
    if not results:
        return results
    stopped = results[-1]
    for order_id in order_ids[len(results):]:
        results.append(Result(order_id, stopped.outcome, _("not read: {message}").format(message=stopped.message),
                              next_step=stopped.next_step))
    return results


def run_order(storefront: Storefront, order_id: str, action: Callable[[], Result]) -> Result:
    """Run one order's work, turning every way it can end into a Result with evidence on trouble."""
    started = time.monotonic()
    log = storefront.log.bind(order_id=order_id)
    try:
        result = action()
    except FAILURES as exc:
        label = "robot-check" if isinstance(exc, RobotCheckShown) else \
            "sign-in" if isinstance(exc, AuthFailed | NeedsHuman) else "error"
        evidence = [] if isinstance(exc, BadInput) else storefront.save_evidence(order_id, label)
        result = failure(exc, order_id, artifacts=evidence)
    result.artifacts += storefront.save_trace(order_id)
    result.duration_ms = int((time.monotonic() - started) * 1000)
    log.info("order_finished", outcome=result.outcome.value, exit_code=int(result.exit_code),
             duration_ms=result.duration_ms, state_before=result.state_before,
             state_after=result.state_after)
    return result
