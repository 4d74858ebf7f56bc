"""The store's e-mail about a cancellation, read as a screen: `parse(raw)` takes one message as the
mailbox holds it (RFC 5322 bytes, MIME by the standard library's `email`, the HTML body by the
project's HTML parser) and says which order it names, which items and who cancelled them.

Nothing in a mail is trusted: it is data to match, never markup to show, a path or a reason to
act. What is known of the live mails (public parsers of real mailboxes, 2024-2026): the sender is
`order-update@amazon.<tld>`; the subjects below; a "Canceled Items" heading, an `h3` when the
shopper cancelled and a `span` when the store did, over a list of items (`li > a`, each linking
its product page); the order number in the 3-7-7 form. The Danish and Swedish rows have no public
sample: there the sender, the order number and the body's structure decide."""
from __future__ import annotations

import email
import email.errors
import email.policy
import enum
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import parseaddr, parsedate_to_datetime

from selectolax.lexbor import LexborNode

from pages.common import document, order_numbers_in, product_id, text

HEADING = "h3, span"  # the "Canceled Items" heading: h3 (the shopper cancelled) or span (the store did)
ITEM_LINK = "li a[href]"
# MIME defects that leave a message unreadable as its sender wrote it (others, such as a header
# folded oddly, are harmless)
BROKEN = (email.errors.NoBoundaryInMultipartDefect, email.errors.StartBoundaryNotFoundDefect,
          email.errors.CloseBoundaryNotFoundDefect, email.errors.MultipartInvariantViolationDefect,
          email.errors.InvalidBase64PaddingDefect, email.errors.InvalidBase64CharactersDefect,
          email.errors.InvalidBase64LengthDefect, email.errors.MisplacedEnvelopeHeaderDefect)
# The standard library's header parser, which reads these headers (the others are never parsed),
# recurses on nested comments and takes seconds to minutes over long ones (a megabyte of encoded
# words, a From of quotes); the feed parser and walk() recurse on nested parts. The store's mails
# need little of each: a mail past these bounds is not one of its mails.
PARSED_HEADERS = {"from", "subject", "date", "message-id", "content-type", "content-transfer-encoding",
                  "content-disposition", "mime-version"}
MAX_HEADER = 1000  # characters of one of those, folded lines together: a store's subject has some 300
MAX_COMMENTS = 8  # "(" in one of those: a Date may end "(UTC)"
MAX_PARTS = 16  # a store's mail is a text and an HTML part, perhaps with images
_PART_TYPE = re.compile(rb"^content-type:", re.IGNORECASE | re.MULTILINE)
SENDER = re.compile(r"order-update@amazon\.(?:com|co\.uk|de|se)")
MESSAGE_ID = re.compile(r"<[!-~]{1,250}>")  # printable ASCII, no white space, in angle brackets


class MailKind(enum.StrEnum):
    CANCELLED = "cancelled"  # items (or the order) cancelled
    REFUSED = "refused"  # the store or the seller could not cancel
    OTHER = "other"  # any other mail of the store's (shipping, offers...)


class Canceller(enum.StrEnum):
    YOU = "you"  # the shopper's request (or the seller's yes to it)
    STORE = "store"  # the store cancelled on its own


# Subjects, lower case: a subject holding every fragment of a row is that kind of mail. Checked in
# this order (a refusal, the store's own cancellation, the shopper's, then one that does not say who).
SUBJECTS: list[tuple[MailKind, Canceller | None, tuple[str, ...]]] = [
    *((MailKind.REFUSED, None, f) for f in [("could not cancel",), ("konnten nicht storniert werden",),
                                             ("kunne ikke annullere",), ("kunde inte avbryta",)]),
    *((MailKind.CANCELLED, Canceller.STORE, f) for f in [
        ("has been canceled from your",), ("have been canceled from your",), ("has been cancelled from your",),
        ("have been cancelled from your",), ("artikel", "wurden storniert"), ("er blevet annulleret fra din",),
        ("har avbrutits från din",)]),
    *((MailKind.CANCELLED, Canceller.YOU, f) for f in [
        ("successful cancellation of",), ("partial item(s) cancellation",), ("annulleringen af", "er gennemført"),
        ("delvis annullering",), ("avbeställningen av",), ("delvis avbeställning",)]),
    *((MailKind.CANCELLED, None, f) for f in [("order", "has been canceled"), ("order", "has been cancelled"),
                                               ("bestellung wurde storniert",), ("er annulleret",),
                                               ("har avbrutits",)]),
]
HEADINGS = {
    MailKind.CANCELLED: {"canceled items", "cancelled items", "annullerede varer", "stornierte artikel",
                         "avbrutna artiklar"},
    MailKind.REFUSED: {"items not canceled", "items not cancelled", "varer, der ikke blev annulleret",
                       "nicht stornierte artikel", "artiklar som inte avbröts"},
}


class MalformedMail(ValueError):
    """A mail that cannot be read as one of the store's: broken MIME, no Message-ID, no body..."""


@dataclass(frozen=True)
class MailItem:
    product_id: str | None  # the ASIN of the item's /dp/ link: its identity; None when it links none
    title: str  # as the mail writes it: data, never shown raw


