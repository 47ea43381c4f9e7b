"""A deterministic demo community: the fictional municipality of Fjordvik.

``generate_community(n_actors, seed)`` returns one ``GraphBatch`` of 100 to 100 000 actors with
districts, frivilligsentraler, institutions, associations, businesses and individuals, their
resources and needs, initiatives and ties in proportions drawn from Norwegian practice (about
four in five actors are individuals; roughly one frivilligsentral per three districts). Every
name is invented: individuals are a first name and an initial; organisations are generic kinds
of lag and institutions in invented places, never real named organisations. The kommunenummer
9901 lies outside SSB's list so demo data cannot be mistaken for a real municipality.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from graphsvc.model import Actor, GraphBatch, Initiative, Need, Provenance, Resource, Tie

KOMMUNE = "9901"
KOMMUNE_NAME = "Fjordvik kommune"
SOURCE = "demo-generator"

_STEMS = ["Holm", "Eid", "Strand", "Bakke", "Nes", "Vik", "Berg", "Dal", "Lund", "Mo", "Sand",
          "Haug", "Li", "Ås", "Fjell", "Skog", "Myr", "Øy", "Elv", "Bjørk", "Furu", "Stein",
          "Kvern", "Bø", "Sjø", "Rød", "Græs", "Tjern", "Hamar", "Grav"]
_SUFFIXES = ["en", "by", "stad", "vika", "lia", "heim", "sund", "set", "tun", "voll", "åsen",
             "nes", "mo", "dalen", "øya"]
_FIRST = ["Ingrid", "Kari", "Anne", "Sigrid", "Astrid", "Solveig", "Marit", "Liv", "Randi",
          "Berit", "Nora", "Emma", "Sara", "Amina", "Maja", "Olav", "Per", "Jan", "Knut", "Arne",
          "Bjørn", "Tor", "Lars", "Ole", "Jonas", "Emil", "Ali", "Mohammed", "Jakob", "Aksel",
          "Åse", "Øystein", "Ørjan", "Ragnhild", "Halvor", "Gunnar", "Tove", "Hege", "Leah"]
_INITIALS = "ABDEFGHIJKLMNOPRSTVØÅ"
_AGE_BANDS = [("0-17", 0.10), ("18-34", 0.22), ("35-66", 0.38), ("67-79", 0.18), ("80+", 0.12)]
_BACKGROUNDS = [("fastboende", 0.7), ("tilflytter", 0.2), ("nyankommet", 0.1)]
CONSENT = "Ressurskartlegging Fjordvik (samtykke gitt på workshop)"

# (name pattern, offered categories, needed categories)
_ASSOCIATIONS = [
    ("{d} idrettslag", ["activity.training", "space.room"], ["money.funding"]),
    ("{d} velforening", ["social.event", "help.practical"], ["space.room"]),
    ("{d} pensjonistforening", ["social.meetingplace", "social.visit"], ["help.transport"]),
    ("{d} skolekorps", ["culture.music"], ["money.funding", "space.room"]),
    ("{d} turlag", ["activity.walk"], ["knowledge.communication"]),
    ("{d} husflidslag", ["culture.crafts", "reuse.repair"], ["space.room"]),
    ("{d} seniordans", ["activity.training", "social.event"], ["space.room"]),
    ("{d} sjakklubb", ["social.meetingplace"], ["knowledge.communication"]),
    ("{d} kor", ["culture.music"], ["space.room"]),
    ("{d} internasjonale kvinnegruppe", ["inclusion.language", "food.meals"], ["space.room"]),
    ("{d} ungdomsklubb", ["social.meetingplace", "help.digital"], ["knowledge.coordination"]),
    ("{d} strikkekafé", ["culture.crafts", "social.meetingplace"], []),
    ("{d} sykkelgruppe", ["activity.cycling", "reuse.repair"], ["space.vehicle"]),
]
_INSTITUTIONS = [
    ("{d} skole", ["space.room", "learning.homework"], ["learning.homework"]),
    ("{d} barnehage", ["space.room"], ["social.visit"]),
    ("{d} sykehjem", ["knowledge.health", "space.room"], ["social.visit", "activity.cycling"]),
    ("{d} bibliotekfilial", ["help.digital", "space.room", "learning.course"], []),
]
_MUNICIPAL = [
    ("Hjemmetjenesten i Fjordvik", ["knowledge.health"], ["social.visit", "help.shopping"]),
    ("Fjordvik frisklivssentral", ["activity.training", "knowledge.health"], ["activity.walk"]),
    ("Fjordvik bibliotek", ["help.digital", "learning.course", "space.room"], []),
    ("Kulturskolen i Fjordvik", ["culture.music", "learning.course"], []),
    ("Fjordvik helsestasjon", ["knowledge.health"], ["inclusion.mentor"]),
]
_BUSINESSES = [
    ("{d} bakeri", ["food.baking", "money.funding"], []),
    ("{d} bilverksted", ["space.vehicle", "reuse.repair"], []),
    ("{d} dagligvare", ["help.shopping", "money.funding"], []),
    ("{d} rørlegger", ["help.practical"], []),
]
_INITIATIVES = [
    ("Sykling uten alder – {d}", ["activity.cycling", "space.vehicle", "help.transport"]),
    ("Aktiv på dagtid – {d}", ["activity.training", "activity.walk", "social.meetingplace"]),
    ("Senior ressurs – {d}", ["social.visit", "help.digital", "help.practical",
                              "knowledge.coordination"]),
    ("Leksehjelp – {d}", ["learning.homework", "space.room"]),
    ("Språkkafé – {d}", ["inclusion.language", "social.meetingplace", "food.meals"]),
]
# What individuals offer, by age band (skills of head, hands and heart).
_PERSON_OFFERS = {
    "0-17": ["help.digital", "culture.music", "activity.training"],
    "18-34": ["help.digital", "learning.homework", "activity.training", "inclusion.mentor",
              "help.transport", "culture.music"],
    "35-66": ["help.transport", "help.practical", "food.baking", "learning.homework",
              "reuse.repair", "inclusion.language", "space.vehicle", "knowledge.health"],
    "67-79": ["social.visit", "food.baking", "culture.crafts", "activity.walk", "help.transport",
              "inclusion.language", "help.practical", "activity.cycling"],
    "80+": ["culture.crafts", "social.visit", "food.baking"],
}
_PERSON_NEEDS = {
    "0-17": (0.15, ["learning.homework", "inclusion.mentor"]),
    "18-34": (0.08, ["inclusion.language", "help.practical"]),
    "35-66": (0.08, ["help.respite", "help.digital"]),
    "67-79": (0.25, ["help.digital", "social.meetingplace", "activity.training"]),
    "80+": (0.6, ["help.transport", "social.visit", "help.shopping", "help.digital",
                  "help.practical"]),
}


@dataclass
class _Builder:
    rng: random.Random
    batch: GraphBatch = field(default_factory=GraphBatch)
    prov: Provenance = field(default_factory=lambda: Provenance(source=SOURCE))
    _ties: set[tuple[str, str, str]] = field(default_factory=set)

    def actor(self, id_: str, kind: str, name: str, district: str | None, **kw) -> str:
        self.batch.actors.append(
            Actor(id=id_, kind=kind, name=name, kommunenummer=KOMMUNE, district=district,
                  provenance=self.prov, **kw)
        )
        return id_

    def offer(self, holder: str, category: str, district: str | None, **kw) -> None:
        rid = f"{holder}:offer:{category}"
        self.batch.resources.append(
            Resource(id=rid, holder=holder, category=category, district=district,
                     capacity=self.rng.randint(1, 10), provenance=self.prov, **kw)
        )

    def need(self, holder: str, category: str, district: str | None, **kw) -> None:
        nid = f"{holder}:need:{category}"
        self.batch.needs.append(
            Need(id=nid, holder=holder, category=category, district=district,
                 capacity=self.rng.randint(1, 4), provenance=self.prov, **kw)
        )

    def holdings(self, holder: str, district: str, offers: list[str], needs: list[str],
                 p_need: float) -> None:
        for c in offers:
            self.offer(holder, c, district)
        for c in needs:
            if self.rng.random() < p_need:
                self.need(holder, c, district)

    def tie(self, source: str, target: str, kind: str, strength: float, **kw) -> None:
        key = (source, kind, target)
        if source == target or key in self._ties:
            return
        self._ties.add(key)
        self.batch.ties.append(
            Tie(source=source, target=target, kind=kind, strength=round(strength, 2),
                provenance=self.prov, **kw)
        )


def district_names(count: int) -> list[str]:
    """Invented place names, deterministic.

    >>> district_names(3)
    ['Holmen', 'Eidby', 'Strandstad']
    """
    names: list[str] = []
    for i in range(count):
        stem = _STEMS[i % len(_STEMS)]
        suffix = _SUFFIXES[(i + i // len(_STEMS)) % len(_SUFFIXES)]
        name = stem + suffix
        if name in names:
            name = f"{name} {i // len(_STEMS) + 1}"
        names.append(name)
    return names


def _nth(i: int, districts: list[str], templates: list[tuple]) -> tuple[str, list, list]:
    """The i-th organisation of a kind: districts take turns, then templates, then numbered
    rounds ("Holmen kor 2"). Returns its name, offers and needs."""
    n = len(districts)
    pattern, offers, needs = templates[(i // n) % len(templates)]
    rnd = i // (n * len(templates))
    return pattern.format(d=districts[i % n]) + (f" {rnd + 1}" if rnd else ""), offers, needs


# Fjordvik's districts as a grid of cells (the most the generator makes: 150), shipped as the
# district files in loaders/demo_districts/ that ``graphsvc demo`` assigns districts with.
MAX_DISTRICTS = 150
_GRID_COLUMNS, _ORIGIN, _CELL = 15, (62.0, 6.0), (0.02, 0.04)  # (lat, lon) degrees
DISTRICT_FILES = ("fjordvik.geojson", "fjordvik-postnummer.csv")


def district_cell(i: int) -> tuple[float, float, float, float]:
    """(south, west, north, east) of the i-th district's cell."""
    row, col = divmod(i, _GRID_COLUMNS)
    south, west = _ORIGIN[0] + row * _CELL[0], _ORIGIN[1] + col * _CELL[1]
    return (round(south, 5), round(west, 5), round(south + _CELL[0], 5),
            round(west + _CELL[1], 5))


