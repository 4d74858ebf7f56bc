"""Batch runs: many orders, unattended, resumable, never acting twice, with a journal and a summary."""
from __future__ import annotations

import time
import uuid
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import structlog

from automation.browser.storefront import Storefront
from automation.browser.workers import SharedBrowser, pause
from automation.errors import AuthFailed, ExitCode, Interrupted, JournalConflict, NeedsHuman, StoreTrouble
from automation.files import UnsafeName, artifact_path, write_private
from automation.language import _, ngettext
from automation.logs import get_logger
from automation.order.cancellation import Cancellation, CancelRequest
from automation.order.failures import failure
from automation.order.items import Line, Selector, differs, journal_ticked, ticked_product
from automation.order.outcome import Outcome, Result
from automation.order.wording import say
from automation.order.work import BROWSER_FAILURES, browser_failed, run_order
from automation.runs.batch_input import BatchInput, BatchRow
from automation.runs.journal import AWAITING, CHECKING, PENDING, SUBMITTING, Entry, Journal, JournalState, shown_state
from automation.runs.resumed import EarlierClick, ask_after, confirm_earlier_click
from automation.settings import Settings
from pages import your_orders
from pages.common import query_param
from pages.order_details import OrderDetailsPage
from pages.your_orders import YourOrdersPage

# How a per-order outcome is recorded in the journal.
JOURNAL_STATE = {
    Outcome.CANCELLED: JournalState.CANCELLED,
    Outcome.CANCELLATION_REQUESTED: JournalState.CANCELLATION_REQUESTED,
    Outcome.PENDING: JournalState.DECISION_PENDING,
    Outcome.ALREADY_CANCELLED: JournalState.ALREADY_CANCELLED,
    Outcome.NOT_CANCELLABLE: JournalState.NOT_CANCELLABLE,
    Outcome.NOT_FOUND: JournalState.NOT_FOUND,
    Outcome.NEEDS_HUMAN: JournalState.NEEDS_HUMAN,
    Outcome.BAD_INPUT: JournalState.INVALID,
    Outcome.AUTH_FAILED: JournalState.FAILED,
    Outcome.ERROR: JournalState.FAILED,
    Outcome.NOT_CONFIRMED: JournalState.NOT_CONFIRMED,
}
RETRYABLE = {Outcome.ERROR}
BACKOFF_S = 0.5
PAGE_RENEWAL = 5  # orders per browser tab: a renderer grows with each (measured: 68 MiB at 5, 89 at 20)


@dataclass
class BatchOptions:
    journal: Path
    concurrency: int = 1
    retries: int = 2
    redo: bool = False
    report_dir: Path | None = None  # this run's own report folder: the final screens go in its screens/
    source: str = "-"
    # False (a sweep): a row that may have been clicked before is only confirmed by reading its order
    press_again: bool = True
    max_clicks: int | None = None  # at most this many orders pressed for in this run (a sweep's --max-cancels)
    run_id: str | None = None  # given by the command (its report folder is named by it), else made here
    command: str = "batch"  # the command that runs it (batch, sweep, cancel), journaled with each row and change
    # asked with the lines about to be ticked, right before the click (a whole order cancelled at a terminal)
    confirm: Callable[[list[Line]], bool] | None = None
    wait_s: float = 0.0  # how long to wait for a journal another run holds


@dataclass
class OrderRecord:
    """One order's line in the summary and the report."""
    order_id: str
    line: int | None
    state: str  # a JournalState (or what an earlier run recorded)
    result: Result
    attempts: int = 0
    skipped: bool = False
    screen: str | None = None  # the final screen, full size, for the report
    rule: str | None = None  # the sweep rule that chose it

    def __post_init__(self) -> None:
        self.state = shown_state(self.state)  # as every output names it, whatever the journal keeps

    def to_json(self) -> dict[str, Any]:
        """Its line in a run's JSON summary and results.json."""
        result = self.result
        return {"order_id": self.order_id, "line": self.line, "state": self.state, "attempts": self.attempts,
                "skipped": self.skipped, "outcome": result.outcome.value, "message": result.message,
                "state_before": result.state_before, "state_after": result.state_after,
                "duration_ms": result.duration_ms, "artifacts": result.artifacts, "next_step": result.next_step,
                "items": [item.to_json() for item in result.items], "rule": self.rule}


