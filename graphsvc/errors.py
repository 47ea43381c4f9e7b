"""Every error graphsvc raises on purpose, with its context and the HTTP status it maps to.

::

    GraphsvcError (500)
    ├── NotFoundError (404)              an actor, need or initiative id that does not exist
    ├── ValidationError (422)            input that breaks the domain model
    │   └── UnknownReferenceError (422)  a tie/resource/need pointing at an id nobody has
    ├── ImportFailed (422)               a whole file could not be read; the store is unchanged
    │   └── (carries RowError items)     one rejected row: file, line, field, reason
    ├── StoreError (503)                 the database refused or is unreachable
    └── ConfigError (500)                a setting that cannot work (bad store URL, missing password)

The API turns every one of them into the same JSON shape (``error_body``); the CLI prints
``str(error)`` as one line and exits non-zero. The store never raises HTTP errors.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True)
class RowError:
    """One rejected input row: where it is and why it was rejected."""

    file: str
    line: int
    field: str | None
    reason: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}"
        if self.field:
            where += f" field '{self.field}'"
        return f"{where}: {self.reason}"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


class GraphsvcError(Exception):
    """Base class. ``code`` is a stable machine-readable name, ``status`` the HTTP status."""

    status = 500
    code = "internal_error"

    def __init__(self, message: str, **context: Any) -> None:
        super().__init__(message)
        self.message = message
        self.context = context

    def to_dict(self) -> dict[str, Any]:
        return error_body(self.code, self.message, self.context)


class NotFoundError(GraphsvcError):
    status = 404
    code = "not_found"


class ValidationError(GraphsvcError):
    status = 422
    code = "invalid_input"


class UnknownReferenceError(ValidationError):
    code = "unknown_reference"


class ImportFailed(GraphsvcError):
    """A file could not be imported at all; nothing was written. ``rows`` are the rejected rows
    that made it fail (strict mode, or every row rejected); they go in the body's ``detail``."""

    status = 422
    code = "import_failed"

    def __init__(self, message: str, *, rows: list[RowError] | None = None, **context: Any):
        super().__init__(message, **context)
        self.rows = rows or []

    def to_dict(self) -> dict[str, Any]:
        return error_body(self.code, self.message,
                          {**self.context, "rows": [r.to_dict() for r in self.rows]})


class StoreError(GraphsvcError):
    status = 503
    code = "store_unavailable"


class ConfigError(GraphsvcError):
    status = 500
    code = "bad_configuration"


def error_body(code: str, message: str, context: dict[str, Any] | None = None) -> dict[str, Any]:
    """The one JSON error shape: ``{"error": {"code", "message", "detail"}}``."""
    return {"error": {"code": code, "message": message, "detail": context or {}}}
