"""What each command does once its arguments are parsed. `automation.cli.app` declares the commands
and imports this module only when one runs, so that `--help` and `--version` do not pay for
Playwright, pydantic and structlog."""
from __future__ import annotations

import logging
import os
import secrets
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import structlog
import typer
from pydantic import ValidationError

from automation.runs.batch import BatchOptions, BatchRun, BatchSummary
from automation.runs.batch_input import BadFile, BatchInput, read_batch, read_source
from automation.browser.launch import BrowserUnavailable, launch_when_needed, open_browser
from automation.order.cancellation import Cancellation, CancelRequest, run_order
from automation.errors import AuthFailed, Fail, NeedsHuman
from automation.order.failures import failure
from automation.files import UnsafeFolder, ensure_folder
from automation.order.items import Selector
from automation.runs.journal import Journal, JournalBusy, JournalUnusable
from automation.logs import configure, get_logger
from automation.runs.notify import check_urls, holds_secret, send
from automation.order.input import BadInput, parse_item_selector, parse_note, parse_order_id
from automation.order.outcome import ExitCode, OrderState, Outcome, Result
from automation.cli.output import (
    ask_to_cancel,
    out,
    print_batch,
    print_failure,
    print_invalid_rows,
    print_orders,
    print_result,
    print_results,
    progress_bar,
    say_lines,
)
from automation.browser.playwright_errors import PlaywrightError
from automation.order.reasons import parse_reason
from automation.runs.report import write_report
from automation.browser.session import forget_session, save_session, session_file
from automation.settings import Settings, UntrustedEnvFile, forget_secret_variables, trusted_env_file
from automation.browser.storefront import Storefront
from pages.sign_in import SignInPage
from pages.your_orders import OrderCard

HEADED_LOGIN_TIMEOUT_S = 300


# Everything that stops a command before its work starts: one line, exit 2, nothing done.
BEFORE_WORK = (Fail, BadInput, BadFile, JournalBusy, JournalUnusable)


@contextmanager
def one_error_path(as_json: bool, order_id: str = "") -> Iterator[None]:
    """The one way a command fails before any work: one `error:` line on stderr (or one JSON
    object on stdout with --json) and its exit code."""
    try:
        yield
    except BEFORE_WORK as exc:
        print_failure(str(exc), as_json, order_id)
        raise typer.Exit(int(exc.code if isinstance(exc, Fail) else ExitCode.BAD_INPUT)) from None



def _settings(values: dict[str, Any], env_file: Path | None) -> Settings:
    try:
        return Settings(_env_file=env_file, **values)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "settings"
        raise Fail(f"bad setting {where}: {first['msg']}") from None


def settings_from(ctx: typer.Context, **extra: Any) -> Settings:
    """The run's settings, built once: options, then ORDERCANCEL_* variables, then the one trusted
    .env file (--env-file, else STATE_DIR/.env), then defaults. Secret variables are then removed
    from this process's environment, so that no browser process inherits them."""
    values = {**ctx.obj, **extra}
    explicit: Path | None = ctx.meta.get("env_file")
    candidate = explicit or _settings(values, None).state_dir / ".env"
    try:
        env_file = trusted_env_file(candidate) if explicit or candidate.exists() else None
    except UntrustedEnvFile as exc:
        raise Fail(str(exc)) from None
    settings = _settings(values, env_file)
    forget_secret_variables()
    configure(settings.log_format)
    here = Path(".env")
    if here.exists() and (env_file is None or here.resolve() != env_file.resolve()):
        get_logger().warning("env_file_ignored", path=str(here.resolve()),
                             hint="a .env in the working folder is not read; pass --env-file .env to use it")
    usable_folder(settings.state_dir, "state folder")
    usable_folder(settings.artifacts_path, "artifacts folder")
    return settings


def usable_folder(path: Path, what: str) -> None:
    try:
        ensure_folder(path, what)
        probe = path / f".probe-{os.getpid()}"
        probe.touch()
        probe.unlink()
    except OSError as exc:
        raise Fail(f"cannot use the {what} {path}: {exc.strerror or exc}") from None
    except UnsafeFolder as exc:
        raise Fail(str(exc)) from None


