"""The one rule that names items, without a browser: what to tick, what is already cancelled."""
from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from automation.errors import BadInput
from automation.order.items import (
    Line,
    ScreensDisagree,
    Selector,
    all_cancelled,
    journal_ticked,
    lines_of,
    newly_cancelled,
    resolve,
    ticked_cancelled,
)
from pages.cancel_items import CancellableItem
from pages.order_details import OrderedItem


def ordered(product: str | None, title: str, cancelled: bool = False) -> OrderedItem:
    return OrderedItem(product, title, 1, "$1.00", None, cancelled, None)


def offered(item_id: str, product: str | None, title: str) -> CancellableItem:
    return CancellableItem(item_id, product, title, "$1.00", 1)


MOUSE = ordered("B0MOUSE001", "Wireless Mouse")
PAD = ordered("B0MOUSEPAD", "Wireless Mouse Pad")


def test_an_exact_title_wins_over_a_part_of_another() -> None:
    lines = lines_of([MOUSE, PAD], [offered("m", "B0MOUSE001", "Wireless Mouse"), offered("p", "B0MOUSEPAD", "x")])
    assert [line.item_id for line in resolve([Selector("wireless mouse")], lines)] == ["m"]


def test_a_cancelled_item_is_named_and_never_swapped_for_a_similar_one() -> None:
    lines = lines_of([ordered("B0MOUSE001", "Wireless Mouse", cancelled=True), PAD],
                     [offered("p", "B0MOUSEPAD", "Wireless Mouse Pad")])
    (line,) = resolve([Selector("Wireless Mouse")], lines)
    assert line.cancelled and line.product_id == "B0MOUSE001"
    assert all_cancelled([Selector("Wireless Mouse")], lines)


def test_a_part_of_a_title_is_judged_on_the_whole_order_cancelled_lines_included() -> None:
    lines = lines_of([ordered("B0MOUSE001", "Wireless Mouse", cancelled=True), PAD])
    with pytest.raises(BadInput, match="matches 2 items"):
        resolve([Selector("Mouse")], lines)
    assert not all_cancelled([Selector("Mouse")], lines)


def test_product_then_item_id_then_title() -> None:
    lines = lines_of([ordered("B0AAAAAAA1", "Cable"), ordered("B0AAAAAAA2", "Cable")],
                     [offered("one", "B0AAAAAAA1", "Cable"), offered("two", "B0AAAAAAA2", "Cable")])
    assert resolve([Selector("two")], lines)[0].product_id == "B0AAAAAAA2"
    assert resolve([Selector("b0aaaaaaa1")], lines)[0].item_id == "one"
    with pytest.raises(BadInput, match=r"one \(B0AAAAAAA1\): Cable; two \(B0AAAAAAA2\): Cable"):
        resolve([Selector("Cable")], lines)


def test_one_product_twice_is_told_apart_by_position_among_ordered_lines() -> None:
    lines = lines_of([ordered("B0MUGMUG01", "Mug"), ordered("B0MUGMUG01", "Mug")],
                     [offered("a", "B0MUGMUG01", "Mug"), offered("b", "B0MUGMUG01", "Mug")])
    assert [line.item_id for line in resolve([Selector("B0MUGMUG01#2")], lines)] == ["b"]
    with pytest.raises(BadInput, match="matches no item"):
        resolve([Selector("B0MUGMUG01#3")], lines)


def test_a_line_ticked_before_is_found_by_its_id_or_else_cancelled_by_its_product() -> None:
    ticked = Selector("mouse-line", ticked_product="B0MOUSE001")
    still_there = lines_of([MOUSE, PAD], [offered("mouse-line", "B0MOUSE001", "W"), offered("pad", "B0MOUSEPAD", "P")])
    gone = lines_of([ordered("B0MOUSE001", "Wireless Mouse", cancelled=True), PAD], [offered("pad", "B0MOUSEPAD", "P")])
    assert resolve([ticked], still_there)[0].item_id == "mouse-line"
    assert all_cancelled([ticked], gone)
    assert not all_cancelled([ticked], lines_of([MOUSE, PAD]))  # not cancelled, only not on a form


def test_a_product_id_means_that_product_before_any_lines_item_id() -> None:
    case, laptop = ordered("B0CASE0001", "Phone Case"), ordered("B0LAPTOP01", "Laptop")
    lines = lines_of([case, laptop], [offered("caseline01", "B0CASE0001", "Phone Case"),
                                      offered("B0CASE0001", "B0LAPTOP01", "Laptop")])
    assert [line.title for line in resolve([Selector("B0CASE0001")], lines)] == ["Phone Case"]
    assert [line.title for line in resolve([Selector("b0case0001#1")], lines)] == ["Phone Case"]
    # an item id this tool itself ticked is an item id, whatever product another line has
    assert resolve([Selector("B0CASE0001", ticked_product="B0LAPTOP01")], lines)[0].title == "Laptop"
    # an item id that is no product of the order still names its line
    assert resolve([Selector("caseline01")], lines)[0].title == "Phone Case"


def line(price: str | None, title: str = "USB cable", seller: str | None = None,
         cancelled: bool = False) -> OrderedItem:
    return OrderedItem("B0CABLE001", title, 1, price, seller, cancelled, None)


