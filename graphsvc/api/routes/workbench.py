"""The workbench: its page at ``/``, its scripts and styles, and the graph its map draws."""

from __future__ import annotations

import json
import threading
from functools import cache
from importlib import resources
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import HTMLResponse

from graphsvc.api.auth import iter_routes
from graphsvc.api.deps import (
    GraphDep, NamesDep, SettingsDep, accepted_query_params,
)
from graphsvc.errors import NotFoundError
from graphsvc.web.graph import workbench_graph
from graphsvc.web.page import CSP, VIS_JS, render_page

router = APIRouter(tags=["workbench"])

Lang = Annotated[Literal["nb", "en"] | None, Query(
    description="language of the page: nb (bokmål) or en; default GRAPHSVC_LANG (a browser "
                "set to English does not turn the municipality's workbench English; the "
                "switch in its header does)")]
MEDIA = {".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8"}


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
def page(request: Request, settings: SettingsDep, lang: Lang = None) -> HTMLResponse:
    """The workbench page (no data: the map and the panels fetch it)."""
    lang = lang or settings.lang
    return HTMLResponse(render_page(lang, lang_routes(request.app)),
                        headers={"Content-Security-Policy": CSP, "Cache-Control": "no-cache"})


def lang_routes(app) -> list[tuple[str, str]]:
    """``(method, path)`` of every API route taking ``?lang=``, worked out once per app."""
    found = getattr(app.state, "workbench_lang_routes", None)
    if found is None:
        found = app.state.workbench_lang_routes = sorted(
            (method, route.path) for route in iter_routes(app.router.routes)
            if hasattr(route, "dependant") and "lang" in accepted_query_params(route)
            for method in route.methods)
    return found


@cache
def _assets() -> dict[str, bytes]:
    """Every file the page may load, by name, read once: the package's ``static/`` scripts and
    styles, and vis-network from pyvis' package (the one visualisations/map.py inlines). A
    name asked for that is not here is a 404; nothing is read or kept per name asked."""
    files = {entry.name: entry.read_bytes()
             for entry in resources.files("graphsvc.web").joinpath("static").iterdir()
             if entry.is_file() and entry.name[entry.name.rfind("."):] in MEDIA}
    files[VIS_JS] = resources.files("pyvis").joinpath(
        "templates/lib/vis-9.1.2/vis-network.min.js").read_bytes()
    return files


@router.get("/workbench/static/{name}", include_in_schema=False)
def asset(name: str) -> Response:
    """A script or style sheet of the page (only files of this package's ``static/``)."""
    data = _assets().get(name)
    if data is None:
        shown = name if len(name) <= 80 else name[:77] + "..."
        raise NotFoundError("error.not_found.route", path=f"/workbench/static/{shown}")
    return Response(data, media_type=MEDIA[name[name.rfind("."):]],
                    headers={"Cache-Control": "no-cache"})


_lock = threading.Lock()


@router.get("/workbench/graph.json")
def graph(request: Request, G: GraphDep, settings: SettingsDep, names: NamesDep,
          lang: Lang = None) -> Response:
    """What the workbench's map draws: every actor and initiative (position, kind, district,
    size, categories, offers and needs as words), every tie, the legend and the choices the
    panels offer. Individuals by pseudonym unless names may be shown. Kept per snapshot, so
    only the first request after a write computes it."""
    lang = lang or settings.lang
    key = (lang, names)
    with _lock:
        kept = getattr(request.app.state, "workbench_graphs", None)
        if kept is None or kept[0] is not G:
            kept = request.app.state.workbench_graphs = (G, {})
        if key not in kept[1]:
            data = workbench_graph(G, lang=lang, show_names=names)
            kept[1][key] = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()
        body = kept[1][key]
    return Response(body, media_type="application/json")
