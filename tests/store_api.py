"""The tests' handle on the mock store: its admin API, and a shopper that signs in over plain HTTP."""
from __future__ import annotations

import re
import time
import urllib.parse
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from mock_store import seed

# A connection per request: uvicorn closes a connection idle for 5 s, and a request sent on it in
# that instant is reset ("Connection reset by peer"), which failed a CI run after a long CLI call.
FRESH_CONNECTIONS = httpx.Limits(max_keepalive_connections=0)


@dataclass
class AdminOrder:
    raw: dict[str, Any]

    @property
    def id(self) -> str:
        return self.raw["id"]

    @property
    def state(self) -> str:
        return self.raw["state"]

    def item(self, title_part: str) -> dict[str, Any]:
        (match,) = [i for i in self.raw["items"] if title_part in i["title"]]
        return match

    def statuses(self) -> set[str]:
        return {i["status"] for i in self.raw["items"]}


class StoreAdmin:
    def __init__(self, url: str, token: str) -> None:
        self.url = url
        self.http = httpx.Client(base_url=url, headers={"Authorization": f"Bearer {token}"}, timeout=10,
                                 limits=FRESH_CONNECTIONS)

    def _post(self, path: str, doc: dict[str, Any]) -> dict[str, Any]:
        response = self.http.post(path, json=doc)
        response.raise_for_status()
        return response.json()

    def reset(self, scenario: str = "demo", **doc: Any) -> None:
        self._post("/__admin/reset", {"scenario": scenario, **doc} if not doc.get("accounts") else doc)

    def add_order(self, items: list[str] | list[dict[str, Any]], account: str = seed.DEMO_EMAIL,
                  placed_minutes_ago: float = 5, order_id: str | None = None, **extra: Any) -> AdminOrder:
        self._counter = getattr(self, "_counter", 0) + 1
        order_id = order_id or f"115-{self._counter:07d}-{self._counter:07d}"
        placed = datetime.now(UTC) - timedelta(minutes=placed_minutes_ago)
        rows = [i if isinstance(i, dict) else {"title": i, "price": "10.00"} for i in items]
        for index, row in enumerate(rows):
            row.setdefault("id", f"it{self._counter:05d}{index:02d}s")
        self._post("/__admin/orders", {"orders": [{"id": order_id, "account": account, "items": rows,
                                                   "placed_at": placed.isoformat(), **extra}]})
        return self.order(order_id)

    def order(self, order_id: str) -> AdminOrder:
        response = self.http.get(f"/__admin/orders/{urllib.parse.quote(order_id, safe='')}")
        response.raise_for_status()
        return AdminOrder(response.json())

    def wait_for_state(self, order_id: str, state: str, timeout_s: float = 20) -> AdminOrder:
        """Poll the store's own record until the order reaches a state (the store acting on its own
        clock, not a page the test waits for)."""
        deadline = time.monotonic() + timeout_s
        while (order := self.order(order_id)).state != state:
            assert time.monotonic() < deadline, f"{order_id} is still {order.state}, not {state}"
            time.sleep(0.1)
        return order

    def events(self, action: str | None = None) -> list[dict[str, Any]]:
        events = self.http.get("/__admin/events").json()
        return [e for e in events if action is None or e["action"] == action]

    def requests(self) -> list[dict[str, Any]]:
        return self.http.get("/__admin/requests").json()

    def faults(self, **doc: Any) -> None:
        self._post("/__admin/faults", doc)

    def seller_decides(self, order_id: str, accept: bool) -> None:
        self._post(f"/__admin/orders/{order_id}/seller-decision", {"accept": accept})

    def store_cancels(self, order_id: str, items: list[str] | None = None) -> None:
        """The store cancels an order (or items of it) itself, and e-mails the shopper."""
        self._post(f"/__admin/orders/{order_id}/store-cancel", {"items": items})

    def mail_to(self, server: str | None, to: str | None = None) -> None:
        """Where the store's e-mails go (lmtp://HOST:PORT or smtp://...), all to `to`; None: nowhere."""
        self._post("/__admin/mail", {"smtp": server, "to": to})

    def mails_sent(self) -> list[dict[str, Any]]:
        return self.events("mail_sent")

    def clock(self, **doc: Any) -> None:
        self._post("/__admin/clock", doc)

    def approve(self, email: str) -> None:
        self._post("/__admin/approvals", {"email": email})


ORDERS = "/your-orders/orders"
CSRF = re.compile(r'name="(?:appActionToken|anti-csrftoken-a2z)" value="([^"]+)"')


class Shopper:
    """A signed-in visitor over plain HTTP, for the store's own tests."""

    def __init__(self, url: str) -> None:
        self.http = httpx.Client(base_url=url, timeout=10, follow_redirects=True, limits=FRESH_CONNECTIONS)

    def csrf(self, html: str) -> str:
        match = CSRF.search(html)
        assert match, "the page has no CSRF token"
        return match.group(1)

    def sign_in(self, email: str = seed.DEMO_EMAIL, password: str = seed.DEMO_PASSWORD) -> httpx.Response:
        page = self.http.get("/ap/signin", params={"openid.return_to": f"{ORDERS}?disableCsd=plain"})
        token = self.csrf(page.text)
        self.http.post("/ap/signin", data={"appActionToken": token, "email": email})
        return self.http.post("/ap/signin", data={"appActionToken": token, "email": email, "password": password})

    def get(self, path: str, **kw: Any) -> httpx.Response:
        """A page; Your Orders in its plain form (`disableCsd`), since a program without the
        store's decryption script cannot read the encrypted one. `plain=False` asks for that one."""
        if path.startswith(("/your-orders/orders", "/your-orders/search")) and kw.pop("plain", True) \
                and "disableCsd" not in path:
            if "params" in kw:  # httpx replaces the address's query with params
                kw["params"] = {**kw["params"], "disableCsd": "plain"}
            else:
                path += ("&" if "?" in path else "?") + "disableCsd=plain"
        return self.http.get(path, **kw)

    def cancel(self, order_id: str, item_ids: list[str], reason: str = "", note: str = "",
               **extra: str) -> httpx.Response:
        form = self.http.get(f"/progress-tracker/package/preship/cancel-items?orderID={order_id}")
        data = {"anti-csrftoken-a2z": self.csrf(form.text), "cancelReason": reason, "cancelNote": note,
                **{i: "" for i in item_ids}, **extra}
        return self.http.post(f"/progress-tracker/package/preship/cancel-items?orderID={order_id}", data=data)
