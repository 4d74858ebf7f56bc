"""The one way a failure becomes a Result: of one order, or of a batch's one sign-in."""
from __future__ import annotations

from automation.browser.playwright_errors import PlaywrightError, in_words
from automation.errors import (
    AuthFailed,
    BadInput,
    BrowserUnavailable,
    NeedsHuman,
    NoCredentials,
    NoDisplay,
    RobotCheckShown,
    StoreTimeout,
    StoreTrouble,
    StoreUnreachable,
)
from automation.order.outcome import Outcome, Result
from automation.order.wording import say

# (wording for an order, wording for a run's sign-in, outcome), the most specific kind first
KINDS: list[tuple[type[BaseException], str, str, Outcome]] = [
    (BadInput, "bad_input", "bad_input", Outcome.BAD_INPUT),
    (NoCredentials, "no_credentials", "run_no_credentials", Outcome.AUTH_FAILED),
    (AuthFailed, "auth_failed", "run_auth_failed", Outcome.AUTH_FAILED),
    (RobotCheckShown, "robot_check", "run_robot_check", Outcome.NEEDS_HUMAN),
    (NeedsHuman, "needs_human", "run_needs_human", Outcome.NEEDS_HUMAN),
    (NoDisplay, "no_display", "no_display", Outcome.ERROR),
    (BrowserUnavailable, "browser_failed", "browser_failed", Outcome.ERROR),
    (StoreUnreachable, "unreachable", "run_unreachable", Outcome.ERROR),
    (StoreTimeout, "store_timeout", "run_store_timeout", Outcome.ERROR),
    (StoreTrouble, "error", "run_error", Outcome.ERROR),
    (PlaywrightError, "error", "run_error", Outcome.ERROR),
]
FAILURES = tuple(kind for kind, *_ in KINDS)


def failure(exc: BaseException, order_id: str = "", *, run: bool = False, browser: bool = False,
            artifacts: list[str] | None = None) -> Result:
    """A Result saying what went wrong, in one line. `run`: the batch's one sign-in failed, so
    nothing was done; `browser`: the browser itself could not start, connect or go on. The advice
    to look at the screenshot is given only when one was saved."""
    for kind, for_order, for_run, outcome in KINDS:
        if isinstance(exc, kind):
            key = for_run if run else for_order
            if browser and not isinstance(exc, BrowserUnavailable):
                key = "browser_failed"
            if key == "error" and not any(path.endswith(".png") for path in artifacts or []):
                key = "error_without_evidence"
            error = in_words(exc) if isinstance(exc, PlaywrightError) else \
                str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            message, next_step = say(key, error=error)
            return Result(order_id, outcome, message, next_step=next_step, artifacts=artifacts or [])
    raise TypeError(f"not a failure the tool reports: {type(exc).__name__}")