def form(item_id: str, price: str | None, title: str = "USB cable", quantity: int = 1) -> CancellableItem:
    return CancellableItem(item_id, "B0CABLE001", title, price, quantity)


def test_lines_of_one_product_are_paired_by_what_both_screens_show_not_by_position() -> None:
    by_price = lines_of([line("$5.00"), line("$500.00")], [form("dear", "$500.00"), form("cheap", "$5.00")])
    assert [(x.item_id, x.position) for x in by_price] == [("cheap", 1), ("dear", 2)]
    by_title = lines_of([line("$5.00", "Cable, red"), line("$5.00", "Cable, blue")],
                        [form("blue", None, "Cable,  BLUE"), form("red", None, "Cable, red")])
    assert [x.item_id for x in by_title] == ["red", "blue"]
    by_quantity = lines_of([OrderedItem("B0CABLE001", "USB cable", 3, "$5.00", None, False, None), line("$5.00")],
                           [form("one", "$5.00"), form("three", "$5.00", quantity=3)])
    assert [x.item_id for x in by_quantity] == ["three", "one"]
    alike = lines_of([line("$5.00"), line("$5.00")], [form("b", "$5.00"), form("a", "$5.00")])
    assert [x.item_id for x in alike] == ["b", "a"]  # interchangeable: nothing a rule or a person chooses by differs
    only_one_offered = lines_of([line("$5.00"), line("$500.00")], [form("dear", "$500.00")])
    assert [x.item_id for x in only_one_offered] == [None, "dear"]


@pytest.mark.parametrize("ordered_lines, offered_lines", [
    ([line("$5.00"), line("$500.00")], [form("x", None), form("y", None)]),  # the form shows no price
    ([line("$5.00", seller="A"), line("$5.00", seller="B")], [form("x", "$5.00"), form("y", "$5.00")]),
    ([line("$5.00"), line("$500.00")], [form("x", "$50.00"), form("y", "$5.00")]),  # a price the details lack
    ([line("$5.00"), line("$5.00", cancelled=True)], [form("x", "$5.00"), form("y", "$5.00")]),  # one too many
])
def test_lines_of_one_product_that_cannot_be_told_apart_are_refused_not_guessed(
        ordered_lines: list[OrderedItem], offered_lines: list[CancellableItem]) -> None:
    with pytest.raises(ScreensDisagree):
        lines_of(ordered_lines, offered_lines)


def test_the_stores_answer_is_judged_against_what_was_cancelled_before_the_submit() -> None:
    earlier, waiting = line("$5.00", cancelled=True), line("$5.00")
    read_for_the_click = lines_of([earlier, waiting], [form("k2", "$5.00")])
    ticked = journal_ticked([read_for_the_click[1]], read_for_the_click)
    assert ticked == [{"item_id": "k2", "product": "B0CABLE001", "product_id": "B0CABLE001", "title": "USB cable",
                       "cancelled_before": 1}]
    assert ticked_cancelled(ticked, lines_of([earlier, waiting])) is False  # the earlier line is no answer
    assert ticked_cancelled(ticked, lines_of([earlier, line("$5.00", cancelled=True)])) is True
    old_row = [{k: v for k, v in ticked[0].items() if k != "cancelled_before"}]  # journaled by an older version
    assert ticked_cancelled(old_row, lines_of([earlier, waiting])) is None  # cannot tell: wait, or ask a person
    assert ticked_cancelled(old_row, lines_of([earlier, line("$5.00", cancelled=True)])) is True
    assert ticked_cancelled(old_row, lines_of([line("$5.00"), waiting])) is False
    assert ticked_cancelled([], lines_of([earlier])) is False


def test_the_cancel_page_may_not_offer_what_the_order_does_not_show() -> None:
    with pytest.raises(ScreensDisagree):
        lines_of([MOUSE], [offered("x", "B0SOMETHIN", "Something else")])


def test_newly_cancelled_counts_lines_of_one_product() -> None:
    before = lines_of([ordered("B0MUGMUG01", "Mug", cancelled=True), ordered("B0MUGMUG01", "Mug")])
    after = lines_of([ordered("B0MUGMUG01", "Mug", cancelled=True), ordered("B0MUGMUG01", "Mug", cancelled=True)])
    assert newly_cancelled(before, after) == {"B0MUGMUG01": 1}
    assert not newly_cancelled(before, before)


titles = st.text(alphabet="abcdeMouse Pad", min_size=1, max_size=12)


@given(st.lists(st.tuples(titles, st.booleans()), min_size=1, max_size=6), titles)
def test_a_selector_names_exactly_one_line_or_is_refused(items: list[tuple[str, bool]], selector: str) -> None:
    lines = [Line(f"B0{n:08d}", title, cancelled) for n, (title, cancelled) in enumerate(items)]
    try:
        chosen = resolve([Selector(selector)], lines)
    except BadInput as exc:
        assert "\n" not in str(exc)
    else:
        assert len(chosen) == 1 and chosen[0] in lines
        wanted = selector.casefold()
        exact = [line for line in lines if line.title.casefold() == wanted]
        assert chosen[0] in exact if exact else wanted in chosen[0].title.casefold()
