"""The sign-in screens: e-mail, password, two-step code, CAPTCHA, device approval, sign-out."""
from __future__ import annotations

import hmac
import secrets

import pyotp
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from mock_store.model import Account, Session
from mock_store.robot_checks import CAPTCHA_PATH, captcha_typed
from mock_store.store import StoreState
from mock_store.web import (
    SESSION_COOKIE,
    SIGN_IN_PATH,
    State,
    check_csrf,
    form_of,
    render,
    safe_return_to,
    words_of,
)

router = APIRouter()
CAPTCHA_LETTERS = "ABCDEFGHJKLMNPRTUXY"


def sign_in_page(request: Request, step: str, return_to: str, email: str = "", error: str | None = None,
                 status: int = 200) -> HTMLResponse:
    t = words_of(request, None)  # the sign-in pages speak the store's language
    return render("signin.html", request, status, title=t["sign_in_title"], step=step, return_to=return_to,
                  email=email, error=error)


def finish_sign_in(store: StoreState, session: Session, account: Account) -> Response:
    with store.lock:
        session.email, session.requests = account.email, 0
        session.pending_email = session.pending_step = session.captcha = None
        # a new session id at privilege change, as real sites do against session fixation
        store.sessions.pop(session.token, None)
        session.token = secrets.token_urlsafe(24)
        store.sessions[session.token] = session
        store.record(account.email, "sign_in", "ok")
    response = RedirectResponse(session.return_to, status_code=302)
    response.set_cookie(SESSION_COOKIE, session.token, httponly=True, samesite="lax", path="/")
    return response


def challenge_for(store: StoreState, account: Account) -> str | None:
    with store.lock:
        forced = store.faults.challenge_next_sign_in
        store.faults.challenge_next_sign_in = None
        store.injected["challenge"] += forced is not None
    if forced:
        return forced
    return account.persona if account.persona in ("captcha", "approval") else None


def captcha_page(request: Request, session: Session) -> HTMLResponse:
    session.captcha = "".join(secrets.choice(CAPTCHA_LETTERS) for _ in range(6))
    return render("captcha.html", request, title="Amazon.com", captcha=session.captcha, return_to=session.return_to)


def after_password(request: Request, store: StoreState, session: Session, account: Account,
                   mfa_done: bool = False) -> Response:
    if account.totp_secret and not mfa_done:
        session.pending_step = "mfa"
        return render("mfa.html", request, title=words_of(request, account)["mfa_title"], return_to=session.return_to,
                      error=None)
    challenge = challenge_for(store, account)
    if challenge == "captcha":
        session.pending_step = "captcha"
        store.record(account.email, "challenge", "captcha")
        return captcha_page(request, session)
    if challenge == "approval":
        session.pending_step = "approval"
        store.record(account.email, "challenge", "approval")
        return render("approval.html", request, title="Amazon", return_to=session.return_to)
    return finish_sign_in(store, session, account)


@router.get(SIGN_IN_PATH)
def sign_in_form(request: Request) -> Response:
    session: Session = request.state.session
    return_to = safe_return_to(request.query_params.get("openid.return_to"))
    if session.email:
        return RedirectResponse(return_to, status_code=302)
    session.return_to = return_to
    session.pending_email = session.pending_step = None
    return sign_in_page(request, "email", return_to)


@router.post(SIGN_IN_PATH)
async def sign_in_submit(request: Request, store: State) -> Response:
    session: Session = request.state.session
    form = await form_of(request)
    check_csrf(session, form.get("appActionToken"))
    session.return_to = safe_return_to(form.get("openid.return_to") or session.return_to)
    if session.pending_step == "mfa" and "otpCode" in form:
        return two_step(request, store, session, form.get("otpCode", ""))
    email = form.get("email", "").strip().lower()
    t = words_of(request, None)
    account = store.accounts.get(email)
    if account is None:
        store.record(email or None, "sign_in_failed", "unknown_email")
        return sign_in_page(request, "email", session.return_to, email, t["unknown_email"])
    if "password" not in form:
        session.pending_email, session.pending_step = email, "password"
        return sign_in_page(request, "password", session.return_to, email)
    if account.persona == "locked" or not hmac.compare_digest(form["password"].encode(), account.password.encode()):
        store.record(email, "sign_in_failed", "wrong_password")
        session.pending_email, session.pending_step = email, "password"
        return sign_in_page(request, "password", session.return_to, email, t["wrong_password"])
    session.pending_email = email
    return after_password(request, store, session, account)


def two_step(request: Request, store: StoreState, session: Session, typed: str) -> Response:
    account = store.accounts.get(session.pending_email or "")
    if account is None or not account.totp_secret:
        raise StarletteHTTPException(400, "no sign-in in progress")
    code = typed.strip().replace(" ", "")
    # codes follow real time, like the authenticator on a phone, whatever the store clock says
    if code.isdigit() and pyotp.TOTP(account.totp_secret).verify(code, valid_window=1):
        return after_password(request, store, session, account, mfa_done=True)
    store.record(account.email, "sign_in_failed", "wrong_otp")
    t = words_of(request, account)
    return render("mfa.html", request, title=t["mfa_title"], return_to=session.return_to, error=t["mfa_wrong"])


def waiting_at(store: StoreState, session: Session, step: str) -> Account | None:
    """The account whose sign-in waits at this step in this session, if any."""
    account = store.accounts.get(session.pending_email or "")
    return account if account is not None and session.pending_step == step else None


@router.get(CAPTCHA_PATH)
def validate_captcha(request: Request, store: State) -> Response:
    session: Session = request.state.session
    account = waiting_at(store, session, "captcha")
    if account is None and session.captcha:  # the robot-check fault's, at an address that is no sign-in
        return captcha_typed(request, store, session)
    if account is None:
        return RedirectResponse(SIGN_IN_PATH, status_code=302)
    answer = request.query_params.get("field-keywords", "").strip().upper()
    if session.captcha and hmac.compare_digest(answer, session.captcha):
        return finish_sign_in(store, session, account)
    store.record(account.email, "challenge", "captcha_failed")
    return captcha_page(request, session)


@router.get("/ap/cvf/approval/poll")
def approval_poll(request: Request, store: State) -> Response:
    session: Session = request.state.session
    account = waiting_at(store, session, "approval")
    if account is None:
        return RedirectResponse(SIGN_IN_PATH, status_code=302)
    if account.email in store.approved:
        store.approved.discard(account.email)
        return finish_sign_in(store, session, account)
    return render("approval.html", request, title="Amazon", return_to=session.return_to)


@router.get("/gp/flex/sign-out.html")
def sign_out(request: Request, store: State) -> Response:
    session: Session = request.state.session
    if session.email:
        store.record(session.email, "sign_out", "ok")
    session.email = None
    return RedirectResponse(SIGN_IN_PATH, status_code=302)
