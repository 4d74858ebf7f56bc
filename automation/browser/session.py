"""Signing in: through the store's own screens, once per account, with the session saved for reuse."""
from __future__ import annotations

import hashlib
import json
import urllib.parse
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyotp

from automation.errors import AuthFailed, NeedsHuman, NoCredentials, RobotCheckShown, StoreTrouble
from automation.files import ensure_folder, write_private
from automation.settings import Settings
from pages.common import error_page
from pages.sign_in import SignInPage, SignInStep

if TYPE_CHECKING:
    from playwright.sync_api import BrowserContext, Page

MAX_STEPS = 6


def session_file(settings: Settings) -> Path:
    """One saved session per account and store address."""
    key = hashlib.sha256(f"{settings.base_url}|{(settings.email or '').lower()}".encode()).hexdigest()[:24]
    return settings.state_dir / "sessions" / f"{key}.json"


def load_session(settings: Settings) -> dict[str, Any] | None:
    path = session_file(settings)
    try:
        state = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    # anything but a storage state (cookies and origins) is ignored: the tool signs in again
    if not isinstance(state, dict) or not isinstance(state.get("cookies"), list) or \
            not isinstance(state.get("origins", []), list):
        return None
    return state


def save_session(context: BrowserContext, settings: Settings) -> None:
    ensure_folder(settings.state_dir, "state folder")
    write_private(session_file(settings), json.dumps(context.storage_state()).encode())


def forget_session(settings: Settings) -> bool:
    path = session_file(settings)
    if path.exists():
        path.unlink()
        return True
    return False


def sign_in(page: Page, settings: Settings) -> None:
    """Complete the sign-in the page is showing, then leave the browser where the store sends it."""
    screen = SignInPage(page)
    for _ in range(MAX_STEPS):
        if not screen.is_showing():
            return
        # credentials are typed only into the configured store's own pages
        host = urllib.parse.urlsplit(page.url).hostname
        if host != settings.host:
            raise AuthFailed(f"the sign-in page is on {host}, not on {settings.host}; no credentials were typed")
        shown = screen.read()  # the screen read once per step
        step, error = shown.step, shown.error
        if step in (SignInStep.CAPTCHA, SignInStep.CHALLENGE):
            # a challenge here answers a form the tool sent: passing it reloads, which would send
            # the form (the credentials) again; at an address the tool opened, it is passed
            raise RobotCheckShown(f"the store shows a robot check ({step.value}) at sign-in that only a person may "
                                  "answer")
        if step is SignInStep.APPROVAL:
            raise NeedsHuman(f"the store asks for a {step.value} check that only a person may answer")
        if step is SignInStep.EMAIL:
            if error:
                raise AuthFailed(f"the store says: {error}")
            screen.enter_email(_required(settings.email, "ORDERCANCEL_EMAIL"))
        elif step is SignInStep.PASSWORD:
            if error:
                raise AuthFailed(f"the store says: {error}")
            password = settings.password.get_secret_value() if settings.password else None
            screen.enter_password(_required(password, "ORDERCANCEL_PASSWORD"))
        elif step is SignInStep.TWO_STEP:
            if error:
                raise AuthFailed(f"the store refused the two-step code: {error}")
            if not settings.totp_secret:
                raise NeedsHuman("the store asks for a two-step code and ORDERCANCEL_TOTP_SECRET is not set")
            try:
                code = pyotp.TOTP(settings.totp_secret.get_secret_value()).now()
            except (ValueError, TypeError):
                raise AuthFailed("ORDERCANCEL_TOTP_SECRET is not a valid base32 secret") from None
            screen.enter_code(code)
        elif error_page(page) == "server_error":
            raise StoreTrouble("the store answered a sign-in step with a server error page")
        else:
            raise NeedsHuman("the store shows a sign-in screen the tool does not know")
    raise AuthFailed(f"still on the sign-in screens after {MAX_STEPS} steps")


def _required(value: str | None, variable: str) -> str:
    if not value:
        raise NoCredentials(f"the store asks to sign in and {variable} is not set")  # the fix is its next step
    return value
