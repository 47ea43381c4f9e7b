"""What may be shown of an individual. Individuals are personal data (DESIGN 7): roles that do
not need names see a stable pseudonym derived from the id, never the name.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

# Fields of an individual that are never published in maps, prints or pseudonymised answers.
PERSONAL_FIELDS = ("name", "age_band", "background", "consent_purpose", "provenance", "lat", "lon")


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
