"""The reports folder without a browser: which runs keep a report, the runs list read back as data,
the index escaped, `latest` replaced, run folders named from the run alone, secrets kept out of
the command line a report shows."""
from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

import pytest

from automation.cli.command_line import _no_credentials, _scheme_only
from automation.files import UnsafeFile, UnsafeName, replace_symlink, run_folder
from automation.order.outcome import Outcome, Result
from automation.runs.batch import BatchSummary, OrderRecord
from automation.runs.report import RunInfo
from automation.runs.report_folder import check_runs_list, index_html, keep_report, read_runs, worth_a_report

ORDER = "113-1234567-1234567"
START = datetime(2026, 12, 1, 23, 50, 12, tzinfo=UTC)


def summary(*records: tuple[str, Outcome, bool]) -> BatchSummary:
    return BatchSummary("0123456789ab", [OrderRecord(ORDER, 1, state, Result(ORDER, outcome, "m"), skipped=skipped)
                                         for state, outcome, skipped in records])


@pytest.mark.parametrize(("kind", "run", "kept"), [
    ("batch", summary(), False),
    ("batch", summary(("cancelled", Outcome.CANCELLED, True)), False),  # an earlier run's
    ("batch", summary(("cancelled", Outcome.CANCELLED, True), ("not_found", Outcome.NOT_FOUND, False)), True),
    ("follow", summary(("decision_pending", Outcome.PENDING, False)), False),  # still waiting
    ("batch", summary(("decision_pending", Outcome.PENDING, False)), True),  # a click the store took pending
    ("follow", summary(("failed", Outcome.ERROR, False)), True),
    ("sweep", summary(("reported", Outcome.CHECKED, False)), False),  # a report rule, said by every sweep
    ("sweep", summary(("would_cancel", Outcome.WOULD_CANCEL, False)), True),
])
def test_only_a_run_that_did_something_keeps_a_report(kind: str, run: BatchSummary, kept: bool) -> None:
    assert worth_a_report(run, kind) is kept


def test_a_run_folder_is_named_by_its_start_and_id_only() -> None:
    assert run_folder(Path("r"), START, "0123456789ab") == Path("r/20261201T235012Z-0123456789ab")
    for bad in ("../../etc", "0123456789AB", "0123456789ab/x", ""):
        with pytest.raises(UnsafeName):
            run_folder(Path("r"), START, bad)


def test_the_runs_list_is_read_as_data_newest_first(tmp_path: Path) -> None:
    good = ('{"run_id": "a", "started": "2026-12-01T10:00:00+00:00", "kind": "batch", "command": "x\u2028y", '
            '"counts": {}, "exit_code": 0, "duration_ms": 5, "folder": "20261201T100000Z-0123456789ab"}')
    newer = good.replace("10:00:00", "11:00:00").replace('"a"', '"b"').replace(
        '"folder": "20261201T100000Z-0123456789ab"', '"folder": "../../outside"')
    runs = read_runs(f"{good}\n{{torn\n\n[1, 2]\n{newer}\n".encode())
    assert [(r.run_id, r.folder) for r in runs] == [("b", None), ("a", "20261201T100000Z-0123456789ab")]
    assert runs[1].command == "x\u2028y"  # split on "\n" only

    hostile = runs[1].__class__(**{**runs[1].__dict__, "command": "<script>alert(1)</script>", "kind": "<b>"})
    page = index_html([hostile], tmp_path)
    assert "<script>alert" not in page and "&lt;script&gt;" in page and "<b>" not in page
    assert "(removed)" in page  # its folder is gone from the disk: not linked


def test_latest_is_replaced_but_a_real_folder_of_that_name_is_left_alone(tmp_path: Path) -> None:
    assert replace_symlink(tmp_path / "latest", "one") is None
    assert replace_symlink(tmp_path / "latest", "two") is None
    assert os.readlink(tmp_path / "latest") == "two" and [p.name for p in tmp_path.iterdir()] == ["latest"]
    (tmp_path / "other").mkdir()
    assert "not a symlink" in (replace_symlink(tmp_path / "other", "two") or "")
    with pytest.raises(UnsafeName):
        replace_symlink(tmp_path / "latest", "../elsewhere")


def test_a_run_with_nothing_to_do_adds_its_line_and_keeps_latest(tmp_path: Path) -> None:
    did = summary(("cancelled", Outcome.CANCELLED, False))
    first = keep_report(did, RunInfo("batch", "ordercancel batch a.csv", did.run_id, START), tmp_path)
    nothing = BatchSummary("ba9876543210")
    assert keep_report(nothing, RunInfo("batch", "ordercancel batch a.csv", nothing.run_id), tmp_path) is None
    assert first is not None and os.readlink(tmp_path / "latest") == first.name
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([first.name, "latest", "runs.jsonl", "index.html"])
    assert len((tmp_path / "runs.jsonl").read_text().split("\n")) == 3  # two lines, and the last one's end


def test_a_report_shows_no_secret_of_a_notification_url_or_the_store_address() -> None:
    assert _scheme_only("mailto://me:hunter2@smtp.example.com?to=a@b.c") == "mailto://…"
    assert _scheme_only("tgram://123456:AAHtoken/chat") == "tgram://…"
    assert _no_credentials("https://me:hunter2@www.amazon.com:8443/x?token=1") == "https://www.amazon.com:8443/x"


def test_a_runs_list_that_is_a_symlink_or_writable_by_others_is_refused_before_any_work(tmp_path: Path) -> None:
    (tmp_path / "elsewhere").write_text("")
    (tmp_path / "runs.jsonl").symlink_to(tmp_path / "elsewhere")
    with pytest.raises(UnsafeFile, match="not a regular file"):
        check_runs_list(tmp_path)
    (tmp_path / "runs.jsonl").unlink()
    (tmp_path / "runs.jsonl").write_text("")
    (tmp_path / "runs.jsonl").chmod(0o666)
    with pytest.raises(UnsafeFile, match="other users can write"):
        check_runs_list(tmp_path)


def test_a_reports_evidence_column_says_how_long_an_order_took_not_a_bare_duration(tmp_path: Path) -> None:
    """The evidence column holds the evidence files, then "took 1.4 sec": a bare "1.4 sec" there read
    as a piece of evidence, and the line break before it stood alone where an order had no files."""
    import re

    from automation.runs.report import _row
    result = Result(ORDER, Outcome.CANCELLED, "m", artifacts=[str(tmp_path / "a" / f"{ORDER}-after.png")],
                    duration_ms=1400)
    with_file = _row(OrderRecord(ORDER, 1, "cancelled", result), tmp_path, "", rules=False)
    without = _row(OrderRecord(ORDER, 1, "cancelled", Result(ORDER, Outcome.CANCELLED, "m", duration_ms=370)),
                   tmp_path, "", rules=False)
    assert re.search(r"<td class=artifacts><a href=\"a/[^\"]+-after.png\">[^<]+</a><br>took 1.4 sec</td>", with_file)
    assert "<td class=artifacts>took 370 ms</td>" in without
