"""`ordercancel cancel` journaled: one order as a one-row run of the batch, in the batch's journal and
by its rules (intent before the click, compare-and-set transitions, an unanswered submit never
pressed again, an earlier press confirmed by reading the order). A journal another run holds is
waited for, so per-order calls from a scheduler take their turns and an order is never in flight
in two runs at once."""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from automation.order.cancellation import CancelRequest
from automation.order.outcome import Outcome, Result
from automation.order.wording import say
from automation.order.work import BROWSER_FAILURES, browser_failed, storefront_for
from automation.runs.batch import BatchOptions, BatchRun, OrderRecord
from automation.runs.batch_input import BatchInput, BatchRow
from automation.runs.journal import AWAITING, CHECKING, SUBMITTING, Awaiting, Journal, JournalState
from automation.settings import Settings


class SingleCancel:
    """One order's cancel: `open` holds the journal (before any browser: a busy or unusable
    journal stops the command with nothing done), `run` does the work and lets it go."""

    def __init__(self, settings: Settings, request: CancelRequest, journal: Path, wait_s: float,
                 trace: bool = False) -> None:
        self.settings = settings
        self.trace = trace
        self.row = BatchRow(0, request.order_id, tuple(s.text for s in request.items), request.reason, request.note)
        options = BatchOptions(journal, retries=0, source=f"cancel {request.order_id}", command="cancel",
                               confirm=request.confirm, wait_s=wait_s)
        self.batch = BatchRun(settings, options, BatchInput(rows=[self.row]))
        self.journal: Journal | None = None

    @property
    def run_id(self) -> str:
        return self.batch.run_id

    def open(self) -> None:
        self.journal = self.batch.open_journal()
        self.journal.start_run(self.run_id, self.batch.options.source)

    def run(self) -> Result:
        journal = self.journal
        assert journal is not None, "open() first"
        try:
            result = self._cancel(journal)
            journal.finish_run(self.run_id, {"outcome": result.outcome.value, "exit_code": int(result.exit_code)})
        finally:
            journal.close()
            self.journal = None
        return result

    def _cancel(self, journal: Journal) -> Result:
        order_id = self.row.order_id
        earlier = journal.get(order_id)
        if earlier is not None and earlier.state in AWAITING:  # asked already: pressing again asks twice
            return awaiting(next(a for a in journal.awaiting() if a.order_id == order_id))
        # a new instruction for an order finished before; one an earlier run may have pressed for and
        # not finished is read first (`BatchRun.process`), and pressed again only as a batch would
        entry = journal.enqueue(order_id, self.row.request(), self.run_id, redo=earlier is not None and earlier.finished)
        record: OrderRecord | None = None
        try:
            with storefront_for(self.settings, self.trace) as storefront:
                record = self.batch.process(storefront, journal, self.row, entry)
        except BROWSER_FAILURES as exc:
            failed = browser_failed(exc, order_id)
            if record is not None:  # the order's work ended; only closing the browser failed
                return record.result
            left = journal.get(order_id)
            if left is not None and left.state in (CHECKING, SUBMITTING):  # a press may have happened: read next time
                journal.mark_final(order_id, JournalState.FAILED, failed.to_json())
            return failed
        return record.result


def awaiting(entry: Awaiting) -> Result:
    """An order whose cancellation the journal holds as waiting for a decision: said as such, from
    what the journal keeps, and never pressed again (`follow` reads the decision)."""
    kept = Result.from_json(entry.outcome or {"order_id": entry.order_id})
    seller = entry.state == JournalState.CANCELLATION_REQUESTED
    message, next_step = say("awaiting_earlier_seller" if seller else "awaiting_earlier_store",
                             when=entry.since.strftime("%Y-%m-%d %H:%M UTC"))
    return replace(kept, order_id=entry.order_id,
                   outcome=Outcome.CANCELLATION_REQUESTED if seller else Outcome.PENDING, message=message,
                   next_step=next_step, artifacts=[], duration_ms=0)
