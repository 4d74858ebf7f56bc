"""What the command line prints: a result, a failure before any work, the list of orders, a
batch's progress and its summary; results on stdout (one JSON document with --json), the rest
(log lines, the progress bar, questions with --json) on stderr, through one console so that a
log line never lands on the bar's line. NO_COLOR or TERM=dumb: not one escape sequence."""
from __future__ import annotations

import os
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from rich import box
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from automation.errors import ExitCode
from automation.language import _, money_text, ngettext, number_text
from automation.marketplace import Marketplace, priced
from automation.order.items import Line
from automation.order.outcome import ItemReport, OrderState, Outcome, Result, state_word
from automation.runs.journal import JournalState
from automation.text import json_text, printable
from pages.your_orders import OrderCard

if TYPE_CHECKING:  # the batch runner only for its types: a `check` does not load it
    from automation.runs.batch import BatchSummary, OrderRecord


def plain_terminal() -> bool:
    """NO_COLOR (set to anything) or a dumb terminal: no colour, no style, no cursor movement."""
    return bool(os.environ.get("NO_COLOR")) or os.environ.get("TERM", "") in ("dumb", "unknown")


# a colour system of None renders no style at all (rich's own NO_COLOR handling keeps bold)
_STYLE: dict[str, Any] = {"color_system": None} if plain_terminal() else {}
out = Console(highlight=False, soft_wrap=True, **_STYLE)
err = Console(stderr=True, highlight=False, soft_wrap=True, **_STYLE)  # log lines, the bar, questions
LOG_STYLES = {"debug": "dim", "warning": "yellow", "error": "bold red", "critical": "bold red"}
# -q: only what failed is printed (and, by the caller, what the exit code means)
only_failures = False
_status: StatusLine | None = None  # the plain progress line being drawn, if any


def log_line(level: str, line: str) -> None:
    """A log line for a person (already printable): above the progress bar while one is drawn."""
    if _status is not None:
        _status.above(line)
    else:
        err.print(line, style=LOG_STYLES.get(level), markup=False, highlight=False)


# On a terminal, tables; otherwise (cron mail, CI logs, `> run.log`) plain lines. Either way an
# order number or an outcome is never cut or wrapped: messages fold, identifiers do not.
def on_terminal() -> bool:
    return out.is_terminal


WIDE = 110  # columns from which a terminal table shows every column; narrower, only the essential ones


def wide() -> bool:
    return out.width >= WIDE


def table(*columns: str, title: str | None = None, folding: int = 1) -> Table:
    """A table whose first columns (order numbers, outcomes, states) never wrap; the last `folding`
    ones (store text: statuses, titles, messages) fold and share the width that is left."""
    grid = Table(title=title, box=box.SIMPLE_HEAD, pad_edge=False, show_edge=False)
    for name in columns[:-folding]:
        grid.add_column(name, no_wrap=True, overflow="ignore")
    for name in columns[-folding:]:
        grid.add_column(name, overflow="fold", ratio=1)
    return grid


def print_json(payload: dict[str, Any]) -> None:
    sys.stdout.write(json_text(payload) + "\n")


# Every line a person reads goes through one of these two: store text in it (titles, status
# texts, the store's messages) is data, so its control characters are shown escaped and its
# brackets are never read as rich markup.
def say_lines(lines: list[str], console: Console = out) -> None:
    """Lines of plain text, each made printable (a line never holds a line break of its own)."""
    if lines:
        console.print("\n".join(printable(line) for line in lines), markup=False, soft_wrap=True)


def add_row(grid: Table, *cells: str, style: str | None = None) -> None:
    grid.add_row(*(printable(cell) for cell in cells), style=style)


def item_state(item: ItemReport) -> str:
    """What became of the line: 'cancelled now' (by this run), 'would cancel', else its change
    ('ordered', 'cancelled', '? -> cancelled' where the order's two reads disagree)."""
    if item.cancelled_now:
        return _("cancelled now")
    if item.would_cancel:
        return _("would cancel")
    return item.change()


