"""Secrets never leave the process, files are private, credentials go only to the store's own host."""
from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from PIL import Image

from mock_store import seed
from tests.conftest import CliResult
from tests.store_api import StoreAdmin

Cli = Callable[..., CliResult]
SECRET_ENV = {"ORDERCANCEL_EMAIL": seed.TOTP_EMAIL, "ORDERCANCEL_PASSWORD": seed.TOTP_PASSWORD,
              "ORDERCANCEL_TOTP_SECRET": seed.TOTP_SECRET}
MAGENTA = (255, 0, 255)  # Playwright's mask colour


def every_file(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()]


def test_a_sign_in_page_on_another_host_gets_no_credentials(store: StoreAdmin, cli: Cli) -> None:
    store.faults(sign_in_host="localhost")  # the store runs on 127.0.0.1; localhost is another host name
    result = cli("cancel", seed.DEMO_ORDER, "--json")
    assert result.exit_code == 5
    assert result.json["outcome"] == "auth_failed" and "no credentials were typed" in result.json["message"]
    assert not store.events("sign_in") and not store.events("sign_in_failed")  # nothing was typed anywhere
    # the order page was fetched first (no redirect followed) and then visited (the redirect blocked):
    # neither way asked the other host for anything
    assert {r["host"] for r in store.requests()} == {"127.0.0.1"}, [(r["host"], r["path"], r["navigation"]) for r in store.requests()]
    assert store.order(seed.DEMO_ORDER).statuses() == {"ordered"}


def test_screenshots_mask_password_fields(store: StoreAdmin, cli: Cli) -> None:
    result = cli("check", seed.DEMO_ORDER, "--json", env={"ORDERCANCEL_PASSWORD": "not-the-password"})
    assert result.exit_code == 5
    (png,) = [Path(p) for p in result.json["artifacts"] if p.endswith(".png")]
    html = Path(png.with_suffix(".html")).read_text()
    assert 'id="ap_password"' in html  # the screen had a password field ...
    image = Image.open(png).convert("RGB")
    pixels = getattr(image, "get_flattened_data", image.getdata)()  # getdata is deprecated in new Pillow
    assert sum(p == MAGENTA for p in pixels) > 2000  # ... and the screenshot covers it


def test_no_secret_or_cookie_anywhere_after_a_batch_with_faults(store: StoreAdmin, cli: Cli, tmp_path: Path) -> None:
    orders = [store.add_order([f"Key {n}"], account=seed.TOTP_EMAIL) for n in range(4)]
    batch = tmp_path / "orders.csv"
    batch.write_text("order_id\n" + "".join(f"{o.id}\n" for o in orders) + "113-0000000-0000001\n")
    store.faults(seed=4, error_rate=0.2, session_ttl_requests=6)  # errors, evidence and sign-ins again
    first = cli("batch", str(batch), "--concurrency", "2", "--json", "--report", str(tmp_path / "report"), "--retries", "3",
                env=SECRET_ENV)
    assert first.exit_code in (0, 1), first.stderr[-2000:]
    store.faults(seed=4, error_rate=1.0)
    traced = cli("cancel", orders[0].id, "--trace", "--json", env=SECRET_ENV)  # an error with evidence
    assert traced.json["artifacts"]

    (session,) = (tmp_path / "state" / "sessions").iterdir()
    cookies = [c["value"] for c in json.loads(session.read_text())["cookies"]]
    secrets = [seed.TOTP_PASSWORD, seed.TOTP_SECRET, *cookies]
    blobs = [first.stdout, first.stderr, traced.stdout, traced.stderr]
    for path in every_file(tmp_path / "state") + every_file(tmp_path / "artifacts") + every_file(tmp_path / "report"):
        assert stat.S_IMODE(path.stat().st_mode) & 0o077 == 0, path  # files 0600 (or tighter)
        if path != session:
            blobs.append(path.read_bytes().decode("latin-1"))
    for folder in [p for p in (tmp_path / "state").rglob("*") if p.is_dir()] + [tmp_path / "report"]:
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700, folder
    assert len(blobs) > 10
    for blob in blobs:
        for secret in secrets:
            assert secret not in blob


