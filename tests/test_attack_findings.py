"""Holes an attack on issue 19's merged parts found, through the CLI with the mock store as the judge
of what was pressed: each test states what should hold (each was xfail(strict) until it did)."""
from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from automation.runs.journal import Journal, JournalState
from mock_store import seed
from tests.conftest import CliResult
from tests.store_api import Shopper, StoreAdmin
from tests.test_batch import write_csv
from tests.test_sweep_asked_for import presses, rules_file

Cli = Callable[..., CliResult]


CASE = {"id": "caseline01", "title": "Phone Case", "price": "9.99", "product_id": "B0CASE0001"}
CHARGER = {"id": "charger001", "title": "Charger", "price": "19.99", "product_id": "B0CHARGE01"}


def test_a_cancel_rule_with_an_empty_title_list_cancels_nothing(store: StoreAdmin, cli: Cli, tmp_path: Path) -> None:
    """title = [] once passed the 'a cancelling rule needs a matcher' check and matched every open
    order (--apply cancelled them all); now it is refused in one line."""
    orders = [store.add_order([{"title": f"Thing {n}", "price": "20.00"}]) for n in (1, 2)]
    rules = rules_file(tmp_path, "rules.toml", '[[rule]]\nname = "oops"\naction = "cancel"\ntitle = []\n')

    applied = cli("sweep", "--rules", rules, "--apply", "--json")

    pressed = {order_id for order_id, _ in presses(store)}
    assert not pressed & {o.id for o in orders}, f"pressed for {pressed}"
    assert applied.exit_code == 2
    assert applied.json["outcome"] == "bad_input" and "rule 'oops', key 'title'" in applied.json["message"]


