"""Property-based tests of the parsers: whatever comes in, the answer is a valid value or one clear line."""
from __future__ import annotations

import csv
import io
import json
import urllib.parse
from datetime import date, timedelta

import holidays
from hypothesis import given, settings
from hypothesis import strategies as st

from automation.errors import BadInput
from automation.marketplace import business_days_after
from automation.order.input import parse_item_selector, parse_note, parse_order_id
from automation.order.reasons import NAMES, CancelReason, parse_reason
from automation.runs.batch_input import BadFile, BatchRow, read_batch
from mock_store.app import safe_return_to
from pages.common import is_order_number

digits = st.text(alphabet="0123456789", min_size=7, max_size=7)
order_ids = st.builds(lambda p, a, b: f"{p}-{a}-{b}", st.one_of(st.text("0123456789", min_size=3, max_size=3),
                                                                st.just("D01")), digits, digits)


def one_line(message: str) -> bool:
    return "\n" not in message and "\r" not in message and 0 < len(message) < 400


@given(order_ids, st.text(" \t", max_size=3), st.text(" \t", max_size=3))
def test_every_well_formed_order_number_parses_to_itself(order_id: str, before: str, after: str) -> None:
    assert parse_order_id(before + order_id + after) == order_id


@given(st.text(max_size=60))
def test_any_text_is_an_order_number_or_one_clear_line(text: str) -> None:
    try:
        parsed = parse_order_id(text)
    except BadInput as exc:
        assert one_line(str(exc)) and str(exc).startswith("not an order number")
    else:
        assert is_order_number(parsed) and parsed.isascii()


@given(st.sampled_from(list(CancelReason)), st.data())
def test_every_name_of_a_reason_finds_it(reason: CancelReason, data: st.DataObject) -> None:
    name = data.draw(st.sampled_from([reason.value, *NAMES[reason]]))
    shaped = data.draw(st.sampled_from([name, name.upper(), name.lower(), f"  {name} "]))
    assert parse_reason(shaped) is reason


@given(st.text(max_size=80))
def test_any_text_is_a_reason_or_one_clear_line(text: str) -> None:
    try:
        assert isinstance(parse_reason(text), CancelReason)
    except BadInput as exc:
        assert one_line(str(exc)) and "mistake, too-late" in str(exc)


@given(st.text(max_size=300))
def test_notes_are_short_single_lines_or_refused(text: str) -> None:
    try:
        note = parse_note(text)
    except BadInput as exc:
        assert one_line(str(exc))
    else:
        assert note is None or (len(note) <= 255 and all(ord(c) >= 32 and ord(c) != 127 for c in note))


@given(st.text(max_size=250))
def test_item_selectors_are_clean_or_refused(text: str) -> None:
    try:
        selector = parse_item_selector(text)
    except BadInput as exc:
        assert one_line(str(exc))
    else:
        assert selector and selector == selector.strip() and len(selector) <= 200


@settings(max_examples=200)
@given(st.binary(max_size=2000))
def test_any_bytes_are_a_batch_or_one_clear_line(data: bytes) -> None:
    try:
        batch = read_batch(data, "orders.csv")
    except BadFile as exc:
        assert one_line(str(exc))
    else:
        assert all(is_order_number(r.order_id) and r.line >= 2 for r in batch.rows)
        assert all(one_line(bad.error) and bad.error.startswith(f"line {bad.line}") for bad in batch.invalid)
        assert len({r.order_id for r in batch.rows}) == len(batch.rows)


rows = st.lists(st.tuples(order_ids, st.lists(st.text("abcdefghij XYZ", min_size=1, max_size=12).map(str.strip)
                                              .filter(bool), max_size=3),
                          st.sampled_from(["", "mistake", "Item Price Too High", "OTHER_REASON"])),
                min_size=1, max_size=20, unique_by=lambda r: r[0])


@given(rows, st.booleans())
def test_written_rows_read_back_the_same_in_csv_and_json_lines(written: list[tuple[str, list[str], str]],
                                                               as_json: bool) -> None:
    if as_json:
        data = "".join(json.dumps({"order_id": o, "items": i, "reason": r or None}) + "\n" for o, i, r in written)
        batch = read_batch(data.encode(), "orders.jsonl")
    else:
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(["order_id", "items", "reason"])
        writer.writerows([o, "|".join(i), r] for o, i, r in written)
        batch = read_batch(buffer.getvalue().encode(), "orders.csv")
    assert not batch.invalid
    assert [(r.order_id, list(r.items), r.reason) for r in batch.rows] == [
        (o, [" ".join(x.split()) for x in i], parse_reason(r) if r else None) for o, i, r in written]
    assert all(isinstance(r, BatchRow) for r in batch.rows)


@given(st.text(max_size=100))
def test_the_store_returns_only_to_its_own_paths(target: str) -> None:
    path = safe_return_to(target)
    parsed = urllib.parse.urlsplit(path)
    assert path.startswith("/") and not path.startswith("//") and not parsed.scheme and not parsed.netloc


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 1, 1)), st.integers(min_value=1, max_value=30),
       st.sampled_from(["US", "GB", "DE", "SE"]))
def test_refunds_land_on_a_business_day_that_many_business_days_later(start: date, days: int, country: str) -> None:
    end = business_days_after(start, days, country)
    closed = holidays.country_holidays(country, years=range(start.year, end.year + 1))
    assert end.weekday() < 5 and end not in closed and end > start
    between = [start + timedelta(n) for n in range(1, (end - start).days + 1)]
    assert sum(d.weekday() < 5 and d not in closed for d in between) == days
