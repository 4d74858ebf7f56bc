"""The use case: cancel one order through the storefront's own screens, and say exactly what
happened. Verify the page is the order asked about, submit once, confirm afterwards."""
from __future__ import annotations

import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from automation.browser.playwright_errors import PlaywrightError, in_words
from automation.browser.script_loads import ScriptLoads
from automation.browser.storefront import Storefront, same_origin, served_html
from automation.errors import RobotCheckShown, StoreTrouble
from automation.language import _, date_text
from automation.marketplace import business_days_after
from automation.order.input import is_digital
from automation.order.items import (
    Line,
    ScreensDisagree,
    Selector,
    all_cancelled,
    lines_of,
    newly_cancelled,
    products,
    resolve,
    still_ordered,
)
from automation.order.outcome import ItemReport, OrderState, Outcome, Result, StateReport
from automation.order.reader import (
    REFUND_BUSINESS_DAYS,
    OrderReader,
    WrongOrder,
    doubt,
    report_items,
    report_state,
    return_advice,
    since,
)
from automation.order.reasons import CancelReason
from automation.order.wording import say
from pages import cancel_items, cancel_summary
from pages.cancel_items import CancelForm, CancelItemsPage
from pages.cancel_summary import CancelResultKind, CancelSummaryPage
from pages.common import error_kind, query_param, shown
from pages.order_details import OrderSummary
from pages.robot_check import robot_check
from pages.sign_in import SignInPage

OnSubmit = Callable[[list[Line], list[Line]], None]  # the lines to tick, and all the order's lines read for them


@dataclass(frozen=True)
class CancelRequest:
    order_id: str
    items: list[Selector] = field(default_factory=list)  # none: every item the store offers to cancel
    reason: CancelReason | None = None
    note: str | None = None
    dry_run: bool = False
    # asked with the lines about to be ticked, after the order was read and verified and right
    # before the submit; False cancels nothing (a person at a terminal said no)
    confirm: Callable[[list[Line]], bool] | None = None


@dataclass(frozen=True)
class Submission:
    """One press of "Request cancellation", and what the tool could see of the store's answer."""
    chosen: list[Line]
    answered: bool  # False: no answer arrived (timeout or network error); the store may still act on it
    signed_out: bool = False  # the store answered with its sign-in page: it did not take the submit
    html: str | None = None  # the answer as the store served it (None: not a plain page, read the browser's)


@dataclass(frozen=True)
class OpenForm:
    """The Cancel items screen as opened: its page object to act on, what it said when read, and the
    scripts the browser could not fetch while it loaded (address: why)."""
    page: CancelItemsPage
    screen: CancelForm
    script_failures: dict[str, str] = field(default_factory=dict)


def host_of(address: str) -> str:
    return urllib.parse.urlsplit(address).netloc or address


def cdn_down(missing: dict[str, str]) -> str:
    """Scripts from allowed hosts that never arrived (address: why), said as the CDN's trouble."""
    hosts = ", ".join(dict.fromkeys(host_of(src) for src in missing))
    return (f"the Cancel items page could not load its scripts from {hosts} ({'; '.join(dict.fromkeys(missing.values()))}); "
            "the store's CDN may be down or blocked by this network; nothing was submitted")


def names(lines: list[Line]) -> str:
    return ", ".join(line.title for line in lines)


