"""The domain model (DESIGN 3.2): actors, initiatives, resources, needs and ties, as pydantic v2.

Every id is namespaced (``brreg:<orgnr>``, ``demo:a123``, ``ws:<sheet>:<name>``) so several
sources merge into one actor. Resources and needs hang off an actor or initiative (the
``OFFERS``/``NEEDS`` relationships of the graph); ties join actors and initiatives.
Individuals are personal data: they carry only what matching needs, and a consent purpose.
"""

from __future__ import annotations

import gc
import inspect
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from typing import Any, Literal

from pydantic import VERSION as PYDANTIC_VERSION
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    field_validator,
    model_validator,
)

from graphsvc.errors import Text
from graphsvc.taxonomy import load_taxonomy

ActorKind = Literal[
    "individual", "association", "institution", "frivilligsentral", "municipality", "business"
]
ACTOR_KINDS: tuple[str, ...] = ActorKind.__args__  # type: ignore[attr-defined]

TieKind = Literal[
    "MEMBER_OF",
    "VOLUNTEERS_AT",
    "WORKS_AT",
    "KNOWS",
    "PARTNERS_WITH",
    "COORDINATES",
    "FUNDS",
    "PARTICIPATES_IN",
    "PART_OF",
]
TIE_KINDS: tuple[str, ...] = TieKind.__args__  # type: ignore[attr-defined]

# No "|" (it separates the parts of a tie key) and no control characters.
ID_PATTERN = r"^[a-z][a-z0-9_-]*:[^\s|\x00-\x1f\x7f][^|\x00-\x1f\x7f]*$"
KOMMUNE_PATTERN = r"^\d{4}$"


_gc_lock = threading.Lock()
_gc_paused = 0  # writes in progress that paused the cyclic garbage collector
_gc_resume = False  # whether it was running when the first of them paused it


@contextmanager
def paused_gc() -> Iterator[None]:
    """Hold off the cyclic garbage collector while a large batch is validated and written.

    A load creates hundreds of thousands of small containers (models, dicts) that all stay
    alive; CPython 3.11 scans every one of them in the collections those allocations trigger,
    young and then old, which cost as much as the validation itself (a 255 000-record write:
    9.8 s with them, 5.4 s without). Nothing a write builds is a cycle to reclaim. When the
    last write that paused it ends (writes of several threads nest), what was allocated meanwhile
    is moved to the oldest generation unscanned (``gc.freeze`` then ``gc.unfreeze``: two list
    splices), where the next full collection looks at it as at everything else, instead of one
    young collection scanning half a million objects at the next allocation (0.15 s for
    100 000 records); then the collector resumes, if it was running before."""
    global _gc_paused, _gc_resume
    with _gc_lock:
        if _gc_paused == 0:
            _gc_resume = gc.isenabled()
            gc.disable()
        _gc_paused += 1
    try:
        yield
    finally:
        with _gc_lock:
            _gc_paused -= 1
            if _gc_paused == 0 and _gc_resume:
                gc.freeze()
                gc.unfreeze()
                gc.enable()


def _is_none(value: Any) -> bool:
    return value is None


def _is_true(value: Any) -> bool:
    return value is True


def _left_out_if(test: Any) -> dict[str, Any]:
    """``Field(exclude_if=test)``: the field is left out of every dump where ``test(value)``.
    Checked in pydantic-core per field; a wrap ``model_serializer`` doing the same was a Python
    call per record and a fifth of a load's validation and serialisation (issue 11). Needs
    pydantic 2.12 (older versions would ignore the option and dump the field)."""
    if "exclude_if" not in inspect.signature(Field).parameters:
        raise ImportError(f"graphsvc needs pydantic 2.12 or newer (this is {PYDANTIC_VERSION})")
    return {"exclude_if": test}


class _Input(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, frozen=False)


class Provenance(_Input):
    """Where a record came from: the source (file or generator), its row, and when."""

    source: str
    source_row: int | None = None
    loaded_at: datetime | None = None
    # The rule that derived this record (register_rules.json, a tie rule of an enrichment step).
    # A record no rule derived keeps the form it had before rules existed: no "rule" key.
    rule: str | None = Field(default=None, max_length=100, **_left_out_if(_is_none))


def _check_category(code: str) -> str:
    if code not in load_taxonomy():
        raise ValueError(Text("error.unknown_category", category=code))
    return code


