"""Every Cypher statement graphsvc runs, in one place, so it can be read and checked as a whole.

The statements run unchanged on Neo4j 5 and on the FalkorDB engine the tests use; only the
schema DDL and its listing differ per dialect (``schema_statements``, ``existing_schema``).
Values always travel as ``$parameters``; the only identifiers spliced into the text are labels,
relationship types and property names from the fixed allow-lists below, never anything from
input.

Graph shape::

    (:Actor|:Initiative {id, data, ...})-[:OFFERS]->(:Resource {id, holder, data, ...})
    (:Actor|:Initiative)-[:NEEDS]->(:Need {id, holder, data, ...})
    (:Actor|:Initiative)-[:<TIE_KIND> {data, strength}]->(:Actor|:Initiative)
    (:Meta {key: 'revision', value})
    (:Document {id, data})  key → JSON beside the graph (a district definition per kommune)

``data`` is the record's full JSON, so a store reads back exactly what it wrote; the other
properties are copies for people querying the database directly.

A write is ONE statement: the blocks for each record type are chained with
``WITH count(*) AS ...`` (which always yields one row, even after an empty ``UNWIND``) and end
with the revision bump. One statement is atomic on both engines (FalkorDB has no multi-statement
transactions). ``CALL { ... }`` unit subqueries would also work, but Neo4j 5.23+ deprecates that
form in favour of ``CALL () { ... }``, which FalkorDB cannot parse.
"""

from __future__ import annotations

import json
from typing import Any

from graphsvc.model import TIE_KINDS

# ---- allow-lists: the only identifiers that ever appear in query text -------------------------
NODE_LABELS = {
    "actors": "Actor",
    "initiatives": "Initiative",
    "resources": "Resource",
    "needs": "Need",
    "documents": "Document",  # key → JSON beside the graph (GraphStore.documents)
}
HOLDING_TYPES = {"resources": "OFFERS", "needs": "NEEDS"}
META_LABEL = "Meta"
# What a bulk write (``GraphStore.bulk``) staged and has not committed: invisible to every read.
STAGED_LABEL = "Staged"
REL_TYPES = (*TIE_KINDS, *HOLDING_TYPES.values())
LABELS = (*NODE_LABELS.values(), META_LABEL, STAGED_LABEL)
# Record fields copied to properties beside ``data`` (natural key ``id`` is always there).
PROPERTIES = {
    "actors": ("kind", "name", "kommunenummer", "district"),
    "initiatives": ("name", "kommunenummer", "district"),
    "resources": ("holder", "category", "district"),
    "needs": ("holder", "category", "district", "urgency"),
    "ties": ("strength",),
    "documents": (),
}
DIALECTS = ("neo4j", "falkordb")


def _label(name: str) -> str:
    if name not in LABELS:
        raise ValueError(f"'{name}' is not an allowed node label")
    return name


def _rel_type(name: str) -> str:
    if name not in REL_TYPES:
        raise ValueError(f"'{name}' is not an allowed relationship type")
    return name


def _party(var: str, id_expr: str) -> str:
    """Bind ``var`` to the actor or initiative with id ``id_expr`` (null if there is none).

    Two indexed look-ups instead of a label disjunction: FalkorDB does not parse
    ``(n:Actor|Initiative)``, and ``WHERE n:Actor OR n:Initiative`` cannot use the index.
    """
    return (
        f"OPTIONAL MATCH ({var}_a:Actor {{id: {id_expr}}})\n"
        f"OPTIONAL MATCH ({var}_i:Initiative {{id: {id_expr}}})\n"
    )


# ---- schema DDL: the one place where the dialects differ ---------------------------------------
KEYS = (("Actor", "id"), ("Initiative", "id"), ("Resource", "id"), ("Need", "id"), ("Meta", "key"),
        ("Document", "id"), ("Staged", "key"))
LIST_FALKORDB_INDEXES = "CALL db.indexes() YIELD label, properties RETURN label, properties"
LIST_NEO4J_CONSTRAINTS = (
    "SHOW CONSTRAINTS YIELD type, labelsOrTypes, properties WHERE type = 'UNIQUENESS'\n"
    "RETURN labelsOrTypes[0] AS label, properties"
)
INIT_META = "MERGE (m:Meta {key: 'revision'}) ON CREATE SET m.value = 0"


