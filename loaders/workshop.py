"""Read the resource-mapping sheet a facilitator types up after an ABCD workshop (CSV or XLSX)
into actors, their offers and needs, and the ties between them.

One row per actor. Columns are matched by header name, in any order and any case; the first
name listed is the one the blank template (``loaders/templates/workshop_template.*``) uses:

=================  =====================================  ========================================
column             also accepted                          value
=================  =====================================  ========================================
``aktør``          aktor, actor, navn, name               the actor's name (**required**)
``type``           kind                                   enkeltperson/person, lag/forening,
                                                          institusjon, frivilligsentral, kommune,
                                                          bedrift/næringsliv, or the English
                                                          individual, association, institution,
                                                          frivilligsentral, municipality, business
                                                          (**required**); ``initiativ`` (tiltak,
                                                          prosjekt) makes the row an initiative
``grend``          bydel, district                        the district
``kommunenummer``  kommunenr, knr, municipality_number    4 digits, ``0301`` (a lost leading zero
                                                          is put back)
``tilbyr``         offers                                 ``code: description; code`` e.g.
                                                          ``help.transport: har bil; social.visit``
``trenger``        needs                                  same form as ``tilbyr``
``kontakter``      ties                                   ``KIND:name or id; …`` e.g.
                                                          ``medlem_av:Holmen velforening;
                                                          KNOWS:ws:kari``
``aldersgruppe``   age_band                               e.g. ``67-79``
``samtykke``       consent                                what the person agreed their data is
                                                          used for (individuals only)
``orgnr``          organisasjonsnummer                    9 digits; gives the id ``brreg:<orgnr>``
``id``                                                    a namespaced id (``ws:kari``); default
                                                          ``brreg:<orgnr>``, else ``ws:<slug>``
                                                          (individuals: see below)
``verksted``       workshop                               the workshop the row was collected at
                                                          (e.g. ``Nordbygda mai 2024``)
=================  =====================================  ========================================

Category codes are those of ``graphsvc/data/categories.csv`` (the category's Norwegian or English
name is accepted too). Tie kinds are the model's (MEMBER_OF, VOLUNTEERS_AT, WORKS_AT, KNOWS,
PARTNERS_WITH, COORDINATES, FUNDS, PARTICIPATES_IN, PART_OF) or their Norwegian names
(:data:`TIE_ALIASES`). A tie target is an actor of the same sheet, by name (any case) or id, or
any namespaced id. Other columns are ignored and listed in the result, so nobody's phone number
is stored by accident. A row with any problem is left out whole and reported; the rest loads. A
problem with one tie in ``kontakter`` leaves out that tie only (:attr:`SheetResult.ties_rejected`).
A CSV row whose fields do not line up with the header (an unquoted ``;``, a quote not closed) is
rejected as exactly that, before its misplaced values can produce misleading errors.

Ids are stable, and never depend on the file's name, so loading a sheet again, or a copy of it
under another name, changes nothing. An individual's id never contains their name:
``ws:person:<12 hex>``, a keyed hash (:func:`graphsvc.privacy.person_id`, under the store's key
``person_key``) of the name and a scope, because two people may share a name: the workshop
when the row's ``verksted`` column or the ``workshop`` argument names one, else the kommune,
else none. An ``id`` the sheet gives a person is hashed the same way (unscoped), so it never
reaches an answer, and the sheet's ties may still refer to the person by it. Organisations are
``ws:<name>`` and initiatives ``ws:initiative:<name>`` everywhere; offers and needs
``<actor id>:offer:<code>``.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pydantic import ValidationError as ModelError

from graphsvc.errors import ImportFailed, RowError, Text, ValidationError
from graphsvc.i18n import register_texts
from graphsvc.model import (
    ACTOR_KINDS,
    ID_PATTERN,
    Actor,
    GraphBatch,
    Initiative,
    Need,
    Provenance,
    Resource,
    Tie,
)
from graphsvc.privacy import UNKEYED
from graphsvc.privacy import person_id as _keyed_person_id
from graphsvc.taxonomy import load_taxonomy
from loaders import LoadResult
from loaders.ids import orgnr_problem as _orgnr_problem
from loaders.ids import slug as _slug
from loaders.rows import Row, Table, normalise_header, open_table

__all__ = ["COLUMNS", "KIND_ALIASES", "TEMPLATE_HEADERS", "TIE_ALIASES", "SheetResult",
           "person_id", "read_workshop"]

# field -> accepted headers (normalised); the first is the template's.
COLUMNS: dict[str, tuple[str, ...]] = {
    "name": ("aktør", "aktor", "actor", "navn", "name"),
    "kind": ("type", "kind"),
    "district": ("grend", "bydel", "district"),
    "kommunenummer": ("kommunenummer", "kommunenr", "knr", "municipality_number"),
    "offers": ("tilbyr", "offers"),
    "needs": ("trenger", "needs"),
    "ties": ("kontakter", "ties"),
    "age_band": ("aldersgruppe", "age_band"),
    "consent": ("samtykke", "consent"),
    "orgnr": ("orgnr", "organisasjonsnummer"),
    "id": ("id",),
    "workshop": ("verksted", "workshop"),
}
REQUIRED = ("name", "kind")
TEMPLATE_HEADERS: tuple[str, ...] = tuple(aliases[0] for aliases in COLUMNS.values())
# Excel turns 0301 into 301. (An orgnr never starts with 0, so it is never padded: a short
# one is a typo and must be reported, not filled up.)
_ZERO_PAD = {a: 4 for a in COLUMNS["kommunenummer"]}

KIND_ALIASES: dict[str, tuple[str, ...]] = {
    "individual": ("enkeltperson", "person", "privatperson", "innbygger"),
    "association": ("lag/forening", "lag", "forening", "lag og forening", "frivillig organisasjon"),
    "institution": ("institusjon",),
    "frivilligsentral": ("frivilligsentral", "frivillighetssentral"),
    "municipality": ("kommune", "kommunal tjeneste"),
    "business": ("bedrift", "næringsliv", "firma"),
}
# A row of this type is an initiative (e.g. Sykling uten alder), not an actor: its "trenger" are
# the categories it requires, and actors join it with "deltar_i:<its name>".
INITIATIVE_ALIASES: tuple[str, ...] = ("initiativ", "tiltak", "prosjekt", "initiative")
TIE_ALIASES: dict[str, tuple[str, ...]] = {
    "MEMBER_OF": ("medlem_av", "medlem_i"),
    "VOLUNTEERS_AT": ("frivillig_ved", "frivillig_i"),
    "WORKS_AT": ("jobber_ved", "jobber_i", "ansatt_ved", "ansatt_i"),
    "KNOWS": ("kjenner",),
    "PARTNERS_WITH": ("samarbeider_med",),
    "COORDINATES": ("koordinerer",),
    "FUNDS": ("finansierer",),
    "PARTICIPATES_IN": ("deltar_i",),
    "PART_OF": ("del_av",),
}
_KINDS = ({k: k for k in ACTOR_KINDS} | {a: k for k, al in KIND_ALIASES.items() for a in al}
          | dict.fromkeys(INITIATIVE_ALIASES, "initiative"))
_TIES = {k.casefold(): k for k in TIE_ALIASES} | {a: k for k, al in TIE_ALIASES.items() for a in al}

# The words a sheet may use for a kind (the template's list), said as a list: "… eller bedrift".


Fail = Callable[..., None]  # fail(field, key, **values)

TEXTS = register_texts(__name__, {
    "nb": {
        "row.sheet.kinds": "{some} eller {last}",
        "row.sheet.surplus": "verdier i kolonner uten overskrift: {cells} (i en CSV-fil må en "
                             "verdi som inneholder skilletegnet, stå i anførselstegn)",
        "row.sheet.name_missing": "aktørens navn mangler",
        "row.sheet.kind_missing": "aktørtypen mangler; bruk {kinds}",
        "row.sheet.kind_unknown": "ukjent aktørtype '{kind}'; bruk {kinds}",
        "row.sheet.individual_orgnr": "en enkeltperson har ikke organisasjonsnummer; et "
                                      "enkeltpersonforetak har typen 'bedrift'",
        "row.sheet.initiative_orgnr": "et initiativ har ikke organisasjonsnummer; sett "
                                      "organisasjonen bak det på en egen rad og knytt den til "
                                      "med 'koordinerer:<initiativet>'",
        "row.sheet.kommunenummer": "kommunenummeret må ha 4 sifre, som '0301', ikke '{value}'",
        "row.sheet.workshop_name": "et verkstedsnavn trenger en bokstav eller et siffer, ikke "
                                   "'{value}'",
        "row.sheet.invalid": "{problem}",
        "row.sheet.invalid_code": "'{code}': {problem}",
        "row.sheet.bad_id": "id-en '{id}' må ha et prefiks, som 'ws:kari' (små bokstaver, et "
                            "kolon, ikke mellomrom først), og høyst 150 tegn",
        "row.sheet.no_id_from_name": "kan ikke lage en id av navnet '{name}'; fyll ut kolonnen "
                                     "'id'",
        "row.sheet.category_hint": "ukjent kategorikode '{code}' (mente du '{close}'?)",
        "row.sheet.category": "ukjent kategorikode '{code}' (se listen i malen)",
        "row.sheet.tie_form": "båndet '{item}' må skrives 'type:navn eller id', f.eks. "
                              "'kjenner:Kari'",
        "row.sheet.tie_kind": "ukjent type bånd '{word}'; bruk en av {kinds}",
        "row.sheet.repeated": "samme aktør som på linje {line} (id '{id}'); er det to "
                              "forskjellige aktører, gi hver sin id i kolonnen 'id'",
        "row.sheet.target_rejected": "båndet går til '{target}' på linje {line}, som ble "
                                     "avvist; rett den linjen og last inn på nytt",
        "row.sheet.tie_invalid": "{tie_name} med '{target}': {problem}",
        "row.sheet.target_several": "'{target}' passer til flere rader (linje {lines}); bruk "
                                    "en id",
        "row.sheet.target_stored": "'{target}' passer til {n} aktører som allerede er lagret "
                                   "({ids}); bruk en id",
        "row.sheet.target_unknown": "'{target}' er ingen aktør i dette arket og ingen id som "
                                    "'ws:kari' eller 'brreg:<orgnr>'",
        "row.sheet.target_unknown_hint": "'{target}' er ingen aktør i dette arket og ingen id "
                                         "som 'ws:kari' eller 'brreg:<orgnr>' (mente du "
                                         "'{close}'?)",
        "error.sheet.same_columns": "{file}: kolonnene {both} betyr det samme; behold én",
        "error.sheet.missing_column": "{file}: den påkrevde kolonnen {what} mangler; "
                                      "kolonner i filen: {found_said}",
        "error.sheet.missing_columns": "{file}: de påkrevde kolonnene {what} mangler; "
                                       "kolonner i filen: {found_said}",
        "error.sheet.column_or": "'{column}' (eller {aliases})",
        "error.kommunenummer.4": "kommunenummeret må ha 4 sifre, som '0301', ikke "
                                 "'{kommunenummer}'",
        "error.workshop_name": "et verkstedsnavn trenger en bokstav eller et siffer, ikke "
                               "'{workshop}'",
    },
    "en": {
        "row.sheet.kinds": "{some} or {last}",
        "row.sheet.surplus": "values in columns without a header: {cells} (in a CSV file, a "
                             "value that contains the delimiter must be in double quotes)",
        "row.sheet.name_missing": "the actor's name is missing",
        "row.sheet.kind_missing": "the kind of actor is missing; use {kinds}",
        "row.sheet.kind_unknown": "unknown kind '{kind}'; use {kinds}",
        "row.sheet.individual_orgnr": "an individual has no orgnr; a sole proprietorship is "
                                      "type 'bedrift'",
        "row.sheet.initiative_orgnr": "an initiative has no orgnr; put the organisation behind "
                                      "it on its own row and tie it with "
                                      "'koordinerer:<initiative>'",
        "row.sheet.kommunenummer": "kommunenummer must be 4 digits like '0301', not '{value}'",
        "row.sheet.workshop_name": "a workshop name needs a letter or digit, not '{value}'",
        "row.sheet.invalid": "{problem}",
        "row.sheet.invalid_code": "'{code}': {problem}",
        "row.sheet.bad_id": "id '{id}' must be namespaced like 'ws:kari' (a lower-case prefix, "
                            "a colon, no leading space) and at most 150 characters",
        "row.sheet.no_id_from_name": "cannot make an id from the name '{name}'; fill in the "
                                     "'id' column",
        "row.sheet.category_hint": "unknown category code '{code}' (did you mean '{close}'?)",
        "row.sheet.category": "unknown category code '{code}' (see the list in the template)",
        "row.sheet.tie_form": "tie '{item}' must look like 'kind:name or id', e.g. "
                              "'kjenner:Kari'",
        "row.sheet.tie_kind": "unknown tie kind '{word}'; use one of {kinds}",
        "row.sheet.repeated": "the same actor as line {line} (id '{id}'); if they are "
                              "different actors, give each its own id in the 'id' column",
        "row.sheet.target_rejected": "tie target '{target}' is on line {line}, which was "
                                     "rejected; fix that line and load again",
        "row.sheet.tie_invalid": "{tie_name} with '{target}': {problem}",
        "row.sheet.target_several": "tie target '{target}' matches several rows (lines "
                                    "{lines}); use an id",
        "row.sheet.target_stored": "tie target '{target}' matches {n} actors already in the "
                                   "store ({ids}); use an id",
        "row.sheet.target_unknown": "tie target '{target}' is not an actor in this sheet and "
                                    "not an id like 'ws:kari' or 'brreg:<orgnr>'",
        "row.sheet.target_unknown_hint": "tie target '{target}' is not an actor in this sheet "
                                         "and not an id like 'ws:kari' or 'brreg:<orgnr>' (did "
                                         "you mean '{close}'?)",
        "error.sheet.same_columns": "{file}: columns {both} mean the same thing; keep one",
        "error.sheet.missing_column": "{file}: required column {what} is missing; columns "
                                      "found: {found_said}",
        "error.sheet.missing_columns": "{file}: required columns {what} are missing; columns "
                                       "found: {found_said}",
        "error.sheet.column_or": "'{column}' (or {aliases})",
        "error.kommunenummer.4": "kommunenummer must be 4 digits like '0301', not "
                                 "'{kommunenummer}'",
        "error.workshop_name": "a workshop name needs a letter or digit, not '{workshop}'",
    },
})
_KIND_HINT = Text("row.sheet.kinds", some="enkeltperson, lag/forening, institusjon, "
                  "frivilligsentral, kommune", last="bedrift")


@dataclass
class SheetResult(LoadResult):
    """A workshop sheet's :class:`LoadResult`, plus the ties left out of rows that did load
    (``rejected`` holds the rows left out whole, with all their problems)."""

    ties_rejected: list[RowError] = field(default_factory=list)

    def to_dict(self, lang: str | None = None) -> dict[str, Any]:
        return super().to_dict(lang) | {"ties_rejected": [e.to_dict(lang)
                                                          for e in self.ties_rejected]}


def person_id(name: str, *, workshop: str | None = None, kommunenummer: str | None = None,
              key: bytes | None = None) -> str | None:
    """The id of an individual: a hash under the store's ``key`` of the name (as a slug, so
    case, accents and spacing aside) scoped by workshop, else by kommune. Without a ``key`` the
    hash is unkeyed (:data:`graphsvc.privacy.UNKEYED`): no name in it, but guessable.

    >>> person_id("Kari Ødegård", workshop="Holmen mai 2024", key=b"k")
    'ws:person:a29c6b44a794'
    >>> _ == person_id("kari  odegard", workshop="holmen mai 2024", kommunenummer="0301", key=b"k")
    True
    >>> person_id("Kari Ødegård", kommunenummer="0301", key=b"k") != _
    True
    """
    if not (name_slug := _slug(name)):
        return None
    scope = (_slug(workshop) if workshop else None) or kommunenummer or "person"
    return _keyed_person_id(key or UNKEYED, scope, name_slug)


def read_workshop(
    path: str | Path,
    *,
    kommunenummer: str | None = None,
    workshop: str | None = None,
    loaded_at: datetime | None = None,
    source: str | None = None,
    known: Mapping[str, list[str]] | None = None,
    person_key: bytes | None = None,
) -> SheetResult:
    """Read a workshop sheet; ``kommunenummer`` and ``workshop`` are used for rows that do not
    give one (``workshop`` scopes the ids of individuals, see the module docstring).

    ``known`` maps ``_name_key(name)`` to the ids of organisations and initiatives the store
    already holds, so a second workshop's sheet can tie to them by name. Individuals are never
    resolved by name across sheets: two people may share a name. ``person_key`` is the store's
    key for people's ids (``GraphStore.person_key()``); see :func:`person_id` for without.

    ``source`` names the file in provenance and messages (default: the file name; an upload
    passes the name the user chose). Raises :class:`ImportFailed` when the file as a whole
    cannot be read: missing, empty, not CSV/XLSX, corrupt, or without a required column.
    """
    if kommunenummer is not None and not re.fullmatch(r"\d{4}", kommunenummer):
        raise ValidationError("error.kommunenummer.4", kommunenummer=kommunenummer)
    if workshop is not None and not _slug(workshop):
        raise ValidationError("error.workshop_name", workshop=workshop)
    with open_table(path, source=source, zero_pad=_ZERO_PAD) as table:
        sheet = _Sheet(table, kommunenummer, loaded_at or datetime.now(UTC))
        sheet.known = known or {}
        sheet.workshop = workshop
        sheet.person_key = person_key
        entries = [sheet.parse(row) for row in table.rows]
    sheet.link(entries)
    batch = GraphBatch()
    rejected: list[RowError] = []
    ties_rejected: list[RowError] = []
    for e in entries:
        if e.errors:  # the row is left out whole: report everything wrong with it
            rejected.extend(e.errors + e.tie_errors)
            continue
        ties_rejected.extend(e.tie_errors)
        if e.initiative is not None:
            batch.initiatives.append(e.initiative)
        if e.actor is not None or e.initiative is not None:
            if e.actor is not None:
                batch.actors.append(e.actor)
            batch.resources.extend(e.resources)
            batch.needs.extend(e.needs)
            batch.ties.extend(e.ties)
    return SheetResult(batch, len(entries), _by_line(rejected), table.source, sheet.ignored,
                       ties_rejected=_by_line(ties_rejected))


def _by_line(errors: list[RowError]) -> list[RowError]:
    return sorted(errors, key=lambda err: err.line)


@dataclass
class _Entry:
    """One data row on its way to the batch; it is loaded only if ``errors`` stays empty, and
    ``tie_errors`` are the ties left out of it."""

    line: int
    name: str
    actor_id: str | None = None
    id_given: bool = False
    given_id: str | None = None  # the sheet's own id; a person's never leaves the loader
    actor: Actor | None = None
    initiative: Initiative | None = None
    resources: list[Resource] = field(default_factory=list)
    needs: list[Need] = field(default_factory=list)
    links: list[tuple[str, str]] = field(default_factory=list)  # (tie kind, target as written)
    ties: list[Tie] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    tie_errors: list[RowError] = field(default_factory=list)


class _Sheet:
    """The columns of one file, and the parsing every row of it shares."""

    def __init__(self, table: Table, kommunenummer: str | None, loaded_at: datetime) -> None:
        self.source = table.source
        self.kommunenummer = kommunenummer
        self.loaded_at = loaded_at
        self.known: Mapping[str, list[str]] = {}
        self.workshop: str | None = None
        self.person_key: bytes | None = None
        self.cols: dict[str, str] = {}  # field -> normalised header present in the file
        for fld, aliases in COLUMNS.items():
            found = [a for a in aliases if a in table.headers]
            if len(found) > 1:
                raise ImportFailed("error.sheet.same_columns", file=self.source,
                                   fill={"both": [f"'{table.headers[a]}'" for a in found]})
            if found:
                self.cols[fld] = found[0]
        missing = [f for f in REQUIRED if f not in self.cols]
        if missing:
            what = [Text("error.sheet.column_or", column=COLUMNS[f][0],
                         aliases=", ".join(COLUMNS[f][1:])) for f in missing]
            raise ImportFailed(
                "error.sheet.missing_column" if len(missing) == 1
                else "error.sheet.missing_columns",
                file=self.source,
                missing=[COLUMNS[f][0] for f in missing],
                found=list(table.headers.values()),
                fill={"what": what, "found_said": ", ".join(table.headers.values()) or "-"},
            )
        # Report problems under the header as the user wrote it.
        self.labels = {f: table.headers.get(self.cols.get(f, ""), aliases[0])
                       for f, aliases in COLUMNS.items()}
        used = set(self.cols.values())
        self.ignored = [text for key, text in table.headers.items() if key not in used]
        tax = load_taxonomy()
        self.codes = [c.code for c in tax]
        self.categories = (
            {c.name_nb.casefold(): c.code for c in tax}
            | {c.name_en.casefold(): c.code for c in tax}
            | {c.code: c.code for c in tax}
        )

    def _provenance(self, line: int) -> Provenance:
        return Provenance(source=self.source, source_row=line, loaded_at=self.loaded_at)

    def parse(self, row: Row) -> _Entry:
        def get(fld: str) -> str:
            return row.values.get(self.cols.get(fld, ""), "")

        e = _Entry(row.line, get("name"))

        def fail(fld: str | None, reason: str | Text, /, **values: Any) -> None:
            e.errors.append(RowError(self.source, row.line, fld and self.labels[fld],
                                     reason if isinstance(reason, Text)
                                     else Text(reason, **values)))

        def tie_fail(fld: str | None, reason: str | Text, /, **values: Any) -> None:
            e.tie_errors.append(RowError(self.source, row.line, self.labels["ties"],
                                         reason if isinstance(reason, Text)
                                         else Text(reason, **values)))

        if row.problem:  # the cells are not in their columns: any other message would mislead
            e.errors.append(RowError(self.source, row.line, *row.problem))
            return e
        if row.surplus:
            fail(None, "row.sheet.surplus", cells=", ".join(f"'{c}'" for c in row.surplus))
        if not e.name:
            fail("name", "row.sheet.name_missing")
        kind = _KINDS.get(_kind_key(get("kind")))
        if not get("kind"):
            fail("kind", "row.sheet.kind_missing", kinds=_KIND_HINT)
        elif kind is None:
            fail("kind", "row.sheet.kind_unknown", kind=get("kind"), kinds=_KIND_HINT)
        orgnr = re.sub(r"[\s.]", "", get("orgnr")) or None
        if orgnr is not None and (problem := _orgnr_problem(orgnr)):
            fail("orgnr", problem)
            orgnr = None
        if orgnr is not None and kind == "individual":
            fail("orgnr", "row.sheet.individual_orgnr")
        if orgnr is not None and kind == "initiative":
            fail("orgnr", "row.sheet.initiative_orgnr")
        knr = get("kommunenummer") or self.kommunenummer
        if knr is not None and not re.fullmatch(r"\d{4}", knr):
            fail("kommunenummer", "row.sheet.kommunenummer", value=knr)
            knr = None
        workshop = get("workshop") or self.workshop
        if workshop and not _slug(workshop):
            fail("workshop", "row.sheet.workshop_name", value=workshop)
        e.id_given = bool(get("id"))
        e.given_id = get("id") or None
        e.actor_id = self._actor_id(get("id"), orgnr, e.name, kind, fail,
                                    workshop=workshop, kommunenummer=knr)
        offers = self._holdings(get("offers"), "offers", fail)
        needs = self._holdings(get("needs"), "needs", fail)
        e.links = self._links(get("ties"), tie_fail)
        if e.errors or kind is None or e.actor_id is None:
            return e
        try:
            if kind == "initiative":
                e.initiative = Initiative(
                    id=e.actor_id, name=e.name, kommunenummer=knr,
                    district=get("district") or None, required_categories=list(needs),
                    provenance=self._provenance(row.line))
                node_district = e.initiative.district
            else:
                e.actor = Actor(
                    id=e.actor_id,
                    kind=kind,
                    name=e.name,
                    kommunenummer=knr,
                    district=get("district") or None,
                    orgnr=orgnr,
                    age_band=get("age_band") or None,
                    # Consent is recorded for people only; for an organisation it means nothing.
                    consent_purpose=(get("consent") or None) if kind == "individual" else None,
                    provenance=self._provenance(row.line),
                )
                node_district = e.actor.district
        except ModelError as exc:
            for err in exc.errors():
                loc = {"consent_purpose": "consent"}.get(str(err["loc"][0]), str(err["loc"][0]))
                fail(loc if loc in COLUMNS else None, "row.sheet.invalid", problem=_message(err))
            return e
        for fld, model, codes, out in (("offers", Resource, offers, e.resources),
                                       ("needs", Need, needs, e.needs)):
            for code, desc in codes.items():
                try:
                    out.append(model(
                        id=f"{e.actor_id}:{'offer' if model is Resource else 'need'}:{code}",
                        holder=e.actor_id,
                        category=code,
                        description=desc,
                        district=node_district,
                        provenance=self._provenance(row.line),
                    ))
                except ModelError as exc:
                    fail(fld, "row.sheet.invalid_code", code=code,
                         problem="; ".join(_message(x) for x in exc.errors()))
        return e

    def _actor_id(self, given: str, orgnr: str | None, name: str, kind: str | None,
                  fail: Fail, *, workshop: str | None, kommunenummer: str | None) -> str | None:
        if given:
            if not re.fullmatch(ID_PATTERN, given) or len(given) > 150:
                fail("id", "row.sheet.bad_id", id=given)
                return None
            if kind == "individual":  # 'ws:kari-nordmann' would put the name in every answer
                return _keyed_person_id(self.person_key or UNKEYED, "id", given)
            return given
        if orgnr:
            return f"brreg:{orgnr}"
        if name and (slug := _slug(name)):
            if kind == "initiative":
                return f"ws:initiative:{slug}"
            if kind == "individual":
                # Two people called Kari at two workshops may be two people: scope individuals
                # by workshop (never by file name: a copy of the sheet is the same people).
                # Organisations merge across sheets by name.
                return person_id(name, workshop=workshop, kommunenummer=kommunenummer,
                                 key=self.person_key)
            return f"ws:{slug}"
        if name:
            fail("name", "row.sheet.no_id_from_name", name=name)
        return None

    def _holdings(self, text: str, fld: str, fail: Fail) -> dict[str, str | None]:
        """``code: description; code`` → {code: description}; a code given twice joins the
        descriptions, so nothing typed is lost."""
        found: dict[str, str | None] = {}
        for item in _split(text):
            typed, _, desc = item.partition(":")
            word = " ".join(typed.split()).casefold()
            code = self.categories.get(word)
            if code is None:
                close = difflib.get_close_matches(word, self.codes, n=1)
                if close:
                    fail(fld, "row.sheet.category_hint", code=typed.strip(), close=close[0])
                else:
                    fail(fld, "row.sheet.category", code=typed.strip())
                continue
            before, desc = found.get(code), desc.strip() or None
            found[code] = f"{before}; {desc}" if before and desc else before or desc
        return found

    def _links(self, text: str, fail: Fail) -> list[tuple[str, str]]:
        links = []
        for item in _split(text):
            word, sep, target = item.partition(":")
            kind, target = _TIES.get(normalise_header(word)), target.strip()
            if not sep or not target:
                fail("ties", "row.sheet.tie_form", item=item)
            elif kind is None:
                fail("ties", "row.sheet.tie_kind", word=word.strip(),
                     kinds=", ".join(al[0] for al in TIE_ALIASES.values()))
            else:
                links.append((kind, target))
        return links

    def link(self, entries: list[_Entry]) -> None:
        """Reject repeated actors, then resolve tie targets, leaving out ties that cannot be
        resolved or point at a rejected row."""
        by_id: dict[str, _Entry] = {}
        by_name: dict[str, list[_Entry]] = {}
        for e in entries:
            if e.name:
                by_name.setdefault(_name_key(e.name), []).append(e)
            if e.actor_id is None:
                continue
            first = by_id.setdefault(e.actor_id, e)
            if first is not e:
                self._fail(e, "id" if e.id_given else "name",
                           Text("row.sheet.repeated", line=first.line,
                                id=e.given_id or e.actor_id))
        # The sheet's ties may name a person by the id the sheet gave them.
        for e in entries:
            if e.given_id and e.given_id != e.actor_id and e.actor_id in by_id:
                by_id.setdefault(e.given_id, by_id[e.actor_id])
        # Every row's own problems are known now, so a tie to a rejected row can be left out
        # (a tie must never dangle in the store) without rejecting the row it is on.
        for e in entries:
            for kind, target in e.links:
                dep, target_id, problem = _resolve(target, by_name, by_id, self.known)
                if problem is None and dep is not None and dep.errors:
                    problem = Text("row.sheet.target_rejected", target=target, line=dep.line)
                if problem:
                    self._tie_fail(e, problem)
                    continue
                if (e.actor is None and e.initiative is None) or target_id is None:
                    continue
                try:
                    tie = Tie(source=e.actor_id, target=target_id, kind=kind,
                              provenance=self._provenance(e.line))
                except ModelError as exc:
                    self._tie_fail(e, Text("row.sheet.tie_invalid",
                                           tie_name=Text(f"tie.{kind}"), target=target,
                                           problem=[_message(x) for x in exc.errors()]))
                    continue
                if all(t.key != tie.key for t in e.ties):
                    e.ties.append(tie)

    def _fail(self, e: _Entry, fld: str, reason: Text) -> None:
        e.errors.append(RowError(self.source, e.line, self.labels[fld], reason))

    def _tie_fail(self, e: _Entry, reason: Text) -> None:
        e.tie_errors.append(RowError(self.source, e.line, self.labels["ties"], reason))


def _resolve(
    target: str, by_name: dict[str, list[_Entry]], by_id: dict[str, _Entry],
    known: Mapping[str, list[str]] | None = None,
) -> tuple[_Entry | None, str | None, Text | None]:
    """A tie target → (its row in this sheet or None, its id, or a problem). Names are looked
    up in this sheet first, then among the organisations the store holds (``known``)."""
    matches = by_name.get(_name_key(target), [])
    if len(matches) > 1:
        lines = ", ".join(str(m.line) for m in matches)
        return None, None, Text("row.sheet.target_several", target=target, lines=lines)
    if matches:
        return matches[0], matches[0].actor_id, None
    if target in by_id:
        return by_id[target], by_id[target].actor_id, None
    stored = (known or {}).get(_name_key(target), [])
    if len(stored) > 1:
        return None, None, Text("row.sheet.target_stored", target=target, n=len(stored),
                                ids=", ".join(stored[:3]))
    if stored:
        return None, stored[0], None
    if re.fullmatch(ID_PATTERN, target) and not any(c.isspace() for c in target):
        return None, target, None  # an actor from another source, e.g. brreg:<orgnr>
    close = difflib.get_close_matches(_name_key(target), list(by_name), n=1)
    if close:
        return None, None, Text("row.sheet.target_unknown_hint", target=target,
                                close=by_name[close[0]][0].name)
    return None, None, Text("row.sheet.target_unknown", target=target)


def _message(err: Any) -> str:
    """pydantic's message, or the model's own text (a ``Text``, said in the reader's language)."""
    cause = (err.get("ctx") or {}).get("error")
    said = cause.args[0] if isinstance(cause, ValueError) and cause.args else None
    return said if isinstance(said, Text) else str(err["msg"]).removeprefix("Value error, ")


def _split(text: str) -> list[str]:
    return [item.strip() for item in text.split(";") if item.strip()]


def _kind_key(text: str) -> str:
    return re.sub(r"\s*/\s*", "/", " ".join(text.casefold().split()))


def _name_key(name: str) -> str:
    return " ".join(unicodedata.normalize("NFC", name).casefold().split())
