"""``/redoc`` served offline: ReDoc's bundled script, as fastapi-offline ships it, draws a
"Redocly" logo fetched from cdn.redoc.ly; this serves the script with that logo pointing at the
local favicon instead, so the page makes no request outside the server."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import fastapi_offline
from fastapi import APIRouter, Request
from fastapi.openapi.docs import get_redoc_html
from fastapi.responses import HTMLResponse, Response

router = APIRouter(include_in_schema=False)

STATIC = "/static-offline-docs"  # where fastapi-offline mounts its files
_CDN_LOGO = "https://cdn.redoc.ly/redoc/logo-mini.svg"


@cache
def _redoc_js() -> bytes:
    js = (Path(fastapi_offline.__file__).parent / "static" / "redoc.standalone.js").read_text(
        "utf-8")
    return js.replace(_CDN_LOGO, f"{STATIC}/favicon.png").encode("utf-8")


@router.get("/redoc")
def redoc(request: Request) -> HTMLResponse:
    root = request.scope.get("root_path", "")
    return get_redoc_html(openapi_url=f"{root}{request.app.openapi_url}",
                          title=f"{request.app.title} - ReDoc",
                          redoc_js_url=f"{root}/redoc/redoc.standalone.js",
                          redoc_favicon_url=f"{root}{STATIC}/favicon.png",
                          with_google_fonts=False)


@router.get("/redoc/redoc.standalone.js")
def redoc_js() -> Response:
    return Response(_redoc_js(), media_type="text/javascript",
                    headers={"Cache-Control": "public, max-age=86400"})
