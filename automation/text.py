"""Text from a store made safe to show a person: terminal controls and bidi overrides made visible."""
from __future__ import annotations

import json
import re
from typing import Any

# C0 (line breaks and tabs too: a store's title must not start a line of its own), DEL, C1,
# the line and paragraph separators, and the bidi embeddings, overrides and isolates, which can
# make a terminal or a mail reader show text in another order than it is
UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


SHORT = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escaped(match: re.Match[str]) -> str:
    code = ord(match.group())
    return SHORT.get(match.group()) or (f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")


def printable(text: str) -> str:
    """The text with every control character shown as its escape (ESC as the four characters
    `\\x1b`), so that nothing a store wrote can colour, move or rewrite a terminal line."""
    return UNPRINTABLE.sub(_escaped, text)


# json.dumps escapes C0 itself; these are what it leaves as they are with ensure_ascii=False
JSON_UNESCAPED = re.compile("[\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def json_text(payload: Any, indent: int | None = None) -> str:
    """JSON with its non-ASCII letters readable, but no raw control or bidi character: those
    become \\u escapes, which read back as the same string (outside strings JSON is ASCII)."""
    return JSON_UNESCAPED.sub(lambda m: f"\\u{ord(m.group()):04x}",
                              json.dumps(payload, ensure_ascii=False, indent=indent))
