"""Who may do what: API keys with a role, browser sessions, sign-in limits and the audit log.

All of it lives in a SQLite database of its own (:mod:`graphsvc.auth.db`), never in the graph
store: a key, a session or an audit line must not bump the graph's revision (that rebuilds the
analysis snapshot), every worker process must see the same keys and sessions (a revoke takes
effect at once everywhere), and it must work the same with SQLite, Neo4j and FalkorDB stores.
"""

from graphsvc.auth import texts  # noqa: F401 - registers the messages
from graphsvc.auth.db import AuthDB, auth_db_path, open_auth
from graphsvc.auth.roles import LOCAL_WHO, ROLES, Principal, at_least, local_principal

__all__ = ["AuthDB", "LOCAL_WHO", "Principal", "ROLES", "at_least", "auth_db_path",
           "local_principal", "open_auth"]
