"""The journal's one lock: an flock on the database file, released by the kernel when its holder
dies. A run that finds it held waits for it up to a limit (polling, with a deadline), then stops
naming the run that holds it, as that run wrote itself into the journal's `holder` table."""
from __future__ import annotations

import fcntl
import sqlite3
import time
import urllib.parse
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from automation.errors import JournalBusy
from automation.logs import get_logger

POLL_S = 0.2  # between two tries of a held lock: not a page wait, a lock's


@dataclass(frozen=True)
class Holder:
    """The run that holds the journal's lock, as it said when it took it."""
    command: str | None
    run_id: str | None
    pid: int | None
    since: str

    def __str__(self) -> str:
        started = datetime.fromisoformat(self.since).strftime("%H:%M:%S UTC")
        return ", ".join([*([f"run {self.run_id}"] if self.run_id else []), *([f"pid {self.pid}"] if self.pid else []),
                          f"since {started}"])


def holder_of(path: Path) -> Holder | None:
    """Who holds the journal, read without its lock (SQLite lets a reader in beside a writer);
    None when that cannot be told (a journal of an earlier version, a run that has just started)."""
    try:
        db = sqlite3.connect(f"file:{urllib.parse.quote(str(path))}?mode=ro", uri=True, timeout=1)
        try:
            row = db.execute("SELECT command, run_id, pid, since FROM holder").fetchone()
        finally:
            db.close()
        return Holder(*row) if row else None
    except (sqlite3.Error, ValueError):
        return None


def busy(path: Path, holder: Holder | None, waited_s: float) -> JournalBusy:
    who = f"another {holder.command} run" if holder and holder.command else "another run"
    about = f" ({holder})" if holder else ""
    then = f"; waited {waited_s:g} s for it (--wait)" if waited_s else "; wait for it to finish"
    return JournalBusy(f"{who} is using the journal {path}{about}{then}")


def take(fd: int, path: Path, wait_s: float) -> None:
    """The lock on the open journal `fd`, now or within `wait_s` seconds; else JournalBusy."""
    deadline = time.monotonic() + wait_s
    told = False
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            if time.monotonic() >= deadline:
                raise busy(path, holder_of(path), wait_s) from None
        if not told:  # once: a person (or a scheduler's log) sees why nothing happens yet
            holder = holder_of(path)
            get_logger().info("journal_busy", journal=str(path), waiting_s=wait_s,
                              held_by=holder.command if holder else None, holder=str(holder) if holder else None)
            told = True
        time.sleep(POLL_S)