def test_a_saved_session_that_is_not_a_storage_state_is_ignored(store: StoreAdmin, cli: Cli, tmp_path: Path) -> None:
    assert cli("login").exit_code == 0
    (session,) = (tmp_path / "state" / "sessions").iterdir()
    for garbage in ('{"cookies": "not a list"}', "[]", "not json at all"):
        session.write_text(garbage)
        assert cli("check", seed.DEMO_ORDER).exit_code == 0
    assert len(store.events("sign_in")) == 4  # the login, then a fresh sign-in each time


# -- folders and files on the user's machine ---------------------------------------------------------

def test_a_world_writable_sticky_folder_given_as_report_is_left_as_it_was(store: StoreAdmin, cli: Cli,
                                                                          tmp_path: Path) -> None:
    report = tmp_path / "shared-report"
    report.mkdir()
    report.chmod(0o1777)
    (tmp_path / "orders.csv").write_text(f"order_id\n{seed.DEMO_ORDER}\n")

    result = cli("batch", str(tmp_path / "orders.csv"), "--report", str(report), "--json")

    assert result.exit_code == 0, result.stderr[-1500:]
    assert stat.S_IMODE(report.stat().st_mode) == 0o1777  # not "made private" behind the user's back
    assert stat.S_IMODE((report / "latest" / "report.html").stat().st_mode) == 0o600


@pytest.mark.parametrize("kind", ["world-writable", "group-writable", "symlink", "another user's"])
def test_a_folder_others_could_tamper_with_is_refused(store: StoreAdmin, cli: Cli, tmp_path: Path, kind: str) -> None:
    folder = tmp_path / "folder"
    folder.mkdir(mode=0o700)
    if kind == "world-writable":
        folder.chmod(0o777)
    elif kind == "group-writable":
        folder.chmod(0o770)
    elif kind == "symlink":
        (tmp_path / "link").symlink_to(folder)
        folder = tmp_path / "link"
    else:
        if os.geteuid() != 0:
            pytest.skip("giving a folder to another user needs root")
        os.chown(folder, 65534, 65534)
    (tmp_path / "orders.csv").write_text(f"order_id\n{seed.DEMO_ORDER}\n")

    uses = [(("batch", str(tmp_path / "orders.csv"), "--report", str(folder)), {}),
            (("check", seed.DEMO_ORDER), {"ORDERCANCEL_STATE_DIR": str(folder)}),
            (("check", seed.DEMO_ORDER), {"ORDERCANCEL_ARTIFACTS_DIR": str(folder)})]
    if kind != "symlink":  # the journal is opened at its resolved path, and that folder is judged
        uses.append((("batch", str(tmp_path / "orders.csv"), "--journal", str(folder / "j.sqlite")), {}))
    for args, env in uses:
        result = cli(*args, env=env)
        errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
        assert result.exit_code == 2 and len(errors) == 1, (args, result.stderr[-800:])
        assert str(folder) in errors[0]
    assert not store.events("sign_in") and not store.events("cancel_received")


def test_a_totp_secret_written_in_groups_works_and_a_bad_one_is_a_setting_error(store: StoreAdmin, cli: Cli) -> None:
    grouped = " ".join(seed.TOTP_SECRET[i:i + 4] for i in range(0, len(seed.TOTP_SECRET), 4)).lower()
    env = {**SECRET_ENV, "ORDERCANCEL_TOTP_SECRET": grouped}

    good = cli("cancel", "113-5555555-5555555", "--json", env=env)
    bad = cli("cancel", "113-5555555-5555555", "--json", env={**env, "ORDERCANCEL_TOTP_SECRET": "not base32 at all!"})

    assert good.exit_code == 0 and store.order("113-5555555-5555555").state == "cancelled"
    assert bad.exit_code == 2 and "bad setting totp_secret" in bad.json["message"]
    assert "base32" not in bad.stdout.split("message")[0] and "not base32 at all" not in bad.stdout


