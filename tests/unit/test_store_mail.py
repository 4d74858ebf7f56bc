"""The store's e-mail read as a screen, without a mailbox: the mock's mails in every language and
kind, the structure deciding where the subject is unknown, broken mails refused in one line, the
sender never taken as proof; the mailbox address and its secret; and the journal that keeps the
mails (an older journal gains the columns)."""
from __future__ import annotations

import email
import email.policy
import sqlite3
from datetime import UTC, datetime
from decimal import Decimal
from email.message import EmailMessage
from pathlib import Path

import pytest
from pydantic import ValidationError

from automation.runs.journal import Journal, MailNote
from automation.runs.mailbox import MailboxAddress
from automation.settings import Settings
from mock_store import mail as store_mail
from mock_store.model import Account, Item, Order
from pages.store_mail import Canceller, MailKind, MalformedMail, parse

ORDER = "113-1234567-1234567"


def mock_mail(kind: str, language: str, marketplace: str, titles: tuple[str, ...] = ("Kettle", "Teapot")) -> bytes:
    account = Account("demo@example.com", "x", "Alex Demo", locale=language, marketplace=marketplace)
    items = [Item(f"it{n}", title, Decimal("19.50"), product_id=f"B0TEST000{n}") for n, title in enumerate(titles)]
    order = Order(ORDER, account.email, datetime(2026, 12, 1, 13, 2, tzinfo=UTC), items)
    voice = store_mail.voice_for(account, "en", "com")
    return bytes(store_mail.compose(kind, account, order, items, voice, datetime(2026, 12, 1, 14, 2, tzinfo=UTC)))


@pytest.mark.parametrize(("language", "marketplace"), [("en", "com"), ("en", "co.uk"), ("de", "de"), ("da", "de"),
                                                       ("sv", "se")])
@pytest.mark.parametrize(("kind", "said", "who"), [("you", MailKind.CANCELLED, Canceller.YOU),
                                                   ("store", MailKind.CANCELLED, Canceller.STORE),
                                                   ("refused", MailKind.REFUSED, None)])
def test_every_mail_of_the_store_says_its_order_items_and_who(language: str, marketplace: str, kind: str,
                                                               said: MailKind, who: Canceller | None) -> None:
    read = parse(mock_mail(kind, language, marketplace))
    assert (read.kind, read.who_cancelled, read.order_id) == (said, who, ORDER)
    assert [item.product_id for item in read.items] == ["B0TEST0000", "B0TEST0001"]
    assert read.sender == f"order-update@amazon.{marketplace}" and read.from_store
    assert read.sent_at == datetime(2026, 12, 1, 14, 2, tzinfo=UTC) and read.message_id.startswith("<")


def test_the_structure_decides_where_the_subject_is_unknown() -> None:
    """No public Danish or Swedish sample: a subject in no table still reads by its h3 or span."""
    message = email.message_from_bytes(mock_mail("store", "sv", "se"), policy=email.policy.default)
    message.replace_header("Subject", "Hej")
    read = parse(bytes(message))
    assert read.subject == "Hej" and read.kind is MailKind.CANCELLED and read.who_cancelled is Canceller.STORE


