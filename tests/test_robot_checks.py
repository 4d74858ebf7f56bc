"""Robot checks at any address, through the CLI against the mock store's robot_check fault: a
JavaScript challenge that clears is passed in the browser and the work goes on; one that never
clears, and the classic CAPTCHA, hand the work to a person (exit 6) wherever they stand, with
nothing submitted and the page that showed one loaded at most twice."""
from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest

from automation import __version__
from automation.browser.session import session_file
from automation.settings import Settings
from mock_store import seed
from tests.conftest import CliResult
from tests.store_api import Shopper, StoreAdmin

Cli = Callable[..., CliResult]
TIMEOUT_S = "3"  # the time a challenge gets to clear: it never will
DETAILS, ORDERS, CANCEL = "/your-orders/order-details", "/your-orders/orders", "/preship/cancel-items"
PLAIN = f"order-cancel-assistant/{__version__}"


def loads_of(store: StoreAdmin, path: str, since: int = 0) -> list[str]:
    """Who loaded the page at `path` (GET), in order: the plain reader or the browser."""
    return ["plain" if r["agent"] == PLAIN else "browser" for r in store.requests()[since:]
            if r["method"] == "GET" and path in r["path"]]


def served(store: StoreAdmin) -> int:
    return store.http.get("/__admin/faults").json()["injected"].get("robot_check", 0)


def test_a_challenge_that_clears_by_itself_is_passed_and_the_cancel_completes(store: StoreAdmin, cli: Cli) -> None:
    store.faults(robot_check="challenge")  # every page, until the browser holds a token

    result = cli("cancel", seed.DEMO_ORDER, "--reason", "mistake", "--json")

    assert result.exit_code == 0 and result.json["outcome"] == "cancelled", result.stderr[-3000:]
    assert [e["order_id"] for e in store.events("cancel_received")] == [seed.DEMO_ORDER]
    assert store.order(seed.DEMO_ORDER).statuses() == {"cancelled"}
    assert served(store) == 2  # the first load, and the tool's one reload with the challenge's host let in
    assert loads_of(store, DETAILS)[:3] == ["browser"] * 3  # ... and then the challenge's own reload
    assert [line["kind"] for line in result.logs if line.get("event") == "robot_check_passed"] == [
        "JavaScript challenge"]


def save_a_signed_in_session(store: StoreAdmin, cli_env: dict[str, str]) -> None:
    """The session `login` would leave, signed in over HTTP: the browser then goes straight to work."""
    shopper = Shopper(store.url)
    shopper.sign_in()
    settings = Settings(_env_file=None, base_url=store.url, email=cli_env["ORDERCANCEL_EMAIL"],
                        state_dir=Path(cli_env["ORDERCANCEL_STATE_DIR"]))
    cookie = {"name": "session-token", "value": shopper.http.cookies["session-token"], "path": "/", "expires": -1,
              "domain": urlsplit(store.url).hostname, "httpOnly": True, "secure": False, "sameSite": "Lax"}
    path = session_file(settings)
    path.parent.mkdir(parents=True, mode=0o700)
    path.write_text(json.dumps({"cookies": [cookie], "origins": []}))
    path.chmod(0o600)


# where the check stands: (its path, the command that meets it, whether the first read is a plain one)
WHERE = {
    "order details": (DETAILS, ("cancel", seed.DEMO_ORDER, "--json"), False),  # no saved session: in the browser
    "your orders": (ORDERS, ("orders", "--json"), False),
    "cancel items": (CANCEL, ("cancel", seed.DEMO_ORDER, "--json"), False),
    "a plain read": (DETAILS, ("check", seed.DEMO_ORDER, "--json"), True),
}


@pytest.mark.parametrize("kind", ["stuck_challenge", "captcha"])
@pytest.mark.parametrize("where", list(WHERE))
def test_a_robot_check_for_a_person_ends_needs_human_with_nothing_submitted(
        store: StoreAdmin, cli: Cli, cli_env: dict[str, str], kind: str, where: str) -> None:
    path, command, plain_first = WHERE[where]
    if where != "order details":
        save_a_signed_in_session(store, cli_env)
    store.faults(robot_check=kind, robot_check_path=path)
    before = len(store.requests())

    result = cli(*command, env={"ORDERCANCEL_TIMEOUT_S": TIMEOUT_S})

    assert result.exit_code == 6, result.stderr[-3000:]
    answer = result.json
    assert answer["outcome"] == "needs_human" and "login --headed', solve it" in answer["next_step"]
    assert "robot check" in answer["message"]
    assert ("did not clear" if kind == "stuck_challenge" else "only a person may answer") in answer["message"]
    if command[0] == "cancel":
        assert answer["message"].endswith("nothing was submitted")
    assert not store.events("cancel_received")
    loads = loads_of(store, path, before)
    assert loads == (["plain", "browser"] if plain_first else ["browser"] * len(loads)) and 1 <= len(loads) <= 2
    assert served(store) == len(loads)  # each load showed the check: none was taken for a screen


def test_a_person_passes_the_robot_checks_and_the_store_then_serves_its_pages(store: StoreAdmin,
                                                                               store_server: object) -> None:
    asset_origin = store_server.asset_origin  # type: ignore[attr-defined]
    visitor = httpx.Client(base_url=store.url)
    store.faults(robot_check="captcha")
    robot = visitor.get(ORDERS)
    characters = robot.text.split('class="captcha-characters" aria-label="captcha">')[1].split("<")[0]
    passed = visitor.get("/errors/validateCaptcha", params={"field-keywords": characters, "amzn-r": ORDERS})
    assert (robot.status_code, passed.status_code, passed.headers["location"]) == (503, 302, ORDERS)
    assert visitor.get(ORDERS).status_code == 302  # the store's own answer: sign in first

    store.faults(robot_check="challenge")
    assert visitor.get(ORDERS).status_code == 202
    token = httpx.post(f"{asset_origin}/awswaf/verify", content="{}").json()["token"]
    visitor.cookies.set("aws-waf-token", token)
    assert visitor.get(ORDERS).status_code == 302
    store.faults(robot_check="stuck_challenge")
    assert httpx.post(f"{asset_origin}/awswaf/verify", content="{}").status_code == 403
