"""Holes an attack on the merged parts of issues 21, 22 and 25 (kept reports, the self-reloading Your
Orders, return links, the store's e-mail) found, without a browser: each test states what must hold,
and each failed before its fix. (tests/test_live_shape.py and tests/test_mail_witness.py have the
CLI ones.)"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from automation.browser.reloads import MAX_RELOADS, ReloadWatch
from automation.runs import mail_witness, mailbox
from automation.runs.batch import BatchSummary
from automation.runs.journal import Journal
from automation.runs.mailbox import HEADER, MailboxRead, _parsed, _wanted
from automation.runs.report import RunInfo
from automation.runs.report_folder import INDEX, RUNS, keep_report, read_runs
from automation.settings import Settings
from pages import your_orders
from pages.store_mail import MailKind, MalformedMail, parse

STORE = "https://www.amazon.com"


@dataclass
class Frame:
    parent_frame: Any = None


@dataclass
class Request:
    url: str
    redirected_from: Request | None = None
    navigation: bool = True
    frame: Frame = field(default_factory=Frame)

    def is_navigation_request(self) -> bool:
        return self.navigation


@dataclass
class Route:
    request: Request
    done: str = ""

    def fallback(self) -> None:
        self.done = "sent"

    def abort(self, code: str) -> None:
        self.done = "aborted"


class Tab:
    """A tab's routes and request events, fired by the test as the browser would: a route sees the
    first request of a redirect chain only, the event every hop."""

    def __init__(self) -> None:
        self.routes: list[tuple[Any, Any]] = []
        self.listeners: list[Any] = []
        self.closed = False

    def route(self, pattern: Any, handler: Any) -> None:
        self.routes.append((pattern, handler))

    def unroute(self, pattern: Any, handler: Any) -> None:
        self.routes.remove((pattern, handler))

    def on(self, event: str, listener: Any) -> None:
        self.listeners.append(listener)

    def remove_listener(self, event: str, listener: Any) -> None:
        self.listeners.remove(listener)

    def is_closed(self) -> bool:
        return self.closed

    def close(self) -> None:
        self.closed = True

    def load(self, *hops: str) -> str:
        """A main-frame load: its first address, then the redirects' (what reached the store)."""
        first = Request(STORE + hops[0])
        for listener in list(self.listeners):
            listener(first)
        route = Route(first)
        handlers = [h for p, h in self.routes if p.match(first.url)]
        if handlers:
            handlers[0](route)
        if route.done == "aborted" or self.closed:
            return "refused" if route.done == "aborted" else "stopped"
        before = first
        for hop in hops[1:]:
            before = Request(STORE + hop, redirected_from=before)
            for listener in list(self.listeners):
                listener(before)
            if self.closed:
                return "stopped"
        return "loaded"


def test_a_your_orders_that_sends_itself_to_an_old_address_and_back_is_stopped_as_a_reload() -> None:
    """The live site's old Your Orders addresses redirect to it: a page that sends itself there
    (or anywhere) instead of reloading loops as surely. Was: only loads the route saw at the
    screen's own address were counted, so that loop was never stopped (a CLI run: 500 loads of the
    store's pages in 5 minutes, and still going)."""
    tab = Tab()
    watch = ReloadWatch(tab, STORE, "/your-orders/orders")  # type: ignore[arg-type]
    assert tab.load("/your-orders/orders") == "loaded"  # the tool's own
    watch.settled = True
    assert tab.load("/gp/css/order-history", "/your-orders/orders") == "loaded"  # two loads of the store's
    assert tab.load("/gp/css/order-history", "/your-orders/orders") == "refused"  # the next never leaves
    assert watch.stopped and tab.closed and watch.stop().loads == 1 + MAX_RELOADS