@dataclass
class BatchSummary:
    run_id: str
    records: list[OrderRecord] = field(default_factory=list)
    aborted: Result | None = None
    duration_ms: int = 0
    store_url: str = ""  # where each order's page is, for the report's links

    @property
    def counts(self) -> dict[str, int]:
        return dict(Counter(r.state for r in self.records))

    @property
    def exit_code(self) -> ExitCode:
        if self.aborted is not None:
            return self.aborted.exit_code
        states = set(self.counts)
        if states & {JournalState.FAILED, JournalState.INVALID}:
            return ExitCode.UNEXPECTED
        if JournalState.NEEDS_HUMAN in states:
            return ExitCode.NEEDS_HUMAN
        return ExitCode.OK

    def to_json(self) -> dict[str, Any]:
        return {"run_id": self.run_id, "counts": self.counts, "exit_code": int(self.exit_code),
                "duration_ms": self.duration_ms,
                "aborted": self.aborted.to_json() if self.aborted else None,
                "orders": [record.to_json() for record in self.records]}


class BatchRun:
    def __init__(self, settings: Settings, options: BatchOptions, batch: BatchInput,
                 progress: Any = None, browser: Any = None) -> None:
        self.settings = settings
        self.browser = browser  # a running browser to work in (every worker), else the run launches its own
        self.options = options
        self.batch = batch
        self.progress = progress  # called with each finished OrderRecord
        self.run_id = options.run_id or uuid.uuid4().hex[:12]
        self.log = get_logger().bind(run_id=self.run_id)
        # the orders pressed for in this run; the workers are greenlets of one thread, which take turns
        # only at a wait on the browser, so checking and adding to it needs no lock
        self._pressed: set[str] = set()

    def run(self) -> BatchSummary:
        started = time.monotonic()
        summary = BatchSummary(self.run_id, store_url=self.settings.base_url)
        journal = self.open_journal()
        try:
            journal.start_run(self.run_id, self.options.source, self.options.report_dir)
            todo = self._prepare(journal, summary)
            if todo:
                self._work(journal, todo, summary)
            summary.duration_ms = int((time.monotonic() - started) * 1000)
            journal.finish_run(self.run_id, {"counts": summary.counts, "exit_code": summary.exit_code})
        except KeyboardInterrupt:
            raise Interrupted(interrupted_words(journal, [row.order_id for row in self.batch.rows], summary)) from None
        finally:
            journal.close()
        summary.records.sort(key=lambda r: (r.line or 0, r.order_id))
        return summary

    def open_journal(self) -> Journal:
        """The journal, held for this run (waited for up to `wait_s` if another run holds it)."""
        return Journal(self.options.journal, self.settings.host, self.settings.account, self.options.command,
                       self.run_id, self.options.wait_s)

    # -- before any browser -----------------------------------------------------------------
    def _prepare(self, journal: Journal, summary: BatchSummary) -> list[tuple[BatchRow, Entry]]:
        for bad in self.batch.invalid:
            result = Result(bad.order_id or "", Outcome.BAD_INPUT, bad.error)
            if bad.order_id:
                journal.mark_invalid(bad.order_id, {"line": bad.line, "raw": bad.raw}, result.to_json(), self.run_id)
            else:
                journal.reject_row(self.run_id, bad.line, bad.raw, bad.error)
            summary.records.append(OrderRecord(bad.order_id or f"(line {bad.line})", bad.line, JournalState.INVALID,
                                               result))
            self.log.info("order_finished", order_id=bad.order_id, line=bad.line, outcome=JournalState.INVALID.value,
                          message=bad.error)
        todo = []
        for row in self.batch.rows:
            # a batch row asking for other items than an earlier, finished row of the order is a new
            # instruction (the order page decides what is left); a sweep never acts on an order twice
            renewed = self.options.press_again and new_instruction(journal.get(row.order_id), row.request())
            entry = journal.enqueue(row.order_id, row.request(), self.run_id, self.options.redo or renewed)
            if entry.finished:
                summary.records.append(OrderRecord(row.order_id, row.line, entry.state,
                                                   Result.from_json(entry.outcome or {"order_id": row.order_id}),
                                                   entry.attempts, skipped=True, rule=row.rule))
            else:
                todo.append((row, entry))
        return todo

    # -- with the browser -------------------------------------------------------------------
    def _work(self, journal: Journal, todo: list[tuple[BatchRow, Entry]], summary: BatchSummary) -> None:
        """The orders, by this greenlet and the workers beside it (browser/workers.py): every
        worker in the run's one browser, each in a context of its own."""
        workers = min(self.options.concurrency, len(todo))

        def finished(record: OrderRecord) -> None:
            summary.records.append(record)
            if self.progress:
                self.progress(record)

        with SharedBrowser(self.settings, existing=self.browser) as shared:
            first = Storefront(shared, self.settings, self.run_id, self.log)  # this worker's, once signed in
            aborted = self._sign_in_once(first)
            if aborted is not None:
                first.close()
                summary.aborted = aborted
                return
            jobs = deque(todo)
            for _ in range(workers - 1):  # they start with the browser: a run of plain reads needs none
                shared.beside(lambda: self._worker(shared, Storefront(shared, self.settings, self.run_id, self.log),
                                                   journal, jobs, finished))
            try:
                self._worker(shared, first, journal, jobs, finished)
            finally:
                jobs.clear()  # whatever ended this worker, the others start no new order
            shared.wait()

    def _sign_in_once(self, storefront: Storefront) -> Result | None:
        """One sign-in for the whole run, saved for every worker's context; None when ready. A
        saved session the store still takes needs none: Your Orders read over plain HTTP (no
        redirect followed) is the proof, and no browser starts for it."""
        try:
            fetched = storefront.fetch(YourOrdersPage.PATH)
            if fetched is not None and your_orders.showing(fetched):
                return None
            for attempt in range(self.options.retries + 1):
                try:
                    storefront.prove_signed_in()
                    return None
                except StoreTrouble:
                    if attempt == self.options.retries:
                        raise
                    pause(BACKOFF_S * 2 ** attempt)  # backoff between attempts, not a page wait
        except (AuthFailed, NeedsHuman, StoreTrouble) as exc:
            return failure(exc, run=True)
        except BROWSER_FAILURES as exc:  # the run stops before any order, with its summary and report
            return browser_failed(exc)
        return None

    def _worker(self, shared: SharedBrowser, storefront: Storefront, journal: Journal,
                jobs: deque[tuple[BatchRow, Entry]], finished: Callable[[OrderRecord], None]) -> None:
        handled = 0
        while jobs and not shared.stopping:
            row, entry = jobs.popleft()
            handled += 1
            if handled % PAGE_RENEWAL == 0:
                storefront.renew_page()
            structlog.contextvars.bind_contextvars(run_id=self.run_id, order_id=row.order_id)
            finished(self.process(storefront, journal, row, entry))
        storefront.close()

    def process(self, storefront: Storefront, journal: Journal, row: BatchRow, entry: Entry) -> OrderRecord:
        """One order, however it ends. A journal row that something else changed under the run (a
        click may have happened) ends that order `failed` in the summary and the report, with no
        more writes to that row, and the run goes on with the others."""
        try:
            return self._work_on(storefront, journal, row, entry)
        except JournalConflict as exc:
            self.log.error("journal_conflict", order_id=row.order_id, error=str(exc))
            message, next_step = say("journal_conflict", error=str(exc), order_id=row.order_id)
            return OrderRecord(row.order_id, row.line, JournalState.FAILED,
                               Result(row.order_id, Outcome.ERROR, message, next_step=next_step), entry.attempts,
                               rule=row.rule)

    def _work_on(self, storefront: Storefront, journal: Journal, row: BatchRow, entry: Entry) -> OrderRecord:
        order_id = row.order_id
        # an earlier run may have clicked (it died at the submit, or failed after it): the order is
        # read first, and that click is confirmed, never repeated for other items than asked now
        clicked = entry.may_have_clicked
        refused = False  # the last check before the click said no: trying again changes nothing

        def submitting(chosen: list[Line], lines: list[Line]) -> None:
            nonlocal clicked, refused
            why = self._why_not_press(row, chosen)
            if why:
                refused = True
                raise NotSubmitted(_("{why}; nothing was submitted").format(why=why))
            journal.mark_submitting(order_id, journal_ticked(chosen, lines))  # with what was cancelled before
            clicked = True

        def act(canceller: Cancellation) -> Result:
            if clicked:  # this run's press, or an earlier run's
                return self._after_click(canceller, row, journal.get(order_id).chosen or [])  # type: ignore[union-attr]
            return canceller.cancel(CancelRequest(order_id, row.selectors(), row.reason, row.note,
                                                  confirm=self.options.confirm))

        attempts = 0
        row_state = entry.state  # pending, or submitting when an earlier run died around its click
        while True:
            attempts += 1
            if row_state == PENDING:
                journal.mark_checking(order_id, self.run_id)
                row_state = CHECKING
            canceller = Cancellation(storefront, submitting)
            result = run_order(storefront, order_id, lambda c=canceller: act(c))
            if canceller.submissions:  # pressed in this attempt: the row stays submitting
                row_state = SUBMITTING
            if result.outcome not in RETRYABLE or attempts > self.options.retries or refused:
                break
            if canceller.unanswered:  # never pressed again this run: a later run reads the order first
                self.log.info("order_not_retried", reason="the store may still act on an unanswered submit")
                break
            if row_state == CHECKING:  # a row that may have been clicked stays submitting
                journal.mark_retry(order_id)
                row_state = PENDING
            self.log.info("order_retry", attempt=attempts, message=result.message)
            pause(BACKOFF_S * 2 ** (attempts - 1))  # backoff between whole-order retries, not a page wait
        state = JOURNAL_STATE[result.outcome]
        if state is JournalState.ALREADY_CANCELLED and clicked:
            state = JournalState.CANCELLED  # this tool's own earlier click, confirmed on the order page
        record = OrderRecord(order_id, row.line, state, result, entry.attempts + attempts, rule=row.rule)
        if self.options.report_dir is not None:
            record.screen = self._final_screen(storefront, order_id)
        journal.mark_final(order_id, state, result.to_json())
        return record

    def _after_click(self, canceller: Cancellation, row: BatchRow, ticked: list[dict[str, Any]]) -> Result:
        """A row a press may have acted on: the order is read to confirm what that press ticked (a sweep
        stops there); a batch then takes the row's instruction as `resumed.ask_after` allows."""
        reading = confirm_earlier_click(canceller, row.order_id, ticked)
        if not self.options.press_again or reading.outcome is Outcome.NOT_FOUND:
            return reading
        lines = [Selector(str(c.get("item_id")), ticked_product(c)) for c in ticked]
        names = ", ".join(str(c.get("title")) for c in ticked) or _("its items")
        return ask_after(canceller, row, EarlierClick(lines, names, reading), self.options.confirm)

    def _why_not_press(self, row: BatchRow, chosen: list[Line]) -> str | None:
        """The last check before the click: the lines to tick are the lines decided (products and
        counts), and the run's limit of orders to press for is not reached. None: press."""
        if row.whole_order and (why := differs(list(row.lines), chosen)):
            return _("the order changed after the sweep decided to cancel it whole: {why}").format(why=why)
        if row.lines and (why := differs(list(row.lines), chosen)):
            return why
        limit = self.options.max_clicks
        if row.order_id not in self._pressed and limit is not None and len(self._pressed) >= limit:
            return ngettext("this run may cancel at most {limit} order (--max-cancels), and did",
                            "this run may cancel at most {limit} orders (--max-cancels), and did",
                            limit).format(limit=limit)
        self._pressed.add(row.order_id)
        return None

    def _final_screen(self, storefront: Storefront, order_id: str) -> str | None:
        """The order's final screen for the report, as a person would see it (its own styles, at
        the browser's size): the screen the order ended on, or its details page when it was only
        fetched or stopped on another order's screen."""
        try:
            path = artifact_path(self.options.report_dir / "screens", order_id, ".jpg")  # type: ignore[operator]
        except UnsafeName as exc:  # an order number that is not one names no file
            self.log.warning("screen_not_saved", error=str(exc))
            return None
        try:
            if query_param(storefront.page, "orderID") != order_id:
                storefront.visit(OrderDetailsPage.path_for(order_id))
            image = storefront.screenshot(type="jpeg", quality=75)
        except Exception:  # a screenshot is a nicety; the order's outcome stands without it
            return None
        return str(write_private(path, image))


