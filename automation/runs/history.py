"""`ordercancel history`: every order the journal holds, whichever command acted on it, newest first,
with each outcome change and its time, the command (and sweep rule) that made it, and where its
evidence is. Read from the journal's `orders` and `changes`; never waits for a run that holds it."""
from __future__ import annotations

import json
import re
import sqlite3
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from automation.errors import BadInput, JournalBusy
from automation.runs.journal import Journal, read_only, shown_state
from pages.common import shown

UNITS = {"s": "seconds", "m": "minutes", "min": "minutes", "h": "hours", "d": "days", "w": "weeks"}
DURATION = re.compile(r"(\d{1,6})(s|min|m|h|d|w)")


@dataclass(frozen=True)
class Change:
    """One change of an order's state in the journal: the intent before a click, an outcome, a decision."""
    at: datetime
    from_state: str
    to_state: str
    message: str | None
    command: str | None
    run_id: str | None
    rule: str | None
    evidence: list[str]  # screenshots, HTML and traces saved for it
    report: str | None  # the --report folder of the run that made it
    mail_id: str | None = None  # the store's e-mail that witnessed it (`follow --mailbox`): its Message-ID
    mail_sent_at: str | None = None  # and its date

    def to_json(self) -> dict[str, Any]:
        return {"at": self.at.isoformat(), "from": self.from_state, "to": self.to_state, "message": self.message,
                "command": self.command, "run_id": self.run_id, "rule": self.rule, "evidence": self.evidence,
                "report": self.report, "mail": {"message_id": self.mail_id, "sent_at": self.mail_sent_at}
                if self.mail_id else None}


@dataclass(frozen=True)
class OrderHistory:
    """An order as the journal holds it now, and how it got there (changes oldest first)."""
    order_id: str
    store_host: str
    account: str
    state: str
    command: str | None  # the command whose instruction the row holds now
    rule: str | None
    last_at: datetime
    changes: list[Change]

    def to_json(self) -> dict[str, Any]:
        return {"order_id": self.order_id, "store_host": self.store_host, "account": self.account,
                "state": self.state, "command": self.command, "rule": self.rule, "last_at": self.last_at.isoformat(),
                "changes": [change.to_json() for change in self.changes]}


def parse_since(text: str, now: datetime) -> datetime:
    """--since: a duration back from now (90m, 2h, 7d, 1w) or a date or time (2025-06-01,
    2025-06-01T14:30, in local time unless it names its offset)."""
    cleaned = text.strip().lower()
    if match := DURATION.fullmatch(cleaned):
        return now - timedelta(**{UNITS[match.group(2)]: int(match.group(1))})
    try:
        when = datetime.fromisoformat(text.strip())
    except ValueError:
        raise BadInput(f"--since must be a duration (30m, 2h, 7d, 1w) or a date (2025-06-01, 2025-06-01T14:30), "
                       f"not {shown(text)}") from None
    return when if when.tzinfo else when.astimezone()  # a person's date is in their own time


def read_history(path: Path, since: datetime | None = None, order_id: str | None = None) -> list[OrderHistory]:
    """The journal's orders, newest first; only those with a change since `since`, or the one order.
    A journal no run has written yet holds none (and is not made)."""
    if not path.exists():
        return []
    try:
        journal = Journal(path, "", "", "history")  # upgrades a journal of an earlier version
    except JournalBusy:  # a run holds it, and has upgraded it: read beside it
        db = read_only(path)
        try:
            return query(db, since, order_id)
        finally:
            db.close()
    try:
        return query(journal.db, since, order_id)
    finally:
        journal.close()


def query(db: sqlite3.Connection, since: datetime | None, order_id: str | None) -> list[OrderHistory]:
    """Every order, or the one asked for, with its changes (and their runs' report folders)."""
    args = (order_id,) if order_id else ()
    changes: dict[tuple[str, str, str], list[Change]] = {}
    for row in db.execute("SELECT c.store_host, c.account, c.order_id, c.at, c.from_state, c.to_state, c.message, "
                          "c.command, c.run_id, c.rule, c.evidence, r.report, c.mail_id, c.mail_sent_at "
                          "FROM changes c LEFT JOIN runs r "
                          f"ON r.run_id = c.run_id {'WHERE c.order_id = ?' if order_id else ''} ORDER BY c.at, c.rowid",
                          args):
        evidence = _json_list(row[10])
        # the journal's `decision_pending` goes by `pending` wherever it is shown
        changes.setdefault(row[:3], []).append(Change(datetime.fromisoformat(row[3]), shown_state(row[4]),
                                                      shown_state(row[5]), row[6], row[7], row[8], row[9], evidence,
                                                      row[11], row[12], row[13]))
    found = []
    for host, account, number, state, command, rule, updated in db.execute(
            "SELECT store_host, account, order_id, state, command, rule, updated_at FROM orders "
            f"{'WHERE order_id = ?' if order_id else ''}", args):
        kept = changes.get((host, account, number), [])
        last = max([datetime.fromisoformat(updated), *(c.at for c in kept)])
        if since is not None:
            kept = [c for c in kept if c.at >= since]
            if not kept and last < since:
                continue
        found.append(OrderHistory(number, host, account, shown_state(state), command, rule, last, kept))
    return sorted(found, key=lambda o: (o.last_at, o.order_id), reverse=True)


def _json_list(text: str | None) -> list[str]:
    try:
        value = json.loads(text) if text else []
    except ValueError:
        return []
    return [str(v) for v in value] if isinstance(value, list) else []
