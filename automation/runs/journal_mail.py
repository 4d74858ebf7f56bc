"""The store's e-mails in the journal: each mail read and what became of it (`mails`), and a change
a mail witnessed without a state moving (`changes`, with the mail's Message-ID and date)."""
from __future__ import annotations

import sqlite3
import threading
from dataclasses import dataclass
from datetime import UTC, datetime

# a mail that says cancelled while the order page does not yet: read again by the next `follow`
MAIL_NOT_SHOWN = "not_shown"


@dataclass(frozen=True)
class MailNote:
    """The store's e-mail as the journal keeps it: its Message-ID and its date (ISO, UTC)."""
    message_id: str
    sent_at: str | None


class MailRecords:
    """The journal's mail records; `Journal` holds the connection, its lock and its key."""
    db: sqlite3.Connection
    _lock: threading.Lock
    command: str | None
    run_id: str | None

    def _key(self) -> tuple[str, str]:
        raise NotImplementedError

    def _write(self, sql: str, *args: object) -> int:
        raise NotImplementedError

    def mails_settled(self) -> set[str]:
        """The Message-IDs of the mails already read and settled (not those to look at again)."""
        with self._lock:
            rows = self.db.execute("SELECT message_id FROM mails WHERE store_host = ? AND account = ? AND verdict != ?",
                                   (*self._key(), MAIL_NOT_SHOWN)).fetchall()
        return {row[0] for row in rows}

    def note_mail(self, mail: MailNote, order_id: str | None, kind: str, who: str | None, verdict: str) -> None:
        """A mail read, and what became of it (`not_shown`: read again by the next run)."""
        self._write("INSERT INTO mails (store_host, account, message_id, order_id, sent_at, read_at, kind, who, verdict) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (store_host, account, message_id) "
                    "DO UPDATE SET verdict = excluded.verdict, read_at = excluded.read_at", *self._key(),
                    mail.message_id, order_id, mail.sent_at, now(), kind, who, verdict)

    def note_change(self, order_id: str, was: str, now_state: str, message: str, mail: MailNote | None = None) -> None:
        """A line in `changes` that no transition wrote: what a mail said of an order (its state kept)."""
        self._write("INSERT INTO changes (store_host, account, order_id, at, from_state, to_state, message, command, "
                    "run_id, mail_id, mail_sent_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", *self._key(), order_id,
                    now(), was, now_state, message, self.command, self.run_id,
                    mail.message_id if mail else None, mail.sent_at if mail else None)


def now() -> str:
    """The journal's timestamps: UTC, ISO 8601, to the millisecond."""
    return datetime.now(UTC).isoformat(timespec="milliseconds")
