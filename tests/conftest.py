"""Fixtures: one mock store per test worker, reset before every test; Chromium from the settings."""
from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from typing import Any

import pytest

from mock_store.server import RunningStore, running_store
from tests.store_api import Shopper, StoreAdmin

LAUNCH_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="session")
def store_server() -> Iterator[RunningStore]:
    with running_store(scenario="demo", admin_token=secrets.token_urlsafe(16)) as running:
        yield running


@pytest.fixture
def store(store_server: RunningStore) -> Iterator[StoreAdmin]:
    admin = StoreAdmin(store_server.url, store_server.admin_token or "")
    admin.reset("demo")
    yield admin
    admin.faults()


@pytest.fixture
def shopper(store: StoreAdmin) -> Shopper:
    return Shopper(store.url)


@pytest.fixture(scope="session")
def base_url(store_server: RunningStore) -> str:
    return store_server.url


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    # the same setting the tool reads; empty means Playwright's own browser
    executable = os.environ.get("ORDERCANCEL_BROWSER_EXECUTABLE") or None
    return {**browser_type_launch_args, "executable_path": executable, "args": LAUNCH_FLAGS}
