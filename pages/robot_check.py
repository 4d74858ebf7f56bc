"""Robot checks, which the store may show at any address instead of the screen asked for: the one
rule that tells them from a screen, for every page the tool loads or reads, in the browser or not."""
from __future__ import annotations

import enum
import re
import urllib.parse

from pages.common import attribute, document, text
from pages.texts import all_languages

# AWS WAF's interstitial: its parameters in an inline script, and its script from an awswaf host
# (`https://….token.awswaf.com/…/challenge.js`; `captcha.js` for its puzzle)
WAF_PROPS = re.compile(r"window\.gokuProps\s*=")
WAF_SCRIPT = "script[src*='awswaf']"
# the classic robot check, at any address: "Enter the characters you see below"
CAPTCHA_FORM = "form[action$='validateCaptcha'], input#captchacharacters"
CAPTCHA_HEADING = "h1, h2, h3, h4"
# the store's own picture puzzle at sign-in (`/ax/aaut/verify/ap/challenge`)
PUZZLE = "#aa-challenge-page-captcha-container, .amzn-captcha-modal"
# what a page without JavaScript shows in place of a JavaScript challenge (public readers met it
# at sign-in): "we need to verify that you're not a robot. … Enable JavaScript and then reload"
JS_ROBOT_TEXT = ("verify that you", "not a robot", "enable javascript")
# one of these is in the HTML of every robot check: a page without any is not parsed at all (the
# screens are up to 0.9 MB, which takes the parser tens of milliseconds)
_MARKERS = ("gokuProps", "validateCaptcha", "captchacharacters", "aa-challenge-page", "amzn-captcha-modal",
            "not a robot", *all_languages("robot_check"))


class RobotCheck(enum.StrEnum):
    """A kind of robot check. Only the JavaScript challenge is for a browser: a real one passes it
    by itself (it runs a script, gets a token cookie and reloads); the others are for a person."""
    CHALLENGE = "JavaScript challenge"
    PUZZLE = "puzzle"
    CAPTCHA = "CAPTCHA"

    @property
    def for_a_person(self) -> bool:
        return self is not RobotCheck.CHALLENGE


def robot_check(html: str) -> RobotCheck | None:
    """The robot check the HTML is, or None when it is none (a screen, an error page, anything else)."""
    if not any(marker in html for marker in _MARKERS):
        return None
    doc = document(html)
    if doc.css_first(CAPTCHA_FORM) is not None or \
            any(text(h) in all_languages("robot_check") for h in doc.css(CAPTCHA_HEADING)):
        return RobotCheck.CAPTCHA
    scripts = [urllib.parse.urlsplit(attribute(s, "src") or "").path for s in doc.css(WAF_SCRIPT)]
    if WAF_PROPS.search(html) and scripts:
        return RobotCheck.PUZZLE if any(path.endswith("/captcha.js") for path in scripts) else RobotCheck.CHALLENGE
    if doc.css_first(PUZZLE) is not None:
        return RobotCheck.PUZZLE
    shown = text(doc.body).lower()
    if all(words in shown for words in JS_ROBOT_TEXT):
        return RobotCheck.CHALLENGE
    return None


def challenge_scripts(html: str, address: str) -> list[str]:
    """The absolute addresses of a challenge page's own scripts (AWS WAF's), whose host the browser
    must reach for the challenge to run."""
    sources = (attribute(s, "src") or "" for s in document(html).css(WAF_SCRIPT))
    return [urllib.parse.urljoin(address, src) for src in sources if src]
