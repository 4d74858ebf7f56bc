"""Which items of an order a request names. One rule, over one list of the order's lines, decides
both "which items to tick" and "are the asked-for items already cancelled". An item is its product
(the ASIN that both screens link to, plus its position where an order holds a product twice) and,
while the Cancel items page offers it, that page's item id; never its title alone."""
from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from automation.errors import BadInput, StoreTrouble
from automation.language import _
from automation.order.outcome import ItemReport
from pages.cancel_items import CancellableItem
from pages.order_details import OrderedItem


class ScreensDisagree(StoreTrouble):
    """The Cancel items page offers an item that the order's details do not show as ordered."""


def product_key(product_id: str | None, title: str) -> str:
    """A line's product as every screen and read of an order shows it: its ASIN, else (no link) its title."""
    return product_id or f"title:{title}"


@dataclass(frozen=True)
class Line:
    """One line of an order, as the tool identifies it across the two screens."""
    product_id: str | None
    title: str
    cancelled: bool
    item_id: str | None = None  # only for lines the Cancel items page offers
    position: int = 0  # 1-based among the still-ordered lines of its product; 0 once cancelled

    @property
    def product(self) -> str:
        """What counts as the same item on both screens: the product, else (no link) the title."""
        return product_key(self.product_id, self.title)

    def label(self, lines: list[Line]) -> str:
        twice = sum(1 for other in lines if other.product == self.product and not other.cancelled) > 1
        product = f"{self.product_id}#{self.position}" if twice and self.position else self.product_id
        ref = f"{self.item_id} ({product})" if self.item_id and product else self.item_id or product or "?"
        return f"{ref}: {self.title}" + (" (cancelled)" if self.cancelled else "")


@dataclass(frozen=True)
class Selector:
    """What a user named: an item id, a product id (ASIN, or ASIN#n for the n-th still-ordered line
    of that product), an exact title, or a unique part of a title. Or, made by `Selector.for_line`, one
    line as the tool itself read it: its product and position, never an item id or a title."""
    text: str
    # Set when a run asks again for a line this tool ticked before: that line's product. Once the
    # line is cancelled its id leaves the Cancel items page, and the order page shows it cancelled.
    ticked_product: str | None = None
    product: str | None = None  # a line's product (`Line.product`), with `nth`: its position
    nth: int = 0

    @classmethod
    def for_line(cls, product: str, nth: int) -> Selector:
        """The n-th still-ordered line of a product (`Line.product`, `Line.position`), and no other."""
        return cls(f"{product}#{nth}", product=product, nth=nth)


def lines_of(ordered: list[OrderedItem], offered: list[CancellableItem] | None = None) -> list[Line]:
    """The order's lines as its details show them, each still-ordered line with the id the Cancel
    items page gives it (see `_offered_ids` for how the two screens' lines are paired)."""
    ids = _offered_ids(ordered, offered or [])
    lines: list[Line] = []
    seen: Counter[str] = Counter()
    for index, item in enumerate(ordered):
        line = Line(item.product_id, item.title, item.cancelled)
        if not item.cancelled:
            seen[line.product] += 1
            line = Line(item.product_id, item.title, False, ids.get(index), seen[line.product])
        lines.append(line)
    return lines


def _offered_ids(ordered: list[OrderedItem], offered: list[CancellableItem]) -> dict[int, str]:
    """The Cancel items page's id of each still-ordered line (by its index among `ordered`). A product
    both screens show once is paired by product. Lines of a product shown more than once are paired
    by what both screens show of each (price, quantity, title), and by position only among lines the
    details show alike in everything (seller too): the form's order is not the details' order.
    ScreensDisagree when the form offers a line the details do not show as ordered, or a line that
    could be either of two lines that differ in what the form does not show (nothing is guessed)."""
    ids: dict[int, str] = {}
    for product, offers in _by_product(offered).items():
        waiting = [i for i, item in enumerate(ordered) if not item.cancelled and _product_of(item) == product]
        if len(offers) > len(waiting):
            left = ", ".join(offer.item_id for offer in offers[len(waiting):])
            raise ScreensDisagree(f"the Cancel items page offers {left}, which the order's details do not show "
                                  "as ordered")
        if len(waiting) == 1:
            ids[waiting[0]] = offers[0].item_id
            continue
        for offer in offers:
            fits = [i for i in waiting if _fits(ordered[i], offer)]
            if not fits:
                raise ScreensDisagree(f"the Cancel items page offers {offer.item_id} ({product}, "
                                      f"{offer.price or 'no price'}), which the order's details do not show as ordered")
            if len({_alike(ordered[i]) for i in fits}) > 1:
                raise ScreensDisagree(f"the Cancel items page's {offer.item_id} could be any of {len(fits)} lines of "
                                      f"{product} that differ in what that page does not show; nothing is guessed")
            ids[fits[0]] = offer.item_id
            waiting.remove(fits[0])
    return ids