@contextmanager
def storefront_for(settings: Settings, trace: bool = False, browser: Any = None) -> Iterator[Storefront]:
    """One signed-in context for this command's work, in the browser given, else in one launched
    when a screen first needs it (a command that only reads fetched screens launches none)."""
    run_id = uuid.uuid4().hex[:12]
    structlog.contextvars.bind_contextvars(run_id=run_id)
    with ExitStack() as stack:
        storefront = Storefront(browser if browser is not None else launch_when_needed(stack, settings), settings,
                                run_id, get_logger(), trace=trace)
        try:
            yield storefront
        finally:
            storefront.close()


def with_storefront(settings: Settings, order_id: str, work: Callable[[Cancellation], Result],
                    trace: bool = False, browser: Any = None) -> Result:
    """One browser, one context, one order; every way it ends becomes a Result."""
    structlog.contextvars.bind_contextvars(order_id=order_id)
    try:
        with storefront_for(settings, trace, browser) as storefront:
            return run_order(storefront, order_id, lambda: work(Cancellation(storefront)))
    except (BrowserUnavailable, PlaywrightError) as exc:
        get_logger().error("browser_failed", error=str(exc).splitlines()[0])
        return failure(exc, order_id, browser=True)


def finish(result: Result, as_json: bool) -> None:
    print_result(result, as_json)
    raise typer.Exit(int(result.exit_code))


def cancel(ctx: typer.Context, order_id: str, item: list[str] | None, reason: str | None, note: str | None,
           dry_run: bool, yes: bool, as_json: bool, trace: bool) -> None:
    with one_error_path(as_json, order_id):
        wanted = parse_order_id(order_id)
        # a whole order, typed at a terminal, goes only once the person has seen its items and said yes
        asks = not item and not yes and at_a_terminal(as_json)
        request = CancelRequest(wanted, [Selector(parse_item_selector(i)) for i in item or []],
                                parse_reason(reason) if reason is not None else None, parse_note(note), dry_run,
                                confirm=partial(ask_to_cancel, wanted, as_json=as_json) if asks else None)
        settings = settings_from(ctx)
    finish(with_storefront(settings, request.order_id, lambda c: c.cancel(request), trace), as_json)


def at_a_terminal(as_json: bool) -> bool:
    """Whether a person can be asked: input and output on a terminal (and, with --json, where the
    question goes, stderr); a pipe, cron or CI never is."""
    return sys.stdin.isatty() and sys.stdout.isatty() and (not as_json or sys.stderr.isatty())


def check(ctx: typer.Context, order_ids: list[str], as_json: bool) -> None:
    several = len(order_ids) > 1 or order_ids == ["-"]
    with one_error_path(as_json, "" if several else order_ids[0]):
        wanted = read_order_ids(order_ids)
        settings = settings_from(ctx)
    if not several:
        finish(with_storefront(settings, wanted[0], lambda c: c.check(wanted[0])), as_json)
    results = check_many(settings, wanted)
    print_results(results, as_json)
    raise typer.Exit(int(worst_exit_code(results)))


def orders(ctx: typer.Context, filter_: str, as_json: bool) -> None:
    with one_error_path(as_json):
        if filter_ not in ("open", "cancelled", "all"):
            raise Fail(f"--filter must be open, cancelled or all, not '{filter_[:40]}'")
        settings = settings_from(ctx)
    cards: list[OrderCard] = []

    def work(c: Cancellation) -> Result:
        cards.extend(c.list_orders(None if filter_ == "all" else filter_))
        return Result("", Outcome.CHECKED, f"{len(cards)} orders")

    result = with_storefront(settings, "", work)
    print_orders(result, cards, as_json, settings.market)
    raise typer.Exit(int(result.exit_code))


def login(ctx: typer.Context, headed: bool | None, as_json: bool) -> None:
    with one_error_path(as_json):
        settings = settings_from(ctx, **({} if headed is None else {"headless": not headed}))

    def work(c: Cancellation) -> Result:
        storefront = c.storefront
        try:
            storefront.open_your_orders()
        except (NeedsHuman, AuthFailed) as exc:
            if settings.headless:
                raise
            say_lines([f"{exc}. Finish signing in in the browser window ({HEADED_LOGIN_TIMEOUT_S} s)."])
            storefront.page.wait_for_url(lambda url: not SignInPage.is_sign_in_url(url),
                                         timeout=HEADED_LOGIN_TIMEOUT_S * 1000)
            save_session(storefront.context, settings)
            storefront.open_your_orders()
        return Result("", Outcome.CHECKED, f"signed in; session saved in {session_file(settings)}")

    finish(with_storefront(settings, "", work), as_json)


