"""What every command does around its work: the settings built once, the folders it will write
checked, the one error path for what stops it before any work, and the one ending of a run
(report, summary, notifications, exit code)."""
from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import typer
from pydantic import ValidationError

from automation.cli import output
from automation.cli.output import err, log_line, out, print_batch, print_failure, print_result, progress_bar, say_lines
from automation.errors import CannotStart, ToolError
from automation.files import ensure_folder, open_log_file
from automation.language import _, chosen, use
from automation.logs import configure, get_logger
from automation.order.outcome import Result
from automation.runs.notify import check_urls, holds_secret, send
from automation.runs.report import RunInfo
from automation.runs.report_folder import INDEX, check_runs_list, keep_report
from automation.settings import SECRET_VARIABLES, Settings, forget_secret_variables, trusted_env_file
from automation.words import rejected

if TYPE_CHECKING:  # the batch runner only for its types: a `check` does not load it
    from automation.runs.batch import BatchSummary
    from automation.runs.run import Progress

# the option that sets a setting, where one does (the others are ORDERCANCEL_* variables only)
OPTION_OF = {"base_url": "--base-url", "headless": "--headed/--headless", "slow_mo_ms": "--slow-mo",
             "min_interval": "--min-interval", "marketplace": "--marketplace", "language": "--language",
             "log_format": "--log-format", "log_file": "--log-file", "artifacts_dir": "--artifacts-dir",
             "state_dir": "--state-dir", "notify": "--notify"}
# -q, nothing, -v, -vv: the least level of a log line shown to the person
LEVEL_OF = {-1: logging.ERROR, 0: logging.WARNING, 1: logging.INFO, 2: logging.DEBUG}


@contextmanager
def one_error_path(as_json: bool, order_id: str = "") -> Iterator[None]:
    """The one way a command fails before any work: one `error:` line on stderr (or one JSON
    object on stdout with --json) and its exit code. An error raised once work has started is
    not caught here: the run reports it as an order's outcome or in its summary."""
    try:
        yield
    except ToolError as exc:
        if not exc.before_work:
            raise
        print_failure(str(exc), as_json, order_id)
        raise typer.Exit(int(exc.exit_code)) from None


def _settings(values: dict[str, Any], env_file: Path | None) -> Settings:
    try:
        return Settings(_env_file=env_file, **values)
    except ValidationError as exc:
        first = exc.errors()[0]
        name = ".".join(str(p) for p in first["loc"]) or "settings"
        names = ", ".join(n for n in (OPTION_OF.get(name), f"ORDERCANCEL_{name.upper()}") if n)
        secret = f"ORDERCANCEL_{name.upper()}" in SECRET_VARIABLES
        raise CannotStart(rejected(first, f"bad setting {name} ({names})", secret=secret)) from None


def settings_from(ctx: typer.Context, **extra: Any) -> Settings:
    """The run's settings, built once: options, then ORDERCANCEL_* variables, then the one trusted
    .env file (--env-file, else STATE_DIR/.env), then defaults. Secret variables are then removed
    from this process's environment, so that no browser process inherits them."""
    values = {**ctx.obj, **extra}
    explicit: Path | None = ctx.meta.get("env_file")
    candidate = explicit or _settings(values, None).state_dir / ".env"
    env_file = trusted_env_file(candidate) if explicit or candidate.exists() else None
    settings = _settings(values, env_file)
    forget_secret_variables()
    use(*chosen(settings.language, os.environ))  # as the options chose it, or an env file's ORDERCANCEL_LANGUAGE
    start_logs(settings, ctx.meta.get("verbosity", 0))
    here = Path(".env")
    if here.exists() and (env_file is None or here.resolve() != env_file.resolve()):
        get_logger().warning("env_file_ignored", path=str(here.resolve()),
                             hint="a .env in the working folder is not read; pass --env-file .env to use it")
    usable_folder(settings.state_dir, "state folder")
    usable_folder(settings.artifacts_path, "artifacts folder")
    return settings


