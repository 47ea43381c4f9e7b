"""The workbench's page shell: header, map area, side panel and the ``wb.*`` texts of one
language. It carries no data (with keys configured it is shown before sign-in); the scripts
fetch everything from the API.

Scripts and styles are files served from this package (``/workbench/static/``), so the page's
Content-Security-Policy allows same-origin scripts and styles only and no inline script at all;
the texts travel as a JSON data block, which the browser never runs.
"""

from __future__ import annotations

import html
import importlib
import json
import pkgutil
from functools import cache
from importlib import resources

import graphsvc.web
from graphsvc import i18n

STATIC = "/workbench/static"
VIS_JS = "vis-network.min.js"  # pyvis' bundled vis-network (visualisations/map.py uses it too)
CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
       "connect-src 'self'; font-src 'self'; base-uri 'none'; form-action 'self'; "
       "frame-ancestors 'none'")


@cache
def _load_texts() -> None:
    """Import every ``graphsvc/web/*_texts.py`` so each panel's words are registered."""
    for mod in pkgutil.iter_modules(graphsvc.web.__path__):
        if mod.name.endswith("_texts"):
            importlib.import_module(f"graphsvc.web.{mod.name}")


def catalogue(lang: str) -> dict[str, str]:
    """Every ``wb.*`` text in ``lang`` (templates: ``WB.t`` fills them in the browser)."""
    _load_texts()
    lang = i18n.check_lang(lang)
    return {key: messages.template(key, lang)
            for key, messages in sorted(i18n.text_keys().items()) if key.startswith("wb.")}


def panel_scripts() -> list[str]:
    """The panel scripts shipped besides the core (``static/panels_*.js``), loaded after it."""
    folder = resources.files("graphsvc.web").joinpath("static")
    return sorted(p.name for p in folder.iterdir()
                  if p.name.startswith("panels_") and p.name.endswith(".js"))


def _json_block(value: object) -> str:
    """JSON that cannot end its <script> element early."""
    s = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return s.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def render_page(lang: str, lang_routes: list[tuple[str, str]] | None = None) -> str:
    """The page at ``/`` in ``lang``. ``lang_routes`` are the ``(method, path)`` of the API
    routes that take ``?lang=`` (every route refuses a query parameter it does not take, so
    ``WB.api`` adds it only there)."""
    texts = catalogue(lang)
    e = html.escape

    def t(key: str) -> str:
        return e(i18n.say(texts[key], lang))

    scripts = [VIS_JS, "workbench.js", *panel_scripts()]
    tags = "\n".join(f'<script src="{STATIC}/{e(name)}"></script>' for name in scripts)
    current = ' aria-current="true"'
    switch = "".join(
        f'<a href="?lang={code}" data-lang="{code}" lang="{code}" hreflang="{code}"'
        f'{current if code == lang else ""}>{t("wb.core.lang." + code)}</a>'
        for code in i18n.LANGS)
    return f"""<!DOCTYPE html>
<html lang="{lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<link rel="icon" href="data:,">
<title>{t("wb.core.title")} – {t("wb.core.app")}</title>
<link rel="stylesheet" href="{STATIC}/workbench.css">
<script type="application/json" id="wb-texts">{_json_block({"lang": lang, "texts": texts,
                                                   "lang_routes": lang_routes or []})}</script>
</head>
<body>
<a class="skip" href="#wb-panel">{t("wb.core.skip")}</a>
<header id="wb-header">
<h1><span id="wb-title">{t("wb.core.title")}</span> <span id="wb-kommune"></span></h1>
<nav id="wb-lang" aria-label="{t("wb.core.language")}">{switch}</nav>
<div id="wb-session" aria-live="polite"></div>
</header>
<main id="wb-main">
<section id="wb-map-area" aria-label="{t("wb.core.map")}">
<div id="wb-map" role="img" aria-label="{t("wb.core.map")}"></div>
<div id="wb-map-bar"><span id="wb-shown" aria-live="polite"></span>
<button type="button" id="wb-show-all">{t("wb.core.show_all")}</button>
<button type="button" id="wb-copy">{t("wb.core.copy")}</button>
<span id="wb-copied" aria-live="polite"></span></div>
<div id="wb-loading">{t("wb.core.loading")}</div>
<details id="wb-legend"><summary>{t("wb.core.legend")}</summary><div id="wb-legend-body"></div>
</details>
</section>
<section id="wb-side" aria-label="{t("wb.core.tasks")}">
<div id="wb-tabs" role="tablist" aria-label="{t("wb.core.tasks")}"></div>
<div id="wb-panel" tabindex="-1"></div>
</section>
</main>
<div id="wb-signin" hidden></div>
{tags}
</body>
</html>
"""
