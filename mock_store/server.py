"""Run the mock store on a free port in a background thread, for tests, `ordercancel demo` and benchmarks."""
from __future__ import annotations

import socket
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import uvicorn

from mock_store.app import create_app
from mock_store.store import Store


@dataclass
class RunningStore:
    url: str
    store: Store
    admin_token: str | None


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


@contextmanager
def running_store(*, scenario: str | None = "demo", locale: str = "en", admin_token: str | None = None,
                  host: str = "127.0.0.1", port: int | None = None) -> Iterator[RunningStore]:
    """Serve the store until the block ends; waits for /healthz before yielding."""
    store = Store(default_locale=locale)
    app = create_app(store, scenario=scenario, locale=locale, admin_token=admin_token)
    port = port or free_port(host)
    config = uvicorn.Config(app, host=host, port=port, log_level="warning", access_log=False,
                            timeout_graceful_shutdown=1, lifespan="off")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="mock-store", daemon=True)
    thread.start()
    url = f"http://{host}:{port}"
    deadline = time.monotonic() + 20
    while True:
        # polling the health check: the server thread gives no other signal that it listens
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=1) as answer:
                if answer.status == 200:
                    break
        except (urllib.error.URLError, OSError):
            pass
        if time.monotonic() > deadline or not thread.is_alive():
            server.should_exit = True
            raise RuntimeError(f"the mock store did not start on {url}")
        time.sleep(0.02)
    try:
        yield RunningStore(url, store, admin_token)
    finally:
        server.should_exit = True
        thread.join(timeout=5)
