"""Who may call what: every request's principal, the one role table, CSRF, and the audit log.

:class:`AuthGate` (ASGI middleware, inside the host check, outside the body limit) runs before
any route reads a byte of the body:

1. the principal: with no key ever created, ``local`` with every right (names as
   ``GRAPHSVC_SHOW_NAMES`` says); else the key in ``Authorization: Bearer``, or the browser
   session in the ``graphsvc_session`` cookie;
2. a write from a page of another site (its ``Origin``) is 403 ``origin_not_allowed``;
3. the role the route needs (:func:`needed_role`: :data:`PUBLIC` routes none, :data:`ADMIN`
   routes admin, other GET/HEAD viewer, every other method editor); none → 401
   ``unauthorized``, too small → 403 ``forbidden`` (``detail.needs``);
4. a write authenticated by the cookie must repeat the session's ``X-CSRF-Token`` and come from
   the same origin (if it says), else 403 ``csrf_failed``;
5. the audit log gets every write, import, export, erasure, sign-in and refusal, with the
   status the route answered and the store revision after it.

The principal is in ``request.state.principal`` (``deps.PrincipalDep``); its ``names`` decides
whether individuals are named in the answer.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from http.cookies import SimpleCookie
from urllib.parse import urlsplit

import anyio
from starlette.routing import BaseRoute, Match, Mount
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from graphsvc.auth import AuthDB, Principal, at_least, audit, local_principal
from graphsvc.auth.keys import KeyChecker, key_id
from graphsvc.auth.limits import take_attempt
from graphsvc.auth.sessions import COOKIE, session_principal
from graphsvc.auth.texts import role_name
from graphsvc.errors import (
    CsrfFailed, Forbidden, GraphsvcError, TooManyAttempts, Unauthorized,
)
from graphsvc.settings import Settings

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
CSRF_HEADER = "X-CSRF-Token"

# The one role table. Every route not named here: GET/HEAD → viewer, any other method →
# editor (so a new GET route is readable by viewers with no change here).
PUBLIC: frozenset[tuple[str, str]] = frozenset({
    ("GET", "/health"), ("GET", "/"),
    ("GET", "/session"), ("POST", "/session"), ("DELETE", "/session"),
    ("GET", "/docs"), ("GET", "/docs/oauth2-redirect"), ("GET", "/redoc"),
    ("GET", "/redoc/redoc.standalone.js"), ("GET", "/openapi.json"),
    ("GET", "/workbench/static/{name}"),  # the workbench's scripts and styles (no data)
})
"""No credential needed (a static-files mount, e.g. the workbench's assets, is public too)."""
ADMIN: frozenset[tuple[str, str]] = frozenset({
    ("DELETE", "/actors/{actor_id}"),
    ("GET", "/actors/{actor_id}/export"),
    ("GET", "/audit"),
})
"""Erasure, the right-of-access export, and the audit log."""
ADMIN_PREFIXES = ("/keys", "/audit")
"""Any route under these, whatever its method: managing keys and reading the audit log."""

# Writes whose target ids are in a small JSON body: the audit log names them (the body is
# peeked at as the route reads it, at most BODY_PEEK bytes).
BODY_TARGETS: dict[tuple[str, str], tuple[str, ...]] = {
    ("POST", "/merges"): ("keep", "other"),
    ("POST", "/keep-apart"): ("a", "b"),
}
BODY_PEEK = 4096

# What the audit log calls a route's work (any other write is "write").
ACTIONS: dict[tuple[str, str], str] = {
    ("DELETE", "/actors/{actor_id}"): "erase",
    ("GET", "/actors/{actor_id}/export"): "export",
    ("POST", "/imports"): "import",
    ("POST", "/districts"): "import",
}


def iter_routes(routes: list[BaseRoute]) -> Iterator[BaseRoute]:
    """Every route of an app, those of included routers too (FastAPI keeps them nested)."""
    for route in routes:
        if hasattr(route, "original_router"):
            yield from iter_routes(route.original_router.routes)
        else:
            yield route


def route_template(route: BaseRoute) -> str:
    return getattr(route, "path_format", None) or getattr(route, "path", "")


def match_route(routes: list[BaseRoute], scope: Scope) -> tuple[BaseRoute | None, dict]:
    """The route this request reaches and its path parameters (None: 404 or 405 follows)."""
    for route in iter_routes(routes):
        matched, child = route.matches(scope)
        if matched == Match.FULL:
            return route, child.get("path_params", {})
    return None, {}


def needed_role(method: str, route: BaseRoute | None) -> str | None:
    """The least role that may call ``method`` on ``route`` (None: anyone).

    A path no route takes needs a viewer, so a stranger learns nothing of which paths exist.
    """
    method = "GET" if method == "HEAD" else method
    if isinstance(route, Mount) and isinstance(route.app, StaticFiles):
        return None
    if route is not None:
        template = route_template(route)
        if (method, template) in PUBLIC:
            return None
        if (method, template) in ADMIN or template.startswith(ADMIN_PREFIXES):
            return "admin"
    return "viewer" if method in SAFE_METHODS else "editor"


def request_header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key.lower() == name:
            return value.decode("latin-1")
    return None


def presented_credential(scope: Scope) -> bool:
    """Whether the request carries a key or a session cookie (right or wrong)."""
    cookie = request_header(scope, b"cookie") or ""
    return request_header(scope, b"authorization") is not None or f"{COOKIE}=" in cookie


def client_address(scope: Scope) -> str:
    client = scope.get("client")
    return str(client[0]) if client else "unknown"


class AuthGate:
    """See the module docstring."""

    def __init__(self, app: ASGIApp, api) -> None:
        self.app = app
        self.api = api  # the FastAPI app: its routes, settings and state
        self._anonymous = audit.Throttle()  # refusals of requests without any credential

    @property
    def settings(self) -> Settings:
        return self.api.state.settings

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        from graphsvc.api.deps import accept_language

        lang = accept_language(request_header(scope, b"accept-language")) or self.settings.lang
        method = scope["method"]
        route, params = match_route(self.api.router.routes, scope)
        template = route_template(route) if route is not None else None
        state = scope.setdefault("state", {})
        principal: Principal | None = None
        try:
            try:
                principal = await anyio.to_thread.run_sync(self._principal, scope)
            except Unauthorized:
                if needed_role(method, route) is not None:
                    raise
                principal = None  # a wrong key on a public route: answered as to anyone
            state["principal"] = principal
            self._check_origin(scope, method)
            self._check_role(principal, method, route)
            self._check_csrf(scope, principal, method, template)
        except GraphsvcError as exc:
            await self._refuse(scope, send, exc, lang)
            await self._audit(scope, principal, "refused", template, params, exc.status)
            return

        status: list[int] = []
        fields = BODY_TARGETS.get((method, template or ""))
        body = bytearray()

        async def watch(message: Message) -> None:
            if message["type"] == "http.response.start":
                status.append(message["status"])
            await send(message)

        async def read() -> Message:
            message = await receive()
            if message["type"] == "http.request" and len(body) < BODY_PEEK:
                body.extend(message.get("body", b"")[:BODY_PEEK - len(body)])
            return message

        try:
            await self.app(scope, read if fields else receive, watch)
        finally:
            action = self._action(method, template, state)
            if action is not None:
                said = state.get("audit", {})
                if fields:
                    params = {**params, **body_ids(bytes(body), fields)}
                await self._audit(scope, said.get("principal", principal), said.get(
                    "action", action), template, params, status[0] if status else 500)

    # ---- the checks --------------------------------------------------------------------

    def _check_origin(self, scope: Scope, method: str) -> None:
        """A write a browser sends from a page of another site: a form on any page a planner
        visits could post a file to ``/imports`` (multipart needs no CORS preflight)."""
        origin = request_header(scope, b"origin")
        if origin is None or method in SAFE_METHODS:
            return
        from graphsvc.api.app import host_allowed, request_host

        from graphsvc.settings import LOCAL_HOSTS

        netloc = urlsplit(origin).netloc.lower()
        host = request_host({"headers": [(b"host", netloc.encode("latin-1"))]})
        server = scope.get("server")
        own = str(server[0]).strip("[]").lower() if server else None
        if host in (*LOCAL_HOSTS, own):
            # Another program on this machine (another port) is another site: a page it serves
            # must not post here, where with no keys nobody signs in. Same host and port only.
            allowed = netloc == (request_header(scope, b"host") or "").lower()
        else:
            allowed = bool(host) and host_allowed(host, self.settings.trusted_hosts())
        if not allowed:
            shown = origin[:60]
            raise _OriginNotAllowed("error.origin_not_allowed", origin=shown,
                                    fill={"setting": "GRAPHSVC_ALLOWED_HOSTS"})

    def _principal(self, scope: Scope) -> Principal | None:
        """Who the request acts as (runs in a worker thread: Argon2 and SQLite block)."""
        db: AuthDB = self.api.state.auth
        if not db.keys_required():
            return local_principal(self.settings.show_names)
        checker: KeyChecker = self.api.state.key_checker
        header = request_header(scope, b"authorization")
        if header is not None:
            scheme, _, key = header.strip().partition(" ")
            key = key.strip()
            if scheme.lower() != "bearer" or key_id(key) is None:
                raise Unauthorized("error.unauthorized.key")
            principal = checker.check(key, before_argon2=lambda: self.limit(scope))
            if principal is None:
                raise Unauthorized("error.unauthorized.key")
            return principal
        token = session_cookie(scope)
        if token:
            s = self.settings
            return session_principal(db, token, idle_s=s.session_idle_hours * 3600,
                                     max_s=s.session_max_hours * 3600)
        return None

    def limit(self, scope: Scope) -> None:
        limit_attempts(self.api.state.auth, self.settings, scope)

    def _check_role(self, principal: Principal | None, method: str,
                    route: BaseRoute | None) -> None:
        needs = needed_role(method, route)
        if needs is None:
            return
        if principal is None:
            raise Unauthorized("error.unauthorized", fill={"header": "Authorization: Bearer"})
        if not at_least(principal.role, needs):
            raise Forbidden("error.forbidden", needs=needs,
                            fill={"role_name": role_name(principal.role),
                                  "needs_name": role_name(needs)})

    def _check_csrf(self, scope: Scope, principal: Principal | None, method: str,
                    template: str | None) -> None:
        """A cookie goes with every request the browser sends here, whoever's page asked;
        the CSRF token only a page of ours can read (from ``GET /session``)."""
        if principal is None or principal.via != "cookie" or method in SAFE_METHODS \
                or template == "/session":
            return
        import hmac

        sent = request_header(scope, CSRF_HEADER.lower().encode()) or ""
        if not principal.csrf_token or not hmac.compare_digest(sent, principal.csrf_token):
            raise CsrfFailed("error.csrf_failed", fill={"header": CSRF_HEADER})
        origin = request_header(scope, b"origin")
        host = (request_header(scope, b"host") or "").lower()
        if origin is not None and urlsplit(origin).netloc.lower() != host:
            raise CsrfFailed("error.csrf_failed.origin", origin=origin[:60])

    # ---- answers and the audit log --------------------------------------------------------

    async def _refuse(self, scope: Scope, send: Send, exc: GraphsvcError, lang: str) -> None:
        body = json.dumps(exc.to_dict(lang), ensure_ascii=False).encode("utf-8")
        headers = [(b"content-type", b"application/json"),
                   (b"content-length", str(len(body)).encode())]
        headers += [(k.lower().encode(), v.encode())
                    for k, v in (getattr(exc, "headers", None) or {}).items()]
        await send({"type": "http.response.start", "status": exc.status, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    @staticmethod
    def _action(method: str, template: str | None, state: dict) -> str | None:
        if "audit" in state:
            return state["audit"].get("action")
        if template is not None and (method, template) in ACTIONS:
            return ACTIONS[(method, template)]
        if method in SAFE_METHODS or template == "/session":
            return None  # sign-in and sign-out are recorded by their route
        return "write"

    async def _audit(self, scope: Scope, principal: Principal | None, action: str,
                     template: str | None, params: dict, status: int) -> None:
        db: AuthDB = self.api.state.auth
        store = self.api.state.store
        if action == "refused" and principal is None and not presented_credential(scope):
            if not self._anonymous.allow(client_address(scope)):
                return

        def save() -> None:
            revision = None
            try:
                revision = store.revision()
            except Exception:  # noqa: BLE001 - an unreachable store must not lose the line
                pass
            audit.record(db, who=principal.who if principal else None,
                         role=principal.role if principal else None, action=action,
                         method=scope["method"], path=scope.get("path", ""),
                         target=",".join(str(v) for v in params.values()) or None,
                         status=status, revision=revision)

        await anyio.to_thread.run_sync(save)


def body_ids(body: bytes, fields: tuple[str, ...]) -> dict[str, str]:
    """The ids a small JSON body names, for the audit log's target.

    >>> body_ids(b'{"keep": "brreg:1", "other": "ws:x"}', ("keep", "other"))
    {'keep': 'brreg:1', 'other': 'ws:x'}
    >>> body_ids(b'not json', ("a", "b"))
    {}
    """
    try:
        data = json.loads(body)
    except ValueError:
        return {}
    if not isinstance(data, dict):
        return {}
    return {f: str(data[f])[:200] for f in fields if isinstance(data.get(f), str)}


def limit_attempts(db: AuthDB, settings: Settings, scope: Scope) -> None:
    """Count a key check that costs Argon2 (sign-in, or a Bearer key not seen before); 429
    over the limit of this client address or of all."""
    wait = take_attempt(db, client_address(scope),
                        per_address=settings.signin_attempts_per_minute,
                        total=settings.signin_attempts_total_per_minute)
    if wait is not None:
        raise TooManyAttempts("error.too_many_attempts", retry_after=wait)


class _OriginNotAllowed(GraphsvcError):
    status = 403
    code = "origin_not_allowed"


def session_cookie(scope: Scope) -> str | None:
    raw = request_header(scope, b"cookie")
    if not raw:
        return None
    cookie = SimpleCookie()
    try:
        cookie.load(raw)
    except Exception:  # noqa: BLE001 - a malformed Cookie header is no session
        return None
    morsel = cookie.get(COOKIE)
    return morsel.value if morsel else None
