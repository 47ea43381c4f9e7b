"""Build the FastAPI application: settings, store, snapshot, routes and the one error shape."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi_offline import FastAPIOffline
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from graphsvc import __version__
from graphsvc.errors import GraphsvcError, error_body
from graphsvc.settings import Settings
from graphsvc.snapshot import Snapshot
from graphsvc.store import open_store
from graphsvc.store.base import GraphStore

log = logging.getLogger("graphsvc.api")

DESCRIPTION = """Map a community's complementary resources, connect them, and show them.

Every error has the same shape: `{"error": {"code": ..., "message": ..., "detail": {...}}}`.
"""


def create_app(settings: Settings | None = None, store: GraphStore | None = None) -> FastAPI:
    from graphsvc.api.routes import actors, analysis, health, imports, maps, match

    settings = settings or Settings()
    # /docs and /redoc serve Swagger UI and ReDoc from the package, not a CDN: the service
    # must be usable on an offline municipal PC.
    app: FastAPI = FastAPIOffline(title="graphsvc", version=__version__, description=DESCRIPTION)
    app.state.settings = settings
    app.state.store = store or open_store(settings.store, settings)
    app.state.snapshot = Snapshot(app.state.store)

    for module in (health, actors, match, analysis, imports, maps):
        app.include_router(module.router)

    @app.get("/", include_in_schema=False)
    def root() -> RedirectResponse:
        return RedirectResponse("/maps/network.html")

    @app.exception_handler(GraphsvcError)
    async def graphsvc_error(_request: Request, exc: GraphsvcError) -> JSONResponse:
        return JSONResponse(exc.to_dict(), status_code=exc.status)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(_request: Request, exc: RequestValidationError) -> JSONResponse:
        problems = [
            {"where": ".".join(str(p) for p in e["loc"]), "message": e["msg"]} for e in exc.errors()
        ]
        first = problems[0] if problems else {"where": "request", "message": "invalid"}
        return JSONResponse(
            error_body("invalid_input", f"{first['where']}: {first['message']}",
                       {"problems": problems}),
            status_code=422,
        )

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
        return JSONResponse(error_body(code, str(exc.detail)), status_code=exc.status_code)

    @app.exception_handler(Exception)
    async def unexpected(_request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error")
        return JSONResponse(error_body("internal_error", "internal error; see the server log"),
                            status_code=500)

    return app
