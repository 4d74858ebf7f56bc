"""Robot checks at any address, for the robot_check fault, shaped as the live site's: AWS WAF's
JavaScript challenge (a small page with `window.gokuProps` and a challenge script from the asset
origin, which fetches a token there, sets it as the `aws-waf-token` cookie and reloads), one that
never clears (its token is refused), and the classic CAPTCHA ("Enter the characters you see below")."""
from __future__ import annotations

import base64
import hmac
import json
import secrets

from fastapi import Request
from fastapi.responses import RedirectResponse, Response
from starlette.responses import JSONResponse

from mock_store.model import Session
from mock_store.store import StoreState
from mock_store.web import render, safe_return_to

WAF_COOKIE = "aws-waf-token"
CAPTCHA_PATH = "/errors/validateCaptcha"
CAPTCHA_LETTERS = "ABCDEFGHJKLMNPRTUXY"
# AWS WAF answers with its challenge as 202, and the live site its robot check as 503
CHALLENGE_STATUS = 202
CAPTCHA_STATUS = 503


def robot_check_answer(request: Request, store: StoreState, session: Session) -> Response | None:
    """The robot check this request meets instead of its page, or None. Only pages are checked
    (GET, on the fault's path pattern, if any), and not the CAPTCHA's own answer."""
    faults = store.faults
    if faults.robot_check is None or request.method != "GET" or request.url.path == CAPTCHA_PATH:
        return None
    if faults.robot_check_path is not None and not faults.robot_check_path.search(request.url.path):
        return None
    if faults.robot_check == "captcha":
        if session.robot_check_passed:
            return None
        here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        with store.lock:
            store.injected["robot_check"] += 1
        return captcha(request, session, here)
    if request.cookies.get(WAF_COOKIE) in store.waf_tokens:
        return None
    with store.lock:
        store.injected["robot_check"] += 1
    props = {"key": base64.b64encode(secrets.token_bytes(96)).decode(),
             "iv": base64.b64encode(secrets.token_bytes(12)).decode(), "context": secrets.token_urlsafe(96)}
    return render("waf_challenge.html", request, CHALLENGE_STATUS, goku_props=json.dumps(props))


def captcha(request: Request, session: Session, return_to: str) -> Response:
    session.captcha = "".join(secrets.choice(CAPTCHA_LETTERS) for _ in range(6))
    return render("captcha.html", request, CAPTCHA_STATUS, title="Amazon.com", captcha=session.captcha,
                  return_to=return_to)


def captcha_typed(request: Request, store: StoreState, session: Session) -> Response:
    """A person's answer to the robot-check fault's CAPTCHA: right, and the session passes robot
    checks from now on, back where it was sent from; wrong, and a new one."""
    answer = request.query_params.get("field-keywords", "").strip().upper()
    back = safe_return_to(request.query_params.get("amzn-r"))
    if session.captcha and hmac.compare_digest(answer, session.captcha):
        session.robot_check_passed, session.captcha = True, None
        store.record(session.email, "robot_check", "captcha_passed")
        return RedirectResponse(back, status_code=302)
    return captcha(request, session, back)


async def token(request: Request) -> Response:
    """The asset origin's token service, which the challenge script asks (as AWS WAF's asks its
    host): a token the store then takes as passing, or none for a challenge that never clears."""
    store: StoreState = request.app.state.store
    cross_origin = {"Access-Control-Allow-Origin": "*"}  # asked from the store's pages, another origin
    if store.faults.robot_check == "stuck_challenge":
        return JSONResponse({"error": "challenge not passed"}, status_code=403, headers=cross_origin)
    issued = secrets.token_urlsafe(32)
    with store.lock:
        store.waf_tokens.add(issued)
    return JSONResponse({"token": issued}, headers=cross_origin)
