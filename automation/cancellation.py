"""The use case: check or cancel one order through the storefront's own screens, and say exactly
what happened. Verify the page is the order asked about, submit once, confirm afterwards."""
from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from automation.errors import AuthFailed, NeedsHuman, StoreTrouble
from automation.orders import BadInput, is_digital
from automation.outcome import ItemReport, OrderState, Outcome, Result, StateReport, business_days_after
from automation.reasons import CancelReason
from automation.storefront import Storefront
from pages.cancel_items import CancelItemsPage, CancellableItem
from pages.cancel_summary import CancelResultKind, CancelSummaryPage
from pages.common import error_page, query_param
from pages.order_details import OrderDetailsPage, OrderSummary, shows_cancellation_requested
from pages.sign_in import SignInPage
from pages.texts import all_languages
from pages.your_orders import OrderCard, YourOrdersPage

REFUND_BUSINESS_DAYS = 5
ORDERS_PAGES_MAX = 50


@dataclass(frozen=True)
class CancelRequest:
    order_id: str
    items: list[str] = field(default_factory=list)  # selectors: an item id or a unique part of a title
    reason: CancelReason | None = None
    note: str | None = None
    dry_run: bool = False


class WrongOrder(StoreTrouble):
    """The page shows another order than the one asked about."""


def state_of(summary: OrderSummary) -> OrderState:
    if summary.cancelled_banner or (summary.items and all(i.cancelled for i in summary.items)):
        return OrderState.CANCELLED
    if shows_cancellation_requested(summary.status_text):
        return OrderState.CANCELLATION_REQUESTED
    if summary.cancel_path:
        return OrderState.CANCELLABLE
    return OrderState.NOT_CANCELLABLE


def card_state(card: OrderCard) -> OrderState:
    """The state Your Orders shows for an order, without opening it."""
    if card.status_text in all_languages("cancelled"):
        return OrderState.CANCELLED
    if any(text in card.status_text for text in all_languages("cancellation_requested")):
        return OrderState.CANCELLATION_REQUESTED
    return OrderState.CANCELLABLE if card.offers_cancel else OrderState.NOT_CANCELLABLE


def report_state(summary: OrderSummary) -> StateReport:
    return StateReport(state_of(summary), summary.status_text)


def report_items(summary: OrderSummary, ids: dict[str, str] | None = None) -> list[ItemReport]:
    ids = ids or {}
    return [ItemReport(i.title, i.quantity, i.price, i.cancelled, ids.get(i.title), i.seller) for i in summary.items]


def resolve_items(selectors: list[str], items: list[CancellableItem]) -> list[CancellableItem]:
    """Each selector names exactly one item, by id or by a unique part of its title."""
    if not selectors:
        return list(items)
    chosen: list[CancellableItem] = []
    for selector in selectors:
        wanted = selector.casefold()
        matches = ([i for i in items if i.item_id == selector]
                   or [i for i in items if i.title.casefold() == wanted]
                   or [i for i in items if wanted in i.title.casefold()])
        candidates = "; ".join(f"{i.item_id}: {i.title}" for i in items) or "none"
        if not matches:
            raise BadInput(f"--item '{selector}' matches no cancellable item; candidates: {candidates}")
        if len(matches) > 1:
            names = "; ".join(f"{i.item_id}: {i.title}" for i in matches)
            raise BadInput(f"--item '{selector}' matches {len(matches)} items ({names}); use an id or a longer part")
        if matches[0] not in chosen:
            chosen.append(matches[0])
    return chosen


def return_advice(summary: OrderSummary) -> str:
    notes = sorted({i.return_note for i in summary.items if i.return_note})
    advice = f" ({'; '.join(notes)})" if notes else ""
    return f"Once it arrives, return it for a refund through Your Orders > Return or replace items{advice}."


def asked_items_cancelled(selectors: list[str], summary: OrderSummary) -> bool:
    """Whether every selector names items the order page already shows cancelled (ids are not on
    that page, so a selector that matches no title answers no)."""
    if not selectors:
        return False
    for selector in selectors:
        matches = [i for i in summary.items if selector.casefold() in i.title.casefold()]
        if not matches or not all(i.cancelled for i in matches):
            return False
    return True


