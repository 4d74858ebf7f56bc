"""The `ordercancel` command line: the commands and their options. The work is in
`automation.cli.one_order`, `automation.cli.many_orders` and `automation.cli.demo`, imported
only when a command runs, so that `--help` stays fast."""
from __future__ import annotations

import importlib
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from automation import __version__
from automation.cli.conventions import with_conventions
from automation.errors import ExitCode, ToolError
from automation.language import _, chosen, use
from automation.text import printable
from automation.words import exit_codes_help, exit_meaning

if TYPE_CHECKING:
    from types import ModuleType

app = typer.Typer(no_args_is_help=True, pretty_exceptions_enable=False, rich_markup_mode=None,
                  context_settings={"help_option_names": ["-h", "--help"]},
                  help="Cancel online orders through the storefront's own cancellation flow, in a real browser.",
                  epilog="\b\nThe global options may come before or after the command:\n"
                         "  ordercancel check 113-1234567-1234567 --marketplace de -v\n"
                         "Each command's --help shows examples and its exit codes.")
OK, UNEXPECTED, BAD_INPUT, NOT_CANCELLABLE, NOT_FOUND, SIGN_IN, HUMAN, INTERRUPTED = ExitCode
# -q, nothing, -v, -vv: how much this process says, for main() once the command has ended
ASKED = {"verbosity": 0}


def work(module: str) -> ModuleType:
    """A command's work, imported on first use (Playwright, pydantic, structlog: about 0.6 s)."""
    return importlib.import_module(f"automation.cli.{module}")


def _version(value: bool) -> None:
    if value:
        print(f"ordercancel {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    ctx: typer.Context,
    base_url: Annotated[str | None, typer.Option(metavar="URL", help="The store's address [env ORDERCANCEL_BASE_URL].")] = None,
    headed: Annotated[bool | None, typer.Option("--headed/--headless", help="Show the browser window.")] = None,
    slow_mo: Annotated[float | None, typer.Option(metavar="MS", help="Slow every browser action by this many ms.")] = None,
    min_interval: Annotated[float | None, typer.Option(metavar="SECONDS", help="Least seconds between page loads on the account "
                                                            "[default: 1, 0 on a loopback address].")] = None,
    marketplace: Annotated[str | None, typer.Option(metavar="com|co.uk|de|se", help="The store's marketplace "
                                                    "[default: from the store's address, else com].")] = None,
    language: Annotated[str | None, typer.Option(metavar="en|da|de|sv", help="Speak this language, and ask the site "
                                                 "for it [default: ORDERCANCEL_LANGUAGE, else the locale's (LANG) for "
                                                 "the tool's words and the account's own on the site].")] = None,
    verbose: Annotated[int, typer.Option("--verbose", "-v", count=True, show_default=False,
                                         help="Say more: -v info log lines, -vv debug ones (default: warnings "
                                              "and errors).")] = 0,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print only what failed, and what the exit code "
                                                              "means.")] = False,
    log_format: Annotated[str | None, typer.Option(metavar="console|json", help="console: log lines for a person on "
                                                   "stderr; json: JSON lines on stderr [env ORDERCANCEL_LOG_FORMAT].")] = None,
    log_file: Annotated[Path | None, typer.Option(metavar="FILE", help="Append JSON log lines to this file too (made "
                                                                       "0600) [env ORDERCANCEL_LOG_FILE].")] = None,
    artifacts_dir: Annotated[Path | None, typer.Option(metavar="DIR", help="Where screenshots, HTML and traces go.")] = None,
    state_dir: Annotated[Path | None, typer.Option(metavar="DIR", help="Where saved sessions live.")] = None,
    env_file: Annotated[Path | None, typer.Option(metavar="FILE", help="Read settings from this .env file (mode 0600); "
                                                       "default: STATE_DIR/.env if it exists.")] = None,
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")] = False,
) -> None:
    ctx.obj = {}
    given(ctx, base_url=base_url, headed=headed, slow_mo=slow_mo, min_interval=min_interval, marketplace=marketplace,
          language=language, verbose=verbose, quiet=quiet, log_format=log_format, log_file=log_file,
          artifacts_dir=artifacts_dir, state_dir=state_dir, env_file=env_file)
    use(*chosen(language, os.environ))  # at once: a failure before the settings is said in it too


