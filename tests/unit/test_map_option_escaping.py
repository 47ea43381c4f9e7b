"""The map's district and category filters show hostile district and category texts as text:
the page holds them only escaped, and parsing it finds no tag they could have made."""

from __future__ import annotations

import html
from html.parser import HTMLParser

import pytest

from tests.fixtures.hostile_options import (
    HOSTILE_CATEGORY,
    HOSTILE_DISTRICT,
    PLAIN_DISTRICT,
    hostile_option_graph,
)
from visualisations import render_map


class _Page(HTMLParser):
    """Every start tag, and the options of each ``<select>`` as (value, text)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.options: dict[str, list[tuple[str, str]]] = {}
        self._select: str | None = None
        self._option: list | None = None

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        a = dict(attrs)
        if tag == "select":
            self._select = a.get("id")
            self.options[self._select] = []
        elif tag == "option" and self._select:
            self._option = [a.get("value"), ""]

    def handle_data(self, data):
        if self._option is not None:
            self._option[1] += data

    def handle_endtag(self, tag):
        if tag == "option" and self._option is not None:
            self.options[self._select].append(tuple(self._option))
            self._option = None
        elif tag == "select":
            self._select = None


@pytest.fixture(scope="module", params=["nb", "en"])
def page(request):
    text = render_map(hostile_option_graph(), title="Grender i Fjordvik", lang=request.param)
    parsed = _Page()
    parsed.feed(text)
    parsed.close()
    return text, parsed


def test_the_district_filter_lists_the_hostile_district_as_text(page):
    text, parsed = page
    listed = parsed.options["f-district"][1:]  # after "all districts"
    assert listed == sorted([(HOSTILE_DISTRICT, HOSTILE_DISTRICT),
                             (PLAIN_DISTRICT, PLAIN_DISTRICT)])
    assert f">{html.escape(HOSTILE_DISTRICT)}</option>" in text


def test_the_category_filter_lists_the_hostile_category_as_text(page):
    text, parsed = page
    values = [v for v, _ in parsed.options["f-category"][1:]]
    assert HOSTILE_CATEGORY in values and "help.transport" in values
    assert (HOSTILE_CATEGORY, HOSTILE_CATEGORY) in parsed.options["f-category"]
    assert f'value="{html.escape(HOSTILE_CATEGORY)}"' in text


def test_no_hostile_text_reaches_the_page_unescaped(page):
    text, parsed = page
    assert HOSTILE_DISTRICT not in text and HOSTILE_CATEGORY not in text
    assert "img" not in parsed.tags  # the page draws no images of its own
    assert parsed.tags.count("script") == 2  # vis-network and the app, nothing injected
    assert parsed.tags.count("select") == 2
