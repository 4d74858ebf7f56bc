"""`ordercancel batch`: every kind of order, kills at any moment, one run at a time, the report,
and a remote browser server; the store's event log is the judge."""
from __future__ import annotations

import json
import os
import re
import signal
import sqlite3
import stat
import subprocess
import sys
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from mock_store import seed
from mock_store.server import free_port
from tests.conftest import CliResult
from tests.store_api import StoreAdmin
from tests.terminal import on_terminal

Cli = Callable[..., CliResult]


def submissions(store: StoreAdmin) -> Counter[str]:
    return Counter(e["order_id"] for e in store.events("cancel_submitted"))


def write_csv(path: Path, rows: list[str]) -> Path:
    path.write_text("order_id,items,reason,note\n" + "\n".join(rows) + "\n")
    return path


def mixed_orders(store: StoreAdmin) -> tuple[list[str], dict[str, str]]:
    """Thirty rows of every kind, and the journal state each must end in."""
    rows: list[str] = []
    expected: dict[str, str] = {}

    def add(row: str, order_id: str, state: str) -> None:
        rows.append(row)
        expected[order_id] = state

    for n in range(13):
        order = store.add_order([f"Mug {n}", f"Plate {n}"])
        add(f"{order.id},,mistake,", order.id, "cancelled")
    for n in range(3):
        order = store.add_order([f"Lamp {n}", f"Bulb {n}"])
        add(f"{order.id},Bulb {n},price,too dear", order.id, "cancelled")
    for n in range(2):
        order = store.add_order([f"Drone {n}"], seller="third_party")
        add(f"{order.id},,,", order.id, "cancellation_requested")
    for n in range(2):
        order = store.add_order([f"Boots {n}"], placed_minutes_ago=45)
        add(f"{order.id},,,", order.id, "not_cancellable")
    for stage in ("shipped", "delivered"):
        order = store.add_order([f"Tent {stage}"], stage=stage)
        add(f"{order.id},,,", order.id, "not_cancellable")
    order = store.add_order(["Ebook"], order_id="D01-7000000-7000000")
    add(f"{order.id},,,", order.id, "not_cancellable")
    order = store.add_order(["Old mug"], stage="cancelled")
    add(f"{order.id},,,", order.id, "already_cancelled")
    add("999-0000000-0000001,,,", "999-0000000-0000001", "not_found")
    add("114-1111111-1111111,,,", "114-1111111-1111111", "not_found")  # another account's order
    order = store.add_order(["Cup", "Saucer"])
    add(f"{order.id},Teacup,,", order.id, "invalid")  # no such item: found only on the form
    add("113-0000000-00000,,,", "line-bad-id", "invalid")
    add(f"{seed.DEMO_ORDER},,bored,", seed.DEMO_ORDER, "invalid")  # unknown reason
    first = next(iter(expected))
    rows.append(f"{first},,mistake,")  # the same instructions again: one order
    assert len(rows) == 30
    return rows, expected


def journal_states(path: Path) -> dict[str, str]:
    with sqlite3.connect(path) as db:
        return dict(db.execute("SELECT order_id, state FROM orders").fetchall())


def test_a_thirty_row_file_gives_each_order_its_outcome(store: StoreAdmin, cli: Cli, tmp_path: Path) -> None:
    rows, expected = mixed_orders(store)
    batch = write_csv(tmp_path / "orders.csv", rows)

    result = cli("batch", str(batch), "--concurrency", "2", "--json", "--report", str(tmp_path / "report"), timeout=300)

    assert result.exit_code == 1, result.stderr[-3000:]  # the invalid rows
    summary = result.json
    states = {o["order_id"]: o["state"] for o in summary["orders"]}
    for order_id, state in expected.items():
        if order_id != "line-bad-id":
            assert states[order_id] == state, (order_id, summary)
    assert states["(line 29)"] == "invalid"
    assert summary["counts"]["cancelled"] == 16 and summary["counts"]["invalid"] == 3
    assert sum(summary["counts"].values()) == 29  # thirty rows, one a repeat
    assert max(submissions(store).values()) == 1 and len(submissions(store)) == 18
    assert store.order("114-1111111-1111111").statuses() == {"ordered"}
    journal = journal_states(tmp_path / "state" / "journal.sqlite")
    assert journal == {k: v for k, v in expected.items() if k != "line-bad-id"}
    assert len(store.events("sign_in")) == 1  # one sign-in for the whole run

    report = tmp_path / "report" / "latest"
    html = (report / "report.html").read_text()
    assert all(order_id in html for order_id in expected if order_id != "line-bad-id")
    assert not re.search(r'src="[a-z]+:', html)  # readable offline: every image is a file beside it
    assert len(re.findall(r'href="https?://', html)) == len(re.findall(r'class=store', html))  # only "open in the store"
    assert len(json.loads((report / "results.json").read_text())["orders"]) == 29
    assert len((report / "results.csv").read_text().splitlines()) == 30
    assert len(list((report / "screens").glob("*.jpg"))) == 27  # every order the browser opened


