"""Secrets never leave the process, files are private, credentials go only to the store's own host."""
from __future__ import annotations

import json
import stat
from collections.abc import Callable
from pathlib import Path

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
    first = cli("batch", str(batch), "--json", "--report", str(tmp_path / "report"), "--retries", "3", env=SECRET_ENV)
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
