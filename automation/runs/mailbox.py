"""The shopper's mailbox over IMAP, read-only: the folder opened with EXAMINE, messages fetched with
BODY.PEEK (the tool never marks, moves or deletes a mail), only the store's sender since a day
(`SEARCH FROM … SINCE …`, never a full download), with size caps per message and per run. TLS is
required except on loopback. Every mail is untrusted input: one that is too large or cannot be read
is skipped with one warning; what the others say is parsed by `pages.store_mail`."""
from __future__ import annotations

import dataclasses
import ipaddress
import logging
import ssl
import urllib.parse
from dataclasses import dataclass, field
from datetime import date
from email.parser import BytesHeaderParser
from typing import Any

from automation.errors import CannotStart
from automation.files import scrub
from automation.settings import Settings
from pages.store_mail import MESSAGE_ID, MalformedMail, StoreMail, parse

MAX_MESSAGE_BYTES = 1024 * 1024  # a store's mail is some 100 KiB; anything past 1 MiB is not one
MAX_RUN_BYTES = 16 * 1024 * 1024
MAX_MESSAGES = 500  # the newest, when the store sent more since the day searched from
HEADER = b"BODY[HEADER.FIELDS (MESSAGE-ID)]"


@dataclass(frozen=True)
class MailboxAddress:
    """Where the mailbox is: `imaps://USER@HOST[:PORT]/FOLDER`, or `imap://` (STARTTLS, or plain
    on a loopback address only)."""
    host: str
    port: int
    user: str
    folder: str
    implicit_tls: bool

    @property
    def loopback(self) -> bool:
        if self.host == "localhost":
            return True
        try:
            return ipaddress.ip_address(self.host).is_loopback
        except ValueError:
            return False

    @classmethod
    def of(cls, url: str) -> MailboxAddress:
        parsed = urllib.parse.urlsplit(url)  # checked by Settings: scheme, host, user, no password
        implicit = parsed.scheme == "imaps"
        folder = urllib.parse.unquote(parsed.path.strip("/")) or "INBOX"
        return cls(parsed.hostname or "", parsed.port or (993 if implicit else 143),
                   urllib.parse.unquote(parsed.username or ""), folder, implicit)


@dataclass
class MailboxRead:
    """What one run found in the mailbox: the store's mails about cancellations, read and parsed."""
    mails: list[StoreMail] = field(default_factory=list)  # of every kind: the caller settles those of none
    skipped: list[str] = field(default_factory=list)  # too large or unreadable, each said in one warning: their ids
    error: str | None = None  # the mailbox could not be read at all (said in one warning)


def mailbox_of(settings: Settings) -> MailboxAddress | None:
    """The mailbox to read, checked before any work: its secret is there (exit 2 if not)."""
    if not settings.mailbox:
        return None
    if not (settings.mail_password or settings.mail_token):
        raise CannotStart("--mailbox needs ORDERCANCEL_MAIL_PASSWORD (an app password) or ORDERCANCEL_MAIL_TOKEN "
                          "(an OAuth2 access token) in the environment or the env file")
    return MailboxAddress.of(settings.mailbox)


def _connect(address: MailboxAddress, timeout: float) -> Any:
    from imapclient import IMAPClient  # only when a run reads mail

    logging.getLogger("imapclient").setLevel(logging.WARNING)  # its debug lines hold the protocol
    context = ssl.create_default_context()
    client = IMAPClient(address.host, port=address.port, ssl=address.implicit_tls, ssl_context=context,
                        timeout=timeout)
    if not address.implicit_tls and not address.loopback:
        client.starttls(context)  # fails when the server offers none: no password over plain text
    return client


class LoginRefused(Exception):
    """The mailbox refused the sign-in; its answer is not shown: a server may repeat what it was sent."""


def _login(client: Any, address: MailboxAddress, settings: Settings) -> None:
    from imapclient.exceptions import IMAPClientError

    try:
        if settings.mail_token:
            client.oauth2_login(address.user, settings.mail_token.get_secret_value())
        else:
            assert settings.mail_password is not None
            client.login(address.user, settings.mail_password.get_secret_value())
    except IMAPClientError:  # an answer like 'NO refused: A1 LOGIN me "the-password"' is no one's to read
        raise LoginRefused("the mailbox refused the sign-in: check ORDERCANCEL_MAIL_PASSWORD (an app password) "
                           "or ORDERCANCEL_MAIL_TOKEN") from None


