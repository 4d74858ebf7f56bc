"""Named scenarios: the deterministic store documents the demo and the tests start from."""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

DEMO_EMAIL = "demo@example.com"
DEMO_PASSWORD = "demo-password"
TOTP_EMAIL = "totp@example.com"
TOTP_PASSWORD = "totp-password"
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
DANISH_EMAIL = "dansk@example.com"
OTHER_EMAIL = "other@example.com"

# The order `ordercancel demo` cancels.
DEMO_ORDER = "113-1234567-1234567"


def _ago(now: datetime, **delta: float) -> str:
    return (now - timedelta(**delta)).isoformat()


def demo(now: datetime) -> dict[str, Any]:
    """About fifteen orders of the demo account, one per state, reaching page 2 of Your Orders."""
    def order(order_id: str, items: list[dict[str, Any]], account: str = DEMO_EMAIL, **extra: Any) -> dict[str, Any]:
        return {"id": order_id, "account": account, "items": items, **extra}

    kettle = {"id": "jlsmkettle01s", "title": "Stainless Steel Electric Kettle, 1.7 L", "price": "34.99"}
    teapot = {"id": "jlsmteapot02s", "title": "Glass Teapot with Infuser", "price": "19.50"}
    return {
        "accounts": [
            {"email": DEMO_EMAIL, "password": DEMO_PASSWORD, "name": "Alex Demo"},
            {"email": TOTP_EMAIL, "password": TOTP_PASSWORD, "name": "Tove Totp", "totp_secret": TOTP_SECRET},
            {"email": DANISH_EMAIL, "password": "dansk-password", "name": "Dorte Dansk", "locale": "da"},
            {"email": "captcha@example.com", "password": "captcha-password", "name": "Cora Captcha", "persona": "captcha"},
            {"email": "approval@example.com", "password": "approval-password", "name": "Abe Approval", "persona": "approval"},
            {"email": OTHER_EMAIL, "password": "other-password", "name": "Olga Other"},
        ],
        "orders": [
            order(DEMO_ORDER, [kettle, teapot], placed_at=_ago(now, minutes=5)),
            order("113-2345678-2345678", [
                {"id": "jlsmcable01s", "title": "USB-C Charging Cable, 2 m", "price": "9.99", "quantity": 3},
                {"id": "jlsmlamp002s", "title": "LED Desk Lamp", "price": "27.00"},
                {"id": "jlsmmouse03s", "title": "Wireless Mouse", "price": "18.49"},
            ], placed_at=_ago(now, minutes=10)),
            order("113-3456789-3456789", [{"id": "jlsmsofa001s", "title": "Three-Seat Sofa Cover", "price": "59.90"}],
                  placed_at=_ago(now, hours=2), cancel_window_minutes=240),
            order("113-8901234-8901234", [{"id": "jlsmdrone01s", "title": "Mini Camera Drone", "price": "89.00"}],
                  placed_at=_ago(now, minutes=8), seller="third_party", seller_name="Nordic Gadgets ApS"),
            order("113-9012345-9012345", [
                {"id": "jlsmpens001s", "title": "Gel Pens, 12-pack", "price": "7.99", "status": "cancelled"},
                {"id": "jlsmpaper02s", "title": "A4 Printer Paper, 500 sheets", "price": "6.49"},
            ], placed_at=_ago(now, minutes=12)),
            order("113-4567890-4567890", [{"id": "jlsmboots01s", "title": "Hiking Boots, size 42", "price": "119.00"}],
                  placed_at=_ago(now, minutes=45)),
            order("113-5678901-5678901", [{"id": "jlsmtent001s", "title": "Two-Person Tent", "price": "149.99"}],
                  placed_at=_ago(now, days=1), stage="shipped"),
            order("113-0123456-0123457", [{"id": "jlsmwatch01s", "title": "Vintage Wrist Watch", "price": "75.00",
                                           "status": "cancellation_requested"}],
                  placed_at=_ago(now, hours=3), seller="third_party", seller_name="Retro Time Ltd"),
            order("113-7890123-7890123", [{"id": "jlsmmug0001s", "title": "Ceramic Coffee Mug", "price": "12.00"}],
                  placed_at=_ago(now, days=2), stage="cancelled"),
            order("D01-1234567-1234567", [{"id": "jlsmebook01s", "title": "The Pragmatic Programmer (Kindle Edition)",
                                           "price": "24.99"}], placed_at=_ago(now, days=3)),
            order("113-6789012-6789012", [{"id": "jlsmbook001s", "title": "Paperback Cookbook", "price": "22.50"}],
                  placed_at=_ago(now, days=6), stage="delivered"),
            order("112-1111111-2222222", [{"id": "jlsmsock001s", "title": "Wool Socks, 3 pairs", "price": "15.00"}],
                  placed_at=_ago(now, days=20), stage="delivered", free_returns=False),
            order("112-3333333-4444444", [{"id": "jlsmplant01s", "title": "Indoor Plant Pot", "price": "11.25"}],
                  placed_at=_ago(now, days=40), stage="delivered"),
            order("112-5555555-6666666", [{"id": "jlsmtowel01s", "title": "Bath Towels, set of 4", "price": "32.00"}],
                  placed_at=_ago(now, days=70), stage="delivered"),
            order("111-7777777-8888888", [{"id": "jlsmchair01s", "title": "Folding Camping Chair", "price": "41.00"}],
                  placed_at=_ago(now, days=200), stage="delivered"),
            order("113-5555555-5555555", [{"id": "jlsmtotp001s", "title": "Security Key", "price": "45.00"}],
                  account=TOTP_EMAIL, placed_at=_ago(now, minutes=4)),
            order("113-4444444-4444444", [{"id": "jlsmdansk1s", "title": "Kaffekande i stål", "price": "299.00"}],
                  account=DANISH_EMAIL, placed_at=_ago(now, minutes=6)),
            order("114-1111111-1111111", [{"id": "jlsmother1s", "title": "Other Account's Blender", "price": "64.00"}],
                  account=OTHER_EMAIL, placed_at=_ago(now, minutes=3)),
        ],
    }