def test_a_second_run_skips_finished_orders_and_redo_takes_them_again(store: StoreAdmin, cli: Cli,
                                                                        tmp_path: Path) -> None:
    order = store.add_order(["Kettle"])
    batch = write_csv(tmp_path / "orders.csv", [f"{order.id},,,"])
    assert cli("batch", str(batch)).exit_code == 0
    again = cli("batch", str(batch), "--json")
    assert again.exit_code == 0 and again.json["orders"][0]["skipped"] is True
    redo = cli("batch", str(batch), "--redo", "--json")
    assert redo.json["orders"][0]["state"] == "already_cancelled" and not redo.json["orders"][0]["skipped"]
    assert submissions(store) == {order.id: 1}


def run_and_kill(cli_env: dict[str, str], args: list[str], cwd: Path, should_kill: Callable[[dict[str, Any]], bool],
                 sig: signal.Signals = signal.SIGKILL) -> Killed | None:
    """Run the CLI in its own process group and send `sig` to the whole group (browser included, as
    a terminal's Ctrl+C reaches every process of its foreground group) at the first log line
    `should_kill` accepts: its exit status and what it said after. None if it ended first."""
    process = subprocess.Popen([sys.executable, "-m", "automation.cli", *args], cwd=cwd, env=cli_env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, start_new_session=True)
    assert process.stderr is not None
    for line in process.stderr:
        try:
            event = json.loads(line)
        except ValueError:
            continue
        if should_kill(event):
            os.killpg(process.pid, sig)
            said = process.stderr.read()
            return Killed(process.wait(timeout=60), said)
    process.wait()
    return None


@dataclass
class Killed:
    code: int
    said: str  # on stderr, after the signal


def nth(event_name: str, n: int) -> Callable[[dict[str, Any]], bool]:
    seen = 0

    def check(event: dict[str, Any]) -> bool:
        nonlocal seen
        seen += event.get("event") == event_name
        return seen >= n
    return check


@pytest.mark.parametrize("moment", ["after_sign_in", "right_after_a_submit", "after_some_orders", "mid_submit_slow",
                                    "ctrl_c_right_after_a_submit"])
def test_a_run_killed_at_any_moment_finishes_every_order_exactly_once(
        store: StoreAdmin, cli: Cli, cli_env: dict[str, str], tmp_path: Path, moment: str) -> None:
    orders = [store.add_order([f"Pan {n}", f"Lid {n}"]) for n in range(8)]
    rows = [f"{o.id},,mistake," for o in orders] + [f"{orders[0].id[:-1]}9,,,"]  # and an unknown order
    batch = write_csv(tmp_path / "orders.csv", rows)
    args = ["batch", str(batch), "--concurrency", "2"]
    if moment == "mid_submit_slow":
        store.faults(seed=5, latency_ms=[150, 400])
    killer = {"after_sign_in": nth("signed_in", 1), "right_after_a_submit": nth("submitting", 3),
              "after_some_orders": nth("order_finished", 4), "mid_submit_slow": nth("submitting", 2),
              "ctrl_c_right_after_a_submit": nth("submitting", 3)}[moment]
    ctrl_c = moment.startswith("ctrl_c")

    killed = run_and_kill(cli_env, args, tmp_path, killer, signal.SIGINT if ctrl_c else signal.SIGKILL)

    assert killed is not None
    if ctrl_c:  # said, with the orders the next run reads first
        assert killed.code == 130, killed.said[-2000:]
        assert "error: interrupted: " in killed.said and "in flight, read first by the next run: " in killed.said
    store.faults()
    journal = journal_states(tmp_path / "state" / "journal.sqlite")
    assert set(journal.values()) <= {"pending", "checking", "submitting", "cancelled", "not_found"}

    resumed = cli(*args, "--json")

    assert resumed.exit_code == 0, resumed.stdout + resumed.stderr[-3000:]
    assert {o["order_id"]: o["state"] for o in resumed.json["orders"]} == {
        **{o.id: "cancelled" for o in orders}, f"{orders[0].id[:-1]}9": "not_found"}
    assert submissions(store) == {o.id: 1 for o in orders}  # no second submission, none missing
    for order in orders:
        assert store.order(order.id).state == "cancelled"


