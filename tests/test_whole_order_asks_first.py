"""Cancelling a whole order asks first on a terminal: the person sees the order's real items and
answers; anything but y cancels nothing. --yes, --item and any run without a terminal do not ask,
and a dry run marks the lines that would go. The store's own event log is the judge."""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from tests.conftest import CliResult
from tests.store_api import StoreAdmin
from tests.terminal import answering, on_terminal

Cli = Callable[..., CliResult]


def submits(store: StoreAdmin, order_id: str) -> int:
    return sum(1 for event in store.events("cancel_received") if event["order_id"] == order_id)


def test_no_answer_cancels_nothing(store: StoreAdmin, cli_env: dict[str, str], tmp_path: Path) -> None:
    order = store.add_order(["Desk Lamp", "Light Bulb"])
    for answer in ("n", "", "maybe"):
        screen, errors, code = answering(cli_env, tmp_path, "cancel", order.id, "--reason", "mistake", answer=answer)
        assert code == 0, errors[-2000:]
        assert f"Cancel all 2 items of {order.id}? [y/N]" in screen
        listed = screen.split("[y/N]")[0]
        assert "Desk Lamp" in listed and "Light Bulb" in listed  # the real items, read before the question
        assert f"{order.id}: not_confirmed - nothing cancelled: not confirmed" in screen
        assert [line.split()[:3] for line in screen.splitlines() if "Desk Lamp" in line][-1] == [">", "would", "cancel"]
    assert submits(store, order.id) == 0
    assert store.order(order.id).statuses() == {"ordered"}


def test_yes_cancels_the_whole_order_once(store: StoreAdmin, cli_env: dict[str, str], tmp_path: Path) -> None:
    order = store.add_order(["Desk Lamp", "Light Bulb"])
    screen, errors, code = answering(cli_env, tmp_path, "cancel", order.id, answer="y")
    assert code == 0, errors[-2000:]
    assert f"{order.id}: cancelled - cancelled 2 items" in screen.split("[y/N]")[1]
    assert submits(store, order.id) == 1
    assert store.order(order.id).statuses() == {"cancelled"}


def test_yes_option_item_and_a_pipe_do_not_ask(store: StoreAdmin, cli: Cli, cli_env: dict[str, str],
                                               tmp_path: Path) -> None:
    with_yes, by_item, piped_in, piped = (store.add_order(["Desk Lamp", "Light Bulb"]) for _ in range(4))
    screen, errors, code = answering(cli_env, tmp_path, "cancel", with_yes.id, "-y", answer=None)
    assert code == 0 and "[y/N]" not in screen and "cancelled 2 items" in screen, errors[-2000:]
    screen, errors, code = answering(cli_env, tmp_path, "cancel", by_item.id, "--item", "Lamp", answer=None)
    assert code == 0 and "[y/N]" not in screen and "cancelled 1 item" in screen, errors[-2000:]
    screen, errors, code = on_terminal(cli_env, tmp_path, "cancel", piped_in.id)  # stdin not a terminal
    assert code == 0 and "[y/N]" not in screen and "cancelled 2 items" in screen, errors[-2000:]
    result = cli("cancel", piped.id, stdin="n\n")  # cron, CI, a script: nothing to ask
    assert result.exit_code == 0 and "[y/N]" not in result.stdout, result.stderr[-2000:]
    for order in (with_yes, piped_in, piped):
        assert store.order(order.id).statuses() == {"cancelled"} and submits(store, order.id) == 1
    assert store.order(by_item.id).item("Light Bulb")["status"] == "ordered"


def test_a_dry_run_marks_the_lines_that_would_go_and_asks_nothing(store: StoreAdmin, cli: Cli,
                                                                   cli_env: dict[str, str], tmp_path: Path) -> None:
    order = store.add_order(["Desk Lamp", "Light Bulb", "Lamp Shade"])
    partial = cli("cancel", order.id, "--item", "Bulb", "--yes")
    assert partial.exit_code == 0, partial.stderr[-2000:]
    screen, errors, code = answering(cli_env, tmp_path, "cancel", order.id, "--dry-run", answer=None)
    assert code == 0, errors[-2000:]
    lines = {title: line.split()[:2] for line in screen.splitlines()
             for title in ("Desk Lamp", "Light Bulb", "Lamp Shade") if line.rstrip().endswith(title)}
    assert lines == {"Desk Lamp": [">", "would"], "Lamp Shade": [">", "would"], "Light Bulb": ["cancelled", "1"]}
    assert "> would be cancelled; nothing was submitted" in screen
    as_json = cli("cancel", order.id, "--dry-run", "--json").json
    assert {i["title"]: i["would_cancel"] for i in as_json["items"]} == {
        "Desk Lamp": True, "Light Bulb": False, "Lamp Shade": True}
    assert submits(store, order.id) == 1  # the partial cancel only
