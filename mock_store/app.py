"""The mock storefront as a FastAPI app: its session and fault middleware, its error pages, and a
router per area (sign-in, Your Orders and Order Details, Cancel items, admin)."""
from __future__ import annotations

import asyncio
import time

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.applications import Starlette
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from mock_store import seed
from mock_store.robot_checks import robot_check_answer, token
from mock_store.routes import admin, cancel, orders, sign_in
from mock_store.store import StoreState
from mock_store.web import (
    HERE,
    ORDERS_PATH,
    SESSION_COOKIE,
    NotFound,
    Redirect,
    message,
    not_found,
    safe_return_to,
    server_error,
)

# Paths that neither count as storefront pages for faults nor carry a shopper session.
UNTRACKED_PREFIXES = ("/healthz", "/__admin")
__all__ = ["create_app", "create_asset_app", "safe_return_to"]


def create_asset_app(store: StoreState | None = None) -> Starlette:
    """The store's asset origin, as the live site's CDN: scripts, styles and images, on an origin
    of their own, referenced by absolute URLs from every page; and the token service of the
    robot-check fault's challenge, as AWS WAF's challenge host has one."""
    app = Starlette(routes=[Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
                            Route("/awswaf/verify", token, methods=["POST"])])
    app.state.store = store or StoreState()
    return app


def create_app(store: StoreState | None = None, *, scenario: str | None = "demo", locale: str = "en",
               marketplace: str = "com",
               admin_token: str | None = None, asset_origin: str = "") -> FastAPI:
    store = store or StoreState(default_locale=locale, default_marketplace=marketplace)
    if scenario:
        store.load(seed.SCENARIOS[scenario](store.now()))
    app = FastAPI(title="mock storefront", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.store = store
    app.state.admin_token = admin_token
    app.state.asset_origin = asset_origin
    app.middleware("http")(sessions_and_faults)
    add_error_pages(app)
    for area in (sign_in, orders, cancel, admin):
        app.include_router(area.router)

    @app.get("/healthz")
    def healthz() -> dict[str, str]:
        return {"status": "ok", "asset_origin": asset_origin}

    @app.get("/")
    def home() -> Response:
        return RedirectResponse(ORDERS_PATH, status_code=302)

    return app


async def sessions_and_faults(request: Request, call_next):  # type: ignore[no-untyped-def]
    """Every storefront request gets its shopper session (a cookie) and, when switched on, the
    store's seeded faults: latency, server error pages and robot checks."""
    if request.url.path.startswith(UNTRACKED_PREFIXES):
        return await call_next(request)
    store: StoreState = request.app.state.store
    faults = store.faults
    with store.lock:
        delay = faults.rng.randint(*faults.latency_ms) / 1000 if faults.latency_ms else 0.0
        fail = faults.error_rate > 0 and faults.rng.random() < faults.error_rate
        store.injected["slow_response"] += delay > 0
        store.injected["server_error"] += fail
        store.requests.append({"method": request.method, "path": request.url.path, "query": request.url.query,
                               "at": time.monotonic(),
                               "host": request.url.hostname, "agent": request.headers.get("user-agent", ""),
                               "navigation": request.headers.get("sec-fetch-mode") == "navigate"})
        session = store.session(request.cookies.get(SESSION_COOKIE))
        fresh = session is None
        if session is None:
            session = store.new_session()
    request.state.session = session
    if delay:
        await asyncio.sleep(delay)
    robot_check = None if fail else robot_check_answer(request, store, session)
    response: Response = server_error(request) if fail else robot_check or await call_next(request)
    if fresh:
        response.set_cookie(SESSION_COOKIE, session.token, httponly=True, samesite="lax", path="/")
    response.headers.setdefault("Cache-Control", "no-store")
    return response


def add_error_pages(app: FastAPI) -> None:
    @app.exception_handler(Redirect)
    async def redirect_handler(request: Request, exc: Redirect) -> Response:
        return RedirectResponse(exc.location, status_code=302)

    @app.exception_handler(NotFound)
    async def not_found_handler(request: Request, exc: NotFound) -> Response:
        store: StoreState = request.app.state.store
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

    @app.exception_handler(RequestValidationError)
    async def bad_body_handler(request: Request, exc: RequestValidationError) -> Response:
        first = exc.errors()[0] if exc.errors() else {"msg": "bad request"}
        where = ".".join(str(p) for p in first.get("loc", ()))
        return JSONResponse({"error": f"{where}: {first.get('msg')}"}, status_code=400)

    @app.exception_handler(Exception)
    async def crash_handler(request: Request, exc: Exception) -> Response:
        return server_error(request)
