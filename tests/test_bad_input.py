"""A catalogue of hostile and broken inputs: each gets its one-line error and documented exit code,
and nothing is cancelled."""
from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from mock_store import seed
from tests.conftest import CliResult
from tests.store_api import StoreAdmin

Cli = Callable[..., CliResult]
DEMO = seed.DEMO_ORDER


@dataclass(frozen=True)
class Case:
    name: str
    args: tuple[str, ...]
    exit_code: int
    fragment: str
    env: dict[str, str] = field(default_factory=dict)
    file: bytes | None = None  # written to orders file; "{file}" in args names it
    stdin: str | None = None


def cancel(order: str, *extra: str) -> tuple[str, ...]:
    return ("cancel", order, *extra)


HUNDRED_THOUSAND = ("order_id\n" + "".join(f"113-{n:07d}-{n:07d}\n" for n in range(100_000)) + "oops\n").encode()

CASES = [
    # order numbers
    Case("empty order number", cancel(""), 2, "not an order number"),
    Case("too short", cancel("113"), 2, "not an order number"),
    Case("one digit too many", cancel("113-1234567-12345678"), 2, "not an order number"),
    Case("five thousand characters", cancel("9" * 5000), 2, "not an order number"),
    Case("letters", cancel("ABC-1234567-1234567"), 2, "not an order number"),
    Case("full-width digits", cancel("１１３-1234567-1234567"), 2, "not an order number"),
    Case("Arabic-Indic digits", cancel("١١٣-١٢٣٤٥٦٧-١٢٣٤٥٦٧"), 2, "not an order number"),
    Case("Unicode hyphens", cancel("113‐1234567‐1234567"), 2, "not an order number"),
    Case("shell injection", cancel(f"{DEMO}; rm -rf /"), 2, "not an order number"),
    Case("SQL injection", cancel(f"{DEMO}' OR '1'='1"), 2, "not an order number"),
    Case("markup", cancel("<script>alert(1)</script>"), 2, "not an order number"),
    Case("two numbers on two lines", cancel(f"{DEMO}\n113-2345678-2345678"), 2, "not an order number"),
    Case("wrong digital prefix", cancel("D02-1234567-1234567"), 2, "not an order number"),
    Case("path traversal", cancel("../../etc/passwd"), 2, "not an order number"),
    # item selectors, reasons, notes
    Case("empty item", cancel(DEMO, "--item", " "), 2, "--item selector is empty"),
    Case("item with control characters", cancel(DEMO, "--item", "Kettle\x07"), 2, "control characters"),
    Case("item of 300 characters", cancel(DEMO, "--item", "k" * 300), 2, "too long"),
    Case("unknown reason", cancel(DEMO, "--reason", "bored"), 2, "use one of: mistake, too-late"),
    Case("empty reason", cancel(DEMO, "--reason", ""), 2, "unknown reason"),
    Case("reason with injection", cancel(DEMO, "--reason", "OTHER_REASON'; DROP TABLE orders;--"), 2, "unknown reason"),
    Case("note of 256 characters", cancel(DEMO, "--note", "n" * 256), 2, "at most 255"),
    Case("note with a line break", cancel(DEMO, "--note", "line\nbreak"), 2, "control characters"),
    Case("note with a tab", cancel(DEMO, "--note", "tab\there"), 2, "control characters"),
    # settings
    Case("ftp base URL", cancel(DEMO), 2, "bad setting base_url", {"ORDERCANCEL_BASE_URL": "ftp://store.example"}),
    Case("file: base URL", cancel(DEMO), 2, "bad setting base_url", {"ORDERCANCEL_BASE_URL": "file:///etc/passwd"}),
    Case("javascript: base URL", cancel(DEMO), 2, "bad setting base_url", {"ORDERCANCEL_BASE_URL": "javascript:alert(1)"}),
    Case("not a URL", cancel(DEMO), 2, "bad setting base_url", {"ORDERCANCEL_BASE_URL": "store dot example"}),
    Case("credentials in the URL", cancel(DEMO), 2, "must not hold credentials",
         {"ORDERCANCEL_BASE_URL": "http://user:secret@store.example"}),
    Case("negative timeout", cancel(DEMO), 2, "bad setting timeout_s", {"ORDERCANCEL_TIMEOUT_S": "-5"}),
    Case("zero timeout", cancel(DEMO), 2, "bad setting timeout_s", {"ORDERCANCEL_TIMEOUT_S": "0"}),
    Case("timeout that is not a number", cancel(DEMO), 2, "bad setting timeout_s", {"ORDERCANCEL_TIMEOUT_S": "soon"}),
    Case("unknown log format", cancel(DEMO), 2, "bad setting log_format", {"ORDERCANCEL_LOG_FORMAT": "xml"}),
    Case("unknown language", cancel(DEMO), 2, "bad setting language", {"ORDERCANCEL_LANGUAGE": "fr"}),
    Case("unknown marketplace", cancel(DEMO), 2, "bad setting marketplace", {"ORDERCANCEL_MARKETPLACE": "fr"}),
    Case("http browser endpoint", cancel(DEMO), 2, "bad setting browser_endpoint",
         {"ORDERCANCEL_BROWSER_ENDPOINT": "http://127.0.0.1:1/"}),
    Case("asset hosts that are a wildcard", cancel(DEMO), 2, "bad setting asset_hosts", {"ORDERCANCEL_ASSET_HOSTS": "*"}),
    Case("an asset host pattern", cancel(DEMO), 2, "bad setting asset_hosts",
         {"ORDERCANCEL_ASSET_HOSTS": "m.media-amazon.com,*.cloudfront.net"}),
    Case("an empty asset host entry", cancel(DEMO), 2, "an empty entry", {"ORDERCANCEL_ASSET_HOSTS": "a.example,,b.example"}),
    Case("headless that is not a boolean", cancel(DEMO), 2, "bad setting headless", {"ORDERCANCEL_HEADLESS": "maybe"}),
    Case("concurrency 0", ("batch", "{file}", "--concurrency", "0"), 2, "--concurrency", file=b"order_id\n"),
    # batch files
    Case("wrong header", ("batch", "{file}"), 2, "no order_id column", file=b"id,reason\n113-1234567-1234567,\n"),
    Case("unknown column", ("batch", "{file}"), 2, "unknown column(s) evil", file=b"order_id,evil\n113-1234567-1234567,x\n"),
    Case("binary file", ("batch", "{file}"), 2, "looks binary", file=bytes(range(256)) * 4),
    Case("not UTF-8", ("batch", "{file}"), 2, "not UTF-8", file="order_id\n113-1234567-1234567,café\n".encode("latin-1")),
    Case("empty file", ("batch", "{file}"), 2, "is empty", file=b""),
    Case("a line of 70 000 characters", ("batch", "{file}"), 1, "longer than 65536 characters",
         file=b"order_id,note\n113-1234567-1234567," + b"x" * 70_000 + b"\n"),
    Case("JSON line that is an array", ("batch", "{file}.jsonl"), 1, "expected a JSON object", file=b"[1, 2]\n"),
    Case("JSON items that are not a list", ("batch", "{file}.jsonl"), 1, "items must be a list of strings",
         file=json.dumps({"order_id": DEMO, "items": {"a": 1}}).encode() + b"\n"),
    Case("JSON order number that is a number", ("batch", "{file}.jsonl"), 1, "must be strings",
         file=json.dumps({"order_id": 1131234567}).encode() + b"\n"),
    Case("JSON that is not JSON", ("batch", "-"), 1, "not JSON", stdin='{"order_id": "113-1234567-1234567"\n'),
    Case("conflicting repeats", ("batch", "{file}"), 1, "with other items, reason or note",
         file=f"order_id,reason\n{DEMO},mistake\n{DEMO},price\n".encode()),
    Case("100 000 rows, the last bad, strict", ("batch", "{file}", "--strict"), 2, "1 invalid row and --strict",
         file=HUNDRED_THOUSAND),
    Case("a file that does not exist", ("batch", "/nonexistent/orders.csv"), 2, "cannot read /nonexistent/orders.csv"),
    Case("a folder as the file", ("batch", "/tmp"), 2, "cannot read /tmp"),
    Case("a note smuggling an order behind U+2028, strict", ("batch", "{file}", "--strict"), 2,
         "1 invalid row and --strict", file=f"order_id,note\n{DEMO},x\u2028113-2345678-2345678\n".encode()),
    Case("a reason holding U+0085", ("batch", "{file}"), 1, "control character or a line separator",
         file=f"order_id,reason\n{DEMO},mistake\u0085\n".encode()),
    Case("an item holding a form feed", ("batch", "{file}"), 1, "control character or a line separator",
         file=f"order_id,items\n{DEMO},Kettle\x0c\n".encode()),
    Case("an unclosed quote", ("batch", "{file}"), 2, "not valid CSV", file=f'order_id,note\n{DEMO},"open\n'.encode()),
    Case("text after a closing quote", ("batch", "{file}"), 2, "not valid CSV",
         file=f'order_id,note\n{DEMO},"a"b\n'.encode()),
    Case("endless input", ("batch", "/dev/zero"), 2, "looks binary"),
    Case("deeply nested JSON", ("batch", "{file}.jsonl"), 2, "nested too deeply",
         file=b'{"order_id": ' + b"[" * 50_000 + b"\n"),
    Case("TOTP secret that is not base32", cancel(DEMO), 2, "bad setting totp_secret",
         {"ORDERCANCEL_TOTP_SECRET": "0189!!"}),
    Case("env file that does not exist", ("--env-file", "/nonexistent/.env", *cancel(DEMO)), 2,
         "cannot read the env file"),
    Case("env file readable by others", ("--env-file", "/etc/hostname", *cancel(DEMO)), 2, "the env file /etc/hostname"),
    # journal, state and report locations
    Case("journal that is a folder", ("batch", "{file}", "--journal", "/tmp"), 2, "not a usable journal",
         file=f"order_id\n{DEMO}\n".encode()),
    Case("journal that is not SQLite", ("batch", "{file}", "--journal", "{file}.garbage"), 2, "not a usable journal",
         file=f"order_id\n{DEMO}\n".encode()),
    Case("journal below a file", ("batch", "{file}", "--journal", "/etc/hostname/journal.sqlite"), 2,
         "cannot open the journal", file=f"order_id\n{DEMO}\n".encode()),
    Case("state folder that is a file", cancel(DEMO), 2, "cannot use the state folder",
         {"ORDERCANCEL_STATE_DIR": "/etc/hostname"}),
    Case("report folder below a file", ("batch", "{file}", "--report", "/etc/hostname/report"), 2,
         "cannot use the report folder", file=f"order_id\n{DEMO}\n".encode()),
    # usage
    Case("unknown filter", ("orders", "--filter", "everything"), 2, "--filter must be open, cancelled or all"),
    Case("unknown command", ("obliterate", DEMO), 2, "No such command"),
    Case("unknown option", cancel(DEMO, "--force"), 2, "No such option"),
]


