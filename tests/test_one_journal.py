"""One journal for every command: single cancels take their turns on it (the store's event log is the
judge of how many presses happened), and a journal written by an earlier version opens upgraded."""
from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

from mock_store import seed
from tests.conftest import CliResult
from tests.store_api import StoreAdmin

Cli = Callable[..., CliResult]


def presses(store: StoreAdmin, order_id: str) -> int:
    return sum(1 for e in store.events("cancel_received") if e["order_id"] == order_id)


def start(cli_env: dict[str, str], tmp_path: Path, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "automation.cli", *args], cwd=tmp_path, env=cli_env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_two_cancels_of_one_order_started_together_press_once(store: StoreAdmin, cli_env: dict[str, str],
                                                              tmp_path: Path) -> None:
    order = store.add_order(["Desk Lamp"])
    runs = [start(cli_env, tmp_path, "cancel", order.id, "--json") for _ in range(2)]
    answers = [run.communicate(timeout=120) for run in runs]

    assert [run.returncode for run in runs] == [0, 0], [err[-2000:] for _, err in answers]
    assert sorted(json.loads(out)["outcome"] for out, _ in answers) == ["already_cancelled", "cancelled"]
    assert presses(store, order.id) == 1 and store.order(order.id).statuses() == {"cancelled"}


def test_a_cancel_waits_for_a_batch_holding_the_journal_then_runs(store: StoreAdmin, cli: Cli,
                                                                  cli_env: dict[str, str], tmp_path: Path) -> None:
    from automation.runs.journal import Journal

    order = store.add_order(["Desk Fan"])
    path = tmp_path / "state" / "journal.sqlite"
    batch = Journal(path, urlsplit(store.url).hostname or "", seed.DEMO_EMAIL, "batch", "thebatch1")  # holds it
    try:
        impatient = cli("cancel", order.id, "--wait", "0")
        waiting = start(cli_env, tmp_path, "cancel", order.id, "--json")
        assert waiting.stderr is not None
        for line in waiting.stderr:  # it says why it waits, then waits
            if '"journal_busy"' in line:
                break
        assert not store.events("cancel_received")
    finally:
        batch.close()
    out, err = waiting.communicate(timeout=120)

    assert impatient.exit_code == 2 and len(impatient.stderr.splitlines()) == 1
    assert impatient.stderr.startswith(f"error: another batch run is using the journal {path} (run thebatch1, pid ")
    assert waiting.returncode == 0, err[-2000:]
    assert json.loads(out)["outcome"] == "cancelled" and presses(store, order.id) == 1


# The journal as the first versions wrote it (PRAGMA user_version 0), copied from them.
FIRST_SCHEMA = """
CREATE TABLE orders (store TEXT NOT NULL, account TEXT NOT NULL, order_id TEXT NOT NULL, state TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0, request TEXT NOT NULL, chosen TEXT, outcome TEXT, run_id TEXT,
    created_at TEXT NOT NULL, updated_at TEXT NOT NULL, submitted_at TEXT, finished_at TEXT,
    PRIMARY KEY (store, account, order_id));
CREATE TABLE rejected_rows (run_id TEXT NOT NULL, line INTEGER NOT NULL, raw TEXT NOT NULL, error TEXT NOT NULL);
CREATE TABLE changes (store TEXT NOT NULL, account TEXT NOT NULL, order_id TEXT NOT NULL, at TEXT NOT NULL,
    from_state TEXT NOT NULL, to_state TEXT NOT NULL, message TEXT);
CREATE TABLE seen (store TEXT NOT NULL, account TEXT NOT NULL, order_id TEXT NOT NULL, first_seen_at TEXT NOT NULL,
    PRIMARY KEY (store, account, order_id));
CREATE TABLE runs (run_id TEXT PRIMARY KEY, source TEXT, started_at TEXT NOT NULL, finished_at TEXT, summary TEXT);
"""
HOST, ACCOUNT = "www.amazon.com", "a@example.com"
KETTLE = '[{"item_id": "k1", "product": "B0KETTLE01", "product_id": "B0KETTLE01", "title": "Kettle", ' \
         '"cancelled_before": 0}]'


def at(minute: int) -> str:
    return f"2025-06-01T12:{minute:02d}:00.000+00:00"


