"""The four roles, each with the rights of those before it, and who a request acts as."""

from __future__ import annotations

from dataclasses import dataclass

ROLES = ("viewer", "planner", "editor", "admin")
"""viewer: every read, individuals as pseudonyms; planner: + names; editor: + writes and
imports; admin: + erasure, export, keys and the audit log."""
NAMES_FROM = "planner"  # the least role that sees individuals' names
LOCAL_WHO = "local"  # who acts when no key is configured


def at_least(role: str, needed: str) -> bool:
    """Whether ``role`` has the rights of ``needed``.

    >>> at_least("editor", "planner"), at_least("viewer", "editor")
    (True, False)
    """
    return ROLES.index(role) >= ROLES.index(needed)


@dataclass(frozen=True)
class Principal:
    """Who a request acts as. ``via``: ``local`` (no keys configured), ``bearer`` (an
    ``Authorization`` header) or ``cookie`` (a browser session, whose ``csrf_token`` every
    write must repeat)."""

    who: str
    role: str
    names: bool
    via: str
    key_id: str | None = None
    csrf_token: str | None = None

    @classmethod
    def of_key(cls, key_id: str, name: str, role: str, *, via: str,
               csrf_token: str | None = None) -> Principal:
        return cls(who=name, role=role, names=at_least(role, NAMES_FROM), via=via,
                   key_id=key_id, csrf_token=csrf_token)


def local_principal(show_names: bool) -> Principal:
    """No keys configured: every request acts with every right, names as the server's
    ``GRAPHSVC_SHOW_NAMES`` says (as before keys existed)."""
    return Principal(who=LOCAL_WHO, role="admin", names=show_names, via="local")
