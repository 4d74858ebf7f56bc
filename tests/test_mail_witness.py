"""The store's e-mail as a second witness, through the CLI against a real IMAP server (Dovecot,
started by a fixture) that the mock store mails over LMTP: a cancel confirmed by mail, a store's
cancellation reported, a pending cancellation decided by the store and seen in the mailbox, a forged
mail that changes nothing until the order page agrees, a huge and a malformed mail skipped with one
warning each; the mailbox's flags unchanged, and no secret in any output."""
from __future__ import annotations

import http.server
import json
import os
import re
import sqlite3
import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path
from typing import Any

import pytest

from automation import language
from tests.conftest import CliResult
from tests.mailserver import DOVECOT, Box, Dovecot, TokenService, running_dovecot
from tests.store_api import StoreAdmin

Cli = Callable[..., CliResult]


@pytest.fixture(scope="session")
def tokens() -> Iterator[TokenService]:
    service = TokenService()
    yield service
    service.close()


@pytest.fixture(scope="session")
def dovecot(tokens: TokenService) -> Iterator[Dovecot]:
    if DOVECOT is None:
        if os.environ.get("CI"):
            pytest.fail("dovecot is not installed, and CI runs the mail tests: .ci/run installs dovecot-imapd and "
                        "dovecot-lmtpd")
        pytest.skip("dovecot is not installed (apt-get install dovecot-imapd dovecot-lmtpd): the mail tests need a "
                    "real IMAP server")
    with running_dovecot(tokens.url) as server:
        yield server


@pytest.fixture
def box(dovecot: Dovecot, store: StoreAdmin) -> Box:
    """A fresh mailbox, where the store's mails of this test go (the store's reset forgets it)."""
    fresh = dovecot.new_box()
    store.mail_to(dovecot.lmtp, to=fresh.address)
    return fresh


@pytest.fixture
def mail_env(dovecot: Dovecot, box: Box) -> dict[str, str | None]:
    return {"ORDERCANCEL_MAILBOX": dovecot.url(box), "ORDERCANCEL_MAIL_PASSWORD": box.password}


