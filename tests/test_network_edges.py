"""The network edges, with the store as the attacker: a read that drips or floods its answer ends
within a few timeouts with one line."""
from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from automation.session import session_file
from automation.settings import Settings
from tests.conftest import CliResult
from tests.hostile_http import Answer, drip, huge, serving

Cli = Callable[..., CliResult]
TIMEOUT_S = 2
ORDER = "113-1234567-1234567"
HOSTILE = [pytest.param(drip, "no whole answer within 2 s", id="one byte a second"),
           pytest.param(huge(declared=True), "over the 16 MiB cap", id="256 MiB declared"),
           pytest.param(huge(declared=False), "over the 16 MiB cap", id="256 MiB streamed without a length")]


def started_a_browser(result: CliResult) -> bool:
    return any(line.get("event") == "browser_started" for line in result.logs)


def save_a_session_for(url: str, cli_env: dict[str, str]) -> None:
    """A saved session for the store at `url`, as `login` leaves one: then `check` reads plainly."""
    settings = Settings(_env_file=None, base_url=url, email=cli_env["ORDERCANCEL_EMAIL"],
                        state_dir=Path(cli_env["ORDERCANCEL_STATE_DIR"]))
    path = session_file(settings)
    path.parent.mkdir(parents=True, mode=0o700)
    cookie = {"name": "session-token", "value": "s3ss10n", "domain": "127.0.0.1", "path": "/", "expires": -1,
              "httpOnly": True, "secure": False, "sameSite": "Lax"}
    path.write_text(json.dumps({"cookies": [cookie], "origins": []}))
    path.chmod(0o600)


def check_against(answer: Answer, cli: Cli, cli_env: dict[str, str],
                  saved_session: bool) -> tuple[CliResult, float, list[bytes]]:
    with serving(answer) as hostile:
        if saved_session:
            save_a_session_for(hostile.url, cli_env)
        started = time.monotonic()
        result = cli("check", ORDER, "--json", timeout=120, env={"ORDERCANCEL_BASE_URL": hostile.url,
                     "ORDERCANCEL_ASSET_HOSTS": None, "ORDERCANCEL_TIMEOUT_S": str(TIMEOUT_S)})
        return result, time.monotonic() - started, hostile.heads


@pytest.mark.parametrize(("answer", "said"), HOSTILE)
def test_a_plain_read_that_drips_or_floods_ends_within_three_timeouts(answer: Answer, said: str, cli: Cli,
                                                                       cli_env: dict[str, str]) -> None:
    result, elapsed, heads = check_against(answer, cli, cli_env, saved_session=True)

    assert elapsed < 3 * TIMEOUT_S, f"took {elapsed:.1f} s"
    assert result.exit_code == 1 and result.json["outcome"] == "error", result.stderr[-2000:]
    assert said in result.json["message"] and "\n" not in result.json["message"]
    assert "Traceback" not in result.stderr
    assert not started_a_browser(result)  # the browser would wait for that store twice as long again
    asked = f"GET /your-orders/order-details?orderID={ORDER} HTTP/1.1".encode()
    assert [head.split(b"\r\n")[0] for head in heads] == [asked]  # once, not again after giving up


@pytest.mark.parametrize(("answer", "said"), HOSTILE[::2])
def test_in_the_browser_a_dripping_or_flooding_page_ends_after_its_two_tries(answer: Answer, said: str, cli: Cli,
                                                                             cli_env: dict[str, str]) -> None:
    # no saved session: the page is read in the browser, whose every wait has the timeout; a tab
    # left "navigating" by such a page used to hold the evidence for minutes (80 s measured)
    result, elapsed, heads = check_against(answer, cli, cli_env, saved_session=False)

    assert started_a_browser(result)
    # two tries of the page, and the browser's start, on a machine that may be busy
    assert elapsed < 2 * TIMEOUT_S + 15, f"took {elapsed:.1f} s"
    assert result.exit_code == 1 and result.json["outcome"] == "error", result.stderr[-2000:]
    assert "Timeout 2000ms exceeded" in result.json["message"] and "\n" not in result.json["message"]
    assert len(heads) == 2