def logout(ctx: typer.Context) -> None:
    with one_error_path(False):
        settings = settings_from(ctx)
    out.print("session forgotten" if forget_session(settings) else "no saved session")


def batch(ctx: typer.Context, file: str, journal: Path | None, concurrency: int, retries: int, redo: bool,
          strict: bool, report: Path | None, as_json: bool, notify: list[str] | None, notify_always: bool) -> None:
    with one_error_path(as_json):
        parsed = read_batch_input(file, strict)
        settings = notifying_settings(ctx, notify)
        if report:
            usable_folder(report, "report folder")
        options = BatchOptions(journal or settings.state_dir / "journal.sqlite", concurrency, retries, redo, report,
                               file)
        summary = run_batch(settings, options, parsed, interactive=sys.stderr.isatty() and not as_json)
    if report:
        write_report(summary, report)
    print_batch(summary, as_json)
    send(settings.notify_urls(), summary, "batch", notify_always, get_logger())
    raise typer.Exit(int(summary.exit_code))


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


def follow(ctx: typer.Context, journal: Path | None, report: Path | None, as_json: bool, notify: list[str] | None,
           notify_always: bool) -> None:
    from automation.runs.follow import FollowRun

    with one_error_path(as_json):
        settings = notifying_settings(ctx, notify)
        if report:
            usable_folder(report, "report folder")
        summary = FollowRun(settings, journal or settings.state_dir / "journal.sqlite").run()
    if report:
        write_report(summary, report)
    if not summary.records and not as_json:
        out.print("nothing to follow: no cancellation in the journal waits for a decision")
    else:
        print_batch(summary, as_json)
    send(settings.notify_urls(), summary, "follow", notify_always, get_logger())
    raise typer.Exit(int(summary.exit_code))


def sweep(ctx: typer.Context, rules_file: Path, apply: bool, max_cancels: int, journal: Path | None,
          report: Path | None, as_json: bool, notify: list[str] | None, notify_always: bool) -> None:
    from automation.runs.rules import read_rules

    with one_error_path(as_json):
        rules = read_rules(rules_file)
        settings = notifying_settings(ctx, notify)
        if report:
            usable_folder(report, "report folder")
        found = run_sweep(settings, rules, SweepOptions(journal or settings.state_dir / "journal.sqlite", apply,
                                                        max_cancels, report, f"sweep {rules_file}"),
                          interactive=sys.stderr.isatty() and not as_json)
        if isinstance(found, Result):  # the sign-in or the store failed before any decision
            finish(found, as_json)
        summary = found
    if report:
        write_report(summary, report)
    print_batch(summary, as_json)
    send(settings.notify_urls(), summary, "sweep", notify_always, get_logger())
    raise typer.Exit(int(summary.exit_code))


@dataclass(frozen=True)
class SweepOptions:
    journal: Path
    apply: bool
    max_cancels: int  # orders this run may press 'Request cancellation' for
    report: Path | None
    source: str


def run_sweep(settings: Settings, rules: list[Any], options: SweepOptions, interactive: bool) -> BatchSummary | Result:
    """Decide over the open orders and what earlier sweeps left unfinished; with apply, cancel
    through the batch, after the --max-cancels check that comes before any click."""
    started = time.monotonic()
    try:
        with open_browser(settings) as browser:  # one browser for deciding and for cancelling
            return sweep_in(browser, settings, rules, options, interactive, started)
    except (BrowserUnavailable, PlaywrightError) as exc:
        get_logger().error("browser_failed", error=str(exc).splitlines()[0])
        return failure(exc, "", browser=True)


def sweep_in(browser: Any, settings: Settings, rules: list[Any], options: SweepOptions, interactive: bool,
             started: float) -> BatchSummary | Result:
    from automation.runs.sweep import Plan, as_batch, records

    found = find_by_rules(settings, rules, options, browser)
    if not isinstance(found, Plan):
        return found
    if not options.apply:
        summary = BatchSummary(uuid.uuid4().hex[:12], records(found, applied=False), store_url=settings.base_url)
        summary.duration_ms = int((time.monotonic() - started) * 1000)
        return summary
    # a row an earlier run may have pressed for is only read; at most --max-cancels orders are pressed for
    batch_options = BatchOptions(options.journal, 1, 2, False, options.report, options.source, press_again=False,
                                 max_clicks=options.max_cancels)
    summary = run_batch(settings, batch_options, as_batch(found), interactive, browser)
    summary.records += records(found, applied=True)
    return summary


