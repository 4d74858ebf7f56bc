"""Read-only screens over plain HTTP with the saved session's cookies, before any browser runs:
a `check` whose every page is a plain details screen never starts Playwright's driver or Chromium
(which take about a second between them). One GET to the store's own origin, no redirect followed,
no proxy, one deadline for the whole exchange and a size cap; anything unusual is read again in
the browser by the caller."""
from __future__ import annotations

import http.client
import socket
import threading
import time
import urllib.parse
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from automation import __version__
from automation.errors import StoreTimeout

USER_AGENT = f"order-cancel-assistant/{__version__}"  # honest: this is not the browser
# The largest answer read: the screens the tool reads are far smaller (the saved live pages are
# 0.3-0.9 MB); anything larger is not one of them, and is not kept in memory to find out.
MAX_ANSWER_BYTES = 16 * 1024 * 1024
CHUNK_BYTES = 64 * 1024


class ReadAbandoned(OSError):
    """The answer did not come whole within the read's deadline, or is larger than the cap."""


def reaches_directly(base_url: str) -> bool:
    """Whether this process reaches the store the way a local browser does: directly, with no proxy
    configured in the environment for it (the browser would go through one; this reader does not)."""
    import urllib.request  # only once a plain read is about to happen

    parts = urllib.parse.urlsplit(base_url)
    return parts.scheme not in urllib.request.getproxies() or bool(urllib.request.proxy_bypass(parts.hostname or ""))


@dataclass(frozen=True)
class Answer:
    status: int
    content_type: str
    body: str


def domain_matches(host: str, cookie_domain: str) -> bool:
    """RFC 6265 5.1.3, with the saved state's convention: a leading dot marks a domain cookie
    (sent to the domain and its subdomains), none a host-only cookie (sent to that host only)."""
    host = host.lower()
    if cookie_domain.startswith("."):
        return host == cookie_domain[1:].lower() or host.endswith(cookie_domain.lower())
    return host == cookie_domain.lower()


def path_matches(request_path: str, cookie_path: str) -> bool:
    """RFC 6265 5.1.4."""
    if request_path == cookie_path:
        return True
    return request_path.startswith(cookie_path) and (cookie_path.endswith("/") or
                                                      request_path[len(cookie_path)] == "/")


def cookie_header(cookies: list[dict[str, Any]], url: str, now: float | None = None) -> str:
    """The Cookie header a browser would send to this address (RFC 6265 5.4): the cookies whose
    domain and path match, secure ones only over https, none expired; longer paths first."""
    parts = urllib.parse.urlsplit(url)
    now = time.time() if now is None else now
    chosen = [c for c in cookies
              if domain_matches(parts.hostname or "", str(c.get("domain", "")))
              and path_matches(parts.path or "/", str(c.get("path") or "/"))
              and (parts.scheme == "https" or not c.get("secure"))
              and not (0 <= float(c.get("expires", -1)) <= now)]
    chosen.sort(key=lambda c: -len(str(c.get("path") or "/")))
    return "; ".join(f"{c['name']}={c['value']}" for c in chosen)


