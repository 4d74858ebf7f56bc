"""The plain-HTTP reader sends a saved session's cookies where a browser would (RFC 6265 5.4),
and asks one origin, following no redirect."""
from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator
from typing import Any

import pytest

from automation.plain_http import PlainReader, cookie_header, reaches_directly

NOW = 1_800_000_000.0


def cookie(name: str, domain: str, path: str = "/", secure: bool = False, expires: float = -1) -> dict[str, Any]:
    return {"name": name, "value": f"v-{name}", "domain": domain, "path": path, "secure": secure,
            "expires": expires, "httpOnly": True, "sameSite": "Lax"}


@pytest.mark.parametrize(("url", "sent"), [
    ("https://www.amazon.com/gp/your-account/order-details?orderID=1", "session=v-session; host=v-host"),
    ("https://amazon.com/", "session=v-session"),  # host-only cookies go to their host only
    ("https://smile.amazon.com/", "session=v-session"),  # a domain cookie goes to every subdomain
    ("https://evilamazon.com/", ""),  # ... but not to a name that only ends the same way
    ("http://www.amazon.com/", "host=v-host"),  # secure cookies only over https
])
def test_domain_and_secure(url: str, sent: str) -> None:
    cookies = [cookie("session", ".amazon.com", secure=True), cookie("host", "www.amazon.com")]
    assert cookie_header(cookies, url, NOW) == sent


def test_paths_and_expiry() -> None:
    cookies = [cookie("root", "127.0.0.1"), cookie("gp", "127.0.0.1", path="/gp"),
               cookie("gpx", "127.0.0.1", path="/gpx"), cookie("old", "127.0.0.1", expires=NOW - 1),
               cookie("later", "127.0.0.1", expires=NOW + 60)]
    # longer paths first; /gp matches /gp/... but /gpx does not; an expired cookie is not sent
    assert cookie_header(cookies, "http://127.0.0.1:8000/gp/your-account", NOW) == "gp=v-gp; root=v-root; later=v-later"
    assert cookie_header(cookies, "http://127.0.0.1:8000/gpx", NOW) == "gpx=v-gpx; root=v-root; later=v-later"
    assert cookie_header(cookies, "http://127.0.0.1:8000/gpy", NOW) == "root=v-root; later=v-later"


class Store(http.server.BaseHTTPRequestHandler):
    seen: list[tuple[str, str]] = []

    def do_GET(self) -> None:  # noqa: N802 (the standard library's name)
        Store.seen.append((self.path, self.headers.get("Cookie", "")))
        if self.path.startswith("/away"):
            self.send_response(302)
            self.send_header("Location", "http://elsewhere.invalid/steal")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        body = "<html><body>hej · 1.234,56 kr</body></html>".encode("iso-8859-1", errors="replace") \
            if self.path.startswith("/latin") else "<html><body>1.234,56 kr ✓</body></html>".encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=iso-8859-1" if self.path.startswith("/latin")
                         else "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def little_store() -> Iterator[str]:
    Store.seen = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Store)
    server.protocol_version = "HTTP/1.1"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_reader_sends_the_cookies_and_follows_no_redirect(little_store: str) -> None:
    reader = PlainReader(little_store, [cookie("session", "127.0.0.1")], timeout_s=5)
    try:
        first = reader.get(f"{little_store}/gp/x?orderID=1")
        away = reader.get(f"{little_store}/away")
        latin = reader.get(f"{little_store}/latin")
    finally:
        reader.close()
    assert (first.status, first.content_type, first.body) == (200, "text/html; charset=utf-8",
                                                              "<html><body>1.234,56 kr ✓</body></html>")
    assert away.status == 302 and away.body == ""  # answered as it is: nothing asked of elsewhere.invalid
    assert latin.body == "<html><body>hej · 1.234,56 kr</body></html>"  # decoded by the charset it names
    assert Store.seen == [("/gp/x?orderID=1", "session=v-session"), ("/away", "session=v-session"),
                          ("/latin", "session=v-session")]


def test_reader_refuses_another_origin(little_store: str) -> None:
    reader = PlainReader(little_store, [], timeout_s=5)
    with pytest.raises(ValueError):
        reader.get("http://elsewhere.invalid/")
    assert Store.seen == []


def test_the_light_error_imports_are_playwrights_public_classes() -> None:
    import playwright.sync_api

    from automation.playwright_errors import PlaywrightError, PlaywrightTimeout
    assert PlaywrightError is playwright.sync_api.Error and PlaywrightTimeout is playwright.sync_api.TimeoutError


@pytest.mark.parametrize(("environment", "direct"), [
    ({}, True),
    ({"HTTPS_PROXY": "http://proxy.example:3128"}, False),  # the browser would go through it
    ({"HTTPS_PROXY": "http://proxy.example:3128", "NO_PROXY": "www.amazon.com"}, True),
    ({"HTTP_PROXY": "http://proxy.example:3128"}, True),  # for http only; the store is https
])
def test_plain_reads_only_where_the_store_is_reached_directly(environment: dict[str, str], direct: bool,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy",
                 "NO_PROXY", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    assert reaches_directly("https://www.amazon.com") is direct
