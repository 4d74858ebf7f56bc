"""Holes an attack on the merged parts of issues 21, 22 and 25 (kept reports, the self-reloading Your
Orders, return links, the store's e-mail) found, without a browser: each test states what must hold,
and each failed before its fix. (tests/test_live_shape.py and tests/test_mail_witness.py have the
CLI ones.)"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from automation.browser.reloads import MAX_RELOADS, ReloadWatch
from automation.runs.batch import BatchSummary
from automation.runs.report import RunInfo
from automation.runs.report_folder import INDEX, RUNS, keep_report, read_runs

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
