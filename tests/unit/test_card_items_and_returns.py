"""Your Orders' items in the live site's three layouts, and the return link of an order it is too
late to cancel: read from small pages built like the live markup, from the saved live pages (where
they are beside this clone) and from the mock store's pages; no browser."""
from __future__ import annotations

import pytest

from automation.cli.output import print_orders
from automation.marketplace import MARKETPLACES
from automation.order.outcome import Outcome, Result
from automation.order.reader import return_advice, return_link
from mock_store import seed
from pages import order_details, your_orders
from pages.your_orders import CardItem, OrderCard
from tests.store_api import Shopper, StoreAdmin
from tests.unit.test_screens import live, saved

ORDER = "113-1234567-1234567"
BASE = "https://www.amazon.com"


def item_box(asin: str, title: str) -> str:
    """One item as the 2026 history shows it (order-history-not-yet-shipped.html)."""
    return f"""<li><span class="a-list-item"><div class="a-fixed-left-grid item-box a-spacing-small">
      <div class="a-fixed-left-grid-inner"><div class="a-fixed-left-grid-col a-col-left"><div class="product-image">
        <a class="a-link-normal" tabindex="-1" href="/dp/{asin}?ref=ppx_yo2ov_dt_b_fed_asin_title">
          <img alt="{title}" src="https://m.media-amazon.com/images/I/x.jpg"></a></div></div>
      <div class="a-fixed-left-grid-col a-col-right"><div class="a-row"><div class="yohtmlc-product-title">
        <a aria-hidden="false" class="a-link-normal" href="/dp/{asin}?ref=ppx_yo2ov_dt_b_fed_asin_title">
          {title}</a></div></div></div></div></div></span></li>"""


def flex_card(asin: str, title: str) -> str:
    return f"""<div class="yo-enhanced-flex-card"><div class="yo-enhanced-flex-image">
      <a class="a-link-normal" href="/dp/{asin}"><img src="https://m.media-amazon.com/images/I/y.jpg"></a></div>
      <div class="yo-enhanced-title"><a class="a-link-normal" href="/dp/{asin}">{title}</a></div></div>"""


def carousel_card(asin: str, title: str) -> str:
    return f"""<li class="a-carousel-card" role="listitem"><div class="yo-enhanced-card">
      <div class="yo-enhanced-image"><a class="a-link-normal" href="/dp/{asin}"><img alt="{title}"></a></div>
      <div class="yo-enhanced-title"><a class="a-link-normal" href="/dp/{asin}">{title}</a></div></div></li>"""


def card(*shipments: str, number: str = ORDER) -> str:
    boxes = "".join(f"""<div class="a-box delivery-box"><div class="a-box-inner">
      <span class="a-size-medium delivery-box__primary-text a-text-bold">Delivered May 3</span>{body}</div></div>"""
                    for body in shipments)
    return f"""<form class="js-time-filter-form"></form><div class="order-card js-order-card">
      <div class="yohtmlc-order-id"><span class="a-color-secondary a-text-caps">Order #</span>
      <span class="a-color-secondary" dir="ltr">{number}</span></div>{boxes}</div>"""


def items_of(html: str) -> list[tuple[str, str | None, str]]:
    [read] = your_orders.parse(html).cards
    return [(i.layout, i.product_id, i.title) for i in read.items]


# -- the three layouts -----------------------------------------------------------------------------

def test_one_card_mixing_the_three_layouts_reads_every_item_in_order_by_its_product() -> None:
    html = card(f'<ul class="a-unordered-list">{item_box("B0GSS72GZJ", "Headphones")}{item_box("B086PHRXLR", "Router")}</ul>',
                f'<div class="yo-enhanced-flex">{flex_card("B0F1B8Q5GT", "Laptop")}{flex_card("B0F1B8Q5GU", "Tablet")}</div>',
                '<div class="a-carousel-container yo-enhanced-item-carousel"><ol class="a-carousel">'
                + "".join(carousel_card(f"B0CAROUSE{n}", f"Cable {n}") for n in range(4)) + "</ol></div>")

    assert items_of(html) == [("item-box", "B0GSS72GZJ", "Headphones"), ("item-box", "B086PHRXLR", "Router"),
                              ("flex-card", "B0F1B8Q5GT", "Laptop"), ("flex-card", "B0F1B8Q5GU", "Tablet")] + \
        [("carousel", f"B0CAROUSE{n}", f"Cable {n}") for n in range(4)]
    assert your_orders.parse(html).cards[0].status_text == "Delivered May 3"  # one status per shipment, said once


