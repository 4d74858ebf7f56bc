"""Batch files: CSV with a header or JSON Lines, every row validated before any browser starts."""
from __future__ import annotations

import csv
import io
import json
import os
import stat
from dataclasses import dataclass, field
from typing import Any, BinaryIO

from automation.errors import BadInput
from automation.order.input import has_line_break_or_control, parse_item_selector, parse_note, parse_order_id
from automation.order.items import Selector
from automation.order.reasons import CancelReason, parse_reason

COLUMNS = ("order_id", "items", "reason", "note")
DELIMITERS = (",", ";", "\t")  # the first that names the most columns wins; a comma on a tie
MAX_RECORD = 64 * 1024
MAX_ITEMS = 50
MAX_BYTES = 32 * 1024 * 1024
CHUNK = 1024 * 1024
# csv's own limit is 128 KiB per field, and exceeding it is a csv.Error (which refuses the file);
# long records are instead judged per row, below, against MAX_RECORD
csv.field_size_limit(MAX_BYTES)


class BadFile(BadInput):
    """The whole file is unusable (unreadable, not UTF-8, binary, not valid CSV, no order_id column,
    too large); nothing in it is done."""


@dataclass(frozen=True)
class BatchRow:
    line: int
    order_id: str
    items: tuple[str, ...] = ()
    reason: CancelReason | None = None
    note: str | None = None
    rule: str | None = None  # the sweep rule that chose this order
    # the lines a sweep decided on, each by product and position (never an item id or a title);
    # before the click, the lines to tick must be these
    lines: tuple[Selector, ...] = ()
    # a sweep's decision to cancel the whole order: the request ticks every line the form offers,
    # and `lines` (every line still ordered when the sweep decided) is what those must be at the click
    whole_order: bool = False

    def instructions(self) -> tuple[Any, ...]:
        return (self.items, self.lines, self.whole_order, self.reason, self.note)

    def selectors(self) -> list[Selector]:
        """The items to cancel as the item rule resolves them (none: every item offered)."""
        if self.whole_order:
            return []
        return list(self.lines) or [Selector(text) for text in self.items]

    def request(self) -> dict[str, Any]:
        """The row as the journal keeps it."""
        return {"line": self.line, "items": list(self.items), "reason": self.reason, "note": self.note,
                **({"rule": self.rule} if self.rule else {}),
                **({"lines": [{"product": s.product, "nth": s.nth} for s in self.lines]} if self.lines else {}),
                **({"whole_order": True} if self.whole_order else {})}

    @classmethod
    def from_request(cls, order_id: str, request: dict[str, Any]) -> BatchRow:
        """The row again, from what the journal kept of it."""
        lines = tuple(Selector.for_line(str(line["product"]), int(line["nth"])) for line in request.get("lines") or ())
        reason = request.get("reason")
        return cls(0, order_id, tuple(request.get("items") or ()), CancelReason(reason) if reason else None,
                   request.get("note"), request.get("rule"), lines, request.get("whole_order") is True)


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


def read_source(name: str, stdin: BinaryIO) -> bytes:
    """The bytes of a batch file ('-' is standard input), refused before being read whole when it
    is too large, endless (/dev/zero) or binary."""
    try:
        handle = stdin if name == "-" else open(name, "rb")  # noqa: SIM115 (closed below)
    except OSError as exc:
        raise BadFile(f"cannot read {name}: {exc.strerror}") from None
    try:
        if name != "-":
            info = os.fstat(handle.fileno())
            if stat.S_ISDIR(info.st_mode):
                raise BadFile(f"cannot read {name}: Is a directory")
            if stat.S_ISREG(info.st_mode) and info.st_size > MAX_BYTES:
                raise BadFile(f"{name} is larger than {MAX_BYTES // (1024 * 1024)} MiB")
        chunks: list[bytes] = []
        size = 0
        while chunk := handle.read(CHUNK):
            if not chunks and b"\x00" in chunk[:8192]:
                raise BadFile(f"{name} looks binary (it holds NUL bytes); expected CSV or JSON Lines")
            chunks.append(chunk)
            size += len(chunk)
            if size > MAX_BYTES:
                raise BadFile(f"{name} is larger than {MAX_BYTES // (1024 * 1024)} MiB")
        return b"".join(chunks)
    except OSError as exc:
        raise BadFile(f"cannot read {name}: {exc.strerror}") from None
    finally:
        if handle is not stdin:
            handle.close()


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
    parsed = _json_lines(text, name) if json_lines else _csv(text, name)
    return _deduplicate(parsed)


