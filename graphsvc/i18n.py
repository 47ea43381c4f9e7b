"""One language at a time, one vocabulary: bokmål by default, English on request.

Every module that shows text to a planner registers its messages here (``{"nb": {...}, "en":
{...}}``), so one test (tests/unit/test_i18n.py) checks them all against ``docs/glossary.md``:
the same keys and placeholders in both languages, and only the glossary's terms. The shared words
(kinds of social capital, actor kinds, tie kinds, measures) live here too, so the API, the CLI,
maps and prints name a thing alike.

Templates are ``str.format`` strings with two additions: ``{n:aktør|aktører}`` picks the
singular when ``n`` is 1 and the plural otherwise, and a float is written with a decimal comma
in bokmål.

>>> say("{n} {n:aktør har|aktører har} ingen bånd", "nb", n=1)
'1 aktør har ingen bånd'
>>> say("{share} % of {n} {n:tie|ties}", "en", share=12.5, n=3)
'12.5 % of 3 ties'
>>> say("{share} %", "nb", share=12.5)
'12,5 %'
"""

from __future__ import annotations

import string
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from graphsvc.errors import ValidationError

LANGS = ("nb", "en")
DEFAULT_LANG = "nb"


def check_lang(lang: str | None) -> str:
    """The language (``None`` is the default, bokmål), or a clear error.

    >>> check_lang(None), check_lang("en")
    ('nb', 'en')
    >>> check_lang("de")
    Traceback (most recent call last):
    ...
    graphsvc.errors.ValidationError: unsupported language 'de' (use 'nb' or 'en')
    """
    if lang is None:
        return DEFAULT_LANG
    if lang not in LANGS:
        raise ValidationError("error.lang", lang=lang)
    return lang


class _Formatter(string.Formatter):
    def __init__(self, lang: str) -> None:
        super().__init__()
        self.lang = lang

    def format_field(self, value: Any, format_spec: str) -> str:
        if "|" in format_spec:
            one, _, many = format_spec.partition("|")
            return one if value == 1 else many
        if isinstance(value, float):
            out = format(value, format_spec) if format_spec else str(value)
            return out.replace(".", ",") if self.lang == "nb" else out
        return super().format_field(value, format_spec)


_FORMATTERS = {lang: _Formatter(lang) for lang in LANGS}


def say(template: str, lang: str = DEFAULT_LANG, /, **values: Any) -> str:
    """Fill a template in ``lang`` (plural choices, decimal comma in bokmål)."""
    return _FORMATTERS[check_lang(lang)].format(template, **values)


def placeholders(template: str) -> set[str]:
    """The names a template fills.

    >>> sorted(placeholders("{n} {n:tie|ties} from {a}"))
    ['a', 'n']
    """
    return {name for _lit, name, _spec, _conv in string.Formatter().parse(template) if name}


class Messages:
    """One module's texts in every language; call it to get a filled text."""

    def __init__(self, name: str, table: Mapping[str, Mapping[str, str]]) -> None:
        missing = set(LANGS) - set(table)
        if missing:
            raise ValueError(f"messages '{name}' lack languages {sorted(missing)}")
        self.name = name
        self.table = {lang: dict(table[lang]) for lang in LANGS}

    def __call__(self, key: str, lang: str = DEFAULT_LANG, /, **values: Any) -> str:
        return say(self.table[check_lang(lang)][key], lang, **values)

    def template(self, key: str, lang: str = DEFAULT_LANG) -> str:
        return self.table[check_lang(lang)][key]

    def bind(self, lang: str | None) -> Callable[..., str]:
        """The texts of one language: ``t = MESSAGES.bind(lang); t("key", n=3)``."""
        lang = check_lang(lang)
        return lambda key, /, **values: self(key, lang, **values)

    def __contains__(self, key: object) -> bool:
        return key in self.table[DEFAULT_LANG]


_REGISTRY: dict[str, Messages] = {}


def register(name: str, table: Mapping[str, Mapping[str, str]]) -> Messages:
    """Register a module's texts (by module name) so the glossary test sees them."""
    messages = Messages(name, table)
    _REGISTRY[name] = messages
    return messages


def registry() -> dict[str, Messages]:
    return dict(_REGISTRY)


# ---- texts said later: errors, row errors, skip reasons (graphsvc.errors.Text) -------------

_TEXT_KEYS: dict[str, Messages] = {}


def register_texts(name: str, table: Mapping[str, Mapping[str, str]]) -> Messages:
    """Register texts an error or a report carries as a key (``Text(key, **values)``) and says
    only when shown, in the reader's language. Their keys are unique across all modules.

    >>> from graphsvc.errors import NotFoundError
    >>> NotFoundError("error.not_found.actor", id="x").message_in("nb")
    "ingen aktør har id 'x'"
    """
    messages = register(name, table)
    for key in messages.table[DEFAULT_LANG]:
        owner = _TEXT_KEYS.get(key)
        if owner is not None and owner.name != name:
            raise ValueError(f"text key '{key}' of '{name}' is '{owner.name}''s already")
        _TEXT_KEYS[key] = messages
    return messages


