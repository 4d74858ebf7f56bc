"""Never the wrong item, never the wrong order, never twice: items are their products, input is
parsed by its specification, and a submit is pressed once per run. The store's event log judges."""
from __future__ import annotations

import sqlite3
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from automation.runs.journal import Journal
from mock_store import seed
from tests.conftest import CliResult
from tests.store_api import Shopper, StoreAdmin

Cli = Callable[..., CliResult]


def presses(store: StoreAdmin) -> Counter[str]:
    """Every press of "Request cancellation" that reached the store, per order."""
    return Counter(e["order_id"] for e in store.events("cancel_received"))


def statuses(store: StoreAdmin, order_id: str) -> dict[str, str]:
    return {i["id"]: i["status"] for i in store.order(order_id).raw["items"]}


# -- items are their products ---------------------------------------------------------------------

def test_a_rerun_never_moves_on_to_an_item_with_a_similar_title(store: StoreAdmin, cli: Cli) -> None:
    order = store.add_order([{"id": "mouse", "title": "Wireless Mouse", "price": "18.00"},
                             {"id": "pad", "title": "Wireless Mouse Pad", "price": "9.00"}])

    first = cli("cancel", order.id, "--item", "Wireless Mouse", "--json")
    again = cli("cancel", order.id, "--item", "Wireless Mouse", "--json")

    assert first.json["outcome"] == "cancelled"
    assert again.exit_code == 0 and again.json["outcome"] == "already_cancelled"
    assert statuses(store, order.id) == {"mouse": "cancelled", "pad": "ordered"}
    assert presses(store) == {order.id: 1}


def test_a_part_of_a_title_that_also_names_a_cancelled_item_is_ambiguous(store: StoreAdmin, cli: Cli) -> None:
    order = store.add_order([{"id": "mouse", "title": "Wireless Mouse", "price": "18.00", "status": "cancelled"},
                             {"id": "pad", "title": "Wireless Mouse Pad", "price": "9.00"}])

    result = cli("cancel", order.id, "--item", "Mouse", "--json")

    assert result.exit_code == 2 and result.json["outcome"] == "bad_input"
    assert "matches 2 items" in result.json["message"] and "(cancelled)" in result.json["message"]
    assert not presses(store)


def test_items_with_one_title_but_different_products_are_told_apart(store: StoreAdmin, cli: Cli) -> None:
    order = store.add_order([{"id": "red", "title": "USB Cable", "price": "5.00", "product_id": "B0CABLERED"},
                             {"id": "blue", "title": "USB Cable", "price": "5.00", "product_id": "B0CABLEBLU"}])

    by_title = cli("cancel", order.id, "--item", "USB Cable", "--json")
    blue = cli("cancel", order.id, "--item", "B0CABLEBLU", "--json")
    blue_again = cli("cancel", order.id, "--item", "b0cableblu", "--json")

    assert by_title.exit_code == 2 and "B0CABLERED" in by_title.json["message"] and \
        "B0CABLEBLU" in by_title.json["message"]
    assert blue.json["outcome"] == "cancelled" and blue_again.json["outcome"] == "already_cancelled"
    assert statuses(store, order.id) == {"red": "ordered", "blue": "cancelled"}
    red = cli("cancel", order.id, "--item", "B0CABLERED", "--json")
    assert red.json["outcome"] == "cancelled" and store.order(order.id).state == "cancelled"
    assert presses(store) == {order.id: 2}
    assert {i["product_id"] for i in red.json["items"]} == {"B0CABLERED", "B0CABLEBLU"}


def test_one_product_twice_is_named_by_its_position_or_its_item_id(store: StoreAdmin, cli: Cli) -> None:
    order = store.add_order([{"id": "first", "title": "Mug", "price": "5.00", "product_id": "B0MUGMUG01"},
                             {"id": "second", "title": "Mug", "price": "5.00", "product_id": "B0MUGMUG01"}])

    both = cli("cancel", order.id, "--item", "B0MUGMUG01", "--json")
    second = cli("cancel", order.id, "--item", "B0MUGMUG01#2", "--json")

    assert both.exit_code == 2 and "first (B0MUGMUG01#1): Mug; second (B0MUGMUG01#2): Mug" in both.json["message"]
    assert second.json["outcome"] == "cancelled"
    assert statuses(store, order.id) == {"first": "ordered", "second": "cancelled"}
    first = cli("cancel", order.id, "--item", "first", "--json")
    assert first.json["outcome"] == "cancelled" and store.order(order.id).state == "cancelled"


# a Cancel items page that lists its lines in the other order than Order Details, as the store may
REORDER = ("const list = document.querySelector('form#cancel-items-form .a-box-group');"
           "if (list) [...list.querySelectorAll('[data-itemid]')].reverse().forEach(box => list.appendChild(box));")
NO_PRICES = "document.querySelectorAll('form#cancel-items-form .item-price').forEach(price => price.remove());"


