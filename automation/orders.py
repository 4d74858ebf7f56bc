"""Order numbers and item selectors: parsed once, here, before any browser starts."""
from __future__ import annotations

import re

# ASCII digits only: \d would also accept look-alike digits from other scripts.
ORDER_ID = re.compile(r"(?:[0-9]{3}|D01)-[0-9]{7}-[0-9]{7}")
MAX_SELECTOR = 200
MAX_NOTE = 255


class BadInput(ValueError):
    """Input the tool refuses before acting; the message is one line for the user."""


def _printable(text: str) -> str:
    return text.encode("unicode_escape").decode("ascii")[:60]


def parse_order_id(text: str) -> str:
    candidate = text.strip()
    if not ORDER_ID.fullmatch(candidate):
        raise BadInput(f"not an order number: '{_printable(text)}' (expected NNN-NNNNNNN-NNNNNNN or D01-NNNNNNN-NNNNNNN)")
    return candidate


def is_digital(order_id: str) -> bool:
    return order_id.startswith("D01-")


def parse_item_selector(text: str) -> str:
    candidate = " ".join(text.split())
    if not candidate:
        raise BadInput("an --item selector is empty")
    if len(candidate) > MAX_SELECTOR or any(ord(c) < 32 or ord(c) == 127 for c in text):
        raise BadInput(f"an --item selector is too long or holds control characters: '{_printable(text)}'")
    return candidate


def parse_note(text: str | None) -> str | None:
    if text is None or not text.strip():
        return None
    if len(text) > MAX_NOTE:
        raise BadInput(f"the note is {len(text)} characters; the store takes at most {MAX_NOTE}")
    if any(ord(c) < 32 or ord(c) == 127 for c in text):
        raise BadInput("the note holds control characters (line breaks, tabs, ...); write it on one line")
    return text.strip()
