"""The store's e-mail as a second witness in `follow`: the mails about cancellations matched to the
journal by order number. The order page stays the judge: a mail is evidence and a reason to look,
never a reason to click, and a journal state changes only when the order page agrees. A mail that
confirms what the page showed is kept in `changes` with its Message-ID and date; a cancellation
mail for an order the tool never cancelled is read on the order page and reported as "cancelled by
the store or elsewhere" when the page agrees."""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from automation.language import N_, _, moment_text
from automation.order.items import lines_of
from automation.order.outcome import OrderState, Outcome, Result
from automation.order.reader import OrderReader, report_items, report_state
from automation.order.wording import mail_said, say
from automation.runs.batch import OrderRecord
from automation.runs.journal import Awaiting, Entry, Journal, JournalState
from automation.runs.journal_mail import MAIL_NOT_SHOWN, MailNote
from automation.runs.mailbox import MailboxAddress, read_store_mails
from automation.settings import Settings
from pages.order_details import OrderSummary
from pages.store_mail import Canceller, MailKind, StoreMail

# orders the journal does not hold that one run reads because a mail names them: a flood of forged
# mails, each naming another order, makes the tool look this often at most (and the next run looks on)
MAX_LOOKS = 10
LOOKBACK = timedelta(days=7)  # besides the oldest open order: how far back a cancellation by the store is looked for
# what a follow run's line says of a mail (besides the states of the orders it reads)
CONFIRMED, ELSEWHERE, NOT_SHOWN = "confirmed_by_mail", "cancelled_elsewhere", "mail_not_shown"
# a mail's verdict in the journal
WITNESS, CONTRADICTED, IGNORED, SKIPPED = "witness", "contradicted", "ignored", "skipped"


def when(mail: StoreMail) -> str:
    """The mail's date as a person reads it: local time, to the minute, in the tool's language."""
    return moment_text(mail.sent_at) if mail.sent_at else _("an unknown date")


def note_of(mail: StoreMail) -> MailNote:
    return MailNote(mail.message_id, mail.sent_at.isoformat() if mail.sent_at else None)


WHO = {Canceller.YOU: N_(" (by you)"), Canceller.STORE: N_(" (by the store)")}


def _who(mail: StoreMail) -> str:
    return _(WHO[mail.who_cancelled]) if mail.who_cancelled in WHO else ""  # type: ignore[index]


@dataclass
class MailEvidence:
    """The store's mails of this run, by the order they name, oldest first."""
    by_order: dict[str, list[StoreMail]] = field(default_factory=dict)

    def latest(self, order_id: str, kind: MailKind) -> StoreMail | None:
        return next((m for m in reversed(self.by_order.get(order_id, [])) if m.kind is kind), None)


def gather(settings: Settings, address: MailboxAddress, journal: Journal, waiting: list[Awaiting],
           log: Any) -> MailEvidence:
    """The store's mails since the oldest open order (and at least the last LOOKBACK), not yet settled."""
    now = datetime.now(UTC)
    since = min([entry.since for entry in waiting] + [now - LOOKBACK]).date()
    found = read_store_mails(settings, address, since, journal.mails_settled(), log)
    for message_id in found.skipped:  # warned of once: settled
        journal.note_mail(MailNote(message_id, None), None, "unreadable", None, SKIPPED)
    evidence = MailEvidence()
    for mail in sorted(found.mails, key=lambda m: m.sent_at or now):
        if mail.sender != settings.market.mail_sender or mail.order_id is None:  # SEARCH FROM matches a part
            journal.note_mail(note_of(mail), mail.order_id, mail.kind, mail.who_cancelled, IGNORED)
            continue
        evidence.by_order.setdefault(mail.order_id, []).append(mail)
    _within_looks(evidence, journal, {entry.order_id for entry in waiting}, log, now)
    log.info("mailbox_read", mails=sum(map(len, evidence.by_order.values())), skipped=len(found.skipped),
             since=since.isoformat())
    return evidence


def _within_looks(evidence: MailEvidence, journal: Journal, waiting: set[str], log: Any, now: datetime) -> None:
    """The orders the journal does not hold, that the mails name, cut to the newest MAX_LOOKS; the
    others' mails are not settled: the next run reads them."""
    strangers = sorted((order_id for order_id in evidence.by_order if order_id not in waiting
                        and journal.get(order_id) is None),
                       key=lambda order_id: max(m.sent_at or now for m in evidence.by_order[order_id]), reverse=True)
    for order_id in strangers[MAX_LOOKS:]:
        del evidence.by_order[order_id]
    if len(strangers) > MAX_LOOKS:
        log.warning("mail_orders_left", count=len(strangers) - MAX_LOOKS,
                    reason=f"the store's e-mails name more than {MAX_LOOKS} orders the tool did not act on: this run "
                           "looks at the newest; the next run looks on")


def _ours(entry: Entry, mail: StoreMail) -> bool:
    """Whether a cancellation mail is about what the tool cancelled: not the store's own, and (when
    both name products) about a product it ticked."""
    if mail.who_cancelled is Canceller.STORE:
        return False
    ticked = {c.get("product_id") for c in entry.chosen or [] if c.get("product_id")}
    named = {item.product_id for item in mail.items if item.product_id}
    return not ticked or not named or bool(ticked & named)


