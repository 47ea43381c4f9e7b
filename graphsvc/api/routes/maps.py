"""Interactive maps (self-contained HTML) and printable diagrams (PDF, SVG, PNG) of every view,
with the same filters as ``graphsvc map`` and ``graphsvc print``."""

from __future__ import annotations

import re
from datetime import date
from html import unescape
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, ConfigDict, Field

from graphsvc.api.deps import GraphDep, NamesDep, SettingsDep
from graphsvc.errors import ValidationError
from graphsvc.model import ACTOR_KINDS
from graphsvc.snapshot import known_district
from graphsvc.taxonomy import load_taxonomy
from graphsvc.views import booklet_views, build_view
from visualisations import render_booklet, render_map, render_print

router = APIRouter(tags=["maps"])

MEDIA = {"pdf": "application/pdf", "svg": "image/svg+xml", "png": "image/png"}
ViewName = Literal["network", "district", "ego", "path", "gaps"]
NodeKind = Literal[(*ACTOR_KINDS, "initiative")]  # type: ignore[valid-type]


class ViewQuery(BaseModel):
    """The filters every map and print takes."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    district: str | None = None
    kind: list[NodeKind] = Field(default_factory=list, description="only these actor kinds")
    category: str | None = Field(None, description="only actors offering or needing it")
    focus: str | None = Field(None, description="the ego map's actor or initiative id")
    depth: int = Field(2, ge=1, le=3, description="ego map: ties away from the focus")
    from_: str | None = Field(None, alias="from", description="path map: first actor id")
    to: str | None = Field(None, description="path map: last actor id")
    lang: Literal["nb", "en"] | None = None


class MapQuery(ViewQuery):
    aggregate: bool | None = Field(None, description="clusters by district and kind (off by "
                                   "default: from 2 000 actors sigma.js draws the whole map)")


class PrintQuery(ViewQuery):
    paper: Literal["A4", "A3"] = "A4"
    orientation: Literal["landscape", "portrait"] = "landscape"


def _checked(G, q: ViewQuery) -> ViewQuery:
    """The filters with the district as the graph spells it; an unknown district or category
    is invalid input (422), as on every route, not an empty map."""
    if q.category is not None and q.category not in load_taxonomy():
        raise ValidationError("error.unknown_category", category=q.category)
    if q.district is None:
        return q
    return q.model_copy(update={"district": known_district(G, q.district)})


def _view(G, view: str, q: ViewQuery, lang: str):
    q = _checked(G, q)
    return build_view(G, view, lang=lang, district=q.district, kinds=q.kind or None,
                      category=q.category, focus=q.focus, depth=q.depth, source=q.from_,
                      target=q.to)


@router.get("/maps/{view}.html", response_class=HTMLResponse)
def view_map(
    view: ViewName, G: GraphDep, settings: SettingsDep, names: NamesDep,
    q: Annotated[MapQuery, Query()],
) -> HTMLResponse:
    """A view as one self-contained HTML file: no external requests, legend, filters, search,
    details panel; ``network``, ``district``, ``ego`` (``focus``), ``path`` (``from``, ``to``)
    or ``gaps``."""
    lang = q.lang or settings.lang
    v = _view(G, view, q, lang)
    html = render_map(v.graph, lang=lang, show_names=names, aggregate=q.aggregate,
                      **v.render_kwargs())
    return HTMLResponse(html, headers={"Content-Security-Policy": page_policy(html)})


_META_CSP = re.compile(r'<meta http-equiv="Content-Security-Policy" content="([^"]*)"')


def page_policy(html: str) -> str:
    """The map's own policy (its scripts by hash, nothing fetched; the file carries it as a
    meta tag so it holds when saved and opened from disk) as a header, where
    ``frame-ancestors`` counts too: no other site may frame the map."""
    found = _META_CSP.search(html)
    policy = unescape(found.group(1)) if found else "default-src 'none'"
    return policy.rstrip("; ") + "; frame-ancestors 'none'"


def _media(*formats: str) -> dict:
    """The 200 answer of a print, documented with its real media types."""
    return {200: {"description": "the file, shown inline (Content-Disposition names it)",
                  "content": {MEDIA[f]: {"schema": {"type": "string", "format": "binary"}}
                              for f in formats}}}


@router.get("/prints/booklet.pdf", response_class=Response, responses=_media("pdf"))
def booklet_print(
    G: GraphDep, settings: SettingsDep, names: NamesDep, q: Annotated[PrintQuery, Query()]
) -> Response:
    """A PDF booklet: the whole community, then one page per district."""
    lang = q.lang or settings.lang
    q = _checked(G, q)
    pages = booklet_views(G, lang=lang, kinds=q.kind or None, category=q.category)
    data = render_booklet([(v.graph, v.render_kwargs()) for v in pages], paper=q.paper,
                          orientation=q.orientation, lang=lang, show_names=names)
    return _file(data, "pdf", "booklet")


@router.get("/prints/{view}.{fmt}", response_class=Response,
            responses=_media("pdf", "svg", "png"))
def view_print(
    view: ViewName, fmt: Literal["pdf", "svg", "png"], G: GraphDep, settings: SettingsDep,
    names: NamesDep,
    q: Annotated[PrintQuery, Query()],
) -> Response:
    """A printable diagram of a view with title, subtitle (kommune, filters, date) and legend,
    at A4 or A3, portrait or landscape."""
    lang = q.lang or settings.lang
    v = _view(G, view, q, lang)
    data = render_print(v.graph, paper=q.paper, orientation=q.orientation, fmt=fmt, lang=lang,
                        show_names=names, **v.render_kwargs())
    return _file(data, fmt, view)


def _file(data: bytes, fmt: str, view: str) -> Response:
    filename = f"graphsvc-{view}-{date.today().isoformat()}.{fmt}"
    return Response(data, media_type=MEDIA[fmt],
                    headers={"Content-Disposition": f'inline; filename="{filename}"'})