def _by_product(offered: list[CancellableItem]) -> dict[str, list[CancellableItem]]:
    groups: dict[str, list[CancellableItem]] = {}
    for item in offered:
        groups.setdefault(_product_of(item), []).append(item)
    return groups


def _product_of(item: OrderedItem | CancellableItem | ItemReport) -> str:
    """`Line.product` of a line as any screen or report shows it."""
    return product_key(item.product_id, item.title)


def _same(one: str | None, other: str | None) -> bool:
    """Whether two screens show the same words (white space and case aside); a screen that shows
    nothing there tells nothing apart."""
    return not one or not other or " ".join(one.split()).casefold() == " ".join(other.split()).casefold()


def _fits(ordered: OrderedItem, offered: CancellableItem) -> bool:
    return ordered.quantity == offered.quantity and _same(ordered.price, offered.price) and \
        _same(ordered.title, offered.title)


def _alike(item: OrderedItem | ItemReport) -> tuple[str, int, str, str]:
    """What the details show of a line that a rule or a person may choose it by: two lines alike
    in all of it are interchangeable, whichever id the form gives each."""
    return item.title, item.quantity, item.price or "", item.seller or ""


def same_lines(before: Sequence[ItemReport], after: Sequence[ItemReport]) -> list[int | None]:
    """For each line of an order read after a run, the index of the same line read before it: the
    one pairing of two reads of an order. By the Cancel items page's item id where both reads have
    it; else within the line's product, where screen order says nothing (the store lists cancelled
    lines last): a line ordered after was ordered before; a line cancelled after was cancelled
    before while the product had such lines, else it was cancelled since; among candidates, the
    line alike in title, quantity, price and seller first, then in screen order. None for every
    line of a product the two reads truly disagree on: another number of its lines, or fewer of
    them cancelled after than before (nothing is un-cancelled)."""
    pairs: list[int | None] = [None] * len(after)
    free = list(range(len(before)))
    by_id = {item.item_id: index for index, item in enumerate(before) if item.item_id}
    for index, item in enumerate(after):
        old = by_id.get(item.item_id) if item.item_id else None
        if old is not None and old in free and _product_of(before[old]) == _product_of(item) and \
                (item.cancelled or not before[old].cancelled):
            pairs[index] = old
            free.remove(old)
    for product in dict.fromkeys(_product_of(item) for item in after):
        olds = [i for i in free if _product_of(before[i]) == product]
        news = [j for j, item in enumerate(after) if pairs[j] is None and _product_of(item) == product]
        if len(olds) != len(news) or \
                sum(after[j].cancelled for j in news) < sum(before[i].cancelled for i in olds):
            continue  # the reads disagree on this product: what became of its lines is not known
        for now, then in ((False, False), (True, True), (True, False)):
            for alike_only in (True, False):
                for j in [j for j in news if after[j].cancelled is now and pairs[j] is None]:
                    fits = [i for i in olds if before[i].cancelled is then and
                            (not alike_only or _alike(before[i]) == _alike(after[j]))]
                    if fits:
                        pairs[j] = fits[0]
                        olds.remove(fits[0])
    return pairs


def pick(selector: Selector, lines: list[Line]) -> list[Line]:
    """Every line the selector names. The one matching rule: the first kind of name that matches
    anything decides, in this order: product id (a name that is the product of some line of the
    order means that product, whatever item id another line has), item id, exact title, part of a
    title. A line selector names its product's still-ordered line at its position, and nothing
    else; a line this tool ticked before is named by its item id (see `Selector.ticked_product`)."""
    if selector.product is not None:
        return [line for line in lines if line.product == selector.product and line.position == selector.nth > 0]
    by_id = [line for line in lines if line.item_id == selector.text]
    if selector.ticked_product is not None:
        # a line ticked before is that line or, once it has left the form, a cancelled one of its product
        return by_id or [line for line in lines if line.cancelled and line.product == selector.ticked_product][:1]
    product, _, nth = selector.text.upper().partition("#")
    same_product = [line for line in lines if line.product_id == product]
    if same_product:
        return [line for line in same_product if str(line.position) == nth] if nth else same_product
    if by_id:
        return by_id
    wanted = selector.text.casefold()
    exact = [line for line in lines if line.title.casefold() == wanted]
    return exact or [line for line in lines if wanted in line.title.casefold()]


