"""Through the CLI, in the browser: Your Orders' items in the live site's three layouts, and the way
to a return for an order it is too late to cancel, on the store's own origin only."""
from __future__ import annotations

from collections.abc import Callable

from tests.conftest import CliResult
from tests.store_api import StoreAdmin

Cli = Callable[..., CliResult]
SHIPPED, DELIVERED = "113-5678901-5678901", "113-6789012-6789012"
RETURN = "/spr/returns/cart?orderId={}&ref=ppx_yo2ov_dt_b_return_replace"


def test_orders_lists_the_items_of_every_layout_by_product(store: StoreAdmin, cli: Cli) -> None:
    mixed = store.add_order([f"Part {n}" for n in range(6)], layout=["item-box", "flex-card", "carousel"])

    result = cli("orders", "--json")

    assert result.exit_code == 0, result.stderr
    rows = {row["order_id"]: row for row in result.json["orders"]}
    assert rows[mixed.id]["items"] == [{"title": i["title"], "product_id": i["product_id"]}
                                       for i in mixed.raw["items"]]
    # the demo's own: a carousel (three items), a grid (two) and an item box (one)
    for order_id in ("113-2345678-2345678", "113-1234567-1234567", SHIPPED):
        assert rows[order_id]["items"] == [{"title": i["title"], "product_id": i["product_id"]}
                                           for i in store.order(order_id).raw["items"]]


def test_too_late_to_cancel_names_the_orders_return_on_the_stores_origin(store: StoreAdmin, cli: Cli) -> None:
    elsewhere = store.add_order(["Lamp"], placed_minutes_ago=60 * 24 * 2, stage="delivered",
                                return_link="https://returns.example/spr/returns/cart?orderId=115")

    checked = cli("check", SHIPPED, DELIVERED, elsewhere.id, "--json")
    cancelled = cli("cancel", SHIPPED, "--json")
    shown = cli("cancel", DELIVERED, "--yes")

    assert checked.exit_code == 0, checked.stderr
    by_id = {row["order_id"]: row for row in checked.json}
    for order_id in (SHIPPED, DELIVERED):
        url = store.url + RETURN.format(order_id)
        assert by_id[order_id]["return_url"] == url and not by_id[order_id]["cancellable"]
        assert by_id[order_id]["next_step"].startswith(f"too late to cancel: return it at {url}")
    assert by_id[elsewhere.id]["return_url"] is None and "returns.example" not in checked.stdout
    assert by_id[elsewhere.id]["next_step"].startswith("Once it arrives, return it")
    assert cancelled.exit_code == 3 and cancelled.json["outcome"] == "not_cancellable"
    assert cancelled.json["return_url"] == store.url + RETURN.format(SHIPPED)
    assert shown.exit_code == 3 and f"next: too late to cancel: return it at {store.url}{RETURN.format(DELIVERED)}" \
        in shown.stdout
    assert not [e for e in store.events() if e["action"].startswith("cancel_")]  # nothing was submitted
