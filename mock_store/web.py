"""What every screen of the mock store shares: paths, templates and rendering, the store state
as a dependency, the signed-in shopper, forms and CSRF."""
from __future__ import annotations

import hmac
import urllib.parse
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.exceptions import HTTPException as StarletteHTTPException

from mock_store import texts
from mock_store.model import Account, Order, Session
from mock_store.store import StoreState

HERE = Path(__file__).parent
SESSION_COOKIE = "session-token"
SIGN_IN_PATH = "/ap/signin"
ORDERS_PATH = "/your-orders/orders"
DETAILS_PATH = "/your-orders/order-details"
CANCEL_PATH = "/progress-tracker/package/preship/cancel-items"
SUMMARY_PATH = "/progress-tracker/package/preship/cancel-summary"
MAX_FIELD = 1024
ORDER_PAGES = ("order_details.html", "cancel_items.html", "orders.html")  # where the inject_script fault adds its script

templates = Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=select_autoescape(["html"]),
                        auto_reload=False)


class Redirect(Exception):
    def __init__(self, location: str) -> None:
        self.location = location


class NotFound(Exception):
    pass


def store_state(request: Request) -> StoreState:
    return request.app.state.store  # type: ignore[no-any-return]


State = Annotated[StoreState, Depends(store_state)]


def safe_return_to(value: str | None) -> str:
    """Only the store's own paths: '/x' but not '//evil' nor 'https://evil'."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return ORDERS_PATH
    parsed = urllib.parse.urlsplit(value)
    if parsed.scheme or parsed.netloc:
        return ORDERS_PATH
    return value


# -- rendering ---------------------------------------------------------------------------------------

LANGUAGE_COOKIES = ("lc-main", "lc-acbuk", "lc-acbde", "lc-acbse")  # the display language, per marketplace


def voice_of(request: Request, account: Account | None) -> texts.Voice:
    """How this page speaks: the language chosen on the site (its cookie, e.g. lc-acbde=da_DK),
    else the account's, else the store's; on the account's marketplace, else the store's."""
    store = store_state(request)
    chosen = next((request.cookies[name][:2] for name in LANGUAGE_COOKIES if name in request.cookies), None)
    language = chosen if chosen in texts.LANGUAGES else None
    language = language or (account.locale if account and account.locale else None) or store.default_locale
    marketplace = (account.marketplace if account and account.marketplace else None) or store.default_marketplace
    return texts.Voice(language, marketplace)


def words_of(request: Request, account: Account | None) -> dict[str, str]:
    return voice_of(request, account).words


def render(name: str, request: Request, http_status: int = 200, account: Account | None = None,
           **context: Any) -> HTMLResponse:
    voice = voice_of(request, account)
    session: Session | None = getattr(request.state, "session", None)
    faults = store_state(request).faults
    injected = faults.inject_script if name in ORDER_PAGES else None
    html = templates.get_template(name).render(
        t=voice.words, locale=voice.language, account=account, csrf=session.csrf if session else "",
        asset=faults.asset_origin or request.app.state.asset_origin, money=lambda amount: texts.money(amount, voice),
        injected_script=injected, **context)
    return HTMLResponse(html, status_code=http_status)


def message(request: Request, status: int, heading_key: str, body_key: str, page_id: str,
            account: Account | None = None) -> HTMLResponse:
    t = words_of(request, account)
    return render("message.html", request, status, account, title=t[heading_key], heading=t[heading_key],
                  body=t[body_key], page_id=page_id, kind=None)


def not_found(request: Request, account: Account | None = None) -> HTMLResponse:
    return message(request, 404, "not_found_title", "not_found_body", "g", account)


def server_error(request: Request) -> HTMLResponse:
    return message(request, 500, "error_title", "error_body", "server-error")


# -- the shopper -------------------------------------------------------------------------------------

def signed_in(request: Request) -> tuple[Session, Account]:
    """The shopper, or a redirect to sign-in that comes back here afterwards."""
    store = store_state(request)
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


Shopper = Annotated[tuple[Session, Account], Depends(signed_in)]


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


def own_order(request: Request, store: StoreState, account: Account) -> Order:
    """The order the address names, only if it is this shopper's: other accounts' orders do not exist."""
    order_id = request.query_params.get("orderID") or request.query_params.get("orderId") or ""
    order = store.order_for(account.email, order_id)  # a test's hostile_id order is found by its number too
    if order is None:
        raise NotFound()
    return order