def schema_statements(
    dialect: str, existing: frozenset[tuple[str, str]] = frozenset()
) -> list[str]:
    """DDL that makes ``MERGE`` on the natural keys fast (and, on Neo4j, race-free).

    Neo4j gets uniqueness constraints, FalkorDB range indexes (it runs writes one at a time, so
    ``MERGE`` cannot race there and needs no constraint). The caller passes the ``existing``
    (label, property) pairs, read with ``existing_schema(dialect)``, and only the missing ones
    are created: FalkorDB has no ``IF NOT EXISTS`` and fails on a duplicate, and Neo4j answers a
    redundant ``IF NOT EXISTS`` with a notification on every start. Neo4j keeps ``IF NOT EXISTS``
    for two stores starting at once.
    """
    missing = [(_label(lbl), prop) for lbl, prop in KEYS if (lbl, prop) not in existing]
    if dialect == "neo4j":
        return [
            f"CREATE CONSTRAINT graphsvc_{lbl.lower()}_{prop} IF NOT EXISTS "
            f"FOR (n:{lbl}) REQUIRE n.{prop} IS UNIQUE"
            for lbl, prop in missing
        ]
    if dialect == "falkordb":
        return [f"CREATE INDEX FOR (n:{lbl}) ON (n.{prop})" for lbl, prop in missing]
    raise ValueError(f"unknown Cypher dialect '{dialect}'; expected one of {DIALECTS}")


def existing_schema(dialect: str) -> str:
    """The query listing what guards keys (rows of ``label``, ``properties``) in ``dialect``:
    uniqueness constraints on Neo4j, indexes on FalkorDB."""
    if dialect == "neo4j":
        return LIST_NEO4J_CONSTRAINTS
    if dialect == "falkordb":
        return LIST_FALKORDB_INDEXES
    raise ValueError(f"unknown Cypher dialect '{dialect}'; expected one of {DIALECTS}")


# ---- reads ------------------------------------------------------------------------------------
REVISION = "MATCH (m:Meta {key: 'revision'}) RETURN m.value AS revision"

EXISTING_NODES = (
    "UNWIND $ids AS k\n"
    + _party("n", "k")
    + "WITH k, n_a, n_i WHERE n_a IS NOT NULL OR n_i IS NOT NULL\nRETURN k AS id"
)

FETCH_TIES = (
    "UNWIND $keys AS k\n"
    + _party("s", "k.source")
    + "WITH k, coalesce(s_a, s_i) AS s\n"
    "MATCH (s)-[e]->(t)\n"
    "WHERE type(e) = k.kind AND t.id = k.target\n"
    "RETURN k.key AS key, e.data AS data"
)

ALL_TIES = (
    "MATCH (s)-[e]->(t) WHERE type(e) IN $kinds\n"
    "RETURN e.data AS data ORDER BY s.id, type(e), t.id"
)


def fetch_nodes(kind: str) -> str:
    """Records of one node type by id: ``$keys`` → rows of ``key``, ``data``."""
    label = _label(NODE_LABELS[kind])
    return f"UNWIND $keys AS k\nMATCH (n:{label} {{id: k}})\nRETURN n.id AS key, n.data AS data"


def all_nodes(kind: str) -> str:
    label = _label(NODE_LABELS[kind])
    return f"MATCH (n:{label}) RETURN n.data AS data ORDER BY n.id"


def held(kind: str) -> str:
    """Resources or needs of these actors: ``$holders`` → rows of ``data``."""
    rel = _rel_type(HOLDING_TYPES[kind])
    label = _label(NODE_LABELS[kind])
    return (f"UNWIND $holders AS h\nMATCH (a:Actor {{id: h}})-[:{rel}]->(n:{label})\n"
            "RETURN n.data AS data")


def fetch(kind: str) -> str:
    return FETCH_TIES if kind == "ties" else fetch_nodes(kind)


def all_records(kind: str) -> str:
    return ALL_TIES if kind == "ties" else all_nodes(kind)


# ---- writes -----------------------------------------------------------------------------------
BUMP = (
    "MERGE (m:Meta {key: 'revision'}) ON CREATE SET m.value = 0\n"
    "SET m.value = m.value + 1\n"
    "RETURN m.value AS revision"
)

DELETE_NODE = (
    _party("n", "$id")
    + "WITH [x IN [n_a, n_i] WHERE x IS NOT NULL] AS found\n"
    "UNWIND found AS n\n"
    "OPTIONAL MATCH (n)-[:OFFERS|NEEDS]->(h)\n"
    "DETACH DELETE h, n\n"
    "WITH count(*) AS removed WHERE removed > 0\n" + BUMP
)

# After an erasure on Neo4j Enterprise (Community has no such procedure): write the store files
# now rather than at the next periodic checkpoint (15 minutes by default), and let Neo4j prune
# rotated transaction logs its retention policy no longer keeps (docs/architecture.md, "Erasure").
CHECKPOINT = "CALL db.checkpoint()"

