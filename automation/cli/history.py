"""`ordercancel history`: what the tool did, read from the journal; a table on a terminal, plain
lines elsewhere, one JSON object with --json."""
from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import typer

from automation.cli.output import add_row, on_terminal, out, print_json, say_lines, table, wide
from automation.cli.start import journal_path, one_error_path, settings_from
from automation.language import _, ngettext
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
        out.print(_("nothing in the journal") + (" " + _("since {time}").format(time=local(cutoff)) if cutoff else "") +
                  (" " + _("for {order_id}").format(order_id=wanted) if wanted else ""), markup=False)
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
    mail = [_("the store's e-mail of {date} ({mail_id})").format(date=change.mail_sent_at or _("unknown date"),
                                                                  mail_id=change.mail_id)] if change.mail_id else []
    report = [_("report in {folder} (run {run_id})").format(folder=change.report, run_id=change.run_id)]
    return change.evidence + (report if change.report else []) + mail


def plain_lines(order: OrderHistory) -> list[str]:
    """The order's line (what it is now, by which command), then one line per change, oldest first."""
    lines = [f"{order.order_id}  {order.state}  " + _("by {command}").format(command=order.command or "?")
             + (f" ({order.rule})" if order.rule else "")
             + ("" if order.changes else "  " + _("(no change recorded; last touched {time})").format(
                 time=local(order.last_at)))]
    for change in order.changes:
        lines.append(f"  {local(change.at)}  {step(change)}  {made_by(change)}  {change.message or ''}".rstrip())
        lines += ["    " + _("evidence: {where}").format(where=where) for where in evidence(change)]
    return lines


def print_table(found: list[OrderHistory]) -> None:
    """On a terminal: a row per change, the order's number on its first; narrower than `WIDE`
    columns, the change and its message share the last column, which folds."""
    columns = (_("order"), _("when"), _("change"), _("by"), _("message")) if wide() else \
        (_("order"), _("when"), _("change"))
    grid = table(*columns, title=_("history, newest order first"))
    for order in found:
        for n, change in enumerate(order.changes or [None]):
            first = order.order_id if n == 0 else ""
            if change is None:
                cells = [order.state, order.command or "?", _("no change recorded")]
                at = order.last_at
            else:
                where = "; ".join(evidence(change))
                message = (change.message or "") + (" [" + _("evidence: {where}").format(where=where) + "]" if where else "")
                cells = [step(change), made_by(change), message]
                at = change.at
            if wide():
                add_row(grid, first, local(at), *cells)
            else:
                add_row(grid, first, at.astimezone().strftime("%m-%d %H:%M"),
                        _("{change} by {command}: {message}").format(change=cells[0], command=cells[1], message=cells[2]))
    out.print(grid, markup=False)
    say_lines([ngettext("{count} order", "{count} orders", len(found)).format(count=len(found))])