def is_text_key(key: str) -> bool:
    return key in _TEXT_KEYS


def text_keys() -> dict[str, Messages]:
    return dict(_TEXT_KEYS)


def say_text(key: str, lang: str | None, values: Mapping[str, Any]) -> str:
    """A registered text in ``lang``; values that are texts, rows or errors are said in the same
    language, lists as a list (``a, b og c``). A key nobody registered is shown as it is."""
    lang = check_lang(lang)
    messages = _TEXT_KEYS.get(key)
    if messages is None:
        return key
    filled = {name: _said(value, lang) for name, value in values.items()}
    return say(messages.template(key, lang), lang, **filled)


def _said(value: Any, lang: str) -> Any:
    if hasattr(value, "in_"):
        return value.in_(lang)
    if isinstance(value, list | tuple):
        return join([_said(v, lang) for v in value], lang)
    return value


# ---- the shared vocabulary (docs/glossary.md) ----------------------------------------------

ACTOR_KINDS = ("individual", "association", "institution", "frivilligsentral", "municipality",
               "business", "initiative")
TIE_KINDS = ("MEMBER_OF", "VOLUNTEERS_AT", "WORKS_AT", "KNOWS", "PARTNERS_WITH", "COORDINATES",
             "FUNDS", "PARTICIPATES_IN", "PART_OF", "OFFERS", "NEEDS")

VOCABULARY = register("vocabulary", {
    "nb": {
        "class.bonding": "sammenbindende",
        "class.bridging": "brobyggende",
        "class.linking": "forbindende",
        "class.unlabelled": "uklassifisert",
        "kind.individual": "enkeltperson",
        "kind.individual.plural": "enkeltpersoner",
        "kind.association": "lag og forening",
        "kind.association.plural": "lag og foreninger",
        "kind.institution": "institusjon",
        "kind.institution.plural": "institusjoner",
        "kind.frivilligsentral": "frivilligsentral",
        "kind.frivilligsentral.plural": "frivilligsentraler",
        "kind.municipality": "kommune",
        "kind.municipality.plural": "kommuner",
        "kind.business": "bedrift",
        "kind.business.plural": "bedrifter",
        "kind.initiative": "initiativ",
        "kind.initiative.plural": "initiativ",
        "kind.unknown": "ukjent type",
        "kind.unknown.plural": "av ukjent type",
        "tie.MEMBER_OF": "medlemskap",
        "tie.VOLUNTEERS_AT": "frivillig innsats",
        "tie.WORKS_AT": "arbeidsforhold",
        "tie.KNOWS": "bekjentskap",
        "tie.PARTNERS_WITH": "samarbeid",
        "tie.COORDINATES": "koordinering",
        "tie.FUNDS": "finansiering",
        "tie.PARTICIPATES_IN": "deltakelse",
        "tie.PART_OF": "del av en organisasjon",
        "tie.OFFERS": "tilbud",
        "tie.NEEDS": "behov",
        "tie.unknown": "annet bånd",
        "measure.betweenness": "mellomsentralitet",
        "measure.constraint": "Burts begrensning",
        "measure.effective_size": "effektiv nettverksstørrelse",
        "measure.degree": "antall bånd",
        "measure.strength": "styrke",
        "term.district": "grend",
        "term.district.plural": "grender",
        "term.community": "fellesskap",
        "term.community.plural": "fellesskap",
        "term.age_band": "aldersgruppe",
        "term.age_band.plural": "aldersgrupper",
        "term.background": "bakgrunn",
        "term.background.plural": "bakgrunner",
        "term.kind": "aktørtype",
        "term.kind.plural": "aktørtyper",
        "term.kommunenummer": "kommune",
        "term.kommunenummer.plural": "kommuner",
        "and": "og",
        "none": "ingen",
        "status.derived": "fra registeret (ikke bekreftet)",
    },
    "en": {
        "class.bonding": "bonding",
        "class.bridging": "bridging",
        "class.linking": "linking",
        "class.unlabelled": "unlabelled",
        "kind.individual": "individual",
        "kind.individual.plural": "individuals",
        "kind.association": "association",
        "kind.association.plural": "associations",
        "kind.institution": "institution",
        "kind.institution.plural": "institutions",
        "kind.frivilligsentral": "volunteer centre",
        "kind.frivilligsentral.plural": "volunteer centres",
        "kind.municipality": "municipality",
        "kind.municipality.plural": "municipalities",
        "kind.business": "business",
        "kind.business.plural": "businesses",
        "kind.initiative": "initiative",
        "kind.initiative.plural": "initiatives",
        "kind.unknown": "unknown kind",
        "kind.unknown.plural": "of unknown kind",
        "tie.MEMBER_OF": "membership",
        "tie.VOLUNTEERS_AT": "volunteering",
        "tie.WORKS_AT": "employment",
        "tie.KNOWS": "acquaintance",
        "tie.PARTNERS_WITH": "partnership",
        "tie.COORDINATES": "coordination",
        "tie.FUNDS": "funding",
        "tie.PARTICIPATES_IN": "participation",
        "tie.PART_OF": "part of an organisation",
        "tie.OFFERS": "offer",
        "tie.NEEDS": "need",
        "tie.unknown": "other tie",
        "measure.betweenness": "betweenness",
        "measure.constraint": "Burt's constraint",
        "measure.effective_size": "effective network size",
        "measure.degree": "number of ties",
        "measure.strength": "strength",
        "term.district": "district",
        "term.district.plural": "districts",
        "term.community": "community",
        "term.community.plural": "communities",
        "term.age_band": "age band",
        "term.age_band.plural": "age bands",
        "term.background": "background",
        "term.background.plural": "backgrounds",
        "term.kind": "kind of actor",
        "term.kind.plural": "kinds of actor",
        "term.kommunenummer": "municipality",
        "term.kommunenummer.plural": "municipalities",
        "and": "and",
        "none": "none",
        "status.derived": "from the register (not confirmed)",
    },
})


