"""Read-only screens over plain HTTP with the saved session, before any browser runs: a `check`
reads its orders without launching Chromium, and anything unusual is read again in the browser."""
from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from automation import __version__
from mock_store import seed
from pages.cancel_items import CancelItemsPage
from pages.order_details import OrderDetailsPage
from pages.your_orders import YourOrdersPage
from tests.conftest import CliResult
from tests.store_api import StoreAdmin

Cli = Callable[..., CliResult]
PLAIN = f"order-cancel-assistant/{__version__}"
DETAILS = OrderDetailsPage.PATH
SHIPPED = "113-5678901-5678901"  # in the demo scenario, shipped: not cancellable


def started_a_browser(result: CliResult) -> bool:
    return any(line.get("event") == "browser_started" for line in result.logs)


def by_reader(store: StoreAdmin) -> list[tuple[str, str, bool]]:
    """Each request since the last reset: who asked (the plain reader or the browser), for what, navigating?"""
    return [("plain" if r["agent"] == PLAIN else "browser", r["path"], r["navigation"]) for r in store.requests()]


def test_check_with_a_saved_session_starts_no_browser(store: StoreAdmin, cli: Cli) -> None:
    assert cli("login").exit_code == 0
    before = len(store.requests())

    result = cli("check", seed.DEMO_ORDER, SHIPPED, "--json")

    assert result.exit_code == 0, result.stderr[-2000:]
    assert [(r["order_id"], r["outcome"], r["state"]["before"]["state"]) for r in json.loads(result.stdout)] == [
        (seed.DEMO_ORDER, "checked", "cancellable"), (SHIPPED, "checked", "not_cancellable")]
    assert not started_a_browser(result)
    asked = by_reader(store)[before:]
    assert asked == [("plain", DETAILS, False)] * 2


def test_cancel_of_an_order_past_its_window_starts_no_browser(store: StoreAdmin, cli: Cli) -> None:
    assert cli("login").exit_code == 0
    result = cli("cancel", SHIPPED, "--json")
    assert result.exit_code == 3 and result.json["outcome"] == "not_cancellable"
    assert not started_a_browser(result)


def test_a_cancel_reads_plainly_then_acts_in_the_browser(store: StoreAdmin, cli: Cli) -> None:
    assert cli("login").exit_code == 0
    before = len(store.requests())
    result = cli("cancel", seed.DEMO_ORDER, "--reason", "mistake", "--json")
    assert result.exit_code == 0 and result.json["outcome"] == "cancelled", result.stderr[-2000:]
    asked = by_reader(store)[before:]
    assert asked[0] == ("plain", DETAILS, False)  # read before any browser ran
    assert ("browser", CancelItemsPage.PATH, True) in asked
    assert all(who == "browser" for who, _, _ in asked[1:])  # once it runs, the browser's context reads
    assert store.order(seed.DEMO_ORDER).statuses() == {"cancelled"}


def test_without_a_saved_session_the_browser_signs_in(store: StoreAdmin, cli: Cli) -> None:
    result = cli("check", seed.DEMO_ORDER, "--json")
    assert result.exit_code == 0 and result.json["outcome"] == "checked"
    assert started_a_browser(result)
    assert [e["result"] for e in store.events("sign_in")] == ["ok"]
    assert not [path for who, path, _ in by_reader(store) if who == "plain"]  # nothing to read with


def test_a_session_the_store_ended_is_read_again_in_the_browser_and_no_redirect_is_followed(
        store: StoreAdmin, cli: Cli) -> None:
    assert cli("login").exit_code == 0
    store.reset()  # the store forgets every session: the saved one now meets its sign-in page

    result = cli("check", seed.DEMO_ORDER, "--json")

    assert result.exit_code == 0 and result.json["outcome"] == "checked", result.stderr[-2000:]
    assert started_a_browser(result)
    assert [e["result"] for e in store.events("sign_in")] == ["ok"]
    plain = [path for who, path, _ in by_reader(store) if who == "plain"]
    assert plain == [DETAILS]  # its redirect to the sign-in page was not followed


def test_a_plain_read_that_fails_falls_back_to_the_browser(store: StoreAdmin, cli: Cli) -> None:
    assert cli("login").exit_code == 0
    store.faults(seed=1, error_rate=1.0)  # every answer a server error page: the plain read gives up at once
    before = len(store.requests())
    result = cli("check", seed.DEMO_ORDER, "--json")
    assert result.exit_code == 1 and result.json["outcome"] == "error"
    assert by_reader(store)[before] == ("plain", DETAILS, False)  # read plainly first ...
    assert started_a_browser(result)  # ... then the browser tried (and retried) too, the full way


def test_a_batch_that_only_reads_starts_no_browser(store: StoreAdmin, cli: Cli, tmp_path: Path) -> None:
    assert cli("login").exit_code == 0
    batch = tmp_path / "orders.csv"
    batch.write_text(f"order_id\n{SHIPPED}\n")
    result = cli("batch", str(batch), "--json")
    assert result.exit_code == 0 and result.json["counts"] == {"not_cancellable": 1}, result.stderr[-2000:]
    assert not started_a_browser(result)  # the saved session proved itself on Your Orders, read plainly
    assert ("plain", YourOrdersPage.PATH, False) in by_reader(store)


def test_a_batch_with_work_starts_its_browser_once_and_signs_in_once(store: StoreAdmin, cli: Cli,
                                                                      tmp_path: Path) -> None:
    orders = [store.add_order([f"Mug {n}"]) for n in range(3)]
    batch = tmp_path / "orders.csv"
    batch.write_text("order_id\n" + "".join(f"{o.id}\n" for o in orders) + f"{SHIPPED}\n")
    # no saved session yet; one worker (on the loopback mock the default is 2, each its own browser)
    result = cli("batch", str(batch), "--concurrency", "1", "--json")
    assert result.json["counts"] == {"cancelled": 3, "not_cancellable": 1}, result.stderr[-2000:]
    assert [line["event"] for line in result.logs].count("browser_started") == 1
    assert [e["result"] for e in store.events("sign_in")] == ["ok"]
