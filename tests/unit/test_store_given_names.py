"""Order numbers from pages are checked by the one pattern, and files are named after an order by
one function that refuses anything else: pure, no browser."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from automation.errors import BadInput
from automation.files import UnsafeName, artifact_path
from automation.order.input import parse_order_id
from pages import cancel_summary, order_details, your_orders
from pages.common import is_order_number, shown

GOOD = "113-1234567-1234567"
HOSTILE = [
    "",
    "../113-1234567-1234567",
    "../../../x/113-7654321-7654321",
    "/tmp/canary/113-1234567-1234567",
    f"{GOOD}/..",
    f"{GOOD}\x00.png",
    f"{GOOD}\n",
    f"\n{GOOD}",
    f" {GOOD}",
    GOOD + "9" * 5000,
    "１１３-1234567-1234567",  # full-width digits
    "113‐1234567‐1234567",  # Unicode hyphens
    "D02-1234567-1234567",
    "<b>113-1234567-1234567</b>",
]


@pytest.mark.parametrize("number", [GOOD, "D01-1234567-1234567", "999-0000000-0000000"])
def test_order_numbers_are_order_numbers(number: str) -> None:
    assert is_order_number(number) and parse_order_id(f" {number}\t") == number


@pytest.mark.parametrize("text", HOSTILE)
def test_anything_else_is_not_one_for_the_user_or_the_page(text: str) -> None:
    assert not is_order_number(text)
    if text.strip(" \t") != GOOD:
        with pytest.raises(BadInput):
            parse_order_id(text)


def test_an_artifact_is_named_after_a_valid_order_directly_in_its_folder(tmp_path: Path) -> None:
    assert artifact_path(tmp_path, GOOD, "-error.png") == tmp_path / f"{GOOD}-error.png"
    assert artifact_path(tmp_path, GOOD, "-sign-in.html") == tmp_path / f"{GOOD}-sign-in.html"
    assert artifact_path(tmp_path / "screens", GOOD, ".jpg") == tmp_path / "screens" / f"{GOOD}.jpg"
    assert artifact_path(tmp_path, None, "-sign-in.png") == tmp_path / "run-sign-in.png"  # the run's own work
    assert list(tmp_path.iterdir()) == []  # naming makes nothing


@pytest.mark.parametrize("order_id", HOSTILE)
def test_an_id_that_is_not_an_order_number_names_no_file(tmp_path: Path, order_id: str) -> None:
    with pytest.raises(UnsafeName, match="not an order number") as refused:
        artifact_path(tmp_path, order_id, ".jpg")
    assert "\n" not in str(refused.value) and "\x00" not in str(refused.value) and len(str(refused.value)) < 200


@pytest.mark.parametrize("suffix", ["", ".", "-error", "/../x.png", "-../../x.png", "-a/b.png", ".png\x00", ".png\n",
                                    "-Error.png", "-error.png/", "-error .png", "-" + "e" * 5000 + ".png", ".exe.png/"])
def test_a_label_that_is_not_plain_words_and_an_extension_names_no_file(tmp_path: Path, suffix: str) -> None:
    with pytest.raises(UnsafeName):
        artifact_path(tmp_path, GOOD, suffix)


def test_a_name_whose_path_leaves_the_folder_is_refused(tmp_path: Path) -> None:
    """A symlink planted under an artifact's own name points elsewhere: the resolved path is not
    directly in the folder, so the name is refused."""
    (tmp_path / "elsewhere").mkdir()
    os.symlink(tmp_path / "elsewhere" / "x.jpg", tmp_path / f"{GOOD}.jpg")
    with pytest.raises(UnsafeName, match="would not be directly in"):
        artifact_path(tmp_path, GOOD, ".jpg")


def test_shown_escapes_and_cuts_what_failed() -> None:
    assert shown("a\x1b[31mb\nc") == "'a\\x1b[31mb\\nc'"
    assert len(shown("/" * 5000)) == 60 and shown("/" * 5000).endswith("...")


CARD = ('<div class="order-card"><div class="yohtmlc-order-id"><span dir="ltr">{}</span></div>'
        '<div class="delivery-box__primary-text">Arriving Friday</div></div>')


def test_your_orders_returns_only_cards_numbered_with_order_numbers() -> None:
    numbers = [GOOD, "/tmp/canary/113-1234567-1234567", "", "../../../x/" + "9" * 200]
    screen = your_orders.parse("".join(CARD.format(n) for n in numbers))
    assert [c.order_id for c in screen.cards] == [GOOD]
    assert screen.rejected == [shown(n) for n in numbers[1:]]
    assert all(len(n) <= 60 for n in screen.rejected)


def test_order_details_and_cancel_summary_take_no_hostile_number() -> None:
    details = order_details.parse("<div data-component='orderId'>../../x/113-1234567-1234567</div>"
                                  "<div data-component='cancelledOrderBanner'><h4>Cancelled</h4></div>")
    assert details.order_id is None and details.rejected_id == shown("../../x/113-1234567-1234567")
    assert order_details.parse(f"<div data-component='orderId'>{GOOD}</div>").order_id == GOOD
    answer = cancel_summary.parse("", "https://store.test/cancel-summary?orderID=/tmp/x/113-1234567-1234567")
    assert answer.order_id is None and answer.rejected_id == shown("/tmp/x/113-1234567-1234567")
    assert cancel_summary.parse("", f"https://store.test/cancel-summary?orderID={GOOD}").order_id == GOOD
    assert cancel_summary.parse("", "https://store.test/cancel-summary").rejected_id is None


@pytest.mark.parametrize("shown_as, order_id", [
    (f"Order# <bdi>{GOOD}</bdi>", GOOD),
    (f"Order #{GOOD}", GOOD),
    (f"Order placed May 1 Order# {GOOD} Invoice", GOOD),
    ("Order# <bdi>1113-1234567-12345678</bdi>", None),  # a longer number holds no order number
    (f"Order# <bdi>x{GOOD}</bdi>", None),
    (f"Order# <bdi>{GOOD}-2</bdi>", None),
])
def test_the_older_details_markup_reads_the_order_number_as_a_whole_token(shown_as: str, order_id: str | None) -> None:
    details = order_details.parse(f'<div class="order-date-invoice-item">{shown_as}</div>')
    assert details.order_id == order_id
    assert (details.rejected_id is None) == (order_id is not None)


def test_a_cancelled_page_showing_a_hostile_number_is_not_the_order_asked_about() -> None:
    from automation.order.reader import shows_order

    page = "<div data-component='cancelledOrderBanner'><h4>Cancelled</h4></div>"
    assert shows_order(order_details.parse(page), GOOD, address_order=GOOD)  # no number shown: its address
    hostile = order_details.parse(f"<div data-component='orderId'>/tmp/{GOOD}</div>{page}")
    assert not shows_order(hostile, GOOD, address_order=GOOD)
