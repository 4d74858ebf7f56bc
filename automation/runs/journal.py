"""The batch journal: a SQLite file (WAL) with one row per (store host, account, order number).

Every transition is committed before the next step; `submitting` is committed before the click
that cancels, so a run killed at any moment leaves a row that says whether a click may have
happened. One run at a time holds the journal's lock (flock on the database file, released by the kernel at
death), and every transition is a compare-and-set on the row's state."""
from __future__ import annotations

import enum
import fcntl
import json
import os
import sqlite3
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from automation.errors import BadInput, JournalBusy, JournalConflict
from automation.files import (
    UnsafeFile,
    UnsafeFolder,
    ensure_folder,
    follow_trusted_links,
    judge_private_file,
    open_private_file,
)
from automation.order.outcome import Outcome


class JournalState(enum.StrEnum):
    """Where an order's row is: working states, then a final one."""
    PENDING = "pending"
    CHECKING = "checking"
    SUBMITTING = "submitting"  # committed before the click that cancels
    CANCELLED = "cancelled"
    CANCELLATION_REQUESTED = "cancellation_requested"
    # the store took the cancel "pending"; `follow` reads its decision. Shown as "pending" (`shown_state`)
    DECISION_PENDING = "decision_pending"
    ALREADY_CANCELLED = "already_cancelled"
    NOT_CANCELLABLE = "not_cancellable"
    NOT_FOUND = "not_found"
    INVALID = "invalid"
    NEEDS_HUMAN = "needs_human"
    FAILED = "failed"
    # a sweep's row that never reached its click, and that the rules no longer choose
    NO_LONGER_MATCHED = "no_longer_matched"


PENDING, CHECKING, SUBMITTING = JournalState.PENDING, JournalState.CHECKING, JournalState.SUBMITTING
FINAL = (JournalState.CANCELLED, JournalState.CANCELLATION_REQUESTED, JournalState.DECISION_PENDING,
         JournalState.ALREADY_CANCELLED, JournalState.NOT_CANCELLABLE, JournalState.NOT_FOUND, JournalState.INVALID,
         JournalState.NEEDS_HUMAN, JournalState.FAILED, JournalState.NO_LONGER_MATCHED)
# The store's e-mail that witnessed a change, in `changes` (added to a journal that lacks them); a
# mail `not_shown` (it says cancelled, the order page not yet) is read again by the next `follow`
MAIL_COLUMNS, MAIL_NOT_SHOWN = ("mail_id", "mail_sent_at"), "not_shown"

# Final for a batch, but not yet decided by the store or the seller: `follow` reads them.
AWAITING = (JournalState.CANCELLATION_REQUESTED, JournalState.DECISION_PENDING)
# Final for this run, but taken again by the next: they are the rows that need another go (a row
# the rules no longer chose is taken again only if they choose it again).
RETAKEN = (JournalState.INVALID, JournalState.NEEDS_HUMAN, JournalState.FAILED, JournalState.NO_LONGER_MATCHED)



def shown_state(state: str) -> str:
    """The name a row's state goes by wherever it is shown (summaries, JSON, reports, logs): a
    cancellation the store decides later is `pending`, the outcome's own name, one name everywhere.
    The journal's column keeps `decision_pending` for it, as every journal written so far does,
    because there `pending` already names a row queued for work; old rows read as new ones."""
    return Outcome.PENDING.value if state == JournalState.DECISION_PENDING else state