@pytest.fixture
def webhook() -> Iterator[tuple[str, list[dict[str, Any]]]]:
    """A JSON webhook that keeps the run summaries it receives."""
    posts: list[dict[str, Any]] = []

    class Hook(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 (the handler's protocol)
            posts.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Hook)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"json://127.0.0.1:{server.server_address[1]}/hook", posts
    server.shutdown()


def batch_of(tmp_path: Path, *rows: str) -> str:
    path = tmp_path / "orders.csv"
    path.write_text("order_id,items\n" + "".join(f"{row}\n" for row in rows))
    return str(path)


def changes(tmp_path: Path) -> list[tuple[str, ...]]:
    with sqlite3.connect(tmp_path / "state" / "journal.sqlite") as db:
        return db.execute("SELECT order_id, from_state, to_state, message, mail_id, mail_sent_at FROM changes").fetchall()


def local(iso: str) -> str:
    """A mail's date as the tool writes it in English (the tests' CLI runs under LANG=C.UTF-8)."""
    language.use("en")
    return language.moment_text(datetime.fromisoformat(iso))


def test_a_cancel_is_confirmed_by_mail_and_one_the_store_made_is_reported(
        store: StoreAdmin, cli: Cli, tmp_path: Path, dovecot: Dovecot, box: Box, mail_env: dict[str, str | None],
        webhook: tuple[str, list[dict[str, Any]]]) -> None:
    ours = store.add_order(["Kettle", "Teapot"])
    theirs = store.add_order(["Desk Lamp"])
    assert cli("batch", batch_of(tmp_path, f"{ours.id},Teapot")).exit_code == 0
    store.store_cancels(theirs.id)  # out of stock, say: the store cancels it and writes
    sent = {m["order_id"]: m for m in store.mails_sent()}
    assert set(sent) == {ours.id, theirs.id}
    files, flags = dovecot.files(box), dovecot.flags(box)

    url, posts = webhook
    result = cli("follow", "--json", "--report", str(tmp_path / "report"), "--notify", url, env=mail_env)

    assert result.exit_code == 0, result.stderr[-2000:]
    records = {o["order_id"]: o for o in result.json["orders"]}
    assert records[ours.id]["state"] == "confirmed_by_mail"
    journaled = [c for c in changes(tmp_path) if c[0] == ours.id and c[4]]  # the changes a mail witnessed
    assert len(journaled) == 1 and journaled[0][4] == sent[ours.id]["message_id"]
    assert records[ours.id]["message"] == f"cancelled earlier; confirmed by the store's e-mail of " \
                                          f"{local(journaled[0][5])} (by you)"
    assert records[theirs.id]["state"] == "cancelled_elsewhere"
    assert records[theirs.id]["message"].startswith("cancelled by the store or elsewhere: the store's e-mail of ")
    assert "1 item was cancelled (by the store), and the order page agrees" in records[theirs.id]["message"]
    assert posts and f"{theirs.id}: cancelled_elsewhere - cancelled by the store" in posts[0]["message"]
    assert "cancelled by the store or elsewhere" in (tmp_path / "report" / "latest" / "report.html").read_text()
    assert [e for e in store.events("cancel_received") if e["order_id"] == theirs.id] == []
    # read-only: no flag set, no file of the Maildir renamed or moved (SELECT would move new/ to cur/)
    assert dovecot.files(box) == files and dovecot.flags(box) == flags
    written = [result.stdout, result.stderr, json.dumps(posts), (tmp_path / "state" / "journal.sqlite").read_bytes()]
    written += [p.read_bytes() for p in (tmp_path / "report").rglob("*") if p.is_file()]
    assert not [w for w in written if box.password in (w if isinstance(w, str) else w.decode(errors="replace"))]

    again = cli("follow", env=mail_env)  # every mail is settled: nothing new to say
    assert again.exit_code == 0 and "nothing to follow" in again.stdout


def store_mail(order_id: str, subject: str, html: str, **headers: str) -> bytes:
    message = EmailMessage()
    message["From"] = headers.get("sender", '"Amazon.com" <order-update@amazon.com>')
    message["To"] = "demo@example.com"
    message["Subject"] = subject
    message["Date"] = format_datetime(datetime.now(UTC))
    message["Message-ID"] = make_msgid(domain="forged.example")
    message.set_content(html, subtype="html")
    return bytes(message)


def test_a_forged_mail_changes_nothing_until_the_order_page_agrees(
        store: StoreAdmin, cli: Cli, tmp_path: Path, dovecot: Dovecot, box: Box, tokens: TokenService) -> None:
    token = tokens.issue(box)  # this mailbox signs in with OAuth2 (XOAUTH2), as Microsoft 365's must
    mail_env = {"ORDERCANCEL_MAILBOX": dovecot.url(box), "ORDERCANCEL_MAIL_TOKEN": token}
    pending = store.add_order(["Toaster"], decision={"after_minutes": 20, "result": "cancelled"})
    product = pending.raw["items"][0]["product_id"]
    taken = cli("batch", batch_of(tmp_path, f"{pending.id},"), "--json").json
    assert taken["orders"][0]["state"] == "pending"
    subject = f"Successful cancellation of \"Toaster\" from your Amazon.com order #{pending.id}"
    body = (f"<table><tr><td><h3>Canceled Items</h3></td></tr><tr><td><ul><li>"
            f"<a href='https://www.amazon.com/dp/{product}'>Toaster</a></li></ul></td></tr></table>")
    dovecot.deliver(box, store_mail(pending.id, subject, body))  # the right sender's name, the right order
    dovecot.deliver(box, store_mail(pending.id, subject, body + "<p>" + "x" * 2_000_000 + "</p>"))
    broken = store_mail(pending.id, subject, body).replace(b"Content-Type: text/html",
                                                           b"Content-Type: multipart/mixed; boundary=none")
    dovecot.deliver(box, broken)
    files, flags = dovecot.files(box), dovecot.flags(box)

    early = cli("follow", "--json", env=mail_env)

    assert early.exit_code == 0, early.stderr[-2000:]
    (record,) = early.json["orders"]
    assert record["state"] == "pending" and record["outcome"] == "pending"
    assert "the store's e-mail of" in record["message"] and \
        "says 1 item was cancelled, but the order page does not show it yet" in record["message"]
    skipped = [line for line in early.logs if line.get("event") == "mail_skipped"]
    assert len(skipped) == 2 and all(line["level"] == "warning" for line in skipped), skipped
    assert {"larger than 1024 KiB"} <= {line["reason"] for line in skipped}
    assert store.order(pending.id).statuses() == {"ordered"}
    assert len(store.events("cancel_received")) == 1  # the batch's one press; following never presses

    store.clock(advance_seconds=21 * 60)
    assert store.order(pending.id).statuses() == {"cancelled"}  # the store decides, and writes
    (decided_mail,) = store.mails_sent()
    decided = cli("follow", "--json", env=mail_env)

    assert decided.exit_code == 0, decided.stderr[-2000:]
    (record,) = decided.json["orders"]
    assert record["state"] == "cancelled"
    (change,) = [c for c in changes(tmp_path) if c[4]]  # the one change a mail witnessed
    assert change[:3] == (pending.id, "decision_pending", "cancelled") and change[4] == decided_mail["message_id"]
    assert record["message"] == f"The store cancelled the order; confirmed by the store's e-mail of " \
                                f"{local(change[5])} (by you)"
    assert not [line for line in decided.logs if line.get("event") == "mail_skipped"]  # each warned of once
    assert dovecot.files(box)[:3] == files and dovecot.flags(box)[:3] == flags
    assert token not in early.stdout + early.stderr + decided.stdout + decided.stderr
    assert token.encode() not in (tmp_path / "state" / "journal.sqlite").read_bytes()


def test_a_mailbox_is_refused_before_any_work_without_its_secret_or_with_one_in_its_address(
        store: StoreAdmin, cli: Cli) -> None:
    no_secret = cli("follow", "--mailbox", "imaps://me@imap.example.com/INBOX")
    assert no_secret.exit_code == 2 and "ORDERCANCEL_MAIL_PASSWORD" in no_secret.stderr
    inline = cli("follow", "--mailbox", "imaps://me:hunter2@imap.example.com/INBOX",
                 env={"ORDERCANCEL_MAIL_PASSWORD": "app-password"})
    assert inline.exit_code == 2 and "must not hold a password" in inline.stderr
    assert "hunter2" not in inline.stdout + inline.stderr
    # a mailbox that cannot be reached is a warning: the order pages alone still decide
    closed = cli("follow", "--json", env={"ORDERCANCEL_MAILBOX": "imap://me@127.0.0.1:9/INBOX",
                                          "ORDERCANCEL_MAIL_PASSWORD": "app-password"})
    assert closed.exit_code == 0 and closed.json["orders"] == []
    (warning,) = [line for line in closed.logs if line.get("event") == "mailbox_unreadable"]
    assert warning["level"] == "warning" and "app-password" not in closed.stdout + closed.stderr


def test_mails_built_against_the_mail_parser_neither_stop_a_follow_nor_are_read_twice(
        store: StoreAdmin, cli: Cli, dovecot: Dovecot, box: Box, mail_env: dict[str, str | None]) -> None:
    """Attack findings: parts nested 2000 deep (a RecursionError in the standard library's parser)
    and a Date of 31 Dec 9999 at -01:00 (an OverflowError) each ended every `follow --mailbox` in a
    traceback while the mail was in the mailbox; a cancellation mail whose Message-ID is an encoded
    word was reported again by every run, and a mail of no kind of the tool's fetched again."""
    lamp = store.add_order(["Desk Lamp"])  # never touched by the tool, still open
    subject = f"Your Amazon.com order #{lamp.id} has been canceled"
    nested = "".join(f"--b{n}\r\nContent-Type: multipart/mixed; boundary=b{n + 1}\r\n\r\n" for n in range(2000))
    deep = store_mail(lamp.id, subject, "x")
    deep = deep.replace(b"Content-Type: text/html", b"Content-Type: multipart/mixed; boundary=b0; x=")
    dovecot.deliver(box, deep.split(b"\n\n")[0] + b"\n\n" + nested.encode())
    dated = store_mail(lamp.id, subject, f"<p>Order #{lamp.id}</p>")
    dovecot.deliver(box, re.sub(rb"Date: [^\n]*", b"Date: Fri, 31 Dec 9999 23:59:59 -0100", dated))
    encoded = store_mail(lamp.id, subject, f"<p>Order #{lamp.id}</p>")
    dovecot.deliver(box, re.sub(rb"Message-ID: [^\n]*", b"Message-ID: =?us-ascii?q?<lamp@x>?=", encoded))
    dovecot.deliver(box, store_mail(lamp.id, "Your package has shipped", "<p>On its way</p>"))

    first = cli("follow", "--json", env=mail_env)
    second = cli("follow", env=mail_env)

    assert first.exit_code == 0, first.stderr[-2000:]
    (record,) = first.json["orders"]
    assert record["order_id"] == lamp.id and record["state"] == "mail_not_shown"
    assert record["message"].startswith("an e-mail from order-update@amazon.com of "), record["message"]
    (skipped,) = [line for line in first.logs if line.get("event") == "mail_skipped"]
    assert skipped["reason"] == "not readable as the store's mail: more than 16 MIME parts"
    assert second.exit_code == 0 and "nothing to follow" in second.stdout, second.stdout + second.stderr[-2000:]
    assert not [e for e in store.events("cancel_received") if e["order_id"] == lamp.id]
