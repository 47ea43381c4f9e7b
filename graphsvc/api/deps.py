"""Every dependency of the routes, declared once; tests swap them with ``dependency_overrides``."""

from __future__ import annotations

from typing import Annotated

import networkx as nx
from fastapi import Depends, Request

from graphsvc.settings import Settings
from graphsvc.snapshot import Snapshot
from graphsvc.store.base import GraphStore


def get_settings(request: Request) -> Settings:
    return request.app.state.settings


def get_store(request: Request) -> GraphStore:
    return request.app.state.store


def get_snapshot(request: Request) -> Snapshot:
    return request.app.state.snapshot


def get_graph(snapshot: Annotated[Snapshot, Depends(get_snapshot)]) -> nx.MultiDiGraph:
    return snapshot.graph()


SettingsDep = Annotated[Settings, Depends(get_settings)]
StoreDep = Annotated[GraphStore, Depends(get_store)]
SnapshotDep = Annotated[Snapshot, Depends(get_snapshot)]
GraphDep = Annotated[nx.MultiDiGraph, Depends(get_graph)]
