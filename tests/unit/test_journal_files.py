"""The journal is the user's own file: another user's journal, one others can write, SQLite's files
beside it planted by someone else, and a symlink someone else could have planted are refused
before anything is read from them; a symlink in the user's own folder still leads to the one lock."""
from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest

from automation.errors import JournalBusy
from automation.files import UnsafeFile, follow_trusted_links
from automation.runs.journal import Journal, JournalUnusable

NOBODY = 65534
as_root = pytest.mark.skipif(os.geteuid() != 0, reason="giving a file to another user needs root")


def folder(path: Path, mode: int) -> Path:
    path.mkdir()
    path.chmod(mode)  # exact, whatever the umask
    return path


def planted_journal(path: Path) -> Path:
    """A real journal with a row a run left pending, as someone could leave one for us to resume."""
    journal = Journal(path, "127.0.0.1", "a@example.com")
    journal.enqueue("113-0000001-0000001", {"items": [], "rule": "anything"}, "theirs", redo=False)
    journal.close()
    return path


def refused(path: Path) -> str:
    with pytest.raises(JournalUnusable) as caught:
        Journal(path, "127.0.0.1", "a@example.com")
    message = str(caught.value)
    assert "\n" not in message
    return message


def test_a_world_writable_journal_is_refused_and_left_as_it_was(tmp_path: Path) -> None:
    journal = planted_journal(tmp_path / "journal.sqlite")
    journal.chmod(0o666)
    before = journal.read_bytes()

    assert "other users can write to it (mode 666)" in refused(journal)
    assert journal.read_bytes() == before


def test_a_group_writable_journal_is_refused(tmp_path: Path) -> None:
    journal = planted_journal(tmp_path / "journal.sqlite")
    journal.chmod(0o620)
    assert "other users can write to it (mode 620)" in refused(journal)


@as_root
def test_another_users_journal_is_refused_even_when_private(tmp_path: Path) -> None:
    journal = planted_journal(folder(tmp_path / "shared", 0o1777) / "journal.sqlite")
    os.chown(journal, NOBODY, NOBODY)
    assert f"belongs to another user (uid {NOBODY})" in refused(journal)


@as_root
@pytest.mark.parametrize("suffix", ["-wal", "-shm", "-journal"])
def test_sqlite_files_beside_the_journal_planted_by_another_user_are_refused(tmp_path: Path, suffix: str) -> None:
    journal = planted_journal(tmp_path / "journal.sqlite")
    sidecar = Path(f"{journal}{suffix}")
    sidecar.write_bytes(b"\0" * 64)
    os.chown(sidecar, NOBODY, NOBODY)

    assert f"journal's {suffix[1:]} file" in refused(journal)
    assert sidecar.read_bytes() == b"\0" * 64  # SQLite never opened it


def test_a_world_writable_wal_is_refused(tmp_path: Path) -> None:
    journal = planted_journal(tmp_path / "journal.sqlite")
    wal = Path(f"{journal}-wal")
    wal.write_bytes(b"")
    wal.chmod(0o666)
    assert "journal's wal file" in refused(journal)


def test_a_fifo_as_the_journal_is_refused_without_waiting(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "journal.sqlite", 0o600)
    assert "not a regular file" in refused(tmp_path / "journal.sqlite")


@pytest.mark.parametrize("mode", [0o1777, 0o777, 0o770], ids=["sticky", "world-writable", "group-writable"])
def test_a_symlink_in_a_folder_others_can_write_is_not_followed(tmp_path: Path, mode: int) -> None:
    elsewhere = folder(tmp_path / "elsewhere", 0o700)
    shared = folder(tmp_path / "shared", mode)
    (shared / "journal.sqlite").symlink_to(elsewhere / "victim.sqlite")

    message = refused(shared / "journal.sqlite")

    assert f"through the symlink {shared / 'journal.sqlite'}" in message
    assert not (elsewhere / "victim.sqlite").exists()


@as_root
def test_a_symlink_in_another_users_folder_is_not_followed(tmp_path: Path) -> None:
    elsewhere = folder(tmp_path / "elsewhere", 0o700)
    theirs = folder(tmp_path / "theirs", 0o755)
    (theirs / "state").symlink_to(elsewhere)
    os.chown(theirs, NOBODY, NOBODY)

    assert "through the symlink" in refused(theirs / "state" / "journal.sqlite")
    assert not list(elsewhere.iterdir())


def test_symlinks_in_the_users_own_folders_are_followed_to_the_real_file(tmp_path: Path) -> None:
    real = folder(tmp_path / "real", 0o700)
    (tmp_path / "folder-link").symlink_to("real")  # relative, as people write them
    (real / "journal-link.sqlite").symlink_to(real / "journal.sqlite")

    assert follow_trusted_links(tmp_path / "folder-link" / "journal-link.sqlite", "journal") == real / "journal.sqlite"
    assert follow_trusted_links(tmp_path / "folder-link" / ".." / "real" / "new.sqlite", "journal") == \
        real / "new.sqlite"


def test_a_symlink_loop_is_one_line_not_a_hang(tmp_path: Path) -> None:
    (tmp_path / "a").symlink_to(tmp_path / "b")
    (tmp_path / "b").symlink_to(tmp_path / "a")
    with pytest.raises(UnsafeFile, match="too many symlinks"):
        follow_trusted_links(tmp_path / "a" / "journal.sqlite", "journal")


def test_two_paths_to_one_journal_through_the_users_own_symlinks_meet_at_one_lock(tmp_path: Path) -> None:
    real = folder(tmp_path / "real", 0o700)
    (real / "link.sqlite").symlink_to(real / "journal.sqlite")
    (tmp_path / "folder-link").symlink_to(real)
    holder = Journal(real / "journal.sqlite", "127.0.0.1", "a@example.com")
    try:
        for other in (real / "link.sqlite", tmp_path / "folder-link" / "journal.sqlite"):
            with pytest.raises(JournalBusy):
                Journal(other, "127.0.0.1", "a@example.com")
    finally:
        holder.close()
    again = Journal(real / "link.sqlite", "127.0.0.1", "a@example.com")  # free again: the same file, not a new one
    assert again.path == real / "journal.sqlite"
    again.close()
    assert (real / "link.sqlite").is_symlink()


def test_a_journal_made_by_the_tool_is_private_and_so_are_its_sqlite_files(tmp_path: Path) -> None:
    journal = Journal(tmp_path / "new" / "journal.sqlite", "127.0.0.1", "a@example.com")
    try:
        journal.enqueue("113-0000001-0000001", {"items": []}, "run", redo=False)
        made = list((tmp_path / "new").iterdir())
        assert made and all(p.stat().st_mode & 0o777 == 0o600 for p in made)
    finally:
        journal.close()
    with sqlite3.connect(tmp_path / "new" / "journal.sqlite") as db:
        assert db.execute("SELECT state FROM orders").fetchall() == [("pending",)]
