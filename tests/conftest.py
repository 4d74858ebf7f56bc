"""Fixtures: one mock store per test worker, reset before every test; the CLI as a subprocess;
Chromium found the way the tool finds it."""
from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from hypothesis import settings as hypothesis_settings
from playwright.sync_api import BrowserContext, Page

from mock_store import seed
from mock_store.server import RunningStore, running_store
from tests.store_api import Shopper, StoreAdmin

ROOT = Path(__file__).resolve().parent.parent

# Hypothesis's default 200 ms deadline is a wall-clock assertion: on a busy machine (three workers on
# two cores, a first call that loads a country's holiday tables) it measured the machine, not the rule
hypothesis_settings.register_profile("suite", deadline=None)
hypothesis_settings.load_profile("suite")


# The longest tests start first (a minute and half a minute), so that no xdist worker is still
# running one of them alone while the others have finished: xdist hands tests out in this order
LONGEST_FIRST = ("tests/test_packaging.py", "tests/test_soak.py")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    items.sort(key=lambda item: not item.nodeid.startswith(LONGEST_FIRST))


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
    # a reset places its scenario at the store's clock: one a test moved ahead is put back, so
    # that the next test's scenario is placed now, not in the future
    admin.clock(now=datetime.now(UTC).isoformat())


@pytest.fixture
def shopper(store: StoreAdmin) -> Shopper:
    return Shopper(store.url)


# -- the browser, for page-object tests ---------------------------------------------------------

@pytest.fixture(scope="session")
def base_url(store_server: RunningStore) -> str:
    return store_server.url


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any], playwright: Any,
                             store_server: RunningStore) -> dict[str, Any]:
    """The tool's own launch: its browser and its flags, the host rule for the test store included."""
    from automation.browser.launch import chromium_executable, launch_flags
    from automation.settings import Settings
    settings = Settings(_env_file=None, base_url=store_server.url, asset_hosts=store_server.asset_origin)
    return {**browser_type_launch_args, "executable_path": chromium_executable(settings, playwright),
            "args": launch_flags(settings)}


@pytest.fixture
def signed_in(store: StoreAdmin, context: BrowserContext, page: Page) -> Callable[..., Page]:
    """Start a page signed in as an account, from a session made over HTTP (sign-in tests use the UI)."""
    def sign_in(email: str = seed.DEMO_EMAIL, password: str = seed.DEMO_PASSWORD) -> Page:
        shopper = Shopper(store.url)
        shopper.sign_in(email, password)
        token = shopper.http.cookies.get("session-token")
        context.add_cookies([{"name": "session-token", "value": token, "domain": urlsplit(store.url).hostname,
                              "path": "/", "httpOnly": True, "sameSite": "Lax"}])
        return page
    return sign_in


# -- the CLI, as a user runs it --------------------------------------------------------------------

@dataclass
class CliResult:
    exit_code: int
    stdout: str
    stderr: str
    logs: list[dict[str, Any]] = field(default_factory=list)

    @property
    def json(self) -> dict[str, Any]:
        lines = [line for line in self.stdout.splitlines() if line.strip()]
        assert len(lines) == 1, f"expected one JSON line on stdout, got: {self.stdout!r} / {self.stderr[-2000:]}"
        return json.loads(lines[0])


@pytest.fixture
def cli_env(store: StoreAdmin, store_server: RunningStore, tmp_path: Path) -> dict[str, str]:
    # the tool speaks the locale's language: tests read English unless they ask (LANG, --language)
    env = {k: v for k, v in os.environ.items() if not k.startswith("ORDERCANCEL_")
           and k not in ("LANGUAGE", "LC_ALL", "LC_MESSAGES")}
    env.update({
        "LANG": "C.UTF-8",
        "ORDERCANCEL_BASE_URL": store.url,
        "ORDERCANCEL_ASSET_HOSTS": store_server.asset_origin,  # the store's CDN, as the live site has one
        "ORDERCANCEL_EMAIL": seed.DEMO_EMAIL,
        "ORDERCANCEL_PASSWORD": seed.DEMO_PASSWORD,
        "ORDERCANCEL_STATE_DIR": str(tmp_path / "state"),
        "ORDERCANCEL_ARTIFACTS_DIR": str(tmp_path / "artifacts"),
        "ORDERCANCEL_LOG_FORMAT": "json",
        "ORDERCANCEL_TIMEOUT_S": "15",
    })
    if os.environ.get("ORDERCANCEL_BROWSER_EXECUTABLE"):
        env["ORDERCANCEL_BROWSER_EXECUTABLE"] = os.environ["ORDERCANCEL_BROWSER_EXECUTABLE"]
    return env


@pytest.fixture
def cli(cli_env: dict[str, str], tmp_path: Path) -> Callable[..., CliResult]:
    def run(*args: str, env: dict[str, str | None] | None = None, stdin: str | None = None, timeout: float = 120) -> CliResult:
        merged = {k: v for k, v in {**cli_env, **(env or {})}.items() if v is not None}  # None unsets
        completed = subprocess.run([sys.executable, "-m", "automation.cli", *args], cwd=tmp_path,
                                   env=merged, input=stdin, capture_output=True, text=True,
                                   timeout=timeout)
        logs = []
        for line in completed.stderr.splitlines():
            try:
                logs.append(json.loads(line))
            except ValueError:
                pass
        return CliResult(completed.returncode, completed.stdout, completed.stderr, logs)
    return run