def test_an_item_is_read_once_where_one_layout_wraps_another_and_without_a_title_block() -> None:
    wrapped = '<div class="yo-enhanced-item-carousel"><div class="yo-enhanced-card">' + \
        item_box("B0INNER001", "Inner") + "</div></div>"
    untitled = '<div class="yo-enhanced-flex-card"><a href="/gp/product/B0NOTITLE1/ref=x"><img alt=" Mug "></a></div>'
    no_product = '<div class="yo-enhanced-flex-card"><div class="yo-enhanced-title">Gift card</div></div>'
    stray = '<div class="yo-enhanced-card"><a href="/dp/B0STRAY001">Not in a carousel</a></div>'

    assert items_of(card(wrapped, untitled, no_product, stray)) == [
        ("item-box", "B0INNER001", "Inner"), ("flex-card", "B0NOTITLE1", "Mug"), ("flex-card", None, "Gift card")]


@live
@pytest.mark.parametrize("name", ["order-history-not-yet-shipped.html", "orders-order-history-2024-0.html",
                                  "orders-order-history-canceled-order.html"])
def test_live_every_card_shows_its_items_by_product(name: str) -> None:
    cards = your_orders.parse(saved(name)).cards

    assert len(cards) == 10 and all(c.items for c in cards)
    assert all(i.product_id and i.title for c in cards for i in c.items)


@live
def test_live_a_card_of_several_items() -> None:
    first = your_orders.parse(saved("order-history-not-yet-shipped.html")).cards[0]

    assert first.order_id == "112-5923791-3567463"
    assert [i.product_id for i in first.items] == ["B0GSS72GZJ", "B086PHRXLR", "B086P6PBWB", "B0BHV5NZHB"]
    assert first.items[0].title.startswith("Apple AirPods Max 2") and first.items[0].layout == "item-box"


def test_the_mock_shows_all_three_layouts_and_a_card_mixing_them(store: StoreAdmin, shopper: Shopper) -> None:
    mixed = store.add_order([f"Part {n}" for n in range(7)], layout=["carousel", "item-box", "flex-card"])
    shopper.sign_in()

    cards = {c.order_id: c for c in your_orders.parse(shopper.get(your_orders.YourOrdersPage.PATH).text).cards}

    assert [(i.layout, i.title) for i in cards[mixed.id].items] == \
        [("carousel", "Part 0"), ("carousel", "Part 1"), ("carousel", "Part 2"), ("item-box", "Part 3"),
         ("item-box", "Part 4"), ("flex-card", "Part 5"), ("flex-card", "Part 6")]
    assert [i.product_id for i in cards[mixed.id].items] == [i["product_id"] for i in mixed.raw["items"]]
    # the demo, by item count: many items a carousel, two a grid, one an item box
    assert {i.layout for i in cards["113-2345678-2345678"].items} == {"carousel"}
    assert {i.layout for i in cards[seed.DEMO_ORDER].items} == {"flex-card"}
    assert {i.layout for i in cards["113-5678901-5678901"].items} == {"item-box"}


@pytest.mark.parametrize("layout", ["grid", [], ["item-box", "carousel", "flex-card"], 3])
def test_the_mock_refuses_a_layout_it_cannot_show(store: StoreAdmin, layout: object) -> None:
    answer = store.http.post("/__admin/orders", json={"orders": [{
        "id": "115-9999999-9999999", "account": seed.DEMO_EMAIL, "layout": layout,
        "items": [{"title": "A", "price": "1.00"}, {"title": "B", "price": "1.00"}]}]})

    assert answer.status_code == 400 and "layout" in answer.json()["error"]


