"""Response models of the API (input models are the domain models in ``graphsvc.model``)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel


class ErrorDetail(BaseModel):
    code: str
    """A stable name for programs: ``not_found``, ``invalid_input``, ``payload_too_large``..."""
    message: str
    """One line for a person, in the request's language."""
    detail: dict[str, Any] = {}
    """The values the message names (an id, a district, the rejected rows...)."""


class ErrorBody(BaseModel):
    """The one shape of every error answer."""

    error: ErrorDetail


class HoldingPublic(BaseModel):
    id: str
    category: str
    category_name: str
    description: str | None = None
    district: str | None = None
    capacity: int | None = None
    # False for an offer derived from the registers (``derived_by`` names the rule) until a
    # workshop sheet or the actor confirms it; ``status`` says so in the request's language.
    confirmed: bool = True
    derived_by: str | None = None
    status: str | None = None


class TiePublic(BaseModel):
    kind: str
    direction: str  # "out" (this actor → other) or "in"
    other: str
    other_name: str
    strength: float


class ActorPublic(BaseModel):
    id: str
    kind: str
    name: str
    pseudonymised: bool = False
    kommunenummer: str | None = None
    district: str | None = None
    lat: float | None = None
    lon: float | None = None
    orgnr: str | None = None
    categories: list[str] = []
    offers: list[HoldingPublic] = []
    needs: list[HoldingPublic] = []
    ties: list[TiePublic] | None = None
    # Organisations: what the registers say (None for individuals and where nothing is known);
    # ``kind_rule``/``district_rule`` name the rule that set the kind and the district.
    orgform: str | None = None
    nace: str | None = None
    kind_rule: str | None = None
    address: str | None = None
    postnummer: str | None = None
    postal_address: str | None = None
    homepage: str | None = None
    activity: str | None = None
    purpose: str | None = None
    district_rule: str | None = None


class ActorsPublic(BaseModel):
    data: list[ActorPublic]
    count: int


class MatchPublic(BaseModel):
    query: dict[str, Any]
    introducer: dict[str, Any] | None
    count: int
    candidates: int
    results: list[dict[str, Any]]


class ParticipantPublic(BaseModel):
    id: str
    kind: str
    name: str
    pseudonymised: bool = False
    district: str | None = None


class CategoryCoverage(BaseModel):
    category: str
    category_name: str
    offered_by: list[str] = []


class CoveragePublic(BaseModel):
    """Which required categories the participants' offers cover, and which they do not."""

    covered: list[CategoryCoverage]
    missing: list[CategoryCoverage]
    share: float


class InitiativePublic(BaseModel):
    id: str
    name: str
    kommunenummer: str | None = None
    district: str | None = None
    description: str | None = None
    required_categories: list[str] = []
    participant_count: int
    coverage: CoveragePublic
    participants: list[ParticipantPublic] | None = None


class InitiativesPublic(BaseModel):
    data: list[InitiativePublic]
    count: int
