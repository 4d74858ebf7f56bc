"""The commands that work through many orders with a journal: batch, sweep, follow."""
from __future__ import annotations

import sys
from pathlib import Path

import typer

from automation.cli.command_line import command_line
from automation.cli.output import print_invalid_rows
from automation.cli.start import (
    end_run,
    finish,
    journal_path,
    notifying_settings,
    one_error_path,
    progress_for,
    usable_report_folder,
)
from automation.errors import CannotStart
from automation.language import _, ngettext
from automation.runs.batch import BatchOptions, BatchSummary
from automation.runs.batch_input import BatchInput, read_batch, read_source
from automation.runs.report import RunInfo
from automation.runs.run import run_batch


def batch(ctx: typer.Context, file: str, journal: Path | None, concurrency: int | None, retries: int, redo: bool,
          strict: bool, report: Path | None, as_json: bool, notify: list[str] | None, notify_always: bool) -> None:
    info = RunInfo("batch", command_line(ctx))
    with one_error_path(as_json):
        parsed = read_batch_input(file, strict)
        settings = notifying_settings(ctx, notify)
        if report:
            usable_report_folder(report)
        options = BatchOptions(journal_path(journal, settings), concurrency or settings.default_concurrency, retries, redo,
                               info.folder(report) if report else None, file, run_id=info.run_id)
        summary = run_batch(settings, options, parsed, progress=progress_for(settings, as_json))
    end_run(summary, info, settings, report, as_json, notify_always)


def read_batch_input(file: str, strict: bool) -> BatchInput:
    """Every row read and validated before any browser starts; with --strict, any bad row refuses all."""
    parsed = read_batch(read_source(file, sys.stdin.buffer), file)
    if strict and parsed.invalid:
        print_invalid_rows([bad.error for bad in parsed.invalid])
        raise CannotStart(ngettext("{count} invalid row and --strict: nothing was done",
                                   "{count} invalid rows and --strict: nothing was done",
                                   len(parsed.invalid)).format(count=len(parsed.invalid)))
    return parsed


def sweep(ctx: typer.Context, rules_file: Path, apply: bool, max_cancels: int, journal: Path | None,
          report: Path | None, as_json: bool, notify: list[str] | None, notify_always: bool) -> None:
    from automation.runs.rules import read_rules
    from automation.runs.sweep_run import SweepOptions, SweepRun

    info = RunInfo("sweep", command_line(ctx))
    with one_error_path(as_json):
        rules = read_rules(rules_file)
        settings = notifying_settings(ctx, notify)
        if report:
            usable_report_folder(report)
        options = SweepOptions(journal_path(journal, settings), apply, max_cancels,
                               info.folder(report) if report else None, f"sweep {rules_file}", info.run_id)
        found = SweepRun(settings, rules, options, progress_for(settings, as_json)).run()
    if not isinstance(found, BatchSummary):  # the sign-in or the store failed before any decision
        finish(found, as_json)
    end_run(found, info, settings, report, as_json, notify_always, quiet=_("no rule matched any open order"))


def follow(ctx: typer.Context, journal: Path | None, report: Path | None, as_json: bool, notify: list[str] | None,
           notify_always: bool, mailbox: str | None = None) -> None:
    from automation.runs.follow import FollowRun
    from automation.runs.mailbox import mailbox_of

    info = RunInfo("follow", command_line(ctx))
    with one_error_path(as_json):
        if mailbox:
            ctx.obj["mailbox"] = mailbox
        settings = notifying_settings(ctx, notify)
        address = mailbox_of(settings)  # its secret there, before any work
        if report:
            usable_report_folder(report)
        summary = FollowRun(settings, journal_path(journal, settings), info.run_id, address, report).run()
    end_run(summary, info, settings, report, as_json, notify_always,
            quiet=_("nothing to follow: no cancellation in the journal waits for a decision"))
