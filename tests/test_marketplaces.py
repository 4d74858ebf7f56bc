"""Every marketplace in every display language, through the CLI against the mock store: a full
cancel, a third-party request, a check and an orders listing, each read right, with money as
amount and currency."""
from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from mock_store import seed
from tests.conftest import CliResult
from tests.store_api import StoreAdmin

Cli = Callable[..., CliResult]
MARKETPLACES = {"com": "USD", "co.uk": "GBP", "de": "EUR", "se": "SEK"}
MINE = "113-1111111-0000001"
THIRD_PARTY = "113-1111111-0000002"


def shop(marketplace: str, account_language: str | None = None) -> dict[str, Any]:
    placed = (datetime.now(UTC) - timedelta(minutes=5)).isoformat()
    return {
        "accounts": [{"email": seed.DEMO_EMAIL, "password": seed.DEMO_PASSWORD, "marketplace": marketplace,
                      **({"locale": account_language} if account_language else {})}],
        "orders": [
            {"id": MINE, "account": seed.DEMO_EMAIL, "placed_at": placed, "items": [
                {"id": "mkkettle01s", "title": "Kettle", "price": "1234.50"},
                {"id": "mkteapot01s", "title": "Teapot", "price": "19.50"}]},
            {"id": THIRD_PARTY, "account": seed.DEMO_EMAIL, "placed_at": placed, "seller": "third_party",
             "items": [{"id": "mkwatch01s", "title": "Watch", "price": "75.00"}]},
        ],
    }


# Every marketplace and every language once (money follows the marketplace, words the language,
# and each is asserted in each): amazon.co.uk's English, the Dane on amazon.de whom the how-to is
# written for, and on the other two a reader whose language is not the marketplace's own. Sixteen
# pairs took a minute of the suite's eight, eight pairs half that; the suite has grown since.
PAIRS = [("com", "sv"), ("co.uk", "en"), ("de", "da"), ("se", "de")]


@pytest.mark.parametrize(("marketplace", "language"), PAIRS)
def test_cancel_request_check_and_orders_in_every_marketplace_and_language(store: StoreAdmin, cli: Cli,
                                                                          marketplace: str, language: str) -> None:
    store.reset(**shop(marketplace))
    chosen = ("--marketplace", marketplace, "--language", language)
    cancel = cli(*chosen, "cancel", MINE, "--reason", "mistake", "--json")
    assert cancel.json["outcome"] == "cancelled", cancel.stdout
    assert store.order(MINE).statuses() == {"cancelled"}
    requested = cli(*chosen, "cancel", THIRD_PARTY, "--json")
    assert requested.json["outcome"] == "cancellation_requested", requested.stdout

    checked = cli(*chosen, "check", MINE, THIRD_PARTY, "--json")
    states = {r["order_id"]: r["state"]["after"]["state"] for r in json_array(checked)}
    assert states == {MINE: "cancelled", THIRD_PARTY: "cancellation_requested"}
    (watch,) = [r for r in json_array(checked) if r["order_id"] == THIRD_PARTY][0]["items"]
    assert (watch["amount"], watch["currency"]) == ("75.00", MARKETPLACES[marketplace])
    total = [r for r in json_array(checked) if r["order_id"] == THIRD_PARTY][0]["total"]
    assert (total["amount"], total["currency"]) == ("75.00", MARKETPLACES[marketplace])

    listed = {o["order_id"]: o for o in cli(*chosen, "orders", "--json").json["orders"]}
    assert listed[MINE]["state"] == "cancelled"  # the cancelled card, read in this language
    assert listed[THIRD_PARTY]["state"] == "cancellation_requested"
    assert (Decimal(listed[THIRD_PARTY]["amount"]), listed[THIRD_PARTY]["currency"]) == (
        Decimal("75.00"), MARKETPLACES[marketplace])


def json_array(result: CliResult) -> list[dict[str, Any]]:
    import json

    assert result.exit_code == 0, result.stderr[-2000:]
    return json.loads(result.stdout)


def test_without_a_language_the_accounts_own_is_read_as_it_is(store: StoreAdmin, cli: Cli) -> None:
    store.reset(**shop("de", account_language="sv"))
    result = cli("--marketplace", "de", "cancel", MINE, "--item", "Teapot", "--reason", "Artikelpreis zu hoch")
    assert result.exit_code == 0, result.stderr[-2000:]
    assert "Avbrytandet lyckades" in result.stdout  # the store's Swedish answer
    assert "€19.50" in result.stdout  # the amount read, as the tool's language (English here) writes euros
    assert store.order(MINE).item("Teapot")["status"] == "cancelled"


def test_the_demo_as_a_danish_shopper_on_amazon_de(cli: Cli) -> None:
    result = cli("--marketplace", "de", "--language", "da", "demo", timeout=180)
    assert result.exit_code == 0, result.stderr[-2000:]
    assert "(Annullering gennemført)" in result.stdout  # the store's Danish answer
    assert "19,50\u00a0€" in result.stdout or "19,50 €" in result.stdout


def test_a_euro_store_read_as_amazon_com_warns_once_naming_both_currencies(store: StoreAdmin, cli: Cli) -> None:
    store.reset(**shop("de"))
    checked = cli("check", MINE, "--json")  # the mock's address names no marketplace: com, in dollars
    assert checked.exit_code == 0, checked.stderr[-2000:]
    assert all(i["amount"] is None for i in checked.json["items"])  # never a guess
    (warning,) = [line for line in checked.logs if line.get("event") == "price_in_other_currency"]
    assert warning["level"] == "warning" and (warning["currency"], warning["marketplace_currency"]) == ("EUR", "USD")
    assert "--marketplace de" in warning["message"]
