"""Run summaries through Apprise: to a JSON webhook and to an SMTP server that the test starts on
127.0.0.1; only when something changed or failed (unless always); never a secret; a target that
cannot be reached is a warning, never a failed run."""
from __future__ import annotations

import email
import email.policy
import http.server
import json
import socket
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from mock_store import seed
from tests.conftest import CliResult
from tests.store_api import StoreAdmin

Cli = Callable[..., CliResult]
NOT_CANCELLABLE = "113-5678901-5678901"


class Receivers:
    """A JSON webhook and an SMTP server, each keeping what it received."""

    def __init__(self) -> None:
        self.posts: list[dict[str, Any]] = []
        self.mails: list[str] = []

    @property
    def texts(self) -> list[str]:
        return [json.dumps(p) for p in self.posts] + self.mails


@pytest.fixture
def receivers() -> Iterator[tuple[Receivers, list[str]]]:
    got = Receivers()

    class Hook(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 (the handler's protocol)
            got.posts.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    class Mailbox:
        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
            got.mails.append(envelope.content.decode(errors="replace"))
            return "250 OK"

    web = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Hook)
    threading.Thread(target=web.serve_forever, daemon=True).start()
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    smtp_port = probe.getsockname()[1]
    probe.close()
    smtp = Controller(Mailbox(), hostname="127.0.0.1", port=smtp_port)
    smtp.start()
    urls = [f"json://127.0.0.1:{web.server_address[1]}/hook",
            f"mailto://127.0.0.1:{smtp_port}?from=ordercancel@example.com&to=ops@example.com&mode=insecure"]
    try:
        yield got, urls
    finally:
        smtp.stop()
        web.shutdown()


def notify_args(urls: list[str]) -> list[str]:
    return [arg for url in urls for arg in ("--notify", url)]


def test_a_batch_that_changed_something_is_summarised_to_every_target(
        store: StoreAdmin, cli: Cli, tmp_path: Path, receivers: tuple[Receivers, list[str]]) -> None:
    got, urls = receivers
    batch = tmp_path / "orders.csv"
    batch.write_text(f"order_id\n{seed.DEMO_ORDER}\n{NOT_CANCELLABLE}\n")
    result = cli("batch", str(batch), *notify_args(urls))
    assert result.exit_code == 0, result.stderr[-2000:]
    assert len(got.posts) == 1 and len(got.mails) == 1
    (post,) = got.posts
    assert post["title"] == "ordercancel batch: cancelled 1, not_cancellable 1"
    assert f"{seed.DEMO_ORDER}: cancelled - cancelled 2 items" in post["message"]
    assert f"{NOT_CANCELLABLE}: not_cancellable" in post["message"] and "next: " in post["message"]
    assert "Subject: ordercancel batch: cancelled 1, not_cancellable 1" in got.mails[0]
    session = next((tmp_path / "state" / "sessions").iterdir()).read_text()
    cookies = [c["value"] for c in json.loads(session)["cookies"]]
    for text in got.texts:  # no password, no cookie, no notification URL
        assert seed.DEMO_PASSWORD not in text and not any(c in text for c in cookies)
        assert "json://" not in text and "mailto://" not in text
    assert not any(url in result.stderr for url in urls)  # the URLs (they may hold passwords) are never logged

    again = cli("batch", str(batch), *notify_args(urls))  # nothing new: every order was finished before
    assert again.exit_code == 0 and len(got.posts) == 1
    always = cli("batch", str(batch), "--notify-always", *notify_args(urls[:1]))
    assert always.exit_code == 0 and len(got.posts) == 2


def test_follow_notifies_through_the_environment_variable(store: StoreAdmin, cli: Cli, tmp_path: Path,
                                                          receivers: tuple[Receivers, list[str]]) -> None:
    got, urls = receivers
    order = store.add_order(["Turntable"], seller="third_party")
    batch = tmp_path / "orders.csv"
    batch.write_text(f"order_id\n{order.id}\n")
    assert cli("batch", str(batch)).exit_code == 0
    store.seller_decides(order.id, accept=True)
    result = cli("follow", env={"ORDERCANCEL_NOTIFY": " ".join(urls)})
    assert result.exit_code == 0, result.stderr[-2000:]
    assert got.posts[0]["title"] == "ordercancel follow: cancelled 1"
    assert f"{order.id}: cancelled - The seller cancelled the order" in got.posts[0]["message"]


def test_an_unreachable_target_is_a_warning_not_a_failed_run(store: StoreAdmin, cli: Cli, tmp_path: Path) -> None:
    batch = tmp_path / "orders.csv"
    batch.write_text(f"order_id\n{seed.DEMO_ORDER}\n")
    result = cli("batch", str(batch), "--notify", "json://127.0.0.1:9/hook")
    assert result.exit_code == 0
    assert [log for log in result.logs if log.get("event") == "notify_failed" and log.get("level") == "warning"]
    assert store.order(seed.DEMO_ORDER).statuses() == {"cancelled"}


def test_a_url_apprise_does_not_know_is_bad_input_before_any_work(store: StoreAdmin, cli: Cli, tmp_path: Path) -> None:
    batch = tmp_path / "orders.csv"
    batch.write_text(f"order_id\n{seed.DEMO_ORDER}\n")
    result = cli("batch", str(batch), "--notify", "nope://secret-token@example.com")
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines()[-1] == "error: --notify: not a notification URL Apprise knows (nope://...)"
    assert "secret-token" not in result.stderr
    assert not store.events("sign_in") and store.order(seed.DEMO_ORDER).statuses() == {"ordered"}


def test_a_password_in_a_notify_url_on_the_command_line_is_warned_about_never_shown(
        store: StoreAdmin, cli: Cli, tmp_path: Path, receivers: tuple[Receivers, list[str]]) -> None:
    got, urls = receivers
    with_password = urls[0].replace("json://", "json://ops:hunter2-notify@")
    batch = tmp_path / "orders.csv"
    batch.write_text(f"order_id\n{seed.DEMO_ORDER}\n")
    result = cli("batch", str(batch), "--notify", with_password)
    assert result.exit_code == 0, result.stderr[-2000:]
    (warning,) = [log for log in result.logs if log.get("event") == "notify_url_on_command_line"]
    assert warning["level"] == "warning"
    assert "visible to every user of this machine" in warning["hint"] and "ORDERCANCEL_NOTIFY" in warning["hint"]
    assert "hunter2-notify" not in result.stderr + result.stdout and with_password not in result.stderr
    assert len(got.posts) == 1  # a warning, not a refusal: the summary still goes out

    again = cli("batch", str(batch), "--redo", "--notify-always", env={"ORDERCANCEL_NOTIFY": with_password})
    plain = cli("batch", str(batch), "--redo", "--notify-always", *notify_args(urls[:1]))
    for quiet in (again, plain):  # from the environment (an env file), or no password at all: nothing to warn of
        assert quiet.exit_code == 0, quiet.stderr[-2000:]
        assert not [log for log in quiet.logs if log.get("event") == "notify_url_on_command_line"]
    assert len(got.posts) == 3


def test_store_text_in_a_summary_is_shown_escaped(store: StoreAdmin, cli: Cli, tmp_path: Path,
                                                  receivers: tuple[Receivers, list[str]]) -> None:
    got, urls = receivers
    order = store.add_order([{"title": "Lamp \x1b[31mRED\x1b[0m \u202eLIVE", "price": "10.00"}])
    batch = tmp_path / "orders.csv"
    batch.write_text(f"order_id\n{order.id}\n")
    result = cli("batch", str(batch), *notify_args(urls))
    assert result.exit_code == 0, result.stderr[-2000:]
    assert len(got.posts) == 1 and len(got.mails) == 1
    message = got.posts[0]["message"]
    assert "cancelled 1 item: Lamp \\x1b[31mRED\\x1b[0m \\u202eLIVE" in message
    mail = email.message_from_string(got.mails[0], policy=email.policy.default)
    bodies = [part.get_content() for part in mail.walk() if part.get_content_maintype() == "text"]
    assert any("Lamp \\x1b[31mRED" in body for body in bodies), bodies
    for text in (message, *bodies):
        assert "\x1b" not in text and "\u202e" not in text