def resolve(selectors: Iterable[Selector], lines: list[Line]) -> list[Line]:
    """The line each selector names; a selector naming none or several is an error that names the
    candidates (cancelled lines included: a name is judged on the whole order)."""
    chosen: list[Line] = []
    for selector in selectors:
        found = pick(selector, lines)
        if not found:
            candidates = "; ".join(line.label(lines) for line in lines) or "none"
            raise BadInput(f"--item '{selector.text}' matches no item of the order; its items: {candidates}")
        if len(found) > 1:
            names = "; ".join(line.label(lines) for line in found)
            raise BadInput(f"--item '{selector.text}' matches {len(found)} items ({names}); name one by its id")
        if found[0] not in chosen:
            chosen.append(found[0])
    return chosen


def all_cancelled(selectors: list[Selector], lines: list[Line]) -> bool:
    """Whether the selectors name only lines that are cancelled (by the same rule that picks what to tick)."""
    if not selectors:
        return False
    try:
        return all(line.cancelled for line in resolve(selectors, lines))
    except BadInput:
        return False


def products(lines: Iterable[Line]) -> Counter[str]:
    return Counter(line.product for line in lines)


def newly_cancelled(before: list[Line], after: list[Line]) -> Counter[str]:
    """The products with more cancelled lines after than before (a count: lines of one product
    are interchangeable on the order page)."""
    return products(line for line in after if line.cancelled) - products(line for line in before if line.cancelled)


def still_ordered(chosen: list[Line], lines: list[Line]) -> bool:
    """Whether every chosen line's product is still ordered as often as it was chosen."""
    return not products(chosen) - products(line for line in lines if not line.cancelled)


def ticked_product(ticked: dict[str, Any]) -> str:
    """The product of a line a run ticked, as the journal keeps it (`Line.product`)."""
    return ticked.get("product") or ticked.get("product_id") or f"title:{ticked.get('title')}"


def journal_ticked(chosen: list[Line], lines: list[Line]) -> list[dict[str, Any]]:
    """The lines about to be ticked, as the journal keeps them: each with how many lines of its
    product the order showed cancelled before the submit, against which the store's answer is judged."""
    before = products(line for line in lines if line.cancelled)
    return [{"item_id": line.item_id, "product": line.product, "product_id": line.product_id, "title": line.title,
             "cancelled_before": before[line.product]} for line in chosen]


def ticked_cancelled(ticked: list[dict[str, Any]], lines: list[Line]) -> bool | None:
    """Whether the order shows the lines a run ticked cancelled since the submit (the one rule of
    `follow` and of confirming an earlier click): each ticked product has more cancelled lines than
    before the submit, by as many as were ticked; a line cancelled before is no answer. A row
    journaled without the count from before: yes when every line of the product is cancelled, and
    None (cannot tell: wait, or ask a person) when some of its lines are cancelled and some not."""
    wanted = Counter(ticked_product(c) for c in ticked)
    now = products(line for line in lines if line.cancelled)
    if not wanted:
        return False
    if all(isinstance(c.get("cancelled_before"), int) for c in ticked):
        before = Counter({ticked_product(c): int(c["cancelled_before"]) for c in ticked})
        return not (wanted + before) - now
    ordered = products(line for line in lines if not line.cancelled)
    if any(now[product] < count for product, count in wanted.items()):
        return False
    return True if not any(ordered[product] for product in wanted) else None


def differs(decided: list[Selector], chosen: list[Line]) -> str | None:
    """Why the lines about to be ticked are not the lines decided (by product and count), or None
    when they are the same."""
    wanted = Counter(selector.product or "" for selector in decided)
    ticking = products(chosen)
    if wanted == ticking:
        return None
    return _("the lines to tick ({ticking}) are not the lines decided ({decided})").format(
        ticking=", ".join(sorted(ticking.elements())) or _("none"), decided=", ".join(sorted(wanted.elements())) or _("none"))