def test_env_files_are_read_only_when_named_or_private_and_never_from_the_working_folder(
        store: StoreAdmin, cli: Cli, tmp_path: Path) -> None:
    no_password: dict[str, str | None] = {"ORDERCANCEL_PASSWORD": None}
    (tmp_path / ".env").write_text(f"ORDERCANCEL_PASSWORD={seed.DEMO_PASSWORD}\n")  # the working folder's
    (tmp_path / ".env").chmod(0o600)
    ignored = cli("check", seed.DEMO_ORDER, "--json", env=no_password)
    named = cli("--env-file", str(tmp_path / ".env"), "check", seed.DEMO_ORDER, "--json", env=no_password)
    (tmp_path / ".env").chmod(0o644)
    readable = cli("--env-file", str(tmp_path / ".env"), "check", seed.DEMO_ORDER, "--json", env=no_password)
    state_env = tmp_path / "state" / ".env"
    state_env.parent.mkdir(mode=0o700, exist_ok=True)
    state_env.write_text(f"ORDERCANCEL_PASSWORD={seed.DEMO_PASSWORD}\n")
    state_env.chmod(0o600)
    cli("logout", env=no_password)  # no saved session: the password must come from STATE_DIR/.env
    from_state = cli("check", seed.DEMO_ORDER, "--json", env=no_password)

    assert ignored.exit_code == 5 and any(line.get("event") == "env_file_ignored" for line in ignored.logs)
    assert named.exit_code == 0 and named.json["outcome"] == "checked"
    assert readable.exit_code == 2 and "chmod 600" in readable.json["message"]
    assert from_state.exit_code == 0


def test_the_store_host_is_logged_before_credentials_are_typed(store: StoreAdmin, cli: Cli) -> None:
    result = cli("check", seed.DEMO_ORDER, "--json")
    events = [line.get("event") for line in result.logs]
    (announce,) = [line for line in result.logs if line.get("event") == "signing_in"]
    assert announce["store_host"] == "127.0.0.1" and events.index("signing_in") < events.index("signed_in")


def test_no_browser_process_inherits_the_secrets(store: StoreAdmin, cli_env: dict[str, str], tmp_path: Path) -> None:
    """Playwright's driver and Chromium are children of the tool; their environments are read from
    /proc while the tool works slowly (the store answers each page after 1.5 s)."""
    store.faults(latency_ms=[1500, 1500])
    env = {**cli_env, **SECRET_ENV}
    tool = subprocess.Popen([sys.executable, "-m", "automation.cli", "check", "113-5555555-5555555", "--json"],
                            cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    seen: dict[int, bytes] = {}
    itself = Path(f"/proc/{tool.pid}/cmdline").read_bytes()
    try:
        while tool.poll() is None and len(seen) < 3:
            for pid in descendants(tool.pid):
                if pid not in seen and (environ := started_environ(pid, itself)) is not None:
                    seen[pid] = environ
    finally:
        tool.communicate(timeout=120)
    assert tool.returncode == 0
    assert len(seen) >= 2  # the driver and at least one browser process
    for environ in seen.values():
        assert seed.TOTP_PASSWORD.encode() not in environ and seed.TOTP_SECRET.encode() not in environ
        assert b"ORDERCANCEL_PASSWORD" not in environ


def started_environ(pid: int, tool: bytes) -> bytes | None:
    """The environment a child process started with; None while it is still a fork of the tool
    (between fork and exec, /proc shows the tool's own first environment, secrets and all: the
    tool's memory, not a new process's), or gone."""
    process = Path(f"/proc/{pid}")
    try:
        before = (process / "cmdline").read_bytes()
        environ = (process / "environ").read_bytes()
        after = (process / "cmdline").read_bytes()
    except OSError:
        return None
    return None if tool in (before, after) else environ


def descendants(root: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for stat_file in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat_file.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat_file.parent.name))
    found, todo = [], [root]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found
