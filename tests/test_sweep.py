"""`ordercancel sweep`: rules that find what to cancel, decided without a click, applied exactly
once. Through the CLI, with the store's event log as the judge."""
from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from mock_store import seed
from tests.conftest import CliResult
from tests.store_api import StoreAdmin

Cli = Callable[..., CliResult]
EXAMPLE = Path(__file__).parent.parent / "examples" / "sweep-rules.toml"

RULES = """
[[rule]]
name = "twice"
action = "cancel"
reason = "mistake"
duplicate_within = "1h"

[[rule]]
name = "filler"
action = "cancel_items"
title = ["filler", "^sample"]
placed_within = "45m"
[rule.except]
title = ["gift"]

[[rule]]
name = "pricey-gadget"
action = "cancel"
product = ["B0GADGET01"]
item_price_over = 100
total_over = 150

[[rule]]
name = "seller"
action = "report"
seller = "Nordic Leather ApS"
"""


def cancel_events(store: StoreAdmin) -> list[tuple[str, tuple[str, ...]]]:
    return sorted((e["order_id"], tuple(sorted(e["items"]))) for e in store.events("cancel_received"))


@pytest.fixture
def orders(store: StoreAdmin) -> dict[str, str]:
    """Open orders (besides the demo's own) that each matcher meets or misses."""
    made = {
        "kept": store.add_order([{"title": "Headphones", "price": "99.00", "product_id": "B0HEADPH01"}],
                                placed_minutes_ago=10),
        "twice": store.add_order([{"title": "Headphones", "price": "99.00", "product_id": "B0HEADPH01"}],
                                 placed_minutes_ago=2),
        "filler": store.add_order([{"title": "Filler Tea Bags", "price": "2.00"}, {"title": "Desk Lamp"}]),
        "gift": store.add_order([{"title": "Filler Candy"}, {"title": "Gift Card"}]),
        "old_filler": store.add_order([{"title": "Sample Socks"}]),
        "gadget": store.add_order([{"title": "Gadget", "price": "160.00", "product_id": "B0GADGET01"}]),
        "cheap_gadget": store.add_order([{"title": "Gadget", "price": "90.00", "product_id": "B0GADGET01"},
                                         {"title": "Cable", "price": "70.00"}]),
        "leather": store.add_order(["Wallet"], seller="third_party", seller_name="Nordic Leather ApS"),
        "other_seller": store.add_order(["Scarf"], seller="third_party", seller_name="Someone Else"),
    }
    return {name: order.id for name, order in made.items()}


def age(journal: Path, order_id: str, minutes: float) -> None:
    """As if a sweep first saw the order that long ago (the store shows only the day of an order)."""
    with sqlite3.connect(journal) as db:
        db.execute("UPDATE seen SET first_seen_at = ? WHERE order_id = ?",
                   ((datetime.now(UTC) - timedelta(minutes=minutes)).isoformat(), order_id))


def test_each_matcher_and_except_decide_and_nothing_is_clicked(store: StoreAdmin, cli: Cli, tmp_path: Path,
                                                               orders: dict[str, str]) -> None:
    rules = tmp_path / "rules.toml"
    rules.write_text(RULES)
    first = cli("sweep", "--rules", str(rules), "--json")
    assert first.exit_code == 0, first.stderr[-2000:]
    age(tmp_path / "state" / "journal.sqlite", orders["old_filler"], 60)
    result = cli("sweep", "--rules", str(rules), "--json")
    decided = {o["order_id"]: (o["rule"], o["state"]) for o in result.json["orders"]}
    assert decided == {orders["twice"]: ("twice", "would_cancel"), orders["filler"]: ("filler", "would_cancel"),
                       orders["gadget"]: ("pricey-gadget", "would_cancel"),
                       orders["leather"]: ("seller", "reported")}
    (filler,) = [o for o in result.json["orders"] if o["order_id"] == orders["filler"]]
    assert [i["title"] for i in filler["items"]] == ["Filler Tea Bags"]  # only the matching item
    assert orders["old_filler"] in {o["order_id"] for o in first.json["orders"]}  # new to the first sweep
    assert not store.events("cancel_received")