def test_the_orders_list_shows_the_first_title_escaped_and_how_many_more(capsys: pytest.CaptureFixture[str]) -> None:
    items = (CardItem("B0AAAAAAA1", "Kettle\x1b[2J [bold]hot[/bold]", "carousel"),
             CardItem("B0AAAAAAA2", "Teapot", "carousel"), CardItem(None, "Gift card", "carousel"))
    cards = [OrderCard(ORDER, "May 1", "$10.00", "Arriving", None, True, items),
             OrderCard("113-7654321-7654321", "May 2", None, "Delivered", None, False, ())]
    result = Result("", Outcome.CHECKED, "2 orders")

    print_orders(result, cards, False, MARKETPLACES["com"])
    shown = capsys.readouterr().out
    print_orders(result, cards, True, MARKETPLACES["com"])
    listed = capsys.readouterr().out

    assert "Kettle\\x1b[2J [bold]hot[/bold] +2 more" in shown and "\x1b" not in shown
    assert '"items": [{"title": "Kettle\\u001b[2J [bold]hot[/bold]", "product_id": "B0AAAAAAA1"}, ' \
           '{"title": "Teapot", "product_id": "B0AAAAAAA2"}, {"title": "Gift card", "product_id": null}]' in listed
    assert '"items": []' in listed


# -- the way to a return -----------------------------------------------------------------------------

def details(href: str, words: str = "Return or replace items") -> str:
    return f"""<div data-component="orderId"><span>{ORDER}</span></div>
      <div data-component="shipmentStatus"><h4 class="od-status-message"><span>Delivered May 3</span></h4></div>
      <div data-component="shipmentConnections"><span class="a-button"><span class="a-button-inner">
      <a class="a-button-text" href="{href}">{words}</a></span></span></div>"""


def test_the_details_screen_names_its_return_link_and_else_its_return_status() -> None:
    cart = f"/spr/returns/cart?orderId={ORDER}&amp;ref=ppx_yo2ov_dt_b_return_replace"
    prep = f"/spr/returns/prep?orderId={ORDER}&amp;ref=ppx_yo2ov_dt_b_return_status"

    assert order_details.parse(details(cart)).return_path == cart.replace("&amp;", "&")
    assert order_details.parse(details(prep, "View return/refund status")).return_path == prep.replace("&amp;", "&")
    assert order_details.parse(details("/gp/your-account/ship-track?orderId=1")).return_path is None


@pytest.mark.parametrize("href, url", [
    (f"/spr/returns/cart?orderId={ORDER}&ref=ppx_yo2ov_dt_b_return_replace",
     f"{BASE}/spr/returns/cart?orderId={ORDER}&ref=ppx_yo2ov_dt_b_return_replace"),
    (f"{BASE}/spr/returns/cart?orderID={ORDER}", f"{BASE}/spr/returns/cart?orderID={ORDER}"),
    ("/spr/returns/prep?returnId=R1&ref=ppx_yo2ov_dt_b_return_status",
     f"{BASE}/spr/returns/prep?returnId=R1&ref=ppx_yo2ov_dt_b_return_status"),
])
def test_a_return_link_on_the_stores_origin_is_passed_on_absolute(href: str, url: str) -> None:
    summary = order_details.parse(details(href.replace("&", "&amp;")))
    assert return_link(summary, ORDER, BASE) == url


