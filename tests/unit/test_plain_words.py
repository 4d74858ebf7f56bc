"""Errors and log lines in a person's words, without a browser: Playwright's and pydantic's wording
translated in one place each, and log lines without `None`, Python lists or escape sequences."""
from __future__ import annotations

import io
import json
import logging
import os
import stat
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import structlog
import typer
from pydantic import ValidationError

from automation.browser.playwright_errors import (
    PlaywrightError,
    PlaywrightTimeout,
    in_words,
    launch_failed,
    load_failed,
)
from automation.cli import app
from automation.errors import BrowserUnavailable, NoDisplay, StoreTimeout, StoreTrouble, StoreUnreachable
from automation.files import UnsafeFile, open_log_file
from automation.logs import configure, console_line, get_logger
from automation.settings import Settings
from automation.words import exit_meaning, rejected

STORE = "http://127.0.0.1:8009"
CALL_LOG = "\nCall log:\n  - navigating to \"http://127.0.0.1:8009/x\", waiting until \"domcontentloaded\"\n"
LIBRARY_WORDS = ("Page.", "Locator.", "BrowserType", "net::", "ERR_", "Call log", "╔", "Timeout ", "Target page",
                 "Input should", "Field required", "Extra inputs")


@pytest.mark.parametrize(("said", "kind", "words"), [
    (f"Page.goto: net::ERR_CONNECTION_REFUSED at {STORE}/your-orders/orders{CALL_LOG}", StoreUnreachable,
     f"cannot reach {STORE} (connection refused)"),
    ("Page.goto: net::ERR_NAME_NOT_RESOLVED at http://nosuch.invalid/x", StoreUnreachable,
     f"cannot reach {STORE} (no such host)"),
    ("Page.goto: net::ERR_CERT_AUTHORITY_INVALID at https://127.0.0.1:8009/x", StoreUnreachable,
     f"cannot reach {STORE} (its TLS certificate is not from an authority the browser trusts)"),
    ("Page.goto: net::ERR_SSL_PROTOCOL_ERROR at https://127.0.0.1:8009/x", StoreUnreachable,
     f"cannot reach {STORE} (TLS failed)"),
    (f"Page.goto: Timeout 30000ms exceeded.{CALL_LOG}", StoreTimeout, "the store did not answer within 30 s"),
    ("Page.goto: net::ERR_TIMED_OUT at http://127.0.0.1:8009/x", StoreTimeout, "the store did not answer in time"),
    ("Locator.click: Timeout 15000ms exceeded.", StoreTimeout, "the store's page did not get ready within 15 s"),
    ("Page.content: Execution context was destroyed, most likely because of a navigation", StoreTrouble,
     "the page changed while it was being read"),
])
def test_a_page_that_did_not_load_is_said_in_a_person_s_words(said: str, kind: type, words: str) -> None:
    error = (PlaywrightTimeout if "Timeout " in said else PlaywrightError)(said)
    failed = load_failed(error, STORE)
    assert type(failed) is kind and str(failed) == words
    assert not [w for w in LIBRARY_WORDS if w in str(failed) or w in in_words(error)]


def test_a_browser_that_did_not_start_is_said_in_a_person_s_words() -> None:
    headed = PlaywrightError("BrowserType.launch: Target page, context or browser has been closed\nBrowser logs:\n\n"
                             "╔══╗\n║ Looks like you launched a headed browser without having a XServer running. ║\n"
                             "Call log:\n  - [pid=1][err] Missing X server or $DISPLAY\n")
    missing = PlaywrightError("BrowserType.launch: Failed to launch chromium because executable doesn't exist at /x/chrome")
    closed = PlaywrightError("Target page, context or browser has been closed")
    assert isinstance(launch_failed(headed), NoDisplay) and str(launch_failed(headed)) == "--headed needs a display"
    assert type(launch_failed(missing)) is BrowserUnavailable and str(launch_failed(missing)) == "no browser at /x/chrome"
    assert in_words(closed) == "the browser closed unexpectedly"