def price_of(item: ItemReport) -> str:
    """An item's price as the tool's language writes money, where it was read as an amount; else as the store wrote it."""
    return money_text(item.amount, item.currency) if item.amount and item.currency else item.price or ""


def item_mark(item: ItemReport) -> str:
    """`*` on what this run cancelled, `>` on what a submit would cancel (dry run, not confirmed)."""
    return "*" if item.cancelled_now else ">" if item.would_cancel else ""


def print_items(items: list[ItemReport]) -> None:
    """An order's items: title, quantity, price and state, with what this run changed marked."""
    if not items:
        return
    if on_terminal():
        grid = Table("", _("state"), _("qty"), _("price"), _("item"), box=box.SIMPLE_HEAD, pad_edge=False,
                     show_edge=False)
        for item in items:
            style = "bold green" if item.cancelled_now else "bold" if item.would_cancel else None
            add_row(grid, item_mark(item), item_state(item), str(item.quantity), price_of(item), item.title,
                    style=style)
        out.print(grid, markup=False)
        return
    width = max(len(item_state(i)) for i in items)
    say_lines([f"  {item_mark(item) or ' '} {item_state(item):<{width}}  x{item.quantity}  "
               f"{price_of(item) or '-':>10}  {item.title}" for item in items])


def ask_to_cancel(order_id: str, lines: list[Line], as_json: bool) -> bool:
    """Ask the person at the terminal before a whole order goes: the lines about to be cancelled,
    then `Cancel all N items of ID? [y/N]`. Only y or yes goes on; end of input is no. With --json
    the question goes to stderr, so that stdout keeps its one JSON object."""
    console = err if as_json else out
    count = len(lines)
    offers = ngettext("{order_id}: the store offers to cancel {count} item:",
                      "{order_id}: the store offers to cancel {count} items:", count)
    say_lines([offers.format(order_id=order_id, count=count), *(f"  {line.label(lines)}" for line in lines)], console)
    question = ngettext("Cancel all {count} item of {order_id}? [y/N] ", "Cancel all {count} items of {order_id}? [y/N] ",
                        count)
    try:
        answer = console.input(question.format(count=count, order_id=order_id), markup=False)
    except EOFError:
        return False
    # y or yes in English, and the language's own (j, ja): the question is asked in it
    return answer.strip().lower() in {"y", "yes", _("y"), _("yes")}


def print_result(result: Result, as_json: bool) -> None:
    if as_json:
        print_json(with_cancellable(result))
        return
    if only_failures and result.exit_code is ExitCode.OK:
        return
    lines = [headline(result)]
    # a failure that read nothing is one line, with its fix
    one_line = result.exit_code is not ExitCode.OK and not (result.items or result.before or result.after)
    if one_line and result.next_step:
        lines[0] += f": {result.next_step}"
    shown = result.after or result.before
    if shown:
        lines.append("  " + _("state: {change} ({status})").format(change=result.state_change(),
                                                                    status=shown.status_text))
    say_lines(lines)
    print_items(result.items)
    tail = []
    if any(item.cancelled_now for item in result.items):
        tail.append("  * " + _("cancelled by this run"))
    if any(item.would_cancel for item in result.items):
        tail.append("  > " + _("would be cancelled; nothing was submitted"))
    if result.next_step and not one_line:
        tail.append("  " + _("next: {step}").format(step=result.next_step))
    tail += ["  " + _("artifact: {path}").format(path=path) for path in result.artifacts]
    say_lines(tail)


def headline(result: Result) -> str:
    """The result's first line: order, outcome and message. A command about no one order that went
    as asked (`login`) says only what it did: 'signed in; ...', not 'checked - signed in'."""
    if not result.order_id and result.outcome is Outcome.CHECKED:
        return result.message
    prefix = f"{result.order_id}: " if result.order_id else ""
    return f"{prefix}{result.outcome.value} - {result.message}"