class Cancellation(OrderReader):
    """Checks and cancels orders of one signed-in account, one at a time. `on_submit` is called
    with the lines about to be ticked and all the order's lines as read for them (what was cancelled
    before) right before the click that cancels (the batch journal commits there)."""

    def __init__(self, storefront: Storefront, on_submit: OnSubmit | None = None) -> None:
        super().__init__(storefront)
        self.on_submit = on_submit
        self.submissions: list[Submission] = []  # every press of the button, for the batch's one-click rule

    @property
    def unanswered(self) -> bool:
        """Whether a press went unanswered: the store may still act on it, so nothing may press again."""
        return any(not s.answered for s in self.submissions)

    # -- cancelling: read, fill, submit, judge ------------------------------------------------
    def cancel(self, request: CancelRequest) -> Result:
        """Cancel what the request asks for; a robot check met on the way says whether the button
        had been pressed by then (the storefront that met it cannot know)."""
        pressed = len(self.submissions)
        try:
            return self._cancel(request)
        except RobotCheckShown as exc:
            if len(self.submissions) == pressed:
                raise RobotCheckShown(f"{exc}; nothing was submitted") from None
            raise RobotCheckShown(f"{exc}, after 'Request cancellation' was pressed: the store may have taken it; "
                                  f"see 'ordercancel check {request.order_id}' before running again") from None

    def _cancel(self, request: CancelRequest) -> Result:
        order_id = request.order_id
        summary = self.read_order(order_id)
        if summary is None:
            return self._not_found(order_id)
        before = report_state(summary)
        if before.state is not OrderState.CANCELLABLE or all_cancelled(request.items, lines_of(summary.items)):
            return self._not_now(request, summary)
        for attempt in (1, 2):
            form, lines = self._open_form(order_id, summary)
            if form is None:  # the order left its window between the two screens
                return self._not_now(request, self.read_order(order_id) or summary)
            targets = resolve(request.items, lines) if request.items else [line for line in lines if line.item_id]
            chosen = [line for line in targets if not line.cancelled]
            if not chosen:
                return self._not_now(request, summary)
            not_offered = [line for line in chosen if line.item_id is None]
            if not_offered:
                url = self.return_url(order_id, summary)
                message, next_step = say("not_offered", names=names(not_offered), advice=return_advice(summary, url))
                return Result(order_id, Outcome.NOT_CANCELLABLE, message, before=before, after=before,
                              items=report_items(summary, self.market, lines), reason=request.reason,
                              next_step=next_step, return_url=url)
            self._fill(form, chosen, request)  # form: the open Cancel items screen
            items = report_items(summary, self.market, lines)
            if request.dry_run or (attempt == 1 and request.confirm and not request.confirm(chosen)):
                return self._not_submitted(request, summary, lines, chosen)
            submission = self._submit(form.page, chosen, lines, request.reason)
            if submission.signed_out:
                # the session ended at the submit: the store did not take it. Sign in, and act
                # again only if the order provably did not change.
                self.storefront.sign_in()
                again = self.read_order(order_id)
                if attempt == 1 and again is not None and again.state is OrderState.CANCELLABLE and \
                        still_ordered(chosen, lines_of(again.items)):
                    summary = again
                    continue
                return self._confirm(request, submission, lines, before, items, CancelResultKind.UNKNOWN,
                                     _("the store asked to sign in again at the submit"))
            return self._judge(request, submission, summary, lines, before, items,
                               [line for line in targets if line.cancelled])
        raise AssertionError("unreachable: the second attempt always returns")

    def _open_form(self, order_id: str, summary: OrderSummary) -> tuple[OpenForm | None, list[Line]]:
        """Cancel items for this order, checked against its details; None if the store no longer offers it."""
        with ScriptLoads(self.storefront.context) as scripts:
            try:
                self.storefront.visit(summary.cancel_path or CancelItemsPage.path_for(order_id))
            except StoreTrouble:  # a script that never comes holds up the load: the parser waits for it
                unanswered = {src: why for src, why in scripts.unanswered(self.storefront.settings.timeout_s).items()
                              if self._script_allowed(src)}
                if unanswered:
                    raise StoreTrouble(cdn_down(unanswered)) from None
                raise
        failures = scripts.failures()
        html = self.page.content()
        if not cancel_items.showing(html):
            return None, []
        if query_param(self.page, "orderID") != order_id:
            raise WrongOrder(f"the Cancel items page is for {shown(query_param(self.page, 'orderID') or '')}, "
                             f"not {order_id}")
        screen = cancel_items.parse(html)
        if not screen.items:
            raise WrongOrder("the Cancel items page lists no items")
        try:
            return OpenForm(CancelItemsPage(self.page), screen, failures), lines_of(summary.items, screen.items)
        except ScreensDisagree as exc:
            raise WrongOrder(str(exc)) from None

    def _fill(self, opened: OpenForm, chosen: list[Line], request: CancelRequest) -> None:
        form, scripts = opened.page, [urllib.parse.urljoin(self.page.url, src) for src in opened.screen.script_sources]
        blocked = sorted(host_of(src) for src in scripts if not self._script_allowed(src))
        if blocked:  # the button only works through the page's scripts: say which host, at once
            raise StoreTrouble(f"the Cancel items page needs scripts from {', '.join(dict.fromkeys(blocked))}, which "
                               "the tool blocks; add the host to ORDERCANCEL_ASSET_HOSTS (nothing was submitted)")
        missing = {src: opened.script_failures[src] for src in scripts if src in opened.script_failures}
        if missing:  # allowed, but never arrived: no use waiting on the button either
            raise StoreTrouble(cdn_down(missing))
        for line in chosen:
            form.tick(line.item_id or "")
        if sorted(form.ticked()) != sorted(line.item_id or "" for line in chosen):
            raise StoreTrouble("the ticked items on the form are not the ones asked for")
        if not form.wait_until_submittable(self.storefront.settings.timeout_s * 1000):
            hosts = ", ".join(dict.fromkeys(host_of(src) for src in scripts)) or "the store"
            raise StoreTrouble(f"'Request cancellation' stayed disabled: the page's scripts from {hosts} did not load "
                               "or did not run (the store's CDN may be down); nothing was submitted")
        if request.reason:
            form.choose_reason(request.reason.value)
        if request.note:
            form.write_note(request.note)

    def _script_allowed(self, src: str) -> bool:
        settings = self.storefront.settings
        return any(same_origin(src, origin) for origin in (settings.base_url, *settings.asset_origins))

    def _submit(self, form: CancelItemsPage, chosen: list[Line], lines: list[Line],
                reason: CancelReason | None) -> Submission:
        """Press the button exactly once (unless `on_submit` refuses, by raising). Whatever happens next,
        it is never pressed again for this submission: an answer that never arrived is judged by reading the order."""
        if self.on_submit:
            self.on_submit(chosen, lines)
        self.log.info("submitting", items=[line.item_id for line in chosen],
                      products=[line.product_id for line in chosen], reason=reason)
        submission = Submission(chosen, answered=False)  # until an answer is seen, the store may act on the press
        try:
            with self.storefront.pacer.load():  # the submit loads a page too
                response = form.submit(timeout_ms=self.storefront.settings.submit_timeout_s * 1000)
            submission = Submission(chosen, answered=True, signed_out=SignInPage(self.page).is_showing(),
                                    html=served_html(response))
        except PlaywrightError as exc:  # no answer, or the connection broke: the store may or may not have acted
            self.log.warning("submit_unanswered", error=in_words(exc))
            self.storefront.renew_page()  # a tab whose submit is pending or failed can interrupt the next load
        finally:  # however the press ended (a new tab in a closed browser fails too), the one-click rule counts it
            self.submissions.append(submission)
        return submission

    def _judge(self, request: CancelRequest, submission: Submission, summary: OrderSummary, lines: list[Line],
               before: StateReport, items: list[ItemReport], already: list[Line]) -> Result:
        """What the submit did: the store's answer, then the order page, which has the last word."""
        order_id = request.order_id
        if not submission.answered:
            return self._confirm(request, submission, lines, before, items, CancelResultKind.UNKNOWN,
                                 _("the store's answer to the submit never arrived"))
        if CancelSummaryPage(self.page).is_showing():  # server-rendered: read as served, else from the page
            answer = cancel_summary.parse(submission.html or self.page.content(), self.page.url)
            if answer.rejected_id or answer.order_id not in (None, order_id):
                raise WrongOrder(f"the cancel summary is for {answer.order_id or answer.rejected_id}, not {order_id}")
            result = self._confirm(request, submission, lines, before, items, answer.kind, answer.message)
            if already and result.outcome is Outcome.CANCELLED:
                result.message += "; " + _("already cancelled before: {names}").format(names=names(already))
            return result
        html = self.page.content()  # a refusal may be shown by the form's own scripts
        if error_kind(html) == "server_error" or robot_check(html):  # answered, but not whether it acted
            return self._confirm(request, submission, lines, before, items, CancelResultKind.UNKNOWN,
                                 _("the store answered the submit with a robot check") if robot_check(html)
                                 else _("the store answered the submit with a server error page"))
        refusal = cancel_items.parse(html).refusal if cancel_items.showing(html) else None
        if refusal:
            after = self.read_order(order_id)
            if after is not None and not products(submission.chosen) - newly_cancelled(lines, lines_of(after.items)):
                # cancelled meanwhile (by an earlier click whose answer was lost, or by someone else)
                return self._already_cancelled(request, after, "already_cancelled_items")
            partial = any(line.item_id and not line.cancelled and line not in submission.chosen for line in lines)
            url = self.return_url(order_id, after or summary)
            message, next_step = say("refused_partial" if partial else "refused", refusal=refusal, order_id=order_id,
                                     advice=return_advice(after or summary, url))
            after_items = since(report_items(after, self.market), items) if after else items
            return Result(order_id, Outcome.NOT_CANCELLABLE, message + doubt(after_items), before=before,
                          after=report_state(after) if after else None, items=after_items,
                          reason=request.reason, next_step=next_step, return_url=url)
        raise StoreTrouble("after the submit the store showed neither a summary nor a refusal")

    def _confirm(self, request: CancelRequest, submission: Submission, lines: list[Line], before: StateReport,
                 items: list[ItemReport], kind: CancelResultKind, store_message: str) -> Result:
        """Re-open the order and report what its page shows, whatever the submit seemed to do."""
        order_id, chosen = request.order_id, submission.chosen
        after = self.read_order(order_id)
        if after is None:
            raise StoreTrouble(f"{order_id} disappeared after the submit")
        after_state = after.state
        after_lines = lines_of(after.items)
        if after.cancelled_banner:  # the whole order is cancelled; its page no longer lists items
            done = True
            after_items = since([replace(i, cancelled=True) for i in items], items)
        else:
            done = not products(chosen) - newly_cancelled(lines, after_lines)
            after_items = since(report_items(after, self.market, after_lines), items)
        refund_by = business_days_after(date.today(), REFUND_BUSINESS_DAYS, self.market.country)
        values = {"order_id": order_id, "count": len(chosen), "names": names(chosen), "why": store_message,
                  "heard": f" ({store_message})" if store_message else "", "refund_by": date_text(refund_by)}
        common: dict[str, Any] = {"before": before, "after": report_state(after), "items": after_items,
                                  "reason": request.reason}

        def told(key: str) -> tuple[str, str | None]:
            """The wording, and in words any lines the order's two reads disagree on."""
            message, next_step = say(key, **values)
            return message + doubt(after_items), next_step

        if done:
            message, next_step = told("cancelled")
            return Result(order_id, Outcome.CANCELLED, message, refund_expected_by=refund_by.isoformat(),
                          next_step=next_step, **common)
        if kind is CancelResultKind.PENDING and still_ordered(chosen, after_lines):
            message, next_step = told("pending")
            return Result(order_id, Outcome.PENDING, message, next_step=next_step, **common)
        if after_state is OrderState.CANCELLATION_REQUESTED and kind is not CancelResultKind.SUCCESS:
            message, next_step = told("requested")
            return Result(order_id, Outcome.CANCELLATION_REQUESTED, message, next_step=next_step, **common)
        if kind is CancelResultKind.UNKNOWN and still_ordered(chosen, after_lines):
            # answered: the store showed its sign-in page instead of taking the submit
            message, next_step = told("unconfirmed_signed_out" if submission.answered else "unconfirmed_unanswered")
            return Result(order_id, Outcome.ERROR, message, next_step=next_step, **common)
        raise StoreTrouble(f"the store answered '{store_message or kind.value}' but the order page shows "
                           f"{after_state.value}: {after.status_text}")

    # -- outcomes that change nothing -------------------------------------------------------
    def _already_cancelled(self, request: CancelRequest, summary: OrderSummary, key: str) -> Result:
        message, next_step = say(key)
        return Result(request.order_id, Outcome.ALREADY_CANCELLED, message, before=report_state(summary),
                      after=report_state(summary), items=report_items(summary, self.market), reason=request.reason,
                      next_step=next_step)

    def _not_submitted(self, request: CancelRequest, summary: OrderSummary, lines: list[Line],
                       chosen: list[Line]) -> Result:
        """A dry run, or a cancel a person did not confirm: the lines the submit would have cancelled."""
        outcome, key = (Outcome.WOULD_CANCEL, "would_cancel") if request.dry_run else \
            (Outcome.NOT_CONFIRMED, "not_confirmed")
        message, next_step = say(key, count=len(chosen), names=names(chosen))
        return Result(request.order_id, outcome, message, before=report_state(summary), after=report_state(summary),
                      items=report_items(summary, self.market, lines, chosen), reason=request.reason,
                      next_step=next_step)

    def _not_now(self, request: CancelRequest, summary: OrderSummary) -> Result:
        state = summary.state
        order_id = request.order_id
        if state is OrderState.CANCELLED:
            return self._already_cancelled(request, summary, "already_cancelled")
        if all_cancelled(request.items, lines_of(summary.items)):
            return self._already_cancelled(request, summary, "already_cancelled_items")
        common: dict[str, Any] = {"before": report_state(summary), "after": report_state(summary),
                                  "items": report_items(summary, self.market), "reason": request.reason}
        if state is OrderState.CANCELLATION_REQUESTED:
            message, next_step = say("already_requested", order_id=order_id)
            return Result(order_id, Outcome.CANCELLATION_REQUESTED, message, next_step=next_step, **common)
        url = self.return_url(order_id, summary)
        message, next_step = say("digital" if is_digital(order_id) else "window_closed",
                                 status=summary.status_text or _("no status shown"),
                                 advice=return_advice(summary, url))
        return Result(order_id, Outcome.NOT_CANCELLABLE, message, next_step=next_step, return_url=url, **common)
