"""Cancellations the store decides later: a "pending" answer, a seller's decision, a bundle that
must go whole; `ordercancel follow` reads each to its end. The store's event log is the judge."""
from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from tests.conftest import CliResult
from tests.store_api import StoreAdmin

Cli = Callable[..., CliResult]


def presses(store: StoreAdmin, order_id: str) -> int:
    return sum(1 for e in store.events("cancel_received") if e["order_id"] == order_id)


def test_a_single_cancel_is_journaled_never_pressed_again_followed_and_in_history(store: StoreAdmin, cli: Cli,
                                                                                 tmp_path: Path) -> None:
    order = store.add_order(["Rice Cooker"], decision={"after_minutes": 20, "result": "cancelled"})
    result = cli("cancel", order.id, "--json")
    assert result.exit_code == 0, result.stdout
    assert result.json["outcome"] == "pending"  # not a failure
    assert "'ordercancel follow' reads" in result.json["next_step"] and "batch" not in result.json["next_step"]
    assert store.order(order.id).statuses() == {"ordered"}  # as the live site: still shown as ordered

    again = cli("cancel", order.id, "--json")  # the journal knows it was asked: nothing is pressed again
    assert again.exit_code == 0 and again.json["outcome"] == "pending"
    assert "nothing was pressed again" in again.json["message"]
    batch = tmp_path / "orders.csv"
    batch.write_text(f"order_id\n{order.id}\n")
    assert cli("batch", str(batch), "--json").json["orders"][0]["skipped"] is True
    assert presses(store, order.id) == 1

    store.clock(advance_seconds=21 * 60)  # the store decides
    followed = cli("follow", "--json").json["orders"]
    assert [(o["order_id"], o["state"]) for o in followed] == [(order.id, "cancelled")]
    assert store.order(order.id).statuses() == {"cancelled"} and presses(store, order.id) == 1

    (entry,) = cli("history", "--json").json["orders"]
    assert (entry["order_id"], entry["state"], entry["command"]) == (order.id, "cancelled", "cancel")
    assert [(c["from"], c["to"], c["command"]) for c in entry["changes"]] == [
        ("checking", "submitting", "cancel"), ("submitting", "pending", "cancel"),
        ("pending", "cancelled", "follow")]
    times = [c["at"] for c in entry["changes"]]
    assert times == sorted(times) and entry["changes"][-1]["message"].startswith("The store cancelled")
    plain = cli("history", "--order", order.id, "--since", "1h").stdout  # off a terminal: plain lines
    assert plain.splitlines()[0] == f"{order.id}  cancelled  by cancel"
    assert "pending -> cancelled  follow  The store cancelled" in plain
    bad = cli("history", "--since", "last tuesday")
    assert bad.exit_code == 2 and bad.stderr.startswith("error: --since must be") and len(bad.stderr.splitlines()) == 1


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


def journal_rows(path: Path) -> dict[str, str]:
    with sqlite3.connect(path) as db:
        return dict(db.execute("SELECT order_id, state FROM orders").fetchall())


def test_follow_takes_each_waiting_cancellation_to_its_end(store: StoreAdmin, cli: Cli, tmp_path: Path) -> None:
    accepted = store.add_order(["Record Player"], seller="third_party")
    declined = store.add_order(["Speaker Set"], seller="third_party")
    pending_yes = store.add_order(["Toaster"], decision={"after_minutes": 20, "result": "cancelled"})
    pending_no = store.add_order(["Blender"], decision={"after_minutes": 20, "result": "refused"})
    orders = [accepted.id, declined.id, pending_yes.id, pending_no.id]
    batch = tmp_path / "orders.csv"
    batch.write_text("order_id\n" + "".join(f"{o}\n" for o in orders))
    journal = tmp_path / "state" / "journal.sqlite"

    assert cli("batch", str(batch), "--json").exit_code == 0
    waiting = {accepted.id: "cancellation_requested", declined.id: "cancellation_requested",
               pending_yes.id: "decision_pending", pending_no.id: "decision_pending"}
    assert journal_rows(journal) == waiting

    following = cli("follow", "--json")  # nobody decided yet
    early = following.json
    assert not [line for line in following.logs if line.get("event") == "browser_started"]  # read over plain HTTP
    assert {o["order_id"]: (o["state"], o["outcome"]) for o in early["orders"]} == {
        accepted.id: ("cancellation_requested", "cancellation_requested"),
        declined.id: ("cancellation_requested", "cancellation_requested"),
        pending_yes.id: ("pending", "pending"), pending_no.id: ("pending", "pending")}
    assert all("still waiting" in o["message"] for o in early["orders"]) and journal_rows(journal) == waiting

    store.seller_decides(accepted.id, accept=True)
    store.seller_decides(declined.id, accept=False)
    store.clock(advance_seconds=21 * 60)  # the store decides its pending cancellations
    decided = cli("follow", "--json", "--report", str(tmp_path / "report")).json
    assert {o["order_id"]: o["state"] for o in decided["orders"]} == {
        accepted.id: "cancelled", declined.id: "not_cancellable",
        pending_yes.id: "cancelled", pending_no.id: "not_cancellable"}
    assert decided["exit_code"] == 0
    (no,) = [o for o in decided["orders"] if o["order_id"] == declined.id]
    assert "return it for a refund" in no["next_step"]
    assert journal_rows(journal) == {accepted.id: "cancelled", declined.id: "not_cancellable",
                                     pending_yes.id: "cancelled", pending_no.id: "not_cancellable"}
    with sqlite3.connect(journal) as db:
        changes = db.execute("SELECT order_id, from_state, to_state, at FROM changes WHERE command = 'follow'").fetchall()
    assert {(c[0], c[1], c[2]) for c in changes} == {
        (accepted.id, "cancellation_requested", "cancelled"), (declined.id, "cancellation_requested", "not_cancellable"),
        (pending_yes.id, "decision_pending", "cancelled"), (pending_no.id, "decision_pending", "not_cancellable")}
    assert all(presses(store, o) == 1 for o in orders)  # following never presses anything

    nothing = cli("follow")
    assert nothing.exit_code == 0 and "nothing to follow" in nothing.stdout