def print_results(results: list[Result], as_json: bool) -> None:
    """Several orders: one JSON array with --json (each element as one order's object), else each in turn."""
    if as_json:
        sys.stdout.write(json_text([with_cancellable(r) for r in results]) + "\n")
        return
    for result in results:
        print_result(result, False)


def with_cancellable(result: Result) -> dict[str, Any]:
    extra = {"cancellable": result.before.state is OrderState.CANCELLABLE} \
        if result.outcome is Outcome.CHECKED and result.before else {}
    return {**result.to_json(), **extra}


def print_failure(message: str, as_json: bool, order_id: str = "") -> None:
    """A failure before any work: one line on stderr, or one JSON object on stdout."""
    if as_json:
        print_json(Result(order_id, Outcome.BAD_INPUT, message, next_step=_("nothing was done; fix the input")).to_json())
    else:
        print(_("error: {message}").format(message=printable(message)), file=sys.stderr)


ITEM_SHOWN = 32  # characters of the first item's title in the orders list


def items_cell(card: OrderCard) -> str:
    """A card's items in one cell: the first title, cut, and "+N more" for the rest."""
    if not card.items:
        return "-"
    first = card.items[0].title or card.items[0].product_id or "?"
    first = first if len(first) <= ITEM_SHOWN else first[:ITEM_SHOWN - 1] + "…"
    return first + (" " + _("+{count} more").format(count=len(card.items) - 1) if len(card.items) > 1 else "")


def print_orders(result: Result, cards: list[OrderCard], as_json: bool, market: Marketplace) -> None:
    rows = []
    for card in cards:
        amount, currency = priced(card.total, market)
        rows.append({"order_id": card.order_id, "placed": card.placed, "total": card.total, "amount": amount,
                     "currency": currency, "status_text": card.status_text, "state": card.state.value,
                     "details_path": card.details_path,
                     "items": [{"title": i.title, "product_id": i.product_id} for i in card.items]})
    if as_json:
        print_json({"outcome": result.outcome.value, "message": result.message, "next_step": result.next_step,
                    "orders": rows, "count": len(rows)})
    elif result.outcome is not Outcome.CHECKED:
        print_result(result, False)
    elif only_failures:
        return
    elif on_terminal():
        # the status and the items share what the order number, state, date and total leave (a
        # status that never wrapped left the items a dozen columns at 120)
        grid = table(_("order"), _("state"), _("placed"), _("total"), _("status"), _("items"), folding=2) if wide() \
            else table(_("order"), _("state"), _("status"))
        for row, card in zip(rows, cards, strict=True):
            extra = [row["placed"], total_of(row)] if wide() else []
            add_row(grid, row["order_id"], state_word(row["state"]), *extra, row["status_text"],
                    *([items_cell(card)] if wide() else []))
        out.print(grid, markup=False)
        say_lines([result.message])
    else:
        say_lines([f"{row['order_id']}  {state_word(row['state'])}  {row['placed']}  {total_of(row) or '-'}  "
                   f"{row['status_text']}  {items_cell(card)}" for row, card in zip(rows, cards, strict=True)] +
                  [result.message])


def total_of(row: dict[str, Any]) -> str:
    """An order's total as the tool's language writes money, where it was read as an amount; else as the store wrote it."""
    return money_text(row["amount"], row["currency"]) if row["amount"] and row["currency"] else row["total"] or ""


