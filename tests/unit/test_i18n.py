"""One language at a time, one vocabulary (issue 8.5): every registered text exists in bokmål and
English with the same placeholders, uses the glossary's terms (docs/glossary.md), and what the
analyses actually write shows no codes, no wrong plurals and no dangling lists."""

from __future__ import annotations

import importlib
import pkgutil
import re
from pathlib import Path

import pytest

import graphsvc
import visualisations
from graphsvc import i18n
from tests.fixtures.graphs import small_community

GLOSSARY = Path(__file__).parents[2] / "docs" / "glossary.md"
TIE_CODE = re.compile(r"\b[A-Z]{3,}(?:_[A-Z]+)*\b")
KIND_CODES = ("individual", "association", "institution", "municipality", "business")


def _import_everything() -> None:
    """Every module that registers texts, found by walking the packages (new ones included)."""
    for pkg in (graphsvc, visualisations):
        for mod in pkgutil.walk_packages(pkg.__path__, pkg.__name__ + "."):
            if ".api" in mod.name or mod.name.endswith("__main__"):
                continue  # the API only passes lang through; importing it needs the web stack
            importlib.import_module(mod.name)


_import_everything()
REGISTRY = i18n.registry()


def glossary() -> list[dict[str, object]]:
    rows = []
    for line in GLOSSARY.read_text("utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) != 6 or cells[0] in ("key", "---") or set(cells[0]) <= {"-"}:
            continue
        key, _concept, nb, en, not_nb, not_en = cells
        rows.append({"key": key, "nb": nb, "en": en,
                     "not_nb": [w.strip() for w in not_nb.split(",") if w.strip()],
                     "not_en": [w.strip() for w in not_en.split(",") if w.strip()]})
    return rows


def rejected(lang: str) -> list[tuple[str, re.Pattern]]:
    return [(w, re.compile(rf"(?<!\w){re.escape(w)}(?!\w)", re.IGNORECASE))
            for row in glossary() for w in row[f"not_{lang}"]]


def prose(template: str) -> str:
    """What a reader sees of a template: the words, and both choices of a plural; not the
    placeholders' names."""
    return re.sub(r"\{\w*(?::([^{}]*))?\}",
                  lambda m: (m.group(1) or "").replace("|", " ") if "|" in (m.group(1) or "")
                  else " ", template)


def texts(lang: str):
    for name, messages in sorted(REGISTRY.items()):
        for key, template in sorted(messages.table[lang].items()):
            yield f"{name}:{key}", prose(template)


def test_the_glossary_is_read_and_the_registry_holds_every_module():
    rows = glossary()
    assert len(rows) > 30 and all(r["nb"] and r["en"] for r in rows)
    for name in ("vocabulary", "graphsvc.analysis.classify", "graphsvc.analysis.brokers",
                 "graphsvc.analysis.communities", "graphsvc.analysis.gaps",
                 "graphsvc.cli.analysis", "graphsvc.views", "visualisations.encoding"):
        assert name in REGISTRY, name


@pytest.mark.parametrize("name", sorted(REGISTRY))
def test_both_languages_have_the_same_keys_and_placeholders(name):
    nb, en = REGISTRY[name].table["nb"], REGISTRY[name].table["en"]
    assert nb.keys() == en.keys()
    for key in nb:
        assert i18n.placeholders(nb[key]) == i18n.placeholders(en[key]), key


@pytest.mark.parametrize("lang", i18n.LANGS)
def test_texts_use_the_glossary_terms(lang):
    bad = [(where, word) for where, template in texts(lang)
           for word, pattern in rejected(lang) if pattern.search(template)]
    assert bad == []


@pytest.mark.parametrize("lang", i18n.LANGS)
def test_texts_show_no_codes(lang):
    assert [(where, t) for where, t in texts(lang) if TIE_CODE.search(t)
            and not TIE_CODE.fullmatch(t)] == []


def test_the_shared_vocabulary_is_the_glossary():
    vocabulary = REGISTRY["vocabulary"].table
    listed = 0
    for row in glossary():
        key = row["key"]
        if key.split(".")[0] in ("class", "kind", "tie", "measure") or key in vocabulary["nb"]:
            assert vocabulary["nb"][key].casefold() == row["nb"].casefold(), key
            assert vocabulary["en"][key].casefold() == row["en"].casefold(), key
            listed += 1
    assert listed >= 25
    for kind in i18n.ACTOR_KINDS:
        assert f"kind.{kind}" in vocabulary["nb"]
    for tie in i18n.TIE_KINDS:
        assert f"tie.{tie}" in vocabulary["nb"]


def test_plurals_and_decimal_comma():
    assert i18n.say("{n} {n:grend|grender}", "nb", n=1) == "1 grend"
    assert i18n.say("{n} {n:grend|grender}", "nb", n=0) == "0 grender"
    assert i18n.say("{x} %", "nb", x=0.5) == "0,5 %"
    assert i18n.say("{x} %", "en", x=0.5) == "0.5 %"
    with pytest.raises(graphsvc.errors.ValidationError):
        i18n.say("x", "de")


# ---- what the analyses write, read as a planner would ----------------------------------------

def _strings(value) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for k, v in value.items() if k in ("explanation", "label", "name", "class_name",
                                                      "kind_name", "tie_name", "assumptions")
                or isinstance(v, (dict, list)) for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


def _answers(lang: str) -> list[str]:
    from graphsvc.analysis import (
        brokers,
        build_team,
        communities,
        gaps_report,
        linking_path,
        match_need,
        reciprocal_pairs,
        social_capital_profile,
    )

    G = small_community()
    person = next(n for n, d in G.nodes(data=True) if d.get("kind") == "individual"
                  and G.degree(n) > 1)
    initiative = next(n for n, d in G.nodes(data=True) if d.get("kind") == "initiative")
    out = [match_need(G, "help.transport", lang=lang), gaps_report(G, lang=lang),
           brokers(G, lang=lang), brokers(G, by="district", lang=lang),
           communities(G, lang=lang), social_capital_profile(G, person, lang=lang),
           linking_path(G, person, lang=lang), reciprocal_pairs(G, lang=lang),
           build_team(G, initiative, lang=lang)]
    names = {str(d.get("name")) for _n, d in G.nodes(data=True)}
    strings = [s for answer in out for s in _strings(answer)]
    return [s for s in strings if s not in names]


@pytest.mark.parametrize("lang", i18n.LANGS)
def test_answers_name_ties_kinds_and_measures_in_words(lang):
    answers = _answers(lang)
    assert answers
    assert [s for s in answers if TIE_CODE.search(s)] == []
    if lang == "nb":
        kind_codes = re.compile(rf"\b({'|'.join(KIND_CODES)})\b")
        assert [s for s in answers if kind_codes.search(s)] == []
        assert [s for s in answers if re.search(r"\b(bonding|bridging|linking)\b", s)] == []


@pytest.mark.parametrize("lang", i18n.LANGS)
def test_answers_read_naturally(lang):
    answers = _answers(lang)
    dangling = [s for s in answers if s.rstrip() != s or s.endswith(":")]
    assert dangling == []
    assert [s for s in answers if re.search(r"\b(gruppe|group) \d", s, re.IGNORECASE)] == []
    one_plural = re.compile(r"\b1 (grender|aktører|grupper|kontakter|enkeltpersoner|districts|"
                            r"actors|groups|ties|contacts|steps|individuals|needs|offers)\b")
    assert [s for s in answers if one_plural.search(s)] == []


def test_community_names_say_who_is_in_them():
    from graphsvc.analysis import communities

    out = communities(small_community(), lang="nb")
    names = [c["name"] for c in out["communities"]]
    assert names and len(set(names)) == len(names)
    assert all(n.startswith(("rundt ", "enkeltpersoner i")) for n in names)
    en = communities(small_community(), lang="en")
    assert all(c["explanation"][0].startswith(("Around ", "Individuals in"))
               for c in en["communities"])
