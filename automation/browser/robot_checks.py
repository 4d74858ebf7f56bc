"""Robot checks met on the way to a screen, in the browser or by a read without it. A JavaScript
challenge is let run in the browser, its own host let in for that page only, and waited for through
its one reload; a check for a person, or a challenge that does not clear, hands the work to a person.
A page that showed a robot check is loaded again at most once by the tool."""
from __future__ import annotations

import fnmatch
import re
import time
import urllib.parse
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NoReturn

from automation.browser.launch import CHALLENGE_HOSTS
from automation.browser.playwright_errors import PlaywrightError, PlaywrightTimeout
from automation.errors import NeedsHuman, RobotCheckShown
from automation.settings import Settings
from pages.common import shown
from pages.robot_check import RobotCheck, challenge_scripts, robot_check
from pages.sign_in import SignInPage

if TYPE_CHECKING:
    from playwright.sync_api import Frame, Page, Response, Route

# what a challenge's scripts ask for: their own code and the token they fetch; never a document
CHALLENGE_REQUESTS = {"script", "xhr", "fetch"}
EVERY_ADDRESS = re.compile("")


@dataclass(frozen=True)
class Seen:
    """A robot check that a read without the browser met at an address: the browser's visit of that
    address is the one retry, made with the challenge's hosts let in from the start."""
    kind: RobotCheck
    origins: list[str]


