"""Districts from a district definition (DESIGN 5.1): read a kommune's definition — a CSV
``postnummer;district`` (optionally ``kommunenummer``) and/or GeoJSON polygons with a
``navn``/``name`` (WGS84) — and give every actor of that kommune its district: by its
coordinates (point in polygon, shapely) or else its postnummer (the field, else the one in its
address: four digits before the poststed).

A district set by hand (a workshop sheet, a source's district column, ``POST /actors``) wins:
only districts this module derived (``district_rule`` "polygon:<file>" / "postnummer:<file>")
are derived again; every other district is kept and marked "given". Definitions are stored as
documents ``districts:<kommunenummer>`` so later imports assign with them too.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from graphsvc.errors import GraphsvcError, ImportFailed, RowError, Text, ValidationError
from graphsvc.i18n import register_texts
from graphsvc.model import Actor, GraphBatch
from graphsvc.store.base import GraphStore
from loaders.rows import open_table
from loaders.streams import Limits, budget, clip, json_depth, limits_in_force, one_line, peek

__all__ = ["DOCUMENT_PREFIX", "apply_districts", "assign", "read_definitions"]

DOCUMENT_PREFIX = "districts:"
DERIVED = ("polygon:", "postnummer:")
_POSTNUMMER_COLUMNS = ("postnummer", "postnr", "post_nr", "postcode", "postal_code")
_DISTRICT_COLUMNS = ("district", "grend", "bydel", "navn", "name")
_KOMMUNE_COLUMNS = ("kommunenummer", "kommunenr", "knr")
# Four digits before the poststed: "Olav Kyrres gate 19\n4005 STAVANGER", "Gata 2, 4005 Sta".
_POSTNUMMER_IN_ADDRESS = re.compile(r"(?<![\d-])(\d{4})\s+(?=[^\W\d_])")

TEXTS = register_texts(__name__, {
    "nb": {
        "error.districts.invalid": "grenseinndelingen har {n} {n:feil|feil}, så ingenting ble "
                                   "lagret. Første: {first}",
        "error.districts.no_kommune": "{file}: si hvilken kommune grendene hører til: "
                                      "oppgi kommunenummeret (--kommune) eller en kolonne "
                                      "kommunenummer",
        "error.districts.kommune": "kommunenummer må ha fire sifre som '1103', ikke '{code}'",
        "error.districts.empty": "{files}: ingen grender i filene; ingenting ble lagret",
        "row.districts.columns": "fant ikke kolonnene postnummer og grend (eller district); "
                                 "kolonnene er {headers}",
        "row.districts.postnummer": "postnummer må ha fire sifre, ikke '{value}'",
        "row.districts.no_name": "grenda mangler navn",
        "row.districts.twice": "postnummer {postnummer} står også på linje {line} med grenda "
                               "'{other}'",
        "row.districts.kommune": "kommunenummer må ha fire sifre, ikke '{value}'",
        "row.districts.geojson": "ikke GeoJSON: {problem}",
        "row.districts.geometry": "geometrien må være Polygon eller MultiPolygon, ikke {type}",
        "row.districts.coordinates": "koordinatene er ikke WGS84-grader (fant {lon}, {lat}); "
                                     "gjør dem om til lengde- og breddegrader i WGS84",
        "row.districts.invalid_polygon": "ugyldig polygon: {problem}",
        "reason.districts.no_location": "ingen koordinater og intet postnummer",
        "reason.districts.no_postnummer": "intet postnummer, og grenseinndelingen har ingen "
                                          "polygoner for koordinatene",
        "reason.districts.outside": "koordinatene ligger utenfor alle grender, og intet "
                                    "postnummer",
        "reason.districts.unknown_postnummer": "postnummer {postnummer} er ikke i "
                                               "grenseinndelingen",
    },
    "en": {
        "error.districts.invalid": "the district definition has {n} {n:error|errors}, so nothing "
                                   "was stored. First: {first}",
        "error.districts.no_kommune": "{file}: say which municipality the districts belong to: "
                                      "give its kommunenummer as an option or in a "
                                      "kommunenummer column",
        "error.districts.kommune": "a kommunenummer has four digits like '1103', not '{code}'",
        "error.districts.empty": "{files}: no districts in the files; nothing was stored",
        "row.districts.columns": "found no postnummer and district (or grend) columns; the "
                                 "columns are {headers}",
        "row.districts.postnummer": "a postnummer has four digits, not '{value}'",
        "row.districts.no_name": "the district has no name",
        "row.districts.twice": "postnummer {postnummer} is also on line {line}, with district "
                               "'{other}'",
        "row.districts.kommune": "a kommunenummer has four digits, not '{value}'",
        "row.districts.geojson": "not GeoJSON: {problem}",
        "row.districts.geometry": "the geometry must be a Polygon or MultiPolygon, not {type}",
        "row.districts.coordinates": "the coordinates are not WGS84 degrees (found {lon}, {lat}); "
                                     "convert them to WGS84 longitude and latitude",
        "row.districts.invalid_polygon": "invalid polygon: {problem}",
        "reason.districts.no_location": "no coordinates and no postnummer",
        "reason.districts.no_postnummer": "no postnummer, and the definition has no polygons "
                                          "for its coordinates",
        "reason.districts.outside": "the coordinates are outside every district, and no "
                                    "postnummer",
        "reason.districts.unknown_postnummer": "postnummer {postnummer} is not in the "
                                               "definition",
    },
})


# ---- reading definitions ----------------------------------------------------------------------
def read_definitions(paths: Iterable[str | Path], *, kommune: str | None = None,
                     names: dict[str, str] | None = None,
                     limits: Limits | None = None) -> dict[str, dict[str, Any]]:
    """The definitions in these files, by kommunenummer: ``{"kommunenummer", "files",
    "districts", "polygons": [{name, file, feature, geometry}], "postnummer": {code: {district,
    file, line}}}``. Raises ``ImportFailed`` with every problem (file and line or feature
    number) if any file has one; raises nothing and returns nothing half-read. ``limits``
    (default :class:`loaders.streams.Limits`) bound what the files may cost."""
    if kommune is not None and not re.fullmatch(r"\d{4}", kommune):
        raise ValidationError("error.districts.kommune", code=clip(kommune, 40))
    with limits_in_force(limits):
        try:
            return _read_definitions(paths, kommune, names)
        except GraphsvcError as exc:
            raise one_line(exc)  # the same error, its message clipped if a value was long


def _read_definitions(paths: Iterable[str | Path], kommune: str | None,
                      names: dict[str, str] | None) -> dict[str, dict[str, Any]]:
    defs: dict[str, dict[str, Any]] = {}
    errors: list[RowError] = []
    seen: dict[tuple[str, str], tuple[int, str]] = {}
    read: list[str] = []
    for raw in paths:
        path = Path(raw)
        name = (names or {}).get(str(raw)) or path.name
        read.append(clip(name, 60))
        if _is_json(path, name):
            entries = _read_geojson(path, name, kommune, errors)
        else:
            entries = _read_csv(path, name, kommune, errors, seen)
        for knr, kind, entry in entries:
            d = defs.setdefault(knr, {"kommunenummer": knr, "files": [], "polygons": [],
                                      "postnummer": {}})
            if name not in d["files"]:
                d["files"].append(name)
            if kind == "polygon":
                d["polygons"].append(entry)
            else:
                d["postnummer"][entry.pop("postnummer")] = entry
    if errors:
        raise ImportFailed("error.districts.invalid", rows=errors,
                           fill={"n": len(errors), "first": errors[0]})
    if not defs:
        raise ImportFailed("error.districts.empty", fill={"files": read[:3]})
    for d in defs.values():
        d["districts"] = sorted({p["name"] for p in d["polygons"]}
                                | {p["district"] for p in d["postnummer"].values()})
    return defs


def _is_json(path: Path, name: str) -> bool:
    try:
        head = peek(path, 256)
    except FileNotFoundError:
        raise ImportFailed("error.no_such_file", file=name) from None
    return head.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] in (b"{", b"[")


def _read_csv(path: Path, name: str, kommune: str | None, errors: list[RowError],
              seen: dict[tuple[str, str], tuple[int, str]]) -> list[tuple[str, str, dict]]:
    out: list[tuple[str, str, dict]] = []
    with open_table(path, source=name, zero_pad={c: 4 for c in
                                                 (*_POSTNUMMER_COLUMNS, *_KOMMUNE_COLUMNS)}
                    ) as table:
        cols = {f: next((c for c in aliases if c in table.headers), None)
                for f, aliases in (("postnummer", _POSTNUMMER_COLUMNS),
                                   ("district", _DISTRICT_COLUMNS),
                                   ("kommunenummer", _KOMMUNE_COLUMNS))}
        if cols["postnummer"] is None or cols["district"] is None:
            errors.append(RowError(name, table.header_line, None, "row.districts.columns",
                                   {"headers": clip(", ".join(clip(h, 24) for h in
                                                              table.headers.values()), 120)}))
            return out
        if kommune is None and cols["kommunenummer"] is None:
            raise ImportFailed("error.districts.no_kommune", file=name)
        for row in table.rows:
            def get(field: str) -> str:
                col = cols[field]
                return row.values.get(col, "").strip() if col else ""

            if row.problem is not None:
                errors.append(RowError(name, row.line, row.problem[0], row.problem[1]))
                continue
            code, district = get("postnummer"), " ".join(get("district").split())
            knr = get("kommunenummer") or kommune or ""
            if not re.fullmatch(r"\d{4}", code):
                errors.append(RowError(name, row.line, cols["postnummer"],
                                       "row.districts.postnummer", {"value": clip(code, 40)}))
                continue
            if not district:
                errors.append(RowError(name, row.line, cols["district"], "row.districts.no_name"))
                continue
            if not re.fullmatch(r"\d{4}", knr):
                errors.append(RowError(name, row.line, cols["kommunenummer"],
                                       "row.districts.kommune", {"value": clip(knr, 40)}))
                continue
            if (knr, code) in seen and seen[(knr, code)][1] != district:
                line, other = seen[(knr, code)]
                errors.append(RowError(name, row.line, cols["postnummer"], "row.districts.twice",
                                       {"postnummer": code, "line": line,
                                        "other": clip(other, 40)}))
                continue
            seen[(knr, code)] = (row.line, district)
            out.append((knr, "postnummer", {"postnummer": code, "district": district,
                                            "file": name, "line": row.line}))
    return out


def _read_geojson(path: Path, name: str, kommune: str | None,
                  errors: list[RowError]) -> list[tuple[str, str, dict]]:
    import warnings

    import numpy as np
    import shapely
    from shapely.errors import ShapelyError
    from shapely.geometry import shape
    from shapely.validation import explain_validity

    limits = budget().limits
    with path.open("rb") as fh:
        raw = fh.read(limits.max_document + 1)
    if len(raw) > limits.max_document:
        raise ImportFailed("error.limit.document", file=clip(name, 80),
                           fill={"limit": limits.max_document})
    try:
        text = raw.decode("utf-8-sig")
        if json_depth(text) > limits.max_depth:
            raise ImportFailed("error.limit.depth", file=clip(name, 80), fill={
                "limit": limits.max_depth, "where": Text("limit.where.document")})
        doc = json.loads(text)
    except ValueError as exc:  # not UTF-8, broken JSON, a number of more than 4 300 digits
        errors.append(RowError(name, getattr(exc, "lineno", 0), None, "row.districts.geojson",
                               {"problem": clip(exc, 100)}))
        return []
    except RecursionError as exc:  # unbalanced brackets nested past what the check pairs
        raise ImportFailed("error.limit.depth", file=clip(name, 80), fill={
            "limit": limits.max_depth, "where": Text("limit.where.document")}) from exc
    if isinstance(doc, dict) and doc.get("type") == "Feature":
        features = [doc]
    elif isinstance(doc, dict) and doc.get("type") == "FeatureCollection" \
            and isinstance(doc.get("features"), list):
        features = doc["features"]
    else:
        errors.append(RowError(name, 0, None, "row.districts.geojson",
                               {"problem": "expected a FeatureCollection or a Feature"}))
        return []
    out: list[tuple[str, str, dict]] = []
    # "line" is the feature's number (1 = the first feature): GeoJSON has no useful lines.
    for number, feature in enumerate(features, start=1):
        props = (feature.get("properties") if isinstance(feature, dict) else None) or {}
        props = props if isinstance(props, dict) else {}
        geometry = feature.get("geometry") if isinstance(feature, dict) else None
        district = " ".join(_scalar(props.get("navn") or props.get("name")).split())
        knr = _scalar(props.get("kommunenummer")) or kommune or ""
        gtype = (geometry or {}).get("type") if isinstance(geometry, dict) else None
        if gtype not in ("Polygon", "MultiPolygon"):
            errors.append(RowError(name, number, "geometry", "row.districts.geometry",
                                   {"type": clip(gtype or "null", 40)}))
            continue
        if not district:
            errors.append(RowError(name, number, "navn", "row.districts.no_name"))
            continue
        if not knr:
            raise ImportFailed("error.districts.no_kommune", file=name)
        if not re.fullmatch(r"\d{4}", knr):
            errors.append(RowError(name, number, "kommunenummer", "row.districts.kommune",
                                   {"value": clip(knr, 40)}))
            continue
        try:
            with warnings.catch_warnings():  # GEOS' arithmetic warns on NaN and degenerate rings
                warnings.simplefilter("ignore", RuntimeWarning)
                geom = shape(geometry)
                minx, miny, maxx, maxy = geom.bounds
                coords = shapely.get_coordinates(geom)
                odd = coords[~np.isfinite(coords).all(axis=1)]
        except (ValueError, TypeError, AttributeError, IndexError, KeyError,
                OverflowError, ShapelyError) as exc:
            errors.append(RowError(name, number, "geometry", "row.districts.invalid_polygon",
                                   {"problem": clip(str(exc) or type(exc).__name__, 100)}))
            continue
        # NaN (JSON allows it) is in no range, and bounds leave it out: check every coordinate.
        if len(odd) or not (-180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90):
            lon, lat = (float(odd[0][0]), float(odd[0][1])) if len(odd) else (minx, miny)
            errors.append(RowError(name, number, "geometry", "row.districts.coordinates",
                                   {"lon": lon, "lat": lat}))
            continue
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            problem = None if geom.is_valid else explain_validity(geom)
        if problem is not None:
            errors.append(RowError(name, number, "geometry", "row.districts.invalid_polygon",
                                   {"problem": clip(problem, 100)}))
            continue
        out.append((knr, "polygon", {"name": district, "file": name, "feature": number,
                                     "geometry": geometry}))
    return out


def _scalar(value: Any) -> str:
    """A property as text: a name or a code is a string or a number, never a list or object."""
    return str(value) if isinstance(value, str | int | float) and not isinstance(value, bool) \
        else ""


# ---- assigning --------------------------------------------------------------------------------
class _Locator:
    """Point in polygon and postnummer look-ups for one definition (polygons prepared once)."""

    def __init__(self, definition: dict[str, Any]) -> None:
        import shapely
        from shapely.geometry import shape

        self.polygons = [(shape(p["geometry"]), p["name"], p["file"])
                         for p in definition.get("polygons", [])]
        self.tree = shapely.STRtree([g for g, _, _ in self.polygons])
        self.postnummer = definition.get("postnummer", {})

    def polygon(self, lat: float, lon: float) -> tuple[str, str] | None:
        from shapely.geometry import Point

        if not self.polygons:
            return None
        # A point on a boundary belongs to a district too; where districts overlap, the first
        # in file order wins.
        hits = self.tree.query(Point(lon, lat), predicate="covered_by")
        if not len(hits):
            return None
        _geom, district, file = self.polygons[int(min(hits))]
        return district, f"polygon:{file}"


def postnummer_of(data: dict[str, Any]) -> str | None:
    """The actor's postnummer: its field, else the last four digits before a poststed in its
    address.

    >>> postnummer_of({"address": "Kongsgårdbakken 3\\n4005 STAVANGER"})
    '4005'
    >>> postnummer_of({"address": "Postboks 8001, 4068 Stavanger"})
    '4068'
    >>> postnummer_of({"address": "Storgata 1234"}) is None
    True
    """
    if data.get("postnummer"):
        return data["postnummer"]
    found = _POSTNUMMER_IN_ADDRESS.findall(data.get("address") or "")
    return found[-1] if found else None


def _is_given(data: dict[str, Any]) -> bool:
    """A district nobody derived, or one a source set (``field_sources``) after we did."""
    rule = data.get("district_rule") or ""
    return bool(data.get("district")) and (not rule.startswith(DERIVED)
                                           or "district" in (data.get("field_sources") or {}))


def _locate(data: dict[str, Any], loc: _Locator) -> tuple[str, str] | None:
    """(district, rule) by the actor's coordinates, else by its postnummer."""
    found = None
    if data.get("lat") is not None and data.get("lon") is not None:
        found = loc.polygon(data["lat"], data["lon"])
    code = postnummer_of(data)
    if found is None and code and code in loc.postnummer:
        found = loc.postnummer[code]["district"], f"postnummer:{loc.postnummer[code]['file']}"
    return found