@pytest.mark.parametrize("href", [
    f"https://evil.example/spr/returns/cart?orderId={ORDER}",  # another host
    f"//evil.example/spr/returns/cart?orderId={ORDER}",  # the same, without a scheme
    f"http://www.amazon.com/spr/returns/cart?orderId={ORDER}",  # another scheme
    f"https://www.amazon.com:8443/spr/returns/cart?orderId={ORDER}",  # another port
    f"https://www.amazon.com.evil.example/spr/returns/cart?orderId={ORDER}",
    f"https://me@www.amazon.com/spr/returns/cart?orderId={ORDER}",  # credentials
    f"https://www.amazon.com@evil.example/spr/returns/cart?orderId={ORDER}",
    f"javascript:alert(1)//spr/returns/cart?orderId={ORDER}",
    f"/\\evil.example/spr/returns/cart?orderId={ORDER}",
    f"/gp/redirect?to=/spr/returns/cart&orderId={ORDER}",  # another path
    f"/spr/returns/cart/../../ap/signin?orderId={ORDER}",
    "/spr/returns/cart?orderId=113-7654321-7654321",  # another order
    "/spr/returns/cart?ref=ppx_yo2ov_dt_b_return_replace",  # no order at all
    f"/spr/returns/cart?orderId={ORDER}&x=\x1b[2J",  # terminal control
    f"/spr/returns/cart?orderId={ORDER}&x=a b",  # a space inside (an href is stripped at its ends only)
    f"/spr/returns/cart?orderId={ORDER}&x=\u202e",  # bidi override
    f"/spr/returns/cart?orderId={ORDER}&x=" + "a" * 2000,
    # another order under a name a lenient server may read as orderId (attack finding: passed on)
    f"/spr/returns/cart?orderId={ORDER}&orderId%00=113-7654321-7654321",
    f"/spr/returns/cart?orderId={ORDER}&+orderId=113-7654321-7654321",
    f"/spr/returns/cart?orderId={ORDER}&amp;orderId=113-7654321-7654321",  # "&amp;amp;" in the page
    f"/spr/returns/cart?orderId=&orderId={ORDER}",  # a blank one first
])
def test_a_return_link_anywhere_else_is_not_passed_on(href: str) -> None:
    summary = order_details.parse(details(href.replace("&", "&amp;")))
    assert summary.return_path is not None and return_link(summary, ORDER, BASE) is None


def test_the_next_step_names_the_return_link() -> None:
    summary = order_details.parse(details(f"/spr/returns/cart?orderId={ORDER}"))
    cart, prep = f"{BASE}/spr/returns/cart?orderId={ORDER}", f"{BASE}/spr/returns/prep?returnId=R1"

    assert return_advice(summary, cart) == f"too late to cancel: return it at {cart}"
    assert return_advice(summary, prep) == f"too late to cancel: a return is already open; see its status at {prep}"
    assert return_advice(summary).startswith("Once it arrives, return it")


def test_the_return_link_survives_the_journal() -> None:
    url = f"{BASE}/spr/returns/cart?orderId={ORDER}"
    result = Result(ORDER, Outcome.NOT_CANCELLABLE, "too late", return_url=url)

    assert Result.from_json(result.to_json()).return_url == url
    assert Result.from_json({**result.to_json(), "return_url": ["not", "a", "string"]}).return_url is None


def test_the_mocks_shipped_and_delivered_orders_link_their_return_at_the_live_path(
        store: StoreAdmin, shopper: Shopper) -> None:
    opened = store.add_order(["Rug"], placed_minutes_ago=60 * 24 * 2, stage="delivered", return_started=True)
    shopper.sign_in()

    def read(order_id: str) -> order_details.OrderSummary:
        return order_details.parse(shopper.get(order_details.OrderDetailsPage.path_for(order_id)).text)
    paths = {order_id: read(order_id).return_path for order_id in
             ("113-5678901-5678901", "113-6789012-6789012", "112-3333333-4444444", "D01-1234567-1234567",
              "113-4567890-4567890", opened.id)}
    stand_in = shopper.get(paths["113-5678901-5678901"] or "")

    assert paths["113-5678901-5678901"] == "/spr/returns/cart?orderId=113-5678901-5678901&ref=ppx_yo2ov_dt_b_return_replace"
    assert paths["113-6789012-6789012"] == "/spr/returns/cart?orderId=113-6789012-6789012&ref=ppx_yo2ov_dt_b_return_replace"
    assert paths[opened.id] == f"/spr/returns/prep?orderId={opened.id}&ref=ppx_yo2ov_dt_b_return_status"
    # its return window closed, digital, not yet shipped: no return to offer
    assert paths["112-3333333-4444444"] is paths["D01-1234567-1234567"] is paths["113-4567890-4567890"] is None
    assert stand_in.status_code == 200 and "113-5678901-5678901" in stand_in.text
