"""`ordercancel` end to end: a real browser on the mock store, judged by the tool's output and the store's state."""
from __future__ import annotations

import json
import shutil
import stat
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from mock_store import seed
from tests.conftest import CliResult
from tests.store_api import StoreAdmin

Cli = Callable[..., CliResult]
EXPECTED_KEYS = {"order_id", "outcome", "state", "items", "reason", "refund_expected_by", "next_step", "message",
                 "artifacts", "duration_ms"}


def test_cancels_every_item_by_default(store: StoreAdmin, cli: Cli) -> None:
    order = store.add_order(["Kettle", "Teapot"], placed_minutes_ago=5)

    result = cli("cancel", order.id, "--reason", "mistake", "--json")

    assert result.exit_code == 0
    assert EXPECTED_KEYS <= set(result.json)
    assert result.json["outcome"] == "cancelled"
    assert result.json["state"]["before"]["state"] == "cancellable"
    assert result.json["state"]["after"]["state"] == "cancelled"
    assert {i["title"]: i["cancelled"] for i in result.json["items"]} == {"Kettle": True, "Teapot": True}
    assert result.json["refund_expected_by"] and result.json["reason"] == "ORDER_WAS_CREATED_BY_MISTAKE"
    assert store.order(order.id).state == "cancelled"
    (canonical,) = [line for line in result.logs if line.get("event") == "order_finished"]
    assert canonical["outcome"] == "cancelled" and canonical["order_id"] == order.id and canonical["duration_ms"] > 0


def test_cancels_only_the_ticked_item(store: StoreAdmin, cli: Cli) -> None:
    order = store.add_order(["Kettle", "Teapot"], placed_minutes_ago=5)

    result = cli("cancel", order.id, "--item", "Teapot", "--reason", "mistake", "--json")

    assert result.exit_code == 0
    assert result.json["outcome"] == "cancelled"
    assert store.order(order.id).item("Teapot")["status"] == "cancelled"
    assert store.order(order.id).item("Kettle")["status"] == "ordered"
    assert {i["title"]: i["cancelled"] for i in result.json["items"]} == {"Kettle": False, "Teapot": True}


def test_an_item_can_be_named_by_its_id(store: StoreAdmin, cli: Cli) -> None:
    result = cli("cancel", "113-2345678-2345678", "--item", "jlsmmouse03s", "--json")
    assert result.exit_code == 0
    assert store.order("113-2345678-2345678").item("Mouse")["status"] == "cancelled"
    assert store.order("113-2345678-2345678").item("Lamp")["status"] == "ordered"


@pytest.mark.parametrize("reason", ["ITEM_PRICE_IS_TOO_HIGH", "Item Price Too High", "Varens pris er for høj", "price"])
def test_each_form_of_a_reason_reaches_the_store(store: StoreAdmin, cli: Cli, reason: str) -> None:
    result = cli("cancel", seed.DEMO_ORDER, "--reason", reason, "--note", "seen cheaper", "--json")
    assert result.exit_code == 0
    order = store.order(seed.DEMO_ORDER)
    assert order.raw["cancel_reason"] == "ITEM_PRICE_IS_TOO_HIGH" and order.raw["cancel_note"] == "seen cheaper"


def test_the_readme_example_reason_works(store: StoreAdmin, cli: Cli) -> None:
    assert cli("cancel", seed.DEMO_ORDER, "--reason", "Ordered by mistake").exit_code == 0
    assert store.order(seed.DEMO_ORDER).raw["cancel_reason"] == "ORDER_WAS_CREATED_BY_MISTAKE"


def test_a_dry_run_fills_the_form_and_changes_nothing(store: StoreAdmin, cli: Cli) -> None:
    result = cli("cancel", seed.DEMO_ORDER, "--item", "Kettle", "--dry-run", "--json")
    assert result.exit_code == 0
    assert result.json["outcome"] == "would_cancel" and "Kettle" in result.json["message"]
    assert store.order(seed.DEMO_ORDER).statuses() == {"ordered"}
    assert not store.events("cancel_submitted") and not store.events("cancel_refused")


@pytest.mark.parametrize("selector, fragment", [("Toaster", "matches no item of the order"),
                                                ("e", "matches 3 items"), ("Printer", "its items: jlsmcable01s")])