def test_a_concurrent_second_run_is_refused(store: StoreAdmin, cli: Cli, cli_env: dict[str, str], tmp_path: Path) -> None:
    orders = [store.add_order([f"Bowl {n}"]) for n in range(4)]
    batch = write_csv(tmp_path / "orders.csv", [f"{o.id},,," for o in orders])
    store.faults(seed=1, latency_ms=[300, 300])
    first = subprocess.Popen([sys.executable, "-m", "automation.cli", "batch", str(batch)], cwd=tmp_path, env=cli_env,
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    assert first.stderr is not None
    for line in first.stderr:  # the first run holds the journal once it has signed in
        if '"signed_in"' in line:
            break

    second = cli("batch", str(batch), "--json")

    assert second.exit_code == 2
    assert "another batch run is using the journal" in second.json["message"]
    first.stderr.read()
    assert first.wait(timeout=120) == 0
    assert submissions(store) == {o.id: 1 for o in orders}


def test_strict_refuses_a_file_with_bad_rows_and_does_nothing(store: StoreAdmin, cli: Cli, tmp_path: Path) -> None:
    batch = write_csv(tmp_path / "orders.csv", [f"{seed.DEMO_ORDER},,,", "not-an-order,,,"])
    result = cli("batch", str(batch), "--strict")
    assert result.exit_code == 2
    assert "line 3: not an order number: 'not-an-order'" in result.stderr
    assert not submissions(store) and not (tmp_path / "state" / "journal.sqlite").exists()


def test_bad_rows_are_reported_with_line_numbers_and_the_rest_runs(store: StoreAdmin, cli: Cli, tmp_path: Path) -> None:
    batch = write_csv(tmp_path / "orders.csv", [f"{seed.DEMO_ORDER},Teapot,mistake,", "113-1,,,",
                                                 f"113-2345678-2345678,,{'x' * 10},", "113-3456789-3456789,,,\x0c"])
    result = cli("batch", str(batch), "--json")
    assert result.exit_code == 1
    messages = {o["line"]: o["message"] for o in result.json["orders"] if o["state"] == "invalid"}
    assert set(messages) == {3, 4, 5}
    assert "unknown reason" in messages[4] and "control character" in messages[5]
    assert submissions(store) == {seed.DEMO_ORDER: 1}


def test_a_quoting_error_anywhere_refuses_the_whole_file(store: StoreAdmin, cli: Cli, tmp_path: Path) -> None:
    batch = write_csv(tmp_path / "orders.csv", [f"{seed.DEMO_ORDER},Teapot,mistake,", '113-2345678-2345678,,,"unclosed'])

    result = cli("batch", str(batch))

    assert result.exit_code == 2
    assert "line 3: not valid CSV" in result.stderr and "nothing was done" in result.stderr
    assert not store.events("cancel_received") and not store.events("sign_in")


def test_json_lines_from_stdin(store: StoreAdmin, cli: Cli) -> None:
    lines = [json.dumps({"order_id": seed.DEMO_ORDER, "items": ["Kettle"], "reason": "mistake"}),
             json.dumps({"order_id": "113-8901234-8901234", "note": "changed my mind"})]
    result = cli("batch", "-", "--json", stdin="\n".join(lines) + "\n")
    assert result.exit_code == 0, result.stderr[-2000:]
    assert {o["order_id"]: o["state"] for o in result.json["orders"]} == {
        seed.DEMO_ORDER: "cancelled", "113-8901234-8901234": "cancellation_requested"}
    assert store.order(seed.DEMO_ORDER).item("Kettle")["status"] == "cancelled"
    assert store.order(seed.DEMO_ORDER).item("Teapot")["status"] == "ordered"


@pytest.mark.parametrize("content, fragment", [(b"\x00\x01\x02binary", "looks binary"),
                                               (b"order_id\n\xff\xfe113", "not UTF-8"),
                                               (b"id,reason\n113-1234567-1234567,", "no order_id column"),
                                               (b"", "empty")])
def test_unusable_files_are_refused_in_one_line(cli: Cli, tmp_path: Path, content: bytes, fragment: str) -> None:
    path = tmp_path / "orders.csv"
    path.write_bytes(content)
    result = cli("batch", str(path), "--json")
    assert result.exit_code == 2 and fragment in result.json["message"]


def test_needs_human_at_the_run_sign_in_does_nothing_and_says_so(store: StoreAdmin, cli: Cli, tmp_path: Path) -> None:
    batch = write_csv(tmp_path / "orders.csv", [f"{seed.DEMO_ORDER},,,"])
    store.faults(challenge_next_sign_in="captcha")
    result = cli("batch", str(batch), "--json")
    assert result.exit_code == 6
    assert result.json["aborted"]["outcome"] == "needs_human"
    assert journal_states(tmp_path / "state" / "journal.sqlite") == {seed.DEMO_ORDER: "pending"}


def test_server_errors_are_retried_and_the_journal_is_private(store: StoreAdmin, cli: Cli, tmp_path: Path) -> None:
    orders = [store.add_order([f"Jar {n}"]) for n in range(4)]
    batch = write_csv(tmp_path / "orders.csv", [f"{o.id},,," for o in orders])
    store.faults(seed=11, error_rate=0.25)
    result = cli("batch", str(batch), "--retries", "4", "--json", "--journal", str(tmp_path / "j" / "run.sqlite"))
    assert result.exit_code == 0, result.stdout
    assert submissions(store) == {o.id: 1 for o in orders}
    assert stat.S_IMODE((tmp_path / "j" / "run.sqlite").stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "j").stat().st_mode) == 0o700


