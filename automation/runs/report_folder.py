"""`--report DIR`: every run's report kept in a folder of its own (`DIR/<UTC start>-<run id>/`),
every run listed in `DIR/runs.jsonl` (a JSON line each: the index's data), `DIR/index.html` made
again from that list after each run (newest first), and `DIR/latest` a symlink to the newest
report. A run that clicked nothing and changed nothing adds its line but no folder."""
from __future__ import annotations

import html
import json
import urllib.parse
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from automation.files import RUN_FOLDER, LockedFile, judge_private_file, replace_symlink, write_private
from automation.language import _, current, ngettext
from automation.logs import get_logger
from automation.order.outcome import Outcome
from automation.runs.report import RunInfo, took, write_report
from automation.text import json_text, printable

if TYPE_CHECKING:  # the batch runner only for its types: a `check` does not load it
    from automation.runs.batch import BatchSummary

RUNS, INDEX, LATEST = "runs.jsonl", "index.html", "latest"
SHOWN_RUNS = 1000  # the index lists this many, newest first; runs.jsonl keeps every run
STILL_WAITING = {Outcome.PENDING, Outcome.CANCELLATION_REQUESTED}  # a follow's row read again, no decision yet


@dataclass(frozen=True)
class RunLine:
    """One run in the index: its line in runs.jsonl."""
    run_id: str
    started: str  # ISO 8601, UTC
    kind: str
    command: str
    counts: dict[str, int]
    exit_code: int
    duration_ms: int
    folder: str | None  # its report folder's name; None: it did nothing, so it has none
    earlier: int = 0  # of its orders, those an earlier run had finished (counted, not done again)

    @classmethod
    def of(cls, summary: BatchSummary, info: RunInfo, folder: str | None) -> RunLine:
        return cls(summary.run_id, info.started.astimezone(UTC).isoformat(), info.kind, info.command,
                   summary.counts, int(summary.exit_code), summary.duration_ms, folder,
                   sum(record.skipped for record in summary.records))

    @classmethod
    def from_json(cls, data: Any) -> RunLine | None:
        """A line read back, or None if it is not one this tool writes (the file is the user's
        too): text stays text, and a folder is linked only if its name is a run folder's."""
        try:
            started = datetime.fromisoformat(data["started"]).astimezone(UTC).isoformat()
            folder = data.get("folder")
            return cls(str(data["run_id"]), started, str(data["kind"]), str(data["command"]),
                       {str(k): int(v) for k, v in dict(data["counts"]).items()}, int(data["exit_code"]),
                       int(data["duration_ms"]), folder if isinstance(folder, str) and RUN_FOLDER.fullmatch(folder)
                       else None, int(data.get("earlier", 0)))
        except (KeyError, TypeError, ValueError, AttributeError, OverflowError):  # Overflow: 1e400, year 9999-01:00
            return None


def check_runs_list(reports: Path) -> None:
    """Before any work: the runs list, if there is one, is a regular file of this user's that no
    one else can write (else one line, exit 2, as for a journal)."""
    path = reports / RUNS
    try:
        info = path.lstat()
    except FileNotFoundError:
        return
    judge_private_file(info, path, "runs list")


def worth_a_report(summary: BatchSummary, kind: str) -> bool:
    """Whether the run did anything to keep a report of. A run that clicked nothing and changed
    nothing did not: no orders, or each one an earlier run's result (skipped), a report rule's
    match (said again by every sweep while the order is open) or, for `follow`, a wait that goes
    on. A run stopped before its orders, a click, a store's answer, a failure, an invalid row: each
    is news; so is what a sweep without --apply would do, which is what such a sweep is run for."""
    if summary.aborted is not None:
        return True
    return any(not record.skipped and record.result.outcome is not Outcome.CHECKED
               and not (kind == "follow" and record.result.outcome in STILL_WAITING) for record in summary.records)


def keep_report(summary: BatchSummary, info: RunInfo, reports: Path) -> Path | None:
    """The run's report written in a folder of its own if it did anything, its line added to the
    runs list, the index made again from the list and `latest` pointed at the newest report, all
    while holding the list's lock (two runs ending at once both appear). Its folder, or None."""
    own = info.folder(reports)
    kept = own.exists() or worth_a_report(summary, info.kind)  # a folder with its screens in is kept
    if kept:
        write_report(summary, own, info)
    line = RunLine.of(summary, info, own.name if kept else None)
    with LockedFile(reports / RUNS, "runs list") as runs:
        runs.append((json_text(asdict(line)) + "\n").encode())
        listed = read_runs(runs.read())
        write_private(reports / INDEX, index_html(listed, reports).encode())
        newest = next((r.folder for r in listed if r.folder and (reports / r.folder).is_dir()), None)
        why = replace_symlink(reports / LATEST, newest) if newest else None
    if why:
        get_logger().warning("report_latest_not_linked", reason=why, hint=f"open {reports / INDEX}: the newest "
                             "report is its first link")
    return own if kept else None


