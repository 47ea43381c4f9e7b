"""Identifiers every loader shares: the organisation number check and name slugs."""

from __future__ import annotations

import re
import unicodedata

from graphsvc.errors import Text
from graphsvc.i18n import register_texts

__all__ = ["brreg_id", "orgnr_problem", "slug", "valid_orgnr"]

_TRANSLIT = str.maketrans({"æ": "ae", "ø": "o", "å": "a"})


def brreg_id(orgnr: str) -> str:
    """The actor id of anything with an organisation number, whichever source names it."""
    return f"brreg:{orgnr}"


def valid_orgnr(orgnr: str) -> bool:
    return orgnr_problem(orgnr) is None


def slug(name: str) -> str:
    """The id part made from a name: Norwegian letters spelt out, accents dropped, other
    scripts kept (nobody's id should depend on their name being Latin).

    >>> slug("Kari Ødegård"), slug("Café Bøler"), slug("Holmen Vel & Co.")
    ('kari-odegard', 'cafe-boler', 'holmen-vel-co')
    """
    text = unicodedata.normalize("NFC", name).casefold().translate(_TRANSLIT)
    text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    return re.sub(r"[\W_]+", "-", unicodedata.normalize("NFC", text)).strip("-")[:80].rstrip("-")


TEXTS = register_texts(__name__, {
    "nb": {
        "row.orgnr.digits": "organisasjonsnummeret må ha 9 sifre, ikke '{orgnr}'",
        "row.orgnr.check_digit": "organisasjonsnummeret '{orgnr}' har feil kontrollsiffer "
                                 "(skrivefeil?)",
    },
    "en": {
        "row.orgnr.digits": "orgnr must be 9 digits, not '{orgnr}'",
        "row.orgnr.check_digit": "orgnr '{orgnr}' has a wrong check digit (typo?)",
    },
})


def orgnr_problem(orgnr: str) -> Text | None:
    """Why ``orgnr`` cannot be an organisation number (modulus-11 check digit), or None.

    >>> orgnr_problem("998877660") is None, str(orgnr_problem("998877661"))
    (True, "orgnr '998877661' has a wrong check digit (typo?)")
    """
    if not re.fullmatch(r"\d{9}", orgnr):
        return Text("row.orgnr.digits", orgnr=orgnr)
    total = sum(int(d) * w for d, w in zip(orgnr, (3, 2, 7, 6, 5, 4, 3, 2)))
    check = (11 - total % 11) % 11
    if check == 10 or check != int(orgnr[8]):
        return Text("row.orgnr.check_digit", orgnr=orgnr)
    return None