def _message_id(fetched: dict[bytes, Any], uid: int, validity: int) -> str:
    """The mail's Message-ID, what the journal knows it by; one without (or with one that is not one)
    is known by its place in the mailbox instead."""
    header = BytesHeaderParser().parsebytes(fetched.get(HEADER) or b"")
    given = str(header.get("Message-ID", "") or "").strip()
    return given if MESSAGE_ID.fullmatch(given) else f"<uid-{validity}-{uid}@mailbox>"


def _wanted(client: Any, uids: list[int], validity: int, known: set[str], log: Any,
            found: MailboxRead) -> dict[int, str]:
    """The messages to fetch, with their ids: not yet known, each and all within their caps."""
    heads = client.fetch(uids, ["RFC822.SIZE", "BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)]"])
    wanted, total = {}, 0
    for uid in uids:
        size = int(heads.get(uid, {}).get(b"RFC822.SIZE", 0))
        message_id = _message_id(heads.get(uid, {}), uid, validity)
        if message_id in known:
            continue
        if size > MAX_MESSAGE_BYTES:
            log.warning("mail_skipped", uid=uid, size=size, reason=f"larger than {MAX_MESSAGE_BYTES // 1024} KiB")
            found.skipped.append(message_id)
        elif total + size > MAX_RUN_BYTES:  # not settled: the next run reads it
            log.warning("mail_skipped", uid=uid, size=size, reason=f"past this run's {MAX_RUN_BYTES // 2**20} MiB "
                                                                      "of mail; the next run reads it")
        else:
            wanted[uid] = message_id
            total += size
    return wanted


def _parsed(client: Any, wanted: dict[int, str], log: Any, found: MailboxRead) -> None:
    # a partial fetch: a server that understates a size still sends no more than the cap
    bodies = client.fetch(list(wanted), [f"BODY.PEEK[]<0.{MAX_MESSAGE_BYTES + 1}>"]) if wanted else {}
    for uid, message_id in wanted.items():
        raw = next((v for k, v in bodies.get(uid, {}).items() if k.startswith(b"BODY[]")), None)
        try:
            if not isinstance(raw, bytes) or len(raw) > MAX_MESSAGE_BYTES:
                raise MalformedMail("no body" if not isinstance(raw, bytes) else "larger than it said")
            mail = parse(raw)
        # the standard library's parser raises more than it documents on a hostile mail (one mail
        # never stops the run)
        except Exception as exc:
            reason = str(exc) if isinstance(exc, MalformedMail) else type(exc).__name__
            log.warning("mail_skipped", uid=uid, reason=f"not readable as the store's mail: {reason}")
            found.skipped.append(message_id)
            continue
        # known by the id the journal settles it by (the parser reads an encoded Message-ID decoded:
        # such a mail was read, and reported, again by every run); shipping notices, offers... are
        # settled too, as no business of this tool's, or they would be fetched again by every run
        found.mails.append(dataclasses.replace(mail, message_id=message_id))


def read_store_mails(settings: Settings, address: MailboxAddress, since: date, known: set[str],
                     log: Any) -> MailboxRead:
    """The store's mails about cancellations since a day, that the journal does not know yet."""
    from imapclient.exceptions import IMAPClientError

    found = MailboxRead()
    client = None
    try:
        client = _connect(address, settings.timeout_s)
        _login(client, address, settings)
        # EXAMINE: nothing this session does can mark a mail
        folder = client.select_folder(address.folder, readonly=True)
        uids = sorted(client.search(["FROM", settings.market.mail_sender, "SINCE", since]))
        if len(uids) > MAX_MESSAGES:
            log.warning("mail_skipped", count=len(uids) - MAX_MESSAGES, reason=f"more than {MAX_MESSAGES} mails from "
                        "the store since the oldest open order: the oldest are left unread")
            uids = uids[-MAX_MESSAGES:]
        validity = int(folder.get(b"UIDVALIDITY", 0))
        _parsed(client, _wanted(client, uids, validity, known, log, found) if uids else {}, log, found)
    except (IMAPClientError, OSError, LoginRefused) as exc:  # ssl.SSLError and socket errors are OSErrors
        found.error = str(exc) if isinstance(exc, LoginRefused) else \
            f"{type(exc).__name__}: {scrub(str(exc), settings.secrets())[:200]}"
        log.warning("mailbox_unreadable", host=address.host, folder=address.folder, error=found.error,
                    hint="the run goes on with the order pages alone")
    finally:
        if client is not None:
            try:
                client.logout()
            except (IMAPClientError, OSError):
                pass
    return found
