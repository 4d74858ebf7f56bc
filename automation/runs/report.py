"""A run's report: report.html (one file plus its screenshots, readable offline, no external
assets, every field escaped), results.json, results.csv; headed by when the run started, its
command line and how long it took, and titled by its command."""
from __future__ import annotations

import csv
import html
import io
import os
import urllib.parse
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from automation.files import ensure_folder, run_folder, write_private
from automation.language import N_, _, current, duration_text, moment_text, ngettext
from automation.order.outcome import ItemReport
from automation.text import json_text, printable
from pages.common import is_order_number
from pages.order_details import OrderDetailsPage

if TYPE_CHECKING:  # the batch runner only for its types: a `check` does not load it
    from automation.runs.batch import BatchSummary, OrderRecord

CSV_FIELDS = ["order_id", "line", "state", "outcome", "state_before", "state_after", "duration_ms", "attempts",
              "skipped", "message", "next_step", "artifacts", "rule"]
ARROW = " → "  # the report is HTML: its before and after read better with a real arrow
COLOURS = {"cancelled": "#067d62", "cancellation_requested": "#007185", "pending": "#2a6fdb", "already_cancelled": "#5f9e8f",
           "would_cancel": "#565959", "not_cancellable": "#b12704", "not_found": "#8c6e00",
           "needs_human": "#c45500", "failed": "#cc0c39", "invalid": "#6f2dbd"}
TITLES = {"batch": N_("Batch run"), "sweep": N_("Sweep run"), "follow": N_("Follow run"), "cancel": N_("Cancel")}


@dataclass(frozen=True)
class RunInfo:
    """What a report says of its run besides its rows, all known when the run starts."""
    kind: str  # the command: batch, sweep, follow
    command: str  # its command line as parsed, with what may hold a secret left out
    run_id: str = field(default_factory=lambda: uuid.uuid4().hex[:12])  # as the runs make theirs
    started: datetime = field(default_factory=lambda: datetime.now(UTC))

    @property
    def title(self) -> str:
        return _(TITLES[self.kind]) if self.kind in TITLES else f"{self.kind.capitalize()} run"

    def folder(self, reports: Path) -> Path:
        """This run's own folder under the reports folder (`files.run_folder`: its start and id)."""
        return run_folder(reports, self.started, self.run_id)

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "command": self.command, "started": self.started.astimezone(UTC).isoformat()}


def escaped(text: str) -> str:
    """Escaped for HTML, and store text's control characters shown as escapes, not carried raw."""
    return html.escape(printable(text))


def _cell(value: Any) -> Any:
    """A CSV field: read in a terminal as often as in a spreadsheet, so store text is made printable,
    and a text a spreadsheet would run as a formula (=, +, -, @) is quoted to stay text."""
    if not isinstance(value, str):
        return value
    value = printable(value)
    return f"'{value}" if value.startswith(("=", "+", "-", "@")) else value


def write_report(summary: BatchSummary, folder: Path, info: RunInfo) -> list[Path]:
    """The run's report, in the folder given (this run's own: `RunInfo.folder`)."""
    ensure_folder(folder, "report folder")
    data = {**summary.to_json(), **info.to_json()}
    rows = []
    for order in data["orders"]:
        row = {k: _cell(order.get(k)) for k in CSV_FIELDS}
        row["artifacts"] = _cell(" ".join(order.get("artifacts") or []))
        rows.append(row)
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=CSV_FIELDS)
    writer.writeheader()
    writer.writerows(rows)
    return [
        write_private(folder / "results.json", json_text(data, indent=2).encode()),
        write_private(folder / "results.csv", buffer.getvalue().encode()),
        write_private(folder / "report.html", _html(summary, folder, info).encode()),
    ]


def _relative(path: str, folder: Path) -> str:
    try:
        return os.path.relpath(path, folder)
    except ValueError:  # another drive
        return path


def _link(path: str, folder: Path) -> str:
    return f'<a href="{escaped(urllib.parse.quote(_relative(path, folder)))}">{escaped(Path(path).name)}</a>'