class Cancellation:
    """Checks and cancels orders of one signed-in account, one at a time. `on_submit` is called
    with the ticked items right before the click that cancels (the batch journal commits there)."""

    def __init__(self, storefront: Storefront,
                 on_submit: Callable[[list[CancellableItem]], None] | None = None) -> None:
        self.store = storefront
        self.page = storefront.page
        self.log = storefront.log
        self.on_submit = on_submit

    # -- reading ----------------------------------------------------------------------------
    def read_order(self, order_id: str) -> OrderSummary | None:
        """The order's details screen, verified to be that order; None if the store has no such order."""
        details = OrderDetailsPage(self.page)
        response = self.store.visit(OrderDetailsPage.path_for(order_id))
        if response is not None and response.status == 404:
            return None
        if not details.is_showing():
            if error_page(self.page) == "not_found":  # a not-found page served as 200
                return None
            raise StoreTrouble(f"the page for {order_id} is not an order details screen")
        summary = details.read()
        shown = summary.order_id
        # a fully cancelled order's page shows no number (as on the live site): then the address must match
        if shown != order_id and not (shown is None and summary.cancelled_banner
                                      and query_param(self.page, "orderID") == order_id):
            raise WrongOrder(f"asked for {order_id} but the page shows {shown or 'no order number'}")
        return summary

    def check(self, order_id: str) -> Result:
        summary = self.read_order(order_id)
        if summary is None:
            return self._not_found(order_id)
        state = state_of(summary)
        result = Result(order_id, Outcome.CHECKED, self._describe(state, summary), before=report_state(summary),
                        after=report_state(summary), items=report_items(summary))
        if state is OrderState.NOT_CANCELLABLE:
            result.next_step = self._why_not(order_id, summary)[1]
        elif state is OrderState.CANCELLABLE:
            result.next_step = f"ordercancel cancel {order_id} --reason <reason>"
        return result

    def list_orders(self, order_filter: str | None) -> list[OrderCard]:
        screen = YourOrdersPage(self.page)
        self.store.visit(YourOrdersPage.path_for(order_filter))
        if not screen.is_showing():
            raise StoreTrouble("Your Orders did not show")
        cards: dict[str, OrderCard] = {}
        for _ in range(ORDERS_PAGES_MAX):
            fresh = {c.order_id: c for c in screen.cards() if c.order_id not in cards}
            cards.update(fresh)
            href = screen.next_page_path()
            if not href or not fresh:  # a "next" page that repeats what was seen ends the walk
                break
            self.store.visit(href)
        return list(cards.values())

    # -- cancelling -------------------------------------------------------------------------
    def cancel(self, request: CancelRequest) -> Result:
        order_id = request.order_id
        summary = self.read_order(order_id)
        if summary is None:
            return self._not_found(order_id)
        before = report_state(summary)
        if before.state is not OrderState.CANCELLABLE or asked_items_cancelled(request.items, summary):
            return self._not_now(request, summary)

        for attempt in (1, 2):
            form, chosen = self._fill_form(request, summary)
            if form is None:  # the order left its window between the two screens
                return self._not_now(request, self.read_order(order_id) or summary)
            items = report_items(summary, {i.title: i.item_id for i in form.items()})
            if request.dry_run:
                names = ", ".join(i.title for i in chosen)
                return Result(order_id, Outcome.WOULD_CANCEL, f"ready to cancel {len(chosen)} item(s): {names}; "
                              "nothing was submitted (dry run)", before=before, after=before, items=items,
                              reason=request.reason, next_step="run again without --dry-run to cancel")
            self.log.info("submitting", items=[i.item_id for i in chosen], reason=request.reason)
            if self.on_submit:
                self.on_submit(chosen)
            answered = self._submit_once(form)
            if answered and SignInPage.is_showing(self.page):
                # the session ended at the submit: the store did not take it. Sign in, and act
                # again only if the order provably did not change.
                self.store.sign_in()
                again = self.read_order(order_id)
                if attempt == 1 and again is not None and state_of(again) is OrderState.CANCELLABLE and \
                        self._still_ordered(again, chosen):
                    summary = again
                    continue
                return self._confirm(request, chosen, before, items, CancelResultKind.UNKNOWN, "")
            break

        assert form is not None  # every way out of the loop without a form has returned
        if not answered:
            return self._confirm(request, chosen, before, items, CancelResultKind.UNKNOWN,
                                 "the store's answer to the submit never arrived")
        if CancelSummaryPage.is_showing(self.page):
            summary_page = CancelSummaryPage(self.page)
            if summary_page.order_id() not in (None, order_id):
                raise WrongOrder(f"the cancel summary is for {summary_page.order_id()}, not {order_id}")
            return self._confirm(request, chosen, before, items, summary_page.kind(), summary_page.message())
        refusal = form.refusal_text() if form.is_showing() else None
        if refusal:
            after = self.read_order(order_id)
            if after is not None and not self._still_ordered(after, chosen) and \
                    asked_items_cancelled([i.title for i in chosen], after):
                # cancelled meanwhile (by an earlier click whose answer was lost, or by someone else)
                return self._not_now(CancelRequest(order_id, [i.title for i in chosen], request.reason), after)
            return Result(order_id, Outcome.NOT_CANCELLABLE, f"the store refused: {refusal}", before=before,
                          after=report_state(after) if after else None, items=report_items(after) if after else items,
                          reason=request.reason, next_step=return_advice(after or summary))
        raise StoreTrouble("after the submit the store showed neither a summary nor a refusal")

    def _fill_form(self, request: CancelRequest,
                   summary: OrderSummary) -> tuple[CancelItemsPage | None, list[CancellableItem]]:
        form = CancelItemsPage(self.page)
        self.store.visit(summary.cancel_path or CancelItemsPage.path_for(request.order_id))
        if not form.is_showing():
            return None, []
        if query_param(self.page, "orderID") != request.order_id:
            raise WrongOrder(f"the Cancel items page is for {query_param(self.page, 'orderID')}, not {request.order_id}")
        offered = form.items()
        ordered = Counter(i.title for i in summary.items if not i.cancelled)
        if not offered or Counter(i.title for i in offered) - ordered:
            raise WrongOrder("the Cancel items page lists items that the order's details do not")
        chosen = resolve_items(request.items, offered)
        for item in chosen:
            form.tick(item.item_id)
        if sorted(form.ticked()) != sorted(i.item_id for i in chosen):
            raise StoreTrouble("the ticked items on the form are not the ones asked for")
        if request.reason:
            form.choose_reason(request.reason.value)
        if request.note:
            form.write_note(request.note)
        return form, chosen

    def _submit_once(self, form: CancelItemsPage) -> bool:
        """Press the button exactly once. False if the store's answer never arrived."""
        try:
            form.submit(timeout_ms=self.store.settings.submit_timeout_s * 1000)
        except PlaywrightTimeout:
            self.log.warning("submit_unanswered")
            return False
        return True

    @staticmethod
    def _still_ordered(summary: OrderSummary, chosen: list[CancellableItem]) -> bool:
        active = Counter(i.title for i in summary.items if not i.cancelled)
        return not Counter(i.title for i in chosen) - active

    def _confirm(self, request: CancelRequest, chosen: list[CancellableItem], before: StateReport,
                 items: list[ItemReport], kind: CancelResultKind, store_message: str) -> Result:
        """Re-open the order and report what its page shows, whatever the submit seemed to do."""
        order_id = request.order_id
        after = self.read_order(order_id)
        if after is None:
            raise StoreTrouble(f"{order_id} disappeared after the submit")
        after_state = state_of(after)
        wanted = Counter(i.title for i in chosen)
        if after.cancelled_banner:
            now_cancelled = wanted
            after_items = [ItemReport(i.title, i.quantity, i.price, True, i.item_id, i.seller) for i in items]
        else:
            now_cancelled = Counter(i.title for i in after.items if i.cancelled) & wanted
            after_items = report_items(after, {i.title: i.item_id for i in items if i.item_id})
        names = ", ".join(i.title for i in chosen)
        heard = f" ({store_message})" if store_message else ""
        if now_cancelled == wanted:
            refund_by = business_days_after(date.today(), REFUND_BUSINESS_DAYS).isoformat()
            return Result(order_id, Outcome.CANCELLED, f"cancelled {len(chosen)} item(s): {names}{heard}",
                          before=before, after=report_state(after), items=after_items, reason=request.reason,
                          refund_expected_by=refund_by,
                          next_step=f"nothing to do: any charge is refunded, typically within 3-5 business days "
                                    f"(by {refund_by})")
        if after_state is OrderState.CANCELLATION_REQUESTED and kind is not CancelResultKind.SUCCESS:
            return Result(order_id, Outcome.CANCELLATION_REQUESTED,
                          f"the seller was asked to cancel {names}{heard}", before=before,
                          after=report_state(after), items=after_items, reason=request.reason,
                          next_step=f"the seller decides; the store e-mails the answer. See it with "
                                    f"'ordercancel check {order_id}'")
        if kind is CancelResultKind.UNKNOWN and self._still_ordered(after, chosen):
            why = store_message or "the store asked to sign in again at the submit"
            return Result(order_id, Outcome.ERROR, f"not cancelled: {why}, and the order page still shows "
                          "the items as ordered", before=before, after=report_state(after),
                          items=after_items, reason=request.reason,
                          next_step="nothing changed; running the same command again is safe")
        raise StoreTrouble(f"the store answered '{store_message or kind.value}' but the order page shows "
                           f"{after_state.value}: {after.status_text}")

    # -- outcomes that change nothing -------------------------------------------------------
    def _not_found(self, order_id: str) -> Result:
        return Result(order_id, Outcome.NOT_FOUND, f"the store has no order {order_id} on this account",
                      next_step="check the number, and that ORDERCANCEL_EMAIL is the account that placed it")

    def _not_now(self, request: CancelRequest, summary: OrderSummary) -> Result:
        state = state_of(summary)
        order_id = request.order_id
        common: dict[str, Any] = {"before": report_state(summary), "after": report_state(summary),
                                  "items": report_items(summary), "reason": request.reason}
        if state is OrderState.CANCELLED or asked_items_cancelled(request.items, summary):
            what = "the order was" if state is OrderState.CANCELLED else "the asked-for items were"
            return Result(order_id, Outcome.ALREADY_CANCELLED, f"{what} already cancelled; nothing changed",
                          next_step="nothing to do", **common)
        if state is OrderState.CANCELLATION_REQUESTED:
            return Result(order_id, Outcome.CANCELLATION_REQUESTED,
                          "a cancellation was already requested from the seller; nothing changed",
                          next_step=f"the seller decides; see the answer with 'ordercancel check {order_id}'",
                          **common)
        message, next_step = self._why_not(order_id, summary)
        return Result(order_id, Outcome.NOT_CANCELLABLE, message, next_step=next_step, **common)

    @staticmethod
    def _why_not(order_id: str, summary: OrderSummary) -> tuple[str, str]:
        status = summary.status_text or "no status shown"
        if is_digital(order_id):
            return (f"digital orders cannot be cancelled once delivered (status: {status})",
                    "ask the store's customer service about a refund for the digital purchase")
        return (f"the order can no longer be cancelled: the store no longer offers 'Cancel items' (status: {status})",
                return_advice(summary))

    @staticmethod
    def _describe(state: OrderState, summary: OrderSummary) -> str:
        count = len(summary.items)
        return {
            OrderState.CANCELLABLE: f"can be cancelled now ({count} item(s)); the store closes the window a short "
                                    "while after the order is placed, without saying when",
            OrderState.NOT_CANCELLABLE: f"cannot be cancelled (status: {summary.status_text or 'none shown'})",
            OrderState.CANCELLED: "the order is cancelled",
            OrderState.CANCELLATION_REQUESTED: "a cancellation was requested; the seller decides",
        }[state]


