"""Which items of an order a request names. One rule, over one list of the order's lines, decides
both "which items to tick" and "are the asked-for items already cancelled". An item is its product
(the ASIN that both screens link to, plus its position where an order holds a product twice) and,
while the Cancel items page offers it, that page's item id; never its title alone."""
from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from automation.errors import BadInput, StoreTrouble
from pages.cancel_items import CancellableItem
from pages.order_details import OrderedItem


class ScreensDisagree(StoreTrouble):
    """The Cancel items page offers an item that the order's details do not show as ordered."""


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
        return self.product_id or f"title:{self.title}"

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
    items page gives it (the k-th offered line of a product is the k-th ordered line of it)."""
    ids: dict[str, list[str]] = {}
    for item in offered or []:
        ids.setdefault(item.product_id or f"title:{item.title}", []).append(item.item_id)
    lines: list[Line] = []
    seen: Counter[str] = Counter()
    for item in ordered:
        line = Line(item.product_id, item.title, item.cancelled)
        if not item.cancelled:
            seen[line.product] += 1
            waiting = ids.get(line.product) or []
            line = Line(item.product_id, item.title, False, waiting.pop(0) if waiting else None, seen[line.product])
        lines.append(line)
    left = [item_id for waiting in ids.values() for item_id in waiting]
    if left:
        raise ScreensDisagree(f"the Cancel items page offers {', '.join(left)}, which the order's details do not "
                              "show as ordered")
    return lines


def pick(selector: Selector, lines: list[Line]) -> list[Line]:
    """Every line the selector names. The one matching rule: the first kind of name that matches
    anything decides, in this order: item id, product id, exact title, part of a title. A line
    selector names its product's still-ordered line at its position, and nothing else."""
    if selector.product is not None:
        return [line for line in lines if line.product == selector.product and line.position == selector.nth > 0]
    by_id = [line for line in lines if line.item_id == selector.text]
    if by_id or selector.ticked_product is not None:
        # a line ticked before is that line or, once it has left the form, a cancelled one of its product
        return by_id or [line for line in lines if line.cancelled and line.product == selector.ticked_product][:1]
    product, _, nth = selector.text.upper().partition("#")
    same_product = [line for line in lines if line.product_id == product]
    if same_product:
        return [line for line in same_product if str(line.position) == nth] if nth else same_product
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


def shown_cancelled(chosen: Counter[str], lines: list[Line]) -> bool:
    """Whether the order shows every chosen product cancelled as often as it was chosen (the
    products of lines a run ticked, as the journal keeps them)."""
    return bool(chosen) and not chosen - products(line for line in lines if line.cancelled)


def differs(decided: list[Selector], chosen: list[Line]) -> str | None:
    """Why the lines about to be ticked are not the lines decided (by product and count), or None
    when they are the same."""
    wanted = Counter(selector.product or "" for selector in decided)
    ticking = products(chosen)
    if wanted == ticking:
        return None
    return (f"the lines to tick ({', '.join(sorted(ticking.elements())) or 'none'}) are not the lines decided "
            f"({', '.join(sorted(wanted.elements())) or 'none'})")