def _items(items: list[ItemReport]) -> str:
    """Each item with its state before and after; what this run cancelled stands out."""
    rows = []
    this_run = " " + _("(this run)")
    for item in items:
        change, now = item.change(ARROW), item.cancelled_now
        rows.append(f'<li class="{"now" if now else ""}">{escaped(item.title)} '
                    f'<span class=qty>×{item.quantity}</span> '
                    f'<span class=change>{escaped(change)}{escaped(this_run) if now else ""}</span></li>')
    return f"<ul class=items>{''.join(rows)}</ul>" if rows else ""


def _row(record: OrderRecord, folder: Path, store_url: str, rules: bool) -> str:
    result = record.result
    screen = ""
    if record.screen:
        target = escaped(urllib.parse.quote(_relative(record.screen, folder)))
        alt, hint = _("final screen of {order_id}").format(order_id=record.order_id), _("open the full-size screenshot")
        screen = (f'<a class=screen href="{target}" title="{escaped(hint)}">'
                  f'<img src="{target}" alt="{escaped(alt)}" width="240" loading="lazy"></a>')
    # the evidence files, then how long the order took, said so (a bare "370 ms" read as evidence)
    spent = _("took {duration}").format(duration=took(result.duration_ms))
    artifacts = "<br>".join([*(_link(p, folder) for p in result.artifacts), escaped(spent)])
    state = escaped(result.state_change(ARROW))
    link = ""
    if store_url and is_order_number(record.order_id):  # not for invalid rows
        address = store_url + OrderDetailsPage.path_for(record.order_id)
        link = f'<br><a class=store href="{escaped(address)}" rel="noreferrer">' + escaped(_("open in the store")) + "</a>"
    outcome = escaped(record.state) + (escaped(" " + _("(earlier run)")) if record.skipped else "")
    # a sweep's rows are numbered by the sweep, not by a file's lines: its column is the rule that chose each
    second = f"<td class=rule>{escaped(record.rule or '')}</td>" if rules else f"<td>{record.line or ''}</td>"
    return (f'<tr data-outcome="{escaped(record.state)}"><td class=order>{escaped(record.order_id)}{link}</td>'
            f'{second}<td class=outcome style="color:{COLOURS.get(record.state, "#0f1111")}">{outcome}</td>'
            f"<td class=state>{state}</td><td>{_items(result.items)}</td>"
            f"<td>{escaped(result.message)}</td><td>{escaped(result.next_step or '')}</td>"
            f"<td>{screen}</td><td class=artifacts>{artifacts}</td></tr>")


def _bar(counts: Counter[str]) -> str:
    """One bar, a segment per outcome, its width the share of orders."""
    total = sum(counts.values()) or 1
    segments = "".join(
        f'<span style="flex:{n};background:{COLOURS.get(state, "#0f1111")}" title="{escaped(state)}: {n}">'
        f"{escaped(state)} {n}</span>" for state, n in sorted(counts.items(), key=lambda kv: -kv[1]))
    label = ngettext("outcomes of {count} order", "outcomes of {count} orders", total).format(count=total)
    return f'<div class=bar role="img" aria-label="{escaped(label)}">{segments}</div>'


def _filter(counts: Counter[str]) -> str:
    boxes = "".join(f'<label><input type=checkbox name=outcome value="{escaped(state)}" checked> {escaped(state)} ({n})</label>'
                    for state, n in sorted(counts.items()))
    return "<fieldset class=filter><legend>" + escaped(_("Show")) + f"</legend>{boxes}</fieldset>"


SCRIPT = """
for (const box of document.querySelectorAll('.filter input')) {
  box.addEventListener('change', () => {
    const shown = new Set([...document.querySelectorAll('.filter input:checked')].map(b => b.value));
    for (const row of document.querySelectorAll('tbody tr')) row.hidden = !shown.has(row.dataset.outcome);
  });
}
"""

