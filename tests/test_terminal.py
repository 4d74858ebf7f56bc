"""What a terminal shows: each command's result and no info line by default, no escape sequence
with NO_COLOR (log lines included), log lines above the progress bar and never on its line,
results alone on stdout off a terminal, and errors in a person's words, one line each."""
from __future__ import annotations

import json
import re
import shutil
import socket
import stat
from collections.abc import Callable
from pathlib import Path

import pytest

from mock_store import seed
from tests.conftest import CliResult
from tests.store_api import StoreAdmin
from tests.terminal import on_terminal, rows

Cli = Callable[..., CliResult]
BAR = "━"
LOG_LINE = re.compile(r"\d\d:\d\d:\d\d (debug|info|warning|error) ")
LIBRARY_WORDS = ("Page.goto", "BrowserType", "net::", "ERR_", "Call log", "Target page", "Timeout ", "╔",
                 "Traceback", "Input should", "Field required")
RESULT_LINE = re.compile(r"(?:\d{3}|D01)-\d{7}-\d{7}:? |cancelled: |\d+ orders$")


def person(cli_env: dict[str, str], **extra: str) -> dict[str, str]:
    """The environment of a person at a terminal: no log format asked for."""
    return {**{k: v for k, v in cli_env.items() if k != "ORDERCANCEL_LOG_FORMAT"}, **extra}


def write_batch(path: Path, order_ids: list[str]) -> Path:
    path.write_text("order_id,items,reason,note\n" + "".join(f"{o},,,\n" for o in order_ids))
    return path


def test_each_command_on_a_terminal_says_its_result_without_info_lines_or_escapes(
        store: StoreAdmin, cli_env: dict[str, str], tmp_path: Path) -> None:
    # a .env in the working folder is ignored with a warning: the log line a person sees
    (tmp_path / ".env").write_text("ORDERCANCEL_MARKETPLACE=com\n")
    env = person(cli_env, NO_COLOR="1")
    fresh = store.add_order(["Desk Lamp", "Bulb"])
    batch = write_batch(tmp_path / "orders.csv", [fresh.id, "113-5678901-5678901"])
    commands = {"cancel": ("cancel", seed.DEMO_ORDER, "--item", "Teapot"), "check": ("check", seed.DEMO_ORDER),
                "orders": ("orders", "--filter", "open"), "batch": ("batch", str(batch))}
    for name, args in commands.items():
        screen, _, code = on_terminal(env, tmp_path, *args, stream="both", raw=True)
        shown = rows(screen)
        assert code == 0, (name, screen[-2000:])
        assert "\x1b" not in screen, (name, screen[-2000:])  # no colour, no style, no cursor movement
        assert not [row for row in shown if re.search(r" info ", row)], (name, shown)
        (warning,) = [row for row in shown if "env_file_ignored" in row]
        assert LOG_LINE.match(warning) and "None" not in warning, warning
        assert any(RESULT_LINE.match(row) for row in shown), (name, shown)
    assert [row for row in shown if BAR in row][-1].startswith("cancelled:1 not_cancellable:1 ")  # the batch's bar


def test_verbose_brings_info_lines_back_and_they_never_land_on_the_bar(
        store: StoreAdmin, cli_env: dict[str, str], tmp_path: Path) -> None:
    orders = [store.add_order(["Lamp"]).id for _ in range(3)]
    batch = write_batch(tmp_path / "orders.csv", [*orders, "113-0000000-0000001"])

    screen, results, code = on_terminal(person(cli_env), tmp_path, "batch", str(batch), "-v", stream="stderr",
                                        raw=True)

    assert code == 0, screen[-2000:]
    shown = rows(screen)
    logged = [row for row in shown if LOG_LINE.match(row)]
    assert {"signing_in", "order_finished"} <= {row.split()[2] for row in logged}, shown
    # the bar leaves the screen when the run ends (the summary says its counts): look at the screen
    # as it was when the bar was drawn last
    bars = [row for row in rows(screen[:screen.rindex(BAR) + 1]) if BAR in row]
    assert bars and all(not LOG_LINE.search(row) for row in bars), bars  # the bar's line holds only the bar
    assert all(BAR not in row for row in logged)
    assert "\x1b[" in screen  # a colour terminal: the bar is redrawn in place
    assert [line.split()[:2] for line in results.splitlines() if line.startswith(tuple(orders))] == \
        [[order, "cancelled"] for order in orders]


def test_off_a_terminal_stdout_holds_only_results_and_logs_go_where_asked(
        store: StoreAdmin, cli: Cli, cli_env: dict[str, str], tmp_path: Path) -> None:
    quiet = cli("check", seed.DEMO_ORDER, env={"ORDERCANCEL_LOG_FORMAT": None})
    assert quiet.exit_code == 0 and quiet.stderr == "", quiet.stderr
    assert quiet.stdout.startswith(f"{seed.DEMO_ORDER}: checked - ") and "order_finished" not in quiet.stdout

    log_file = tmp_path / "logs" / "ordercancel.jsonl"
    logged = cli("cancel", seed.DEMO_ORDER, "--item", "Teapot", "--log-file", str(log_file),
                 env={"ORDERCANCEL_LOG_FORMAT": None})
    assert logged.exit_code == 0 and logged.stderr == "", logged.stderr
    assert stat.S_IMODE(log_file.stat().st_mode) == 0o600
    events = [json.loads(line) for line in log_file.read_text().splitlines()]
    (finished,) = [event for event in events if event["event"] == "order_finished"]
    assert finished["outcome"] == "cancelled" and "order_finished" not in logged.stdout

    as_json = cli("check", seed.DEMO_ORDER, "--json", "--log-format", "json", env={"ORDERCANCEL_LOG_FORMAT": None})
    assert as_json.json["outcome"] == "checked"
    assert "order_finished" in [line["event"] for line in as_json.logs]


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_errors_are_one_line_in_a_person_s_words_with_the_fix(cli: Cli, cli_env: dict[str, str],
                                                              tmp_path: Path) -> None:
    nowhere = f"http://127.0.0.1:{closed_port()}"
    refused = cli("check", seed.DEMO_ORDER, env={"ORDERCANCEL_BASE_URL": nowhere, "ORDERCANCEL_ASSET_HOSTS": None,
                                                 "ORDERCANCEL_LOG_FORMAT": None})
    assert refused.exit_code == 1
    assert refused.stdout == (f"{seed.DEMO_ORDER}: error - cannot reach {nowhere} (connection refused): is "
                              "ORDERCANCEL_BASE_URL right, is the store up?\n")
    assert refused.stderr == "" and not list((tmp_path / "artifacts").rglob("*.png"))  # a blank page is no evidence

    if shutil.which("chromium") is None and not cli_env.get("ORDERCANCEL_HEADED_BROWSER_EXECUTABLE"):
        pytest.skip("no full Chromium for --headed here")
    headed = cli("login", "--headed", env={"DISPLAY": None, "WAYLAND_DISPLAY": None, "ORDERCANCEL_LOG_FORMAT": None})
    assert headed.exit_code == 1
    assert headed.stdout == "error - --headed needs a display: run it on a desktop, or under xvfb-run\n"
    for said in (refused.stdout, headed.stdout):
        assert not [words for words in LIBRARY_WORDS if words in said] and "screenshot" not in said