class PlainReader:
    """GETs on one origin over one kept-alive connection, with the given cookies."""

    def __init__(self, base_url: str, cookies: list[dict[str, Any]], timeout_s: float) -> None:
        self.origin = urllib.parse.urlsplit(base_url)
        self.cookies = cookies
        self.timeout_s = timeout_s
        self._connection: http.client.HTTPConnection | None = None

    def get(self, url: str) -> Answer:
        """One GET of an address on the reader's origin (anything else is refused), over within the
        reader's timeout from connecting to the last byte, whatever pace the store sends at; a
        kept-alive connection the store closed is opened again once, within the same deadline.
        Raises StoreTimeout past the deadline, ReadAbandoned past the size cap, OSError (and http.client's
        errors) when no answer comes."""
        parts = urllib.parse.urlsplit(url)
        if (parts.scheme, parts.netloc) != (self.origin.scheme, self.origin.netloc):
            raise ValueError(f"the plain reader asks only {self.origin.scheme}://{self.origin.netloc}")
        target = parts.path + (f"?{parts.query}" if parts.query else "")
        headers = {"User-Agent": USER_AGENT, "Accept": "text/html", "Cookie": cookie_header(self.cookies, url)}
        deadline = time.monotonic() + self.timeout_s
        for attempt in (1, 2):
            connection = self._connection or self._connect()
            connection.timeout = max(0.001, deadline - time.monotonic())  # for a connect yet to come
            if connection.sock is not None:
                connection.sock.settimeout(connection.timeout)
            watchdog = Watchdog(connection, deadline)
            try:
                connection.request("GET", target or "/", headers={k: v for k, v in headers.items() if v})
                watchdog.check()  # it may have fired while connecting, when there was no socket to shut
                response = connection.getresponse()
                body = read_capped(response)
                watchdog.check()  # a body that ends with the connection ends early when the socket is shut
            except (OSError, http.client.HTTPException) as exc:
                self.close()
                # whatever the socket said once it was shut, the cause is the time; and each wait's
                # own timeout is what was left of the deadline
                if watchdog.fired or isinstance(exc, TimeoutError):
                    raise StoreTimeout(f"the store did not answer within {self.timeout_s:g} s") from None
                if attempt == 2 or not isinstance(exc, (http.client.RemoteDisconnected, ConnectionResetError,
                                                        BrokenPipeError)):
                    raise
                continue
            finally:
                watchdog.stop()
            if response.will_close:
                self.close()
            content_type = response.getheader("Content-Type", "")
            return Answer(response.status, content_type, decoded(body, content_type))
        raise AssertionError("unreachable")

    def _connect(self) -> http.client.HTTPConnection:
        # the socket's own timeout bounds each wait (connecting, too); the watchdog bounds their sum
        host, port = self.origin.hostname or "", self.origin.port
        if self.origin.scheme == "https":  # the default context: certificates and host names checked
            self._connection = http.client.HTTPSConnection(host, port, timeout=self.timeout_s)
        else:
            self._connection = http.client.HTTPConnection(host, port, timeout=self.timeout_s)
        return self._connection

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None


class Watchdog:
    """Ends one exchange at its deadline: shuts the connection's socket down, which wakes any read
    (or TLS handshake) waiting on it, so a store that sends a byte a second cannot hold the read
    past the deadline by keeping each single wait short."""

    def __init__(self, connection: http.client.HTTPConnection, deadline: float) -> None:
        self.connection = connection
        self.fired = False
        self._lock = threading.Lock()
        self._stopped = False
        self._timer = threading.Timer(max(0.0, deadline - time.monotonic()), self._fire)
        self._timer.daemon = True
        self._timer.start()

    def _fire(self) -> None:
        with self._lock:
            if self._stopped:
                return
            self.fired = True
            sock = self.connection.sock
            if sock is not None:  # None while connecting: that wait has the deadline as its own timeout
                try:  # the plain socket's shutdown, also under TLS: the TLS layer's belongs to its thread
                    socket.socket.shutdown(sock, socket.SHUT_RDWR)
                except OSError:
                    pass

    def check(self) -> None:
        """Raise if the deadline has passed (while connecting, say, when no socket was there to shut)."""
        if self.fired:
            raise ReadAbandoned("the deadline passed")

    def stop(self) -> None:
        with self._lock:
            self._stopped = True
        self._timer.cancel()


def read_capped(response: http.client.HTTPResponse) -> bytes:
    """The body, read in chunks and given up on past MAX_ANSWER_BYTES (declared or counted)."""
    declared = response.getheader("Content-Length", "")
    if declared.strip().isdigit() and int(declared) > MAX_ANSWER_BYTES:
        raise ReadAbandoned(f"the answer declares {int(declared)} bytes, over the {MAX_ANSWER_BYTES >> 20} MiB cap")
    chunks: list[bytes] = []
    size = 0
    while chunk := response.read(CHUNK_BYTES):
        size += len(chunk)
        if size > MAX_ANSWER_BYTES:
            raise ReadAbandoned(f"the answer is over the {MAX_ANSWER_BYTES >> 20} MiB cap")
        chunks.append(chunk)
    return b"".join(chunks)


def decoded(body: bytes, content_type: str) -> str:
    """The body as text, by the charset its Content-Type names (UTF-8 when none or unknown)."""
    charset = next((p.split("=", 1)[1].strip(' "') for p in content_type.split(";")
                    if p.strip().lower().startswith("charset=")), "utf-8")
    try:
        return body.decode(charset, errors="replace")
    except LookupError:
        return body.decode("utf-8", errors="replace")


def capped_text(headers: Mapping[str, str], body: Callable[[], bytes]) -> str | None:
    """An answer Playwright fetched, as text; None when it is over the size cap, by its declared
    length (then the body is never carried over from Playwright's driver) or by its own."""
    declared = headers.get("content-length", "")
    if declared.strip().isdigit() and int(declared) > MAX_ANSWER_BYTES:
        return None
    content = body()
    return decoded(content, headers.get("content-type", "")) if len(content) <= MAX_ANSWER_BYTES else None