def first_version_journal(path: Path) -> None:
    """A batch row cancelled, a sweep row `follow` took from pending to cancelled, a batch row a
    killed run left submitting, and one still pending a decision."""
    def row(order_id: str, state: str, request: str, run: str, minutes: tuple[int, int, int],
            outcome: dict[str, object] | None) -> tuple[object, ...]:
        created, submitted, finished = minutes
        return (HOST, ACCOUNT, order_id, state, 1, request, KETTLE, json.dumps(outcome) if outcome else None, run,
                at(created), at(finished), at(submitted), at(finished) if outcome else None)

    with sqlite3.connect(path) as db:
        db.executescript(FIRST_SCHEMA)
        db.executemany("INSERT INTO orders VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", [
            row("113-0000001-0000001", "cancelled", '{"line": 2, "items": []}', "batch1", (0, 1, 2),
                {"outcome": "cancelled", "message": "cancelled 1 item(s): Kettle", "artifacts": []}),
            row("113-0000002-0000002", "cancelled", '{"line": 0, "items": [], "rule": "duplicates"}', "sweep1",
                (3, 4, 30), {"outcome": "cancelled", "message": "The store cancelled 1 item(s)"}),
            row("113-0000003-0000003", "submitting", '{"line": 3, "items": []}', "batch2", (10, 11, 11), None),
            row("113-0000004-0000004", "decision_pending", '{"line": 4, "items": []}', "batch2", (12, 13, 14),
                {"outcome": "pending", "message": "the store is attempting to cancel Kettle",
                 "artifacts": ["/art/113-0000004-0000004-error.png"]})])
        db.execute("INSERT INTO changes VALUES (?, ?, ?, ?, ?, ?, ?)", (HOST, ACCOUNT, "113-0000002-0000002", at(30),
                   "decision_pending", "cancelled", "The store cancelled 1 item(s)"))
        db.execute("INSERT INTO seen VALUES (?, ?, ?, ?)", (HOST, ACCOUNT, "113-0000002-0000002", at(0)))
        db.execute("INSERT INTO runs VALUES ('sweep1', 'sweep rules.toml', ?, ?, '{}')", (at(3), at(5)))


def test_a_journal_of_the_first_version_opens_upgraded_in_place(cli: Cli, tmp_path: Path) -> None:
    from automation.runs.journal import Journal

    path = tmp_path / "old.sqlite"
    first_version_journal(path)
    path.chmod(0o600)

    shown = cli("history", "--journal", str(path), "--json")

    assert shown.exit_code == 0, shown.stderr[-2000:]
    assert [e["version"] for e in shown.logs if e.get("event") == "journal_upgraded"] == [1]
    orders = {o["order_id"]: o for o in shown.json["orders"]}
    assert list(orders) == ["113-0000002-0000002", "113-0000004-0000004", "113-0000003-0000003",
                            "113-0000001-0000001"]  # newest first
    changes = {o: [(c["at"][11:16], c["from"], c["to"], c["command"], c["rule"]) for c in orders[o]["changes"]]
               for o in orders}
    assert changes == {
        "113-0000001-0000001": [("12:02", "submitting", "cancelled", "batch", None)],
        # the journal's decision_pending is shown as pending, the outcome's name, as everywhere
        "113-0000002-0000002": [("12:04", "submitting", "pending", "sweep", "duplicates"),
                                ("12:30", "pending", "cancelled", "follow", "duplicates")],
        "113-0000003-0000003": [],  # a press that may have happened, with no outcome yet
        "113-0000004-0000004": [("12:14", "submitting", "pending", "batch", None)]}
    assert orders["113-0000004-0000004"]["changes"][0]["evidence"] == ["/art/113-0000004-0000004-error.png"]
    assert orders["113-0000003-0000003"]["state"] == "submitting"

    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA user_version").fetchone() == (2,)
        assert "store_host" in {r[1] for r in db.execute("PRAGMA table_info(orders)")}
        assert db.execute("SELECT count(*) FROM seen WHERE store_host = ?", (HOST,)).fetchone() == (1,)
    journal = Journal(path, HOST, ACCOUNT)  # opened again: upgraded once; what the runs read still holds
    try:
        assert journal.db.execute("SELECT count(*) FROM changes").fetchone() == (4,)
        assert [a.order_id for a in journal.awaiting()] == ["113-0000004-0000004"]
        assert journal.get("113-0000003-0000003").may_have_clicked  # type: ignore[union-attr]
    finally:
        journal.close()

    with sqlite3.connect(path) as db:
        db.execute("PRAGMA user_version = 9")  # as a later version of the tool would leave it
    newer = cli("history", "--journal", str(path))
    assert newer.exit_code == 2 and "written by a later version of ordercancel" in newer.stderr


def test_a_batch_asking_for_other_items_of_an_order_cancelled_before_is_a_new_instruction(
        store: StoreAdmin, cli: Cli, tmp_path: Path) -> None:
    order = store.add_order(["Teapot", "Kettle"])
    assert cli("cancel", order.id, "--item", "Teapot", "--json").json["outcome"] == "cancelled"
    batch = tmp_path / "orders.csv"
    batch.write_text(f"order_id;items\n{order.id};Kettle\n")  # a spreadsheet's, days later

    first = cli("batch", str(batch), "--json").json
    again = cli("batch", str(batch), "--json").json

    (row,) = first["orders"]
    assert (row["state"], row["skipped"]) == ("cancelled", False), row  # not the Teapot's "earlier run"
    assert store.order(order.id).statuses() == {"cancelled"} and presses(store, order.id) == 2
    (same,) = again["orders"]
    assert same["skipped"] is True and presses(store, order.id) == 2  # the same instruction is not a new one
