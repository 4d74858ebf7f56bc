"""`ordercancel history`: what the tool did, read from the journal; a table on a terminal, plain
lines elsewhere, one JSON object with --json."""
from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import typer

from automation.cli.output import add_row, on_terminal, out, print_json, say_lines, table, wide
from automation.cli.start import journal_path, one_error_path, settings_from
from automation.order.input import parse_order_id
from automation.runs.history import Change, OrderHistory, parse_since, read_history


def history(ctx: typer.Context, since: str | None, order: str | None, journal: Path | None, as_json: bool) -> None:
    with one_error_path(as_json, order or ""):
        cutoff = parse_since(since, datetime.now(UTC)) if since is not None else None
        wanted = parse_order_id(order) if order is not None else None
        settings = settings_from(ctx)
        found = read_history(journal_path(journal, settings), cutoff, wanted)
    if as_json:
        print_json({"orders": [o.to_json() for o in found], "count": len(found),
                    "since": cutoff.isoformat() if cutoff else None})
    elif not found:
        out.print("nothing in the journal" + (f" since {local(cutoff)}" if cutoff else "") +
                  (f" for {wanted}" if wanted else ""))
    elif on_terminal():
        print_table(found)
    else:
        say_lines([line for order in found for line in plain_lines(order)])


def local(at: datetime) -> str:
    """A time as the person reading it keeps time."""
    return at.astimezone().strftime("%Y-%m-%d %H:%M:%S %Z")


def made_by(change: Change) -> str:
    return (change.command or "?") + (f" ({change.rule})" if change.rule else "")


def step(change: Change) -> str:
    return f"{change.from_state} -> {change.to_state}" if change.from_state else change.to_state


def evidence(change: Change) -> list[str]:
    mail = [f"the store's e-mail of {change.mail_sent_at or 'unknown date'} ({change.mail_id})"] if change.mail_id else []
    return change.evidence + ([f"report in {change.report} (run {change.run_id})"] if change.report else []) + mail


def plain_lines(order: OrderHistory) -> list[str]:
    """The order's line (what it is now, by which command), then one line per change, oldest first."""
    lines = [f"{order.order_id}  {order.state}  by {order.command or '?'}" + (f" ({order.rule})" if order.rule else "")
             + ("" if order.changes else f"  (no change recorded; last touched {local(order.last_at)})")]
    for change in order.changes:
        lines.append(f"  {local(change.at)}  {step(change)}  {made_by(change)}  {change.message or ''}".rstrip())
        lines += [f"    evidence: {where}" for where in evidence(change)]
    return lines


def print_table(found: list[OrderHistory]) -> None:
    """On a terminal: a row per change, the order's number on its first; narrower than `WIDE`
    columns, the change and its message share the last column, which folds."""
    columns = ("order", "when", "change", "by", "message") if wide() else ("order", "when", "change")
    grid = table(*columns, title="history, newest order first")
    for order in found:
        for n, change in enumerate(order.changes or [None]):
            first = order.order_id if n == 0 else ""
            if change is None:
                cells = [order.state, order.command or "?", "no change recorded"]
                at = order.last_at
            else:
                where = "; ".join(evidence(change))
                message = (change.message or "") + (f" [evidence: {where}]" if where else "")
                cells = [step(change), made_by(change), message]
                at = change.at
            if wide():
                add_row(grid, first, local(at), *cells)
            else:
                add_row(grid, first, at.astimezone().strftime("%m-%d %H:%M"), f"{cells[0]} by {cells[1]}: {cells[2]}")
    out.print(grid, markup=False)
    say_lines([f"{len(found)} order(s)"])
