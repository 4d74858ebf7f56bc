"""A store that numbers its orders with paths: what a page says is data, never a file name. Through
the CLI, with a canary folder, every file under the test's folder and the store's own record as
the judges."""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from pages.common import shown
from tests.conftest import CliResult
from tests.store_api import StoreAdmin

Cli = Callable[..., CliResult]

RULES = """
[[rule]]
name = "mugs"
action = "cancel"
reason = "mistake"
title = ["canary mug"]
"""


@pytest.fixture
def hostile(store: StoreAdmin, tmp_path: Path) -> list[str]:
    """Two open orders the store numbers with paths: one absolute, into a canary folder outside the
    tool's folders, one climbing out of them (from out/report/screens or out/artifacts/RUN, three
    levels up is the test's own folder)."""
    (tmp_path / "canary").mkdir()
    numbers = [f"{tmp_path / 'canary'}/113-1234567-1234567", "../../../x/113-7654321-7654321"]
    for number in numbers:
        store.add_order(["Canary Mug"], order_id=number, hostile_id=True)
    return numbers


def tool_env(tmp_path: Path) -> dict[str, str | None]:
    return {"ORDERCANCEL_ARTIFACTS_DIR": str(tmp_path / "out" / "artifacts")}


def stray_files(tmp_path: Path) -> list[Path]:
    """Files under the test's folder but outside the tool's own (state, out) and the rules file."""
    ours = (tmp_path / "state", tmp_path / "out", tmp_path / "rules.toml")
    return [p for p in tmp_path.rglob("*") if not p.is_dir() and not any(p.is_relative_to(o) for o in ours)]


def skipped_cards(result: CliResult) -> list[str]:
    return sorted(line["number"] for line in result.logs if line.get("event") == "order_card_skipped")


def test_a_sweep_skips_cards_numbered_with_paths_and_writes_no_file_outside_its_folders(
        store: StoreAdmin, cli: Cli, tmp_path: Path, hostile: list[str]) -> None:
    good = store.add_order(["Canary Mug"])
    (tmp_path / "rules.toml").write_text(RULES)
    report = tmp_path / "out" / "report"

    result = cli("sweep", "--rules", str(tmp_path / "rules.toml"), "--apply", "--report", str(report), "--json",
                 env=tool_env(tmp_path))

    assert result.exit_code == 0, result.stderr[-2000:]
    assert [(o["order_id"], o["state"]) for o in result.json["orders"]] == [(good.id, "cancelled")]
    assert [e["order_id"] for e in store.events("cancel_received")] == [good.id]
    assert all(store.order(number).statuses() == {"ordered"} for number in hostile)
    assert skipped_cards(result) == sorted(shown(number) for number in hostile)
    assert all(len(number) <= 60 for number in skipped_cards(result))
    assert list((tmp_path / "canary").iterdir()) == []
    assert not (tmp_path / "x").exists()
    assert stray_files(tmp_path) == []
    assert (report / "latest" / "screens" / f"{good.id}.jpg").is_file()  # the good order's screen is still there


def test_orders_lists_only_cards_with_order_numbers_and_warns_once_per_other_card(
        store: StoreAdmin, cli: Cli, tmp_path: Path, hostile: list[str]) -> None:
    good = store.add_order(["Canary Mug"])

    result = cli("orders", "--filter", "open", "--json", env=tool_env(tmp_path))

    assert result.exit_code == 0, result.stderr[-2000:]
    listed = [o["order_id"] for o in result.json["orders"]]
    assert good.id in listed and not set(listed) & set(hostile)
    assert skipped_cards(result) == sorted(shown(number) for number in hostile)
    assert list((tmp_path / "canary").iterdir()) == []
    assert stray_files(tmp_path) == []


def test_a_page_of_nothing_but_such_cards_does_not_end_the_walk_through_your_orders(
        store: StoreAdmin, cli: Cli, tmp_path: Path) -> None:
    for n in range(10):  # the newest ten: the whole first page
        store.add_order(["Canary Mug"], order_id=f"../x/{n}/113-1234567-1234567", hostile_id=True,
                        placed_minutes_ago=0.5)
    good = store.add_order(["Canary Mug"], placed_minutes_ago=5)

    result = cli("orders", "--filter", "open", "--json", env=tool_env(tmp_path))

    assert result.exit_code == 0, result.stderr[-2000:]
    assert good.id in [o["order_id"] for o in result.json["orders"]]
    assert len(skipped_cards(result)) == 10
