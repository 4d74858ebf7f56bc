"""`--report DIR` keeps every run: a folder per run that did something, `runs.jsonl` and
`index.html` listing every run newest first, `latest` the newest report. Through the CLI against
the mock store; the store's event log says what was pressed."""
from __future__ import annotations

import json
import os
import re
import shlex
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from tests.conftest import CliResult
from tests.store_api import StoreAdmin

Cli = Callable[..., CliResult]
RUN_FOLDER = re.compile(r"(\d{8}T\d{6}Z)-([0-9a-f]{12})")
SECRET = "hunter2-in-the-url"


def run_folders(reports: Path) -> list[str]:
    return sorted(p.name for p in reports.iterdir() if p.is_dir() and not p.is_symlink())


def runs_list(reports: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in (reports / "runs.jsonl").read_text().split("\n") if line]


def started_shown(folder: str) -> str:
    """The start a report shows in UTC, as its folder's name has it."""
    stamp = RUN_FOLDER.fullmatch(folder).group(1)  # type: ignore[union-attr]
    return f"{datetime.strptime(stamp, '%Y%m%dT%H%M%SZ'):%Y-%m-%d %H:%M:%S} UTC"


def test_two_batches_keep_two_reports_and_a_run_with_nothing_to_do_adds_only_its_line(
        store: StoreAdmin, cli: Cli, tmp_path: Path) -> None:
    kettle, teapot = store.add_order(["Kettle"]), store.add_order(["Teapot"])
    first, second = tmp_path / "first.csv", tmp_path / "second.csv"
    first.write_text(f"order_id\n{kettle.id}\n")
    second.write_text(f"order_id\n{teapot.id}\n")
    reports = tmp_path / "reports"

    one = cli("batch", str(first), "--report", str(reports), "--json", "--notify", f"json://me:{SECRET}@127.0.0.1:9/x")
    two = cli("batch", str(second), "--report", str(reports), "--json")
    again = cli("batch", str(second), "--report", str(reports), "--json")  # nothing left to do

    assert [r.exit_code for r in (one, two, again)] == [0, 0, 0], again.stderr[-2000:]
    assert sorted(e["order_id"] for e in store.events("cancel_received")) == sorted([kettle.id, teapot.id])
    older, newer = run_folders(reports)  # names sort by start: the first run's is the older
    assert [RUN_FOLDER.fullmatch(f).group(2) for f in (older, newer)] == [one.json["run_id"], two.json["run_id"]]  # type: ignore[union-attr]
    assert os.readlink(reports / "latest") == newer  # relative: the folder can move
    for folder, order in ((older, kettle), (newer, teapot)):
        kept = reports / folder
        assert {p.name for p in kept.iterdir()} == {"report.html", "results.json", "results.csv", "screens"}
        assert (kept / "screens" / f"{order.id}.jpg").is_file()

    listed = runs_list(reports)
    assert [r["run_id"] for r in listed] == [one.json["run_id"], two.json["run_id"], again.json["run_id"]]
    assert [r["folder"] for r in listed] == [older, newer, None] and listed[2]["earlier"] == 1
    index = (reports / "index.html").read_text()
    rows = re.findall(r"<tr data-kind=.*?</tr>", index, re.S)  # newest first
    assert len(rows) == 3 and f'href="{newer}/report.html"' in rows[1] and f'href="{older}/report.html"' in rows[2]
    assert "none: nothing clicked or changed" in rows[0] and "all from earlier runs" in rows[0]

    html = (reports / "latest" / "report.html").read_text()
    assert "<h1>Batch run " in html and started_shown(newer) in html and "local time" in html
    command = shlex.join(["ordercancel", "batch", str(second), "--report", str(reports), "--json"])
    assert f"<code class=command>{command}</code>" in html
    assert "--notify &#x27;json://…&#x27;" in (reports / older / "report.html").read_text()
    stored = json.loads((reports / older / "results.json").read_text())
    assert stored["kind"] == "batch" and stored["command"].endswith("--notify 'json://…'")
    everything = [p.read_text() for p in reports.rglob("*") if p.is_file() and p.suffix != ".jpg"]
    assert len(everything) == 8 and not [text for text in everything if SECRET in text]


RULES = """
[[rule]]
name = "mugs <b>"
action = "cancel"
reason = "mistake"
title = ["canary mug"]
"""


def test_a_sweep_report_names_each_rows_rule_and_a_follow_with_nothing_to_do_keeps_no_folder(
        store: StoreAdmin, cli: Cli, tmp_path: Path) -> None:
    mug = store.add_order(["Canary Mug"])
    (tmp_path / "rules.toml").write_text(RULES)
    reports = tmp_path / "reports"

    swept = cli("sweep", "--rules", str(tmp_path / "rules.toml"), "--report", str(reports), "--json")
    followed = cli("follow", "--report", str(reports))

    assert swept.exit_code == 0 and followed.exit_code == 0, followed.stderr[-2000:]
    assert followed.stdout.startswith("nothing to follow") and "report: none, nothing was done" in followed.stdout
    (folder,) = run_folders(reports)
    assert [r["folder"] for r in runs_list(reports)] == [folder, None]
    html = (reports / "latest" / "report.html").read_text()
    assert "<h1>Sweep run " in html and started_shown(folder) in html
    assert "<th>rule</th>" in html and "<th>line</th>" not in html
    (row,) = re.findall(rf"<tr data-outcome=\"would_cancel\"><td class=order>{mug.id}.*?</tr>", html, re.S)
    assert "<td class=rule>mugs &lt;b&gt;</td>" in row  # the rule's own name, escaped like any text
    assert store.events("cancel_received") == []


def test_a_report_that_cannot_be_written_leaves_the_runs_outcome_standing_in_one_line(
        store: StoreAdmin, cli: Cli, tmp_path: Path) -> None:
    order = store.add_order(["Kettle"])
    rows = tmp_path / "orders.csv"
    rows.write_text(f"order_id\n{order.id}\n")
    reports = tmp_path / "reports"
    (reports / "index.html").mkdir(parents=True)  # a full disk, or a folder where the index goes

    result = cli("batch", str(rows), "--report", str(reports))

    assert result.exit_code == 0 and "Traceback" not in result.stderr, result.stderr[-2000:]
    assert result.stdout.startswith(f"{order.id}  cancelled")
    (said,) = [line for line in result.stderr.splitlines() if "report could not be written" in line]
    assert said.startswith(f"the report could not be written in {reports}: ")
    assert store.order(order.id).statuses() == {"cancelled"}