def given(ctx: typer.Context, **options: Any) -> None:
    """Global options, given before the command or after it, into the run's settings (ctx.obj) and
    how much it says (ctx.meta["verbosity"]: -1 with -q, else the number of -v)."""
    names = {"headed": "headless", "slow_mo": "slow_mo_ms"}
    for name, value in options.items():
        if value is None:
            continue
        if name in ("verbose", "quiet"):
            if value and ASKED["verbosity"] >= 0:  # -q wins over -v, wherever each stands
                ASKED["verbosity"] = -1 if name == "quiet" else value
            ctx.meta["verbosity"] = ASKED["verbosity"]
        elif name == "env_file":
            ctx.meta["env_file"] = value
        else:
            ctx.obj[names.get(name, name)] = (not value) if name == "headed" else value


JsonOption = Annotated[bool, typer.Option("--json", help="Print one JSON object on stdout.")]
JsonArrayOption = Annotated[bool, typer.Option("--json", help="Print JSON on stdout: one object for one order, an "
                                                              "array of them for several (or -).")]
JournalOption = Annotated[Path | None, typer.Option(metavar="FILE", help="The SQLite journal (default: "
                                                                         "STATE_DIR/journal.sqlite).")]
ReportOption = Annotated[Path | None, typer.Option(metavar="DIR", help="Keep this run's report (report.html, "
                                                 "results.json, results.csv, screens/) in DIR/<UTC start>-<run id>/, "
                                                 "listed in DIR/index.html; DIR/latest is the newest.")]
NotifyOption = Annotated[list[str] | None, typer.Option(
    "--notify", metavar="URL", help="Send a summary after the run to this Apprise URL (mailto://, json://, "
                                    "ntfy://, slack://...); repeat for several [env ORDERCANCEL_NOTIFY]. Only when "
                                    "something changed or failed.")]
NotifyAlwaysOption = Annotated[bool, typer.Option("--notify-always", help="Send the summary after every run.")]


@app.command(short_help="Cancel an order, or some of its items.",
             epilog=exit_codes_help(OK, UNEXPECTED, BAD_INPUT, NOT_CANCELLABLE, NOT_FOUND, SIGN_IN, HUMAN))
def cancel(
    ctx: typer.Context,
    order_id: Annotated[str, typer.Argument(metavar="ORDER_ID", help="The order number, e.g. 113-1234567-1234567.")],
    item: Annotated[list[str] | None, typer.Option("--item", metavar="ITEM", help="An item id or a unique part of its title; "
                                                      "repeat for several. Default: every item.")] = None,
    reason: Annotated[str | None, typer.Option(metavar="REASON", help="A reason code, its label, or an alias such as 'mistake'.")] = None,
    note: Annotated[str | None, typer.Option(metavar="TEXT", help="A free-text note for the store (at most 255 characters).")] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Fill in the form but submit nothing.")] = False,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Cancel a whole order without asking (on a terminal, "
                                                          "a cancel without --item asks first).")] = False,
    as_json: JsonOption = False,
    trace: Annotated[bool, typer.Option("--trace", help="Save a Playwright trace (after sign-in) in the artifacts.")] = False,
    journal: JournalOption = None,
    wait: Annotated[float, typer.Option(min=0, metavar="SECONDS", help="Wait this long for a journal another run is "
                                                                        "using, then exit 2.")] = 120,
) -> None:
    """Cancel an order, or some of its items, through the store's own Cancel items screen. On a
    terminal, a whole order (no --item) is cancelled only after it lists the items and you answer y.
    The intent is journaled before the click and the outcome after it, as in a batch; an order
    whose cancellation waits for a decision is not pressed again ('ordercancel follow' reads it).

    \b
    Examples:
      ordercancel cancel 113-1234567-1234567 --reason mistake
      ordercancel cancel 113-1234567-1234567 --yes      # a whole order, without the question
      ordercancel cancel 113-1234567-1234567 --item B0DXPH1YGN --dry-run --json"""
    work("one_order").cancel(ctx, order_id, item, reason, note, dry_run, yes, as_json, trace, journal, wait)


@app.command(short_help="Show orders' states and items, and whether each can be cancelled.",
             epilog=exit_codes_help(OK, UNEXPECTED, BAD_INPUT, NOT_FOUND, SIGN_IN, HUMAN))
def check(ctx: typer.Context,
          order_ids: Annotated[list[str], typer.Argument(metavar="ORDER_ID", help="One or more order numbers; - reads them from "
                                                              "standard input, one per line.")],
          as_json: JsonArrayOption = False) -> None:
    """Show orders' states, whether each can be cancelled now, and their items: several orders in
    one browser and one sign-in.

    \b
    Examples:
      ordercancel check 113-1234567-1234567 113-2345678-2345678
      cat numbers.txt | ordercancel check - --json"""
    work("one_order").check(ctx, order_ids, as_json)


