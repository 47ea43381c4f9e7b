"""Interactive maps (self-contained HTML) and printable diagrams (PDF, SVG, PNG)."""

from __future__ import annotations

from datetime import date
from typing import Literal

from fastapi import APIRouter, Response
from fastapi.responses import HTMLResponse

from graphsvc.api.deps import GraphDep, SettingsDep
from graphsvc.views import select, title_for
from visualisations import render_map, render_print

router = APIRouter(tags=["maps"])

MEDIA = {"pdf": "application/pdf", "svg": "image/svg+xml", "png": "image/png"}


@router.get("/maps/network.html", response_class=HTMLResponse)
def network_map(
    G: GraphDep,
    settings: SettingsDep,
    district: str | None = None,
    lang: Literal["nb", "en"] = "nb",
) -> HTMLResponse:
    """The whole network (or one district) as one self-contained HTML file: no external
    requests, legend, colour and shape by actor kind."""
    H = select(G, district)
    html = render_map(H, title=title_for(G, lang, district), lang=lang,
                      show_names=settings.show_names)
    return HTMLResponse(html)


@router.get("/prints/network.{fmt}")
def network_print(
    fmt: Literal["pdf", "svg", "png"],
    G: GraphDep,
    settings: SettingsDep,
    district: str | None = None,
    paper: Literal["A4", "A3"] = "A4",
    orientation: Literal["landscape", "portrait"] = "landscape",
    lang: Literal["nb", "en"] = "nb",
) -> Response:
    """A printable network diagram with title, date and legend, at A4 or A3."""
    H = select(G, district)
    data = render_print(H, title=title_for(G, lang, district), paper=paper,
                        orientation=orientation, fmt=fmt, lang=lang,
                        show_names=settings.show_names)
    filename = f"graphsvc-{date.today().isoformat()}.{fmt}"
    return Response(data, media_type=MEDIA[fmt],
                    headers={"Content-Disposition": f'inline; filename="{filename}"'})
