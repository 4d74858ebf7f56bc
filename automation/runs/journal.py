"""The journal of every submit, whichever command makes it (cancel, batch, sweep, follow): a SQLite
file (WAL) with one row per (store host, account, order number), and each outcome change in `changes`.

Every transition is committed before the next step; `submitting` is committed before the click
that cancels, so a run killed at any moment leaves a row that says whether a click may have
happened. One run at a time holds the journal's lock (`journal_lock`), so an order is never in
flight in two runs, and every transition is a compare-and-set on the row's state. A journal of an
earlier version is upgraded when it is opened (`journal_schema`)."""
from __future__ import annotations

import enum
import json
import os
import sqlite3
import threading
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
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
from automation.language import _
from automation.logs import get_logger
from automation.order.outcome import Outcome
from automation.runs import journal_lock, journal_schema
from automation.runs.journal_mail import MailNote, MailRecords
from automation.runs.journal_mail import now as _now


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
    NOT_CONFIRMED = "not_confirmed"  # a person at the terminal answered no: nothing was submitted


PENDING, CHECKING, SUBMITTING = JournalState.PENDING, JournalState.CHECKING, JournalState.SUBMITTING
FINAL = (JournalState.CANCELLED, JournalState.CANCELLATION_REQUESTED, JournalState.DECISION_PENDING,
         JournalState.ALREADY_CANCELLED, JournalState.NOT_CANCELLABLE, JournalState.NOT_FOUND, JournalState.INVALID,
         JournalState.NEEDS_HUMAN, JournalState.FAILED, JournalState.NO_LONGER_MATCHED, JournalState.NOT_CONFIRMED)
# Final for a batch, but not yet decided by the store or the seller: `follow` reads them.
AWAITING = (JournalState.CANCELLATION_REQUESTED, JournalState.DECISION_PENDING)
# Final for this run, but taken again by the next: they are the rows that need another go (a row
# the rules no longer chose is taken again only if they choose it again).
RETAKEN = (JournalState.INVALID, JournalState.NEEDS_HUMAN, JournalState.FAILED, JournalState.NO_LONGER_MATCHED,
           JournalState.NOT_CONFIRMED)


def shown_state(state: str) -> str:
    """The name a row's state goes by wherever it is shown (summaries, JSON, reports, logs): a
    cancellation the store decides later is `pending`, the outcome's own name, one name everywhere.
    The journal's column keeps `decision_pending` for it, as every journal written so far does,
    because there `pending` already names a row queued for work; old rows read as new ones."""
    return Outcome.PENDING.value if state == JournalState.DECISION_PENDING else state


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
class Awaiting:
    """A row waiting for a decision: what was ticked, the last outcome, and since when."""
    order_id: str
    state: str
    chosen: list[dict[str, Any]]
    outcome: dict[str, Any]
    since: datetime
    request: dict[str, Any]


def judge_sidecars(path: Path) -> None:
    """SQLite's own files beside the journal (its write-ahead log, its shared memory, a rollback
    journal) are the journal too: each must be this user's and writable by no one else."""
    for suffix in ("-wal", "-shm", "-journal"):
        sidecar = Path(f"{path}{suffix}")
        try:
            info = sidecar.lstat()
        except FileNotFoundError:
            continue
        judge_private_file(info, sidecar, f"journal's {suffix[1:]} file")
        os.chmod(sidecar, 0o600)  # judged a regular file of ours a moment ago


def read_only(given: Path) -> sqlite3.Connection:
    """The journal opened to read while another run holds it (SQLite lets readers in beside its
    writer), judged as `Journal` judges it; it must be of this version (the holder upgraded it)."""
    try:
        path = follow_trusted_links(given, "journal")
        judge_private_file(path.lstat(), path, "journal")
        judge_sidecars(path)
        db = sqlite3.connect(f"file:{urllib.parse.quote(str(path))}?mode=ro", uri=True, timeout=10)
        version = db.execute("PRAGMA user_version").fetchone()[0]
    except (UnsafeFile, OSError, sqlite3.Error) as exc:
        raise JournalUnusable(str(exc) if isinstance(exc, UnsafeFile) else f"cannot read the journal {given}: {exc}") \
            from None
    if version != journal_schema.VERSION:
        db.close()
        raise JournalUnusable(f"the journal {given} is in use by a run of another version of ordercancel; try again "
                              "when it has finished")
    return db