def test_a_loop_through_a_redirect_while_the_tool_still_loads_the_screen_is_stopped_too() -> None:
    tab = Tab()
    watch = ReloadWatch(tab, STORE, "/your-orders/orders")  # type: ignore[arg-type]
    said = [tab.load("/your-orders/orders")] + [tab.load("/gp/css/order-history", "/your-orders/orders")
                                                for _ in range(MAX_RELOADS + 1)]
    assert said == ["loaded"] * (1 + MAX_RELOADS) + ["refused"] and watch.stopped and tab.closed


def test_before_the_tools_own_load_is_done_only_the_screens_address_counts() -> None:
    """A sign-in's steps are the tool's own loads: they are not the page reloading itself; the
    store sending the browser back to the screen after it is one load of the screen."""
    tab = Tab()
    watch = ReloadWatch(tab, STORE, "/your-orders/orders")  # type: ignore[arg-type]
    assert tab.load("/your-orders/orders", "/ap/signin") == "loaded"
    assert tab.load("/ap/signin") == "loaded" and tab.load("/ap/signin", "/ap/mfa") == "loaded"
    assert tab.load("/ap/mfa", "/your-orders/orders") == "loaded"
    assert watch.loads == 2 and not watch.stopped
    watch.settled = True
    assert tab.load("/your-orders/orders") == "loaded"  # one reload: the page's own doing, allowed
    assert tab.load("/your-orders/orders") == "refused" and tab.closed


@pytest.mark.parametrize("bad", [
    '"counts": {"cancelled": 1e400}', '"counts": {}, "exit_code": Infinity',  # floats past int: OverflowError
    '"started": "9999-12-31T23:59:59-01:00"', '"started": "0001-01-01T00:00:00+01:00"',  # past UTC's years
    '"nested": ' + "[" * 100_000, '"nested": ' + '{"a": ' * 100_000,  # RecursionError
])
def test_a_runs_list_line_that_no_run_wrote_is_left_out_whatever_it_holds(tmp_path: Path, bad: str) -> None:
    """The runs list is read back after every run with --report: a line there that broke the reading
    ended the run (its clicks done) in a traceback, no summary printed, no index, no notification."""
    good = ('{"run_id": "a", "started": "2026-12-01T10:00:00+00:00", "kind": "batch", "command": "x", '
            '"counts": {}, "exit_code": 0, "duration_ms": 5}')
    line = good.replace('"a"', '"b"').replace('"duration_ms": 5', f'"duration_ms": 5, {bad}')
    (tmp_path / RUNS).write_text(f"{good}\n{line}\n")
    os.chmod(tmp_path / RUNS, 0o600)
    did = BatchSummary("0123456789ab")
    keep_report(did, RunInfo("follow", "ordercancel follow", did.run_id), tmp_path)
    assert [r.run_id for r in read_runs((tmp_path / RUNS).read_bytes())] == ["0123456789ab", "a"]
    assert "ordercancel follow" in (tmp_path / INDEX).read_text()


# -- the store's e-mail ---------------------------------------------------------------------------

ORDER = "113-1234567-1234567"


def mail(headers: dict[str, str] | None = None, body: str | None = None) -> bytes:
    fields = {"From": "order-update@amazon.com", "Subject": f"Your Amazon.com order #{ORDER} has been canceled",
              "Date": "Tue, 01 Dec 2026 14:02:00 +0000", "Message-ID": "<m1@amazonses.example>",
              "Content-Type": "text/html; charset=utf-8", **(headers or {})}
    body = body if body is not None else "<h3>Canceled Items</h3><ul><li><a href='/dp/B0KETTLE01'>Kettle</a></li></ul>"
    return ("".join(f"{k}: {v}\r\n" for k, v in fields.items()) + f"\r\n{body} Order #{ORDER}").encode()


NESTED = "".join(f"--b{n}\r\nContent-Type: multipart/mixed; boundary=b{n + 1}\r\n\r\n" for n in range(2000))