def assign(actors: Iterable[dict[str, Any]], definition: dict[str, Any],
           locator: _Locator | None = None, *, adopt: bool = True,
           ) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Give each actor (as stored data) of the definition's kommune its district.

    An actor that names no kommune (a municipal open-data list without a kommunenummer column)
    is the kommune's when its coordinates fall in one of the kommune's districts or its
    postnummer is one of the kommune's (``adopt``): it gets the kommunenummer with the district.

    Returns the changed actors' data and the report: how many actors of the kommune have a
    district and by which rule, and those that have none with the reason."""
    loc = locator or _Locator(definition)
    changed: list[dict[str, Any]] = []
    by_rule = {"polygon": 0, "postnummer": 0, "given": 0}
    missing: list[dict[str, Any]] = []
    n = adopted = 0
    for data in actors:
        if data.get("kommunenummer") != definition["kommunenummer"]:
            if data.get("kommunenummer") or not adopt or _is_given(data):
                continue
            if (found := _locate(data, loc)) is None:
                continue
            new = dict(data) | {"kommunenummer": definition["kommunenummer"]}
            new["district"], new["district_rule"] = found
            n += 1
            adopted += 1
            by_rule[found[1].split(":")[0]] += 1
            changed.append(new)
            continue
        n += 1
        new = dict(data)
        reason: Any = None
        if _is_given(data):
            new["district_rule"] = "given"
        else:
            found = _locate(data, loc)
            code = postnummer_of(data)
            if found is None:
                new.pop("district", None)
                new.pop("district_rule", None)
                reason = ("reason.districts.unknown_postnummer", {"postnummer": code}) if code \
                    else ("reason.districts.outside", {}) \
                    if data.get("lat") is not None and loc.polygons \
                    else ("reason.districts.no_postnummer", {}) \
                    if data.get("lat") is not None \
                    else ("reason.districts.no_location", {})
            else:
                new["district"], new["district_rule"] = found
        if new.get("district"):
            by_rule[new["district_rule"].split(":")[0]] += 1
        if reason:
            entry = {"id": data["id"], "reason_code": reason[0], "values": reason[1]}
            if data.get("kind") != "individual":  # people are listed by id only
                entry["name"] = data.get("name")
            missing.append(entry)
        if new != data:
            changed.append(new)
    report = {"kommunenummer": definition["kommunenummer"], "files": definition.get("files", []),
              "districts": definition.get("districts", []), "actors": n,
              "with_district": n - len(missing), "by_rule": by_rule, "adopted": adopted,
              "changed": len(changed), "without_district": missing}
    return changed, report


def say_reasons(report: dict[str, Any], lang: str | None) -> dict[str, Any]:
    """The report with every reason said in ``lang`` (``reason``) beside its ``reason_code``."""
    from graphsvc.errors import Text

    out = dict(report)
    out["without_district"] = [
        {k: v for k, v in m.items() if k != "values"}
        | {"reason": Text(m["reason_code"], **m["values"]).in_(lang)}
        for m in report["without_district"]]
    return out


def apply_districts(store: GraphStore, paths: Iterable[str | Path], *,
                    kommune: str | None = None, names: dict[str, str] | None = None,
                    lang: str | None = None, limits: Limits | None = None) -> dict[str, Any]:
    """Read the definitions, store them and every actor's new district in one write; return
    one report per kommune (``{"kommuner": [...], "revision"}``). Nothing is stored on error."""
    defs = read_definitions(paths, kommune=kommune, names=names, limits=limits)
    stored = list(store._all("actors"))
    changed: list[dict[str, Any]] = []
    reports = []
    for knr, definition in sorted(defs.items()):
        rows, report = assign(stored, definition)
        changed.extend(rows)
        taken = {r["id"] for r in rows if r.get("kommunenummer") == knr}
        stored = [d for d in stored if d["id"] not in taken]  # adopted once, by one kommune
        reports.append(say_reasons(report, lang))
    batch = GraphBatch(actors=[Actor.model_validate(d) for d in changed])
    written = store.write(batch, documents={DOCUMENT_PREFIX + k: d for k, d in defs.items()})
    return {"kommuner": reports, "revision": written.revision}