def test_the_line_asked_for_is_ticked_when_the_form_lists_its_product_in_another_order(store: StoreAdmin,
                                                                                       cli: Cli) -> None:
    order = store.add_order([{"id": "cheap", "title": "USB Cable", "price": "5.00", "product_id": "B0CABLE001"},
                             {"id": "dear", "title": "USB Cable", "price": "500.00", "product_id": "B0CABLE001"}])

    store.faults(inject_script=REORDER + NO_PRICES)  # nothing on the form tells the two lines apart
    blind = cli("cancel", order.id, "--item", "B0CABLE001#2", "--json")
    store.faults(inject_script=REORDER)
    dear = cli("cancel", order.id, "--item", "B0CABLE001#2", "--json")

    assert blind.json["outcome"] == "error" and "nothing is guessed" in blind.json["message"], blind.stdout
    assert dear.json["outcome"] == "cancelled", dear.stdout
    assert statuses(store, order.id) == {"cheap": "ordered", "dear": "cancelled"}
    assert presses(store) == {order.id: 1}


def test_a_product_the_user_names_is_that_product_not_a_line_whose_item_id_looks_like_it(store: StoreAdmin,
                                                                                         cli: Cli) -> None:
    order = store.add_order([{"id": "caseline01", "title": "Phone Case", "price": "9.99", "product_id": "B0CASE0001"},
                             {"id": "B0CASE0001", "title": "Laptop", "price": "2499.00", "product_id": "B0LAPTOP01"}])

    result = cli("cancel", order.id, "--item", "B0CASE0001", "--json")

    assert result.json["outcome"] == "cancelled", result.stdout
    assert statuses(store, order.id) == {"caseline01": "cancelled", "B0CASE0001": "ordered"}


def test_a_resumed_row_asks_for_exactly_the_line_it_ticked(store: StoreAdmin, cli: Cli, tmp_path: Path) -> None:
    """A run died after its click on the mouse; the click took. The next run reads the order and
    records the mouse as cancelled, without pressing again and without touching the pad."""
    order = store.add_order([{"id": "mouse", "title": "Wireless Mouse", "price": "18.00", "product_id": "B0MOUSE001"},
                             {"id": "pad", "title": "Wireless Mouse Pad", "price": "9.00", "product_id": "B0MOUSEPAD"}])
    journal_path = tmp_path / "journal.sqlite"
    journal = Journal(journal_path, urlsplit(store.url).hostname or "", seed.DEMO_EMAIL)
    journal.enqueue(order.id, {"line": 2, "items": ["Wireless Mouse"]}, "deadrun", redo=False)
    journal.mark_checking(order.id, "deadrun")
    journal.mark_submitting(order.id, [{"item_id": "mouse", "product_id": "B0MOUSE001", "title": "Wireless Mouse"}])
    journal.close()
    shopper = Shopper(store.url)
    shopper.sign_in()
    shopper.cancel(order.id, ["mouse"])  # the click of the run that died
    (tmp_path / "orders.csv").write_text(f"order_id,items\n{order.id},Wireless Mouse\n")

    result = cli("batch", str(tmp_path / "orders.csv"), "--journal", str(journal_path), "--json")

    assert result.exit_code == 0, result.stdout
    assert result.json["orders"][0]["state"] == "cancelled"
    assert statuses(store, order.id) == {"mouse": "cancelled", "pad": "ordered"}
    assert presses(store) == {order.id: 1}


# -- input parsed by its specification ---------------------------------------------------------

