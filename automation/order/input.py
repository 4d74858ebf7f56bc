"""Order numbers and item selectors: parsed once, here, before any browser starts."""
from __future__ import annotations

import unicodedata

from automation.errors import BadInput
from pages.common import is_order_number, shown

MAX_SELECTOR = 200
MAX_NOTE = 255


def has_line_break_or_control(text: str) -> bool:
    """Control characters and line or paragraph separators (U+0085, U+2028, U+2029, \\x0b, \\x1c...):
    anything that some reader somewhere takes for the end of a line has no place in one field."""
    return any(unicodedata.category(c) in ("Cc", "Zl", "Zp") for c in text)


def parse_order_id(text: str) -> str:
    candidate = text.strip(" \t")  # only spaces and tabs: str.strip() would also eat U+2028 and U+0085
    if not is_order_number(candidate):
        raise BadInput(f"not an order number: {shown(text)} (expected NNN-NNNNNNN-NNNNNNN or D01-NNNNNNN-NNNNNNN)")
    return candidate


def is_digital(order_id: str) -> bool:
    return order_id.startswith("D01-")


def parse_item_selector(text: str) -> str:
    candidate = " ".join(text.split())
    if not candidate:
        raise BadInput("an --item selector is empty")
    if len(candidate) > MAX_SELECTOR or has_line_break_or_control(text):
        raise BadInput(f"an --item selector is too long or holds control characters: {shown(text)}")
    return candidate


def parse_note(text: str | None) -> str | None:
    if text is None or not text.strip():
        return None
    if len(text) > MAX_NOTE:
        raise BadInput(f"the note is {len(text)} characters; the store takes at most {MAX_NOTE}")
    if has_line_break_or_control(text):
        raise BadInput("the note holds control characters (line breaks, tabs, ...); write it on one line")
    return text.strip()
