"""Build the FastAPI application: settings, store, snapshot, routes and the one error shape."""

from __future__ import annotations

import logging

import json
from pathlib import Path

import fastapi_offline
from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from graphsvc import __version__
from graphsvc.api.auth import AuthGate
from graphsvc.api.deps import accept_language, reject_unknown_query, request_lang
from graphsvc.api.schemas import ErrorBody
from graphsvc.api.uploads import BodyLimit, BodyTooLarge, import_slots
from graphsvc.auth import AuthDB, open_auth
from graphsvc.auth.keys import KeyChecker
from graphsvc.errors import GraphsvcError, Text, error_body
from graphsvc.settings import Settings
from graphsvc.snapshot import Snapshot
from graphsvc.store import open_store
from graphsvc.store.base import GraphStore

log = logging.getLogger("graphsvc.api")

DESCRIPTION = """Map a community's complementary resources, connect them, and show them.

Every error has the same shape: `{"error": {"code": ..., "message": ..., "detail": {...}}}`,
and one status per kind of error:

- **404 `not_found`**: the path names nothing: an unknown id in the path (`/actors/{id}`,
  `/initiatives/{id}`), an unknown route or view; also an id given in a query parameter that no
  actor, initiative or need has (`?seeker=`, `?source=`, `?initiative=`, `?focus=`), and a path
  between two actors that does not exist.
- **422 `invalid_input`**: a query parameter this route does not take (the message lists the
  ones it does), a value outside its vocabulary (an unknown district, category, kind or
  language, a number out of range), a body that breaks the domain model.
  **422 `unknown_reference`**: a write that refers to an id nobody has.
- **401 `unauthorized`**: keys are configured and the request has no credential, or a wrong,
  unknown or revoked key or session (`Authorization: Bearer <key>`, or sign in at `/session`).
- **403 `forbidden`**: the key's role may not do this (`detail.needs` names the role needed).
  **403 `csrf_failed`**: a write with the session cookie but without its `X-CSRF-Token`, or
  from another origin.
- **429 `too_many_attempts`**: too many sign-ins (or first uses of a key) from this address or
  in all; try again after `Retry-After` seconds.
- **400 `host_not_allowed`**: the `Host` header names no host this server answers
  (`GRAPHSVC_ALLOWED_HOSTS`); a page elsewhere cannot reach the API by DNS rebinding.
- **403 `origin_not_allowed`**: a write sent by a browser from a page of another site.
- **405 `method_not_allowed`**: the path exists but not for this method (`Allow` lists those
  it takes).
- **413 `payload_too_large`**: a body over `GRAPHSVC_MAX_BODY_MB`, an upload over
  `GRAPHSVC_MAX_UPLOAD_MB`; refused as it arrives, nothing is read.
- **503 `store_unavailable`**: the database refused or cannot be reached.
  **503 `import_busy`**: `GRAPHSVC_MAX_CONCURRENT_IMPORTS` imports are running; try again after
  `Retry-After` seconds.
- **500 `internal_error`**: a bug; the trace is in the server log, never in the answer.
"""


