"""An order read before and after a run, without a browser: which line is which (the one pairing),
what this run cancelled, and how every output shows it."""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from automation.cli.output import plain_line, print_batch, print_result
from automation.order.items import same_lines
from automation.order.outcome import ItemReport, OrderState, Outcome, Result, StateReport
from automation.order.reader import doubt, since
from automation.runs.batch import BatchSummary, OrderRecord
from automation.runs.journal import Journal, JournalState
from automation.runs.report import RunInfo, write_report


def line(title: str, product: str | None, cancelled: bool = False, item_id: str | None = None,
         quantity: int = 1, price: str = "$1.00") -> ItemReport:
    return ItemReport(title, quantity, price, cancelled, item_id, "Amazon.com", product, cancelled)


# the demo's 113-2345678-2345678 as its two screens show it: the Cancel items page's ids before the
# submit; after it, the details page only, which lists the cancelled lamp last
CABLE, LAMP, MOUSE = (line("USB-C Charging Cable, 2 m", "B03MLLFEME", item_id="jlsmcable01s", quantity=3),
                      line("LED Desk Lamp", "B0I273ZG4H", item_id="jlsmlamp002s"),
                      line("Wireless Mouse", "B0ZTGVFAMU", item_id="jlsmmouse03s"))
BEFORE = [CABLE, LAMP, MOUSE]
AFTER = [replace(CABLE, item_id=None), replace(MOUSE, item_id=None), replace(LAMP, item_id=None, cancelled=True)]


def test_the_lamp_cancelled_and_listed_last_is_the_lamp_cancelled_now() -> None:
    assert same_lines(BEFORE, AFTER) == [0, 2, 1]
    items = since(AFTER, BEFORE)
    assert {i.title: (i.cancelled_before, i.cancelled, i.cancelled_now) for i in items} == {
        "USB-C Charging Cable, 2 m": (False, False, False), "Wireless Mouse": (False, False, False),
        "LED Desk Lamp": (False, True, True)}
    assert doubt(items) == ""


def test_item_ids_pair_lines_of_one_product_whatever_their_order() -> None:
    before = [line("Kettle", "B0KETTLE01", item_id="k1"), line("Kettle", "B0KETTLE01", item_id="k2")]
    after = [replace(before[1], cancelled=True), before[0]]
    assert same_lines(before, after) == [1, 0]


def test_within_a_product_a_line_cancelled_before_stays_the_one_cancelled_before() -> None:
    # one kettle was cancelled last week (listed last); this run cancels the other, a 2-pack
    before = [line("Kettle", "B0KETTLE01", quantity=2), line("Kettle", "B0KETTLE01", cancelled=True)]
    after = [line("Kettle", "B0KETTLE01", cancelled=True), line("Kettle", "B0KETTLE01", True, quantity=2)]
    items = since(after, before)
    assert [(i.quantity, i.cancelled_now) for i in items] == [(1, False), (2, True)]


def test_lines_alike_in_what_the_page_shows_are_told_apart_by_it() -> None:
    before = [line("Kettle", "B0KETTLE01", quantity=1), line("Kettle", "B0KETTLE01", quantity=2)]
    after = [line("Kettle", "B0KETTLE01", quantity=2), line("Kettle", "B0KETTLE01", True, quantity=1)]
    assert same_lines(before, after) == [1, 0]


@pytest.mark.parametrize(("before", "after"), [
    ([line("Kettle", "B0K"), line("Kettle", "B0K")], [line("Kettle", "B0K", True)]),  # a line fewer
    ([line("Kettle", "B0K", True)], [line("Kettle", "B0K")]),  # a cancelled line ordered again
])
def test_screens_that_disagree_leave_the_state_before_unknown_and_say_so(before: list[ItemReport],
                                                                        after: list[ItemReport]) -> None:
    items = since(after, before)
    assert all(i.cancelled_before is None and not i.cancelled_now for i in items)
    assert "disagrees about Kettle" in doubt(items) and "not known" in doubt(items)


def test_the_other_products_keep_their_truth_when_one_product_disagrees() -> None:
    before = [line("Kettle", "B0K"), line("Kettle", "B0K"), line("Teapot", "B0T")]
    after = [line("Kettle", "B0K"), line("Teapot", "B0T", True)]
    assert [i.cancelled_before for i in since(after, before)] == [None, False]