@pytest.mark.parametrize(("headers", "body"), [
    ({"From": "(" * 5000 + " order-update@amazon.com"}, None),  # comments nested 5000 deep: RecursionError
    ({"Content-Type": "text/html; " + "(" * 1000}, None),  # the same in the parser's first read
    ({"Content-Type": "multipart/mixed; boundary=b0"}, NESTED),  # parts nested 2000 deep: RecursionError
    ({"Subject": "=?utf-8?q?a?= " * 50_000}, None),  # 700 KB of encoded words: two minutes of parsing
    ({"From": '"' * 100_000 + " <order-update@amazon.com>"}, None),  # a From of quotes: minutes
])
def test_a_mail_built_against_the_standard_librarys_parser_is_refused_before_it_parses(
        headers: dict[str, str], body: str | None) -> None:
    """Before: a RecursionError that ended every `follow --mailbox` in a traceback while the mail
    stayed in the mailbox, or minutes of one core per mail (a mail is at most 1 MiB, a run 500)."""
    with pytest.raises(MalformedMail):
        parse(mail(headers, body))


def test_a_date_past_the_years_a_local_time_can_show_is_no_date() -> None:
    """Before: OverflowError (31 Dec 9999 at -01:00 is in the year 10000 in UTC), the run's end."""
    assert parse(mail({"Date": "Fri, 31 Dec 9999 23:59:59 -0100"})).sent_at is None
    assert parse(mail({"Date": "Thu, 30 Dec 9999 23:59:59 +0000"})).sent_at is None  # shown east of UTC: 10000
    assert parse(mail()).sent_at == datetime(2026, 12, 1, 14, 2, tzinfo=UTC)


class Mailbox:
    """An IMAP client's fetch, answering from the mails given (uid: raw)."""

    def __init__(self, mails: dict[int, bytes]) -> None:
        self.mails = mails

    def fetch(self, uids: list[int], what: list[str]) -> dict[int, dict[bytes, Any]]:
        if what[0] == "RFC822.SIZE":
            return {uid: {b"RFC822.SIZE": len(self.mails[uid]),
                          HEADER: self.mails[uid].split(b"\r\n\r\n")[0] + b"\r\n\r\n"} for uid in uids}
        return {uid: {b"BODY[]<0>": self.mails[uid]} for uid in uids}


class Log:
    def __init__(self) -> None:
        self.lines: list[tuple[str, dict[str, Any]]] = []

    def warning(self, event: str, **fields: Any) -> None:
        self.lines.append((event, fields))

    def info(self, event: str, **fields: Any) -> None:
        pass


