"""Trouble once a run has started (a journal changed under it after a click, a browser that will not
start) is not "nothing was done": the run records it and writes its summary and report."""
from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from tests.conftest import CliResult
from tests.store_api import StoreAdmin

Cli = Callable[..., CliResult]


def test_a_row_changed_under_the_run_after_its_click_ends_failed_and_the_run_still_reports(
        store: StoreAdmin, cli_env: dict[str, str], tmp_path: Path) -> None:
    first, second = store.add_order(["Kettle"]), store.add_order(["Teapot"])
    batch = tmp_path / "orders.csv"
    batch.write_text(f"order_id,items,reason,note\n{first.id},,,\n{second.id},,,\n")
    journal = tmp_path / "journal.sqlite"
    store.faults(latency_ms=[300, 300])  # time to change the row between its click and its end
    run = subprocess.Popen([sys.executable, "-m", "automation.cli", "batch", str(batch), "--json", "--journal",
                            str(journal), "--report", str(tmp_path / "report")], cwd=tmp_path, env=cli_env,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert run.stderr is not None
    for line in run.stderr:  # logged once the row is committed `submitting`, before the click
        if '"submitting"' in line and first.id in line:
            with sqlite3.connect(journal, timeout=10) as db:  # another process rewrites the row
                db.execute("UPDATE orders SET state = 'pending' WHERE order_id = ?", (first.id,))
            break
    rest = run.stderr.read()
    stdout = run.stdout.read() if run.stdout else ""
    result = CliResult(run.wait(timeout=120), stdout, rest)

    assert result.exit_code == 1, rest[-2000:]
    states = {o["order_id"]: (o["state"], o["message"]) for o in result.json["orders"]}
    assert states[second.id][0] == "cancelled"
    assert states[first.id][0] == "failed" and "another process changed the journal" in states[first.id][1]
    assert "nothing was done" not in stdout + rest
    report = json.loads((tmp_path / "report" / "latest" / "results.json").read_text())
    assert {o["order_id"]: o["state"] for o in report["orders"]} == {first.id: "failed", second.id: "cancelled"}
    with sqlite3.connect(journal) as db:  # the run wrote nothing more to the row it no longer owns
        assert db.execute("SELECT state FROM orders WHERE order_id = ?", (first.id,)).fetchone() == ("pending",)
    assert store.order(first.id).state == "cancelled"  # its click happened: the store took it, once
    assert sorted(e["order_id"] for e in store.events("cancel_received")) == sorted([first.id, second.id])


def test_a_browser_that_cannot_start_stops_a_batch_with_its_summary_and_report(store: StoreAdmin, cli: Cli,
                                                                             tmp_path: Path) -> None:
    order = store.add_order(["Kettle"])
    batch = tmp_path / "orders.csv"
    batch.write_text(f"order_id,items,reason,note\n{order.id},,,\n")

    result = cli("batch", str(batch), "--json", "--report", str(tmp_path / "report"),
                 env={"ORDERCANCEL_BROWSER_EXECUTABLE": str(tmp_path / "no-such-browser")})

    assert result.exit_code == 1, result.stderr[-2000:]
    assert result.json["aborted"]["outcome"] == "error"
    assert "the browser could not start" in result.json["aborted"]["message"]
    assert json.loads((tmp_path / "report" / "latest" / "results.json").read_text())["aborted"]["outcome"] == "error"
    assert store.events("cancel_received") == []
