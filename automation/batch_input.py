"""Batch files: CSV with a header or JSON Lines, every row validated before any browser starts."""
from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from automation.orders import BadInput, parse_item_selector, parse_note, parse_order_id
from automation.reasons import CancelReason, parse_reason

COLUMNS = ("order_id", "items", "reason", "note")
MAX_LINE = 64 * 1024
MAX_ITEMS = 50
MAX_BYTES = 256 * 1024 * 1024


class BadFile(ValueError):
    """The whole file is unusable (not UTF-8, binary, no order_id column, too large)."""


@dataclass(frozen=True)
class BatchRow:
    line: int
    order_id: str
    items: tuple[str, ...] = ()
    reason: CancelReason | None = None
    note: str | None = None

    def instructions(self) -> tuple[Any, ...]:
        return (self.items, self.reason, self.note)


@dataclass(frozen=True)
class InvalidRow:
    line: int
    raw: str
    error: str
    order_id: str | None = None


@dataclass
class BatchInput:
    rows: list[BatchRow] = field(default_factory=list)
    invalid: list[InvalidRow] = field(default_factory=list)


def read_batch(data: bytes, name: str = "-") -> BatchInput:
    """Parse a whole batch file. CSV unless the name ends in .jsonl/.ndjson or the text starts with '{'."""
    if len(data) > MAX_BYTES:
        raise BadFile(f"{name} is larger than {MAX_BYTES // (1024 * 1024)} MiB")
    if b"\x00" in data[:8192]:
        raise BadFile(f"{name} looks binary (it holds NUL bytes); expected CSV or JSON Lines")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise BadFile(f"{name} is not UTF-8 (byte {exc.start} cannot be decoded)") from None
    json_lines = name.endswith((".jsonl", ".ndjson")) or (name in ("-", "") and text.lstrip().startswith("{"))
    parsed = _json_lines(text) if json_lines else _csv(text, name)
    return _deduplicate(parsed)


def _numbered(lines: list[str], start: int, rows: list[BatchRow | InvalidRow]) -> Iterator[tuple[int, str]]:
    """The non-blank lines with their numbers; an over-long line becomes an invalid row here."""
    for number, line in enumerate(lines, start=start):
        if not line.strip():
            continue
        if len(line) > MAX_LINE:
            rows.append(InvalidRow(number, line[:80], f"line {number} is longer than {MAX_LINE} characters"))
            continue
        yield number, line


def _csv(text: str, name: str) -> list[BatchRow | InvalidRow]:
    lines = text.splitlines()
    if not lines or not lines[0].strip():
        raise BadFile(f"{name} is empty; expected a header line with order_id")
    header = [h.strip().lower() for h in next(csv.reader([lines[0]]))]
    if "order_id" not in header:
        raise BadFile(f"{name}: the header has no order_id column (found: {', '.join(header)[:120]})")
    unknown = [h for h in header if h not in COLUMNS]
    if unknown:
        raise BadFile(f"{name}: unknown column(s) {', '.join(unknown)[:120]}; expected {', '.join(COLUMNS)}")
    rows: list[BatchRow | InvalidRow] = []
    for number, line in _numbered(lines[1:], 2, rows):
        try:
            values = next(csv.reader(io.StringIO(line), strict=True))
        except csv.Error as exc:
            rows.append(InvalidRow(number, line[:200], f"line {number}: not valid CSV ({exc})"))
            continue
        if len(values) > len(header):
            rows.append(InvalidRow(number, line[:200], f"line {number}: {len(values)} fields, the header has {len(header)}"))
            continue
        record = dict(zip(header, values, strict=False))
        items = [i for i in (record.get("items") or "").split("|") if i.strip()]
        rows.append(_row(number, line, record.get("order_id", ""), items, record.get("reason"), record.get("note")))
    return rows


def _json_lines(text: str) -> list[BatchRow | InvalidRow]:
    rows: list[BatchRow | InvalidRow] = []
    for number, line in _numbered(text.splitlines(), 1, rows):
        try:
            record = json.loads(line)
        except ValueError as exc:
            rows.append(InvalidRow(number, line[:200], f"line {number}: not JSON ({exc.args[0][:80]})"))
            continue
        if not isinstance(record, dict):
            rows.append(InvalidRow(number, line[:200], f"line {number}: expected a JSON object"))
            continue
        unknown = [k for k in record if k not in COLUMNS]
        items = record.get("items") or []
        if isinstance(items, str):
            items = [i for i in items.split("|") if i.strip()]
        if unknown or not isinstance(items, list) or not all(isinstance(i, str) for i in items):
            problem = f"unknown key(s) {', '.join(unknown)[:80]}" if unknown else "items must be a list of strings"
            rows.append(InvalidRow(number, line[:200], f"line {number}: {problem}"))
            continue
        fields = [record.get(k) for k in ("order_id", "reason", "note")]
        if not all(v is None or isinstance(v, str) for v in fields):
            rows.append(InvalidRow(number, line[:200], f"line {number}: order_id, reason and note must be strings"))
            continue
        rows.append(_row(number, line, record.get("order_id") or "", items, record.get("reason"), record.get("note")))
    return rows


def _row(number: int, raw: str, order_id: str, items: list[str], reason: str | None, note: str | None) -> BatchRow | InvalidRow:
    try:
        if len(items) > MAX_ITEMS:
            raise BadInput(f"more than {MAX_ITEMS} items")
        return BatchRow(number, parse_order_id(order_id), tuple(parse_item_selector(i) for i in items),
                        parse_reason(reason) if reason and reason.strip() else None, parse_note(note))
    except BadInput as exc:
        candidate = order_id.strip()
        try:
            known = parse_order_id(candidate)
        except BadInput:
            known = None
        return InvalidRow(number, raw[:200], f"line {number}: {exc}", known)


def _deduplicate(parsed: list[BatchRow | InvalidRow]) -> BatchInput:
    """One order per number: identical repeats collapse; conflicting ones are all invalid."""
    result = BatchInput()
    first: dict[str, BatchRow] = {}
    conflicted: set[str] = set()
    for row in parsed:
        if isinstance(row, InvalidRow):
            result.invalid.append(row)
            continue
        seen = first.get(row.order_id)
        if seen is None:
            first[row.order_id] = row
        elif seen.instructions() != row.instructions():
            conflicted.add(row.order_id)
            result.invalid.append(InvalidRow(row.line, row.order_id, f"line {row.line}: {row.order_id} is also on "
                                             f"line {seen.line} with other items, reason or note", row.order_id))
    for order_id, row in first.items():
        if order_id in conflicted:
            result.invalid.append(InvalidRow(row.line, order_id, f"line {row.line}: {order_id} appears again "
                                             "later with other items, reason or note", order_id))
        else:
            result.rows.append(row)
    result.invalid.sort(key=lambda r: r.line)
    return result