def find_by_rules(settings: Settings, rules: list[Any], options: SweepOptions, browser: Any) -> Any:
    """The sweep's plan: its decisions over the account's open orders (one browser, one sign-in), set
    against the journal, the rows earlier sweeps left unfinished included; or the Result that stopped
    it. With --apply, before any click: the --max-cancels check, and the unfinished rows that the
    rules no longer choose journaled as such."""
    from automation.runs.sweep import Candidate, Decider, dropped, plan_sweep

    journal = Journal(options.journal, settings.host, (settings.email or "").lower())
    try:
        unfinished = journal.unfinished()
        decider = Decider(rules, settings.market)
        candidates: list[Candidate] = []

        def work(c: Cancellation) -> Result:
            cards = [card for card in c.list_orders("open") if card.state is OrderState.CANCELLABLE]
            seen = journal.first_seen([card.order_id for card in cards])
            candidates.extend(Candidate(card, seen[card.order_id]) for card in cards)
            details = any(rule.needs_details() or (rule.except_ and rule.except_.needs_details()) for rule in rules)
            for candidate in candidates:
                if details and decider.may_match(candidate):
                    structlog.contextvars.bind_contextvars(order_id=candidate.order_id)
                    candidate.summary = c.read_order(candidate.order_id)
            return Result("", Outcome.CHECKED, f"{len(candidates)} open orders")

        result = with_storefront(settings, "", work, browser=browser)
        if result.outcome is not Outcome.CHECKED:
            return result
        decisions = decider.decide(candidates)
        plan = plan_sweep(decisions, {d.order_id: journal.get(d.order_id) for d in decisions}, unfinished,
                          {c.order_id for c in candidates})
        if options.apply and len(plan.clicks) > options.max_cancels:
            raise Fail(f"the sweep would cancel {len(plan.clicks)} orders, more than --max-cancels "
                       f"{options.max_cancels}; nothing was cancelled (check the rules, or raise --max-cancels)")
        for entry, why in plan.drops if options.apply else []:
            journal.mark_no_longer_matched(entry.order_id, dropped(entry, why, applied=True))
        return plan
    finally:
        journal.close()


def demo(ctx: typer.Context, sweep: bool = False) -> None:
    from mock_store import seed  # the store's stack only for the demo
    from mock_store.server import running_store

    if sweep:
        demo_sweep(ctx)
    with tempfile.TemporaryDirectory(prefix="ordercancel-demo-") as scratch, \
            running_store(scenario="demo", admin_token=secrets.token_urlsafe(16),
                          marketplace=ctx.obj.get("marketplace") or "com") as store:
        settings = settings_from(ctx, base_url=store.url, asset_hosts=store.asset_origin, email=seed.DEMO_EMAIL,
                                 password=seed.DEMO_PASSWORD,
                                 totp_secret=None, state_dir=Path(scratch), headless=ctx.obj.get("headless", True))
        order_id = seed.DEMO_ORDER
        out.print(f"mock store running at {store.url}  (demo account {seed.DEMO_EMAIL} / {seed.DEMO_PASSWORD})")
        say_lines([f"store's own record before: {_store_view(store.state, order_id)}"])
        out.print(f"ordercancel cancel {order_id} --reason mistake --item Teapot")
        request = CancelRequest(order_id, [Selector("Teapot")], parse_reason("mistake"))
        result = with_storefront(settings, order_id, lambda c: c.cancel(request))
        print_result(result, False)
        say_lines([f"store's own record after:  {_store_view(store.state, order_id)}"])
    raise typer.Exit(int(result.exit_code))


def read_order_ids(arguments: list[str]) -> list[str]:
    """The order numbers given, or read from standard input (one per line, split on \\n only);
    every one valid before any browser starts; repeats are one order."""
    if arguments == ["-"]:
        lines = read_source("-", sys.stdin.buffer).decode("utf-8", errors="replace").split("\n")
        arguments = [line.strip(" \t\r") for line in lines if line.strip(" \t\r")]
        if not arguments:
            raise Fail("no order numbers on standard input")
    return list(dict.fromkeys(parse_order_id(text) for text in arguments))