def read_runs(data: bytes) -> list[RunLine]:
    """The runs list, newest first: JSON Lines split on "\\n" only; a line that is not a run's
    (a torn write, an edit: broken, nested 100 000 deep, a count of 1e400) is left out, never fatal."""
    runs = []
    for text in data.decode("utf-8", "replace").split("\n"):
        if text.strip():
            try:
                run = RunLine.from_json(json.loads(text))
            except (ValueError, RecursionError):  # not JSON, or nested deeper than Python's stack
                run = None
            if run is not None:
                runs.append(run)
    return sorted(runs, key=lambda r: datetime.fromisoformat(r.started), reverse=True)


def _escaped(text: str) -> str:
    return html.escape(printable(text))


def _line(run: RunLine, reports: Path) -> str:
    started = datetime.fromisoformat(run.started)
    counts = " · ".join(f"{_escaped(state)} {n}" for state, n in sorted(run.counts.items())) or _escaped(_("no orders"))
    if run.earlier:
        some = _("all from earlier runs") if run.earlier == sum(run.counts.values()) else \
            ngettext("{count} from earlier runs", "{count} from earlier runs", run.earlier).format(count=run.earlier)
        counts += f" <span class=none>({_escaped(some)})</span>"
    if run.folder is None:
        report = "<span class=none>" + _escaped(_("none: nothing clicked or changed")) + "</span>"
    elif (reports / run.folder).is_dir():
        href = html.escape(urllib.parse.quote(f"{run.folder}/report.html"))
        report = f'<a href="{href}">{html.escape(run.folder)}</a>'
    else:
        report = f"<span class=none>{html.escape(run.folder)} " + _escaped(_("(removed)")) + "</span>"
    return (f'<tr data-kind="{_escaped(run.kind)}"><td class=when><time datetime="{html.escape(run.started)}">'
            f"{started:%Y-%m-%d %H:%M:%S} UTC</time></td><td class=kind>{_escaped(run.kind)}</td>"
            f"<td><code>{_escaped(run.command)}</code></td><td>{counts}</td><td>{run.exit_code}</td>"
            f"<td class=took>{took(run.duration_ms)}</td><td>{report}</td></tr>")


STYLE = """
body { font-family: Arial, sans-serif; margin: 24px; color: #0f1111; }
table { border-collapse: collapse; width: 100%; font-size: 13px; }
th, td { border: 1px solid #d5d9d9; padding: 6px; vertical-align: top; text-align: left; }
th { background: #f0f2f2; } .when, .took { white-space: nowrap; } code { overflow-wrap: anywhere; }
.none { color: #565959; }
"""


def index_html(runs: list[RunLine], reports: Path) -> str:
    """The list of runs, newest first, each linked to its report (if it has one)."""
    shown = runs[:SHOWN_RUNS]
    newest = next((r for r in shown if r.folder and (reports / r.folder).is_dir()), None)
    newest_is, none_yet = _escaped(_("Newest report:")), _escaped(_("No report yet."))
    lead = (f'<p>{newest_is} <a href="{html.escape(urllib.parse.quote(f"{newest.folder}/report.html"))}">'
            f"{html.escape(newest.folder)}</a></p>" if newest and newest.folder else f"<p>{none_yet}</p>")
    older_runs = _("{count} older runs are in {file} only.").format(count=len(runs) - SHOWN_RUNS, file=RUNS)
    older = f"<p>{_escaped(older_runs)}</p>" if len(runs) > SHOWN_RUNS else ""
    rows = "\n".join(_line(run, reports) for run in shown)
    title = _escaped(_("ordercancel runs"))
    headings = "".join(f"<th>{_escaped(text)}</th>" for text in (
        _("started"), _("command"), _("command line"), _("outcomes"), _("exit code"), _("took"), _("report")))
    return f"""<!doctype html>
<html lang="{current().language}"><head><meta charset="utf-8"><title>{title}</title>
<meta name="referrer" content="no-referrer">
<style>{STYLE}</style></head><body>
<h1>{title}</h1>
{lead}
<table><thead><tr>{headings}</tr></thead>
<tbody>
{rows}
</tbody></table>
{older}
</body></html>
"""