@pytest.mark.parametrize("separator", ["\u2028", "\u2029", "\u0085", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e"])
def test_a_separator_in_a_note_cannot_smuggle_in_an_order(store: StoreAdmin, cli: Cli, tmp_path: Path,
                                                          separator: str) -> None:
    batch = tmp_path / "orders.csv"
    batch.write_text(f"order_id,items,reason,note\n{seed.DEMO_ORDER},Teapot,mistake,"
                     f"bought twice{separator}113-2345678-2345678\n", encoding="utf-8", newline="")

    strict = cli("batch", str(batch), "--strict")
    lenient = cli("batch", str(batch), "--json")

    assert strict.exit_code == 2 and "1 invalid row and --strict" in strict.stderr
    assert lenient.exit_code == 1 and lenient.json["counts"] == {"invalid": 1}
    assert "control character or a line separator" in lenient.json["orders"][0]["message"]
    assert not presses(store) and store.order("113-2345678-2345678").statuses() == {"ordered"}


def test_a_quoted_line_break_stays_in_its_field_and_the_lines_keep_counting(store: StoreAdmin, cli: Cli,
                                                                           tmp_path: Path) -> None:
    batch = tmp_path / "orders.csv"
    batch.write_text('order_id,items,reason,note\n113-2345678-2345678,,,"two\n113-3456789-3456789"\n'
                     f"{seed.DEMO_ORDER},Teapot,,\n", newline="")

    result = cli("batch", str(batch), "--json")

    lines = {o["order_id"]: (o["line"], o["state"]) for o in result.json["orders"]}
    assert lines == {"113-2345678-2345678": (2, "invalid"), seed.DEMO_ORDER: (4, "cancelled")}
    assert presses(store) == {seed.DEMO_ORDER: 1}


def test_json_lines_split_only_on_newlines(store: StoreAdmin, cli: Cli) -> None:
    stdin = ('{"order_id": "113-2345678-2345678", "note": "x\u2028{\\"order_id\\": \\"113-3456789-3456789\\"}"}\n'
             f'{{"order_id": "{seed.DEMO_ORDER}", "items": ["Teapot"]}}\r\n')

    result = cli("batch", "-", "--json", stdin=stdin)

    assert {o["order_id"]: o["state"] for o in result.json["orders"]} == {
        "113-2345678-2345678": "invalid", seed.DEMO_ORDER: "cancelled"}
    assert presses(store) == {seed.DEMO_ORDER: 1}


@pytest.mark.parametrize("source, fragment", [("/dev/zero", "looks binary"), ("big", "larger than 32 MiB"),
                                              ("nested", "nested too deeply")])
def test_huge_or_hostile_input_is_refused_in_one_line(store: StoreAdmin, cli: Cli, tmp_path: Path, source: str,
                                                      fragment: str) -> None:
    if source == "big":
        path = tmp_path / "orders.csv"
        with path.open("wb") as handle:  # sparse: 300 MiB on paper, nothing on disk
            handle.write(b"order_id\n")
            handle.seek(300 * 1024 * 1024)
            handle.write(b"\n")
        source = str(path)
    elif source == "nested":
        path = tmp_path / "orders.jsonl"
        path.write_text('{"order_id": ' + "[" * 30_000 + "\n")
        source = str(path)

    result = cli("batch", source)

    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert result.exit_code == 2 and len(errors) == 1 and fragment in errors[0], result.stderr[-800:]
    assert "Traceback" not in result.stderr and "MemoryError" not in result.stderr
    assert not store.events("sign_in")


# -- one press per order per run -------------------------------------------------------------------

def test_a_submit_applied_after_the_browser_gave_up_is_pressed_once(store: StoreAdmin, cli: Cli,
                                                                    tmp_path: Path) -> None:
    order = store.add_order(["Kettle", "Teapot"])
    store.faults(apply_cancel_late=[order.id], late_cancel_ms=4000)
    batch = tmp_path / "orders.csv"
    batch.write_text(f"order_id\n{order.id}\n")
    env = {"ORDERCANCEL_SUBMIT_TIMEOUT_S": "1.5"}

    first = cli("batch", str(batch), "--retries", "3", "--json", env=env)
    store.wait_for_state(order.id, "cancelled", timeout_s=20)  # the store acts on its own clock
    second = cli("batch", str(batch), "--json", env=env)

    assert first.json["orders"][0]["state"] == "failed"
    assert "may still act" in first.json["orders"][0]["next_step"]
    assert second.exit_code == 0 and second.json["orders"][0]["state"] == "cancelled"
    assert presses(store) == {order.id: 1}


def test_an_unanswered_cancel_says_to_check_before_trying_again(store: StoreAdmin, cli: Cli) -> None:
    order = store.add_order(["Kettle"])
    store.faults(apply_cancel_late=[order.id], late_cancel_ms=4000)

    result = cli("cancel", order.id, "--json", env={"ORDERCANCEL_SUBMIT_TIMEOUT_S": "1.5"})

    assert result.exit_code == 1 and result.json["outcome"] == "error"
    assert f"ordercancel check {order.id}" in result.json["next_step"]
    assert presses(store) == {order.id: 1}


def test_a_second_run_through_a_symlink_to_the_journal_is_refused(store: StoreAdmin, cli: Cli, tmp_path: Path) -> None:
    real = tmp_path / "real" / "journal.sqlite"
    holder = Journal(real, "127.0.0.1", seed.DEMO_EMAIL, "batch")  # a first run, still going
    (tmp_path / "link").symlink_to(tmp_path / "real")
    (tmp_path / "orders.csv").write_text(f"order_id\n{seed.DEMO_ORDER}\n")
    try:
        result = cli("batch", str(tmp_path / "orders.csv"), "--journal", str(tmp_path / "link" / "journal.sqlite"))
    finally:
        holder.close()

    assert result.exit_code == 2 and "another batch run is using the journal" in result.stderr
    assert not presses(store)


def test_an_invalid_row_never_overwrites_a_row_that_may_have_been_clicked(tmp_path: Path) -> None:
    journal = Journal(tmp_path / "journal.sqlite", "store.example", "a@example.com")
    journal.enqueue(seed.DEMO_ORDER, {"items": []}, "run1", redo=False)
    journal.mark_checking(seed.DEMO_ORDER, "run1")
    journal.mark_submitting(seed.DEMO_ORDER, [{"item_id": "x", "product_id": "B000000001", "title": "X"}])

    journal.mark_invalid(seed.DEMO_ORDER, {"line": 2}, {"outcome": "bad_input"}, "run2")

    assert journal.get(seed.DEMO_ORDER).state == "submitting"  # type: ignore[union-attr]
    journal.close()
    with sqlite3.connect(tmp_path / "journal.sqlite") as db:
        assert db.execute("SELECT state FROM orders").fetchone() == ("submitting",)