@app.command(short_help="List the account's orders with their state.",
             epilog=exit_codes_help(OK, UNEXPECTED, BAD_INPUT, SIGN_IN, HUMAN))
def orders(
    ctx: typer.Context,
    filter_: Annotated[str, typer.Option("--filter", metavar="open|cancelled|all", help="open, cancelled or all.")] = "all",
    as_json: JsonOption = False,
) -> None:
    """List the account's orders with their state.

    \b
    Examples:
      ordercancel orders --filter open
      ordercancel orders --json"""
    work("one_order").orders(ctx, filter_, as_json)


@app.command(short_help="Sign in and save the session for unattended runs.",
             epilog=exit_codes_help(OK, UNEXPECTED, BAD_INPUT, SIGN_IN, HUMAN))
def login(
    ctx: typer.Context,
    headed: Annotated[bool | None, typer.Option("--headed/--headless", help="Show the browser window.")] = None,
    as_json: JsonOption = False,
) -> None:
    """Sign in and save the session for later unattended runs. With --headed, a person can finish
    a CAPTCHA or a device approval in the browser window.

    \b
    Examples:
      ordercancel login
      ordercancel login --headed"""
    work("one_order").login(ctx, headed, as_json)


@app.command(short_help="Forget the saved session.", epilog=exit_codes_help(OK, BAD_INPUT))
def logout(ctx: typer.Context) -> None:
    """Forget the saved session of this account and store.

    \b
    Example:
      ordercancel logout"""
    work("one_order").logout(ctx)


@app.command(short_help="Cancel a list of orders unattended, with a journal and a report.",
             epilog=exit_codes_help(OK, UNEXPECTED, BAD_INPUT, SIGN_IN, HUMAN))
def batch(
    ctx: typer.Context,
    file: Annotated[str, typer.Argument(metavar="FILE", help="CSV with a header (order_id, items, reason, note) or JSON Lines; - for stdin.")],
    journal: JournalOption = None,
    concurrency: Annotated[int | None, typer.Option(min=1, max=16, metavar="N", help="Orders worked on at once, each in "
                                                    "a browser of its own [default: 2 on a loopback address, else 1]."
                                                    )] = None,
    retries: Annotated[int, typer.Option(min=0, max=10, metavar="N", help="Retries after timeouts and server errors.")] = 2,
    redo: Annotated[bool, typer.Option("--redo", help="Take finished orders again.")] = False,
    strict: Annotated[bool, typer.Option("--strict", help="Refuse the whole run if any row is invalid.")] = False,
    report: ReportOption = None,
    as_json: JsonOption = False,
    notify: NotifyOption = None,
    notify_always: NotifyAlwaysOption = False,
) -> None:
    """Cancel a list of orders unattended: resumable, never acting twice, with a journal and a report.

    \b
    Examples:
      ordercancel batch orders.csv --report report
      some-export | ordercancel batch - --json"""
    work("many_orders").batch(ctx, file, journal, concurrency, retries, redo, strict, report, as_json, notify, notify_always)


@app.command(short_help="Find open orders to cancel by rules; cancel them with --apply.",
             epilog=exit_codes_help(OK, UNEXPECTED, BAD_INPUT, SIGN_IN, HUMAN))
def sweep(
    ctx: typer.Context,
    rules: Annotated[Path, typer.Option("--rules", metavar="FILE", help="The TOML rules file (see examples/).")],
    apply: Annotated[bool, typer.Option("--apply", help="Cancel what the rules choose (without it: decide and "
                                                        "report only, clicking nothing).")] = False,
    max_cancels: Annotated[int, typer.Option(min=0, metavar="N", help="Stop before the first click if the sweep "
                                                                      "would cancel more orders than this.")] = 10,
    journal: JournalOption = None,
    report: ReportOption = None,
    as_json: JsonOption = False,
    notify: NotifyOption = None,
    notify_always: NotifyAlwaysOption = False,
) -> None:
    """Find the open orders to cancel by rules (duplicates, fillers, sellers...) while their window
    is open; with --apply, cancel them exactly once, journaled with the rule's name.

    \b
    Examples:
      ordercancel sweep --rules examples/sweep-rules.toml
      ordercancel sweep --rules examples/sweep-rules.toml --apply --max-cancels 3 --report report"""
    work("many_orders").sweep(ctx, rules, apply, max_cancels, journal, report, as_json, notify, notify_always)


@app.command(short_help="Read the store's and sellers' decisions on pending cancellations.",
             epilog=exit_codes_help(OK, UNEXPECTED, BAD_INPUT, SIGN_IN, HUMAN))