class Journal(MailRecords):
    """One store account's rows in the journal file, held (locked) from opening to `close`. The
    command (cancel, batch, sweep, follow) and run that opened it are written with every row and
    change they make; a journal held by another run is waited for up to `wait_s` seconds."""

    def __init__(self, path: Path, store_host: str, account: str, command: str | None = None,
                 run_id: str | None = None, wait_s: float = 0.0) -> None:
        self.store_host = store_host
        self.account = account
        self.command = command
        self.run_id = run_id
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
            journal_lock.take(self._lock_fd, self.path, wait_s)
        except JournalBusy:
            self.close()
            raise
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
            if (was := journal_schema.upgrade(self.db)) is not None:
                get_logger().info("journal_upgraded", journal=str(self.path), version=was,
                                  to_version=journal_schema.VERSION)
            self.db.execute("INSERT OR REPLACE INTO holder (id, command, run_id, pid, since) VALUES (1, ?, ?, ?, ?)",
                            (self.command, self.run_id, os.getpid(), _now()))
        except (sqlite3.DatabaseError, OSError) as exc:
            self.close()
            raise JournalUnusable(f"{given} is not a usable journal: {exc}") from None
        except (UnsafeFile, journal_schema.TooNew) as exc:
            self.close()
            raise JournalUnusable(f"cannot use the journal {given}: {exc}" if isinstance(exc, journal_schema.TooNew)
                                  else str(exc)) from None

    def _judge_sidecars(self) -> None:
        judge_sidecars(self.path)

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

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        """Several statements committed as one (a transition and its line in `changes`)."""
        with self._lock:
            self.db.execute("BEGIN IMMEDIATE")
            try:
                yield self.db
            except BaseException:
                self.db.execute("ROLLBACK")
                raise
            self.db.execute("COMMIT")

    def _move(self, order_id: str, expected: tuple[str, ...], sets: str, *args: Any,
              outcome: dict[str, Any] | None = None, message: str | None = None, only_if: str = "1",
              mail: MailNote | None = None) -> None:
        """A compare-and-set transition: the row must be in one of the expected states. With an
        outcome (or a message), the change is kept in `changes`, with its time, in the same commit."""
        marks = ", ".join("?" for _ in expected)
        key = (*self._key(), order_id)
        with self._transaction() as db:
            before = db.execute("SELECT state FROM orders WHERE store_host = ? AND account = ? AND order_id = ?",
                                key).fetchone()
            changed = db.execute(f"UPDATE orders SET {sets} WHERE store_host = ? AND account = ? AND order_id = ? "
                                 f"AND state IN ({marks}) AND {only_if}", (*args, *key, *expected)).rowcount
            if changed == 1 and (outcome is not None or message is not None):
                self._keep_change(db, order_id, before[0], outcome or {}, message, mail)
        if changed != 1:
            raise JournalConflict(f"the journal row of {order_id} is no longer {' or '.join(expected)}: another "
                                  "process changed the journal; nothing more was done for it")

    def _keep_change(self, db: sqlite3.Connection, order_id: str, was: str, outcome: dict[str, Any],
                     message: str | None, mail: MailNote | None = None) -> None:
        """The row's new state as a line in `changes`: when, from what, by which command, run and rule,
        and the evidence saved for it."""
        evidence = [str(path) for path in outcome.get("artifacts") or []]
        db.execute("INSERT INTO changes (store_host, account, order_id, at, from_state, to_state, message, command, "
                   "run_id, rule, evidence, mail_id, mail_sent_at) SELECT store_host, account, order_id, updated_at, "
                   "?, state, ?, ?, COALESCE(?, run_id), rule, ?, ?, ? FROM orders WHERE store_host = ? AND "
                   "account = ? AND order_id = ?",
                   (was, message if message is not None else outcome.get("message"), self.command, self.run_id,
                    json.dumps(evidence) if evidence else None, mail.message_id if mail else None,
                    mail.sent_at if mail else None, *self._key(), order_id))

    def _key(self) -> tuple[str, str]:
        return (self.store_host, self.account)

    # -- runs -------------------------------------------------------------------------------
    def start_run(self, run_id: str, source: str, report: Path | None = None) -> None:
        self._write("INSERT INTO runs (run_id, source, started_at, command, report) VALUES (?, ?, ?, ?, ?)", run_id,
                    source, _now(), self.command, str(report) if report else None)

    def finish_run(self, run_id: str, summary: dict[str, Any]) -> None:
        self._write("UPDATE runs SET finished_at = ?, summary = ? WHERE run_id = ?", _now(), json.dumps(summary), run_id)

    def reject_row(self, run_id: str, line: int, raw: str, error: str) -> None:
        self._write("INSERT INTO rejected_rows VALUES (?, ?, ?, ?)", run_id, line, raw, error)

    # -- orders -----------------------------------------------------------------------------
    def get(self, order_id: str) -> Entry | None:
        with self._lock:
            row = self.db.execute("SELECT order_id, state, attempts, request, chosen, outcome FROM orders "
                                  "WHERE store_host = ? AND account = ? AND order_id = ?", (*self._key(), order_id)).fetchone()
        if row is None:
            return None
        return Entry(row[0], row[1], row[2], json.loads(row[3]), json.loads(row[4]) if row[4] else None,
                     json.loads(row[5]) if row[5] else None)

    def enqueue(self, order_id: str, request: dict[str, Any], run_id: str, redo: bool) -> Entry:
        """Add the order as pending, or keep what an earlier run found (unless redo)."""
        existing = self.get(order_id)
        now = _now()
        given = (json.dumps(request), run_id, self.command, request.get("rule"))  # the instruction, and who gave it
        if existing is None:
            self._write("INSERT INTO orders (store_host, account, order_id, state, request, run_id, command, rule, "
                        "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", *self._key(), order_id,
                        PENDING, *given, now, now)
        elif redo and existing.finished:  # a new instruction: forget the earlier click
            self._move(order_id, (existing.state,), "state = ?, request = ?, run_id = ?, command = ?, rule = ?, "
                       "outcome = NULL, chosen = NULL, updated_at = ?", PENDING, *given, now)
        elif existing.state in RETAKEN or existing.state in (PENDING, CHECKING):
            # another go (a run that died while checking never clicked); an earlier click (chosen) is remembered
            self._move(order_id, (existing.state,), "state = ?, request = ?, run_id = ?, command = ?, rule = ?, "
                       "outcome = NULL, updated_at = ?", PENDING, *given, now)
        entry = self.get(order_id)
        assert entry is not None
        return entry

    def mark_invalid(self, order_id: str, request: dict[str, Any], outcome: dict[str, Any], run_id: str) -> None:
        """Record an invalid instruction; what an earlier run did stands, and a row that may have
        been clicked (submitting) is never overwritten."""
        now = _now()
        overwritable = (PENDING, CHECKING, *RETAKEN)
        with self._transaction() as db:
            before = db.execute("SELECT state FROM orders WHERE store_host = ? AND account = ? AND order_id = ?",
                                (*self._key(), order_id)).fetchone()
            changed = db.execute(
                "INSERT INTO orders (store_host, account, order_id, state, request, outcome, run_id, command, rule, "
                "created_at, updated_at, finished_at) VALUES (?, ?, ?, 'invalid', ?, ?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (store_host, account, order_id) DO UPDATE SET state = 'invalid', "
                "request = excluded.request, outcome = excluded.outcome, run_id = excluded.run_id, "
                "command = excluded.command, rule = excluded.rule, updated_at = excluded.updated_at, "
                f"finished_at = excluded.finished_at WHERE orders.state IN ({', '.join('?' for _ in overwritable)})",
                (*self._key(), order_id, json.dumps(request), json.dumps(outcome), run_id, self.command,
                 request.get("rule"), now, now, now, *overwritable)).rowcount
            if changed == 1:
                self._keep_change(db, order_id, before[0] if before else "", outcome, None)

    def mark_checking(self, order_id: str, run_id: str) -> None:
        self._move(order_id, (PENDING,), "state = ?, attempts = attempts + 1, run_id = ?, updated_at = ?",
                   CHECKING, run_id, _now())

    def mark_submitting(self, order_id: str, chosen: list[dict[str, Any]]) -> None:
        """The intent, committed before the click: the lines about to be ticked, kept in `changes` too."""
        now = _now()
        ticked = ", ".join(str(line.get("title")) for line in chosen)
        self._move(order_id, (CHECKING, SUBMITTING), "state = ?, chosen = ?, submitted_at = ?, updated_at = ?",
                   SUBMITTING, json.dumps(chosen), now, now,
                   message=_("about to press 'Request cancellation' for {items}").format(items=ticked or _("the order")))

    def mark_retry(self, order_id: str) -> None:
        """Back to pending after a trouble that came before any click."""
        self._move(order_id, (CHECKING,), "state = ?, updated_at = ?", PENDING, _now())

    def mark_final(self, order_id: str, state: JournalState, outcome: dict[str, Any]) -> None:
        assert state in FINAL, state
        now = _now()
        self._move(order_id, (CHECKING, SUBMITTING), "state = ?, outcome = ?, updated_at = ?, finished_at = ?",
                   state, json.dumps(outcome), now, now, outcome=outcome)

    # -- following what the store or the seller decides later -------------------------------
    def awaiting(self) -> list[Awaiting]:
        """Rows whose cancellation a seller or the store has yet to decide, oldest first."""
        marks = ", ".join("?" for _ in AWAITING)
        with self._lock:
            rows = self.db.execute("SELECT order_id, state, chosen, outcome, COALESCE(submitted_at, finished_at), "
                                   "request FROM orders WHERE store_host = ? AND account = ? AND state IN "
                                   f"({marks}) ORDER BY submitted_at, order_id", (*self._key(), *AWAITING)).fetchall()
        return [Awaiting(r[0], r[1], json.loads(r[2]) if r[2] else [], json.loads(r[3]) if r[3] else {},
                         datetime.fromisoformat(r[4]), json.loads(r[5])) for r in rows]

    def mark_decided(self, order_id: str, expected: str, state: JournalState, outcome: dict[str, Any],
                     message: str, mail: MailNote | None = None) -> None:
        """What the store or the seller decided, with the change and its time kept in `changes`
        (and the store's e-mail that says the same, if one does)."""
        now = _now()
        self._move(order_id, (expected,), "state = ?, outcome = ?, updated_at = ?, finished_at = ?", state,
                   json.dumps(outcome), now, now, outcome=outcome, message=message, mail=mail)

    # -- sweeps ------------------------------------------------------------------------------
    def first_seen(self, order_ids: list[str]) -> dict[str, datetime]:
        """When a sweep first saw each order (now, for those it never saw): the store shows only
        the day an order was placed, so this is the sweep's measure of an order's age."""
        now = _now()
        for order_id in order_ids:
            self._write("INSERT INTO seen (store_host, account, order_id, first_seen_at) VALUES (?, ?, ?, ?) "
                        "ON CONFLICT DO NOTHING", *self._key(), order_id, now)
        with self._lock:
            rows = self.db.execute("SELECT order_id, first_seen_at FROM seen WHERE store_host = ? AND account = ?",
                                   self._key()).fetchall()
        return {order_id: datetime.fromisoformat(at) for order_id, at in rows if order_id in set(order_ids)}

    def unfinished(self) -> list[Entry]:
        """Rows a run left before their end (killed while checking or around its click)."""
        with self._lock:
            ids = [r[0] for r in self.db.execute("SELECT order_id FROM orders WHERE store_host = ? AND account = ? AND "
                                                 "state IN (?, ?, ?)", (*self._key(), PENDING, CHECKING,
                                                                         SUBMITTING)).fetchall()]
        return [entry for order_id in ids if (entry := self.get(order_id)) is not None]

    def mark_no_longer_matched(self, order_id: str, outcome: dict[str, Any]) -> None:
        """An unfinished row that never reached its click, which the rules no longer choose."""
        now = _now()
        self._move(order_id, (PENDING, CHECKING), "state = ?, outcome = ?, updated_at = ?, finished_at = ?",
                   JournalState.NO_LONGER_MATCHED, json.dumps(outcome), now, now, outcome=outcome,
                   only_if="chosen IS NULL")