def check_many(settings: Settings, order_ids: list[str]) -> list[Result]:
    """Every order read in one browser, one context and one sign-in; a sign-in that fails or
    needs a person ends the run, and the orders not yet read say so."""
    results: list[Result] = []
    try:
        with storefront_for(settings) as storefront:
            reader = Cancellation(storefront)
            for order_id in order_ids:
                structlog.contextvars.bind_contextvars(order_id=order_id)
                results.append(run_order(storefront, order_id, lambda o=order_id: reader.check(o)))
                if results[-1].outcome in (Outcome.AUTH_FAILED, Outcome.NEEDS_HUMAN):
                    break
    except (BrowserUnavailable, PlaywrightError) as exc:
        get_logger().error("browser_failed", error=str(exc).splitlines()[0])
        results.append(failure(exc, order_ids[len(results)], browser=True))
    stopped = results[-1]
    for order_id in order_ids[len(results):]:
        results.append(Result(order_id, stopped.outcome, f"not read: {stopped.message}", next_step=stopped.next_step))
    return results


def worst_exit_code(results: list[Result]) -> ExitCode:
    """0 when every order was read; else 1 if anything unexpected happened, else the first other code."""
    codes = [r.exit_code for r in results if r.exit_code is not ExitCode.OK]
    if not codes:
        return ExitCode.OK
    return ExitCode.UNEXPECTED if ExitCode.UNEXPECTED in codes else codes[0]


def read_batch_input(file: str, strict: bool) -> BatchInput:
    """Every row read and validated before any browser starts; with --strict, any bad row refuses all."""
    parsed = read_batch(read_source(file, sys.stdin.buffer), file)
    if strict and parsed.invalid:
        print_invalid_rows([bad.error for bad in parsed.invalid])
        raise Fail(f"{len(parsed.invalid)} invalid row(s) and --strict: nothing was done")
    return parsed


def run_batch(settings: Settings, options: BatchOptions, parsed: BatchInput, interactive: bool,
              browser: Any = None) -> BatchSummary:
    run = BatchRun(settings, options, parsed, browser=browser)
    if not interactive:
        return run.run()
    configure(settings.log_format, level=logging.WARNING)  # the progress bar speaks instead
    with progress_bar(len(parsed.rows) + len(parsed.invalid)) as tick:
        run.progress = tick
        return run.run()


EXAMPLE_RULES = Path(__file__).resolve().parent.parent / "examples" / "sweep-rules.toml"


def demo_sweep(ctx: typer.Context) -> None:
    """The sweep scenario: what the example rules decide (nothing clicked), then the same sweep
    with --apply, and the store's own record of each order it touched."""
    from automation.runs.rules import read_rules
    from mock_store import seed
    from mock_store.server import running_store

    with one_error_path(False):
        if not EXAMPLE_RULES.is_file():
            raise Fail(f"the example rules are not here ({EXAMPLE_RULES}): run the demo from a clone of the project")
        rules = read_rules(EXAMPLE_RULES)
    with tempfile.TemporaryDirectory(prefix="ordercancel-demo-") as scratch, \
            running_store(scenario="sweep", admin_token=secrets.token_urlsafe(16)) as store:
        settings = settings_from(ctx, base_url=store.url, asset_hosts=store.asset_origin, email=seed.DEMO_EMAIL,
                                 password=seed.DEMO_PASSWORD, totp_secret=None, state_dir=Path(scratch),
                                 headless=ctx.obj.get("headless", True))
        out.print(f"mock store running at {store.url}  (demo account {seed.DEMO_EMAIL} / {seed.DEMO_PASSWORD})")
        summary: BatchSummary | Result = BatchSummary("")
        for apply in (False, True):
            out.print(f"ordercancel sweep --rules examples/sweep-rules.toml{' --apply' if apply else ''}")
            summary = run_sweep(settings, rules, SweepOptions(Path(scratch) / "journal.sqlite", apply, 10, None,
                                                              "demo sweep"), interactive=False)
            if isinstance(summary, Result):
                finish(summary, False)
            print_batch(summary, False)
        assert isinstance(summary, BatchSummary)
        for record in summary.records:
            say_lines([f"store's own record of {record.order_id}: {_store_view(store.state, record.order_id)}"])
    raise typer.Exit(int(summary.exit_code))


def _store_view(state: Any, order_id: str) -> str:
    with state.lock:
        view = state.admin_view(state.orders[order_id])
    items = ", ".join(f"{i['title']}: {i['status']}" for i in view["items"])
    return f"{view['state']} [{items}]"