def hostile(**headers: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = headers.get("sender", "order-update@amazon.com")
    message["Subject"] = headers.get("subject", f"Your Amazon.com order #{ORDER} has been canceled")
    message["Message-ID"] = "<m1@example.test>"
    message.set_content(headers.get("html", "<h3>Canceled Items</h3><ul><li><a href='/dp/B0TEST0000'>"
                                            "\x1b[31m<script>x</script></a></li></ul>"), subtype="html")
    return message


def test_a_mail_is_data_and_its_sender_never_proof() -> None:
    read = parse(bytes(hostile(sender="order-update@amazon.com.evil.example")))
    assert read.kind is MailKind.CANCELLED and not read.from_store
    assert read.items[0].product_id == "B0TEST0000" and "\x1b" in read.items[0].title  # data: shown escaped later
    assert parse(bytes(hostile(subject="Your package was shipped", html="<p>on its way</p>"))).kind is MailKind.OTHER


@pytest.mark.parametrize(("raw", "why"), [
    (bytes(hostile()).replace(b"Content-Type: text/html", b"Content-Type: multipart/mixed; boundary=x"),
     "broken MIME"),
    (b"From: order-update@amazon.com\r\nMessage-ID: <a@b>\r\nContent-Type: text/html\r\n"
     b"Content-Transfer-Encoding: base64\r\n\r\n!!!not base64!!!\r\n", "cannot be decoded"),
    (b"From: order-update@amazon.com\r\nMessage-ID: <a@b>\r\nContent-Type: text/html; charset=x-unknown\r\n\r\nhi",
     "cannot be decoded"),
    (bytes(hostile()).replace(b"Message-ID: <m1@example.test>", b"Message-ID: \x1b]0;x"), "no Message-ID"),
    (bytes(hostile(html="<h3>Canceled Items</h3> 113-1111111-1111111")), "2 order numbers"),
    (bytes(hostile(subject="Item(s) has been canceled from your Amazon.com order", html="<p>sorry</p>")),
     "no order number"),
])
def test_a_mail_that_cannot_be_read_is_refused_in_one_line(raw: bytes, why: str) -> None:
    with pytest.raises(MalformedMail) as refused:
        parse(raw)
    assert why in str(refused.value) and "\n" not in str(refused.value)


def test_the_mailbox_address_and_its_secret() -> None:
    address = MailboxAddress.of(Settings(_env_file=None, mailbox="imaps://me%40example.com@imap.example.com/Amazon%20mail")
                                .mailbox or "")
    assert (address.host, address.port, address.user, address.folder) == ("imap.example.com", 993, "me@example.com",
                                                                           "Amazon mail")
    assert address.implicit_tls and not address.loopback
    plain = MailboxAddress.of("imap://me@127.0.0.1:1143")
    assert (plain.port, plain.folder, plain.implicit_tls, plain.loopback) == (1143, "INBOX", False, True)
    for bad in ("imaps://me:hunter2@imap.example.com/INBOX", "pop3://me@example.com", "imaps://imap.example.com/"):
        with pytest.raises(ValidationError) as caught:
            Settings(_env_file=None, mailbox=bad)
        assert "hunter2" not in caught.value.errors()[0]["msg"]  # what the command line says
    assert "s3cret" in Settings(_env_file=None, mail_password="s3cret").secrets()


def test_an_older_journal_gains_the_mail_columns_and_keeps_its_rows(tmp_path: Path) -> None:
    path = tmp_path / "journal.sqlite"
    with sqlite3.connect(path) as db:  # the `changes` table as journals had it before mails
        db.execute("CREATE TABLE changes (store TEXT NOT NULL, account TEXT NOT NULL, order_id TEXT NOT NULL, "
                   "at TEXT NOT NULL, from_state TEXT NOT NULL, to_state TEXT NOT NULL, message TEXT)")
        db.execute("INSERT INTO changes VALUES ('h', 'a', ?, 'then', 'decision_pending', 'cancelled', 'old')", (ORDER,))
    path.chmod(0o600)
    journal = Journal(path, "h", "a")
    journal.note_change(ORDER, "cancelled", "cancelled", "confirmed", MailNote("<m1@x>", "2026-12-01T14:02:00+00:00"))
    journal.note_mail(MailNote("<m1@x>", None), ORDER, "cancelled", "you", "not_shown")
    assert journal.mails_settled() == set()  # a mail the page did not yet agree with is read again
    journal.note_mail(MailNote("<m1@x>", None), ORDER, "cancelled", "you", "witness")
    assert journal.mails_settled() == {"<m1@x>"}
    journal.close()
    with sqlite3.connect(path) as db:
        rows = db.execute("SELECT message, mail_id FROM changes ORDER BY rowid").fetchall()
    assert rows == [("old", None), ("confirmed", "<m1@x>")]