class Navigations:
    """The main-frame navigations of a page from now on, each a new document (a listener)."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.count = 0
        page.on("framenavigated", self._navigated)

    def _navigated(self, frame: Frame) -> None:
        if frame == self.page.main_frame:
            self.count += 1

    def wait_past(self, count: int, deadline: float) -> bool:
        """Wait until a navigation after the `count`-th has committed; False at the deadline. Events
        reach Python only while it waits on the browser, so none slips between the count's check
        and the wait, which also sees those not yet delivered."""
        while self.count <= count:
            remaining_ms = (deadline - time.monotonic()) * 1000
            try:
                if remaining_ms <= 0:
                    return False
                self.page.wait_for_event("framenavigated", timeout=remaining_ms)
            except PlaywrightTimeout:
                return False
        return True

    def close(self) -> None:
        self.page.remove_listener("framenavigated", self._navigated)


class RobotChecks:
    """One storefront's robot checks: what reads without the browser met, and the page it gave up on."""

    def __init__(self, settings: Settings, log: Any) -> None:
        self.settings = settings
        self.log = log
        self.seen: dict[str, Seen] = {}
        self.halted: Page | None = None  # a page stopped from navigating after a challenge that did not clear

    def met_on_read(self, path: str, url: str, html: str) -> bool:
        """Whether a read without the browser met a robot check: then the path is read in the browser,
        and the check is never parsed as a screen."""
        kind = robot_check(html)
        if kind is None:
            return False
        self.log.warning("robot_check", path=path, kind=kind.value, read="plain")
        self.seen[path] = Seen(kind, self.origins(html, url) if kind is RobotCheck.CHALLENGE else [])
        return True

    def load(self, page: Page, path: str, goto: Callable[[], Response | None]) -> tuple[Response | None, bool]:
        """Load a path with `goto` and pass the robot check it shows, if any: the response (None when
        the screen came from a challenge's own reload) and whether a robot check was met. Raises
        RobotCheckShown for a check for a person, or a challenge that did not clear."""
        seen = self.seen.pop(path, None)
        with ExitStack() as hosts:  # a challenge's hosts, let in until its page is passed or given up
            hosts.enter_context(self.allowed(page, seen.origins if seen else []))
            navigations = Navigations(page)
            hosts.callback(navigations.close)
            response = goto()
            kind = self.passed(page, path, navigations, hosts, retried=seen is not None)
        if kind is not None:
            self.log.info("robot_check_passed", path=path, kind=kind.value)
        return (response if kind is None else None), (kind is not None or seen is not None)

    def passed(self, page: Page, path: str, navigations: Navigations, hosts: ExitStack,
               retried: bool) -> RobotCheck | None:
        """The robot check the page showed and passed (None: it showed none). The document the page
        shows is read, then each it moves on to, until one is no robot check: a JavaScript challenge
        gets one reload by the tool with its hosts let in (unless this load was that retry), and
        its own reload after that, within the page timeout; then it has not cleared."""
        deadline = time.monotonic() + self.settings.timeout_s
        met: RobotCheck | None = None
        last_chance: int | None = None  # the navigation whose document is the challenge's last but one
        for _ in range(8):  # each round reads a new document, or waits for one
            count = navigations.count
            html = current_html(page)
            kind = robot_check(html) if html is not None else None
            if html is not None and kind is None:
                return met
            if kind is not None:
                if met is None:
                    self.log.warning("robot_check", path=path, kind=kind.value, read="browser")
                met = kind
                if kind.for_a_person:
                    raise RobotCheckShown(self.for_a_person(path, kind))
                if last_chance is not None and count > last_chance:
                    self.give_up(page, path, "it showed again after its own reload")
                if last_chance is None and not retried:
                    hosts.enter_context(self.allowed(page, self.origins(html or "", page.url, path)))
                    last_chance = self.reload(page, path, navigations)
                    continue  # read what the reload shows: the challenge, or already the screen
                last_chance = count if last_chance is None else last_chance
                if count < navigations.count:
                    continue  # it moved on while being read: read where it is now
            if not navigations.wait_past(count, deadline):
                if met is None:
                    return None  # no robot check, and the page stays where it is
                self.give_up(page, path, f"no reload within {self.settings.timeout_s:g} s")
            wait_for_document(page, deadline)
        if met is not None:
            self.give_up(page, path, "the page kept navigating")
        return None

    def reload(self, page: Page, path: str, navigations: Navigations) -> int:
        """The tool's one retry of a page that showed a JavaScript challenge, its hosts now let in:
        the number of the navigation that loaded it again."""
        try:
            page.reload(wait_until="domcontentloaded")
        except PlaywrightTimeout:
            self.give_up(page, path, "the page did not load again")
        return navigations.count

    def origins(self, html: str, address: str, path: str = "") -> list[str]:
        """The origins of a challenge's scripts, each one the browser may be let reach: the store's and
        its asset origins, or a challenge host (AWS WAF's, over HTTPS). Any other: a person must do it."""
        origins = list(dict.fromkeys(origin(src) for src in challenge_scripts(html, address)))
        known = {self.settings.base_url, *self.settings.asset_origins}
        foreign = [o for o in origins if o not in known and not is_challenge_host(o)]
        if foreign:
            raise RobotCheckShown(f"the store shows a robot check ({RobotCheck.CHALLENGE}) at {where(path or address)} "
                                  f"whose script comes from {', '.join(map(plain, foreign))}, which the tool does not "
                                  "let in")
        return origins

    @contextmanager
    def allowed(self, page: Page, origins: list[str]) -> Iterator[None]:
        """A challenge's hosts let in for this page only: its scripts and what they fetch, nothing
        else (page routes come before the context's, which block everything not on the allow-list)."""
        if not origins:
            yield
            return
        pattern = re.compile("^(?:" + "|".join(re.escape(f"{o}/") for o in origins) + ")")

        def let_in(route: Route) -> None:
            if route.request.resource_type in CHALLENGE_REQUESTS:
                route.continue_()
            else:
                route.fallback()  # the context's rules decide
        page.route(pattern, let_in)
        try:
            yield
        finally:
            try:
                page.unroute(pattern, let_in)
            except PlaywrightError:  # the page is gone: so are its routes
                pass

    def give_up(self, page: Page, path: str, why: str) -> NoReturn:
        """A challenge that did not clear: a page no one watches is kept from loading again by itself
        (a challenge that reloads without end would load the store's page again and again; its
        evidence stays), and a person takes over."""
        if self.settings.headless:
            try:
                page.route(EVERY_ADDRESS, refuse_navigation)
                self.halted = page
            except PlaywrightError:
                pass
        raise RobotCheckShown(f"the store shows a robot check ({RobotCheck.CHALLENGE}) at {where(path)} that did not "
                              f"clear ({why})")

    def wait_for_person(self, page: Page, timeout_s: float) -> None:
        """Wait while a person, in the browser's window, signs in or answers a robot check, until the
        page shows neither; NeedsHuman when they have not within the time."""
        deadline = time.monotonic() + timeout_s
        navigations = Navigations(page)
        try:
            while True:
                count = navigations.count
                html = current_html(page)
                if html is not None and not SignInPage.is_sign_in_url(page.url) and robot_check(html) is None:
                    return
                if not navigations.wait_past(count, deadline):
                    raise NeedsHuman(f"the sign-in or robot check in the browser window was not finished within "
                                     f"{timeout_s:g} s")
                wait_for_document(page, deadline)
        finally:
            navigations.close()

    @staticmethod
    def for_a_person(path: str, kind: RobotCheck) -> str:
        return f"the store shows a robot check ({kind}) at {where(path)} that only a person may answer"


def refuse_navigation(route: Route) -> None:
    if route.request.is_navigation_request():
        route.abort("aborted")
    else:
        route.fallback()


def current_html(page: Page) -> str | None:
    """The page's document now; None while it is being replaced by the next one."""
    try:
        return page.content()
    except PlaywrightError:
        return None


def wait_for_document(page: Page, deadline: float) -> None:
    try:
        page.wait_for_load_state("domcontentloaded", timeout=max(1.0, (deadline - time.monotonic()) * 1000))
    except PlaywrightError:
        pass  # read as it is: the next read says what it shows


def where(path: str) -> str:
    """The address a robot check stood at, for a message: its path (a link the store gave may carry
    anything in its query)."""
    return plain(urllib.parse.urlsplit(path).path)


def plain(value: str) -> str:
    """A store-given address as it is when it is printable ASCII, else escaped (`shown`)."""
    return value if value.isascii() and value.isprintable() and " " not in value else shown(value)


def origin(address: str) -> str:
    parts = urllib.parse.urlsplit(address)
    return f"{parts.scheme}://{parts.netloc}"


def is_challenge_host(address: str) -> bool:
    parts = urllib.parse.urlsplit(address)
    return parts.scheme == "https" and any(fnmatch.fnmatch(parts.hostname or "", p) for p in CHALLENGE_HOSTS)