def test_an_unknown_or_ambiguous_item_is_bad_input_and_nothing_is_submitted(
        store: StoreAdmin, cli: Cli, selector: str, fragment: str) -> None:
    result = cli("cancel", "113-2345678-2345678", "--item", selector, "--json")
    assert result.exit_code == 2
    assert result.json["outcome"] == "bad_input" and fragment in result.json["message"]
    assert store.order("113-2345678-2345678").statuses() == {"ordered"}
    assert not store.events("cancel_submitted")


@pytest.mark.parametrize("order_id, status", [("113-4567890-4567890", "Preparing for Shipment"),
                                              ("113-5678901-5678901", "Shipped"),
                                              ("113-6789012-6789012", "Delivered"),
                                              ("D01-1234567-1234567", "Digital order")])
def test_orders_past_their_window_are_not_cancellable(store: StoreAdmin, cli: Cli, order_id: str, status: str) -> None:
    result = cli("cancel", order_id, "--json")
    assert result.exit_code == 3
    assert result.json["outcome"] == "not_cancellable"
    assert status in result.json["state"]["before"]["status_text"]
    assert result.json["next_step"]
    assert not store.events("cancel_submitted")


def test_not_cancellable_advice_names_the_return_terms(cli: Cli) -> None:
    result = cli("cancel", "112-1111111-2222222", "--json")
    assert result.exit_code == 3
    assert "return" in result.json["next_step"] and "Return shipping paid by customer" in result.json["next_step"]


def test_an_already_cancelled_order_is_a_success_that_changes_nothing(store: StoreAdmin, cli: Cli) -> None:
    result = cli("cancel", "113-7890123-7890123", "--json")
    assert result.exit_code == 0
    assert result.json["outcome"] == "already_cancelled"
    assert not store.events("cancel_submitted")


def test_a_third_party_order_gets_a_cancellation_request(store: StoreAdmin, cli: Cli) -> None:
    result = cli("cancel", "113-8901234-8901234", "--json")
    assert result.exit_code == 0
    assert result.json["outcome"] == "cancellation_requested"
    assert result.json["state"]["after"]["state"] == "cancellation_requested"
    assert store.order("113-8901234-8901234").state == "cancellation_requested"


@pytest.mark.parametrize("order_id", ["114-1111111-1111111", "999-0000000-0000000"])
def test_another_accounts_order_and_an_unknown_one_are_not_found(store: StoreAdmin, cli: Cli, order_id: str) -> None:
    result = cli("cancel", order_id, "--json")
    assert result.exit_code == 4
    assert result.json["outcome"] == "not_found"
    assert store.order("114-1111111-1111111").statuses() == {"ordered"}
    assert "Blender" not in result.stdout + result.stderr


def test_an_order_that_ships_between_form_and_submit_is_refused(store: StoreAdmin, cli: Cli) -> None:
    store.faults(ship_before_submit=[seed.DEMO_ORDER])
    result = cli("cancel", seed.DEMO_ORDER, "--json")
    assert result.exit_code == 3
    assert result.json["outcome"] == "not_cancellable"
    assert "Unable to cancel requested items." in result.json["message"]
    assert store.order(seed.DEMO_ORDER).statuses() == {"ordered"}
    assert len(store.events("cancel_refused")) == 1


def test_an_unanswered_submit_is_confirmed_from_the_order_page(store: StoreAdmin, cli: Cli) -> None:
    store.faults(drop_response_after_cancel=[seed.DEMO_ORDER])
    result = cli("cancel", seed.DEMO_ORDER, "--json", env={"ORDERCANCEL_SUBMIT_TIMEOUT_S": "3"})
    assert result.exit_code == 0, result.stderr[-2000:]
    assert result.json["outcome"] == "cancelled" and "never arrived" in result.json["message"]
    assert len(store.events("cancel_submitted")) == 1


@pytest.mark.parametrize("order_id", ["", "113-123456-1234567", "113-1234567-12345678", "ABC-1234567-1234567",
                                      "１１３-1234567-1234567", "113-1234567-1234567; rm -rf /", "D02-1234567-1234567"])
def test_malformed_order_numbers_are_rejected_before_any_browser(cli: Cli, order_id: str) -> None:
    result = cli("cancel", order_id, "--json")
    assert result.exit_code == 2
    assert result.json["outcome"] == "bad_input" and "not an order number" in result.json["message"]
    assert "\n" not in result.json["message"]


