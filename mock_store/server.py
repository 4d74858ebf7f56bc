"""Run the mock store on free ports in background threads, for tests, `ordercancel demo` and
benchmarks: the storefront on one origin, its assets (the CDN) on another."""
from __future__ import annotations

import socket
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from typing import Any

import uvicorn

from mock_store.app import create_app, create_asset_app
from mock_store.mail import MailServer
from mock_store.store import StoreState


@dataclass
class RunningStore:
    url: str
    state: StoreState
    admin_token: str | None
    asset_origin: str = ""


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


@contextmanager
def serving(app: Any, host: str, port: int, ready_path: str) -> Iterator[str]:
    """Serve an ASGI app in a thread until the block ends; waits until `ready_path` answers 200."""
    config = uvicorn.Config(app, host=host, port=port, log_level="warning", access_log=False,
                            timeout_graceful_shutdown=1, lifespan="off")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name=f"mock-store-{port}", daemon=True)
    thread.start()
    url = f"http://{host}:{port}"
    deadline = time.monotonic() + 20
    while True:
        # polling: the server thread gives no other signal that it listens
        try:
            with urllib.request.urlopen(f"{url}{ready_path}", timeout=1) as answer:
                if answer.status == 200:
                    break
        except (urllib.error.URLError, OSError):
            pass
        if time.monotonic() > deadline or not thread.is_alive():
            server.should_exit = True
            raise RuntimeError(f"the mock store did not start on {url}")
        time.sleep(0.02)
    try:
        yield url
    finally:
        server.should_exit = True
        thread.join(timeout=5)


@contextmanager
def running_store(*, scenario: str | None = "demo", locale: str = "en", marketplace: str = "com",
                  admin_token: str | None = None,
                  host: str = "127.0.0.1", port: int | None = None,
                  asset_port: int | None = None, smtp: str | None = None) -> Iterator[RunningStore]:
    """Serve the store and its asset origin until the block ends; with `smtp` (HOST:PORT,
    smtp:// or lmtp://), the store e-mails each cancellation there."""
    with ExitStack() as stack:
        state = StoreState(default_locale=locale, default_marketplace=marketplace)
        state.mail_default = state.mail = MailServer.parse(smtp) if smtp else None
        asset_origin = stack.enter_context(serving(create_asset_app(state), host, asset_port or free_port(host),
                                                   "/static/store.css"))
        app = create_app(state, scenario=scenario, locale=locale, admin_token=admin_token, asset_origin=asset_origin)
        url = stack.enter_context(serving(app, host, port or free_port(host), "/healthz"))
        yield RunningStore(url, state, admin_token, asset_origin)