def test_apply_cancels_exactly_what_the_dry_sweep_listed_and_a_second_sweep_acts_on_nothing(
        store: StoreAdmin, cli: Cli, tmp_path: Path, orders: dict[str, str]) -> None:
    rules = tmp_path / "rules.toml"
    rules.write_text(RULES)
    dry = {o["order_id"]: [i["title"] for i in o["items"]] for o in cli("sweep", "--rules", str(rules), "--json")
           .json["orders"] if o["state"] == "would_cancel"}
    applied = cli("sweep", "--rules", str(rules), "--apply", "--json")
    assert applied.exit_code == 0, applied.stderr[-2000:]
    cancelled = {o["order_id"]: o["rule"] for o in applied.json["orders"] if o["state"] == "cancelled"}
    assert cancelled == {orders["twice"]: "twice", orders["filler"]: "filler", orders["gadget"]: "pricey-gadget",
                         orders["old_filler"]: "filler"}  # first seen by this sweep: new to it
    assert set(dry) == set(cancelled)
    assert store.order(orders["filler"]).item("Filler")["status"] == "cancelled"
    assert store.order(orders["filler"]).item("Lamp")["status"] == "ordered"
    assert store.order(orders["kept"]).statuses() == {"ordered"}  # the earlier of the two is kept
    presses = cancel_events(store)
    assert len(presses) == 4

    again = cli("sweep", "--rules", str(rules), "--apply", "--json")
    assert again.exit_code == 0 and cancel_events(store) == presses  # a second sweep clicks nothing
    with sqlite3.connect(tmp_path / "state" / "journal.sqlite") as db:
        rows = dict(db.execute("SELECT order_id, json_extract(request, '$.rule') FROM orders").fetchall())
    assert rows == {orders["twice"]: "twice", orders["filler"]: "filler", orders["gadget"]: "pricey-gadget",
                    orders["old_filler"]: "filler"}


def test_max_cancels_stops_before_the_first_click(store: StoreAdmin, cli: Cli, tmp_path: Path,
                                                  orders: dict[str, str]) -> None:
    rules = tmp_path / "rules.toml"
    rules.write_text(RULES)
    result = cli("sweep", "--rules", str(rules), "--apply", "--max-cancels", "3")
    assert result.exit_code == 2
    assert "would cancel 4 orders, more than --max-cancels 3" in result.stderr
    assert not store.events("cancel_received")


@pytest.mark.parametrize(("rules", "says"), [
    ('[[rule]]\nname = "x"\naction = "destroy"\n', "rule 'x', key 'action'"),
    ('[[rule]]\nname = "late"\naction = "cancel"\nplaced_within = "soon"\n', "rule 'late', key 'placed_within': "
                                                                              "not a duration"),
    ('[[rule]]\nname = "bad"\naction = "cancel"\ntitle = ["(unclosed"]\n', "rule 'bad', key 'title'"),
    ('[[rule]]\nname = "p"\naction = "cancel"\nproduct = "B0X"\n', "rule 'p', key 'product'"),
    ('[[rule]]\nname = "typo"\naction = "cancel"\ntitel = ["x"]\n', "rule 'typo': unknown key 'titel' (did you "
                                                                       "mean 'title'?)"),
    ('[[rule]]\nname = "r"\naction = "cancel"\nreason = "bored"\n', "rule 'r', key 'reason'"),
    ('[[rule]]\nname = "e"\naction = "cancel"\n[rule.except]\nseler = "x"\n', "rule 'e': unknown key "
                                                                                "'except.seler' (did you mean "
                                                                                "'except.seller'?)"),
    ("[[rule]\n", "is not TOML"),
    ("", "the file has no [[rule]] table"),
    ('[[rule]]\nname = "late"\naction = "cancel"\nplaced_within = "99999999999d"\n',
     "rule 'late', key 'placed_within': '99999999999d' is too long a duration"),
    ('[[rule]]\nname = "deep"\naction = "report"\ntitle = ' + "[" * 200_000 + "]" * 200_000 + "\n",
     "rule 'deep', key 'title' (line 4): arrays or tables nested too deeply"),
    ('[[rule]]\nname = "rich"\naction = "cancel"\ntotal_over = ' + "9" * 5000 + "\n",
     "rule 'rich', key 'total_over' (line 4): a number of more than 4300 digits"),
    ('[[rule]]\nname = "all"\naction = "cancel"\nreason = "mistake"\n',
     "rule 'all', key 'action': 'cancel' with no matcher would match every open order"),
    ('[[rules]]\nname = "x"\naction = "cancel"\ntitle = "x"\n', "unknown table [[rules]] (did you mean [[rule]]?)"),
])
def test_a_bad_rules_file_names_the_rule_and_key_and_does_nothing(store: StoreAdmin, cli: Cli, tmp_path: Path,
                                                                  rules: str, says: str) -> None:
    path = tmp_path / "rules.toml"
    path.write_text(rules)
    result = cli("sweep", "--rules", str(path), "--apply")
    assert result.exit_code == 2
    assert says in result.stderr and len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert not store.events("sign_in") and not store.events("cancel_received")