def interrupted_words(journal: Journal, asked: list[str], summary: BatchSummary) -> str:
    """What a run stopped by Ctrl+C leaves: the orders in flight (which the next run reads before
    anything else: one may have been pressed), and how many ended or were not started."""
    states = {order_id: entry.state for order_id in asked if (entry := journal.get(order_id)) is not None}
    flying = [order_id for order_id, state in states.items() if state in (CHECKING, SUBMITTING)]
    waiting = sum(state == PENDING for state in states.values())
    said = _("interrupted: {done} orders ended, {waiting} not started").format(done=len(summary.records),
                                                                            waiting=waiting)
    if flying:
        said += "; " + _("in flight, read first by the next run: {orders}").format(orders=", ".join(flying))
    return said


class NotSubmitted(StoreTrouble):
    """The last check before a click refused it: nothing was submitted."""


def new_instruction(earlier: Entry | None, request: dict[str, Any]) -> bool:
    """Whether a request asks for other items than the earlier row it meets, which ended (and is
    not waiting for a decision: its click stays the one to follow)."""
    if earlier is None or not earlier.finished or earlier.state in AWAITING:
        return False
    return _asked(earlier.request) != _asked(request)


def _asked(kept: dict[str, Any]) -> tuple[Any, ...]:
    return sorted(kept.get("items") or []), kept.get("lines") or [], bool(kept.get("whole_order"))
