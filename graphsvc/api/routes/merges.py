"""A person's answer to a pair the import listed as uncertain: ``POST /merges`` merges ``other``
into ``keep`` now and on every later import; ``POST /keep-apart`` remembers that two actors are
different organisations. The same answers as ``graphsvc merge`` / ``graphsvc keep-apart``."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from graphsvc.api.deps import StoreDep
from loaders.enrich.dedupe import keep_apart, merge_actors

router = APIRouter(tags=["merges"])


class MergeRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    keep: str = Field(description="id of the actor to keep")
    other: str = Field(description="id of the duplicate: its ties, offers and needs move to "
                                   "keep, and it is erased")


class KeepApartRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    a: str = Field(description="id of one actor")
    b: str = Field(description="id of the other")


@router.post("/merges")
def post_merge(store: StoreDep, body: MergeRequest) -> dict[str, Any]:
    return merge_actors(store, body.keep, body.other)


@router.post("/keep-apart")
def post_keep_apart(store: StoreDep, body: KeepApartRequest) -> dict[str, Any]:
    return keep_apart(store, body.a, body.b)
