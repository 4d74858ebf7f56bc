"""`ordercancel follow`: every journaled cancellation that a seller or the store has yet to
decide, whichever command asked for it (cancel, batch, sweep), read again on the order's page and
taken to its end, or left waiting with how long."""
from __future__ import annotations

import enum
import time
import uuid
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from automation.browser.launch import launch_when_needed
from automation.browser.storefront import Storefront
from automation.language import _, date_text, duration_text, ngettext
from automation.logs import get_logger
from automation.marketplace import Marketplace, business_days_after
from automation.order.items import lines_of, ticked_cancelled
from automation.order.outcome import OrderState, Outcome, Result
from automation.order.reader import REFUND_BUSINESS_DAYS, OrderReader, report_items, report_state, return_advice
from automation.order.wording import say
from automation.order.work import run_order
from automation.runs.batch import JOURNAL_STATE, BatchSummary, OrderRecord
from automation.runs.journal import Awaiting, Journal, JournalState, shown_state
from automation.runs.mail_witness import MailEvidence, gather, look, sort_out, weigh
from automation.runs.mailbox import MailboxAddress
from automation.settings import Settings
from pages.order_details import OrderSummary
from pages.store_mail import StoreMail

OVERDUE = timedelta(days=7)  # the wording's next step after it names whom to contact (wording.FOLLOW_OVERDUE)


@dataclass(frozen=True)
class StoreAnswer:
    """What the order's page says now about a cancellation that was waiting."""
    state: JournalState | None  # None: still waiting
    result: Result


