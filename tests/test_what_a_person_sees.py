"""What a person reads: order numbers whole at any width and without a terminal, items with what
changed, screenshots with the page's own styles, and a report worth opening."""
from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from urllib.parse import unquote, urlsplit

from PIL import Image
from playwright.sync_api import Browser

from mock_store import seed
from tests.conftest import CliResult
from tests.store_api import StoreAdmin
from tests.terminal import on_terminal

Cli = Callable[..., CliResult]
NAVBAR = (0x13, 0x19, 0x21)  # the mock store's header colour, from its own style sheet
NOT_CANCELLABLE = "113-5678901-5678901"


def write_batch(path: Path, order_ids: list[str]) -> Path:
    path.write_text("order_id,items,reason,note\n" + "".join(f"{o},,,\n" for o in order_ids))
    return path


def test_orders_and_a_batch_show_whole_order_numbers_on_an_80_column_terminal(
        store: StoreAdmin, cli: Cli, cli_env: dict[str, str], tmp_path: Path) -> None:
    listed = [o["order_id"] for o in cli("orders", "--json").json["orders"]]
    shown = on_terminal({**cli_env, "ORDERCANCEL_LOG_FORMAT": "json"}, tmp_path, "orders")[0]
    assert len(listed) > 5 and all(order_id in shown for order_id in listed), shown
    assert "…" not in shown

    fresh = store.add_order(["Lamp"])
    batch = write_batch(tmp_path / "orders.csv", [fresh.id, NOT_CANCELLABLE, "113-0000000-0000001"])
    shown = on_terminal({**cli_env, "ORDERCANCEL_LOG_FORMAT": "json"}, tmp_path, "batch", str(batch))[0]
    for order_id, outcome in [(fresh.id, "cancelled"), (NOT_CANCELLABLE, "not_cancellable"),
                              ("113-0000000-0000001", "not_found")]:
        (line,) = [line for line in shown.splitlines() if line.startswith(order_id)]  # its row, whole
        assert line.split()[:2] == [order_id, outcome], shown
    assert "…" not in shown


def test_without_a_terminal_each_order_is_one_plain_line(store: StoreAdmin, cli: Cli, tmp_path: Path) -> None:
    listed = cli("orders")
    assert listed.exit_code == 0
    lines = listed.stdout.strip().splitlines()
    assert lines[-1].endswith("orders") and all(re.match(r"(?:\d{3}|D01)-\d{7}-\d{7}  \w+", line) for line in lines[:-1])

    fresh, two = store.add_order(["Lamp"]), store.add_order(["Desk Lamp", "Bulb"])
    batch = tmp_path / "orders.csv"
    batch.write_text(f"order_id,items\n{fresh.id},\n{two.id},Bulb\n{NOT_CANCELLABLE},\n")
    result = cli("batch", str(batch))
    lines = result.stdout.strip().splitlines()
    assert lines[0].startswith(f"{fresh.id}  cancelled  cancellable -> cancelled  cancelled 1 item:"), lines
    # a row just cancelled in part reads as such, not as its unchanged "cancellable"
    assert lines[1].startswith(f"{two.id}  cancelled  cancellable -> partly cancelled  cancelled 1 item:"), lines
    assert lines[2].startswith(f"{NOT_CANCELLABLE}  not_cancellable  "), lines
    assert lines[3].startswith("cancelled: 2 not_cancellable: 1  (run ") and len(lines) == 4  # the counts once


def test_a_cancel_shows_its_items_with_what_it_changed(store: StoreAdmin, cli: Cli) -> None:
    result = cli("cancel", seed.DEMO_ORDER, "--item", "Teapot")
    assert result.exit_code == 0, result.stderr[-2000:]
    items = [line for line in result.stdout.splitlines() if " x1 " in line]
    (teapot,) = [line for line in items if "Glass Teapot" in line]
    (kettle,) = [line for line in items if "Kettle" in line]
    assert teapot.lstrip().startswith("* cancelled now") and "x1" in teapot
    assert kettle.strip().startswith("ordered")
    as_json = cli("check", seed.DEMO_ORDER, "--json").json
    assert {i["title"]: (i["cancelled_before"], i["cancelled"]) for i in as_json["items"]}[
        "Glass Teapot with Infuser"] == (True, True)  # a check changes nothing


