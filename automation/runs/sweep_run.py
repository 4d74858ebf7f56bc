"""A sweep run: the rules decide over the account's open orders and what earlier sweeps left
unfinished; with --apply, the decided orders are cancelled through the batch, after the
--max-cancels check that comes before any click."""
from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import structlog

from automation.browser.launch import open_browser
from automation.errors import CannotStart
from automation.order.outcome import OrderState, Outcome, Result
from automation.order.reader import OrderReader
from automation.order.work import BROWSER_FAILURES, browser_failed, with_storefront
from automation.runs.batch import BatchOptions, BatchSummary
from automation.runs.journal import Journal
from automation.runs.rules import Rule
from automation.runs.run import Progress, run_batch
from automation.runs.sweep import Candidate, Decider, Plan, as_batch, dropped, plan_sweep, records
from automation.settings import Settings


@dataclass(frozen=True)
class SweepOptions:
    journal: Path
    apply: bool
    max_cancels: int  # orders this run may press 'Request cancellation' for
    report: Path | None  # this run's own report folder (its screens/)
    source: str
    run_id: str | None = None  # given by the command (its report folder is named by it), else made here


class SweepRun:
    def __init__(self, settings: Settings, rules: list[Rule], options: SweepOptions,
                 progress: Progress | None = None) -> None:
        self.settings = settings
        self.rules = rules
        self.options = options
        self.progress = progress

    def run(self) -> BatchSummary | Result:
        """The sweep's summary; or the Result that stopped it before any decision (sign-in, store)."""
        started = time.monotonic()
        try:
            with open_browser(self.settings) as browser:  # one browser for deciding and for cancelling
                summary = self._in(browser)
        except BROWSER_FAILURES as exc:
            return browser_failed(exc)
        if isinstance(summary, BatchSummary):  # the whole sweep, its deciding included, not only its batch
            summary.duration_ms = int((time.monotonic() - started) * 1000)
        return summary

    def _in(self, browser: Any) -> BatchSummary | Result:
        found = self._plan(browser)
        if not isinstance(found, Plan):
            return found
        if not self.options.apply:
            return BatchSummary(self.options.run_id or uuid.uuid4().hex[:12], records(found, applied=False),
                                store_url=self.settings.base_url)
        # a row an earlier run may have pressed for is only read; at most --max-cancels orders are pressed for
        options = self.options
        batch_options = BatchOptions(options.journal, 1, 2, False, options.report, options.source, press_again=False,
                                     max_clicks=options.max_cancels, run_id=options.run_id,
                                     command="sweep")
        summary = run_batch(self.settings, batch_options, as_batch(found), browser, self.progress)
        summary.records += records(found, applied=True)
        return summary

    def _plan(self, browser: Any) -> Plan | Result:
        """The decisions over the account's open orders (one browser, one sign-in), set against the
        journal, the rows earlier sweeps left unfinished included; or the Result that stopped it.
        With --apply, before any click: the --max-cancels check, and the unfinished rows that the
        rules no longer choose journaled as such."""
        settings, options = self.settings, self.options
        journal = Journal(options.journal, settings.host, settings.account, "sweep")
        try:
            unfinished = journal.unfinished()
            candidates: list[Candidate] = []
            decider = Decider(self.rules, settings.market)
            result = with_storefront(settings, "", lambda c: self._candidates(c, journal, decider, candidates),
                                     browser=browser)
            if result.outcome is not Outcome.CHECKED:
                return result
            decisions = decider.decide(candidates)
            plan = plan_sweep(decisions, {d.order_id: journal.get(d.order_id) for d in decisions}, unfinished,
                              {c.order_id for c in candidates})
            if options.apply and len(plan.clicks) > options.max_cancels:
                raise CannotStart(f"the sweep would cancel {len(plan.clicks)} orders, more than --max-cancels "
                                  f"{options.max_cancels}; nothing was cancelled (check the rules, or raise "
                                  "--max-cancels)")
            for entry, why in plan.drops if options.apply else []:
                journal.mark_no_longer_matched(entry.order_id, dropped(entry, why, applied=True).to_json())
            return plan
        finally:
            journal.close()

    def _candidates(self, reader: OrderReader, journal: Journal, decider: Decider,
                    candidates: list[Candidate]) -> Result:
        """The open orders as the sweep knows them: their cards, when first seen, and the details
        of those a rule may match."""
        cards = [card for card in reader.list_orders("open") if card.state is OrderState.CANCELLABLE]
        seen = journal.first_seen([card.order_id for card in cards])
        candidates.extend(Candidate(card, seen[card.order_id]) for card in cards)
        details = any(rule.needs_details() or (rule.except_ and rule.except_.needs_details()) for rule in self.rules)
        for candidate in candidates:
            if details and decider.may_match(candidate):
                structlog.contextvars.bind_contextvars(order_id=candidate.order_id)
                candidate.summary = reader.read_order(candidate.order_id)
        return Result("", Outcome.CHECKED, f"{len(candidates)} open orders")
