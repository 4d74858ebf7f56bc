"""Store text made printable: every control and bidi character shown as its escape, everything else
as it was; JSON that reads back the same; console log lines; which notification URLs hold secrets."""
from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
import structlog
from hypothesis import given
from hypothesis import strategies as st

from automation.logs import configure, get_logger
from automation.runs.notify import holds_secret
from automation.text import UNPRINTABLE, json_text, printable

CONTROLS = [chr(c) for c in [*range(0x20), *range(0x7F, 0xA0), 0x2028, 0x2029, *range(0x202A, 0x202F),
                             *range(0x2066, 0x206A)]]


def test_each_control_is_shown_as_its_escape() -> None:
    assert printable("Kettle \x1b[31mred\x1b[0m") == r"Kettle \x1b[31mred\x1b[0m"
    assert printable("a\nb\tc\x7f\x9b\u202eevil\u2069") == r"a\nb\tc\x7f\x9b\u202eevil\u2069"
    assert printable("Kaffekande i stål, 1.7 L — [bold]x[/]") == "Kaffekande i stål, 1.7 L — [bold]x[/]"
    for control in CONTROLS:
        assert control not in printable(f"x{control}y")


@given(st.text())
def test_printable_text_holds_no_control_and_keeps_the_rest(text: str) -> None:
    shown = printable(text)
    assert not UNPRINTABLE.search(shown) and len(shown) >= len(text)
    if not UNPRINTABLE.search(text):
        assert shown == text


@given(st.dictionaries(st.text(), st.text()))
def test_json_reads_back_the_same_without_a_raw_control(payload: dict[str, str]) -> None:
    for indent in (None, 2):
        written = json_text(payload, indent)
        assert json.loads(written) == payload
        assert not UNPRINTABLE.search(written.replace("\n", ""))


@pytest.fixture
def logs_reset() -> Iterator[None]:
    yield
    structlog.reset_defaults()  # the logger was bound to this test's captured stderr


def test_a_console_log_line_shows_store_text_escaped(capsys: pytest.CaptureFixture[str], logs_reset: None) -> None:
    configure("console")
    get_logger().warning("page_failed", error="page says \x1b[2J\u202eevil", items=["\x1b[31m"])
    line = capsys.readouterr().err
    assert "\x1b[2J" not in line and "\u202e" not in line and "\x1b[31m" not in line
    assert r"\x1b[2J" in line and r"\u202e" in line
    assert "\x1b" not in line  # not a terminal: no colour from the renderer either
    configure("json")
    get_logger().warning("page_failed", error="page says \x1b[2J")
    assert json.loads(capsys.readouterr().err)["error"] == "page says \x1b[2J"


@pytest.mark.parametrize(("url", "secret"), [
    ("mailto://user:password@smtp.example.com?to=me@example.com", True),
    ("json://hooks.example.com/ordercancel?token=abc123", True),
    ("slack://T1JJ3T3L2/A1BRTD4JD/TIiajkdnlazkcOXrIdevi7FQ", True),
    ("tgram://123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw/12315544", True),
    ("json://hooks.example.com/ordercancel", False),
    ("mailto://smtp.example-2024-mail.com?to=me@example.com", False),
    ("ntfy://my-topic", False),
    ("mailtos://user@example.com", False),
])
def test_which_notification_urls_hold_a_secret(url: str, secret: bool) -> None:
    assert holds_secret(url) is secret