def run_order(storefront: Storefront, order_id: str, action: Any) -> Result:
    """Run one order's work, turning every way it can end into a Result with evidence on trouble."""
    started = time.monotonic()
    log = storefront.log.bind(order_id=order_id)
    try:
        result: Result = action()
    except BadInput as exc:
        result = Result(order_id, Outcome.BAD_INPUT, str(exc), next_step="nothing was submitted; fix the input")
    except AuthFailed as exc:
        result = Result(order_id, Outcome.AUTH_FAILED, str(exc), artifacts=storefront.save_evidence(order_id, "sign-in"),
                        next_step="check ORDERCANCEL_EMAIL, ORDERCANCEL_PASSWORD and ORDERCANCEL_TOTP_SECRET")
    except NeedsHuman as exc:
        result = Result(order_id, Outcome.NEEDS_HUMAN, str(exc), artifacts=storefront.save_evidence(order_id, "sign-in"),
                        next_step="run 'ordercancel login --headed', finish signing in by hand, then run again")
    except (StoreTrouble, PlaywrightError) as exc:
        result = Result(order_id, Outcome.ERROR, str(exc).splitlines()[0],
                        artifacts=storefront.save_evidence(order_id, "error"),
                        next_step="look at the screenshot and HTML in the artifacts; nothing is submitted twice, "
                                  "so running again is safe")
    result.artifacts += storefront.save_trace(order_id)
    result.duration_ms = int((time.monotonic() - started) * 1000)
    log.info("order_finished", outcome=result.outcome.value, exit_code=int(result.exit_code),
             duration_ms=result.duration_ms, state_before=result.before.state.value if result.before else None,
             state_after=result.after.state.value if result.after else None)
    return result