def test_a_remote_browser_server_does_the_browser_work(store: StoreAdmin, cli: Cli, tmp_path: Path,
                                                       browser_type_launch_args: dict[str, Any]) -> None:
    executable = browser_type_launch_args["executable_path"]
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "playwright", "run-server", "--port", str(port),
                               "--host", "127.0.0.1", "--unsafe"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              text=True, start_new_session=True)
    try:
        assert server.stdout is not None
        assert "Listening on" in server.stdout.readline()
        env = {"ORDERCANCEL_BROWSER_ENDPOINT": f"ws://127.0.0.1:{port}/",
               "ORDERCANCEL_BROWSER_EXECUTABLE": executable or ""}
        single = cli("cancel", seed.DEMO_ORDER, "--item", "Kettle", "--json", env=env)
        assert single.exit_code == 0 and single.json["outcome"] == "cancelled"
        batch = write_csv(tmp_path / "orders.csv", ["113-2345678-2345678,Lamp,,", "113-8901234-8901234,,,"])
        many = cli("batch", str(batch), "--concurrency", "2", "--json", env=env)  # both workers in its one browser
        assert many.exit_code == 0, many.stderr[-2000:]
        assert store.order("113-2345678-2345678").item("Lamp")["status"] == "cancelled"
    finally:  # the whole group: `python -m playwright` leaves its node server running after a SIGTERM
        os.killpg(server.pid, signal.SIGKILL)
        server.wait(timeout=10)


def test_on_a_terminal_a_progress_bar_counts_outcomes(store: StoreAdmin, cli_env: dict[str, str], tmp_path: Path) -> None:
    batch = write_csv(tmp_path / "orders.csv", [f"{seed.DEMO_ORDER},,,", "113-5678901-5678901,,,"])
    shown, summary, code = on_terminal({**cli_env, "ORDERCANCEL_LOG_FORMAT": ""}, tmp_path, "batch", str(batch),
                                       stream="stderr", columns=120)
    assert code == 0
    assert "cancelled:1 not_cancellable:1" in shown and "2/2" in shown  # the bar's last state
    assert '"event"' not in shown  # no JSON log lines on a terminal
    assert "cancelled: 1 not_cancellable: 1" in summary