def sort_out(evidence: MailEvidence, journal: Journal, waiting: set[str]) -> tuple[list[OrderRecord],
                                                                                   list[tuple[str, list[StoreMail]]]]:
    """The mails about orders `follow` does not read anyway: those confirming a cancellation the
    journal holds (recorded now, nothing to read), and those to look at on the order page."""
    confirmed, to_read = [], []
    for order_id, mails in evidence.by_order.items():
        cancelled = [m for m in mails if m.kind is MailKind.CANCELLED]
        if order_id in waiting:
            continue
        entry = journal.get(order_id)
        for mail in (m for m in mails if m.kind is not MailKind.CANCELLED):  # a refusal of an order not waiting
            journal.note_mail(note_of(mail), order_id, mail.kind, None, IGNORED)
        if not cancelled:
            continue
        if entry is not None and entry.state == JournalState.CANCELLED and _ours(entry, cancelled[0]):
            confirmed.append(_confirm(journal, entry, cancelled))
        elif entry is not None and entry.may_have_clicked and not entry.finished:
            continue  # a click an earlier run may have made: the batch that made it confirms it on the page
        else:
            to_read.append((order_id, cancelled))
    return confirmed, to_read


def _confirm(journal: Journal, entry: Entry, mails: list[StoreMail]) -> OrderRecord:
    mail = mails[0]
    message, next_step = say("mail_confirms_earlier", when=when(mail), who=_who(mail))
    journal.note_change(entry.order_id, entry.state, entry.state, message, note_of(mail))
    for each in mails:
        journal.note_mail(note_of(each), entry.order_id, each.kind, each.who_cancelled, WITNESS)
    return OrderRecord(entry.order_id, None, CONFIRMED, Result(entry.order_id, Outcome.ALREADY_CANCELLED, message,
                                                              next_step=next_step))


def page_shows(summary: OrderSummary, mail: StoreMail) -> bool:
    """Whether the order page shows what the mail says was cancelled: the order, or a named product."""
    if summary.cancelled_banner or summary.state is OrderState.CANCELLED:
        return True
    named = {item.product_id for item in mail.items if item.product_id}
    return any(line.cancelled and line.product_id in named for line in lines_of(summary.items))


def look(journal: Journal, reader: OrderReader, order_id: str, mails: list[StoreMail],
         settings: Settings) -> tuple[str, Result]:
    """A cancellation mail for an order the tool did not cancel, read on the order page: its
    record's state and result. Reported once either way."""
    mail = mails[-1]
    summary = reader.read_order(order_id)
    shown = summary is not None and page_shows(summary, mail)
    key = "mail_elsewhere" if shown else "mail_elsewhere_not_shown"
    message, next_step = say(key, when=when(mail), said=mail_said(True, len(mail.items)), who=_who(mail),
                             sender=mail.sender)
    common = {} if summary is None else {"before": report_state(summary), "after": report_state(summary),
                                         "items": report_items(summary, settings.market)}
    entry = journal.get(order_id)
    if entry is not None and shown:
        journal.note_change(order_id, entry.state, entry.state, message, note_of(mail))
    for each in mails:
        journal.note_mail(note_of(each), order_id, each.kind, each.who_cancelled, ELSEWHERE if shown else CONTRADICTED)
    outcome = Outcome.ALREADY_CANCELLED if shown else Outcome.CHECKED
    return (ELSEWHERE if shown else NOT_SHOWN), Result(order_id, outcome, message, next_step=next_step, **common)


def weigh(evidence: MailEvidence, journal: Journal, order_id: str, decided: JournalState | None,
          result: Result) -> tuple[Result, MailNote | None]:
    """A waiting order, read on its page, beside the store's mails about it: the result with what
    the mails say, and the mail that witnessed the decision. The page's verdict stands either way."""
    kinds = (MailKind.REFUSED, MailKind.CANCELLED) if decided == JournalState.NOT_CANCELLABLE else \
        (MailKind.CANCELLED, MailKind.REFUSED)
    said = next((mail for kind in kinds if (mail := evidence.latest(order_id, kind)) is not None), None)
    if said is None:
        return result, None
    agrees = (decided == JournalState.CANCELLED and said.kind is MailKind.CANCELLED) or \
             (decided == JournalState.NOT_CANCELLABLE and said.kind is MailKind.REFUSED)
    if agrees:
        addition = say("mail_agrees", when=when(said), who=_who(said))[0]
    else:
        key = "mail_not_shown_yet" if decided is None else "mail_contradicted"
        addition = say(key, when=when(said), said=mail_said(said.kind is MailKind.CANCELLED, len(said.items)))[0]
    verdict = WITNESS if agrees else (MAIL_NOT_SHOWN if decided is None else CONTRADICTED)
    for mail in evidence.by_order.get(order_id, []):
        journal.note_mail(note_of(mail), order_id, mail.kind, mail.who_cancelled, verdict)
    weighed = dataclasses.replace(result, message=f"{result.message}; {addition}")
    return weighed, note_of(said) if agrees else None