def test_an_unknown_reason_lists_the_choices(cli: Cli) -> None:
    result = cli("cancel", seed.DEMO_ORDER, "--reason", "bored", "--json")
    assert result.exit_code == 2
    assert "mistake, too-late, shipping-cost" in result.json["message"]


def test_a_note_over_255_characters_is_bad_input(store: StoreAdmin, cli: Cli) -> None:
    result = cli("cancel", seed.DEMO_ORDER, "--note", "x" * 256)
    assert result.exit_code == 2 and result.stderr.startswith("error: the note is 256 characters")
    assert len(result.stderr.splitlines()) == 1 and not result.stdout
    assert store.order(seed.DEMO_ORDER).statuses() == {"ordered"}


def test_a_bad_base_url_is_a_one_line_error(cli: Cli) -> None:
    result = cli("check", seed.DEMO_ORDER, "--json", env={"ORDERCANCEL_BASE_URL": "javascript:alert(1)"})
    assert result.exit_code == 2 and "base_url" in result.json["message"]


# -- signing in -----------------------------------------------------------------------------------

def test_totp_accounts_sign_in_with_a_generated_code(store: StoreAdmin, cli: Cli) -> None:
    result = cli("cancel", "113-5555555-5555555", "--json", env={
        "ORDERCANCEL_EMAIL": seed.TOTP_EMAIL, "ORDERCANCEL_PASSWORD": seed.TOTP_PASSWORD,
        "ORDERCANCEL_TOTP_SECRET": seed.TOTP_SECRET})
    assert result.exit_code == 0
    assert store.order("113-5555555-5555555").state == "cancelled"
    assert [e["result"] for e in store.events("sign_in")] == ["ok"]


@pytest.mark.parametrize("email", ["captcha@example.com", "approval@example.com"])
def test_challenges_need_a_person(store: StoreAdmin, cli: Cli, email: str) -> None:
    result = cli("cancel", seed.DEMO_ORDER, "--json", env={"ORDERCANCEL_EMAIL": email,
                                                           "ORDERCANCEL_PASSWORD": email.split("@")[0] + "-password"})
    assert result.exit_code == 6
    assert result.json["outcome"] == "needs_human" and "login --headed" in result.json["next_step"]
    assert not store.events("cancel_submitted")


def test_a_two_step_account_without_a_secret_needs_a_person(cli: Cli) -> None:
    result = cli("check", "113-5555555-5555555", "--json", env={
        "ORDERCANCEL_EMAIL": seed.TOTP_EMAIL, "ORDERCANCEL_PASSWORD": seed.TOTP_PASSWORD})
    assert result.exit_code == 6


def test_a_wrong_password_is_a_sign_in_failure(store: StoreAdmin, cli: Cli) -> None:
    result = cli("cancel", seed.DEMO_ORDER, "--json", env={"ORDERCANCEL_PASSWORD": "wrong-password"})
    assert result.exit_code == 5
    assert result.json["outcome"] == "auth_failed" and "Your password is incorrect" in result.json["message"]


def test_missing_credentials_name_the_variables_once(cli: Cli) -> None:
    result = cli("check", seed.DEMO_ORDER, env={"ORDERCANCEL_EMAIL": "", "ORDERCANCEL_PASSWORD": ""})
    assert result.exit_code == 5
    assert "ORDERCANCEL_EMAIL is not set" in result.stdout, result.stdout
    assert result.stdout.count("ORDERCANCEL_PASSWORD") == 1 and result.stdout.count("login --headed") == 1
    artifacts = [Path(line.split("artifact: ", 1)[1]).name for line in result.stdout.splitlines() if "artifact: " in line]
    assert artifacts and not [name for name in artifacts if name.startswith("-")], artifacts


def test_the_session_is_saved_privately_and_reused(store: StoreAdmin, cli: Cli, tmp_path: Path) -> None:
    assert cli("check", seed.DEMO_ORDER).exit_code == 0
    assert cli("cancel", seed.DEMO_ORDER, "--item", "Kettle").exit_code == 0

    assert len(store.events("sign_in")) == 1
    sessions = tmp_path / "state" / "sessions"
    (saved,) = list(sessions.iterdir())
    assert stat.S_IMODE(saved.stat().st_mode) == 0o600
    assert stat.S_IMODE(sessions.stat().st_mode) == 0o700
    assert seed.DEMO_PASSWORD not in saved.read_text()