def empty(now: datetime) -> dict[str, Any]:
    return {"accounts": [], "orders": []}


SWEEP_DUPLICATE_KEPT = "113-1010101-1010101"
SWEEP_DUPLICATE = "113-2020202-2020202"
SWEEP_FILLER = "113-3030303-3030303"
SWEEP_PENDING = "113-4040404-4040404"
SWEEP_BUNDLE = "113-5050505-5050505"
SWEEP_THIRD_PARTY = "113-6060606-6060606"


def sweep(now: datetime) -> dict[str, Any]:
    """The demo, and what a scheduled sweep finds in it: an order placed twice, an order with a
    filler item, one the store decides later, a discounted bundle, a third-party seller."""
    doc = demo(now)
    headphones = {"title": "Noise-Cancelling Headphones", "price": "129.00", "product_id": "B0HEADPH01"}

    def order(order_id: str, minutes: float, items: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
        return {"id": order_id, "account": DEMO_EMAIL, "placed_at": _ago(now, minutes=minutes),
                "items": items, **extra}

    doc["orders"] += [
        order(SWEEP_DUPLICATE_KEPT, 12, [{**headphones, "id": "swdupkept01s"}]),
        order(SWEEP_DUPLICATE, 2, [{**headphones, "id": "swduplic01s"}]),
        order(SWEEP_FILLER, 4, [{"id": "swfiller01s", "title": "Sample Pack Filler: Green Tea Bags", "price": "2.99",
                                 "product_id": "B0FILLER01"},
                                {"id": "swdesk0001s", "title": "Bamboo Desk Organizer", "price": "25.00",
                                 "product_id": "B0DESKORG1"}]),
        order(SWEEP_PENDING, 6, [{"id": "swpend0001s", "title": "Espresso Machine", "price": "249.00",
                                  "product_id": "B0ESPRESS1"}],
              decision={"after_minutes": 20, "result": "cancelled"}),
        order(SWEEP_BUNDLE, 8, [{"id": "swbody0001s", "title": "Mirrorless Camera Body", "price": "599.00",
                                 "product_id": "B0CAMBODY1", "bundle": "camera-kit"},
                                {"id": "swlens0001s", "title": "Kit Lens 18-55 mm", "price": "149.00",
                                 "product_id": "B0CAMLENS1", "bundle": "camera-kit"}]),
        order(SWEEP_THIRD_PARTY, 7, [{"id": "swthird01s", "title": "Handmade Leather Wallet", "price": "39.00",
                                      "product_id": "B0WALLET01"}],
              seller="third_party", seller_name="Nordic Leather ApS"),
    ]
    return doc


SCENARIOS = {"demo": demo, "empty": empty, "sweep": sweep}