def district_postnummer(i: int) -> str:
    """The invented postnummer of the i-th district (kommune 9901 exists nowhere)."""
    return f"{9000 + i:04d}"


def district_files() -> dict[str, str]:
    """The text of Fjordvik's district files: GeoJSON cells and a postnummer list."""
    features = []
    for i, name in enumerate(district_names(MAX_DISTRICTS)):
        s, w, n, e = district_cell(i)
        ring = [[w, s], [e, s], [e, n], [w, n], [w, s]]
        features.append({"type": "Feature", "properties": {"navn": name},
                         "geometry": {"type": "Polygon", "coordinates": [ring]}})
    import json

    geojson = ('{"type": "FeatureCollection", "features": [\n'
               + ",\n".join(json.dumps(f, ensure_ascii=False) for f in features) + "\n]}\n")
    csv = "postnummer;grend\n" + "".join(f"{district_postnummer(i)};{name}\n" for i, name in
                                          enumerate(district_names(MAX_DISTRICTS)))
    return {DISTRICT_FILES[0]: geojson, DISTRICT_FILES[1]: csv}


def _locate(batch: GraphBatch, districts: list[str], seed: int) -> None:
    """Organisations as a register gives them: coordinates in their district's cell
    (businesses: a street address with the district's postnummer instead) and no district;
    individuals keep theirs, as a workshop sheet gives it."""
    rng = random.Random(seed * 7919 + 1)  # its own stream: the community stays the same
    index = {d: i for i, d in enumerate(districts)}
    for n, a in enumerate(batch.actors):
        if a.kind == "individual" or a.district is None:
            continue
        i = index[a.district]
        if a.kind == "business":
            update = {"address": f"Storgata {rng.randint(1, 99)}\n{district_postnummer(i)} "
                                 "FJORDVIK"}
        else:
            s, w, nn, e = district_cell(i)
            update = {"lat": round(rng.uniform(s + 0.1 * (nn - s), nn - 0.1 * (nn - s)), 5),
                      "lon": round(rng.uniform(w + 0.1 * (e - w), e - 0.1 * (e - w)), 5)}
        batch.actors[n] = a.model_copy(update={**update, "district": None})