def test_an_expired_session_mid_flow_signs_in_again_and_cancels_once(store: StoreAdmin, cli: Cli) -> None:
    assert cli("check", seed.DEMO_ORDER).exit_code == 0
    store.faults(session_ttl_requests=2)  # details and form are served; the submit meets a signed-out session
    result = cli("cancel", seed.DEMO_ORDER, "--json")
    assert result.exit_code == 0, result.stdout
    assert result.json["outcome"] == "cancelled"
    assert len(store.events("cancel_submitted")) == 1
    assert len(store.events("sign_in")) >= 2 and store.events("session_expired")


def test_login_saves_a_session_and_logout_forgets_it(store: StoreAdmin, cli: Cli, tmp_path: Path) -> None:
    login = cli("login")
    assert login.exit_code == 0 and login.stdout.startswith("signed in; session saved in "), login.stdout
    assert cli("check", seed.DEMO_ORDER).exit_code == 0
    assert len(store.events("sign_in")) == 1
    assert "session forgotten" in cli("logout").stdout
    assert not list((tmp_path / "state" / "sessions").iterdir())


# -- check, orders, languages, errors ---------------------------------------------------------------

@pytest.mark.parametrize("order_id, cancellable, state", [(seed.DEMO_ORDER, True, "cancellable"),
                                                          ("113-5678901-5678901", False, "not_cancellable"),
                                                          ("113-7890123-7890123", False, "cancelled")])
def test_check_reports_the_state_and_exits_0(store: StoreAdmin, cli: Cli, order_id: str, cancellable: bool,
                                             state: str) -> None:
    result = cli("check", order_id, "--json")
    assert result.exit_code == 0
    assert result.json["cancellable"] is cancellable and result.json["state"]["before"]["state"] == state
    assert not store.events("cancel_submitted")


def test_check_of_an_unknown_order_exits_4(cli: Cli) -> None:
    assert cli("check", "999-0000000-0000000", "--json").exit_code == 4


def test_orders_lists_every_page(cli: Cli) -> None:
    result = cli("orders", "--json")
    assert result.exit_code == 0
    ids = [o["order_id"] for o in result.json["orders"]]
    assert len(ids) == 14 and len(set(ids)) == 14  # two pages of the last three months
    states = {o["order_id"]: o["state"] for o in result.json["orders"]}
    assert states[seed.DEMO_ORDER] == "cancellable" and states["113-7890123-7890123"] == "cancelled"
    assert states["113-5678901-5678901"] == "not_cancellable"


def test_orders_filter(cli: Cli) -> None:
    result = cli("orders", "--filter", "cancelled", "--json")
    assert {o["order_id"] for o in result.json["orders"]} == {"113-7890123-7890123", "113-9012345-9012345"}
    assert cli("orders", "--filter", "bogus").exit_code == 2


def test_a_danish_account_is_cancelled_the_same_way(store: StoreAdmin, cli: Cli) -> None:
    result = cli("cancel", "113-4444444-4444444", "--reason", "Ordren blev oprettet ved en fejl", "--json",
                 env={"ORDERCANCEL_EMAIL": seed.DANISH_EMAIL, "ORDERCANCEL_PASSWORD": "dansk-password"})
    assert result.exit_code == 0
    assert result.json["outcome"] == "cancelled" and "Annullering gennemført" in result.json["message"]
    assert store.order("113-4444444-4444444").state == "cancelled"


def test_a_server_error_ends_as_error_with_private_evidence(store: StoreAdmin, cli: Cli) -> None:
    assert cli("check", seed.DEMO_ORDER).exit_code == 0  # signed in first
    store.faults(seed=1, error_rate=1.0)
    result = cli("cancel", seed.DEMO_ORDER, "--json")
    assert result.exit_code == 1
    assert result.json["outcome"] == "error" and "server error" in result.json["message"]
    paths = [Path(p) for p in result.json["artifacts"]]
    assert {p.suffix for p in paths} == {".png", ".html"}
    for path in paths:
        assert path.exists() and stat.S_IMODE(path.stat().st_mode) == 0o600
        assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert store.order(seed.DEMO_ORDER).statuses() == {"ordered"}


