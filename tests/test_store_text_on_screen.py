"""A store's text is data on a person's screen: an item title or a status holding terminal escapes
(ESC, C1), bidi overrides, a bell or rich markup is shown escaped, never obeyed, in every command's
output, on a terminal and without one, in log lines and in the report."""
from __future__ import annotations

import csv
import json
from collections.abc import Callable
from pathlib import Path

from tests.conftest import CliResult
from tests.store_api import AdminOrder, StoreAdmin
from tests.terminal import on_terminal

Cli = Callable[..., CliResult]
# what a hostile store may put in a title: colour, a C1 "clear screen", markup, a right-to-left
# override (which would show "EVIL" as "LIVE"), a bell
HOSTILE = "Kettle \x1b[31mRED\x1b[0m \x9b2J [bold red]x[/] \u202eLIVE\u202c \x07"
SHOWN = r"Kettle \x1b[31mRED\x1b[0m \x9b2J [bold red]x[/] \u202eLIVE\u202c \x07"  # what a person reads
RAW = ["\x1b[31mRED", "\x9b", "\u202e", "\u202c", "\x07"]


def hostile_order(store: StoreAdmin, **extra: str) -> AdminOrder:
    return store.add_order([{"title": "Teapot", "price": "5.00"}, {"title": HOSTILE, "price": "10.00"}], **extra)


def item_line(stdout: str) -> str:
    """The hostile item's line, whole: its title shown escaped at the end of one line."""
    (line,) = [line.strip() for line in stdout.splitlines() if line.endswith(f"$10.00  {SHOWN}")]
    return line


def assert_nothing_raw(*outputs: str) -> None:
    for output in outputs:
        assert not [raw for raw in RAW if raw in output], output


def test_without_a_terminal_no_store_control_reaches_stdout_or_stderr(store: StoreAdmin, cli: Cli,
                                                                      tmp_path: Path) -> None:
    order = hostile_order(store, status_text=HOSTILE)
    listed = cli("--log-format", "console", "orders", "--filter", "open")
    checked = cli("--log-format", "console", "check", order.id)
    as_json = cli("check", order.id, "--json")
    cancelled = cli("cancel", order.id, "--item", "Kettle")
    for result in (listed, checked, as_json, cancelled):
        assert result.exit_code == 0, result.stderr[-2000:]
        assert "\x1b" not in result.stdout + result.stderr  # no terminal: no escape at all, the tool's or the store's
        assert_nothing_raw(result.stdout, result.stderr)
    assert f"{order.id}  cancellable" in listed.stdout and SHOWN in listed.stdout
    assert f"  state: cancellable ({SHOWN})" in checked.stdout and item_line(checked.stdout).startswith("ordered  x1 ")
    assert as_json.json["items"][1]["title"] == HOSTILE  # JSON carries the title exactly, escaped as JSON does
    assert "\\u001b[31mRED" in as_json.stdout and "\\u202e" in as_json.stdout
    assert item_line(cancelled.stdout).startswith("* cancelled now  x1 ")
    assert store.order(order.id).item("Kettle")["status"] == "cancelled"

    fresh = hostile_order(store)
    batch = tmp_path / "orders.csv"
    batch.write_text(f"order_id,items\n{fresh.id},Kettle\n")
    done = cli("--log-format", "console", "batch", str(batch), "--report", str(tmp_path / "report"))
    assert done.exit_code == 0, done.stderr[-2000:]
    assert "\x1b" not in done.stdout + done.stderr
    assert done.stdout.startswith(f"{fresh.id}  cancelled  ") and f"cancelled 1 item: {SHOWN}" in done.stdout
    kept = tmp_path / "report" / "latest"
    report = (kept / "report.html").read_text()
    rows = list(csv.DictReader((kept / "results.csv").open()))
    assert_nothing_raw(report, json.dumps(rows), (kept / "results.json").read_text())
    assert "Kettle \\x1b[31mRED" in report  # shown escaped in the page too
    stored = json.loads((kept / "results.json").read_text())
    assert HOSTILE in [item["title"] for item in stored["orders"][0]["items"]]


def test_on_a_terminal_store_text_is_shown_escaped_and_never_obeyed(store: StoreAdmin, cli_env: dict[str, str],
                                                                    tmp_path: Path) -> None:
    order = hostile_order(store, status_text=HOSTILE)
    env = {**cli_env, "ORDERCANCEL_LOG_FORMAT": "json"}
    runs = {"orders": on_terminal(env, tmp_path, "orders", "--filter", "open", columns=200, raw=True),
            "check": on_terminal(env, tmp_path, "check", order.id, columns=200, raw=True),
            "logs": on_terminal({**cli_env, "ORDERCANCEL_LOG_FORMAT": "console"}, tmp_path, "-v", "check", order.id,
                                stream="stderr", raw=True),
            "cancel": on_terminal(env, tmp_path, "cancel", order.id, "--yes", columns=200, raw=True)}
    for name, (screen, other, code) in runs.items():
        assert code == 0, (name, other[-2000:])
        assert_nothing_raw(screen, other)
    assert SHOWN in runs["orders"][0] and SHOWN in runs["check"][0] and SHOWN in runs["cancel"][0]
    assert "[bold red]x[/]" in runs["check"][0]  # markup shown as text, not applied
    assert "order_finished" in runs["logs"][0]  # the console log was on the terminal
    assert store.order(order.id).statuses() == {"cancelled"}

    fresh = hostile_order(store)
    batch = tmp_path / "orders.csv"
    batch.write_text(f"order_id\n{fresh.id}\n")
    screen, other, code = on_terminal(env, tmp_path, "batch", str(batch), columns=200, raw=True)
    assert code == 0, other[-2000:]
    assert_nothing_raw(screen, other)
    assert SHOWN in screen


def test_colour_on_a_terminal_is_the_tools_own(store: StoreAdmin, cli_env: dict[str, str], tmp_path: Path) -> None:
    order = hostile_order(store)
    env = {**cli_env, "ORDERCANCEL_LOG_FORMAT": "json", "NO_COLOR": "1"}
    screen, other, code = on_terminal(env, tmp_path, "check", order.id, columns=200, raw=True)
    assert code == 0, other[-2000:]
    assert_nothing_raw(screen)
    assert "\x1b[3" not in screen  # no colour at all once NO_COLOR says so: none came from the store
    assert SHOWN in screen
