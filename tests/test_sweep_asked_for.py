"""A sweep presses only for what its rules choose now: each decided item is that same line at the
click, a killed sweep's rows are decided again (or only confirmed), and --max-cancels counts this
run's presses. Through the CLI, with the store's `cancel_received` events as the judge."""
from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

from tests.conftest import CliResult
from tests.store_api import StoreAdmin
from tests.test_batch import nth, run_and_kill

Cli = Callable[..., CliResult]


def presses(store: StoreAdmin) -> list[tuple[str, tuple[str, ...]]]:
    return sorted((e["order_id"], tuple(sorted(e["items"]))) for e in store.events("cancel_received"))


def rules_file(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text)
    return str(path)


def journal_states(tmp_path: Path) -> dict[str, str]:
    with sqlite3.connect(tmp_path / "state" / "journal.sqlite") as db:
        return dict(db.execute("SELECT order_id, state FROM orders").fetchall())


def test_the_laptop_whose_item_id_is_the_case_product_stays_ordered(store: StoreAdmin, cli: Cli,
                                                                   tmp_path: Path) -> None:
    order = store.add_order([{"id": "caseline01", "title": "Phone Case", "price": "9.99", "product_id": "B0CASE0001"},
                             {"id": "B0CASE0001", "title": "Laptop", "price": "2499.00", "product_id": "B0LAPTOP01"}])
    rules = rules_file(tmp_path, "rules.toml", '[[rule]]\nname = "case"\naction = "cancel_items"\ntitle = ["case"]\n')

    dry = cli("sweep", "--rules", rules, "--json")
    applied = cli("sweep", "--rules", rules, "--apply", "--json")

    assert [[i["title"] for i in o["items"]] for o in dry.json["orders"]] == [["Phone Case"]]
    assert applied.exit_code == 0, applied.stderr[-2000:]
    assert [(o["order_id"], o["state"]) for o in applied.json["orders"]] == [(order.id, "cancelled")]
    assert presses(store) == [(order.id, ("caseline01",))]
    after = store.order(order.id)
    assert after.item("Laptop")["status"] == "ordered" and after.item("Phone Case")["status"] == "cancelled"


def killed_after_one_press(store: StoreAdmin, cli_env: dict[str, str], tmp_path: Path) -> tuple[str, str, str]:
    """Two gadget orders a `gadget` rule cancels, and a sweep with --apply killed (browser and all)
    as soon as the first order is answered: that one's row may still be `submitting`; the other is
    `pending` or `checking`, and never reached its click. The rules file, the pressed order, the other."""
    first, second = (store.add_order([{"title": f"Gadget {n}", "price": "20.00", "product_id": "B0GADGET01"}])
                     for n in (1, 2))
    gadgets = rules_file(tmp_path, "gadgets.toml", '[[rule]]\nname = "gadget"\naction = "cancel"\n'
                                                   'product = ["B0GADGET01"]\n')
    store.faults(latency_ms=[400, 400])  # the next order's click is far off when the first one is answered
    assert run_and_kill(cli_env, ["sweep", "--rules", gadgets, "--apply"], tmp_path, nth("order_finished", 2)) is not None
    store.faults(latency_ms=None)
    (pressed,) = [order_id for order_id, _ in presses(store)]
    return gadgets, pressed, second.id if pressed == first.id else first.id


