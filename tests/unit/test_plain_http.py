"""The plain-HTTP reader sends a saved session's cookies where a browser would (RFC 6265 5.4),
asks one origin, following no redirect, and gives up at its deadline or its size cap."""
from __future__ import annotations

import http.server
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest

from automation.browser.plain_http import (
    MAX_ANSWER_BYTES,
    PlainReader,
    ReadAbandoned,
    capped_text,
    cookie_header,
    reaches_directly,
)
from automation.errors import StoreTimeout
from tests.hostile_http import Answer, drip, huge, serving, silence

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

    from automation.browser.playwright_errors import PlaywrightError, PlaywrightTimeout
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


# -- a store that drips, floods or says nothing: one deadline per read, one size cap -------------

@pytest.mark.parametrize("answer", [drip, silence], ids=["one byte a second", "silence"])
def test_a_read_ends_at_its_deadline_whatever_pace_the_store_keeps(answer: Answer) -> None:
    with serving(answer) as store:
        reader = PlainReader(store.url, [], timeout_s=1)
        started = time.monotonic()
        with pytest.raises(StoreTimeout, match="the store did not answer within 1 s"):
            reader.get(f"{store.url}/gp/x")
        elapsed = time.monotonic() - started
        reader.close()
    assert elapsed < 3  # the deadline is 1 s: connecting, the headers and the body together
    assert len(store.heads) == 1  # not asked again after the deadline


@pytest.mark.parametrize("declared", [True, False], ids=["declared", "streamed without a length"])
def test_an_answer_over_the_cap_is_given_up_without_holding_it(declared: bool) -> None:
    with serving(huge(declared)) as store:
        reader = PlainReader(store.url, [], timeout_s=30)
        started = time.monotonic()
        with pytest.raises(ReadAbandoned, match="16 MiB cap"):
            reader.get(f"{store.url}/gp/x")
        elapsed = time.monotonic() - started
        reader.close()
    assert elapsed < 30  # the cap, not the deadline, ended it


def test_an_answer_just_under_the_cap_is_read_whole() -> None:
    body = b"<html>" + b"x" * (MAX_ANSWER_BYTES - 13) + b"</html>"

    def answer(conn: socket.socket, stop: threading.Event) -> None:
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nConnection: close\r\n\r\n" + body)

    with serving(answer) as store:
        reader = PlainReader(store.url, [], timeout_s=30)
        assert len(reader.get(f"{store.url}/gp/x").body) == MAX_ANSWER_BYTES
        reader.close()


@pytest.mark.parametrize(("headers", "body", "text"), [
    ({"content-type": "text/html; charset=iso-8859-1"}, "hej · 1.234,56 kr".encode("iso-8859-1"), "hej · 1.234,56 kr"),
    ({"content-type": "text/css", "content-length": str(MAX_ANSWER_BYTES + 1)}, None, None),  # body never asked
    ({"content-type": "text/html"}, b"x" * (MAX_ANSWER_BYTES + 1), None),
])
def test_playwrights_answers_are_capped_too(headers: dict[str, str], body: bytes | None, text: str | None) -> None:
    def read_body() -> bytes:
        assert body is not None, "the body of an answer declared over the cap was carried over"
        return body
    assert capped_text(headers, read_body) == text
