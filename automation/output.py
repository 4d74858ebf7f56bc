"""What the command line prints: a result, a failure before any work, the list of orders, a
batch's progress and its summary. Exactly one JSON object on stdout with --json; logs go to stderr."""
from __future__ import annotations

import json
import sys
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from rich import box
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from automation.batch import BatchSummary, OrderRecord
from automation.marketplace import Marketplace, priced
from automation.outcome import ItemReport, OrderState, Outcome, Result
from pages.your_orders import OrderCard

out = Console(highlight=False, soft_wrap=True)


# On a terminal, tables; otherwise (cron mail, CI logs, `> run.log`) plain lines. Either way an
# order number or an outcome is never cut or wrapped: messages fold, identifiers do not.
def on_terminal() -> bool:
    return out.is_terminal


WIDE = 110  # columns from which a terminal table shows every column; narrower, only the essential ones


def wide() -> bool:
    return out.width >= WIDE


def table(*columns: str, title: str | None = None) -> Table:
    """A table whose first columns (order numbers, outcomes, states) never wrap; the last folds."""
    grid = Table(title=title, box=box.SIMPLE_HEAD, pad_edge=False, show_edge=False)
    for name in columns[:-1]:
        grid.add_column(name, no_wrap=True, overflow="ignore")
    grid.add_column(columns[-1], overflow="fold", ratio=1)
    return grid


def print_json(payload: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(payload, ensure_ascii=False) + "\n")


def item_state(item: ItemReport) -> str:
    if item.cancelled_now:
        return "cancelled now"
    return "cancelled" if item.cancelled else "ordered"


def print_items(items: list[ItemReport]) -> None:
    """An order's items: title, quantity, price and state, with what this run changed marked."""
    if not items:
        return
    if on_terminal():
        grid = Table("", "state", "qty", "price", "item", box=box.SIMPLE_HEAD, pad_edge=False, show_edge=False)
        for item in items:
            style = "bold green" if item.cancelled_now else None
            grid.add_row("*" if item.cancelled_now else "", item_state(item), str(item.quantity), item.price or "",
                         item.title, style=style)
        out.print(grid, markup=False)
        return
    width = max(len(item_state(i)) for i in items)
    for item in items:
        mark = "*" if item.cancelled_now else " "
        out.print(f"  {mark} {item_state(item):<{width}}  x{item.quantity}  {item.price or '-':>10}  {item.title}",
                  markup=False, soft_wrap=True)


def print_result(result: Result, as_json: bool) -> None:
    if as_json:
        print_json(with_cancellable(result))
        return
    lines = [f"{result.order_id}: {result.outcome.value} - {result.message}" if result.order_id
             else f"{result.outcome.value} - {result.message}"]
    if result.before and result.after and result.before != result.after:
        lines.append(f"  state: {result.before.state.value} ({result.before.status_text}) -> "
                     f"{result.after.state.value} ({result.after.status_text})")
    elif result.after or result.before:
        shown = result.after or result.before
        assert shown is not None
        lines.append(f"  state: {shown.state.value} ({shown.status_text})")
    # plain text: titles and store messages may hold brackets that rich would read as markup
    out.print("\n".join(lines), markup=False)
    print_items(result.items)
    tail = []
    if any(item.cancelled_now for item in result.items):
        tail.append("  * cancelled by this run")
    if result.refund_expected_by:
        tail.append(f"  refund expected by {result.refund_expected_by}")
    if result.next_step:
        tail.append(f"  next: {result.next_step}")
    tail += [f"  artifact: {path}" for path in result.artifacts]
    if tail:
        out.print("\n".join(tail), markup=False)


def print_results(results: list[Result], as_json: bool) -> None:
    """Several orders: one JSON array with --json (each element as one order's object), else each in turn."""
    if as_json:
        sys.stdout.write(json.dumps([with_cancellable(r) for r in results], ensure_ascii=False) + "\n")
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
        print_json(Result(order_id, Outcome.BAD_INPUT, message, next_step="nothing was done; fix the input").to_json())
    else:
        print(f"error: {message}", file=sys.stderr)


def print_orders(result: Result, cards: list[OrderCard], as_json: bool, market: Marketplace) -> None:
    rows = []
    for card in cards:
        amount, currency = priced(card.total, market)
        rows.append({"order_id": card.order_id, "placed": card.placed, "total": card.total, "amount": amount,
                     "currency": currency, "status_text": card.status_text, "state": card.state.value,
                     "details_path": card.details_path})
    if as_json:
        print_json({"outcome": result.outcome.value, "message": result.message, "orders": rows, "count": len(rows)})
    elif result.outcome is not Outcome.CHECKED:
        print_result(result, False)
    elif on_terminal():
        grid = table("order", "state", "placed", "total", "status") if wide() else table("order", "state", "status")
        for row in rows:
            extra = [row["placed"], row["total"] or ""] if wide() else []
            grid.add_row(row["order_id"], row["state"], *extra, row["status_text"])
        out.print(grid, markup=False)
        out.print(f"{len(rows)} orders", markup=False)
    else:
        for row in rows:
            out.print(f"{row['order_id']}  {row['state']}  {row['placed']}  {row['total'] or '-'}  {row['status_text']}",
                      markup=False, soft_wrap=True)
        out.print(f"{len(rows)} orders", markup=False)


@contextmanager
def progress_bar(total: int) -> Iterator[Callable[[OrderRecord], None]]:
    """A bar on the terminal with counts per outcome; yields the callback for each finished order."""
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=Console(stderr=True)) as bar:
        task = bar.add_task("starting", total=total)
        seen: Counter[str] = Counter()

        def tick(record: OrderRecord) -> None:
            seen[record.state] += 1
            bar.update(task, advance=1, description=" ".join(f"{k}:{v}" for k, v in sorted(seen.items())))
        yield tick


def print_batch(summary: BatchSummary, as_json: bool) -> None:
    if as_json:
        print_json(summary.to_json())
        return
    if on_terminal():
        columns = ("order", "outcome", "state", "message") if wide() else ("order", "outcome", "message")
        grid = table(*columns, title=f"run {summary.run_id}")
        for record in summary.records:
            states = states_of(record.result)
            if wide():
                grid.add_row(record.order_id, outcome_of(record), states, message_of(record.result))
            else:
                changed = "->" in states
                grid.add_row(record.order_id, outcome_of(record),
                             f"{states}: {message_of(record.result)}" if changed else message_of(record.result))
        out.print(grid, markup=False)
    else:
        for record in summary.records:
            states = states_of(record.result)
            out.print(f"{record.order_id}  {outcome_of(record)}  {states + '  ' if states else ''}"
                      f"{message_of(record.result)}", markup=False, soft_wrap=True)
    if summary.aborted:
        print_result(summary.aborted, False)
    counts = " ".join(f"{k}: {v}" for k, v in sorted(summary.counts.items())) or "no orders"
    out.print(f"{counts}  (run {summary.run_id}, {summary.duration_ms / 1000:.1f} s)", markup=False)


def outcome_of(record: OrderRecord) -> str:
    return record.state + (" (earlier run)" if record.skipped else "")


def states_of(result: dict[str, Any]) -> str:
    before, after = result.get("state_before"), result.get("state_after")
    if not before and not after:
        return ""
    return str(before) if before == after else f"{before or '?'} -> {after or '?'}"


def message_of(result: dict[str, Any]) -> str:
    message = str(result.get("message") or "")
    return message + (f" Next: {result['next_step']}" if result.get("next_step") else "")


def print_invalid_rows(errors: list[str]) -> None:
    console = Console(stderr=True)
    for error in errors:
        console.print(error, markup=False)