def class_name(cls: str, lang: str = DEFAULT_LANG) -> str:
    """A kind of social capital in the reader's words.

    >>> class_name("bonding"), class_name("linking", "en")
    ('sammenbindende', 'linking')
    """
    key = f"class.{cls}"
    return VOCABULARY(key, lang) if key in VOCABULARY else cls


def kind_name(kind: str | None, lang: str = DEFAULT_LANG, n: int = 1) -> str:
    """An actor kind, singular (``n == 1``) or plural, lower case.

    >>> kind_name("association", "nb", 3), kind_name("frivilligsentral", "en")
    ('lag og foreninger', 'volunteer centre')
    """
    key = f"kind.{kind}" if f"kind.{kind}" in VOCABULARY else "kind.unknown"
    return VOCABULARY(key if n == 1 else key + ".plural", lang)


def tie_name(tie: str | None, lang: str = DEFAULT_LANG) -> str:
    """A tie kind as a noun: what the tie is.

    >>> tie_name("MEMBER_OF"), tie_name("VOLUNTEERS_AT", "en")
    ('medlemskap', 'volunteering')
    """
    key = f"tie.{tie}"
    return VOCABULARY(key if key in VOCABULARY else "tie.unknown", lang)


def measure_name(measure: str, lang: str = DEFAULT_LANG) -> str:
    """
    >>> measure_name("effective_size"), measure_name("constraint", "en")
    ('effektiv nettverksstørrelse', "Burt's constraint")
    """
    return VOCABULARY(f"measure.{measure}", lang)


def term(name: str, lang: str = DEFAULT_LANG, n: int = 1) -> str:
    """A domain word (``district``, ``community``, ``age_band`` …), singular or plural.

    >>> term("district", "nb", 1), term("district", "nb", 2), term("district", "en", 2)
    ('grend', 'grender', 'districts')
    """
    key = f"term.{name}"
    return VOCABULARY(key if n == 1 else key + ".plural", lang)


def count(n: int, word: str, lang: str = DEFAULT_LANG) -> str:
    """``n`` with an actor kind or a domain word in the right number.

    >>> count(1, "district"), count(3, "individual"), count(2, "business", "en")
    ('1 grend', '3 enkeltpersoner', '2 businesses')
    """
    if f"kind.{word}" in VOCABULARY:
        return f"{n} {kind_name(word, lang, n)}"
    return f"{n} {term(word, lang, n)}"


def join(items: Iterable[str], lang: str = DEFAULT_LANG) -> str:
    """A list as a reader writes it.

    >>> join(["a", "b", "c"]), join(["a", "b"], "en"), join([], "en")
    ('a, b og c', 'a and b', 'none')
    """
    items = [str(i) for i in items]
    if not items:
        return VOCABULARY("none", lang)
    if len(items) == 1:
        return items[0]
    return f"{', '.join(items[:-1])} {VOCABULARY('and', lang)} {items[-1]}"


def capital(text: str) -> str:
    """First letter upper case, the rest untouched.

    >>> capital("lag og forening")
    'Lag og forening'
    """
    return text[:1].upper() + text[1:]


def _register_common_texts() -> None:
    from graphsvc import errors

    register_texts(errors.__name__, errors.TEXTS)
    for key in VOCABULARY.table[DEFAULT_LANG]:  # Text("tie.KNOWS") says the tie kind
        _TEXT_KEYS.setdefault(key, VOCABULARY)


_register_common_texts()
