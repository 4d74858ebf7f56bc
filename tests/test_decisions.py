"""Cancellations the store decides later: a "pending" answer, a seller's decision, a bundle that
must go whole; `ordercancel follow` reads each to its end. The store's event log is the judge."""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from tests.conftest import CliResult
from tests.store_api import StoreAdmin

Cli = Callable[..., CliResult]


def presses(store: StoreAdmin, order_id: str) -> int:
    return sum(1 for e in store.events("cancel_received") if e["order_id"] == order_id)


def test_a_pending_answer_is_pending_not_a_failure_and_nothing_is_pressed_again(store: StoreAdmin, cli: Cli,
                                                                                  tmp_path: Path) -> None:
    order = store.add_order(["Rice Cooker"], decision={"after_minutes": 20, "result": "cancelled"})
    result = cli("cancel", order.id, "--json")
    assert result.exit_code == 0, result.stdout
    assert result.json["outcome"] == "pending"
    assert "ordercancel follow" in result.json["next_step"]
    assert store.order(order.id).statuses() == {"ordered"}  # as the live site: still shown as ordered

    batch = tmp_path / "orders.csv"
    batch.write_text(f"order_id\n{order.id}\n")
    first = cli("batch", str(batch), "--json").json
    assert first["orders"][0]["state"] == "decision_pending" and first["exit_code"] == 0
    again = cli("batch", str(batch), "--json").json
    assert again["orders"][0]["skipped"] is True
    assert presses(store, order.id) == 2  # one by `cancel`, one by the batch; the second batch run pressed nothing


def test_a_partial_cancel_of_a_bundle_is_refused_with_the_stores_words(store: StoreAdmin, cli: Cli) -> None:
    order = store.add_order([{"title": "Camera Body", "price": "500.00", "bundle": "kit"},
                             {"title": "Camera Lens", "price": "200.00", "bundle": "kit"},
                             {"title": "Memory Card", "price": "20.00"}])
    result = cli("cancel", order.id, "--item", "Camera Lens", "--json")
    assert result.exit_code == 3, result.stdout
    assert result.json["outcome"] == "not_cancellable"
    assert "All discounted bundle items must be canceled together" in result.json["message"]
    assert result.json["next_step"] == f"cancel the whole order instead: ordercancel cancel {order.id}"
    assert store.order(order.id).statuses() == {"ordered"}

    whole = cli("cancel", order.id, "--json")
    assert whole.json["outcome"] == "cancelled" and store.order(order.id).statuses() == {"cancelled"}