SCHEMA = """
CREATE TABLE IF NOT EXISTS orders (
    store TEXT NOT NULL,
    account TEXT NOT NULL,
    order_id TEXT NOT NULL,
    state TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    request TEXT NOT NULL,
    chosen TEXT,
    outcome TEXT,
    run_id TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    submitted_at TEXT,
    finished_at TEXT,
    PRIMARY KEY (store, account, order_id)
);
CREATE TABLE IF NOT EXISTS rejected_rows (
    run_id TEXT NOT NULL,
    line INTEGER NOT NULL,
    raw TEXT NOT NULL,
    error TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS changes (
    store TEXT NOT NULL,
    account TEXT NOT NULL,
    order_id TEXT NOT NULL,
    at TEXT NOT NULL,
    from_state TEXT NOT NULL,
    to_state TEXT NOT NULL,
    message TEXT
);
CREATE TABLE IF NOT EXISTS seen (
    store TEXT NOT NULL,
    account TEXT NOT NULL,
    order_id TEXT NOT NULL,
    first_seen_at TEXT NOT NULL,
    PRIMARY KEY (store, account, order_id)
);
CREATE TABLE IF NOT EXISTS mails (
    store TEXT NOT NULL, account TEXT NOT NULL, message_id TEXT NOT NULL, order_id TEXT, sent_at TEXT,
    read_at TEXT NOT NULL, kind TEXT NOT NULL, who TEXT, verdict TEXT NOT NULL,
    PRIMARY KEY (store, account, message_id)
);
CREATE TABLE IF NOT EXISTS runs (
    run_id TEXT PRIMARY KEY,
    source TEXT,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    summary TEXT
);
"""


class JournalUnusable(BadInput):
    """The journal file cannot be opened or is not a journal."""


@dataclass(frozen=True)
class Entry:
    order_id: str
    state: str
    attempts: int
    request: dict[str, Any]
    chosen: list[dict[str, str]] | None
    outcome: dict[str, Any] | None

    @property
    def finished(self) -> bool:
        return self.state in FINAL and self.state not in RETAKEN

    @property
    def may_have_clicked(self) -> bool:
        """Whether a run may have pressed the button for this row (`chosen` is committed with
        `submitting`, before the click, and kept): then the order is read before anything else."""
        return self.state == SUBMITTING or self.chosen is not None


@dataclass(frozen=True)
class MailNote:
    """The store's e-mail as the journal keeps it: its Message-ID and its date (ISO, UTC)."""
    message_id: str
    sent_at: str | None


@dataclass(frozen=True)
class Awaiting:
    """A row waiting for a decision: what was ticked, the last outcome, and since when."""
    order_id: str
    state: str
    chosen: list[dict[str, Any]]
    outcome: dict[str, Any]
    since: datetime
    request: dict[str, Any]


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


