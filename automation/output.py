"""What the command line prints: a result, a failure before any work, the list of orders, a
batch's progress and its summary. Exactly one JSON object on stdout with --json; logs go to stderr."""
from __future__ import annotations

import json
import sys
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from automation.batch import BatchSummary, OrderRecord
from automation.outcome import OrderState, Outcome, Result
from pages.your_orders import OrderCard

out = Console(highlight=False, soft_wrap=True)


def print_json(payload: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(payload, ensure_ascii=False) + "\n")


def print_result(result: Result, as_json: bool) -> None:
    if as_json:
        print_json(with_cancellable(result))
        return
    lines = [f"{result.order_id}: {result.outcome.value} — {result.message}"]
    if result.before:
        lines.append(f"  before: {result.before.state.value} ({result.before.status_text})")
    if result.after:
        lines.append(f"  after:  {result.after.state.value} ({result.after.status_text})")
    for item in result.items:
        mark = "cancelled" if item.cancelled else "ordered"
        lines.append(f"  - {item.title} ×{item.quantity} {item.price or ''} [{mark}]")
    if result.refund_expected_by:
        lines.append(f"  refund expected by {result.refund_expected_by}")
    if result.next_step:
        lines.append(f"  next: {result.next_step}")
    lines += [f"  artifact: {path}" for path in result.artifacts]
    # plain text: titles and store messages may hold brackets that rich would read as markup
    out.print("\n".join(lines), markup=False)


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


def print_orders(result: Result, cards: list[OrderCard], as_json: bool) -> None:
    rows = [{"order_id": c.order_id, "placed": c.placed, "total": c.total, "status_text": c.status_text,
             "state": c.state.value, "details_path": c.details_path} for c in cards]
    if as_json:
        print_json({"outcome": result.outcome.value, "message": result.message, "orders": rows, "count": len(rows)})
    elif result.outcome is Outcome.CHECKED:
        table = Table("order", "placed", "total", "state", "status")
        for row in rows:
            table.add_row(row["order_id"], row["placed"], row["total"] or "", row["state"], row["status_text"])
        out.print(table)
    else:
        print_result(result, False)


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
    table = Table("order", "line", "outcome", "before", "after", "ms", "message", title=f"run {summary.run_id}")
    for record in summary.records:
        r = record.result
        table.add_row(record.order_id, str(record.line or ""), record.state + (" (earlier)" if record.skipped else ""),
                      str(r.get("state_before") or ""), str(r.get("state_after") or ""),
                      str(r.get("duration_ms") or ""), str(r.get("message") or ""))
    out.print(table, markup=False)
    if summary.aborted:
        print_result(summary.aborted, False)
    out.print(" ".join(f"{k}: {v}" for k, v in sorted(summary.counts.items())) or "no orders", markup=False)


def print_invalid_rows(errors: list[str]) -> None:
    console = Console(stderr=True)
    for error in errors:
        console.print(error, markup=False)