@dataclass(frozen=True)
class StoreMail:
    message_id: str
    sent_at: datetime | None  # its Date header, in UTC; None when it has none that parses
    sender: str  # the From address, lower case (anyone can write it: never proof)
    subject: str
    kind: MailKind
    order_id: str | None  # the one order number it names; None for a mail of another kind
    items: tuple[MailItem, ...] = ()
    who_cancelled: Canceller | None = None

    @property
    def from_store(self) -> bool:
        return SENDER.fullmatch(self.sender) is not None


def _bounded(raw: bytes) -> None:
    """The mail's parts and the headers the parser reads, within the bounds above (else MalformedMail),
    judged before that parser reads any: the headers as plain text (compat32 parses none)."""
    if len(_PART_TYPE.findall(raw)) > MAX_PARTS:  # a part of another type than text/plain names its type
        raise MalformedMail(f"more than {MAX_PARTS} MIME parts")
    for part in email.message_from_bytes(raw, policy=email.policy.compat32).walk():
        for name, value in ((name.lower(), str(value)) for name, value in part.items()):
            if name in PARSED_HEADERS and (len(value) > MAX_HEADER or value.count("(") > MAX_COMMENTS):
                raise MalformedMail(f"a {name} header of {len(value)} characters and {value.count('(')} comments")


def _message(raw: bytes) -> EmailMessage:
    _bounded(raw)
    message = email.message_from_bytes(raw, policy=email.policy.default)
    broken = [defect for part in message.walk() for defect in part.defects if isinstance(defect, BROKEN)]
    if broken:
        raise MalformedMail(f"broken MIME ({type(broken[0]).__name__})")
    return message  # type: ignore[return-value]


def _body(message: EmailMessage) -> tuple[str, bool]:
    """The body's text, preferring HTML: (content, is_html)."""
    part = message.get_body(preferencelist=("html", "plain"))
    if part is None:
        raise MalformedMail("no text or HTML body")
    try:
        content = part.get_content()
    except (LookupError, UnicodeError, ValueError) as exc:  # an unknown charset, bad bytes for it
        raise MalformedMail(f"a body that cannot be decoded ({type(exc).__name__})") from None
    if not isinstance(content, str):
        raise MalformedMail("a body that is not text")
    broken = [defect for defect in part.defects if isinstance(defect, BROKEN)]  # found while decoding
    if broken:
        raise MalformedMail(f"a body that cannot be decoded ({type(broken[0]).__name__})")
    return content, part.get_content_subtype() == "html"


def _kind_of_subject(subject: str) -> tuple[MailKind, Canceller | None]:
    lowered = subject.casefold()
    for kind, who, fragments in SUBJECTS:
        if all(fragment in lowered for fragment in fragments):
            return kind, who
    return MailKind.OTHER, None


def _heading(html_doc: LexborNode) -> tuple[MailKind, LexborNode] | None:
    for node in html_doc.css(HEADING):
        words = text(node).casefold()
        for kind, texts in HEADINGS.items():
            if words in texts:
                return kind, node
    return None


def _items(scope: LexborNode) -> tuple[MailItem, ...]:
    return tuple(MailItem(product_id(link.attributes.get("href")), text(link)) for link in scope.css(ITEM_LINK))


def _scope_of(heading: LexborNode) -> LexborNode:
    """The heading's own list: the nearest enclosing element that holds item links."""
    node = heading
    while node.parent is not None:
        node = node.parent
        if node.css_first(ITEM_LINK) is not None:
            return node
    return heading


def _header(message: EmailMessage, name: str) -> str:
    try:
        return str(message.get(name, "") or "")
    except (ValueError, IndexError, TypeError):  # a header the policy cannot decode
        raise MalformedMail(f"a {name} header that cannot be read") from None


def _sent_at(value: str) -> datetime | None:
    try:
        moment = parsedate_to_datetime(value)
        moment = (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(UTC)
    except (TypeError, ValueError, IndexError, OverflowError):  # Overflow: 31 Dec 9999 -0100
        return None
    # a year a local time can still be shown in (31 Dec 9999 in UTC is 10000 east of it)
    return moment if 1970 <= moment.year < 9999 else None


def parse(raw: bytes) -> StoreMail:
    """What the mail says, as data; raises MalformedMail for one that cannot be read as a mail."""
    message = _message(raw)
    message_id = _header(message, "Message-ID").strip()
    if not MESSAGE_ID.fullmatch(message_id):
        raise MalformedMail("no Message-ID")
    subject = " ".join(_header(message, "Subject").split())
    sender = parseaddr(_header(message, "From"))[1].lower()
    kind, who = _kind_of_subject(subject)
    content, is_html = _body(message)
    doc = document(content) if is_html else None
    # each text node on its own (a <br> between an order number and the next word is a break)
    body_text = doc.body.text(deep=True, separator=" ") if doc is not None and doc.body is not None else content
    items: tuple[MailItem, ...] = ()
    found = _heading(doc.body) if doc is not None and doc.body is not None else None
    if found is not None:
        kind, heading = found
        who = (Canceller.YOU if heading.tag == "h3" else Canceller.STORE) if kind is MailKind.CANCELLED else None
        items = _items(_scope_of(heading))
    elif kind is not MailKind.OTHER and doc is not None and doc.body is not None:
        items = _items(doc.body)
    order_id = None
    if kind is not MailKind.OTHER:
        named = order_numbers_in(f"{subject} {body_text}")
        if len(named) != 1:
            raise MalformedMail("no order number" if not named else f"{len(named)} order numbers")
        order_id = named.pop()
    return StoreMail(message_id, _sent_at(_header(message, "Date")), sender, subject, kind, order_id, items, who)