STYLE = """
body { font-family: Arial, sans-serif; margin: 24px; color: #0f1111; }
table { border-collapse: collapse; width: 100%; font-size: 13px; }
th, td { border: 1px solid #d5d9d9; padding: 6px; vertical-align: top; text-align: left; }
th { background: #f0f2f2; }
.order, .outcome, .state { white-space: nowrap; }
.outcome { font-weight: bold; }
.bar { display: flex; height: 28px; border-radius: 6px; overflow: hidden; margin: 12px 0; }
.bar span { color: #fff; font-size: 12px; line-height: 28px; padding: 0 6px; white-space: nowrap; overflow: hidden; }
.filter { border: none; padding: 0; margin: 0 0 12px; } .filter label { margin-right: 14px; }
.items { margin: 0; padding-left: 16px; } .items .now { font-weight: bold; color: #067d62; }
.qty, .change { color: #565959; } .now .change { color: #067d62; }
.screen img { border: 1px solid #d5d9d9; display: block; }
.aborted { color: #cc0c39; font-weight: bold; }
.run { display: grid; grid-template-columns: max-content auto; gap: 4px 12px; margin: 0 0 12px; font-size: 14px; }
.run dt { color: #565959; } .run dd { margin: 0; } .run code { background: #f0f2f2; padding: 1px 4px; }
nav { font-size: 13px; margin-bottom: 8px; }
"""


def took(ms: int) -> str:
    """A run's duration as a person reads it, in the tool's language: 850 ms, 3.1 sec, 2 min 5 sec, 1 hr 4 min."""
    if ms < 1000:
        from babel.units import format_unit  # as `language` writes durations

        return format_unit(ms, "duration-millisecond", length="short", locale=current().locale)
    if ms < 60_000:
        return duration_text(seconds=round(ms / 1000, 1))
    minutes, seconds = divmod(round(ms / 1000), 60)
    return duration_text(minutes=minutes, seconds=seconds) if minutes < 60 else \
        duration_text(hours=minutes // 60, minutes=minutes % 60)


def _run(summary: BatchSummary, info: RunInfo) -> str:
    """When the run started (UTC, and the local time of the machine that ran it), its command line
    and how long it took."""
    utc, local = info.started.astimezone(UTC), info.started.astimezone()
    # UTC as the run's folder names it (the same in every language), then the local time as the language writes it
    local_time = escaped(_("local time"))
    when = (f'<time datetime="{utc.isoformat(timespec="seconds")}">{utc:%Y-%m-%d %H:%M:%S} UTC</time> · '
            f"{escaped(moment_text(local))} {escaped(local.tzname() or '')} (UTC{local:%z}), {local_time}")
    started, command, took_, run = (escaped(word) for word in (_("started"), _("command"), _("took"), _("run")))
    exit_code = escaped(_("exit code {code}").format(code=int(summary.exit_code)))
    return (f"<dl class=run><dt>{started}</dt><dd class=started>{when}</dd>"
            f"<dt>{command}</dt><dd><code class=command>{escaped(info.command)}</code></dd>"
            f"<dt>{took_}</dt><dd class=took>{escaped(took(summary.duration_ms))}</dd>"
            f"<dt>{run}</dt><dd>{escaped(summary.run_id)} · {exit_code}</dd></dl>")


def _html(summary: BatchSummary, folder: Path, info: RunInfo) -> str:
    counts = Counter(summary.counts)
    rules = info.kind == "sweep"
    rows = "\n".join(_row(record, folder, summary.store_url, rules) for record in summary.records)
    stopped = _("Run stopped before any order: {message}").format(message=summary.aborted.message) \
        if summary.aborted else ""
    aborted = f"<p class=aborted>{escaped(stopped)}</p>" if summary.aborted else ""
    tally = " · ".join(f"{escaped(state)}: {n}" for state, n in sorted(counts.items()))
    title = f"{escaped(info.title)} {escaped(summary.run_id)}"
    orders = ngettext("{count} order", "{count} orders", len(summary.records)).format(count=len(summary.records))
    all_runs, nothing = escaped(_("all runs")), escaped(_("nothing to do"))
    headings = "".join(f"<th>{escaped(text)}</th>" for text in (
        _("order"), _("rule") if rules else _("line"), _("outcome"), _("state"), _("items"), _("message"),
        _("next step"), _("final screen"), _("evidence")))
    return f"""<!doctype html>
<html lang="{current().language}"><head><meta charset="utf-8"><title>ordercancel: {title}</title>
<meta name="referrer" content="no-referrer">
<style>{STYLE}</style></head><body>
<nav><a href="../index.html">{all_runs}</a></nav>
<h1>{title}</h1>
{_run(summary, info)}
<p>{escaped(orders)} · {tally or nothing}</p>
{_bar(counts)}
{aborted}
{_filter(counts)}
<table><thead><tr>{headings}</tr></thead>
<tbody>
{rows}
</tbody></table>
<script>{SCRIPT}</script></body></html>
"""