def test_what_a_cancel_changed_is_known_though_the_store_lists_cancelled_lines_last(
        store: StoreAdmin, cli: Cli, cli_env: dict[str, str], tmp_path: Path) -> None:
    order = "113-2345678-2345678"  # the demo's cable, lamp and mouse
    lamp = cli("cancel", order, "--item", "LED Desk Lamp", "--json")
    assert lamp.exit_code == 0, lamp.stderr[-2000:]
    assert [i["title"] for i in lamp.json["items"]][-1] == "LED Desk Lamp"  # listed last once cancelled
    assert {i["title"]: (i["cancelled_before"], i["cancelled"], i["cancelled_now"]) for i in lamp.json["items"]} == {
        "USB-C Charging Cable, 2 m": (False, False, False), "Wireless Mouse": (False, False, False),
        "LED Desk Lamp": (False, True, True)}

    shown, _, code = on_terminal({**cli_env, "ORDERCANCEL_LOG_FORMAT": "json"}, tmp_path, "cancel", order, "--item",
                                 "Wireless Mouse", columns=100)
    assert code == 0, shown
    rows = {title: row for row in shown.splitlines() if "$" in row  # the item table's rows
            for title in ("Wireless Mouse", "LED Desk Lamp", "USB-C") if title in row}
    assert rows["Wireless Mouse"].split()[:3] == ["*", "cancelled", "now"], shown
    assert rows["LED Desk Lamp"].split()[0] == "cancelled" and rows["USB-C"].split()[0] == "ordered", shown
    assert "state: cancellable -> partly cancelled" in shown, shown
    assert len(re.findall(r"\b[A-Z][a-z]{2} \d{1,2}, \d{4}\b", shown)) == 1, shown  # the refund date (Dec 9, 2026), once

    checked = cli("check", order)
    assert "can be cancelled now (1 open item)" in checked.stdout, checked.stdout


def test_the_report_reads_well_in_a_browser(store: StoreAdmin, cli: Cli, tmp_path: Path, browser: Browser) -> None:
    fresh = store.add_order(["Desk Lamp", "Bulb"])
    batch = write_batch(tmp_path / "orders.csv", [fresh.id, NOT_CANCELLABLE, "113-0000000-0000001"])
    result = cli("batch", str(batch), "--report", str(tmp_path / "report"), "--json")
    report = tmp_path / "report" / "latest"  # this run's own folder
    assert result.exit_code == 0, result.stderr[-2000:]
    assert {o["order_id"]: o["state"] for o in result.json["orders"]} == {
        fresh.id: "cancelled", NOT_CANCELLABLE: "not_cancellable", "113-0000000-0000001": "not_found"}

    context = browser.new_context(viewport={"width": 700, "height": 900})  # narrow: wrapping would show
    page = context.new_page()
    asked: list[str] = []
    page.on("request", lambda request: asked.append(request.url))
    page.goto((report / "report.html").as_uri())
    page.wait_for_load_state("load")
    assert all(url.startswith("file://") for url in asked), asked  # nothing from another host

    assert page.locator(".bar span").count() == 3
    rows = page.locator("tbody tr")
    cancelled_row = page.locator('tr[data-outcome="cancelled"]')
    page.get_by_label("cancelled (1)", exact=True).uncheck()
    assert cancelled_row.is_hidden() and rows.filter(visible=True).count() == 2
    page.get_by_label("cancelled (1)", exact=True).check()
    assert cancelled_row.is_visible() and rows.filter(visible=True).count() == 3

    lines_of_number = page.evaluate("""() => {
        const cell = document.querySelector('tr[data-outcome="cancelled"] td.order');
        const range = document.createRange();
        range.selectNodeContents(cell.firstChild);
        return range.getClientRects().length;
    }""")
    assert lines_of_number == 1
    assert "(this run)" in cancelled_row.locator(".items").inner_text()
    store_link = cancelled_row.locator("a.store").get_attribute("href") or ""
    assert store_link == f"{store.url}/your-orders/order-details?orderID={fresh.id}"

    href = cancelled_row.locator("a.screen").get_attribute("href") or ""
    image_path = report / unquote(href)
    assert image_path.is_file()
    with Image.open(image_path) as image:
        assert image.width >= 1280  # the thumbnail leads to the full-size screen
        small = image.convert("RGB").resize((image.width // 4, image.height // 4))
        pixels = getattr(small, "get_flattened_data", small.getdata)()  # getdata is deprecated in new Pillow
        assert sum(all(abs(a - b) < 12 for a, b in zip(p, NAVBAR, strict=True)) for p in pixels) > 500  # styled
    context.close()

    stored = json.loads((report / "results.json").read_text())
    (cancelled,) = [o for o in stored["orders"] if o["order_id"] == fresh.id]
    assert all(i["cancelled_before"] is False and i["cancelled"] for i in cancelled["items"])
    assert urlsplit(store_link).hostname == "127.0.0.1"
