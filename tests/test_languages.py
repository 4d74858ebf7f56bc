"""The tool in its user's language, through the CLI against the mock store: a Danish shopper on
amazon.de reads Danish from orders, check, cancel, batch and the batch's report, each sentence as
the Danish catalog has it (looked up there, never written here); the locale alone (LANG) makes it
German. JSON keys and outcome codes stay as they are; the store's own words are shown as it wrote them."""
from __future__ import annotations

import html
import json
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from babel.dates import format_date
from babel.messages.pofile import read_po
from babel.numbers import format_currency

from automation.language import CATALOGS
from automation.marketplace import business_days_after
from mock_store import seed
from tests.conftest import CliResult
from tests.store_api import StoreAdmin

Cli = Callable[..., CliResult]
MINE, OTHER, UNKNOWN = "113-1111111-0000001", "113-1111111-0000002", "113-1111111-0000009"


def catalog(language: str) -> Any:
    with (CATALOGS / language / "LC_MESSAGES" / "ordercancel.po").open("rb") as source:
        return read_po(source)


DANISH, GERMAN = catalog("da"), catalog("de")


def said(words: Any, msgid: str, count: int | None = None, context: str | None = None, **values: Any) -> str:
    """The catalog's sentence, filled in (Danish and German: the singular for one, else the plural)."""
    string = words.get(msgid, context=context).string
    if isinstance(string, tuple):
        string = string[0 if count == 1 else 1]
    return string.format(count=count, **values)


def shop(account_language: str | None = None) -> dict[str, Any]:
    placed = (datetime.now(UTC) - timedelta(minutes=5)).isoformat()
    return {
        "accounts": [{"email": seed.DEMO_EMAIL, "password": seed.DEMO_PASSWORD, "marketplace": "de",
                      **({"locale": account_language} if account_language else {})}],
        "orders": [
            {"id": MINE, "account": seed.DEMO_EMAIL, "placed_at": placed, "items": [
                {"id": "mkkettle01s", "title": "Kettle", "price": "1234.50"},
                {"id": "mkteapot01s", "title": "Teapot", "price": "19.50"}]},
            {"id": OTHER, "account": seed.DEMO_EMAIL, "placed_at": placed,
             "items": [{"id": "mkwatch01s", "title": "Watch", "price": "75.00"}]},
        ],
    }


def test_a_danish_shopper_reads_danish_from_every_command_and_the_report(store: StoreAdmin, cli: Cli,
                                                                          tmp_path: Path) -> None:
    store.reset(**shop())
    danish = ("--marketplace", "de", "--language", "da")
    cancellable = said(DANISH, "cancellable", context="state")

    listed = cli(*danish, "orders")
    assert listed.exit_code == 0, listed.stderr[-2000:]
    assert listed.stdout.splitlines()[-1] == said(DANISH, "{count} order", count=2)
    watch = format_currency(75, "EUR", locale="da_DK")  # 75,00 €, as Danish writes money
    assert any(line.startswith(f"{OTHER}  {cancellable}  ") and watch in line
               for line in listed.stdout.splitlines()), listed.stdout

    checked = cli(*danish, "check", MINE)
    assert said(DANISH, "can be cancelled now ({count} open item); the store closes the window a short while after "
                        "the order is placed, without saying when", count=2) in checked.stdout, checked.stdout
    assert "  " + said(DANISH, "next: {step}", step=said(DANISH, "ordercancel cancel {order_id} --reason <reason>",
                                                         order_id=MINE)) in checked.stdout

    cancelled = cli(*danish, "cancel", MINE, "--item", "Teapot")
    assert cancelled.exit_code == 0, cancelled.stderr[-2000:]
    assert store.order(MINE).item("Teapot")["status"] == "cancelled"  # the store's record is the judge
    message = said(DANISH, "cancelled {count} item: {names}{heard}", count=1, names="Teapot", heard="")
    assert f"{MINE}: cancelled - {message} (Annullering gennemført)" in cancelled.stdout  # the store's words as-is
    refund_by = format_date(business_days_after(date.today(), 5, "DE"), "medium", locale="da_DK")  # 8. dec. 2026
    assert said(DANISH, "nothing to do: any charge is refunded, typically within 3-5 business days (by {refund_by})",
                refund_by=refund_by) in cancelled.stdout, cancelled.stdout
    assert "  * " + said(DANISH, "cancelled by this run") in cancelled.stdout

    rows = tmp_path / "rows.csv"
    rows.write_text(f"order_id,items\n{OTHER},\n{UNKNOWN},\n")
    ran = cli(*danish, "batch", str(rows), "--report", str(tmp_path / "reports"))
    assert ran.exit_code == 0, ran.stderr[-2000:]
    not_found = said(DANISH, "the store has no order {order_id} on this account", order_id=UNKNOWN)
    assert f"{UNKNOWN}  not_found  {not_found}" in ran.stdout, ran.stdout  # the outcome's code, then Danish
    assert said(DANISH, "report: {path}", path="") in ran.stdout
    report = (tmp_path / "reports" / "latest" / "report.html").read_text()
    assert '<html lang="da">' in report and f"<h1>{html.escape(said(DANISH, 'Batch run'))} " in report
    for heading in ("order", "outcome", "state", "message", "next step"):
        assert f"<th>{html.escape(said(DANISH, heading))}</th>" in report
    assert html.escape(not_found) in report
    results = json.loads((tmp_path / "reports" / "latest" / "results.json").read_text())
    assert {o["order_id"]: o["outcome"] for o in results["orders"]} == {OTHER: "cancelled", UNKNOWN: "not_found"}
    assert [o["message"] for o in results["orders"] if o["order_id"] == UNKNOWN] == [not_found]


def test_the_locale_alone_makes_the_tool_german_and_leaves_the_store_in_its_own(store: StoreAdmin, cli: Cli) -> None:
    store.reset(**shop(account_language="en"))  # an account that reads amazon.de in English
    checked = cli("--marketplace", "de", "check", MINE, env={"LANG": "de_DE.UTF-8"})
    assert checked.exit_code == 0, checked.stderr[-2000:]
    assert said(GERMAN, "can be cancelled now ({count} open item); the store closes the window a short while after "
                        "the order is placed, without saying when", count=2) in checked.stdout, checked.stdout
    state = said(GERMAN, "cancellable", context="state")
    status = said(GERMAN, "state: {change} ({status})", change=state, status="Arriving").removesuffix(")")
    assert status in checked.stdout  # the store's status as it wrote it: "Arriving Saturday"
    assert format_currency(1234.5, "EUR", locale="de_DE") in checked.stdout  # 1.234,50 €, as German writes money
