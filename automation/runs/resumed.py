"""A batch row that an earlier press may have acted on, given an instruction again. The earlier press
is only confirmed, by reading the order; the instruction is the request; and the lines that press
ticked are pressed for again only when the instruction asks for exactly them."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from automation.language import _
from automation.order.cancellation import Cancellation, CancelRequest
from automation.order.items import Line, Selector, lines_of, ticked_cancelled
from automation.order.outcome import OrderState, Outcome, Result
from automation.order.reader import OrderReader, report_items, report_state
from automation.order.wording import say
from automation.runs.batch_input import BatchRow


class Withheld(Exception):
    """The last check before a click: the lines to tick are not those of an unconfirmed earlier press."""


@dataclass(frozen=True)
class EarlierClick:
    """What an earlier press ticked, as the journal keeps it, and what reading the order says of it."""
    lines: list[Selector]  # each ticked line: its item id, and its product (`ticked_product`)
    names: str  # their titles, for messages
    reading: Result  # the order read, never pressed: cancelled, requested, needs_human or not_found

    @property
    def confirmed(self) -> bool:
        """The order shows what the earlier press asked for: cancelled, or asked of the seller."""
        return self.reading.outcome in (Outcome.CANCELLED, Outcome.CANCELLATION_REQUESTED)


def asked_again(row: BatchRow, earlier: EarlierClick) -> list[Selector]:
    """The instruction's items. One that names a line the earlier press ticked, by its item id, is that
    line or, once it has left the Cancel items form, a cancelled line of its product (the order page
    shows it so); any other is as the user wrote it."""
    ticked = {selector.text: selector for selector in earlier.lines}
    return [ticked.get(selector.text, selector) if selector.product is None else selector
            for selector in row.selectors()]


def unlike(earlier: EarlierClick, chosen: list[Line]) -> bool:
    """Whether the lines about to be ticked are not exactly the lines the earlier press ticked (item id
    and product, each)."""
    return sorted((s.text, s.ticked_product or "") for s in earlier.lines) != \
        sorted((line.item_id or "", line.product) for line in chosen)


def ask_after(canceller: Cancellation, row: BatchRow, earlier: EarlierClick,
              confirm: Callable[[list[Line]], bool] | None = None) -> Result:
    """The instruction, after an earlier press. Confirmed: the instruction is a new request (nothing to
    do when it names what is cancelled already), and the earlier press's effect is said beside its
    outcome. Unconfirmed (the order still shows those lines ordered): pressed only for exactly those
    lines; an instruction for anything else submits nothing and needs a person (`needs_human`). A
    person at the terminal (`confirm`) is asked before the press as on a first one."""
    asked: list[Line] = []
    press = canceller.on_submit

    def only_the_earlier_lines(chosen: list[Line], lines: list[Line]) -> None:
        if unlike(earlier, chosen):
            asked.extend(chosen)
            raise Withheld
        if press is not None:
            press(chosen, lines)

    if not earlier.confirmed:
        canceller.on_submit = only_the_earlier_lines
    try:
        result = canceller.cancel(CancelRequest(row.order_id, asked_again(row, earlier), row.reason, row.note,
                                                confirm=confirm))
    except Withheld:
        message, next_step = say("earlier_unconfirmed_other", names=earlier.names, order_id=row.order_id,
                                 asked=", ".join(line.title for line in asked) or _("no item"))
        return replace(earlier.reading, message=message, next_step=next_step, artifacts=[])
    finally:
        canceller.on_submit = press
    if not earlier.confirmed:
        return result
    if result.outcome is Outcome.ALREADY_CANCELLED:  # asked for what the earlier press cancelled
        return earlier.reading
    return replace(result, message=result.message + "; " + _("besides, {earlier}").format(earlier=earlier.reading.message))


def confirm_earlier_click(reader: OrderReader, order_id: str, ticked: list[dict[str, Any]]) -> Result:
    """A row an earlier press may have acted on, judged by reading its order only: the button is
    never pressed again. The ticked lines shown cancelled: cancelled; a seller asked: requested;
    anything else needs a person to look."""
    summary = reader.read_order(order_id)
    if summary is None:
        message, next_step = say("not_found", order_id=order_id)
        return Result(order_id, Outcome.NOT_FOUND, message, next_step=next_step)
    names = ", ".join(str(c.get("title")) for c in ticked) or _("its items")
    common: dict[str, Any] = {"before": report_state(summary), "after": report_state(summary),
                              "items": report_items(summary, reader.market)}
    if summary.cancelled_banner or summary.state is OrderState.CANCELLED or \
            ticked_cancelled(ticked, lines_of(summary.items)):
        message, next_step = say("confirmed_earlier", names=names)
        return Result(order_id, Outcome.CANCELLED, message, next_step=next_step, **common)
    if summary.state is OrderState.CANCELLATION_REQUESTED:
        message, next_step = say("requested", names=names, heard="", order_id=order_id)
        return Result(order_id, Outcome.CANCELLATION_REQUESTED, message, next_step=next_step, **common)
    message, next_step = say("unconfirmed_earlier", names=names, order_id=order_id,
                             status=summary.status_text or _("no status shown"))
    return Result(order_id, Outcome.NEEDS_HUMAN, message, next_step=next_step, **common)