# A document written only if there is none under its key (the store's key for people's ids);
# ``MERGE`` on the unique ``Document.id`` lets two stores starting at once agree on one.
CREATE_DOCUMENT = (
    "MERGE (d:Document {id: $id}) ON CREATE SET d.data = $data\n"
    "RETURN d.data AS data"
)

CLEAR = (
    "MATCH (n) WHERE " + " OR ".join(f"n:{_label(lbl)}" for lbl in NODE_LABELS.values())
    + f" OR n:{STAGED_LABEL}\n"  # an import's uncommitted rows too
    "DETACH DELETE n\n"
    "WITH count(*) AS removed\n" + BUMP
)

# Actors merged into another (``GraphStore.write`` with aliases), with their ties and holdings.
ERASE_BLOCK = (
    "UNWIND $erase AS k\n"
    "MATCH (n:Actor {id: k})\n"
    "OPTIONAL MATCH (n)-[:OFFERS|NEEDS]->(h)\n"
    "DETACH DELETE h, n\n"
)


# Derived offers withdrawn (``GraphStore.write`` with ``batch.retracted``).
RETRACT_BLOCK = (
    "UNWIND $retract AS k\n"
    "MATCH (h:Resource {id: k})\n"
    "DETACH DELETE h\n"
)


def _sets(var: str, kind: str) -> str:
    return ", ".join(f"{var}.{p} = r.{p}" for p in (*PROPERTIES[kind], "data"))


def _node_block(kind: str, param: str) -> str:
    label = _label(NODE_LABELS[kind])
    return f"UNWIND ${param} AS r\nMERGE (n:{label} {{id: r.id}})\nSET {_sets('n', kind)}\n"


def _holding_block(kind: str, param: str) -> str:
    rel = _rel_type(HOLDING_TYPES[kind])
    # A holding that changed hands loses its old OFFERS/NEEDS edge, so deleting the old holder
    # later does not take the holding with it.
    return (
        _node_block(kind, param)
        + f"WITH r, n\nOPTIONAL MATCH (old)-[o:{rel}]->(n) WHERE old.id <> r.holder\nDELETE o\n"
        "WITH DISTINCT r, n\n"
        + _party("h", "r.holder")
        + f"WITH n, coalesce(h_a, h_i) AS h\nMERGE (h)-[:{rel}]->(n)\n"
    )


def _tie_block(tie_kind: str, param: str) -> str:
    rel = _rel_type(tie_kind)
    # A missing endpoint leaves s or t null, and MERGE then fails the whole statement (both
    # engines), so a tie never silently disappears.
    return (
        f"UNWIND ${param} AS r\n"
        + _party("s", "r.source")
        + _party("t", "r.target")
        + "WITH r, coalesce(s_a, s_i) AS s, coalesce(t_a, t_i) AS t\n"
        f"MERGE (s)-[e:{rel}]->(t)\nSET {_sets('e', 'ties')}\n"
    )


def _row(kind: str, data: dict[str, Any]) -> dict[str, Any]:
    keys = ("source", "target") if kind == "ties" else ("id",)
    row = {k: data.get(k) for k in (*keys, *PROPERTIES[kind])}
    row["data"] = json.dumps(data, ensure_ascii=False, sort_keys=True)
    return row


def write_statement(
    changes: dict[str, list[tuple[str, dict[str, Any]]]],
) -> tuple[str, dict[str, Any]]:
    """One atomic statement that upserts ``changes`` (as ``GraphStore._apply`` receives them)
    and bumps the revision; returns ``(query, params)``. The query returns ``revision``.

    Blocks run in dependency order (nodes before what links to them) and only for record types
    and tie kinds present in ``changes``.
    """
    blocks: list[str] = []
    params: dict[str, Any] = {}

    def add(block: str, param: str, rows: list[dict[str, Any]]) -> None:
        params[param] = rows
        blocks.append(block + f"WITH count(*) AS done_{param}\n")

    if changes.get("erase"):  # merged duplicates go first: their moved holdings come back below
        add(ERASE_BLOCK, "erase", [k for k, _d in changes["erase"]])
    if changes.get("retract"):
        add(RETRACT_BLOCK, "retract", [k for k, _d in changes["retract"]])
    for kind in ("actors", "initiatives", "documents"):
        if changes.get(kind):
            add(_node_block(kind, kind), kind, [_row(kind, d) for _k, d in changes[kind]])
    for kind in ("resources", "needs"):
        if changes.get(kind):
            add(_holding_block(kind, kind), kind, [_row(kind, d) for _k, d in changes[kind]])
    by_kind: dict[str, list[dict[str, Any]]] = {}
    for _key, data in changes.get("ties", []):
        by_kind.setdefault(_rel_type(data["kind"]), []).append(_row("ties", data))
    for tie_kind in TIE_KINDS:
        if tie_kind in by_kind:
            param = f"ties_{tie_kind.lower()}"
            add(_tie_block(tie_kind, param), param, by_kind[tie_kind])
    return "".join(blocks) + BUMP, params


