"""What may be shown of an individual. Individuals are personal data (DESIGN 7): roles that do
not need names see a stable pseudonym derived from the id, never the name; and an individual's
id is never made from their name (:func:`person_id`), so neither the id nor the pseudonym
reveals it.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from typing import Any

# Fields of an individual that are never published in maps, prints or pseudonymised answers.
PERSONAL_FIELDS = ("name", "age_band", "background", "consent_purpose", "provenance", "lat", "lon")


# The document (``GraphStore.documents``) holding the store's key for people's ids.
PERSON_KEY_DOCUMENT = "secret:person-ids"
# The key when no store's key is given (a sheet read on its own, or an import that does not
# pass ``GraphStore.person_key()`` to ``read_workshop``): ids still contain no name, but anyone
# with this code can test a guessed name against them.
UNKEYED = b"graphsvc: person id without a store key"


def person_id(key: bytes, *parts: str) -> str:
    """An individual's id: ``ws:person:`` and 12 hex digits of an HMAC-SHA256, under the
    store's ``key``, of ``parts`` (e.g. the workshop and the name, both normalised). The same
    parts under the same key give the same id, so loading a sheet again changes nothing;
    without the key, a guessed name cannot be checked against an id.

    >>> person_id(b"k", "holmen-mai-2024", "kari-odegard")
    'ws:person:a29c6b44a794'
    >>> person_id(b"other key", "holmen-mai-2024", "kari-odegard") != _
    True
    """
    message = "\x1f".join(parts).encode("utf-8")
    return "ws:person:" + hmac.new(key, message, hashlib.sha256).hexdigest()[:12]


def pseudonym(node_id: str, lang: str = "nb") -> str:
    """A stable, non-reversible label for an individual.

    >>> pseudonym("demo:p00001")
    'Person a837f3'
    >>> pseudonym("demo:p00001", "en") == pseudonym("demo:p00001")
    True
    """
    digest = hashlib.sha256(node_id.encode("utf-8")).hexdigest()[:6]
    return f"Person {digest}"


def display_name(node_id: str, attrs: Mapping[str, Any], show_names: bool, lang: str = "nb") -> str:
    """The name to show for a node: its name, or a pseudonym for an individual when names are
    not allowed."""
    if attrs.get("kind") == "individual" and not show_names:
        return pseudonym(node_id, lang)
    return str(attrs.get("name") or node_id)