def result(items: list[ItemReport], before: OrderState = OrderState.CANCELLABLE,
           after: OrderState = OrderState.CANCELLABLE, message: str = "cancelled 1 item(s): LED Desk Lamp") -> Result:
    return Result("113-2345678-2345678", Outcome.CANCELLED, message, StateReport(before, "Arriving Friday"),
                  StateReport(after, "Arriving Friday"), items, refund_expected_by="2026-12-08",
                  next_step="nothing to do: refunded (by 2026-12-08)")


def test_every_output_shows_the_same_change(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    done = result(since(AFTER, BEFORE))
    print_result(done, False)
    shown = capsys.readouterr().out
    (lamp,) = [row for row in shown.splitlines() if " x1 " in row and row.endswith("LED Desk Lamp")]
    assert lamp.lstrip().startswith("* cancelled now") and "  * cancelled by this run" in shown
    assert "  state: cancellable -> partly cancelled (Arriving Friday)" in shown  # not "cancellable" alone
    assert shown.count("2026-12-08") == 1  # the refund date once

    record = OrderRecord(done.order_id, 2, "cancelled", done)
    assert plain_line(record).startswith("113-2345678-2345678  cancelled  cancellable -> partly cancelled  ")
    assert [i["cancelled_now"] for i in record.to_json()["items"]] == [False, False, True]
    assert [i["cancelled_now"] for i in done.to_json()["items"]] == [False, False, True]
    write_report(BatchSummary("run1", [record]), tmp_path, RunInfo("batch", "ordercancel batch orders.csv", "run1"))
    page = (tmp_path / "report.html").read_text()
    assert "ordered → cancelled (this run)" in page and "cancellable → partly cancelled" in page


def test_a_disagreement_reads_in_words_and_never_as_cancelled_now(capsys: pytest.CaptureFixture[str]) -> None:
    items = since([line("Kettle", "B0K", True)], [line("Kettle", "B0K"), line("Kettle", "B0K")])
    print_result(result(items, message="cancelled 1 item(s): Kettle" + doubt(items)), False)
    shown = capsys.readouterr().out
    assert "before and after this run disagrees about Kettle, so whether this run cancelled them is not known" in shown
    (kettle,) = [row for row in shown.splitlines() if row.endswith("Kettle")]
    assert kettle.split()[:3] == ["?", "->", "cancelled"] and "cancelled by this run" not in shown


def test_login_says_signed_in(capsys: pytest.CaptureFixture[str]) -> None:
    print_result(Result("", Outcome.CHECKED, "signed in; session saved in /x.json"), False)
    assert capsys.readouterr().out == "signed in; session saved in /x.json\n"


def test_the_outcome_pending_has_one_name_even_in_rows_kept_under_the_old_one(tmp_path: Path) -> None:
    journal = Journal(tmp_path / "journal.sqlite", "store", "me")
    journal.enqueue("113-1234567-1234567", {}, "run1", redo=False)
    journal.mark_checking("113-1234567-1234567", "run1")
    journal.mark_final("113-1234567-1234567", JournalState.DECISION_PENDING, {"outcome": "pending"})
    (kept,) = journal.db.execute("SELECT state FROM orders").fetchone()
    entry = journal.get("113-1234567-1234567")
    journal.close()
    assert kept == "decision_pending" and entry is not None  # the journal's column, as every version wrote it
    record = OrderRecord(entry.order_id, 1, entry.state, Result.from_json(entry.outcome or {}), skipped=True)
    assert record.state == "pending" and record.to_json()["state"] == "pending"
    assert BatchSummary("run2", [record]).counts == {"pending": 1}


def test_a_run_stopped_before_any_order_says_nothing_was_done_once(capsys: pytest.CaptureFixture[str]) -> None:
    stopped = Result("", Outcome.AUTH_FAILED, "sign-in failed, nothing was done: ORDERCANCEL_EMAIL is not set")
    print_batch(BatchSummary("run3", aborted=stopped, duration_ms=1200), False)
    shown = capsys.readouterr().out
    assert shown.count("nothing was done") == 1 and shown.endswith("(run run3, 1.2 s)\n") and "no orders" not in shown