@pytest.mark.parametrize(("values", "said"), [
    ({"marketplace": "dee"}, "bad setting marketplace must be com, co.uk, de or se, not 'dee' (did you mean 'de'?)"),
    ({"timeout_s": "soon"}, "bad setting timeout_s must be a number, not 'soon'"),
    ({"timeout_s": "0"}, "bad setting timeout_s must be more than 0, not '0'"),
    ({"headless": "maybe"}, "bad setting headless must be true or false, not 'maybe'"),
    ({"base_url": "ftp://x"}, "bad setting base_url: must be an http(s) address with a host, not 'ftp://x'"),
])
def test_a_bad_setting_is_said_in_plain_words(values: dict[str, str], said: str) -> None:
    with pytest.raises(ValidationError) as caught:
        Settings(_env_file=None, **values)
    (name,) = values
    assert rejected(caught.value.errors()[0], f"bad setting {name}") == said


def test_a_secret_setting_is_never_shown() -> None:
    error = {"type": "string_type", "loc": ("password",), "input": "hunter2", "msg": "Input should be a valid string"}
    assert "hunter2" not in rejected(error, "bad setting password", secret=True)


def test_exit_codes_are_said() -> None:
    assert exit_meaning(3).startswith("exit 3: not cancellable") and exit_meaning(130) == "exit 130: interrupted"


def test_ctrl_c_is_said_as_well_as_exited_130(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    interrupted = typer.Typer()

    @interrupted.command()
    def work() -> None:
        raise KeyboardInterrupt  # Typer turns it into its exit 130, which says nothing

    monkeypatch.setattr(app, "command", lambda: typer.main.get_command(interrupted))
    monkeypatch.setattr(sys, "argv", ["ordercancel"])
    umask = os.umask(0o022)
    try:
        with pytest.raises(SystemExit) as ended:
            app.main()
    finally:
        os.umask(umask)
    assert ended.value.code == 130 and capsys.readouterr().err.strip() == "error: interrupted"


@pytest.fixture
def logs_reset() -> Iterator[None]:
    yield
    structlog.reset_defaults()


def test_a_person_s_log_line_has_no_none_no_python_list_and_no_escape(logs_reset: None) -> None:
    line = console_line({"event": "submitting", "level": "info", "timestamp": "2026-12-01T19:17:19Z", "email": None,
                         "order_id": "", "run_id": "abc", "items": ["jlsmmouse03s", "x\x1b[31m"], "reason": "a b"})
    assert line.endswith(r"info    submitting items=jlsmmouse03s,x\x1b[31m reason=" + '"a b"')
    assert "None" not in line and "order_id" not in line and "[" not in line.split("items=")[0]


def test_logs_go_to_the_person_at_their_level_and_to_the_log_file_as_json(tmp_path: Path, logs_reset: None) -> None:
    seen: list[tuple[str, str]] = []
    log_file = io.StringIO()
    configure(None, logging.WARNING, person=lambda level, line: seen.append((level, line)), log_file=log_file)
    get_logger().info("signed_in", sign_ins=1)
    get_logger().warning("page_failed", error="x")
    assert [level for level, _ in seen] == ["warning"]
    assert [json.loads(line)["event"] for line in log_file.getvalue().splitlines()] == ["signed_in", "page_failed"]


def test_the_log_file_is_private_and_never_reached_through_a_planted_link(tmp_path: Path) -> None:
    path = tmp_path / "logs" / "ordercancel.jsonl"
    with open_log_file(path) as handle:
        handle.write("{}\n")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600 and stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    shared = tmp_path / "shared"
    shared.mkdir(mode=0o1777)
    os.chmod(shared, 0o1777)
    (shared / "planted.jsonl").symlink_to(path)
    with pytest.raises(UnsafeFile):
        open_log_file(shared / "planted.jsonl")
