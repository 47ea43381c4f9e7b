"""No Cypher statement carries anything but allow-listed identifiers and ``$parameters``.

Builds every statement ``graphsvc.store.cypher`` can produce (every record type, every tie kind,
both dialects) and checks its text: labels and relationship types come from the allow-lists,
string literals are the fixed ones, and input values travel only as parameters.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from graphsvc.model import TIE_KINDS
from graphsvc.store import cypher

HOSTILE = "x:a'}) DETACH DELETE n // `Evil` \"$rows\""
RECORD_TYPES = ("actors", "initiatives", "resources", "needs", "ties")
# Words right after ":" or "|" with no space are labels/types: ``(n:Actor``, ``[:OFFERS|NEEDS]``.
# Map entries are always written with a space (``{id: r.id}``), so they do not match.
IDENTIFIER_AFTER = re.compile(r"(?<=[\w(\[]:)(\w+)|(?<=\|)(\w+)")
STRING_LITERAL = re.compile(r"'[^']*'|\"[^\"]*\"")
PROPERTY = re.compile(r"\b(?:n|e|m|k|r|s|t|old)\.(\w+)")
PARAMETER = re.compile(r"\$(\w+)")


def _changes() -> dict[str, list[tuple[str, dict[str, Any]]]]:
    def row(**extra: Any) -> dict[str, Any]:
        return {"id": HOSTILE, "holder": HOSTILE, "category": "help.transport", "name": HOSTILE, **extra}

    changes: dict[str, list[tuple[str, dict[str, Any]]]] = {
        kind: [(HOSTILE, row())] for kind in ("actors", "initiatives", "resources", "needs")
    }
    changes["ties"] = [
        (f"{HOSTILE}|{k}|t:1", {"source": HOSTILE, "target": "t:1", "kind": k, "strength": 0.5})
        for k in TIE_KINDS
    ]
    return changes


def every_statement() -> list[str]:
    query, _params = cypher.write_statement(_changes())
    return [
        query,
        *cypher.schema_statements("neo4j"),
        *cypher.schema_statements("falkordb"),
        cypher.LIST_FALKORDB_INDEXES,
        cypher.INIT_META,
        cypher.REVISION,
        cypher.EXISTING_NODES,
        cypher.DELETE_NODE,
        cypher.CLEAR,
        *(cypher.fetch(kind) for kind in RECORD_TYPES),
        *(cypher.all_records(kind) for kind in RECORD_TYPES),
    ]


@pytest.mark.parametrize("query", every_statement())
def test_labels_and_types_come_from_the_allow_list(query: str) -> None:
    found = {a or b for a, b in IDENTIFIER_AFTER.findall(query)}
    assert found <= {*cypher.LABELS, *cypher.REL_TYPES}


@pytest.mark.parametrize("query", every_statement())
def test_only_fixed_literals_and_known_properties(query: str) -> None:
    assert set(STRING_LITERAL.findall(query)) <= {"'revision'"}
    allowed = {"id", "key", "value", "data", "kind", "source", "target", *(
        p for props in cypher.PROPERTIES.values() for p in props
    )}
    assert set(PROPERTY.findall(query)) <= allowed
    assert set(PARAMETER.findall(query)) <= {
        "ids", "keys", "kinds", "id", *RECORD_TYPES, *(f"ties_{k.lower()}" for k in TIE_KINDS)
    }


def test_input_values_travel_only_as_parameters() -> None:
    query, params = cypher.write_statement(_changes())

    assert "Evil" not in query and "DETACH DELETE n //" not in query
    assert params["actors"][0]["id"] == HOSTILE
    assert params["actors"][0]["name"] == HOSTILE
    assert {f"ties_{k.lower()}" for k in TIE_KINDS} <= set(params)


def test_every_tie_kind_gets_its_own_relationship_type() -> None:
    query, _params = cypher.write_statement(_changes())
    for kind in TIE_KINDS:
        assert f"MERGE (s)-[e:{kind}]->(t)" in query


def test_only_present_record_types_are_written() -> None:
    query, params = cypher.write_statement({"actors": [], "ties": []})
    assert set(params) == set()
    assert query == cypher.BUMP


def test_an_unlisted_tie_kind_is_refused() -> None:
    changes = {"ties": [("a:1|HATES|b:1", {"source": "a:1", "target": "b:1", "kind": "HATES"})]}
    with pytest.raises(ValueError, match="'HATES' is not an allowed relationship type"):
        cypher.write_statement(changes)


def test_an_unknown_dialect_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown Cypher dialect 'mysql'"):
        cypher.schema_statements("mysql")


@pytest.mark.parametrize(
    "key, expected",
    [
        pytest.param("a:1|KNOWS|b:2", ("a:1", "KNOWS", "b:2"), id="plain"),
        pytest.param("a:x|y|PART_OF|b:æ|ø", ("a:x|y", "PART_OF", "b:æ|ø"), id="pipes-in-ids"),
    ],
)
def test_tie_keys_split_on_the_kind(key: str, expected: tuple[str, str, str]) -> None:
    row = cypher.split_tie_key(key)
    assert (row["source"], row["kind"], row["target"]) == expected
    assert row["key"] == key