def test_a_line_added_between_decision_and_click_is_not_cancelled(store: StoreAdmin, cli_env: dict[str, str],
                                                                  tmp_path: Path) -> None:
    """A whole-order decision records the lines it decided on; the store adds a laptop before the
    click, so the lines to tick differ and nothing is submitted (was: both lines were cancelled)."""
    order = store.add_order([dict(CASE)])
    rules = rules_file(tmp_path, "rules.toml", '[[rule]]\nname = "cases"\naction = "cancel"\ntitle = ["case"]\n'
                                               'except = { title = ["laptop"] }\n')
    store.faults(latency_ms=[300, 300])  # every page answers late: the store's change lands in between
    process = subprocess.Popen([sys.executable, "-m", "automation.cli", "sweep", "--rules", rules, "--apply", "--json"],
                               cwd=tmp_path, env=cli_env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert process.stderr is not None
    changed = False
    for line in process.stderr:
        try:
            event = json.loads(line)
        except ValueError:
            continue
        # the sweep's deciding pass is over (its own order_finished, of no order); before the batch
        # reads the order again, the store adds a laptop to it, as an edited or merged order would
        if not changed and event.get("event") == "order_finished" and not event.get("order_id"):
            store.add_order([dict(CASE), {"id": "laptop0001", "title": "Laptop", "price": "2499.00",
                                    "product_id": "B0LAPTOP01"}], order_id=order.id)
            changed = True
    stdout, _ = process.communicate(timeout=120)
    store.faults(latency_ms=None)

    assert changed
    assert store.order(order.id).item("Laptop")["status"] == "ordered", presses(store)
    assert store.order(order.id).item("Phone Case")["status"] == "ordered"
    assert not [order_id for order_id, _ in presses(store) if order_id == order.id]
    (row,) = [row for row in json.loads(stdout)["orders"] if row["order_id"] == order.id]
    assert row["state"] == "failed" and "the order changed after the sweep decided" in row["message"], row
    assert "nothing was submitted" in row["message"]


def an_earlier_run_ticked_the_case(tmp_path: Path, order_id: str) -> None:
    """What an earlier run left: it ticked the case, and its answer was unclear (needs_human), as a
    server error page after the submit leaves it."""
    journal = Journal(tmp_path / "state" / "journal.sqlite", "127.0.0.1", seed.DEMO_EMAIL.lower())
    journal.enqueue(order_id, {"line": 1, "items": ["caseline01"], "reason": None, "note": None}, "earlier", False)
    journal.mark_checking(order_id, "earlier")
    journal.mark_submitting(order_id, [{"item_id": "caseline01", "product": "B0CASE0001",
                                        "product_id": "B0CASE0001", "title": "Phone Case"}])
    journal.mark_final(order_id, JournalState.NEEDS_HUMAN, {"outcome": "needs_human"})
    journal.close()


def test_a_new_instruction_is_not_overridden_by_an_earlier_runs_ticked_lines(store: StoreAdmin, cli: Cli,
                                                                             tmp_path: Path) -> None:
    """The earlier press is unconfirmed (the store did not act) and the user now asks for the charger
    only: the case is not pressed for again (it was), and neither is the charger while that press is
    unconfirmed: nothing is submitted, and a person is asked to look."""
    order = store.add_order([CASE, CHARGER])
    an_earlier_run_ticked_the_case(tmp_path, order.id)
    batch = write_csv(tmp_path / "orders.csv", [f"{order.id},charger001,,"])

    result = cli("batch", str(batch), "--json")

    after = store.order(order.id)
    assert after.item("Phone Case")["status"] == "ordered", presses(store)
    assert after.item("Charger")["status"] == "ordered"
    assert not presses(store)
    (row,) = result.json["orders"]
    assert result.exit_code == 6 and row["state"] == "needs_human", row
    assert "Phone Case" in row["message"] and "asked for Charger" in row["message"], row["message"]
    assert "nothing was submitted" in row["message"] and f"ordercancel check {order.id}" in row["next_step"]


def test_an_earlier_press_the_order_confirms_is_said_and_the_new_instruction_is_done(store: StoreAdmin, cli: Cli,
                                                                                     tmp_path: Path) -> None:
    """The earlier press took (the order shows the case cancelled): it is recorded, never pressed
    again, and the new instruction (the charger) is the request, pressed once."""
    order = store.add_order([CASE, CHARGER])
    an_earlier_run_ticked_the_case(tmp_path, order.id)
    shopper = Shopper(store.url)
    shopper.sign_in()
    shopper.cancel(order.id, ["caseline01"])  # the earlier run's press, which the store took
    batch = write_csv(tmp_path / "orders.csv", [f"{order.id},charger001,,"])

    result = cli("batch", str(batch), "--json")

    after = store.order(order.id)
    assert after.item("Phone Case")["status"] == "cancelled" and after.item("Charger")["status"] == "cancelled"
    assert presses(store) == [(order.id, ("caseline01",)), (order.id, ("charger001",))]  # the shopper's, and one
    (row,) = result.json["orders"]
    assert result.exit_code == 0 and row["state"] == "cancelled", row
    assert "Charger" in row["message"] and "earlier run's request to cancel Phone Case is confirmed" in row["message"]


def test_an_unconfirmed_earlier_press_is_repeated_only_for_exactly_its_lines(store: StoreAdmin, cli: Cli,
                                                                            tmp_path: Path) -> None:
    """The earlier press is unconfirmed and the user asks again for the case (by its title now): that
    is exactly the line it ticked, which the order still shows ordered; it is pressed for once."""
    order = store.add_order([CASE, CHARGER])
    an_earlier_run_ticked_the_case(tmp_path, order.id)
    batch = write_csv(tmp_path / "orders.csv", [f"{order.id},Phone Case,,"])

    result = cli("batch", str(batch), "--json")

    assert result.exit_code == 0 and result.json["orders"][0]["state"] == "cancelled", result.stdout
    assert presses(store) == [(order.id, ("caseline01",))]
    assert store.order(order.id).item("Charger")["status"] == "ordered"
