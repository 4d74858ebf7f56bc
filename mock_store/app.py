"""The mock storefront as a FastAPI app: the screens of the cancellation flow and the admin API."""
from __future__ import annotations

import asyncio
import base64
import hmac
import secrets
import urllib.parse
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pyotp
from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.applications import Starlette
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles

from mock_store import seed, texts
from mock_store.store import (
    CANCELLATION_REQUESTED,
    CANCELLED,
    DELIVERED,
    OPEN,
    ORDER_ID,
    PREPARING,
    SHIPPED,
    Account,
    Faults,
    Order,
    Session,
    Store,
    StoreError,
)

HERE = Path(__file__).parent
SESSION_COOKIE = "session-token"
SIGN_IN_PATH = "/ap/signin"
ORDERS_PATH = "/your-orders/orders"
DETAILS_PATH = "/your-orders/order-details"
CANCEL_PATH = "/progress-tracker/package/preship/cancel-items"
SUMMARY_PATH = "/progress-tracker/package/preship/cancel-summary"
PAGE_SIZE = 10
MAX_NOTE = 255
MAX_FIELD = 1024
# Paths that neither count as storefront pages for faults nor carry a shopper session.
UNTRACKED_PREFIXES = ("/healthz", "/__admin")

templates = Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=select_autoescape(["html"]),
                        auto_reload=False)
templates.globals["money"] = texts.money


class Redirect(Exception):
    def __init__(self, location: str) -> None:
        self.location = location


class NotFound(Exception):
    pass