def _csv(text: str, name: str) -> list[BatchRow | InvalidRow]:
    """RFC 4180 through the csv module over the whole text: a quoted field may hold anything, and
    a record may span lines. A quoting error anywhere refuses the whole file."""
    delimiter = _delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    rows: list[BatchRow | InvalidRow] = []
    try:
        first = next(reader, None)
        if not first or not any(h.strip() for h in first):
            raise BadFile(f"{name} is empty; expected a header line with order_id")
        header = [h.strip().lower() for h in first]
        if "order_id" not in header:
            raise BadFile(f"{name}: the header has no order_id column (found: {', '.join(header)[:120]})")
        unknown = [h for h in header if h not in COLUMNS]
        if unknown:
            raise BadFile(f"{name}: unknown column(s) {', '.join(unknown)[:120]}; expected {', '.join(COLUMNS)}")
        line = reader.line_num + 1
        for values in reader:
            number, line = line, reader.line_num + 1  # a record starts on the line after the last one
            if not any(v.strip() for v in values):
                continue
            raw = delimiter.join(values)
            if len(raw) > MAX_RECORD:
                rows.append(InvalidRow(number, raw[:80], f"line {number} is longer than {MAX_RECORD} characters"))
                continue
            if len(values) > len(header):
                rows.append(InvalidRow(number, raw[:200], f"line {number}: {len(values)} fields, the header has "
                                                          f"{len(header)}"))
                continue
            record = dict(zip(header, values, strict=False))
            items = [i for i in (record.get("items") or "").split("|") if i.strip()]
            rows.append(_row(number, raw, record.get("order_id", ""), items, record.get("reason"), record.get("note")))
    except csv.Error as exc:
        raise BadFile(f"{name}: line {reader.line_num}: not valid CSV ({exc}); nothing was done") from None
    return rows


def _delimiter(text: str) -> str:
    """The field separator, judged from the header line only (never guessed from the rows, whose
    notes may hold any of them): the one of comma, semicolon (spreadsheets write it where the
    comma is the decimal mark) and tab with which the header has an order_id column and names the
    most known columns; a comma on a tie, and where none names order_id (the file is then refused
    with the columns it was read as)."""
    header = text.split("\n", 1)[0]
    named: dict[str, int] = {}
    for candidate in DELIMITERS:
        try:
            fields = next(csv.reader([header], delimiter=candidate), [])
        except csv.Error:
            continue
        names = [name.strip().lower() for name in fields]
        if "order_id" in names:
            named[candidate] = sum(name in COLUMNS for name in names)
    return max(named, key=lambda c: named[c]) if named else ","


def _json_lines(text: str, name: str) -> list[BatchRow | InvalidRow]:
    """JSON Lines: one JSON object per line, lines split on \\n only (JSON itself escapes every
    other separator inside strings)."""
    rows: list[BatchRow | InvalidRow] = []
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip(" \t\r"):
            continue
        if len(line) > MAX_RECORD:
            rows.append(InvalidRow(number, line[:80], f"line {number} is longer than {MAX_RECORD} characters"))
            continue
        try:
            record = json.loads(line)
        except RecursionError:
            raise BadFile(f"{name}: line {number} is nested too deeply to be a batch row; nothing was done") from None
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
        fields = {"order_id": order_id, "reason": reason or "", "note": note or "", "items": "".join(items)}
        broken = [key for key, value in fields.items() if has_line_break_or_control(value.strip(" "))]
        if broken:
            raise BadInput(f"the {' and '.join(broken)} field holds a control character or a line separator")
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