class Journal:
    def __init__(self, path: Path, store_host: str, account: str) -> None:
        self.store_host = store_host
        self.account = account
        self._lock = threading.Lock()
        self._lock_fd: int | None = None
        try:
            # symlinks are followed only where no one else could have planted them, so two runs that
            # name one journal by different paths still meet at one lock (the real file's)
            self.path = follow_trusted_links(path, "journal")
            ensure_folder(self.path.parent, "journal's folder")
        except OSError as exc:
            raise JournalUnusable(f"cannot open the journal {path}: {exc.strerror}") from None
        except UnsafeFolder as exc:
            raise JournalUnusable(f"cannot open the journal {path}: {exc}") from None
        except UnsafeFile as exc:
            raise JournalUnusable(str(exc)) from None
        try:
            self._lock_fd = open_private_file(self.path, "journal")
            self._judge_sidecars()  # before SQLite reads them: a planted WAL would be replayed
            fcntl.flock(self._lock_fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self.close()
            raise JournalBusy(f"another batch run is using the journal {self.path}; wait for it to finish") from None
        except OSError as exc:
            self.close()
            raise JournalUnusable(f"{path} is not a usable journal: {exc.strerror}") from None
        except UnsafeFile as exc:
            self.close()
            raise JournalUnusable(str(exc)) from None
        self._connect(path)

    def _connect(self, given: Path) -> None:
        try:
            self.db = sqlite3.connect(self.path, check_same_thread=False, timeout=10, isolation_level=None)
            self.db.execute("PRAGMA journal_mode=WAL")
            # WAL with NORMAL is durable when the process is killed (the requirement); only a power
            # cut may lose the last transitions
            self.db.execute("PRAGMA synchronous=NORMAL")
            opened, judged = os.stat(self.path), os.fstat(self._lock_fd)  # type: ignore[arg-type]
            if (opened.st_dev, opened.st_ino) != (judged.st_dev, judged.st_ino):
                raise UnsafeFile(f"cannot use the journal {given}: it was replaced while it was being opened")
            self._judge_sidecars()  # SQLite made them now, or found them
            self.db.executescript(SCHEMA)
            self._add_mail_columns()
        except (sqlite3.DatabaseError, OSError) as exc:
            self.close()
            raise JournalUnusable(f"{given} is not a usable journal: {exc}") from None
        except UnsafeFile as exc:
            self.close()
            raise JournalUnusable(str(exc)) from None

    def _add_mail_columns(self) -> None:
        have = {row[1] for row in self.db.execute("PRAGMA table_info(changes)")}
        for column in MAIL_COLUMNS:
            if column not in have:
                self.db.execute(f"ALTER TABLE changes ADD COLUMN {column} TEXT")

    def _judge_sidecars(self) -> None:
        """SQLite's own files beside the journal (its write-ahead log, its shared memory, a rollback
        journal) are the journal too: each must be this user's and writable by no one else."""
        for suffix in ("-wal", "-shm", "-journal"):
            sidecar = Path(f"{self.path}{suffix}")
            try:
                info = sidecar.lstat()
            except FileNotFoundError:
                continue
            judge_private_file(info, sidecar, f"journal's {suffix[1:]} file")
            os.chmod(sidecar, 0o600)  # judged a regular file of ours a moment ago

    def close(self) -> None:
        if getattr(self, "db", None) is not None:
            self.db.close()
            self.db = None  # type: ignore[assignment]
        if self._lock_fd is not None:  # closed after SQLite's own descriptors: that releases the run lock
            os.close(self._lock_fd)
            self._lock_fd = None

    def _write(self, sql: str, *args: Any) -> int:
        with self._lock:
            return self.db.execute(sql, args).rowcount  # autocommit: every statement is durable on return

    def _move(self, order_id: str, expected: tuple[str, ...], sets: str, *args: Any) -> None:
        """A compare-and-set transition: the row must be in one of the expected states."""
        marks = ", ".join("?" for _ in expected)
        changed = self._write(f"UPDATE orders SET {sets} WHERE store = ? AND account = ? AND order_id = ? "
                              f"AND state IN ({marks})", *args, *self._key(), order_id, *expected)
        if changed != 1:
            raise JournalConflict(f"the journal row of {order_id} is no longer {' or '.join(expected)}: another "
                                  "process changed the journal; nothing more was done for it")

    def _key(self) -> tuple[str, str]:
        return (self.store_host, self.account)

    # -- runs -------------------------------------------------------------------------------
    def start_run(self, run_id: str, source: str) -> None:
        self._write("INSERT INTO runs (run_id, source, started_at) VALUES (?, ?, ?)", run_id, source, _now())

    def finish_run(self, run_id: str, summary: dict[str, Any]) -> None:
        self._write("UPDATE runs SET finished_at = ?, summary = ? WHERE run_id = ?", _now(), json.dumps(summary), run_id)

    def reject_row(self, run_id: str, line: int, raw: str, error: str) -> None:
        self._write("INSERT INTO rejected_rows VALUES (?, ?, ?, ?)", run_id, line, raw, error)

    # -- orders -----------------------------------------------------------------------------
    def get(self, order_id: str) -> Entry | None:
        with self._lock:
            row = self.db.execute("SELECT order_id, state, attempts, request, chosen, outcome FROM orders "
                                  "WHERE store = ? AND account = ? AND order_id = ?", (*self._key(), order_id)).fetchone()
        if row is None:
            return None
        return Entry(row[0], row[1], row[2], json.loads(row[3]), json.loads(row[4]) if row[4] else None,
                     json.loads(row[5]) if row[5] else None)

    def enqueue(self, order_id: str, request: dict[str, Any], run_id: str, redo: bool) -> Entry:
        """Add the order as pending, or keep what an earlier run found (unless redo)."""
        existing = self.get(order_id)
        now = _now()
        if existing is None:
            self._write("INSERT INTO orders (store, account, order_id, state, request, run_id, created_at, updated_at) "
                        "VALUES (?, ?, ?, ?, ?, ?, ?, ?)", *self._key(), order_id, PENDING, json.dumps(request),
                        run_id, now, now)
        elif redo and existing.finished:  # a new instruction: forget the earlier click
            self._move(order_id, (existing.state,), "state = ?, request = ?, outcome = NULL, chosen = NULL, "
                       "run_id = ?, updated_at = ?", PENDING, json.dumps(request), run_id, now)
        elif existing.state in RETAKEN or existing.state in (PENDING, CHECKING):
            # another go (a run that died while checking never clicked); an earlier click (chosen) is remembered
            self._move(order_id, (existing.state,), "state = ?, request = ?, outcome = NULL, run_id = ?, "
                       "updated_at = ?", PENDING, json.dumps(request), run_id, now)
        entry = self.get(order_id)
        assert entry is not None
        return entry

    def mark_invalid(self, order_id: str, request: dict[str, Any], outcome: dict[str, Any], run_id: str) -> None:
        """Record an invalid instruction; what an earlier run did stands, and a row that may have
        been clicked (submitting) is never overwritten."""
        now = _now()
        overwritable = (PENDING, CHECKING, *RETAKEN)
        self._write("INSERT INTO orders (store, account, order_id, state, request, outcome, run_id, created_at, "
                    "updated_at, finished_at) VALUES (?, ?, ?, 'invalid', ?, ?, ?, ?, ?, ?) "
                    "ON CONFLICT (store, account, order_id) DO UPDATE SET state = 'invalid', request = excluded.request, "
                    "outcome = excluded.outcome, run_id = excluded.run_id, updated_at = excluded.updated_at, "
                    f"finished_at = excluded.finished_at WHERE orders.state IN ({', '.join('?' for _ in overwritable)})",
                    *self._key(), order_id, json.dumps(request), json.dumps(outcome), run_id, now, now, now,
                    *overwritable)

    def mark_checking(self, order_id: str, run_id: str) -> None:
        self._move(order_id, (PENDING,), "state = ?, attempts = attempts + 1, run_id = ?, updated_at = ?",
                   CHECKING, run_id, _now())

    def mark_submitting(self, order_id: str, chosen: list[dict[str, Any]]) -> None:
        now = _now()
        self._move(order_id, (CHECKING, SUBMITTING), "state = ?, chosen = ?, submitted_at = ?, updated_at = ?",
                   SUBMITTING, json.dumps(chosen), now, now)

    def mark_retry(self, order_id: str) -> None:
        """Back to pending after a trouble that came before any click."""
        self._move(order_id, (CHECKING,), "state = ?, updated_at = ?", PENDING, _now())

    def mark_final(self, order_id: str, state: JournalState, outcome: dict[str, Any]) -> None:
        assert state in FINAL, state
        now = _now()
        self._move(order_id, (CHECKING, SUBMITTING), "state = ?, outcome = ?, updated_at = ?, finished_at = ?",
                   state, json.dumps(outcome), now, now)

    # -- following what the store or the seller decides later -------------------------------
    def awaiting(self) -> list[Awaiting]:
        """Rows whose cancellation a seller or the store has yet to decide, oldest first."""
        marks = ", ".join("?" for _ in AWAITING)
        with self._lock:
            rows = self.db.execute("SELECT order_id, state, chosen, outcome, COALESCE(submitted_at, finished_at), "
                                   "request FROM orders WHERE store = ? AND account = ? AND state IN "
                                   f"({marks}) ORDER BY submitted_at, order_id", (*self._key(), *AWAITING)).fetchall()
        return [Awaiting(r[0], r[1], json.loads(r[2]) if r[2] else [], json.loads(r[3]) if r[3] else {},
                         datetime.fromisoformat(r[4]), json.loads(r[5])) for r in rows]

    def mark_decided(self, order_id: str, expected: str, state: JournalState, outcome: dict[str, Any],
                     message: str, mail: MailNote | None = None) -> None:
        """What the store or the seller decided, with the change and its time kept in `changes`
        (and the store's e-mail that says the same, if one does)."""
        now = _now()
        self._move(order_id, (expected,), "state = ?, outcome = ?, updated_at = ?, finished_at = ?", state,
                   json.dumps(outcome), now, now)
        self.note_change(order_id, expected, state, message, mail, now)

    def note_change(self, order_id: str, was: str, now_state: str, message: str, mail: MailNote | None = None,
                    at: str | None = None) -> None:
        self._write("INSERT INTO changes (store, account, order_id, at, from_state, to_state, message, mail_id, "
                    "mail_sent_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", *self._key(), order_id, at or _now(), was,
                    now_state, message, mail.message_id if mail else None, mail.sent_at if mail else None)

    # -- the store's e-mails ------------------------------------------------------------------
    def mails_settled(self) -> set[str]:
        """The Message-IDs of the mails already read and settled (not those to look at again)."""
        with self._lock:
            rows = self.db.execute("SELECT message_id FROM mails WHERE store = ? AND account = ? AND verdict != ?",
                                   (*self._key(), MAIL_NOT_SHOWN)).fetchall()
        return {row[0] for row in rows}

    def note_mail(self, mail: MailNote, order_id: str | None, kind: str, who: str | None, verdict: str) -> None:
        """A mail read, and what became of it (`not_shown`: read again by the next run)."""
        self._write("INSERT INTO mails VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (store, account, message_id) "
                    "DO UPDATE SET verdict = excluded.verdict, read_at = excluded.read_at", *self._key(),
                    mail.message_id, order_id, mail.sent_at, _now(), kind, who, verdict)

    # -- sweeps ------------------------------------------------------------------------------
    def first_seen(self, order_ids: list[str]) -> dict[str, datetime]:
        """When a sweep first saw each order (now, for those it never saw): the store shows only
        the day an order was placed, so this is the sweep's measure of an order's age."""
        now = _now()
        for order_id in order_ids:
            self._write("INSERT INTO seen VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING", *self._key(), order_id, now)
        with self._lock:
            rows = self.db.execute("SELECT order_id, first_seen_at FROM seen WHERE store = ? AND account = ?",
                                   self._key()).fetchall()
        return {order_id: datetime.fromisoformat(at) for order_id, at in rows if order_id in set(order_ids)}

    def unfinished(self) -> list[Entry]:
        """Rows a run left before their end (killed while checking or around its click)."""
        with self._lock:
            ids = [r[0] for r in self.db.execute("SELECT order_id FROM orders WHERE store = ? AND account = ? AND "
                                                 "state IN (?, ?, ?)", (*self._key(), PENDING, CHECKING,
                                                                         SUBMITTING)).fetchall()]
        return [entry for order_id in ids if (entry := self.get(order_id)) is not None]

    def mark_no_longer_matched(self, order_id: str, outcome: dict[str, Any]) -> None:
        """An unfinished row that never reached its click, which the rules no longer choose."""
        now = _now()
        changed = self._write("UPDATE orders SET state = ?, outcome = ?, updated_at = ?, finished_at = ? "
                              "WHERE store = ? AND account = ? AND order_id = ? AND state IN (?, ?) AND chosen IS NULL",
                              JournalState.NO_LONGER_MATCHED, json.dumps(outcome), now, now, *self._key(), order_id, PENDING,
                              CHECKING)
        if changed != 1:
            raise JournalConflict(f"the journal row of {order_id} is no longer pending or checking: another process "
                                  "changed the journal; nothing more was done for it")
