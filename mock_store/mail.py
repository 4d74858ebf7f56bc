"""The store's e-mails: one for each cancellation, each pending cancellation the store decides and
each seller's answer, from the live sender (`order-update@amazon.<tld>`), in the account's language,
with the live subjects and body structure ("Canceled Items" over a list of product links, an `h3`
when the shopper cancelled, a `span` when the store did), sent over SMTP or LMTP."""
from __future__ import annotations

import json
import re
import smtplib
import urllib.parse
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape

from mock_store import texts
from mock_store.model import CANCELLED, Account, Item, Order, StoreError

_TABLE = json.loads((Path(__file__).parent / "mail_texts.json").read_text(encoding="utf-8"))
WORDS: dict[str, dict[str, str]] = {lang: _TABLE[lang] for lang in texts.LANGUAGES}
WORDS["en-GB"] = {**_TABLE["en"], **_TABLE["en-GB"]}
STORE_NAMES = {"com": "Amazon.com", "co.uk": "Amazon.co.uk", "de": "Amazon.de", "se": "Amazon.se"}
_templates = Environment(loader=FileSystemLoader(Path(__file__).parent / "templates"),
                         autoescape=select_autoescape(["html"]), auto_reload=False)
# a title in a subject: no line breaks or other controls (a header cannot hold them), and short
_UNFIT_FOR_A_HEADER = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")

# What a mail says: the shopper's (or the seller's accepted) cancellation, the store's own, or a refusal.
YOU, STORE, REFUSED = "you", "store", "refused"


@dataclass(frozen=True)
class MailServer:
    """Where the store sends its mails: SMTP (`HOST:PORT`, `smtp://HOST:PORT`) or LMTP
    (`lmtp://HOST:PORT`, as Dovecot delivers); `to` sends every mail to one address (tests)."""
    host: str
    port: int
    lmtp: bool = False
    to: str | None = None

    @classmethod
    def parse(cls, address: str, to: str | None = None) -> MailServer:
        parsed = urllib.parse.urlsplit(address if "://" in address else f"smtp://{address}")
        try:
            port = parsed.port
        except ValueError:
            port = None
        if parsed.scheme not in ("smtp", "lmtp") or not parsed.hostname or not port:
            raise StoreError(f"not a mail server address (HOST:PORT, smtp:// or lmtp://): {address!r}")
        return cls(parsed.hostname, port, parsed.scheme == "lmtp", to or None)


def voice_for(account: Account, default_language: str, default_marketplace: str) -> texts.Voice:
    """The account's language on its marketplace, as its pages speak."""
    return texts.Voice(account.locale or default_language, account.marketplace or default_marketplace)


def _subject(kind: str, words: dict[str, str], order: Order, items: list[Item], store: str) -> str:
    if kind != YOU:
        key = "subject_store" if kind == STORE else "subject_refused"
    elif len(items) == 1:
        key = "subject_one"
    else:
        key = "subject_all" if all(i.status == CANCELLED for i in order.items) else "subject_part"
    title = _UNFIT_FOR_A_HEADER.sub(" ", items[0].title if items else "")[:80]
    return words[key].format(title=title, store=store, order_id=order.id)


def compose(kind: str, account: Account, order: Order, items: list[Item], voice: texts.Voice,
            now: datetime) -> EmailMessage:
    """The mail, as the live store writes it: plain text and HTML, UTF-8."""
    words = WORDS["en-GB" if (voice.language, voice.marketplace) == ("en", "co.uk") else voice.language]
    domain = f"amazon.{voice.marketplace}"
    store = STORE_NAMES[voice.marketplace]
    subject = _subject(kind, words, order, items, store)
    intro = words[{YOU: "intro_you", STORE: "intro_store", REFUSED: "intro_refused"}[kind]]
    heading = words["heading_refused" if kind == REFUSED else "heading_cancelled"]
    html = _templates.get_template("mail_cancellation.html").render(
        w=words, language=voice.language, subject=subject, name=account.name, intro=intro, heading=heading,
        by_store=kind == STORE, order_id=order.id, items=items, site=f"https://www.{domain}",
        placed=texts.long_date(order.placed_at, voice), money=lambda amount: texts.money(amount, voice))
    message = EmailMessage()
    message["From"] = f'"{store}" <order-update@{domain}>'
    message["To"] = account.email
    message["Subject"] = subject
    message["Date"] = format_datetime(now)
    message["Message-ID"] = make_msgid(domain=domain)
    lines = [words["greeting"].format(name=account.name), intro, f"{words['order_label']} {order.id}", heading,
             *(f"- {_UNFIT_FOR_A_HEADER.sub(' ', item.title)}" for item in items)]
    message.set_content("\n".join(lines))
    message.add_alternative(html, subtype="html")
    return message


def send(server: MailServer, message: EmailMessage) -> None:
    """Deliver one mail; raises OSError or smtplib.SMTPException when the server does not take it."""
    recipient = server.to or str(message["To"])
    client = smtplib.LMTP if server.lmtp else smtplib.SMTP
    with client(server.host, server.port, timeout=5) as connection:
        connection.send_message(message, to_addrs=[recipient])