class IcnpoCategory(_Input):
    """A Frivillighetsregisteret category (ICNPO code, e.g. ``1200`` Idrett); ``primary`` is the
    one the organisation ranked first (``rekkefoelge == 1``)."""

    code: str = Field(pattern=r"^\d{4,5}$")
    name: str = Field(min_length=1, max_length=200)
    primary: bool = False


class Actor(_Input):
    id: str = Field(pattern=ID_PATTERN, max_length=200)
    kind: ActorKind
    name: str = Field(min_length=1, max_length=300)
    kommunenummer: str | None = Field(default=None, pattern=KOMMUNE_PATTERN)
    district: str | None = Field(default=None, max_length=100)
    lat: float | None = Field(default=None, ge=-90, le=90)
    lon: float | None = Field(default=None, ge=-180, le=180)
    orgnr: str | None = Field(default=None, pattern=r"^\d{9}$")
    categories: list[str] = Field(default_factory=list)
    # Group identities used to tell bonding from bridging ties (DESIGN 3.3).
    age_band: str | None = Field(default=None, max_length=20)
    background: str | None = Field(default=None, max_length=100)
    # Individuals only: why we hold their data (GDPR purpose) and whether they agreed.
    consent_purpose: str | None = Field(default=None, max_length=300)
    provenance: Provenance | None = None
    # From the registers (Enhetsregisteret, Frivillighetsregisteret); all optional. ``None``
    # rather than empty containers, so records without them keep their stored form.
    address: str | None = Field(default=None, max_length=500)
    orgform: str | None = Field(default=None, pattern=r"^[A-ZÆØÅ0-9]{1,10}$")
    nace: str | None = Field(default=None, pattern=r"^\d{2}(\.\d{1,3})?$")
    founded: date | None = None
    homepage: str | None = Field(default=None, max_length=300)
    parent_orgnr: str | None = Field(default=None, pattern=r"^\d{9}$")
    icnpo: list[IcnpoCategory] | None = None
    # Where ``district`` came from: "given" (a sheet, a source column, POST /actors) or the
    # rule that derived it, "polygon:<file>" / "postnummer:<file>" (loaders/districts.py).
    district_rule: str | None = Field(default=None, max_length=300)
    postnummer: str | None = Field(default=None, pattern=r"^\d{4}$")
    # Which rule of graphsvc/data/register_rules.json gave the kind (DESIGN 5.1).
    kind_rule: str | None = Field(default=None, max_length=100)
    # What the register says in its own words (shown in the map's details): ``aktivitet``,
    # ``vedtektsfestetFormaal``, the postal (contact) address, NACE codes 2 and 3 and the
    # descriptions of all three, and the institutional sector code and its description.
    activity: str | None = Field(default=None, max_length=4000)
    purpose: str | None = Field(default=None, max_length=4000)
    postal_address: str | None = Field(default=None, max_length=500)
    nace2: str | None = Field(default=None, pattern=r"^\d{2}(\.\d{1,3})?$")
    nace3: str | None = Field(default=None, pattern=r"^\d{2}(\.\d{1,3})?$")
    nace_text: list[str] | None = None
    sector: str | None = Field(default=None, pattern=r"^\d{4}$")
    sector_text: str | None = Field(default=None, max_length=200)
    # Field-level provenance when several sources merged into this actor: source format →
    # where that source's data came from, and field → the source format whose value it holds.
    sources: dict[str, Provenance] | None = None
    field_sources: dict[str, str] | None = None
    # Other ids this actor was known by (a merged duplicate, ``kommune:<code>`` of a municipality
    # from the register): writing the actor erases a stored actor under such an id, and
    # later imports of that id fold into this one (loaders/enrich/dedupe.py).
    aliases: list[str] | None = None

    @property
    def is_personal(self) -> bool:
        return self.kind == "individual"


class Initiative(_Input):
    """A co-creation initiative (e.g. *Sykling uten alder*) and the categories it requires."""

    id: str = Field(pattern=ID_PATTERN, max_length=200)
    name: str = Field(min_length=1, max_length=300)
    kommunenummer: str | None = Field(default=None, pattern=KOMMUNE_PATTERN)
    district: str | None = None
    description: str | None = Field(default=None, max_length=2000)
    required_categories: list[str] = Field(default_factory=list)
    provenance: Provenance | None = None

    _cats = field_validator("required_categories")(lambda v: [_check_category(c) for c in v])


