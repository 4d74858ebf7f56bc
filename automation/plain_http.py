"""Read-only screens over plain HTTP with the saved session's cookies, before any browser runs:
a `check` whose every page is a plain details screen never starts Playwright's driver or Chromium
(which take about a second between them). One GET to the store's own origin, no redirect followed,
no proxy; anything unusual is read again in the browser by the caller."""
from __future__ import annotations

import http.client
import time
import urllib.parse
from dataclasses import dataclass
from typing import Any

from automation import __version__

USER_AGENT = f"order-cancel-assistant/{__version__}"  # honest: this is not the browser


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
        """One GET of an address on the reader's origin (anything else is refused); a kept-alive
        connection the store closed is opened again once. Raises OSError (and http.client's
        errors) when no answer comes."""
        parts = urllib.parse.urlsplit(url)
        if (parts.scheme, parts.netloc) != (self.origin.scheme, self.origin.netloc):
            raise ValueError(f"the plain reader asks only {self.origin.scheme}://{self.origin.netloc}")
        target = parts.path + (f"?{parts.query}" if parts.query else "")
        headers = {"User-Agent": USER_AGENT, "Accept": "text/html", "Cookie": cookie_header(self.cookies, url)}
        for attempt in (1, 2):
            connection = self._connection or self._connect()
            try:
                connection.request("GET", target or "/", headers={k: v for k, v in headers.items() if v})
                response = connection.getresponse()
                body = response.read()
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                self.close()
                if attempt == 2:
                    raise
                continue
            content_type = response.getheader("Content-Type", "")
            charset = next((p.split("=", 1)[1].strip(' "') for p in content_type.split(";")
                            if p.strip().lower().startswith("charset=")), "utf-8")
            try:
                text = body.decode(charset, errors="replace")
            except LookupError:
                text = body.decode("utf-8", errors="replace")
            if response.will_close:
                self.close()
            return Answer(response.status, content_type, text)
        raise AssertionError("unreachable")

    def _connect(self) -> http.client.HTTPConnection:
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