def test_each_mail_is_known_by_the_id_the_journal_settles_it_by_whatever_kind_it_is(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Before: the parser read an encoded Message-ID decoded, the mailbox read it as written, so the
    mail was never settled and every run reported it again (and notified); a mail of no kind of the
    tool's (a shipping notice) was never settled either, so every run fetched it again, filling its
    16 MiB with the same mails; and a parser error other than MalformedMail ended the run."""
    box = Mailbox({1: mail({"Message-ID": "=?us-ascii?q?<m2@x>?="}),
                   2: mail({"Subject": "Your package has shipped", "Message-ID": "<m3@x>"}, "<p>On its way</p>"),
                   3: mail({"Message-ID": "<m4@x>"})})
    monkeypatch.setattr(mailbox, "parse", lambda raw: parse(raw) if b"m4" not in raw else 1 / 0)
    found, log = MailboxRead(), Log()
    _parsed(box, _wanted(box, [1, 2, 3], 7, set(), log, found), log, found)
    assert [(m.message_id, m.kind) for m in found.mails] == [("<uid-7-1@mailbox>", MailKind.CANCELLED),
                                                              ("<m3@x>", MailKind.OTHER)]
    assert found.skipped == ["<m4@x>"] and [e for e, _ in log.lines] == ["mail_skipped"]
    assert "ZeroDivisionError" in log.lines[0][1]["reason"]


def test_a_flood_of_mails_naming_orders_the_tool_never_touched_makes_it_look_at_ten_per_run(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Anyone can write the store's sender: 500 forged mails, each naming another order, made one
    `follow` read 500 order pages (two store requests each) of the shopper's real account."""
    numbers = [f"113-{n:07d}-{n:07d}" for n in range(1, 31)]
    forged = [parse(mail({"Subject": f"Your Amazon.com order #{n} has been canceled", "Message-ID": f"<{n}@x>"},
                         f"<p>{n}</p>").replace(ORDER.encode(), n.encode())) for n in numbers]
    monkeypatch.setattr(mail_witness, "read_store_mails", lambda *args: MailboxRead(forged))
    journal = Journal(tmp_path / "journal.sqlite", "www.amazon.com", "me@example.com")
    log = Log()
    settings = Settings(_env_file=None, base_url="https://www.amazon.com")
    evidence = mail_witness.gather(settings, None, journal, [], log)  # type: ignore[arg-type]
    assert len(evidence.by_order) == mail_witness.MAX_LOOKS
    assert [e for e, _ in log.lines] == ["mail_orders_left"] and log.lines[0][1]["count"] == 20
    assert journal.mails_settled() == set()  # the other 20 are read by the next run


# -- Your Orders ----------------------------------------------------------------------------------

CARD = ('<div class="order-card"><div class="yohtmlc-order-id"><bdi>113-{n:07d}-1234567</bdi></div>'
        '<div class="item-box"><a href="/dp/B0ITEM{n:04d}">Thing {n}</a></div>'
        '<span class="delivery-box__primary-text">{status}</span>')


def test_a_card_that_holds_another_is_no_card_and_nesting_costs_one_walk() -> None:
    """Before: each card was read with every card inside it (their statuses and items as its own:
    an open order read "Arriving / Cancelled"), and each card's boxes compared in pairs: 250 nested
    cards took 100 s to read, 1000 nested carousel boxes 20 s."""
    nested = "".join(CARD.format(n=n, status="Arriving" if n else "Cancelled") for n in range(300))
    screen = your_orders.parse(f'<form class="js-time-filter-form"></form>{nested}{"</div>" * 300}')
    (card,) = screen.cards
    assert (card.order_id, card.status_text, [i.product_id for i in card.items]) == \
        ("113-0000299-1234567", "Arriving", ["B0ITEM0299"])
    assert len(screen.rejected) == 299 and screen.rejected[0] == "'113-0000000-1234567'"
    boxes = "".join('<div class="yo-enhanced-card">' for _ in range(1000)) + '<a href="/dp/B0DEEP0001">Deep</a>'
    deep = CARD.format(n=1, status="Arriving").replace('<div class="item-box">', '<div class="yo-enhanced-item-carousel">'
                                                       + boxes + "</div>" * 1000 + '<div class="item-box">')
    (card,) = your_orders.parse(f'<form class="js-time-filter-form"></form>{deep}</div>').cards
    assert [(i.product_id, i.layout) for i in card.items] == [("B0DEEP0001", "carousel"), ("B0ITEM0001", "item-box")]


class EchoingServer:
    """A mailbox server whose refusal repeats the command it was sent."""

    def login(self, user: str, password: str) -> None:
        from imapclient.exceptions import LoginError
        raise LoginError(f"b'[AUTHENTICATIONFAILED] refused: A1 LOGIN {user} \"{password}\"'")

    def logout(self) -> None:
        pass


def test_a_mailbox_that_repeats_the_password_in_its_refusal_is_not_quoted(monkeypatch: pytest.MonkeyPatch) -> None:
    """Before: the warning `mailbox_unreadable` carried the server's answer, password and all, to the
    log (stderr, which cron mails on)."""
    monkeypatch.setattr(mailbox, "_connect", lambda *args: EchoingServer())
    settings = Settings(_env_file=None, mailbox="imap://me@127.0.0.1/INBOX", mail_password="s3cret-app-pass")
    log = Log()
    found = mailbox.read_store_mails(settings, mailbox.MailboxAddress.of(settings.mailbox or ""),
                                     datetime(2026, 12, 1).date(), set(), log)
    assert found.error is not None and found.error.startswith("the mailbox refused the sign-in")
    assert "s3cret" not in repr(log.lines) + found.error
