"""A batch's report: report.html (readable offline, no external assets), results.json, results.csv."""
from __future__ import annotations

import csv
import html
import io
import json
import os
from pathlib import Path

from automation.batch import BatchSummary
from automation.files import ensure_folder, write_private

CSV_FIELDS = ["order_id", "line", "state", "outcome", "state_before", "state_after", "duration_ms", "attempts",
              "skipped", "message", "next_step", "artifacts"]
COLOURS = {"cancelled": "#067d62", "cancellation_requested": "#007185", "already_cancelled": "#067d62",
           "not_cancellable": "#b12704", "not_found": "#b12704", "needs_human": "#c45500", "failed": "#cc0c39",
           "invalid": "#cc0c39"}


def write_report(summary: BatchSummary, folder: Path) -> list[Path]:
    ensure_folder(folder, "report folder")
    data = summary.to_json()
    rows = []
    for order in data["orders"]:
        row = {k: order.get(k) for k in CSV_FIELDS}
        row["artifacts"] = " ".join(order.get("artifacts") or [])
        rows.append(row)
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=CSV_FIELDS)
    writer.writeheader()
    writer.writerows(rows)
    return [
        write_private(folder / "results.json", json.dumps(data, indent=2, ensure_ascii=False).encode()),
        write_private(folder / "results.csv", buffer.getvalue().encode()),
        write_private(folder / "report.html", _html(summary, folder).encode()),
    ]


def _link(path: str, folder: Path) -> str:
    try:
        target = os.path.relpath(path, folder)
    except ValueError:
        target = path
    return f'<a href="{html.escape(target)}">{html.escape(Path(path).name)}</a>'


def _html(summary: BatchSummary, folder: Path) -> str:
    e = html.escape
    counts = " · ".join(f"{e(state)}: {n}" for state, n in sorted(summary.counts.items()))
    lines = []
    for record in summary.records:
        result = record.result
        thumb = (f'<a href="{e(os.path.relpath(record.thumbnail, folder))}"><img src="'
                 f'{e(os.path.relpath(record.thumbnail, folder))}" alt="final screen" width="160"></a>'
                 if record.thumbnail else "")
        artifacts = "<br>".join(_link(p, folder) for p in result.get("artifacts") or [])
        colour = COLOURS.get(record.state, "#0f1111")
        lines.append(
            f"<tr><td>{e(record.order_id)}</td><td>{record.line or ''}</td>"
            f'<td style="color:{colour};font-weight:bold">{e(record.state)}{" (earlier run)" if record.skipped else ""}</td>'
            f"<td>{e(str(result.get('state_before') or ''))}</td><td>{e(str(result.get('state_after') or ''))}</td>"
            f"<td>{result.get('duration_ms') or ''}</td><td>{e(str(result.get('message') or ''))}</td>"
            f"<td>{e(str(result.get('next_step') or ''))}</td><td>{thumb}</td><td>{artifacts}</td></tr>")
    aborted = (f"<p class=aborted>Run stopped before any order: {e(summary.aborted.message)}</p>"
               if summary.aborted else "")
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>ordercancel batch {e(summary.run_id)}</title>
<style>
body {{ font-family: Arial, sans-serif; margin: 24px; color: #0f1111; }}
table {{ border-collapse: collapse; width: 100%; font-size: 13px; }}
th, td {{ border: 1px solid #d5d9d9; padding: 6px; vertical-align: top; text-align: left; }}
th {{ background: #f0f2f2; }} .aborted {{ color: #cc0c39; font-weight: bold; }}
</style></head><body>
<h1>Batch run {e(summary.run_id)}</h1>
<p>{len(summary.records)} orders · {counts} · exit code {summary.exit_code} · {summary.duration_ms} ms</p>
{aborted}
<table><thead><tr><th>order</th><th>line</th><th>outcome</th><th>state before</th><th>state after</th>
<th>ms</th><th>message</th><th>next step</th><th>final screen</th><th>artifacts</th></tr></thead>
<tbody>
{chr(10).join(lines)}
</tbody></table></body></html>
"""