class StatusLine:
    """A progress line drawn with carriage returns only, not one escape sequence (NO_COLOR): a
    log line is written over it, and it is drawn again below."""
    WIDTH = 20

    def __init__(self, total: int) -> None:
        self.total, self.done, self.seen = total, 0, Counter[str]()
        self.started, self.shown, self.lock = time.monotonic(), "", threading.RLock()

    def text(self) -> str:
        filled = self.WIDTH * self.done // max(1, self.total)
        took = int(time.monotonic() - self.started)
        counts = " ".join(f"{k}:{v}" for k, v in sorted(self.seen.items())) or "starting"
        bar = f" {'━' * filled}{'─' * (self.WIDTH - filled)} {self.done}/{self.total} {took // 60}:{took % 60:02d}"
        return counts[:max(0, err.width - 1 - len(bar))] + bar  # wider than the terminal, \r would not reach it

    def _write(self, text: str) -> None:
        err.file.write(text)
        err.file.flush()

    def tick(self, record: OrderRecord) -> None:
        with self.lock:
            self.done += 1
            self.seen[record.state] += 1
            self.draw()

    def draw(self) -> None:
        text = self.text()
        self._write("\r" + text.ljust(len(self.shown)))
        self.shown = text

    def above(self, line: str) -> None:
        with self.lock:
            self._write("\r" + line.ljust(len(self.shown)) + "\n")
            self.shown = ""
            self.draw()


@contextmanager
def progress_bar(total: int) -> Iterator[Callable[[OrderRecord], None]]:
    """A bar on the terminal with counts per outcome; yields the callback for each finished order.
    Log lines go above it (`log_line`). With NO_COLOR, a plain line redrawn by carriage returns.
    Transient: once the run ends, the summary says the counts; the bar's last state would say them twice."""
    global _status
    if plain_terminal():
        _status = StatusLine(total)
        _status.draw()
        try:
            yield _status.tick
        finally:
            _status._write("\n")
            _status = None
        return
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=err, transient=True) as bar:
        task = bar.add_task(_("starting"), total=total)
        seen: Counter[str] = Counter()

        def tick(record: OrderRecord) -> None:
            seen[record.state] += 1
            bar.update(task, advance=1, description=" ".join(f"{k}:{v}" for k, v in sorted(seen.items())))
        yield tick


FAILED = (JournalState.FAILED, JournalState.INVALID, JournalState.NEEDS_HUMAN)


def print_batch(summary: BatchSummary, as_json: bool) -> None:
    if as_json:
        print_json(summary.to_json())
        return
    if only_failures:
        say_lines([plain_line(record) for record in summary.records if record.state in FAILED])
        if summary.aborted:
            print_result(summary.aborted, False)
        return
    if on_terminal():
        columns = (_("order"), _("outcome"), _("state"), _("message")) if wide() else \
            (_("order"), _("outcome"), _("message"))
        grid = table(*columns, title=_("run {run_id}").format(run_id=summary.run_id))
        for record in summary.records:
            states = states_of(record.result)
            if wide():
                add_row(grid, record.order_id, outcome_of(record), states, message_of(record.result))
            else:
                changed = "->" in states
                add_row(grid, record.order_id, outcome_of(record),
                        f"{states}: {message_of(record.result)}" if changed else message_of(record.result))
        out.print(grid, markup=False)
    else:
        say_lines([plain_line(record) for record in summary.records])
    if summary.aborted:
        print_result(summary.aborted, False)
    run = _("run {run_id}, {seconds} s").format(run_id=summary.run_id, seconds=number_text(summary.duration_ms / 1000))
    counts = " ".join(f"{k}: {v}" for k, v in sorted(summary.counts.items()))
    # a run stopped before any order has said "nothing was done" in its result already
    say_lines([f"{counts}  ({run})" if counts else f"({run})" if summary.aborted else
               _("no orders") + f"  ({run})"])


def plain_line(record: OrderRecord) -> str:
    states = states_of(record.result)
    return f"{record.order_id}  {outcome_of(record)}  {states + '  ' if states else ''}{message_of(record.result)}"


def outcome_of(record: OrderRecord) -> str:
    return record.state + (" " + _("(earlier run)") if record.skipped else "")


def states_of(result: Result) -> str:
    return result.state_change()


def message_of(result: Result) -> str:
    return result.message + (" " + _("Next: {step}").format(step=result.next_step) if result.next_step else "")


def print_invalid_rows(errors: list[str]) -> None:
    say_lines(errors, err)