def create_app(settings: Settings | None = None, store: GraphStore | None = None,
               auth: AuthDB | None = None) -> FastAPI:
    from graphsvc.api.routes import (
        actors, analysis, districts, docs, health, imports, initiatives, maps, match, merges,
    )
    from graphsvc.api.routes import coverage, workbench
    from graphsvc.api.routes import audit, session

    settings = settings or Settings()
    # /docs and /redoc serve Swagger UI and ReDoc from the package (fastapi-offline's files),
    # not a CDN: the service must be usable on an offline municipal PC. routes/docs.py serves
    # both pages, each with a CSP of its own, and keeps ReDoc's logo off the CDN too.
    app = GraphsvcAPI(settings, title="graphsvc", version=__version__, description=DESCRIPTION,
                      docs_url=None, redoc_url=None,
                      dependencies=[Depends(reject_unknown_query)])
    app.mount(STATIC_DOCS, StaticFiles(directory=OFFLINE_FILES), name="static-offline-docs")
    app.state.settings = settings
    app.state.import_slots = import_slots(settings)
    app.state.store = store or open_store(settings.store, settings)
    app.state.snapshot = Snapshot(app.state.store)
    # Keys, sessions and the audit log: a database of their own (graphsvc/auth/db.py).
    app.state.auth = auth or open_auth(settings)
    app.state.key_checker = KeyChecker(app.state.auth)

    for module in (health, actors, initiatives, match, analysis, imports, maps, docs, districts,
                   merges, coverage, workbench):
        app.include_router(module.router, responses=ERROR_RESPONSES)
    for module in (session, audit):
        app.include_router(module.router, responses=ERROR_RESPONSES)

    # "/" is the workbench (routes/workbench.py); /maps/network.html stays the plain map.

    @app.exception_handler(GraphsvcError)
    async def graphsvc_error(request: Request, exc: GraphsvcError) -> JSONResponse:
        return JSONResponse(exc.to_dict(request_lang(request)), status_code=exc.status,
                            headers=getattr(exc, "headers", None))

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> JSONResponse:
        problems = [
            {"where": ".".join(str(p) for p in e["loc"]), "message": e["msg"]} for e in exc.errors()
        ]
        first = problems[0] if problems else {"where": "request", "message": "invalid"}
        lang = request_lang(request)
        # pydantic's own words stay English: they name the rule broken (a planner rarely
        # meets them; the CLI and the maps check their input themselves).
        if any(e["loc"][:1] == ("path",) for e in exc.errors()):
            # /maps/nothing.html names no resource, like /no/such/route: 404, not 422.
            text = Text("error.not_found.path", path=request.url.path, problem=first["message"])
            return JSONResponse(error_body("not_found", text.in_(lang), {"problems": problems}),
                                status_code=404)
        text = Text("error.invalid_request", where=first["where"], problem=first["message"])
        return JSONResponse(error_body("invalid_input", text.in_(lang), {"problems": problems}),
                            status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        if isinstance(exc, BodyTooLarge):
            return JSONResponse(exc.body(request_lang(request)), status_code=413,
                                headers={"Connection": "close"})
        headers = exc.headers
        if exc.status_code == 405:  # every method the path takes, not just one route's
            headers = {**(headers or {}), "Allow": ", ".join(allowed_methods(request))}
        code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
        text = {404: Text("error.not_found.route", path=request.url.path),
                405: Text("error.method_not_allowed", method=request.method,
                          path=request.url.path)}.get(
            exc.status_code, Text("error.http", status=exc.status_code, text=str(exc.detail)))
        return JSONResponse(error_body(code, text.in_(request_lang(request))),
                            status_code=exc.status_code, headers=headers)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.error("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
        return JSONResponse(error_body("internal_error",
                                       Text("error.internal").in_(request_lang(request))),
                            status_code=500)

    return app


def allowed_methods(request: Request) -> list[str]:
    """The methods some route takes at this path (``Allow`` of a 405), HEAD with GET."""
    methods: set[str] = set()
    routes = list(request.app.router.routes)
    while routes:  # included routers (no prefix of their own here) hold the routes
        route = routes.pop()
        if hasattr(route, "original_router"):
            routes += route.original_router.routes
        elif getattr(route, "methods", None) and \
                route.matches({**request.scope, "method": "GET"})[0] != Match.NONE:
            methods |= set(route.methods)
    if "GET" in methods:
        methods.add("HEAD")
    return sorted(methods)


def document_as_served(schema: dict) -> dict:
    """Make the generated OpenAPI say what the server does where FastAPI's generation does
    not: every error is JSON, also on routes that answer HTML, PDF, SVG or PNG."""
    error = {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorBody"}}}
    for operations in schema.get("paths", {}).values():
        for operation in operations.values():
            for status, response in operation.get("responses", {}).items():
                if status.isdigit() and int(status) in ERROR_RESPONSES:
                    response["content"] = error
    return schema


def _error_response(description: str) -> dict:
    return {"model": ErrorBody, "description": description}


# Every route may answer these, in the one error shape (DESCRIPTION says when).
ERROR_RESPONSES: dict[int | str, dict] = {
    400: _error_response("`host_not_allowed`: the Host header names no allowed host"),
    401: _error_response("`unauthorized`: no credential, or a wrong or revoked key or session"),
    403: _error_response("`forbidden`: a role too small (`detail.needs`); `csrf_failed`: a "
                         "cookie write without its CSRF token; `origin_not_allowed`: a write "
                         "from a page of another site"),
    404: _error_response("`not_found`: an id, view or path that names nothing"),
    413: _error_response("`payload_too_large`: a body or upload over its limit"),
    422: _error_response("`invalid_input`, `unknown_reference`, `import_failed`: the request "
                         "breaks a rule, names an unknown parameter or a value the data does not "
                         "hold"),
    500: _error_response("`internal_error`: a bug (the trace is in the server log)"),
    429: _error_response("`too_many_attempts`: too many sign-in attempts (`Retry-After`)"),
    503: _error_response("`store_unavailable`, `import_busy`: try again later"),
}


# ---- serving safely: every response, before any route runs ----------------------------------

STATIC_DOCS = "/static-offline-docs"
OFFLINE_FILES = str(Path(fastapi_offline.__file__).parent / "static")

# JSON, PDF, SVG, PNG and errors load nothing and run nothing; a page that does (the maps,
# /docs, /redoc) sends a policy of its own, and gets ``frame-ancestors 'none'`` added.
DEFAULT_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
SECURITY_HEADERS = {
    b"x-content-type-options": b"nosniff",
    b"referrer-policy": b"no-referrer",
    b"x-frame-options": b"DENY",
    b"cross-origin-resource-policy": b"same-origin",
}


class GraphsvcAPI(FastAPI):
    """FastAPI with the serving guards outside everything else, so even the answer to a bug
    (500) or to a refused host carries the security headers, and nobody without the right role
    gets a byte of a body read:
    ``SecurityHeaders(HostCheck(AuthGate(BodyLimit(FastAPI's own stack))))``."""

    def __init__(self, settings: Settings, **kwargs) -> None:
        super().__init__(**kwargs)
        self.graphsvc_settings = settings

    def openapi(self) -> dict:
        if self.openapi_schema is None:
            document_as_served(super().openapi())
        return self.openapi_schema

    def build_middleware_stack(self) -> ASGIApp:
        inner = super().build_middleware_stack()
        return SecurityHeaders(HostCheck(AuthGate(BodyLimit(inner, self.graphsvc_settings),
                                                  self), self.graphsvc_settings))


class SecurityHeaders:
    """``nosniff``, ``no-referrer``, no framing, and a CSP on every HTTP response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", ()))
                names = {name.lower() for name, _ in headers}
                headers += [(k, v) for k, v in SECURITY_HEADERS.items() if k not in names]
                csp = next((i for i, (k, _) in enumerate(headers)
                            if k.lower() == b"content-security-policy"), None)
                if csp is None:
                    headers.append((b"content-security-policy", DEFAULT_CSP.encode()))
                elif b"frame-ancestors" not in headers[csp][1]:
                    headers[csp] = (headers[csp][0],
                                    headers[csp][1].rstrip(b"; ") + b"; frame-ancestors 'none'")
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)


def request_host(scope: Scope) -> str:
    """The host a request names in its ``Host`` header, without the port, lower-case.

    >>> request_host({"headers": [(b"host", b"[::1]:8000")]})
    '::1'
    >>> request_host({"headers": [(b"host", b"Localhost:8000")]})
    'localhost'
    """
    raw = dict(scope.get("headers", ())).get(b"host", b"").decode("latin-1").strip().lower()
    if raw.startswith("["):
        return raw[1:].partition("]")[0]
    return raw.rpartition(":")[0] if raw.count(":") == 1 else raw


def host_allowed(host: str, allowed: list[str]) -> bool:
    """TrustedHostMiddleware's rule: an exact name, ``*.example.org`` for its subdomains, or
    ``*`` for any.

    >>> host_allowed("kart.kommune.no", ["*.kommune.no"])
    True
    >>> host_allowed("kommune.no.evil", ["*.kommune.no"])
    False
    """
    for pattern in allowed:
        if pattern == "*" or host == pattern:
            return True
        if pattern.startswith("*.") and host.endswith(pattern[1:]):
            return True
    return False


class HostCheck:
    """Answer only requests whose ``Host`` is one of ``Settings.trusted_hosts()`` (or the very
    address the connection reached, which the server reports from its socket: an IP address,
    which DNS rebinding cannot borrow). Anything else is 400 before any route runs, so a page
    on ``attacker.example`` resolving to 127.0.0.1 cannot read or erase anything. (A write
    from a page of another origin is refused next, by ``api/auth.py``, which records it.)"""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.settings = settings
        self.allowed = settings.trusted_hosts()

    def _answered(self, host: str, scope: Scope) -> bool:
        server = scope.get("server")
        own = str(server[0]).strip("[]").lower() if server else None
        return bool(host) and (host == own or host_allowed(host, self.allowed))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers", ()))
        lang = accept_language(headers.get(b"accept-language", b"").decode("latin-1")) \
            or self.settings.lang
        host = request_host(scope)
        if not self._answered(host, scope):
            shown = host if len(host) <= 60 else host[:57] + "..."
            text = Text("error.host_not_allowed", host=shown, allowed=", ".join(self.allowed),
                        setting="GRAPHSVC_ALLOWED_HOSTS")
            await _refuse(scope, send, 400, error_body("host_not_allowed", text.in_(lang),
                                                       {"host": shown}))
            return
        await self.app(scope, receive, send)


async def _refuse(scope: Scope, send: Send, status: int, error: dict) -> None:
    if scope["type"] == "websocket":
        await send({"type": "websocket.close", "code": 1008})
        return
    body = json.dumps(error, ensure_ascii=False).encode("utf-8")
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"),
                            (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})
