"""What sign-in, roles and keys say to a planner, in bokmål and English."""

from __future__ import annotations

from graphsvc.errors import Text
from graphsvc.i18n import register_texts

TEXTS = register_texts(__name__, {
    "nb": {
        "role.viewer": "leser",
        "role.planner": "planlegger",
        "role.editor": "redaktør",
        "role.admin": "administrator",
        "error.unauthorized": "logg inn først: send en API-nøkkel ({header}) eller logg inn i "
                              "nettleseren",
        "error.unauthorized.key": "API-nøkkelen er feil eller trukket tilbake",
        "error.forbidden": "rollen {role_name} kan ikke gjøre dette; det krever rollen "
                           "{needs_name}",
        "error.csrf_failed": "skrivingen mangler innloggingens kontrollverdi ({header}); last "
                             "siden på nytt",
        "error.csrf_failed.origin": "skrivingen kom fra {origin}, ikke fra denne siden",
        "error.too_many_attempts": "for mange innloggingsforsøk; prøv igjen om {retry_after} "
                                   "{retry_after:sekund|sekunder}",
        "error.key.name": "navnet på en API-nøkkel må ha 1 til 80 tegn og ingen kontrolltegn; "
                          "fikk '{name}'",
        "error.key.role": "ukjent rolle '{role}'; bruk en av {known}",
        "error.key.name_taken": "en aktiv API-nøkkel heter allerede '{name}'; trekk den "
                                "tilbake først, eller velg et annet navn",
        "error.key.not_found": "ingen aktiv API-nøkkel har navnet eller id-en '{key}'",
        "error.auth_db": "kan ikke åpne innloggingsdatabasen ({setting}) {path}: {problem}",
    },
    "en": {
        "role.viewer": "viewer",
        "role.planner": "planner",
        "role.editor": "editor",
        "role.admin": "admin",
        "error.unauthorized": "sign in first: send an API key ({header}) or sign in in the "
                              "browser",
        "error.unauthorized.key": "the API key is wrong or has been revoked",
        "error.forbidden": "the role {role_name} may not do this; it needs the role "
                           "{needs_name}",
        "error.csrf_failed": "the write lacks the session's check value ({header}); reload "
                             "the page",
        "error.csrf_failed.origin": "the write came from {origin}, not from this site",
        "error.too_many_attempts": "too many sign-in attempts; try again in {retry_after} "
                                   "{retry_after:second|seconds}",
        "error.key.name": "an API key's name must have 1 to 80 characters and no control "
                          "character; got '{name}'",
        "error.key.role": "unknown role '{role}'; use one of {known}",
        "error.key.name_taken": "an active API key is already named '{name}'; revoke it "
                                "first, or choose another name",
        "error.key.not_found": "no active API key has the name or id '{key}'",
        "error.auth_db": "cannot open the sign-in database ({setting}) {path}: {problem}",
    },
})


def role_name(role: str) -> Text:
    """A role as a planner reads it (``Text``: said in the reader's language)."""
    return Text(f"role.{role}")
