"""The journal's record of what happened (`changes`, read by `history`), its lock waited for up to
a limit, and `--since` read as a person writes it."""
from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from automation.errors import BadInput, JournalBusy
from automation.runs.history import parse_since, read_history
from automation.runs.journal import Journal, JournalState

NOW = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(("text", "back"), [("90m", timedelta(minutes=90)), ("45min", timedelta(minutes=45)),
                                            ("2h", timedelta(hours=2)), ("7d", timedelta(days=7)),
                                            ("1w", timedelta(weeks=1)), (" 30S ", timedelta(seconds=30))])
def test_since_a_duration_is_that_long_ago(text: str, back: timedelta) -> None:
    assert parse_since(text, NOW) == NOW - back


def test_since_a_date_is_in_local_time_unless_it_says_its_offset() -> None:
    assert parse_since("2025-05-30T14:30+02:00", NOW) == datetime(2025, 5, 30, 12, 30, tzinfo=UTC)
    assert parse_since("2025-05-30", NOW) == datetime(2025, 5, 30).astimezone()


@pytest.mark.parametrize("text", ["yesterday", "-5m", "5 parsecs", "", "2025-13-01", "7d\n1w"])
def test_since_anything_else_is_refused_in_one_line(text: str) -> None:
    with pytest.raises(BadInput, match="^--since must be a duration") as refused:
        parse_since(text, NOW)
    assert "\n" not in str(refused.value)


def test_a_held_journal_is_waited_for_up_to_the_limit_and_its_holder_named(tmp_path: Path) -> None:
    path = tmp_path / "journal.sqlite"
    holder = Journal(path, "store.example", "a@example.com", "batch", "run1")
    try:
        with pytest.raises(JournalBusy) as busy:
            Journal(path, "store.example", "a@example.com", "cancel", "run2", wait_s=0.3)
    finally:
        holder.close()
    assert str(busy.value).startswith(f"another batch run is using the journal {path} (run run1, pid {os.getpid()}, "
                                      "since ")
    assert str(busy.value).endswith("; waited 0.3 s for it (--wait)")
    Journal(path, "store.example", "a@example.com", "cancel", "run2", wait_s=0.3).close()  # free again


def test_each_change_is_kept_with_its_command_rule_and_evidence(tmp_path: Path) -> None:
    path = tmp_path / "journal.sqlite"
    sweep = Journal(path, "store.example", "a@example.com", "sweep", "run1")
    sweep.enqueue("113-0000001-0000001", {"line": 0, "items": [], "rule": "duplicates"}, "run1", redo=False)
    sweep.mark_checking("113-0000001-0000001", "run1")
    sweep.mark_submitting("113-0000001-0000001", [{"item_id": "k1", "title": "Kettle"}])
    sweep.mark_final("113-0000001-0000001", JournalState.FAILED,
                     {"outcome": "error", "message": "no answer", "artifacts": ["/art/113-0000001-0000001-error.png"]})
    sweep.mark_invalid("113-0000002-0000002", {"line": 3}, {"outcome": "bad_input", "message": "no such item"}, "run1")
    sweep.close()

    (invalid, failed) = read_history(path)
    assert (invalid.order_id, invalid.state, invalid.command) == ("113-0000002-0000002", "invalid", "sweep")
    assert [(c.from_state, c.to_state, c.message) for c in invalid.changes] == [("", "invalid", "no such item")]
    assert (failed.command, failed.rule) == ("sweep", "duplicates")
    assert [(c.from_state, c.to_state, c.command, c.rule, c.run_id) for c in failed.changes] == [
        ("checking", "submitting", "sweep", "duplicates", "run1"), ("submitting", "failed", "sweep", "duplicates", "run1")]
    assert failed.changes[0].message == "about to press 'Request cancellation' for Kettle"
    assert failed.changes[1].evidence == ["/art/113-0000001-0000001-error.png"]
    assert read_history(path, order_id="113-0000002-0000002") == [invalid]
    assert read_history(path, since=datetime.now(UTC) + timedelta(minutes=1)) == []
    assert read_history(tmp_path / "none.sqlite") == [] and not (tmp_path / "none.sqlite").exists()


def test_history_and_the_intent_it_shows_speak_the_runs_language(tmp_path: Path) -> None:
    """A Danish run's journal intent and `history`'s own words are Danish (only the journal's
    states and the command names stay as they are everywhere)."""
    from automation.cli.history import plain_lines
    from automation.language import use

    path = tmp_path / "journal.sqlite"
    use("da")
    try:
        journal = Journal(path, "store.example", "a@example.com", "cancel", "run1")
        journal.enqueue("113-0000001-0000001", {"line": 0, "items": []}, "run1", redo=False)
        journal.mark_checking("113-0000001-0000001", "run1")
        journal.mark_submitting("113-0000001-0000001", [{"item_id": "k1", "title": "Kettle"}])
        journal.close()
        (order,) = read_history(path)
        lines = plain_lines(order)
    finally:
        use("en")
    assert lines[0] == "113-0000001-0000001  submitting  af cancel"
    assert lines[1].endswith("  checking -> submitting  cancel  trykker nu på 'Anmod om annullering' for Kettle")
    assert not any("about to press" in line or " by " in line for line in lines)


def test_only_a_finished_row_asked_for_other_items_is_a_new_instruction() -> None:
    from automation.runs.batch import new_instruction
    from automation.runs.journal import Entry

    def entry(state: str, items: list[str]) -> Entry:
        return Entry("113-0000001-0000001", state, 1, {"line": 2, "items": items, "reason": None}, None, None)
    asked = {"line": 5, "items": ["Kettle"], "reason": "mistake"}
    assert new_instruction(entry("cancelled", ["Teapot"]), asked)
    assert not new_instruction(entry("cancelled", ["Kettle"]), asked)  # line and reason are not the instruction
    assert not new_instruction(entry("decision_pending", ["Teapot"]), asked)  # its click is still to be followed
    assert not new_instruction(entry("submitting", ["Teapot"]), asked)  # not finished: read before any press
    assert not new_instruction(None, asked)