def test_a_killed_sweep_resumed_under_rules_that_no_longer_match_presses_nothing(
        store: StoreAdmin, cli: Cli, cli_env: dict[str, str], tmp_path: Path) -> None:
    _, pressed, other = killed_after_one_press(store, cli_env, tmp_path)
    killed = journal_states(tmp_path)
    assert killed[other] in ("pending", "checking") and killed[pressed] in ("submitting", "cancelled")
    nothing = rules_file(tmp_path, "nothing.toml", '[[rule]]\nname = "nothing"\naction = "cancel"\n'
                                                   'title = ["no such thing"]\n')

    dry = cli("sweep", "--rules", nothing, "--json")
    applied = cli("sweep", "--rules", nothing, "--apply", "--max-cancels", "0", "--json")
    again = cli("sweep", "--rules", nothing, "--apply", "--max-cancels", "0", "--json")

    listed = {o["order_id"]: o["state"] for o in dry.json["orders"]}
    assert listed == {other: "would_drop", **({pressed: "would_confirm"} if killed[pressed] == "submitting" else {})}
    assert applied.exit_code == 0, applied.stderr[-2000:]
    done = {o["order_id"]: o["state"] for o in applied.json["orders"]}
    assert done == {other: "no_longer_matched", **({pressed: "cancelled"} if killed[pressed] == "submitting" else {})}
    assert [order_id for order_id, _ in presses(store)] == [pressed]  # the one press, by the killed run
    assert store.order(other).statuses() == {"ordered"} and store.order(pressed).state == "cancelled"
    assert journal_states(tmp_path) == {pressed: "cancelled", other: "no_longer_matched"}
    assert again.exit_code == 0 and again.json["orders"] == []  # a dropped row is not taken again


def test_a_resumed_row_still_chosen_is_pressed_once_within_max_cancels(
        store: StoreAdmin, cli: Cli, cli_env: dict[str, str], tmp_path: Path) -> None:
    gadgets, pressed, other = killed_after_one_press(store, cli_env, tmp_path)

    refused = cli("sweep", "--rules", gadgets, "--apply", "--max-cancels", "0")
    resumed = cli("sweep", "--rules", gadgets, "--apply", "--max-cancels", "1", "--json")

    assert refused.exit_code == 2 and "would cancel 1 orders, more than --max-cancels 0" in refused.stderr
    assert resumed.exit_code == 0, resumed.stderr[-2000:]
    listed = {o["order_id"]: o["state"] for o in resumed.json["orders"]}
    assert listed[other] == "cancelled" and listed.get(pressed, "cancelled") == "cancelled"  # confirmed, if resumed
    assert journal_states(tmp_path) == {pressed: "cancelled", other: "cancelled"}
    assert sorted(order_id for order_id, _ in presses(store)) == sorted([pressed, other])  # once each


def test_max_cancels_counts_only_the_presses_this_run_would_make(store: StoreAdmin, cli: Cli, tmp_path: Path) -> None:
    kits = [store.add_order([{"title": "Camera Body", "price": "499.00", "bundle": "kit"},
                             {"title": "Kit Lens", "price": "149.00", "bundle": "kit"}]) for _ in range(2)]
    rules = rules_file(tmp_path, "rules.toml", '[[rule]]\nname = "lens"\naction = "cancel_items"\ntitle = ["lens"]\n')
    first = cli("sweep", "--rules", rules, "--apply", "--json")
    assert {o["state"] for o in first.json["orders"]} == {"not_cancellable"}  # the store refuses part of a bundle
    refusals = presses(store)

    dry = cli("sweep", "--rules", rules, "--json")
    scheduled = cli("sweep", "--rules", rules, "--apply", "--max-cancels", "0", "--json")

    assert {o["order_id"]: o["state"] for o in dry.json["orders"]} == {k.id: "not_cancellable" for k in kits}
    assert scheduled.exit_code == 0, scheduled.stdout + scheduled.stderr[-2000:]
    assert all(o["skipped"] for o in scheduled.json["orders"]) and len(scheduled.json["orders"]) == 2
    assert presses(store) == refusals and len(refusals) == 2


def test_max_cancels_zero_presses_nothing(store: StoreAdmin, cli: Cli, tmp_path: Path) -> None:
    order = store.add_order([{"title": "Gadget", "price": "20.00", "product_id": "B0GADGET01"}])
    rules = rules_file(tmp_path, "rules.toml", '[[rule]]\nname = "gadget"\naction = "cancel"\n'
                                               'product = ["B0GADGET01"]\n')

    result = cli("sweep", "--rules", rules, "--apply", "--max-cancels", "0")

    assert result.exit_code == 2
    assert "would cancel 1 orders, more than --max-cancels 0; nothing was cancelled" in result.stderr
    assert not store.events("cancel_received") and store.order(order.id).statuses() == {"ordered"}
