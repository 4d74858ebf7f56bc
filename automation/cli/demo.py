"""`ordercancel demo`: the bundled mock store started, one of its orders cancelled headlessly (or,
with --sweep, the example rules decided and applied), the store's own record before and after."""
from __future__ import annotations

import json
import secrets
import tempfile
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

import typer

from automation.cli.output import out, print_batch, print_result, say_lines
from automation.cli.start import finish, one_error_path, settings_from
from automation.errors import CannotStart
from automation.language import _
from automation.order.cancellation import CancelRequest
from automation.order.items import Selector
from automation.order.outcome import Result
from automation.order.reasons import parse_reason
from automation.order.work import with_storefront
from automation.runs.batch import BatchSummary

EXAMPLE_RULES = Path(__file__).resolve().parents[2] / "examples" / "sweep-rules.toml"


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
        say_lines([running_at(store.url), _("store's own record before: {record}").format(
            record=_store_view(store, order_id))])
        out.print(f"ordercancel cancel {order_id} --reason mistake --item Teapot")
        request = CancelRequest(order_id, [Selector("Teapot")], parse_reason("mistake"))
        result = with_storefront(settings, order_id, lambda c: c.cancel(request))
        print_result(result, False)
        say_lines([_("store's own record after:  {record}").format(record=_store_view(store, order_id))])
    raise typer.Exit(int(result.exit_code))


def demo_sweep(ctx: typer.Context) -> None:
    """The sweep scenario: what the example rules decide (nothing clicked), then the same sweep
    with --apply, and the store's own record of each order it touched."""
    from automation.runs.rules import read_rules
    from automation.runs.sweep_run import SweepOptions, SweepRun
    from mock_store import seed
    from mock_store.server import running_store

    with one_error_path(False):
        if not EXAMPLE_RULES.is_file():
            raise CannotStart(f"the example rules are not here ({EXAMPLE_RULES}): run the demo from a clone of the "
                              "project")
        rules = read_rules(EXAMPLE_RULES)
    with tempfile.TemporaryDirectory(prefix="ordercancel-demo-") as scratch, \
            running_store(scenario="sweep", admin_token=secrets.token_urlsafe(16),
                          marketplace=ctx.obj.get("marketplace") or "com") as store:
        settings = settings_from(ctx, base_url=store.url, asset_hosts=store.asset_origin, email=seed.DEMO_EMAIL,
                                 password=seed.DEMO_PASSWORD, totp_secret=None, state_dir=Path(scratch),
                                 headless=ctx.obj.get("headless", True))
        say_lines([running_at(store.url)])
        summary: BatchSummary | Result = BatchSummary("")
        for apply in (False, True):
            out.print(f"ordercancel sweep --rules examples/sweep-rules.toml{' --apply' if apply else ''}")
            options = SweepOptions(Path(scratch) / "journal.sqlite", apply, 10, None, "demo sweep")
            summary = SweepRun(settings, rules, options).run()
            if isinstance(summary, Result):
                finish(summary, False)
            print_batch(summary, False)
        assert isinstance(summary, BatchSummary)
        for record in summary.records:
            say_lines([_("store's own record of {order_id}: {record}").format(
                order_id=record.order_id, record=_store_view(store, record.order_id))])
    raise typer.Exit(int(summary.exit_code))


def running_at(url: str) -> str:
    from mock_store import seed

    return _("mock store running at {url}  (demo account {email} / {password})").format(
        url=url, email=seed.DEMO_EMAIL, password=seed.DEMO_PASSWORD)


def _store_view(store: Any, order_id: str) -> str:
    """The mock store's own record of an order, as its admin API tells it."""
    request = urllib.request.Request(f"{store.url}/__admin/orders/{urllib.parse.quote(order_id, safe='')}",
                                     headers={"Authorization": f"Bearer {store.admin_token}"})
    with urllib.request.urlopen(request, timeout=10) as answer:  # the demo's own store, on loopback
        view = json.load(answer)
    items = ", ".join(f"{i['title']}: {i['status']}" for i in view["items"])
    return f"{view['state']} [{items}]"