class _Holding(_Input):
    id: str = Field(pattern=ID_PATTERN, max_length=200)
    holder: str = Field(pattern=ID_PATTERN, description="actor or initiative id")
    category: str
    description: str | None = Field(default=None, max_length=2000)
    district: str | None = None
    capacity: int | None = Field(default=None, ge=0, description="people or hours per month")
    provenance: Provenance | None = None

    _cat = field_validator("category")(lambda v: _check_category(v))


class Resource(_Holding):
    """What an actor offers: a skill, time, a room, a vehicle, equipment, money, knowledge."""

    availability: str | None = Field(default=None, max_length=200)
    # An offer an enrichment rule derived from a register (loaders/enrich/offers.py): the rule's
    # id, and False until a workshop sheet states the same offer (the same id) and replaces it.
    derived_by: str | None = Field(default=None, max_length=100)
    # A stated offer keeps the form it had before offers were derived (a reload changes
    # nothing): no "confirmed" key when it is True.
    confirmed: bool = Field(default=True, **_left_out_if(_is_true))


class Need(_Holding):
    """What an actor, group or initiative lacks."""

    urgency: Literal["low", "normal", "high"] = "normal"


class Tie(_Input):
    source: str = Field(pattern=ID_PATTERN)
    target: str = Field(pattern=ID_PATTERN)
    kind: TieKind
    strength: float = Field(default=0.5, gt=0, le=1)
    co_creation_level: int | None = Field(default=None, ge=1, le=3)
    written_agreement: bool | None = None
    provenance: Provenance | None = None

    @model_validator(mode="after")
    def _check(self) -> Tie:
        if self.source == self.target:
            raise ValueError(Text("error.model.self_tie"))
        if self.kind != "PARTNERS_WITH" and (
            self.co_creation_level is not None or self.written_agreement is not None
        ):
            raise ValueError(Text("error.model.partnership_only"))
        return self

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.source, self.kind, self.target)


class GraphBatch(BaseModel):
    """Rows to write in one atomic step. Natural keys: ids, and (source, kind, target) for ties."""

    model_config = ConfigDict(extra="forbid")

    actors: list[Actor] = Field(default_factory=list)
    initiatives: list[Initiative] = Field(default_factory=list)
    resources: list[Resource] = Field(default_factory=list)
    needs: list[Need] = Field(default_factory=list)
    ties: list[Tie] = Field(default_factory=list)
    # Ids of derived offers to delete in the same write (an enrichment step's, never part of
    # the API body): the rule that derived them no longer does (loaders/enrich/offers.py).
    _retracted: set[str] = PrivateAttr(default_factory=set)
    # Documents an enrichment step keeps beside the graph (the duplicates a person has yet to
    # decide on), written in the same transaction as the batch.
    _documents: dict[str, Any] = PrivateAttr(default_factory=dict)

    # A large batch's models are built with the collector paused (see ``paused_gc``), read
    # from data or from JSON (the API's body). Not a wrap validator: pydantic hands one the
    # parsed JSON as Python data, so a strict JSON read would refuse its date-time strings.
    @classmethod
    def model_validate(cls, obj: Any, **options: Any) -> GraphBatch:  # type: ignore[override]
        with paused_gc():
            return super().model_validate(obj, **options)

    @classmethod
    def model_validate_json(cls, json_data: Any, **options: Any  # type: ignore[override]
                            ) -> GraphBatch:
        with paused_gc():
            return super().model_validate_json(json_data, **options)

    @property
    def retracted(self) -> set[str]:
        return self._retracted

    @property
    def documents(self) -> dict[str, Any]:
        return self._documents

    def __len__(self) -> int:
        return sum(len(x) for x in (self.actors, self.initiatives, self.resources, self.needs, self.ties))

    def extend(self, other: GraphBatch) -> None:
        for name in ("actors", "initiatives", "resources", "needs", "ties"):
            getattr(self, name).extend(getattr(other, name))
        self._retracted |= other._retracted
        self._documents.update(other._documents)


class WriteReport(BaseModel):
    """What one write did, by record type: created, updated, unchanged."""

    revision: int
    created: dict[str, int] = Field(default_factory=dict)
    updated: dict[str, int] = Field(default_factory=dict)
    unchanged: dict[str, int] = Field(default_factory=dict)