def test_a_pending_cancellation_past_the_orders_window_stays_pending_until_the_store_decides(
        store: StoreAdmin, cli: Cli, tmp_path: Path) -> None:
    yes = store.add_order(["Toaster"], decision={"after_minutes": 60, "result": "cancelled"})
    no = store.add_order(["Blender"], decision={"after_minutes": 60, "result": "refused"})
    batch = tmp_path / "orders.csv"
    batch.write_text(f"order_id\n{yes.id}\n{no.id}\n")
    journal = tmp_path / "state" / "journal.sqlite"
    assert cli("batch", str(batch), "--json").exit_code == 0
    pending = {yes.id: "decision_pending", no.id: "decision_pending"}
    assert journal_rows(journal) == pending

    store.clock(advance_seconds=40 * 60)  # both past their 30-minute window; the store decides at 60
    assert all(store.order(o).raw["pending"] and not store.order(o).raw["cancellable"] for o in pending)
    early = cli("follow", "--json").json
    assert {o["order_id"]: (o["state"], o["outcome"]) for o in early["orders"]} == {
        yes.id: ("pending", "pending"), no.id: ("pending", "pending")}
    assert all("still waiting for the store's decision" in o["message"] for o in early["orders"])
    assert journal_rows(journal) == pending and not store.events("pending_decided")

    store.clock(advance_seconds=25 * 60)  # the store decides
    decided = {o["order_id"]: o for o in cli("follow", "--json").json["orders"]}
    assert {o: d["state"] for o, d in decided.items()} == {yes.id: "cancelled", no.id: "not_cancellable"}
    assert "status: Shipped" in decided[no.id]["message"]
    assert journal_rows(journal) == {yes.id: "cancelled", no.id: "not_cancellable"}
    assert {e["order_id"]: e["result"] for e in store.events("pending_decided")} == {yes.id: "cancelled",
                                                                                      no.id: "refused"}
    assert store.order(yes.id).statuses() == {"cancelled"} and store.order(no.id).statuses() == {"ordered"}
    assert presses(store, yes.id) == 1 and presses(store, no.id) == 1  # following never presses anything
    assert "nothing to follow" in cli("follow").stdout


def test_a_request_waiting_over_seven_days_says_whom_to_contact(store: StoreAdmin, cli: Cli, tmp_path: Path) -> None:
    order = store.add_order(["Record Player"], seller="third_party")
    batch = tmp_path / "orders.csv"
    batch.write_text(f"order_id\n{order.id}\n")
    assert cli("batch", str(batch)).exit_code == 0
    journal = tmp_path / "state" / "journal.sqlite"
    with sqlite3.connect(journal) as db:  # the request was made eight days ago
        db.execute("UPDATE orders SET submitted_at = ?", ((datetime.now(UTC) - timedelta(days=8)).isoformat(),))
    (late,) = cli("follow", "--json").json["orders"]
    assert late["message"].startswith("still waiting for the seller's decision, 8 days")
    assert "contact the seller" in late["next_step"]


def test_a_line_cancelled_before_the_request_is_not_the_stores_answer(store: StoreAdmin, cli: Cli,
                                                                    tmp_path: Path) -> None:
    kettle = {"title": "Kettle", "price": "10.00", "product_id": "B0KETTLE01"}
    order = store.add_order([{**kettle, "id": "k1", "status": "cancelled"}, {**kettle, "id": "k2"}],  # k1: last week
                            decision={"after_minutes": 60, "result": "refused"})
    batch = tmp_path / "orders.csv"
    batch.write_text(f"order_id,items\n{order.id},k2\n")
    journal = tmp_path / "state" / "journal.sqlite"
    assert cli("batch", str(batch), "--json").json["orders"][0]["state"] == "pending"

    with sqlite3.connect(journal) as db:
        (chosen,) = db.execute("SELECT chosen FROM orders").fetchone()

    early = cli("follow", "--json").json["orders"][0]  # the store has not decided: the k1 line is no answer
    store.clock(advance_seconds=65 * 60)
    decided = cli("follow", "--json").json["orders"][0]

    assert (early["state"], early["outcome"]) == ("pending", "pending")
    assert '"cancelled_before": 1' in chosen  # what the order showed cancelled before the submit
    assert decided["state"] == "not_cancellable" and journal_rows(journal) == {order.id: "not_cancellable"}
    assert {i["id"]: i["status"] for i in store.order(order.id).raw["items"]} == {"k1": "cancelled", "k2": "ordered"}