@pytest.mark.parametrize(("asked", "workers"), [([], 2), (["--concurrency", "4"], 4)])
def test_no_process_of_the_tool_listens_on_a_port(store: StoreAdmin, cli_env: dict[str, str], tmp_path: Path,
                                                  asked: list[str], workers: int) -> None:
    """No debugging port, at any concurrency: every listening TCP socket on the machine is read
    from /proc while the batch works (slowly: the store answers each page after 300 ms) and none
    may belong to the tool, its Playwright driver or its browser. And the workers share them: one
    Playwright driver and one browser per run, at 2 workers as at 4, each worker in its own
    context (the store saw the orders' pages from as many sessions at once as workers). Unasked,
    a batch on the loopback mock runs 2 workers."""
    orders = [store.add_order([f"Cup {n}"]) for n in range(6)]
    batch = write_csv(tmp_path / "orders.csv", [f"{o.id},,," for o in orders])
    store.faults(latency_ms=[300, 300])
    env = {k: v for k, v in cli_env.items() if k != "ORDERCANCEL_CONCURRENCY"}  # the tool's own default
    tool = subprocess.Popen([sys.executable, "-m", "automation.cli", "batch", str(batch), *asked, "--json"], cwd=tmp_path,
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    looked, listening, drivers, browsers = 0, [], 0, 0
    try:
        while tool.poll() is None:
            family = process_tree(tool.pid)
            listening += [pid for pid in family if socket_inodes(pid) & listening_inodes()]
            looked += len(family) > 3  # the tool, its driver and browser are up
            drivers = max(drivers, sum(is_driver(pid) for pid in family))
            browsers = max(browsers, sum(is_browser(pid) for pid in family))
    finally:
        out, _ = tool.communicate(timeout=300)
    assert tool.returncode == 0 and json.loads(out)["counts"] == {"cancelled": 6}
    assert looked > 0 and not listening
    assert (drivers, browsers) == (1, 1)
    assert 2 <= most_pages_at_once(store.requests(), 0.3) <= workers


def most_pages_at_once(requests: list[dict[str, Any]], latency_s: float) -> int:
    """The most page loads of the browser that arrived within one answer's latency of each other:
    one worker's loads are at least that far apart (each waits for the answer before the next)."""
    pages = sorted(r["at"] for r in requests if r["navigation"] and "Chrome" in r["agent"])
    return max((sum(at <= other < at + latency_s for other in pages) for at in pages), default=0)


def command_line(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""


def is_driver(pid: int) -> bool:
    return b"run-driver" in command_line(pid)


def is_browser(pid: int) -> bool:
    """A browser's main process (its helpers carry --type=; Debian's wrapper script is its parent)."""
    line = command_line(pid)
    return b"--remote-debugging-pipe" in line and b"--type=" not in line and not line.startswith(b"/bin/sh")


def process_tree(root: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for stat_file in Path("/proc").glob("[0-9]*/stat"):
        try:
            parent = int(stat_file.read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(parent, []).append(int(stat_file.parent.name))
    found, todo = [root], [root]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def listening_inodes() -> set[str]:
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().split("\n")[1:]:
            fields = line.split()
            if len(fields) > 9 and fields[3] == "0A":  # TCP_LISTEN
                inodes.add(fields[9])
    return inodes


def socket_inodes(pid: int) -> set[str]:
    inodes = set()
    try:
        for fd in Path(f"/proc/{pid}/fd").iterdir():
            target = os.readlink(fd)
            if target.startswith("socket:["):
                inodes.add(target[8:-1])
    except OSError:
        pass
    return inodes


def test_min_interval_spaces_the_page_loads_of_one_account(store: StoreAdmin, cli: Cli, tmp_path: Path) -> None:
    """Judged from the store's own request log: the pages the tool opens (and its submits) are at
    least the interval apart, across both worker threads. Redirect targets and sign-in steps
    follow the load that caused them and are left out."""
    orders = [store.add_order([f"Bowl {n}"]) for n in range(3)]
    batch = write_csv(tmp_path / "orders.csv", [f"{o.id},,," for o in orders])

    result = cli("--min-interval", "0.4", "batch", str(batch), "--concurrency", "2", "--json")

    assert result.exit_code == 0, result.stdout
    opened = [r["at"] for r in store.requests()
              if r["path"] in ("/your-orders/order-details", "/progress-tracker/package/preship/cancel-items")]
    assert len(opened) == 3 * 4  # details, the form, the submit, details again
    gaps = [b - a for a, b in zip(opened, opened[1:], strict=False)]
    assert min(gaps) >= 0.39, gaps
