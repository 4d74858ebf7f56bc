"""The one rule that names items, without a browser: what to tick, what is already cancelled."""
from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from automation.order.items import Line, ScreensDisagree, Selector, all_cancelled, lines_of, newly_cancelled, resolve
from automation.order.input import BadInput
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


def test_item_id_then_product_then_title() -> None:
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