# ---- bulk writes: staged in :Staged nodes, committed by one statement ------------------------
# A staged row is ``{key: "<token>|<type>|<record key>", token, type, at, ...}`` with the same
# properties as the row ``write_statement`` would UNWIND (``type`` is its parameter name:
# ``actors``, ``ties_part_of``, ``erase``, ...); staging a key again replaces the row.
STAGE = "UNWIND $rows AS r\nMERGE (s:Staged {key: r.key})\nSET s = r"

FETCH_STAGED = (
    "UNWIND $keys AS k\nMATCH (s:Staged {key: k})\nRETURN s.key AS key, s.data AS data"
)

UNSTAGE = "MATCH (s:Staged) WHERE s.token = $token\nDELETE s"

UNSTAGE_OLD = "MATCH (s:Staged) WHERE s.at < $before\nDELETE s"


def staged_key(token: str, param: str, key: str) -> str:
    return f"{token}|{param}|{key}"


def stage_rows(
    token: str, at: float, changes: dict[str, list[tuple[str, dict[str, Any]]]],
) -> list[dict[str, Any]]:
    """The ``$rows`` of ``STAGE`` for ``changes`` (as ``GraphStore._apply`` receives them)."""
    rows: list[dict[str, Any]] = []

    def add(param: str, key: str, row: dict[str, Any]) -> None:
        rows.append({**row, "key": staged_key(token, param, key), "token": token,
                     "type": param, "at": at})

    for param in ("erase", "retract"):
        for key, _data in changes.get(param, []):
            add(param, key, {"id": key})
    for kind in ("actors", "initiatives", "documents", "resources", "needs"):
        for key, data in changes.get(kind, []):
            add(kind, key, _row(kind, data))
    for key, data in changes.get("ties", []):
        add(f"ties_{_rel_type(data['kind']).lower()}", key, _row("ties", data))
    return rows


def commit_statement(types: set[str]) -> str:
    """One atomic statement applying what was staged under ``$token`` (the staged ``types``:
    parameter names as ``stage_rows`` gives them) in ``write_statement``'s order, then deleting
    the stage and bumping the revision. The query returns ``revision``."""
    blocks: list[str] = []

    def staged(param: str) -> str:
        return f"MATCH (r:Staged) WHERE r.token = $token AND r.type = '{param}'\n"

    def add(block: str, param: str) -> None:
        blocks.append(block + f"WITH count(*) AS done_{param}\n")

    for param, block in (("erase", ERASE_BLOCK), ("retract", RETRACT_BLOCK)):
        if param in types:
            add(block.replace(f"UNWIND ${param} AS k\n", staged(param) + "WITH r.id AS k\n"),
                param)
    for kind in ("actors", "initiatives", "documents"):
        if kind in types:
            add(_node_block(kind, kind).replace(f"UNWIND ${kind} AS r\n", staged(kind)), kind)
    for kind in ("resources", "needs"):
        if kind in types:
            add(_holding_block(kind, kind).replace(f"UNWIND ${kind} AS r\n", staged(kind)),
                kind)
    for tie_kind in TIE_KINDS:
        param = f"ties_{tie_kind.lower()}"
        if param in types:
            add(_tie_block(tie_kind, param).replace(f"UNWIND ${param} AS r\n", staged(param)),
                param)
    return ("".join(blocks) + "MATCH (r:Staged) WHERE r.token = $token\nDELETE r\n"
            "WITH count(*) AS unstaged\n" + BUMP)


def split_tie_key(key: str) -> dict[str, str]:
    """``source|KIND|target`` → the ``$keys`` row ``FETCH_TIES`` expects.

    Splits on the allow-listed kind rather than on every ``|``, since ids may contain ``|``.
    """
    for kind in TIE_KINDS:
        source, sep, target = key.partition(f"|{kind}|")
        if sep:
            return {"key": key, "source": source, "kind": kind, "target": target}
    raise ValueError(f"'{key}' is not a tie key (source|KIND|target)")