def waited(since: datetime, now: datetime) -> str:
    """How long a decision has been waited for, in the tool's language: minutes under a day, then days and hours."""
    minutes = int((now - since).total_seconds() // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    return duration_text(days, hours, 0 if days else minutes)


def what_of(entry: Awaiting, summary: OrderSummary) -> str:
    """What a decision was about, as the object of its sentence: the order, or its asked-for items."""
    if summary.cancelled_banner:
        return _("the order")
    count = len(entry.chosen)
    return ngettext("{count} item", "{count} items", count).format(count=count) if count else _("the items")


class Verdict(enum.StrEnum):
    """What the store (or the seller) has answered, as its pages show it."""
    CANCELLED = "cancelled"
    WAITING = "waiting"
    REFUSED = "refused"


def verdict(state: JournalState, chosen: list[dict[str, Any]], summary: OrderSummary) -> Verdict:
    """The one rule of `follow`, on the order's page alone, never on the clock: the chosen lines
    shown cancelled since the submit (`items.ticked_cancelled`), or the order cancelled, is a yes.
    A request a seller holds shows as requested, so its status gone is the seller's no. The store
    decides a pending cancellation on its own clock and the page shows no sign of it while it does:
    the order leaving the cancel window ("Preparing for Shipment", no Cancel items link) is not an
    answer, and only the order shown shipped (the store's refusal: "the items may have entered the
    shipping process") is a no. A page that cannot tell (`ticked_cancelled` is None) is no answer."""
    answered = ticked_cancelled(chosen, lines_of(summary.items))
    if summary.cancelled_banner or summary.state is OrderState.CANCELLED or answered:
        return Verdict.CANCELLED
    if answered is None:
        return Verdict.WAITING
    if state == JournalState.CANCELLATION_REQUESTED:
        return Verdict.WAITING if summary.state is OrderState.CANCELLATION_REQUESTED else Verdict.REFUSED
    return Verdict.REFUSED if summary.shipped else Verdict.WAITING


def decide(entry: Awaiting, summary: OrderSummary, now: datetime, market: Marketplace,
           return_url: str | None = None) -> StoreAnswer:
    """The verdict on a waiting row, worded: cancelled with the refund's date, still waiting with
    how long (and whom to contact after 7 days), or refused with the return advice (and the order
    page's return link, checked: `OrderReader.return_url`)."""
    order_id = entry.order_id
    seller = entry.state == JournalState.CANCELLATION_REQUESTED
    decider = "seller" if seller else "store"  # each has sentences of its own (wording: follow_*_seller, _store)
    common = {"before": report_state(summary), "after": report_state(summary), "items": report_items(summary, market)}
    what = what_of(entry, summary)
    answer = verdict(JournalState(entry.state), entry.chosen, summary)
    if answer is Verdict.CANCELLED:
        refund_by = business_days_after(now.date(), REFUND_BUSINESS_DAYS, market.country)
        message, next_step = say(f"follow_cancelled_{decider}", what=what, refund_by=date_text(refund_by))
        return StoreAnswer(JournalState.CANCELLED, Result(order_id, Outcome.CANCELLED, message, next_step=next_step,
                                                       refund_expected_by=refund_by.isoformat(), **common))
    if answer is Verdict.WAITING:
        key = "follow_overdue" if now - entry.since >= OVERDUE else "follow_waiting"
        message, next_step = say(f"{key}_{decider}", waited=waited(entry.since, now))
        outcome = Outcome.CANCELLATION_REQUESTED if seller else Outcome.PENDING
        return StoreAnswer(None, Result(order_id, outcome, message, next_step=next_step, **common))
    message, next_step = say(f"follow_declined_{decider}", what=what,
                             status=summary.status_text or _("no status shown"), advice=return_advice(summary, return_url))
    return StoreAnswer(JournalState.NOT_CANCELLABLE, Result(order_id, Outcome.NOT_CANCELLABLE, message,
                                                         next_step=next_step, return_url=return_url, **common))


class FollowRun:
    def __init__(self, settings: Settings, journal: Path, run_id: str | None = None,
                 mailbox: MailboxAddress | None = None, report: Path | None = None) -> None:
        self.settings = settings
        self.journal_path = journal
        self.mailbox = mailbox  # where the store's e-mails are read, as a second witness
        self.report = report  # where the run's report goes, kept with the run in the journal
        self.run_id = run_id or uuid.uuid4().hex[:12]
        self.log = get_logger().bind(run_id=self.run_id)

    def run(self) -> BatchSummary:
        """Every waiting order read (in one browser and one sign-in, if any is needed), and every
        order the store's e-mail gives a reason to look at; the journal keeps each change."""
        started = time.monotonic()
        summary = BatchSummary(self.run_id, store_url=self.settings.base_url)
        journal = Journal(self.journal_path, self.settings.host, self.settings.account, "follow", self.run_id)
        try:
            journal.start_run(self.run_id, "follow", self.report)
            waiting = journal.awaiting()
            evidence = gather(self.settings, self.mailbox, journal, waiting, self.log) if self.mailbox else \
                MailEvidence()
            confirmed, to_look_at = sort_out(evidence, journal, {entry.order_id for entry in waiting})
            summary.records.extend(confirmed)
            if waiting or to_look_at:  # read over plain HTTP while that suffices: the browser starts only if needed
                with ExitStack() as stack:
                    storefront = Storefront(launch_when_needed(stack, self.settings), self.settings, self.run_id,
                                            self.log)
                    try:
                        self._read(journal, OrderReader(storefront), storefront, waiting, to_look_at, evidence,
                                   summary)
                    finally:
                        storefront.close()
            summary.duration_ms = int((time.monotonic() - started) * 1000)
            journal.finish_run(self.run_id, {"counts": summary.counts, "exit_code": summary.exit_code})
        finally:
            journal.close()
        return summary

    def _read(self, journal: Journal, reader: OrderReader, storefront: Storefront, waiting: list[Awaiting],
              to_look_at: list[tuple[str, list[StoreMail]]], evidence: MailEvidence, summary: BatchSummary) -> None:
        """The waiting orders, then those a mail names, each read on its page; a sign-in that
        fails or needs a person stops the run there."""
        for entry in waiting:
            summary.records.append(self._follow(journal, reader, storefront, entry, evidence))
            if summary.records[-1].result.outcome in (Outcome.AUTH_FAILED, Outcome.NEEDS_HUMAN):
                return
        for order_id, mails in to_look_at:
            summary.records.append(self._look(journal, reader, storefront, order_id, mails))
            if summary.records[-1].result.outcome in (Outcome.AUTH_FAILED, Outcome.NEEDS_HUMAN):
                return

    def _look(self, journal: Journal, reader: OrderReader, storefront: Storefront, order_id: str,
              mails: list[StoreMail]) -> OrderRecord:
        """An order the tool did not cancel, that a mail says was cancelled, read on its page."""
        states: list[str] = []

        def read() -> Result:
            state, result = look(journal, reader, order_id, mails, self.settings)
            states.append(state)
            return result

        result = run_order(storefront, order_id, read)
        return OrderRecord(order_id, None, states[-1] if states else JOURNAL_STATE[result.outcome].value, result)

    def _follow(self, journal: Journal, reader: OrderReader, storefront: Storefront, entry: Awaiting,
                evidence: MailEvidence) -> OrderRecord:
        decided: list[StoreAnswer] = []

        def read() -> Result:
            summary = reader.read_order(entry.order_id)
            if summary is None:
                message, next_step = say("not_found", order_id=entry.order_id)
                decided.append(StoreAnswer(JournalState.NOT_FOUND, Result(entry.order_id, Outcome.NOT_FOUND, message,
                                                                       next_step=next_step)))
            else:
                decided.append(decide(entry, summary, datetime.now(UTC), self.settings.market,
                                      reader.return_url(entry.order_id, summary)))
            return decided[-1].result

        result = run_order(storefront, entry.order_id, read)
        if decided:  # the page was read: the store's mails about it are weighed beside it
            result, mail = weigh(evidence, journal, entry.order_id, decided[-1].state, result)
        if decided and decided[-1].state is not None:
            state = decided[-1].state
            journal.mark_decided(entry.order_id, entry.state, state, result.to_json(), result.message, mail)
            self.log.info("order_decided", order_id=entry.order_id, was=shown_state(entry.state), now=state.value)
            return OrderRecord(entry.order_id, None, state.value, result)
        trouble = result.outcome in (Outcome.ERROR, Outcome.AUTH_FAILED, Outcome.NEEDS_HUMAN)
        return OrderRecord(entry.order_id, None, JOURNAL_STATE[result.outcome].value if trouble else entry.state,
                           result)