def _weighted(rng: random.Random, pairs: list[tuple[str, float]]) -> str:
    return rng.choices([p[0] for p in pairs], weights=[p[1] for p in pairs])[0]


def generate_community(n_actors: int = 1000, seed: int = 42, *,
                       located: bool = False) -> GraphBatch:
    """The Fjordvik demo community with about ``n_actors`` actors. ``located``: organisations
    come with coordinates or an address instead of a district, for Fjordvik's district files
    to assign (what ``graphsvc demo`` does).

    >>> batch = generate_community(200, seed=1)
    >>> len(batch.actors)
    200
    >>> generate_community(200, seed=1) == batch
    True
    >>> sorted({a.kind for a in batch.actors})  # doctest: +NORMALIZE_WHITESPACE
    ['association', 'business', 'frivilligsentral', 'individual', 'institution',
     'municipality']
    """
    if not 100 <= n_actors <= 100_000:
        raise ValueError("the demo community has between 100 and 100 000 actors")
    rng = random.Random(seed)
    b = _Builder(rng)
    n_districts = max(4, min(150, round(n_actors / 150)))
    districts = district_names(n_districts)

    kommune = b.actor("demo:kommune", "municipality", KOMMUNE_NAME, None)
    b.offer(kommune, "money.funding", None, description="Tilskudd til frivillighet")

    services = []
    for i, (name, offers, needs) in enumerate(_MUNICIPAL):
        sid = b.actor(f"demo:s{i + 1:02d}", "institution", name, None)
        services.append(sid)
        for c in offers:
            b.offer(sid, c, None)
        for c in needs:
            b.need(sid, c, None)
        b.tie(sid, kommune, "PART_OF", 1.0)

    # One frivilligsentral per three districts; it serves its own and the next two.
    centre_of: dict[str, str] = {}
    centres = []
    for i in range(0, n_districts, 3):
        d = districts[i]
        fid = b.actor(f"demo:f{len(centres) + 1:03d}", "frivilligsentral", f"{d} frivilligsentral",
                      d, categories=["icnpo:8200"])
        centres.append(fid)
        for c in ("knowledge.coordination", "social.meetingplace", "help.transport"):
            b.offer(fid, c, d)
        b.need(fid, "knowledge.communication", d)
        for dd in districts[i : i + 3]:
            centre_of[dd] = fid
        b.tie(kommune, fid, "FUNDS", 0.8)
        b.tie(fid, kommune, "PARTNERS_WITH", 0.7, co_creation_level=rng.choice([1, 2]),
              written_agreement=rng.random() < 0.6)

    n_fixed = 1 + len(services) + len(centres)
    n_rest = n_actors - n_fixed
    n_institutions = max(n_districts, round(n_rest * 0.04))
    n_associations = max(n_districts * 2, round(n_rest * 0.11))
    n_businesses = max(2, round(n_rest * 0.02))
    n_people = n_actors - n_fixed - n_institutions - n_associations - n_businesses

    institutions: dict[str, list[str]] = {d: [] for d in districts}
    for i in range(n_institutions):
        d = districts[i % n_districts]
        name, offers, needs = _nth(i, districts, _INSTITUTIONS)
        iid = b.actor(f"demo:i{i + 1:05d}", "institution", name, d)
        institutions[d].append(iid)
        b.holdings(iid, d, offers, needs, p_need=0.5)
        b.tie(iid, kommune, "PART_OF", 0.9)

    associations: dict[str, list[str]] = {d: [] for d in districts}
    for i in range(n_associations):
        d = districts[i % n_districts]
        name, offers, needs = _nth(i, districts, _ASSOCIATIONS)
        aid = b.actor(f"demo:a{i + 1:05d}", "association", name, d)
        associations[d].append(aid)
        b.holdings(aid, d, offers, needs, p_need=0.4)
        if rng.random() < 0.5:
            b.tie(aid, centre_of[d], "PARTNERS_WITH", rng.uniform(0.4, 0.9), co_creation_level=3,
                  written_agreement=rng.random() < 0.3)
        if institutions[d] and rng.random() < 0.3:
            b.tie(aid, rng.choice(institutions[d]), "PARTNERS_WITH", rng.uniform(0.3, 0.8),
                  co_creation_level=rng.choice([2, 3]), written_agreement=False)

    for i in range(n_businesses):
        d = districts[i % n_districts]
        name, offers, _needs = _nth(i, districts, _BUSINESSES)
        bid = b.actor(f"demo:b{i + 1:05d}", "business", name, d)
        b.holdings(bid, d, offers, [], p_need=0)
        if associations[d] and rng.random() < 0.5:
            b.tie(bid, rng.choice(associations[d]), "FUNDS", rng.uniform(0.3, 0.7))

    people: dict[str, list[str]] = {d: [] for d in districts}
    person_ids = []
    for i in range(n_people):
        d = districts[rng.randrange(n_districts)]
        age = _weighted(rng, _AGE_BANDS)
        name = f"{rng.choice(_FIRST)} {rng.choice(_INITIALS)}."
        pid = b.actor(f"demo:p{i + 1:06d}", "individual", name, d, age_band=age,
                      background=_weighted(rng, _BACKGROUNDS), consent_purpose=CONSENT)
        people[d].append(pid)
        person_ids.append((pid, d, age))
        if rng.random() < 0.4:
            for c in rng.sample(_PERSON_OFFERS[age], k=min(len(_PERSON_OFFERS[age]),
                                                            rng.choice([1, 1, 2]))):
                b.offer(pid, c, d, availability=rng.choice(["dagtid", "kveld", "helg"]))
        p_need, need_cats = _PERSON_NEEDS[age]
        if rng.random() < p_need:
            for c in rng.sample(need_cats, k=rng.choice([1, 1, 2])):
                b.need(pid, c, d, urgency=rng.choice(["normal", "normal", "high"]))

    # Ties of individuals. About one in twenty stays isolated: the gaps a map should reveal.
    for pid, d, age in person_ids:
        if rng.random() < 0.05:
            continue
        for _ in range(rng.choice([0, 1, 1, 2, 3])):
            dd = d if rng.random() < 0.75 else districts[rng.randrange(n_districts)]
            if associations[dd]:
                b.tie(pid, rng.choice(associations[dd]), "MEMBER_OF", rng.uniform(0.4, 0.8))
        for _ in range(rng.choice([1, 1, 2, 3, 4])):
            dd = d if rng.random() < 0.8 else districts[rng.randrange(n_districts)]
            other = rng.choice(people[dd]) if people[dd] else None
            if other:
                b.tie(pid, other, "KNOWS", rng.uniform(0.3, 1.0))
        if age not in ("0-17", "80+") and rng.random() < 0.12:
            b.tie(pid, centre_of[d], "VOLUNTEERS_AT", rng.uniform(0.5, 0.9))
        if age in ("18-34", "35-66") and rng.random() < 0.10:
            workplace = rng.choice(institutions[d] + services)
            b.tie(pid, workplace, "WORKS_AT", rng.uniform(0.6, 1.0))

    # Initiatives: about one per two districts, coordinated by the district's frivilligsentral.
    for i in range(max(3, n_districts // 2)):
        d = districts[(i * 2) % n_districts]
        pattern, required = _INITIATIVES[i % len(_INITIATIVES)]
        init_id = f"demo:init{i + 1:03d}"
        b.batch.initiatives.append(
            Initiative(id=init_id, name=pattern.format(d=d), kommunenummer=KOMMUNE, district=d,
                       required_categories=required, provenance=b.prov)
        )
        b.tie(centre_of[d], init_id, "COORDINATES", 0.8)
        for c in required:
            if rng.random() < 0.5:
                b.need(init_id, c, d)
        for aid in rng.sample(associations[d], k=min(2, len(associations[d]))):
            b.tie(aid, init_id, "PARTICIPATES_IN", rng.uniform(0.4, 0.8))
        for pid in rng.sample(people[d], k=min(rng.randint(2, 6), len(people[d]))):
            b.tie(pid, init_id, "PARTICIPATES_IN", rng.uniform(0.4, 0.9))
    if located:
        _locate(b.batch, districts, seed)
    return b.batch
