"""The journal is the user's own file: a journal someone else left in a shared folder, or a symlink
planted there, makes `batch` and `sweep --apply` stop with one line and exit 2 before any sign-in,
with the store's event log as the judge that nothing was clicked."""
from __future__ import annotations

import os
import urllib.parse
from collections.abc import Callable
from pathlib import Path

import pytest

from automation.runs.journal import Journal
from mock_store import seed
from tests.conftest import CliResult
from tests.store_api import StoreAdmin

Cli = Callable[..., CliResult]
NOBODY = 65534
NO_MATCH = '[[rule]]\nname = "nothing"\naction = "cancel"\ntitle = ["no such title anywhere"]\n'


def shared_folder(tmp_path: Path) -> Path:
    """A folder like /tmp: everyone may write in it, the sticky bit keeps each one's files their own."""
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o1777)
    return shared


def plant(store: StoreAdmin, path: Path) -> None:
    """A journal with a row a sweep seemingly left unfinished: resuming it would cancel the whole demo order."""
    journal = Journal(path, urllib.parse.urlsplit(store.url).hostname or "", seed.DEMO_EMAIL.lower())
    journal.enqueue(seed.DEMO_ORDER, {"line": 0, "items": [], "reason": None, "note": None, "rule": "nothing"},
                    "planted", redo=False)
    journal.close()


def runs(tmp_path: Path, journal: Path) -> list[tuple[str, ...]]:
    (tmp_path / "rules.toml").write_text(NO_MATCH)
    (tmp_path / "orders.csv").write_text(f"order_id\n{seed.DEMO_ORDER}\n")
    return [("sweep", "--rules", str(tmp_path / "rules.toml"), "--apply", "--max-cancels", "0", "--journal",
             str(journal)),
            ("batch", str(tmp_path / "orders.csv"), "--journal", str(journal))]


def assert_refused_and_nothing_done(store: StoreAdmin, result: CliResult, says: str) -> None:
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert result.exit_code == 2 and len(errors) == 1, result.stderr[-1500:]
    assert says in errors[0] and "Traceback" not in result.stderr
    assert not store.events("sign_in") and not store.events("cancel_received")


@pytest.mark.parametrize("kind", ["another user's", "world-writable"])
def test_a_journal_planted_in_a_shared_folder_is_refused_and_nothing_is_cancelled(
        store: StoreAdmin, cli: Cli, tmp_path: Path, kind: str) -> None:
    journal = shared_folder(tmp_path) / "journal.sqlite"
    plant(store, journal)
    if kind == "another user's":
        if os.geteuid() != 0:
            pytest.skip("giving a file to another user needs root")
        os.chown(journal, NOBODY, NOBODY)
        says = f"belongs to another user (uid {NOBODY})"
    else:
        journal.chmod(0o666)
        says = "other users can write to it (mode 666)"

    for args in runs(tmp_path, journal):
        assert_refused_and_nothing_done(store, cli(*args), says)
    assert store.order(seed.DEMO_ORDER).statuses() == {"ordered"}


def test_a_wal_planted_beside_the_users_own_journal_is_refused(store: StoreAdmin, cli: Cli, tmp_path: Path) -> None:
    journal = shared_folder(tmp_path) / "journal.sqlite"
    plant(store, journal)
    wal = Path(f"{journal}-wal")
    wal.write_bytes(b"")
    wal.chmod(0o666)

    for args in runs(tmp_path, journal):
        assert_refused_and_nothing_done(store, cli(*args), "journal's wal file")


def test_a_symlink_in_a_shared_folder_is_not_followed_and_its_target_is_not_made(
        store: StoreAdmin, cli: Cli, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir(mode=0o700)
    link = shared_folder(tmp_path) / "journal.sqlite"
    link.symlink_to(elsewhere / "victim.sqlite")

    for args in runs(tmp_path, link):
        assert_refused_and_nothing_done(store, cli(*args), f"through the symlink {link}")
    assert not list(elsewhere.iterdir())
