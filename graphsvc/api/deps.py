"""Every dependency of the routes, declared once; tests swap them with ``dependency_overrides``."""

from __future__ import annotations

from typing import Annotated, Literal

import networkx as nx
from fastapi import Depends, Query, Request
from pydantic import BaseModel

from graphsvc.auth import Principal
from graphsvc.errors import ValidationError
from graphsvc.settings import Settings
from graphsvc.snapshot import Snapshot, known_district
from graphsvc.store.base import GraphStore


def get_settings(request: Request) -> Settings:
    return request.app.state.settings


def get_store(request: Request) -> GraphStore:
    return request.app.state.store


def get_snapshot(request: Request) -> Snapshot:
    return request.app.state.snapshot


def get_principal(request: Request) -> Principal | None:
    """Who the request acts as (``api/auth.py`` decided it before the route ran); None for
    nobody signed in on a public route."""
    return getattr(request.state, "principal", None)


def get_names(principal: Annotated[Principal | None, Depends(get_principal)]) -> bool:
    """Whether this answer may name individuals: the principal's role (or, with no keys,
    ``GRAPHSVC_SHOW_NAMES``), never the server's setting alone."""
    return principal is not None and principal.names


def get_graph(snapshot: Annotated[Snapshot, Depends(get_snapshot)]) -> nx.MultiDiGraph:
    return snapshot.graph()


def get_district(
    G: Annotated[nx.MultiDiGraph, Depends(get_graph)],
    district: Annotated[str | None, Query(description="a district (grend/bydel) as the data "
                                          "names it, case-insensitive")] = None,
) -> str | None:
    """The district filter as the graph spells it; an unknown district is invalid input."""
    return None if district is None else known_district(G, district)


def get_lang(
    settings: Annotated[Settings, Depends(get_settings)],
    lang: Annotated[Literal["nb", "en"] | None, Query(
        description="language of explanations: nb (bokmål) or en; default GRAPHSVC_LANG")] = None,
) -> str:
    """The language of the answer: the request's, else the server's setting."""
    return lang or settings.lang


def request_lang(request: Request) -> str:
    """The language of an error answer: the route's ``lang`` parameter if it has one and it is
    valid, else the first of nb/no/nn/en in ``Accept-Language``, else ``GRAPHSVC_LANG``."""
    route = request.scope.get("route")
    asked = request.query_params.get("lang")
    if asked in ("nb", "en") and route is not None and hasattr(route, "dependant") \
            and "lang" in accepted_query_params(route):
        return asked
    return accept_language(request.headers.get("accept-language")) \
        or request.app.state.settings.lang


def accept_language(header: str | None) -> str | None:
    """nb or en from an ``Accept-Language`` header (by weight, then order), or None.

    >>> accept_language("de-DE, nn;q=0.9, en;q=0.8"), accept_language("en-GB,nb;q=0.5")
    ('nb', 'en')
    >>> accept_language("de, fr;q=0.5") is None
    True
    """
    ranked = []
    for i, part in enumerate((header or "").split(",")):
        tag, _, params = part.strip().partition(";")
        q = 1.0
        if params.strip().startswith("q="):
            try:
                q = float(params.strip()[2:])
            except ValueError:
                q = 0.0
        lang = {"nb": "nb", "no": "nb", "nn": "nb", "en": "en"}.get(
            tag.strip().split("-")[0].lower())
        if lang and q > 0:
            ranked.append((-q, i, lang))
    return min(ranked)[2] if ranked else None


SettingsDep = Annotated[Settings, Depends(get_settings)]
LangDep = Annotated[str, Depends(get_lang)]
StoreDep = Annotated[GraphStore, Depends(get_store)]
SnapshotDep = Annotated[Snapshot, Depends(get_snapshot)]
GraphDep = Annotated[nx.MultiDiGraph, Depends(get_graph)]
DistrictDep = Annotated[str | None, Depends(get_district)]
PrincipalDep = Annotated[Principal | None, Depends(get_principal)]
NamesDep = Annotated[bool, Depends(get_names)]


# ---- every route: unknown query parameters are an error, not silently ignored -------------

def accepted_query_params(route) -> tuple[str, ...]:
    """The query parameters a route declares (its own, its dependencies', and the fields of a
    query-parameter model), as a client spells them."""
    names: set[str] = set()
    todo = [route.dependant]
    while todo:
        dependant = todo.pop()
        todo += dependant.dependencies
        for field in dependant.query_params:
            model = field.field_info.annotation
            if isinstance(model, type) and issubclass(model, BaseModel):
                names.update(f.alias or name for name, f in model.model_fields.items())
            else:
                names.add(field.alias)
    return tuple(sorted(names))


def reject_unknown_query(request: Request) -> None:
    """A misspelt parameter (``?distrcit=``) must not quietly answer for everyone."""
    route = request.scope.get("route")
    if route is None or not hasattr(route, "dependant"):
        return
    accepted = getattr(route, "graphsvc_query_params", None)
    if accepted is None:  # worked out once per route
        accepted = route.graphsvc_query_params = accepted_query_params(route)
    unknown = sorted({k for k in request.query_params if k not in accepted})
    if unknown:
        said = ", ".join(f"'{k}'" for k in unknown)
        raise ValidationError("error.unknown_query", unknown=unknown, accepted=list(accepted),
                              fill={"n": len(unknown), "said": said, "path": request.url.path,
                                    "allowed": list(accepted)})
