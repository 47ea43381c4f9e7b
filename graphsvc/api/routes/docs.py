"""``/docs`` (Swagger UI) and ``/redoc`` served offline, each with a Content-Security-Policy of
its own: the files come from the package (fastapi-offline's), the page's one inline script is
allowed by its hash, and it may fetch only from this server. ReDoc's bundled script, as
fastapi-offline ships it, draws a "Redocly" logo fetched from cdn.redoc.ly; this serves the
script with that logo pointing at the local favicon instead, so the page makes no request
outside the server."""

from __future__ import annotations

import base64
import hashlib
import re
from functools import cache
from pathlib import Path

import fastapi_offline
from fastapi import APIRouter, Request
from fastapi.openapi.docs import (
    get_redoc_html,
    get_swagger_ui_html,
    get_swagger_ui_oauth2_redirect_html,
)
from fastapi.responses import HTMLResponse, Response

router = APIRouter(include_in_schema=False)

STATIC = "/static-offline-docs"  # where app.py mounts fastapi-offline's files
_CDN_LOGO = "https://cdn.redoc.ly/redoc/logo-mini.svg"
_INLINE_SCRIPT = re.compile(r"<script>(.*?)</script>", re.S)


def page_csp(html: str, *, workers: bool = False) -> str:
    """A policy for a documentation page: its own files, its inline scripts by hash, requests
    to this server only. Swagger UI and ReDoc set inline styles, so styles may be inline."""
    hashes = " ".join(
        "'sha256-" + base64.b64encode(hashlib.sha256(s.encode("utf-8")).digest()).decode() + "'"
        for s in _INLINE_SCRIPT.findall(html))
    return ("default-src 'none'; "
            f"script-src 'self' {hashes}".rstrip() + "; "
            "style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; "
            "connect-src 'self'; " + ("worker-src blob:; " if workers else "")
            + "base-uri 'none'; form-action 'none'; frame-ancestors 'none'")


def _with_csp(page: HTMLResponse, *, workers: bool = False) -> HTMLResponse:
    page.headers["Content-Security-Policy"] = page_csp(page.body.decode("utf-8"),
                                                       workers=workers)
    return page


@cache
def _redoc_js() -> bytes:
    js = (Path(fastapi_offline.__file__).parent / "static" / "redoc.standalone.js").read_text(
        "utf-8")
    return js.replace(_CDN_LOGO, f"{STATIC}/favicon.png").encode("utf-8")


@router.get("/docs")
def swagger(request: Request) -> HTMLResponse:
    root = request.scope.get("root_path", "")
    app = request.app
    return _with_csp(get_swagger_ui_html(
        openapi_url=f"{root}{app.openapi_url}", title=f"{app.title} - Swagger UI",
        oauth2_redirect_url=app.swagger_ui_oauth2_redirect_url,
        swagger_js_url=f"{root}{STATIC}/swagger-ui-bundle.js",
        swagger_css_url=f"{root}{STATIC}/swagger-ui.css",
        swagger_favicon_url=f"{root}{STATIC}/favicon.png",
        swagger_ui_parameters=app.swagger_ui_parameters))


@router.get("/docs/oauth2-redirect")
def swagger_redirect() -> HTMLResponse:
    return _with_csp(get_swagger_ui_oauth2_redirect_html())


@router.get("/redoc")
def redoc(request: Request) -> HTMLResponse:
    root = request.scope.get("root_path", "")
    return _with_csp(get_redoc_html(openapi_url=f"{root}{request.app.openapi_url}",
                                    title=f"{request.app.title} - ReDoc",
                                    redoc_js_url=f"{root}/redoc/redoc.standalone.js",
                                    redoc_favicon_url=f"{root}{STATIC}/favicon.png",
                                    with_google_fonts=False), workers=True)


@router.get("/redoc/redoc.standalone.js")
def redoc_js() -> Response:
    return Response(_redoc_js(), media_type="text/javascript",
                    headers={"Cache-Control": "public, max-age=86400"})