def test_a_sweep_killed_at_its_click_never_presses_that_order_again_and_finishes_the_others(
        store: StoreAdmin, cli: Cli, cli_env: dict[str, str], tmp_path: Path, orders: dict[str, str]) -> None:
    rules = tmp_path / "rules.toml"
    rules.write_text(RULES)
    store.faults(latency_ms=[300, 300])  # slow enough to be killed in the middle
    sweep = subprocess.Popen([sys.executable, "-m", "automation.cli", "sweep", "--rules", str(rules), "--apply"],
                             cwd=tmp_path, env=cli_env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                             start_new_session=True)
    assert sweep.stderr is not None
    for line in sweep.stderr:  # kill it, browser and all, as it presses its first button
        if '"event": "submitting"' in line:
            break
    os.killpg(sweep.pid, signal.SIGKILL)
    sweep.wait(timeout=30)
    killed = json.loads(line)["order_id"]  # its row is `submitting`: the press may or may not have left
    assert len(cancel_events(store)) < 4  # killed in the middle
    store.faults(latency_ms=None)

    again = cli("sweep", "--rules", str(rules), "--apply", "--json")

    presses = Counter(order_id for order_id, _ in cancel_events(store))
    chosen = {orders["twice"], orders["filler"], orders["gadget"], orders["old_filler"]}
    assert set(presses) in (chosen, chosen - {killed}) and set(presses.values()) == {1}  # never twice
    states = {o["order_id"]: o for o in again.json["orders"]}
    assert {order_id: states[order_id]["state"] for order_id in chosen - {killed}} == \
        {order_id: "cancelled" for order_id in chosen - {killed}}
    if killed in presses:  # the press arrived: confirmed from the order page
        assert states[killed]["state"] == "cancelled" and again.exit_code == 0, again.stderr[-2000:]
    else:  # it never left: a person decides, the sweep does not press again
        assert states[killed]["state"] == "needs_human" and again.exit_code == 6, again.stderr[-2000:]
        assert "a person should look" in states[killed]["next_step"]


def test_the_example_rules_on_the_sweep_scenario(store: StoreAdmin, cli: Cli) -> None:
    store.reset("sweep")
    result = cli("sweep", "--rules", str(EXAMPLE), "--json")
    decided = {o["order_id"]: o["rule"] for o in result.json["orders"]}
    assert decided[seed.SWEEP_DUPLICATE] == "duplicate" and seed.SWEEP_DUPLICATE_KEPT not in decided
    assert decided[seed.SWEEP_FILLER] == "filler" and decided[seed.SWEEP_THIRD_PARTY] == "third-party"
    assert decided[seed.SWEEP_BUNDLE] == "accessory" and decided[seed.SWEEP_PENDING] == "over-budget"

    applied = {o["order_id"]: o for o in cli("sweep", "--rules", str(EXAMPLE), "--apply", "--json").json["orders"]}
    assert applied[seed.SWEEP_PENDING]["state"] == "pending"
    assert applied[seed.SWEEP_BUNDLE]["state"] == "not_cancellable"
    assert "bundle items must be canceled together" in applied[seed.SWEEP_BUNDLE]["message"]
    again = cli("sweep", "--rules", str(EXAMPLE), "--apply", "--json").json["orders"]
    assert [o["skipped"] for o in again if o["order_id"] == seed.SWEEP_BUNDLE] == [True]  # not tried again
    assert sum(e["order_id"] == seed.SWEEP_BUNDLE for e in store.events("cancel_received")) == 1


def test_demo_sweep_shows_the_decisions_then_applies_them(cli: Cli) -> None:
    result = cli("demo", "--sweep", timeout=180)
    assert result.exit_code == 0, result.stderr[-2000:]
    dry, applied = result.stdout.split("--apply", 1)
    assert f"{seed.SWEEP_DUPLICATE}  would_cancel  rule 'duplicate'" in dry
    assert f"{seed.SWEEP_PENDING}  pending" in applied
    assert f"store's own record of {seed.SWEEP_DUPLICATE}: cancelled" in applied


def test_cancel_items_names_one_of_two_lines_of_a_product_exactly(store: StoreAdmin, cli: Cli, tmp_path: Path) -> None:
    order = store.add_order([{"title": "Sample Mug", "product_id": "B0MUGMUG01", "price": "4.00"},
                             {"title": "Mug Gift Box", "product_id": "B0MUGMUG01", "price": "4.00"}])
    rules = tmp_path / "rules.toml"
    rules.write_text('[[rule]]\nname = "sample"\naction = "cancel_items"\ntitle = ["^sample"]\n')
    result = cli("sweep", "--rules", str(rules), "--apply", "--json")
    assert result.exit_code == 0, result.stderr[-2000:]
    assert [(o["order_id"], o["state"]) for o in result.json["orders"]] == [(order.id, "cancelled")]
    assert len(store.events("cancel_received")) == 1
    after = store.order(order.id)
    assert after.item("Sample Mug")["status"] == "cancelled" and after.item("Gift Box")["status"] == "ordered"


def test_a_sweep_whose_rules_match_nothing_says_so(cli: Cli, tmp_path: Path) -> None:
    rules = tmp_path / "rules.toml"
    rules.write_text('[[rule]]\nname = "none"\naction = "cancel"\ntitle = "Zebra Saddle"\n')
    result = cli("sweep", "--rules", str(rules))
    assert (result.exit_code, result.stdout) == (0, "no rule matched any open order\n"), result.stderr[-2000:]
