"""The commands about one order or one account: cancel (journaled), check, orders, login, logout."""
from __future__ import annotations

import sys
from functools import partial
from pathlib import Path

import typer

from automation.browser.session import forget_session, save_session, session_file
from automation.cli import output
from automation.cli.output import ask_to_cancel, out, print_orders, print_results, say_lines
from automation.cli.start import finish, journal_path, one_error_path, settings_from
from automation.errors import AuthFailed, CannotStart, ExitCode, NeedsHuman
from automation.language import _, ngettext
from automation.order.cancellation import Cancellation, CancelRequest
from automation.order.input import parse_item_selector, parse_note, parse_order_id
from automation.order.items import Selector
from automation.order.outcome import Outcome, Result
from automation.order.reader import OrderReader
from automation.order.reasons import parse_reason
from automation.order.work import check_many, with_storefront
from automation.runs.batch_input import read_source
from automation.runs.single import SingleCancel
from pages.your_orders import OrderCard

HEADED_LOGIN_TIMEOUT_S = 300


def cancel(ctx: typer.Context, order_id: str, item: list[str] | None, reason: str | None, note: str | None,
           dry_run: bool, yes: bool, as_json: bool, trace: bool, journal: Path | None, wait_s: float) -> None:
    with one_error_path(as_json, order_id):
        wanted = parse_order_id(order_id)
        # a whole order, typed at a terminal, goes only once the person has seen its items and said yes
        asks = not item and not yes and at_a_terminal(as_json)
        request = CancelRequest(wanted, [Selector(parse_item_selector(i)) for i in item or []],
                                parse_reason(reason) if reason is not None else None, parse_note(note), dry_run,
                                confirm=partial(ask_to_cancel, wanted, as_json=as_json) if asks else None)
        settings = settings_from(ctx)
        if dry_run:  # presses nothing: nothing to journal, no journal to wait for
            finish(with_storefront(settings, request.order_id, lambda c: c.cancel(request), trace), as_json)
        single = SingleCancel(settings, request, journal_path(journal, settings), wait_s, trace)
        single.open()  # a busy journal is waited for, up to --wait; then one line, exit 2, nothing done
    finish(single.run(), as_json)


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


def read_order_ids(arguments: list[str]) -> list[str]:
    """The order numbers given, or read from standard input (one per line, split on \\n only);
    every one valid before any browser starts; repeats are one order."""
    if arguments == ["-"]:
        lines = read_source("-", sys.stdin.buffer).decode("utf-8", errors="replace").split("\n")
        arguments = [line.strip(" \t\r") for line in lines if line.strip(" \t\r")]
        if not arguments:
            raise CannotStart("no order numbers on standard input")
    return list(dict.fromkeys(parse_order_id(text) for text in arguments))


def worst_exit_code(results: list[Result]) -> ExitCode:
    """0 when every order was read; else 1 if anything unexpected happened, else the first other code."""
    codes = [r.exit_code for r in results if r.exit_code is not ExitCode.OK]
    if not codes:
        return ExitCode.OK
    return ExitCode.UNEXPECTED if ExitCode.UNEXPECTED in codes else codes[0]


def orders(ctx: typer.Context, filter_: str, as_json: bool) -> None:
    with one_error_path(as_json):
        if filter_ not in ("open", "cancelled", "all"):
            raise CannotStart(f"--filter must be open, cancelled or all, not '{filter_[:40]}'")
        settings = settings_from(ctx)
    cards: list[OrderCard] = []

    def work(c: OrderReader) -> Result:
        cards.extend(c.list_orders(None if filter_ == "all" else filter_))
        return Result("", Outcome.CHECKED, ngettext("{count} order", "{count} orders", len(cards)).format(count=len(cards)))

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
            say_lines([f"{exc}. " + _("Finish signing in in the browser window ({seconds} s).").format(
                seconds=HEADED_LOGIN_TIMEOUT_S)])
            storefront.robots.wait_for_person(storefront.page, HEADED_LOGIN_TIMEOUT_S)
            save_session(storefront.context, settings)
            storefront.open_your_orders()
        return Result("", Outcome.CHECKED, _("signed in; session saved in {path}").format(path=session_file(settings)))

    finish(with_storefront(settings, "", work), as_json)


def logout(ctx: typer.Context) -> None:
    with one_error_path(False):
        settings = settings_from(ctx)
    forgotten = forget_session(settings)
    if not output.only_failures:
        out.print(_("session forgotten") if forgotten else _("no saved session"))