def test_no_secret_reaches_output_logs_or_artifacts(store: StoreAdmin, cli: Cli, tmp_path: Path) -> None:
    secret_env = {"ORDERCANCEL_EMAIL": seed.TOTP_EMAIL, "ORDERCANCEL_PASSWORD": seed.TOTP_PASSWORD,
                  "ORDERCANCEL_TOTP_SECRET": seed.TOTP_SECRET}
    result = cli("cancel", "113-5555555-5555555", "--trace", "--json", env=secret_env)
    assert result.exit_code == 0
    assert any(p.endswith("-trace.zip") for p in result.json["artifacts"])
    failing = cli("check", "113-5555555-5555555", "--json", env={**secret_env, "ORDERCANCEL_PASSWORD": "x"})
    (session,) = (tmp_path / "state" / "sessions").iterdir()
    (token,) = [c["value"] for c in json.loads(session.read_text())["cookies"] if c["name"] == "session-token"]
    texts = [result.stdout, result.stderr, failing.stdout, failing.stderr]
    for path in (tmp_path / "artifacts").rglob("*"):
        if path.is_file():
            texts.append(path.read_bytes().decode("latin-1"))
            assert stat.S_IMODE(path.stat().st_mode) == 0o600
    for text in texts:
        assert seed.TOTP_PASSWORD not in text and seed.TOTP_SECRET not in text and token not in text


def test_version(cli: Cli) -> None:
    result = cli("--version")
    assert result.exit_code == 0 and result.stdout.startswith("ordercancel ")


def test_demo_cancels_an_order_of_its_own_store(cli: Cli) -> None:
    result = cli("demo")
    assert result.exit_code == 0, result.stderr[-2000:]
    assert "store's own record before: open" in result.stdout
    assert "Glass Teapot with Infuser: cancelled" in result.stdout.split("after:")[-1]


@pytest.mark.skipif(shutil.which("xvfb-run") is None, reason="a headed browser needs Xvfb (.ci/run installs it)")
def test_headed_login_waits_for_a_person_then_later_runs_reuse_the_session(
        store: StoreAdmin, cli: Cli, cli_env: dict[str, str], tmp_path: Path) -> None:
    person = {"ORDERCANCEL_EMAIL": "approval@example.com", "ORDERCANCEL_PASSWORD": "approval-password"}
    login = subprocess.Popen(["xvfb-run", "-a", sys.executable, "-m", "automation.cli", "login", "--headed"],
                             cwd=tmp_path, env={**cli_env, **person, "PYTHONUNBUFFERED": "1"},
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert login.stdout is not None
    for line in login.stdout:  # the tool stops at the approval page and waits for the person
        if "Finish signing in in the browser window" in line:
            break
    store.approve("approval@example.com")  # the person approves on their phone; the page polls

    rest, errors = login.communicate(timeout=120)
    assert login.returncode == 0, errors[-2000:]
    assert "session saved" in rest
    later = cli("orders", "--json", env=person)  # unattended, headless
    assert later.exit_code == 0 and later.json["count"] == 0
    assert [e["result"] for e in store.events("sign_in")] == ["ok"]


def test_check_reads_several_orders_in_one_browser_and_one_sign_in(store: StoreAdmin, cli: Cli) -> None:
    numbers = [seed.DEMO_ORDER, "113-5678901-5678901", "999-0000000-0000001", "113-7890123-7890123"]

    listed = cli("check", *numbers, "--json")
    piped = cli("check", "-", "--json", stdin="\n".join(numbers[:2]) + "\r\n\n")

    assert listed.exit_code == 4  # one of them is not on this account
    assert [(r["order_id"], r["outcome"], r.get("cancellable")) for r in json.loads(listed.stdout)] == [
        (seed.DEMO_ORDER, "checked", True), ("113-5678901-5678901", "checked", False),
        ("999-0000000-0000001", "not_found", None), ("113-7890123-7890123", "checked", False)]
    assert piped.exit_code == 0 and [r["order_id"] for r in json.loads(piped.stdout)] == numbers[:2]
    assert len(store.events("sign_in")) == 1  # the second run reused the saved session
    assert cli("check", "-", stdin="113-1\n").exit_code == 2  # checked before any browser starts