def test_the_catalogue_is_big_enough() -> None:
    assert len(CASES) >= 40 and len({c.name for c in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_bad_input_gets_one_line_and_its_exit_code(store: StoreAdmin, cli: Cli, tmp_path: Path, case: Case) -> None:
    file = tmp_path / "orders.csv"
    if case.file is not None:
        for suffix in ("", ".jsonl"):
            Path(f"{file}{suffix}").write_bytes(case.file)
        Path(f"{file}.garbage").write_bytes(b"this is not a database" * 100)
    args = [a.replace("{file}", str(file)) for a in case.args] + ["--json"]

    result = cli(*args, env=case.env, stdin=case.stdin)

    assert result.exit_code == case.exit_code, (result.stdout[-500:], result.stderr[-1500:])
    if result.stdout.startswith("{"):
        message = result.json["message"] if "message" in result.json else json.dumps(result.json)
        text = result.stdout
    else:
        errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
        assert len(errors) == 1, result.stderr[-1500:]  # exactly one line, no traceback
        message = text = errors[0]
        assert "Traceback" not in result.stderr
    if case.exit_code == 2:
        assert "\n" not in message.strip()
    assert case.fragment in text, text[-1500:]
    assert not store.events("cancel_submitted") and not store.events("sign_in")  # nothing cancelled, nothing tried