def safe_return_to(value: str | None) -> str:
    """Only the store's own paths: '/x' but not '//evil' nor 'https://evil'."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return ORDERS_PATH
    parsed = urllib.parse.urlsplit(value)
    if parsed.scheme or parsed.netloc:
        return ORDERS_PATH
    return value


def create_asset_app() -> Starlette:
    """The store's asset origin, as the live site's CDN: scripts, styles and images, on an origin
    of their own, referenced by absolute URLs from every page."""
    return Starlette(routes=[Mount("/static", StaticFiles(directory=HERE / "static"), name="static")])


def encrypt_card(html: str, key: bytes) -> str:
    """The card as the live site sends it: unreadable until the decryption library runs (any
    reversible scheme serves the mock; this one is XOR with a per-page key)."""
    data = html.encode()
    return base64.b64encode(bytes(b ^ key[i % len(key)] for i, b in enumerate(data))).decode()


def create_app(store: Store | None = None, *, scenario: str | None = "demo", locale: str = "en",
               admin_token: str | None = None, asset_origin: str = "") -> FastAPI:
    store = store or Store(default_locale=locale)
    if scenario:
        store.load(seed.SCENARIOS[scenario](store.now()))
    app = FastAPI(title="mock storefront", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.store = store

    # -- rendering helpers --------------------------------------------------------------------
    def locale_of(account: Account | None) -> str:
        return (account.locale if account and account.locale else None) or store.default_locale

    def render(name: str, request: Request, http_status: int = 200, account: Account | None = None,
               **context: Any) -> HTMLResponse:
        loc = locale_of(account)
        session: Session | None = getattr(request.state, "session", None)
        html = templates.get_template(name).render(
            t=texts.TEXTS[loc], locale=loc, account=account, csrf=session.csrf if session else "", asset=asset_origin,
            **context)
        return HTMLResponse(html, status_code=http_status)

    def message(request: Request, status: int, heading_key: str, body_key: str, page_id: str,
                account: Account | None = None) -> HTMLResponse:
        t = texts.TEXTS[locale_of(account)]
        return render("message.html", request, status, account, title=t[heading_key], heading=t[heading_key],
                      body=t[body_key], page_id=page_id, kind=None)

    def not_found(request: Request, account: Account | None = None) -> HTMLResponse:
        return message(request, 404, "not_found_title", "not_found_body", "g", account)

    def server_error(request: Request) -> HTMLResponse:
        return message(request, 500, "error_title", "error_body", "server-error")

    # -- sessions, faults ---------------------------------------------------------------------
    @app.middleware("http")
    async def storefront(request: Request, call_next):  # type: ignore[no-untyped-def]
        path = request.url.path
        if path.startswith(UNTRACKED_PREFIXES):
            return await call_next(request)
        faults = store.faults
        with store.lock:
            delay = faults.rng.randint(*faults.latency_ms) / 1000 if faults.latency_ms else 0.0
            fail = faults.error_rate > 0 and faults.rng.random() < faults.error_rate
            store.injected["slow_response"] += delay > 0
            store.injected["server_error"] += fail
            session = store.session(request.cookies.get(SESSION_COOKIE))
            fresh = session is None
            if session is None:
                session = store.new_session()
        request.state.session = session
        if delay:
            await asyncio.sleep(delay)
        if fail:
            response: Response = server_error(request)
        else:
            response = await call_next(request)
        if fresh:
            response.set_cookie(SESSION_COOKIE, session.token, httponly=True, samesite="lax", path="/")
        response.headers.setdefault("Cache-Control", "no-store")
        return response

    @app.exception_handler(Redirect)
    async def redirect_handler(request: Request, exc: Redirect) -> Response:
        return RedirectResponse(exc.location, status_code=302)

    @app.exception_handler(NotFound)
    async def not_found_handler(request: Request, exc: NotFound) -> Response:
        session = getattr(request.state, "session", None)
        account = store.accounts.get(session.email) if session and session.email else None
        return not_found(request, account)

    @app.exception_handler(StarletteHTTPException)
    async def http_error_handler(request: Request, exc: StarletteHTTPException) -> Response:
        if request.url.path.startswith("/__admin"):
            return JSONResponse({"error": exc.detail}, status_code=exc.status_code)
        if exc.status_code == 404:
            return not_found(request)
        return message(request, exc.status_code, "error_title", "bad_request", "bad-request")

    @app.exception_handler(Exception)
    async def crash_handler(request: Request, exc: Exception) -> Response:
        return server_error(request)

    def signed_in(request: Request) -> tuple[Session, Account]:
        """The shopper, or a redirect to sign-in that comes back here afterwards."""
        session: Session = request.state.session
        with store.lock:
            account = store.accounts.get(session.email) if session.email else None
            if account is not None and store.faults.session_ttl_requests:
                session.requests += 1
                if session.requests > store.faults.session_ttl_requests:
                    store.record(account.email, "session_expired", "signed_out")
                    store.injected["session_expired"] += 1
                    session.email, session.requests, account = None, 0, None
        if account is None:
            here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            target = f"{SIGN_IN_PATH}?{urllib.parse.urlencode({'openid.return_to': here})}"
            if store.faults.sign_in_host:
                store.injected["foreign_sign_in"] += 1
                target = f"{request.url.scheme}://{store.faults.sign_in_host}:{request.url.port}{target}"
            raise Redirect(target)
        return session, account

    async def form_of(request: Request) -> dict[str, str]:
        form = await request.form()
        values: dict[str, str] = {}
        for key, value in form.multi_items():
            if not isinstance(value, str) or len(key) > 200 or len(value) > MAX_FIELD:
                raise StarletteHTTPException(400, "field too large")
            values[key] = value
        return values

    def check_csrf(session: Session, value: str | None) -> None:
        if not value or not hmac.compare_digest(value, session.csrf):
            raise StarletteHTTPException(403, "bad CSRF token")

    # -- health -------------------------------------------------------------------------------
    @app.get("/healthz")
    def healthz() -> dict[str, str]:
        return {"status": "ok", "asset_origin": asset_origin}

    @app.get("/")
    def home() -> Response:
        return RedirectResponse(ORDERS_PATH, status_code=302)

    # -- sign-in ------------------------------------------------------------------------------
    def sign_in_page(request: Request, step: str, return_to: str, email: str = "", error: str | None = None,
                     status: int = 200) -> HTMLResponse:
        account = None  # the sign-in pages speak the store's language
        t = texts.TEXTS[locale_of(account)]
        return render("signin.html", request, status, title=t["sign_in_title"], step=step,
                      return_to=return_to, email=email, error=error)

    def finish_sign_in(session: Session, account: Account) -> Response:
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

    def challenge_for(account: Account) -> str | None:
        with store.lock:
            forced = store.faults.challenge_next_sign_in
            store.faults.challenge_next_sign_in = None
            store.injected["challenge"] += forced is not None
        if forced:
            return forced
        return account.persona if account.persona in ("captcha", "approval") else None

    def after_password(request: Request, session: Session, account: Account, mfa_done: bool = False) -> Response:
        if account.totp_secret and not mfa_done:
            session.pending_step = "mfa"
            return render("mfa.html", request, title=texts.TEXTS[locale_of(account)]["mfa_title"],
                          return_to=session.return_to, error=None)
        challenge = challenge_for(account)
        if challenge == "captcha":
            session.pending_step = "captcha"
            session.captcha = "".join(secrets.choice("ABCDEFGHJKLMNPRTUXY") for _ in range(6))
            store.record(account.email, "challenge", "captcha")
            return render("captcha.html", request, title="Amazon.com", captcha=session.captcha,
                          return_to=session.return_to)
        if challenge == "approval":
            session.pending_step = "approval"
            store.record(account.email, "challenge", "approval")
            return render("approval.html", request, title="Amazon", return_to=session.return_to)
        return finish_sign_in(session, account)

    @app.get(SIGN_IN_PATH)
    def sign_in_form(request: Request) -> Response:
        session: Session = request.state.session
        return_to = safe_return_to(request.query_params.get("openid.return_to"))
        if session.email:
            return RedirectResponse(return_to, status_code=302)
        session.return_to = return_to
        session.pending_email = session.pending_step = None
        return sign_in_page(request, "email", return_to)

    @app.post(SIGN_IN_PATH)
    async def sign_in_submit(request: Request) -> Response:
        session: Session = request.state.session
        form = await form_of(request)
        check_csrf(session, form.get("appActionToken"))
        session.return_to = safe_return_to(form.get("openid.return_to") or session.return_to)
        if session.pending_step == "mfa" and "otpCode" in form:
            account = store.accounts.get(session.pending_email or "")
            if account is None or not account.totp_secret:
                raise StarletteHTTPException(400, "no sign-in in progress")
            code = form.get("otpCode", "").strip().replace(" ", "")
            # codes follow real time, like the authenticator on a phone, whatever the store clock says
            if code.isdigit() and pyotp.TOTP(account.totp_secret).verify(code, valid_window=1):
                return after_password(request, session, account, mfa_done=True)
            store.record(account.email, "sign_in_failed", "wrong_otp")
            t = texts.TEXTS[locale_of(account)]
            return render("mfa.html", request, title=t["mfa_title"], return_to=session.return_to, error=t["mfa_wrong"])
        email = form.get("email", "").strip().lower()
        t = texts.TEXTS[store.default_locale]
        account = store.accounts.get(email)
        if "password" not in form:
            if account is None:
                store.record(email or None, "sign_in_failed", "unknown_email")
                return sign_in_page(request, "email", session.return_to, email, t["unknown_email"])
            session.pending_email, session.pending_step = email, "password"
            return sign_in_page(request, "password", session.return_to, email)
        if account is None:
            store.record(email or None, "sign_in_failed", "unknown_email")
            return sign_in_page(request, "email", session.return_to, email, t["unknown_email"])
        if account.persona == "locked" or not hmac.compare_digest(form["password"].encode(), account.password.encode()):
            store.record(email, "sign_in_failed", "wrong_password")
            session.pending_email, session.pending_step = email, "password"
            return sign_in_page(request, "password", session.return_to, email, t["wrong_password"])
        session.pending_email = email
        return after_password(request, session, account)

    @app.get("/errors/validateCaptcha")
    def validate_captcha(request: Request) -> Response:
        session: Session = request.state.session
        account = store.accounts.get(session.pending_email or "")
        if account is None or session.pending_step != "captcha":
            return RedirectResponse(SIGN_IN_PATH, status_code=302)
        answer = request.query_params.get("field-keywords", "").strip().upper()
        if session.captcha and hmac.compare_digest(answer, session.captcha):
            return finish_sign_in(session, account)
        store.record(account.email, "challenge", "captcha_failed")
        session.captcha = "".join(secrets.choice("ABCDEFGHJKLMNPRTUXY") for _ in range(6))
        return render("captcha.html", request, title="Amazon.com", captcha=session.captcha,
                      return_to=session.return_to)

    @app.get("/ap/cvf/approval/poll")
    def approval_poll(request: Request) -> Response:
        session: Session = request.state.session
        account = store.accounts.get(session.pending_email or "")
        if account is None or session.pending_step != "approval":
            return RedirectResponse(SIGN_IN_PATH, status_code=302)
        if account.email in store.approved:
            store.approved.discard(account.email)
            return finish_sign_in(session, account)
        return render("approval.html", request, title="Amazon", return_to=session.return_to)

    @app.get("/gp/flex/sign-out.html")
    def sign_out(request: Request) -> Response:
        session: Session = request.state.session
        if session.email:
            store.record(session.email, "sign_out", "ok")
        session.email = None
        return RedirectResponse(SIGN_IN_PATH, status_code=302)

    # -- Your Orders --------------------------------------------------------------------------
    def status_of(order: Order, t: dict[str, str], loc: str) -> tuple[str, str | None]:
        state = order.state(store.now())
        if state == CANCELLED:
            return t["status_cancelled"], t["status_cancelled_detail"]
        if state == CANCELLATION_REQUESTED:
            return t["status_requested"], t["status_requested_detail"]
        if order.digital:
            return t["status_digital"], None
        if state == DELIVERED:
            return t["status_delivered"].format(day=texts.long_date(order.expected_delivery(), loc)), None
        if state == SHIPPED:
            return t["status_shipped"], None
        if state == PREPARING:
            return t["status_preparing"], None
        return t["status_open"].format(day=texts.weekday(order.expected_delivery(), loc)), None

    def buttons_of(order: Order, t: dict[str, str], where: str) -> list[tuple[str, str, bool]]:
        state = order.state(store.now())
        buttons: list[tuple[str, str, bool]] = []
        if state in (OPEN, PREPARING, SHIPPED):
            buttons.append((t["track_package"], f"/gp/your-account/ship-track?orderId={order.id}", True))
        if order.cancellable(store.now()):
            buttons.append((t["cancel_items"], f"{CANCEL_PATH}?orderID={order.id}&ref_=ppx_{where}_cancel_items", False))
            if where == "yo2ov_dt_b":
                buttons.append((t["view_or_edit"], f"{DETAILS_PATH}?orderID={order.id}&ref=ppx_yo2ov_dt_b_fed_veo", False))
        if state == DELIVERED and not order.digital:
            buttons.append((t["return_items"], f"/spr/returns/cart?orderId={order.id}", False))
        return buttons

    TIME_FILTERS = ("last30", "months-3")

    def in_time_filter(order: Order, time_filter: str) -> bool:
        now = store.now()
        if time_filter == "last30":
            return order.placed_at >= now - timedelta(days=30)
        if time_filter.startswith("year-") and time_filter[5:].isdigit():
            return order.placed_at.year == int(time_filter[5:])
        return order.placed_at >= now - timedelta(days=90)

    def orders_page(request: Request, search: str | None = None) -> Response:
        _, account = signed_in(request)
        loc = locale_of(account)
        t = texts.TEXTS[loc]
        query = request.query_params
        time_filter = query.get("timeFilter") or "months-3"
        if time_filter not in TIME_FILTERS and not (time_filter.startswith("year-") and time_filter[5:].isdigit()):
            time_filter = "months-3"
        order_filter = query.get("orderFilter") if query.get("orderFilter") in ("open", "cancelled") else None
        search = (search if search is not None else query.get("search") or "").strip()[:100]
        orders = store.orders_of(account.email)
        if search:
            needle = search.lower()
            orders = [o for o in orders if needle in o.id.lower() or any(needle in i.title.lower() for i in o.items)]
        else:
            orders = [o for o in orders if in_time_filter(o, time_filter)]
        now = store.now()
        if order_filter == "open":
            orders = [o for o in orders if o.state(now) in (OPEN, PREPARING)]
        elif order_filter == "cancelled":
            orders = [o for o in orders if any(i.status == CANCELLED for i in o.items)]
        try:
            start = max(0, int(query.get("startIndex") or 0))
        except ValueError:
            start = 0
        total = len(orders)
        start = min(start, max(0, (total - 1) // PAGE_SIZE * PAGE_SIZE))
        cards = []
        for order in orders[start:start + PAGE_SIZE]:
            status, detail = status_of(order, t, loc)
            cards.append({
                "id": order.id, "placed": texts.long_date(order.placed_at, loc), "total": texts.money(order.total),
                "ship_to": order.ship_to, "status": status, "status_detail": detail,
                "cancelled": order.state(now) == CANCELLED, "products": order.items,
                "buttons": buttons_of(order, t, "yo2ov_dt_b"),
            })
        encrypted = "disableCsd" not in query  # the live site's switch for its plain fallback
        if encrypted:
            key = secrets.token_bytes(16)
            for number, card in enumerate(cards):
                plain = templates.get_template("_order_card.html").render(c=card, t=t)
                card.update(csd_id=f"csd-{secrets.token_hex(4)}-{number}", ct=encrypt_card(plain, key),
                            key=base64.b64encode(key).decode())
        keep = {k: v for k, v in (("timeFilter", query.get("timeFilter")), ("orderFilter", order_filter),
                                  ("search", search or None)) if v}

        def href(index: int) -> str:
            return f"{ORDERS_PATH}?{urllib.parse.urlencode({**keep, 'startIndex': index})}"
        pages = [(n + 1, href(n * PAGE_SIZE), n * PAGE_SIZE == start) for n in range((total + PAGE_SIZE - 1) // PAGE_SIZE)]
        time_filters = [("last30", t["last30"]), ("months-3", t["months3"])] + [
            (f"year-{y}", str(y)) for y in range(now.year, now.year - 4, -1)]
        return render("orders.html", request, account=account, title=t["your_orders"], cards=cards, total=total,
                      pages=pages, prev_href=href(start - PAGE_SIZE) if start > 0 else None,
                      next_href=href(start + PAGE_SIZE) if start + PAGE_SIZE < total else None,
                      time_filters=time_filters, time_filter=time_filter, order_filter=order_filter, search=search,
                      encrypted=encrypted)

    @app.get(ORDERS_PATH)
    def your_orders(request: Request) -> Response:
        return orders_page(request)

    @app.get("/your-orders/search")
    def search_orders(request: Request) -> Response:
        return orders_page(request, request.query_params.get("search") or "")

    @app.get("/gp/css/order-history")
    @app.get("/gp/your-account/order-history")
    def old_order_history(request: Request) -> Response:
        return RedirectResponse(ORDERS_PATH + (f"?{request.url.query}" if request.url.query else ""), status_code=301)

    # -- Order Details ------------------------------------------------------------------------
    def own_order(request: Request, account: Account) -> Order:
        order_id = request.query_params.get("orderID") or request.query_params.get("orderId") or ""
        order = store.order_for(account.email, order_id) if ORDER_ID.match(order_id) else None
        if order is None:
            raise NotFound()
        return order

    def returns_text(order: Order, t: dict[str, str], loc: str) -> str | None:
        if order.digital or order.seller == "third_party" and order.state(store.now()) == OPEN:
            return None
        deadline = order.return_deadline()
        if deadline < store.now():
            return t["return_closed"].format(date=texts.long_date(deadline, loc))
        policy = t["return_free"] if order.free_returns else t["return_paid"]
        return f"{t['return_eligible'].format(date=texts.long_date(deadline, loc))} · {policy}"

    @app.get(DETAILS_PATH)
    @app.get("/gp/your-account/order-details")
    def order_details(request: Request) -> Response:
        _, account = signed_in(request)
        order = own_order(request, account)
        loc = locale_of(account)
        t = texts.TEXTS[loc]
        status, detail = status_of(order, t, loc)
        state = order.state(store.now())
        active = [i for i in order.items if i.status != CANCELLED]
        return render("order_details.html", request, account=account, title=t["order_details"], order=order,
                      fully_cancelled=state == CANCELLED, placed=texts.long_date(order.placed_at, loc),
                      status=status, status_detail=detail, active_items=active,
                      cancelled_items=[i for i in order.items if i.status == CANCELLED],
                      buttons=buttons_of(order, t, "hzod_shipconns_dt_b_fed"),
                      seller=order.seller_name, returns=returns_text(order, t, loc))

    # -- Cancel items -------------------------------------------------------------------------
    def cancel_form(request: Request, account: Account, order: Order, error: str | None = None,
                    status: int = 200) -> HTMLResponse:
        loc = locale_of(account)
        t = texts.TEXTS[loc]
        reasons = [(value, en if loc == "en" else da) for value, en, da in texts.REASONS]
        return render("cancel_items.html", request, status, account, title=t["cancel_title"],
                      items=order.active_items, reasons=reasons, error=error)

    @app.get(CANCEL_PATH)
    def cancel_items(request: Request) -> Response:
        _, account = signed_in(request)
        order = own_order(request, account)
        if not order.cancellable(store.now()):
            # the real site sends a shopper whose order left its window back to the order
            return RedirectResponse(f"{DETAILS_PATH}?orderID={order.id}", status_code=302)
        return cancel_form(request, account, order)

    @app.post(CANCEL_PATH)
    async def cancel_submit(request: Request) -> Response:
        session, account = signed_in(request)
        order = own_order(request, account)
        form = await form_of(request)
        check_csrf(session, form.get("anti-csrftoken-a2z"))
        t = texts.TEXTS[locale_of(account)]
        item_ids = [i.id for i in order.items if i.id in form]
        reason = form.get("cancelReason") or None
        note = form.get("cancelNote") or None
        if reason is not None and reason not in texts.REASON_VALUES:
            raise StarletteHTTPException(400, "unknown reason")
        if note is not None and (len(note) > MAX_NOTE or any(ord(c) < 32 or ord(c) == 127 for c in note)):
            raise StarletteHTTPException(400, "bad note")
        with store.lock:  # every press that reaches the store, whatever becomes of it
            store.record(account.email, "cancel_received", "received", order_id=order.id, items=item_ids)
        if not item_ids:
            return cancel_form(request, account, order, t["cancel_nothing"], 400)
        if order.id in store.faults.apply_cancel_late:
            # the store takes the cancel but answers nothing; it applies it later, on its own clock,
            # whether or not anyone still waits for the answer
            delay = store.faults.late_cancel_ms / 1000
            with store.lock:
                store.injected["late_cancel"] += 1
            asyncio.get_running_loop().call_later(delay, store.cancel, order, item_ids, reason, note)
            await asyncio.sleep(delay + 1)
            return RedirectResponse(f"{DETAILS_PATH}?orderID={order.id}", status_code=303)
        result = store.cancel(order, item_ids, reason, note)
        if result == "refused":
            return cancel_form(request, account, order, t["cancel_refused"])
        guid = secrets.token_hex(8)
        with store.lock:
            store.receipts[guid] = (order.id, item_ids, result)
        if order.id in store.faults.drop_response_after_cancel:
            # the store did cancel, but the answer never arrives
            store.injected["dropped_response"] += 1
            await asyncio.sleep(3600)
        kind = "SUCCESS" if result == "cancelled" else "REQUESTED"
        query = urllib.parse.urlencode({"orderID": order.id, "cancelGuid": guid, "cancelMessageType": kind})
        return RedirectResponse(f"{SUMMARY_PATH}?{query}", status_code=303)

    @app.get(SUMMARY_PATH)
    def cancel_summary(request: Request) -> Response:
        _, account = signed_in(request)
        order = own_order(request, account)
        receipt = store.receipts.get(request.query_params.get("cancelGuid", ""))
        if receipt is None or receipt[0] != order.id:
            raise NotFound()
        _, item_ids, result = receipt
        t = texts.TEXTS[locale_of(account)]
        kind = "SUCCESS" if result == "cancelled" else "REQUESTED"
        return render("cancel_summary.html", request, account=account, title=t["summary_title"], kind=kind,
                      heading=t["cancel_success"] if kind == "SUCCESS" else t["cancel_requested"],
                      body=None if kind == "SUCCESS" else t["cancel_requested_body"],
                      item_status=t["cancelled"] if kind == "SUCCESS" else t["requested"],
                      items=[i for i in order.items if i.id in item_ids])

    # -- admin API ----------------------------------------------------------------------------
    token = admin_token

    def admin(request: Request) -> None:
        supplied = request.headers.get("authorization", "")
        expected = f"Bearer {token}" if token else ""
        if not token or not hmac.compare_digest(supplied.encode(), expected.encode()):
            raise StarletteHTTPException(404, "Not Found")

    async def admin_json(request: Request) -> dict[str, Any]:
        admin(request)
        try:
            doc = await request.json()
        except ValueError as exc:
            raise StarletteHTTPException(400, "body is not JSON") from exc
        if not isinstance(doc, dict):
            raise StarletteHTTPException(400, "body must be a JSON object")
        return doc

    def bad_request(exc: Exception) -> JSONResponse:
        return JSONResponse({"error": str(exc)}, status_code=400)

    @app.post("/__admin/reset")
    async def admin_reset(request: Request) -> Response:
        doc = await admin_json(request)
        try:
            if "scenario" in doc:
                if doc["scenario"] not in seed.SCENARIOS:
                    raise StoreError(f"unknown scenario {doc['scenario']!r}")
                now = datetime.fromisoformat(doc["now"]) if doc.get("now") else store.now()
                store.load({**seed.SCENARIOS[doc["scenario"]](now), **({"now": doc["now"]} if doc.get("now") else {})})
            else:
                store.load(doc)
        except (StoreError, KeyError, TypeError, ValueError) as exc:
            return bad_request(exc)
        return JSONResponse({"accounts": len(store.accounts), "orders": len(store.orders)})

    @app.post("/__admin/orders")
    async def admin_add_orders(request: Request) -> Response:
        doc = await admin_json(request)
        try:
            orders = store.add_orders(doc.get("orders") or [])
        except (StoreError, KeyError, TypeError, ValueError) as exc:
            return bad_request(exc)
        return JSONResponse({"orders": [o.id for o in orders]})

    @app.get("/__admin/orders/{order_id}")
    def admin_order(order_id: str, request: Request) -> Response:
        admin(request)
        order = store.orders.get(order_id)
        if order is None:
            return JSONResponse({"error": "no such order"}, status_code=404)
        with store.lock:
            return JSONResponse(store.admin_view(order))

    @app.post("/__admin/orders/{order_id}/seller-decision")
    async def admin_seller_decision(order_id: str, request: Request) -> Response:
        doc = await admin_json(request)
        order = store.orders.get(order_id)
        if order is None:
            return JSONResponse({"error": "no such order"}, status_code=404)
        store.seller_decides(order, bool(doc.get("accept")))
        return JSONResponse(store.admin_view(order))

    @app.post("/__admin/clock")
    async def admin_clock(request: Request) -> Response:
        doc = await admin_json(request)
        try:
            now = store.set_clock(doc)
        except (StoreError, TypeError, ValueError) as exc:
            return bad_request(exc)
        return JSONResponse({"now": now.isoformat()})

    @app.post("/__admin/faults")
    async def admin_faults(request: Request) -> Response:
        doc = await admin_json(request)
        try:
            faults = Faults.from_document(doc)
        except (StoreError, TypeError, ValueError) as exc:
            return bad_request(exc)
        with store.lock:
            store.faults = faults
        return JSONResponse({"ok": True})

    @app.get("/__admin/faults")
    def admin_fault_counts(request: Request) -> Response:
        admin(request)
        with store.lock:
            return JSONResponse({"injected": dict(store.injected)})

    @app.post("/__admin/approvals")
    async def admin_approve(request: Request) -> Response:
        doc = await admin_json(request)
        store.approved.add(str(doc.get("email", "")).lower())
        return JSONResponse({"ok": True})

    @app.get("/__admin/events")
    def admin_events(request: Request) -> Response:
        admin(request)
        with store.lock:
            return JSONResponse(list(store.events))

    return app
