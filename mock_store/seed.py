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


SCENARIOS = {"demo": demo, "empty": empty}