def start_logs(settings: Settings, verbosity: int) -> None:
    """Log lines where they were asked for: a person's (warnings and errors; -v info, -vv debug,
    -q errors only) through the console the progress bar is drawn on, or JSON lines on stderr
    (--log-format json); and JSON lines appended to --log-file, a file created 0600."""
    log_file = None
    if settings.log_file:
        try:
            log_file = open_log_file(settings.log_file)
        except OSError as exc:
            raise CannotStart(f"cannot use the log file {settings.log_file}: {exc.strerror or exc}") from None
    configure(settings.log_format, LEVEL_OF[max(-1, min(2, verbosity))], person=log_line, log_file=log_file)
    output.only_failures = verbosity < 0


def notifying_settings(ctx: typer.Context, notify: list[str] | None) -> Settings:
    """The settings of a command that may notify, its notification URLs checked before any work."""
    settings = settings_from(ctx, **({"notify": " ".join(notify)} if notify else {}))
    check_urls(settings.notify_urls())
    if any(holds_secret(url) for url in " ".join(notify or []).split()):  # never the URL itself
        get_logger().warning("notify_url_on_command_line",
                             hint="a --notify URL holds a password or token, and a command line is visible to every "
                                  "user of this machine (ps, /proc); put it in ORDERCANCEL_NOTIFY in a 0600 env file "
                                  "(--env-file) or a systemd EnvironmentFile= instead")
    return settings


def usable_folder(path: Path, what: str) -> None:
    """A folder the command will write into: safe (see `ensure_folder`) and writable, checked now."""
    try:
        ensure_folder(path, what)
        probe = path / f".probe-{os.getpid()}"
        probe.touch()
        probe.unlink()
    except OSError as exc:
        raise CannotStart(f"cannot use the {what} {path}: {exc.strerror or exc}") from None


def usable_report_folder(path: Path) -> None:
    """The --report folder, checked before any work: usable, and its runs list (if any) private."""
    usable_folder(path, "report folder")
    check_runs_list(path)


def journal_path(given: Path | None, settings: Settings) -> Path:
    """The journal a command records in: the one given, else the state folder's."""
    return given or settings.state_dir / "journal.sqlite"


def finish(result: Result, as_json: bool) -> NoReturn:
    """One order's ending: its result printed, its exit code."""
    print_result(result, as_json)
    raise typer.Exit(int(result.exit_code))


def progress_for(settings: Settings, as_json: bool) -> Progress | None:
    """A progress bar on a terminal, with log lines printed above it; none off a terminal, on a
    dumb one, with --json or -q, or with JSON log lines on stderr."""
    if as_json or output.only_failures or settings.log_format == "json" or not err.is_terminal or \
            err.is_dumb_terminal:
        return None
    return progress_bar


def end_run(summary: BatchSummary, info: RunInfo, settings: Settings, report: Path | None, as_json: bool,
            notify_always: bool, quiet: str | None = None) -> NoReturn:
    """A run's ending, the same for batch, sweep and follow: the report kept (`keep_report`), the
    summary printed (or `quiet` when nothing happened) with where its report is, the notifications
    sent, the exit code."""
    kept, unwritten = None, None
    try:
        kept = keep_report(summary, info, report) if report else None
    except (OSError, ToolError) as exc:  # the work is done and stands; its report is what failed
        unwritten = str(exc.strerror if isinstance(exc, OSError) and exc.strerror else exc)
        get_logger().error("report_not_written", folder=str(report), error=unwritten)
    if quiet and not summary.records and not as_json:
        if not output.only_failures:
            out.print(quiet)
    else:
        print_batch(summary, as_json)
    if unwritten is not None:
        err.print(_("the report could not be written in {folder}: {why}; the run's outcome above stands").format(
            folder=report, why=unwritten), markup=False, highlight=False)
    elif report and not as_json:
        say_lines([_("report: {path}").format(path=kept / "report.html") if kept else
                   _("report: none, nothing was done (the run is listed in {path})").format(path=report / INDEX)])
    send(settings.notify_urls(), summary, info.kind, notify_always, get_logger())
    raise typer.Exit(int(summary.exit_code))
