"""Analysis endpoints: teams, gaps, paths, brokers, social capital and communities.

Plain ``def`` routes: the work is CPU-bound and runs in the thread pool, never on the event
loop. Every answer explains itself; individuals are pseudonymised unless the caller's role
may see names (``NamesDep``).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query

from graphsvc.analysis import (
    brokers as find_brokers,
)
from graphsvc.analysis import (
    build_team,
    gaps_report,
    group_profile,
    linking_path,
    load_rules,
    path_between,
    reciprocal_pairs,
    social_capital_profile,
)
from graphsvc.analysis import (
    communities as find_communities,
)
from graphsvc.analysis.brokers import GROUPINGS
from graphsvc.api.deps import DistrictDep, GraphDep, LangDep, NamesDep, SettingsDep
from graphsvc.api.routes.actors import require_actor
from graphsvc.model import ActorKind
from graphsvc.snapshot import settled

router = APIRouter(tags=["analysis"])

Grouping = Literal[GROUPINGS]  # type: ignore[valid-type]
# What individuals can be grouped by (their attributes); anything else would be one group of
# nobody's value, answered as if it meant something.
GroupAttribute = Literal["district", "age_band", "background", "kind", "kommunenummer"]


def _common(settings, lang: str, names: bool) -> dict[str, Any]:
    return {"rules": load_rules(settings.social_capital_rules), "show_names": names,
            "lang": lang}


@router.get("/teams")
def teams(
    G: GraphDep, settings: SettingsDep, names: NamesDep,
    initiative: Annotated[str, Query(description="initiative id")],
    categories: Annotated[list[str] | None, Query(description="cover these instead of the "
                                                  "initiative's required categories")] = None,
    max_size: Annotated[int, Query(ge=1, le=20)] = 6,
    *, lang: LangDep,
) -> dict[str, Any]:
    """A small team whose offers together cover an initiative's required categories (greedy
    weighted set cover), with the categories left uncovered returned as gaps."""
    return build_team(G, initiative, categories=categories, max_size=max_size,
                      show_names=names, lang=lang)


@router.get("/pairs")
def pairs(
    G: GraphDep, settings: SettingsDep, names: NamesDep, district: DistrictDep,
    actor: str | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 20, *, lang: LangDep,
) -> dict[str, Any]:
    """Reciprocal pairs: A offers what B needs and B offers what A needs."""
    return reciprocal_pairs(G, actor=actor, district=district, limit=limit,
                            show_names=names, lang=lang)


@router.get("/gaps")
def gaps(
    G: GraphDep, settings: SettingsDep, names: NamesDep, district: DistrictDep,
    k: Annotated[int | None, Query(ge=1, le=10, description="hops to authority")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 50, *, lang: LangDep,
) -> dict[str, Any]:
    """Unmet needs, demand against supply, isolated actors, groups without bridging or linking
    ties, districts without a frivilligsentral or meeting place, volunteering by sector."""
    # Served from the previous revision (marked) while recomputed after a write
    return settled(G, ("gaps", k), lambda G: gaps_report(
        G, district=district, k=k, limit=limit, **_common(settings, lang, names)))


@router.get("/paths")
def paths(
    G: GraphDep, settings: SettingsDep, names: NamesDep,
    source: Annotated[str, Query(description="actor id the path starts from")],
    target: Annotated[str | None, Query(description="actor id; leave out for the linking "
                                        "path to the municipality or a service")] = None,
    service: Annotated[str | None, Query(description="id or part of the name of a "
                                         "municipal service or institution")] = None,
    alternatives: Annotated[int, Query(ge=0, le=5)] = 2, *, lang: LangDep,
) -> dict[str, Any]:
    """The best path of trusted ties between two actors, each hop labelled bonding, bridging
    or linking, with alternatives; or the linking path up to the municipality or a service."""
    if target is not None:
        return path_between(G, source, target, alternatives=alternatives,
                            **_common(settings, lang, names))
    return linking_path(G, source, service=service, alternatives=alternatives,
                        **_common(settings, lang, names))


@router.get("/brokers")
def brokers(
    G: GraphDep, settings: SettingsDep, names: NamesDep,
    by: Annotated[Grouping, Query(description="the groups bridged: communities (Louvain), "
                                  "districts, age bands, backgrounds, kinds, kommuner, or none")]
    = "community",
    top: Annotated[int, Query(ge=1, le=500)] = 20,
    kind: Annotated[list[ActorKind] | None, Query(description="only actors of these kinds")]
    = None,
    *, lang: LangDep,
) -> dict[str, Any]:
    """The bridge builders (*brobyggere*): cross-group betweenness, Burt's constraint and
    effective size."""
    return settled(G, ("brokers", by), lambda G: find_brokers(
        G, by=by, top=top, kinds=tuple(kind) if kind else None, exact_later=True,
        **_common(settings, lang, names)))


@router.get("/actors/{actor_id}/social-capital")
def social_capital(
    actor_id: str, G: GraphDep, settings: SettingsDep, names: NamesDep,
    k: Annotated[int | None, Query(ge=1, le=10)] = None, *, lang: LangDep,
) -> dict[str, Any]:
    """An actor's bonding, bridging and linking ties (each with its reason), Burt's measures
    and hops to the municipality or an institution."""
    require_actor(G, actor_id)
    return social_capital_profile(G, actor_id, k=k, **_common(settings, lang, names))


@router.get("/social-capital/groups")
def social_capital_groups(
    G: GraphDep, settings: SettingsDep, district: DistrictDep,
    by: Annotated[list[GroupAttribute] | None, Query(
        description="attributes that define a group (default: the rules' group_by)")] = None,
    age_band: str | None = None,
    k: Annotated[int | None, Query(ge=1, le=10)] = None, *, lang: LangDep,
) -> dict[str, Any]:
    """Per group (default: district and age band): the share with a linking path to a
    municipal service or institution within k steps, and their bridging ties."""
    return group_profile(G, by=tuple(by) if by else None, k=k, district=district,
                         age_band=age_band, rules=load_rules(settings.social_capital_rules),
                         lang=lang)


@router.get("/communities")
def communities(
    G: GraphDep, settings: SettingsDep, names: NamesDep,
    resolution: Annotated[float, Query(gt=0, le=10)] = 1.0,
    min_size: Annotated[int, Query(ge=1)] = 2, *, lang: LangDep,
) -> dict[str, Any]:
    """Louvain communities with their ties out; silos (few bridging ties out) flagged."""
    return settled(G, ("communities", resolution), lambda G: find_communities(
        G, resolution=resolution, min_size=min_size, **_common(settings, lang, names)))
