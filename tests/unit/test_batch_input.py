"""Batch files parsed by their specifications, without a browser."""
from __future__ import annotations

import csv
import io
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from automation.runs.batch_input import BadFile, read_batch

SEPARATORS = ["\u2028", "\u2029", "\u0085", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\r", "\n"]


@pytest.mark.parametrize("separator", SEPARATORS)
@pytest.mark.parametrize("column", ["items", "reason", "note"])
def test_a_separator_in_any_field_makes_the_row_invalid_in_csv(separator: str, column: str) -> None:
    values = {"order_id": "113-1234567-1234567", "items": "Kettle", "reason": "mistake", "note": "ok"}
    values[column] = f"{values[column]}{separator}113-2345678-2345678"
    buffer = io.StringIO(newline="")
    writer = csv.DictWriter(buffer, fieldnames=list(values))
    writer.writeheader()
    writer.writerow(values)

    batch = read_batch(buffer.getvalue().encode(), "orders.csv")

    assert not batch.rows and len(batch.invalid) == 1 and batch.invalid[0].line == 2


@pytest.mark.parametrize("separator", SEPARATORS)
@pytest.mark.parametrize("column", ["items", "reason", "note", "order_id"])
def test_a_separator_in_any_field_makes_the_row_invalid_in_json_lines(separator: str, column: str) -> None:
    values: dict[str, object] = {"order_id": "113-1234567-1234567", "items": ["Kettle"], "reason": "mistake"}
    values[column] = ["Kettle" + separator] if column == "items" else f"x{separator}113-2345678-2345678"
    batch = read_batch((json.dumps(values) + "\n").encode(), "orders.jsonl")
    assert not batch.rows and len(batch.invalid) == 1


def test_json_lines_are_split_on_newline_only() -> None:
    text = '{"order_id": "113-1234567-1234567"}\u2028{"order_id": "113-2345678-2345678"}\n'
    batch = read_batch(text.encode(), "orders.jsonl")
    assert not batch.rows and [r.line for r in batch.invalid] == [1]


@pytest.mark.parametrize("text", ['order_id,note\n113-1234567-1234567,"open\n',
                                  'order_id,note\n113-1234567-1234567,"closed" then more\n'])
def test_a_quoting_error_refuses_the_whole_file(text: str) -> None:
    with pytest.raises(BadFile, match="not valid CSV"):
        read_batch(text.encode(), "orders.csv")


notes = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=40)


@given(st.lists(notes, min_size=1, max_size=5))
def test_whatever_a_note_holds_each_written_row_is_one_row_at_most(written: list[str]) -> None:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow(["order_id", "note"])
    ids = [f"113-{n:07d}-{n:07d}" for n in range(len(written))]
    for order_id, note in zip(ids, written, strict=True):
        writer.writerow([order_id, note])
    try:
        batch = read_batch(buffer.getvalue().encode(), "orders.csv")
    except BadFile as exc:
        assert "NUL" in str(exc) and any("\x00" in n for n in written)
        return
    seen = [r.order_id for r in batch.rows] + [r.order_id for r in batch.invalid if r.order_id]
    assert sorted(seen) == sorted(ids)  # no row appears that was not written, none vanishes
    for row in batch.rows:
        assert row.note is None or row.note == written[ids.index(row.order_id)].strip()


@pytest.mark.parametrize("separator", [";", "\t"])
def test_a_header_written_with_semicolons_or_tabs_is_read_with_them(separator: str) -> None:
    # as a Danish spreadsheet writes CSV (the comma is its decimal mark); quoting stays RFC 4180
    text = separator.join(["order_id", "items", "reason", "note"]) + "\r\n" + separator.join(
        ["113-1234567-1234567", "Kettle|Teapot", "mistake", '"a note; with, both and ""quotes"""']) + "\r\n"
    batch = read_batch(text.encode(), "orders.csv")
    assert not batch.invalid
    (row,) = batch.rows
    assert (row.order_id, row.items, row.note) == ("113-1234567-1234567", ("Kettle", "Teapot"),
                                                   'a note; with, both and "quotes"')


def test_the_separator_is_judged_from_the_header_only() -> None:
    # rows full of semicolons do not make a comma header a semicolon file
    text = 'order_id,note\n113-1234567-1234567,"a;b;c;d"\n113-2345678-2345678,x;y\n'
    batch = read_batch(text.encode(), "orders.csv")
    assert [(r.order_id, r.note) for r in batch.rows] == [("113-1234567-1234567", "a;b;c;d"),
                                                           ("113-2345678-2345678", "x;y")]


def test_a_header_that_names_no_order_id_with_any_separator_is_refused_as_read_with_commas() -> None:
    with pytest.raises(BadFile, match=r"no order_id column \(found: order;items\)"):
        read_batch(b"order;items\n113-1234567-1234567;Kettle\n", "orders.csv")
