"""The one robot-check rule (pages/robot_check.py) on small pages shaped as the live site's, on the
saved live pages (no screen is taken for one) and on the mock store's faults; and what a read
without the browser does with one (automation/browser/robot_checks.py). No browser."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from automation.browser.robot_checks import RobotChecks, where
from automation.errors import RobotCheckShown
from automation.settings import Settings
from pages import sign_in
from pages.robot_check import RobotCheck, challenge_scripts, robot_check
from pages.sign_in import SignInStep
from tests.store_api import Shopper, StoreAdmin

REAL_PAGES = Path(__file__).resolve().parents[3] / "shared" / "real-pages"
WAF_HOST = "https://3e3378af7cd0.5cd9ff2f.us-east-1.token.awswaf.com"


def waf_page(script: str = f"{WAF_HOST}/3e3378af7cd0/b2f7f4b0e6c9/challenge.js", props: bool = True) -> str:
    goku = '<script>window.awsWafCookieDomainList = [];\nwindow.gokuProps = {"key":"AQID","iv":"D549","context":"x"};</script>'
    return (f'<!DOCTYPE html><html><head><title></title>{goku if props else ""}<script src="{script}"></script></head>'
            '<body><div id="challenge-container"></div><script>AwsWafIntegration.getToken().then(() => '
            'window.location.reload(true));</script><noscript><h1>JavaScript is disabled</h1>In order to continue, '
            "we need to verify that you're not a robot. This requires JavaScript. Enable JavaScript and then reload "
            "the page.</noscript></body></html>")


CLASSIC = ('<html><body><h4>Enter the characters you see below</h4><p>Sorry, we just need to make sure you\'re not a '
           'robot.</p><form method="get" action="/errors/validateCaptcha"><input id="captchacharacters" '
           'name="field-keywords"></form></body></html>')


@pytest.mark.parametrize(("html", "kind"), [
    pytest.param(waf_page(), RobotCheck.CHALLENGE, id="AWS WAF challenge"),
    pytest.param(waf_page(f"{WAF_HOST}/a/b/captcha.js"), RobotCheck.PUZZLE, id="AWS WAF CAPTCHA puzzle"),
    pytest.param(waf_page(props=False), RobotCheck.CHALLENGE, id="its no-JavaScript text alone"),
    pytest.param(CLASSIC, RobotCheck.CAPTCHA, id="classic robot check"),
    pytest.param('<form action="/errors/validateCaptcha"><input name="field-keywords"></form>', RobotCheck.CAPTCHA,
                 id="its form alone"),
    pytest.param("<body><h4>Indtast de tegn, du ser nedenfor</h4><img src='/captcha/x.jpg'></body>",
                 RobotCheck.CAPTCHA, id="its heading alone, in Danish"),
    pytest.param('<div id="aa-challenge-page-captcha-container"><div class="amzn-captcha-modal"></div></div>',
                 RobotCheck.PUZZLE, id="sign-in picture puzzle"),
])
def test_each_robot_check_is_told(html: str, kind: RobotCheck) -> None:
    assert robot_check(html) is kind
    assert kind.for_a_person is (kind is not RobotCheck.CHALLENGE)


@pytest.mark.parametrize("html", [
    pytest.param('<script>window.gokuProps = {"key": "k"};</script><p>an order</p>', id="gokuProps without its script"),
    pytest.param(f'<script src="{WAF_HOST}/a/b/challenge.js"></script><p>an order</p>', id="the script without gokuProps"),
    pytest.param("<h1>Robot Vacuum</h1><p>Not a robot toy: enable JavaScript to see the gallery.</p>",
                 id="a title that speaks of robots"),
    pytest.param("<noscript>Please enable JavaScript to use this page.</noscript>", id="a plain no-JavaScript note"),
    pytest.param("<p>Enter the characters you see below</p>", id="the heading's words in running text"),
    pytest.param("", id="nothing"),
])
def test_pages_that_are_no_robot_check(html: str) -> None:
    assert robot_check(html) is None


def test_a_challenge_names_its_scripts_absolutely() -> None:
    assert challenge_scripts(waf_page(), "https://www.amazon.com/x") == [f"{WAF_HOST}/3e3378af7cd0/b2f7f4b0e6c9/challenge.js"]
    assert challenge_scripts(waf_page("/static/awswaf/challenge.js"), "http://127.0.0.1:8000/x") == [
        "http://127.0.0.1:8000/static/awswaf/challenge.js"]


def test_the_sign_in_screens_read_robot_checks_by_the_same_rule() -> None:
    assert sign_in.parse(CLASSIC).step is SignInStep.CAPTCHA
    assert sign_in.parse(waf_page()).step is SignInStep.CHALLENGE
    assert sign_in.parse(waf_page(f"{WAF_HOST}/a/b/captcha.js")).step is SignInStep.CAPTCHA


@pytest.mark.skipif(not REAL_PAGES.is_dir(), reason="the saved live pages are not beside this clone")
def test_no_saved_live_page_is_taken_for_a_robot_check_but_the_captcha() -> None:
    found = {page.name: robot_check(page.read_bytes().decode("utf-8", errors="replace"))
             for page in sorted(REAL_PAGES.glob("*.html"))}
    assert found.pop("auth-post-signin-captcha-2.html") is RobotCheck.CAPTCHA
    assert len(found) >= 14 and set(found.values()) == {None}, found


# -- what a read without the browser does with one ------------------------------------------------

class Log:
    def __init__(self) -> None:
        self.lines: list[tuple[str, dict[str, Any]]] = []

    def warning(self, event: str, **fields: Any) -> None:
        self.lines.append((event, fields))


def test_a_plain_read_that_meets_a_challenge_hands_the_address_to_the_browser_with_its_host() -> None:
    robots = RobotChecks(Settings(_env_file=None, base_url="https://www.amazon.com"), Log())
    assert not robots.met_on_read("/your-orders/orders", "https://www.amazon.com/your-orders/orders", "<p>orders</p>")
    assert robots.met_on_read("/x", "https://www.amazon.com/x", waf_page())
    assert robots.seen["/x"].kind is RobotCheck.CHALLENGE and robots.seen["/x"].origins == [WAF_HOST]
    assert robots.met_on_read("/y", "https://www.amazon.com/y", CLASSIC) and robots.seen["/y"].origins == []


def test_a_challenge_whose_script_comes_from_another_host_is_for_a_person() -> None:
    robots = RobotChecks(Settings(_env_file=None, base_url="https://www.amazon.com"), Log())
    for script in ("https://awswaf.example.net/a/challenge.js", "http://x.token.awswaf.com/a/challenge.js"):
        with pytest.raises(RobotCheckShown, match="which the tool does not let in"):
            robots.met_on_read("/x", "https://www.amazon.com/x", waf_page(script))


def test_an_address_in_a_message_is_its_path_and_escaped_when_odd() -> None:
    assert where("/progress-tracker/package/preship/cancel-items?orderID=1&ref_=\x1b[2J") == \
        "/progress-tracker/package/preship/cancel-items"
    assert where("/a\x1b[31mb") == repr("/a\x1b[31mb")


# -- the mock store's robot checks, read by the same rule ------------------------------------------

def test_the_mock_stores_robot_checks_are_read_as_the_live_ones(store: StoreAdmin, shopper: Shopper) -> None:
    shopper.sign_in()
    store.faults(robot_check="challenge", robot_check_path="/order-details")
    challenge = shopper.get("/your-orders/order-details?orderID=113-1234567-1234567")
    assert challenge.status_code == 202 and robot_check(challenge.text) is RobotCheck.CHALLENGE
    assert robot_check(shopper.get("/your-orders/orders").text) is None  # not on the pattern's path
    store.faults(robot_check="captcha")
    captcha = shopper.get("/your-orders/orders")
    assert captcha.status_code == 503 and robot_check(captcha.text) is RobotCheck.CAPTCHA
