"""Build the FastAPI application: settings, store, snapshot, routes and the one error shape."""

from __future__ import annotations

import logging

from fastapi import Depends, FastAPI, Request
from fastapi_offline import FastAPIOffline
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from graphsvc import __version__
from graphsvc.api.deps import reject_unknown_query, request_lang
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
- **503 `store_unavailable`**: the database refused or cannot be reached.
- **500 `internal_error`**: a bug; the trace is in the server log, never in the answer.
"""


def create_app(settings: Settings | None = None, store: GraphStore | None = None) -> FastAPI:
    from graphsvc.api.routes import (
        actors, analysis, districts, docs, health, imports, initiatives, maps, match, merges,
    )
    from graphsvc.api.routes import coverage

    settings = settings or Settings()
    # /docs and /redoc serve Swagger UI and ReDoc from the package, not a CDN: the service
    # must be usable on an offline municipal PC.
    # ReDoc is served by routes/docs.py, which keeps its logo off the CDN too.
    app: FastAPI = FastAPIOffline(title="graphsvc", version=__version__, description=DESCRIPTION,
                                  redoc_url=None,
                                  dependencies=[Depends(reject_unknown_query)])
    app.state.settings = settings
    app.state.store = store or open_store(settings.store, settings)
    app.state.snapshot = Snapshot(app.state.store)

    for module in (health, actors, initiatives, match, analysis, imports, maps, docs, districts,
                   merges, coverage):
        app.include_router(module.router)

    @app.get("/", include_in_schema=False)
    def root() -> RedirectResponse:
        return RedirectResponse("/maps/network.html")

    @app.exception_handler(GraphsvcError)
    async def graphsvc_error(request: Request, exc: GraphsvcError) -> JSONResponse:
        return JSONResponse(exc.to_dict(request_lang(request)), status_code=exc.status)

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
        code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
        text = {404: Text("error.not_found.route", path=request.url.path),
                405: Text("error.method_not_allowed", method=request.method,
                          path=request.url.path)}.get(
            exc.status_code, Text("error.http", status=exc.status_code, text=str(exc.detail)))
        return JSONResponse(error_body(code, text.in_(request_lang(request))),
                            status_code=exc.status_code)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.error("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
        return JSONResponse(error_body("internal_error",
                                       Text("error.internal").in_(request_lang(request))),
                            status_code=500)

    return app