def follow(
    ctx: typer.Context,
    journal: JournalOption = None,
    report: ReportOption = None,
    as_json: JsonOption = False,
    notify: NotifyOption = None,
    notify_always: NotifyAlwaysOption = False,
    mailbox: Annotated[str | None, typer.Option(metavar="URL", help="Also read the store's e-mails in this mailbox "
                                                "(imaps://USER@HOST/INBOX), read-only; password in "
                                                "ORDERCANCEL_MAIL_PASSWORD or OAuth2 token in ORDERCANCEL_MAIL_TOKEN "
                                                "[env ORDERCANCEL_MAILBOX].")] = None,
) -> None:
    """Read again every journaled cancellation that a seller or the store has yet to decide
    (cancellation_requested, pending), whichever command asked for it (cancel, batch, sweep),
    record each decision in the journal, and say how long the others have waited (after 7 days:
    whom to contact). With a mailbox, the store's e-mails are a second witness: a mail is a
    reason to look at an order, never to click, and a state changes only when the order page agrees.

    \b
    Examples:
      ordercancel follow
      ordercancel follow --json --report report
      ordercancel follow --mailbox imaps://me@imap.example.com/INBOX"""
    work("many_orders").follow(ctx, journal, report, as_json, notify, notify_always, mailbox)


@app.command()
def history(
    ctx: typer.Context,
    since: Annotated[str | None, typer.Option(metavar="DURATION|DATE", help="Only what changed since then: 30m, 2h, "
                                                                            "7d, 1w, or a date such as 2025-06-01.")] = None,
    order: Annotated[str | None, typer.Option(metavar="ORDER_ID", help="Only this order.")] = None,
    journal: JournalOption = None,
    as_json: JsonOption = False,
) -> None:
    """Every order the tool acted on (cancel, batch, sweep, follow), newest first: each change of
    its state with its time, the command and sweep rule that made it, and where its evidence is.

    \b
    Examples:
      ordercancel history --since 7d
      ordercancel history --order 113-1234567-1234567 --json"""
    work("history").history(ctx, since, order, journal, as_json)


@app.command(short_help="Cancel an order of the bundled demo store, headlessly.",
             epilog=exit_codes_help(OK, UNEXPECTED, BAD_INPUT))
def demo(ctx: typer.Context,
         sweep: Annotated[bool, typer.Option("--sweep", help="Show a scheduled sweep instead: the example rules "
                                                             "decide, then cancel, in the sweep scenario.")] = False,
         ) -> None:
    """Start the bundled store, cancel one of its orders headlessly, show before and after, stop the store.

    \b
    Examples:
      ordercancel demo
      ordercancel demo --sweep
      ordercancel --marketplace de --language da demo
      ordercancel --headed demo"""
    work("demo").demo(ctx, sweep)


def command() -> Any:
    """The command line as Click runs it, with the conventions Typer leaves out."""
    return with_conventions(typer.main.get_command(app), given)


def main() -> None:
    os.umask(0o077)  # whatever this process creates (SQLite's -wal files, traces, reports) is private
    line = command()
    try:
        code = line.main(prog_name="ordercancel", standalone_mode=False)
        if code == 130:  # how Typer ends a command Ctrl+C interrupted (KeyboardInterrupt), saying nothing
            print(_("error: {message}").format(message=_("interrupted")), file=sys.stderr)
    except ToolError as exc:  # what a command did not turn into its own output: one line, its exit code
        print(_("error: {message}").format(message=printable(str(exc))), file=sys.stderr)
        code = int(exc.exit_code)
    except typer.Abort:
        print(_("error: {message}").format(message=_("interrupted")), file=sys.stderr)
        code = 130
    except Exception as exc:
        # Typer vendors Click privately, so its usage errors are recognised by Click's public
        # protocol (exit_code 2 and format_message) rather than by importing a private class
        if getattr(exc, "exit_code", None) != 2 or not hasattr(exc, "format_message"):
            raise
        if type(exc).__name__ == "NoArgsIsHelpError":
            line.main(["--help"], prog_name="ordercancel", standalone_mode=False)
        else:  # one line, not the usage box
            print(f"error: {printable(exc.format_message())} (see --help)", file=sys.stderr)
        code = 2  # ExitCode.BAD_INPUT, as every usage error
    code = code if isinstance(code, int) else 0
    if ASKED["verbosity"] < 0 and code:  # -q: what the exit code means, beside what failed
        print(exit_meaning(code), file=sys.stderr)
    sys.exit(code)


if __name__ == "__main__":
    main()
