"""``GET /audit`` (admins): who wrote, imported, exported, erased, signed in or was refused."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel

from graphsvc.auth import audit

router = APIRouter(tags=["audit"])

Action = Literal[audit.ACTIONS]  # type: ignore[valid-type]


class AuditEntry(BaseModel):
    at: str
    who: str | None
    role: str | None
    action: str
    method: str
    path: str
    target: str | None
    status: int | None
    revision: int | None


class AuditPublic(BaseModel):
    data: list[AuditEntry]


@router.get("/audit", response_model=AuditPublic)
def audit_log(
    request: Request,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    action: Annotated[Action | None, Query(description="only entries of this action")] = None,
) -> AuditPublic:
    """The newest entries first: when, who (the key's name, or ``local`` with no keys), the
    role, what (action, method, path, target id), the status answered and the store revision
    after it."""
    return AuditPublic(data=audit.entries(request.app.state.auth, limit=limit, action=action))
