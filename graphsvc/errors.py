"""Every error graphsvc raises on purpose, with its context and the HTTP status it maps to.

::

    GraphsvcError (500)
    ├── NotFoundError (404)              an actor, need or initiative id that does not exist
    ├── ValidationError (422)            input that breaks the domain model
    │   └── UnknownReferenceError (422)  a tie/resource/need pointing at an id nobody has
    ├── ImportFailed (422)               a whole file could not be read; the store is unchanged
    │   └── (carries RowError items)     one rejected row: file, line, field, reason
    ├── StoreError (503)                 the database refused or is unreachable
    ├── ConfigError (500)                a setting that cannot work (bad store URL, missing password)
    ├── Unauthorized (401)               no credential, or a wrong or revoked key or session
    ├── Forbidden (403)                  a role too small for the route (``detail.needs``)
    ├── CsrfFailed (403)                 a cookie write without its CSRF token or same origin
    └── TooManyAttempts (429)            sign-in attempts over the limit (``Retry-After``)

A message is a stable key plus values (``NotFoundError("error.not_found.actor", id=x)``), said
in the reader's language only when it is shown: ``message_in(lang)`` and ``to_dict(lang)`` (the
API's ``lang``/``Accept-Language``, the CLI's ``--lang``; else ``GRAPHSVC_LANG``). The texts are
registered with :func:`graphsvc.i18n.register_texts`, the common ones below in ``TEXTS``, the
others next to the code that raises them. ``str(error)`` and ``.message`` are English, for logs
and tracebacks. The values are the error's ``context`` (the body's ``detail``), plus ``fill=``
values that only fill the text (other texts, rows). A first argument that is no registered key is
shown as it is, in every language (texts not yet converted).

The API turns every one of them into the same JSON shape (``error_body``); the CLI prints the
message as one line and exits non-zero. The store never raises HTTP errors.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

LOG_LANG = "en"  # str(), .message, .reason: what logs and tracebacks show


class Text(str):
    """A text said later, in the reader's language: a key registered with
    ``i18n.register_texts`` plus its values (which may be other ``Text`` objects, rows or
    errors, said in the same language). As a ``str`` it is the English text (for logs, and so
    a skip reason counts and sorts like the plain text it replaces); ``in_(lang)`` says it."""

    key: str
    values: dict[str, Any]

    def __new__(cls, key: str, /, **values: Any) -> Text:
        from graphsvc import i18n

        self = super().__new__(cls, i18n.say_text(key, LOG_LANG, values))
        self.key = key
        self.values = values
        return self

    def in_(self, lang: str | None) -> str:
        from graphsvc import i18n

        return i18n.say_text(self.key, lang, self.values)

    @property
    def code(self) -> str | None:
        """The key if it is registered, else None (a literal text)."""
        from graphsvc import i18n

        return self.key if i18n.is_text_key(self.key) else None

    def __repr__(self) -> str:
        return f"Text({self.key!r}, **{self.values!r})"


def _is_key(key: str) -> bool:
    from graphsvc import i18n

    return i18n.is_text_key(key)


@dataclass(frozen=True, eq=False)
class RowError:
    """One rejected input row: where it is and why (``reason_code`` plus ``values``, said in the
    reader's language by :meth:`reason_in` and :meth:`to_dict`)."""

    file: str
    line: int
    field: str | None
    reason_code: str
    values: Mapping[str, Any] = field(default_factory=dict, hash=False)

    def __post_init__(self) -> None:
        if isinstance(self.reason_code, Text):  # RowError(file, line, field, Text(key, ...))
            text = self.reason_code
            object.__setattr__(self, "reason_code", text.key)
            object.__setattr__(self, "values", {**text.values, **self.values})

    def reason_in(self, lang: str | None) -> str:
        return Text(self.reason_code, **self.values).in_(lang)

    def _said(self) -> tuple[str, int, str | None, str]:
        return (self.file, self.line, self.field, self.reason)

    def __eq__(self, other: object) -> bool:  # equal when they say the same
        return isinstance(other, RowError) and self._said() == other._said()

    def __hash__(self) -> int:
        return hash(self._said())

    @property
    def reason(self) -> str:
        return self.reason_in(LOG_LANG)

    def in_(self, lang: str | None) -> str:
        """``file:line field 'x': reason`` in ``lang``."""
        from graphsvc import i18n

        key = "row.where.field" if self.field else "row.where"
        return i18n.say_text(key, lang, {"file": self.file, "line": self.line,
                                         "field": self.field, "reason": self.reason_in(lang)})

    def __str__(self) -> str:
        return self.in_(LOG_LANG)

    def to_dict(self, lang: str | None = None) -> dict[str, Any]:
        """As a report shows it: ``reason`` in ``lang`` (default bokmål), ``reason_code``
        stable for programs (``unclassified`` for a text not yet given a key)."""
        return {"file": self.file, "line": self.line, "field": self.field,
                "reason": self.reason_in(lang),
                "reason_code": self.reason_code if _is_key(self.reason_code) else "unclassified"}


class GraphsvcError(Exception):
    """Base class. ``code`` is a stable machine-readable name, ``status`` the HTTP status;
    ``key`` names the message, ``context`` is the detail (and fills the message)."""

    status = 500
    code = "internal_error"

    def __init__(self, key: str, /, *, fill: Mapping[str, Any] | None = None,
                 **context: Any) -> None:
        self.key = key
        self.context = context
        self.text = Text(key, **context, **(fill or {}))
        super().__init__(self.message)

    @property
    def message(self) -> str:
        return self.text.in_(LOG_LANG)

    def message_in(self, lang: str | None) -> str:
        return self.text.in_(lang)

    def in_(self, lang: str | None) -> str:  # so an error can fill another text
        return self.message_in(lang)

    def __str__(self) -> str:
        return self.message

    def to_dict(self, lang: str | None = None) -> dict[str, Any]:
        return error_body(self.code, self.message_in(lang), self.context)


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

    def __init__(self, key: str, /, *, rows: list[RowError] | None = None,
                 fill: Mapping[str, Any] | None = None, **context: Any):
        super().__init__(key, fill=fill, **context)
        self.rows = rows or []

    def to_dict(self, lang: str | None = None) -> dict[str, Any]:
        return error_body(self.code, self.message_in(lang),
                          {**self.context, "rows": [r.to_dict(lang) for r in self.rows]})


class StoreError(GraphsvcError):
    status = 503
    code = "store_unavailable"


class ConfigError(GraphsvcError):
    status = 500
    code = "bad_configuration"


def error_body(code: str, message: str, context: dict[str, Any] | None = None) -> dict[str, Any]:
    """The one JSON error shape: ``{"error": {"code", "message", "detail"}}``."""
    return {"error": {"code": code, "message": message, "detail": context or {}}}


# The messages many modules raise; i18n registers them (this module imports nothing of it).
TEXTS: dict[str, dict[str, str]] = {
    "nb": {
        "row.where": "{file}:{line}: {reason}",
        "row.where.field": "{file}:{line} felt '{field}': {reason}",
        "error.lang": "språket '{lang}' støttes ikke (bruk 'nb' eller 'en')",
        "error.internal": "intern feil; se serverloggen",
        "error.unexpected": "'graphsvc {command}' feilet uventet: {exception}: {text} "
                            "(kjør kommandoen på nytt med --debug for å se sporingen)",
        "error.not_found.actor": "ingen aktør har id '{id}'",
        "error.not_found.initiative": "ingen initiativ har id '{id}'",
        "error.not_found.node": "ingen aktør eller initiativ har id '{id}'",
        "error.not_found.need": "ingen behov har id '{id}'",
        "error.not_found.path": "ingenting på {path}: {problem}",
        "error.not_found.route": "ingenting på {path}",
        "error.method_not_allowed": "{method} er ikke tillatt på {path}",
        "error.http": "{status}: {text}",
        "error.invalid_request": "{where}: {problem}",
        "error.unknown_category": "ukjent kategori '{category}'",
        "error.unknown_category.hint": "ukjent kategori '{category}' (mente du {hint}?)",
        "error.unknown_district": "ukjent grend '{district}'; kjente grender: {known}",
        "error.unknown_query": "ukjent {n:spørreparameter|spørreparametere} {said}; "
                               "{path} tar imot: {allowed}",
        "error.setting_invalid": "innstillingen {setting} er ugyldig: {problem}",
        "error.no_such_file": "{file}: filen finnes ikke; ingenting ble skrevet",
        "error.not_found.initiative_not_actor": "'{id}' er et initiativ, ikke en aktør: se {see}",
        "error.not_found.service": "ingen kommunal tjeneste eller institusjon passer til "
                                   "'{service}'",
        "error.not_found.municipality": "grafen har ingen kommune",
        "error.category_or_need": "oppgi en kategori (f.eks. ?category=help.transport) eller "
                                  "id-en til et behov",
        "error.at_least_1": "{name} må være minst 1",
        "error.at_least_0": "{name} må være 0 eller mer",
        "error.positive": "{name} må være større enn 0",
        "error.lat_lon": "oppgi både lat og lon, eller ingen av dem",
        "error.unknown_grouping": "ukjent gruppering '{by}'; bruk en av {known}",
        "error.no_required_categories": "initiativet krever ingen kategorier; oppgi "
                                        "kategoriene",
        "error.kind_actors_only": "--kind gjelder bare aktører",
        "error.upload_too_large": "{file}: større enn {mb} MB",
        "error.body_too_large": "forespørselen er større enn {mb} MB (grensen settes med "
                                "{setting}); ingenting ble skrevet",
        "error.upload_name.control": "filnavnet '{file}' inneholder et kontrolltegn",
        "error.upload_name.no_name": "'{file}' er ikke et filnavn",
        "error.upload_name.too_long": "filnavnet '{file}' er lengre enn {max} byte",
        "error.import_busy": "{running} {running:import kjører|importer kjører} allerede; prøv "
                             "igjen om litt (grensen settes med {setting})",
        "error.host_not_allowed": "vertsnavnet '{host}' er ikke tillatt (tillatte: {allowed}; "
                                  "flere settes med {setting})",
        "error.origin_not_allowed": "en side på {origin} kan ikke skrive hit (tillatte "
                                    "vertsnavn settes med {setting})",
        "error.dotenv_opens_server": "{path} setter {setting}: den innstillingen leses bare fra "
                                     "miljøet eller --allow-remote-without-keys, ikke fra en "
                                     ".env-fil; fjern linjen",
        "error.remote_without_keys": "lytter ikke på {host}: ingen API-nøkler er satt opp, så "
                                     "graphsvc svarer bare på localhost (lag en med "
                                     "{command}, eller sett {setting} bak en proxy som "
                                     "autentiserer)",
        "error.rules.kind_overrides": "kind_overrides kan bare nevne {known}; fikk {got}",
        "error.rules.invalid": "reglene for sosial kapital er ugyldige: {problem}",
        "error.rules.unreadable": "kan ikke lese reglene for sosial kapital fra {path}: {problem}",
        "error.model.self_tie": "et bånd kan ikke gå fra en aktør til den samme aktøren",
        "error.model.partnership_only": "samskapingsnivå og skriftlig avtale hører bare til "
                                        "et samarbeid",
    },
    "en": {
        "row.where": "{file}:{line}: {reason}",
        "row.where.field": "{file}:{line} field '{field}': {reason}",
        "error.lang": "unsupported language '{lang}' (use 'nb' or 'en')",
        "error.internal": "internal error; see the server log",
        "error.unexpected": "'graphsvc {command}' failed unexpectedly: {exception}: {text} "
                            "(run it again with --debug to see the traceback)",
        "error.not_found.actor": "no actor with id '{id}'",
        "error.not_found.initiative": "no initiative with id '{id}'",
        "error.not_found.node": "no actor or initiative with id '{id}'",
        "error.not_found.need": "no need with id '{id}'",
        "error.not_found.path": "nothing at {path}: {problem}",
        "error.not_found.route": "nothing at {path}",
        "error.method_not_allowed": "{method} is not allowed on {path}",
        "error.http": "{status}: {text}",
        "error.invalid_request": "{where}: {problem}",
        "error.unknown_category": "unknown category '{category}'",
        "error.unknown_category.hint": "unknown category '{category}' (did you mean {hint}?)",
        "error.unknown_district": "unknown district '{district}'; known: {known}",
        "error.unknown_query": "unknown query {n:parameter|parameters} {said}; "
                               "{path} accepts: {allowed}",
        "error.setting_invalid": "setting {setting} is invalid: {problem}",
        "error.no_such_file": "{file}: no such file; nothing was written",
        "error.not_found.initiative_not_actor": "'{id}' is an initiative, not an actor: see {see}",
        "error.not_found.service": "no municipal service or institution matching '{service}'",
        "error.not_found.municipality": "the graph holds no municipality",
        "error.category_or_need": "give a category (e.g. ?category=help.transport) or a need id",
        "error.at_least_1": "{name} must be at least 1",
        "error.at_least_0": "{name} must be 0 or more",
        "error.positive": "{name} must be positive",
        "error.lat_lon": "give both lat and lon, or neither",
        "error.unknown_grouping": "unknown grouping '{by}'; use one of {known}",
        "error.no_required_categories": "the initiative names no required categories; give "
                                        "categories",
        "error.kind_actors_only": "--kind applies to actors only",
        "error.upload_too_large": "{file}: larger than {mb} MB",
        "error.body_too_large": "the request is larger than {mb} MB (the limit is set by "
                                "{setting}); nothing was written",
        "error.upload_name.control": "the file name '{file}' contains a control character",
        "error.upload_name.no_name": "'{file}' is not a file name",
        "error.upload_name.too_long": "the file name '{file}' is longer than {max} bytes",
        "error.import_busy": "{running} {running:import is|imports are} running already; try "
                             "again shortly (the limit is set by {setting})",
        "error.host_not_allowed": "the host name '{host}' is not allowed (allowed: {allowed}; "
                                  "add more with {setting})",
        "error.origin_not_allowed": "a page on {origin} may not write here (allowed host "
                                    "names are set by {setting})",
        "error.dotenv_opens_server": "{path} sets {setting}: that setting is read from the "
                                     "environment or --allow-remote-without-keys only, never "
                                     "from a .env file; remove the line",
        "error.remote_without_keys": "refusing to listen on {host}: no API keys are configured, "
                                     "so graphsvc serves localhost only (create one with "
                                     "{command}, or set {setting} behind a proxy that "
                                     "authenticates)",
        "error.rules.kind_overrides": "kind_overrides may only name {known}; got {got}",
        "error.rules.invalid": "social-capital rules are invalid: {problem}",
        "error.rules.unreadable": "cannot read social-capital rules from {path}: {problem}",
        "error.model.self_tie": "a tie cannot join an actor to itself",
        "error.model.partnership_only": "co_creation_level and written_agreement belong to a "
                                        "partnership only",
    },
}


# ---- who may do what (graphsvc/auth, graphsvc/api/auth.py) -------------------------------------

class Unauthorized(GraphsvcError):
    """No credential, or a wrong, unknown or revoked key or session."""

    status = 401
    code = "unauthorized"
    headers = {"WWW-Authenticate": 'Bearer realm="graphsvc"'}


class Forbidden(GraphsvcError):
    """A credential whose role is too small for the route (``detail.needs`` names the role)."""

    status = 403
    code = "forbidden"


class CsrfFailed(GraphsvcError):
    """A write with the session cookie but without its CSRF token, or from another origin."""

    status = 403
    code = "csrf_failed"


class TooManyAttempts(GraphsvcError):
    """Too many sign-in attempts; ``Retry-After`` says when to try again."""

    status = 429
    code = "too_many_attempts"

    def __init__(self, key: str, /, *, retry_after: int, **context) -> None:
        super().__init__(key, retry_after=retry_after, **context)
        self.headers = {"Retry-After": str(retry_after)}
