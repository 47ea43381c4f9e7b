"""In a real headless Chromium, the hostile district and category texts in the map's filters
stay text: no image is made, no script runs, and the planner sees and can pick them."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.fixtures.browser import open_map, serve_directory
from tests.fixtures.hostile_options import HOSTILE_CATEGORY, HOSTILE_DISTRICT, hostile_option_graph
from visualisations import render_map

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Iterator[str]:
    root = tmp_path_factory.mktemp("options")
    (root / "map.html").write_text(render_map(hostile_option_graph(), title="Grender"),
                                   encoding="utf-8")
    with serve_directory(root) as url:
        yield url + "map.html"


def test_hostile_filter_options_show_as_text_and_never_run(browser, site):
    page, seen = open_map(browser, site, width=1200, height=800)
    try:
        options = lambda sel: page.eval_on_selector_all(  # noqa: E731
            f"#{sel} option", "os => os.map(o => [o.value, o.textContent])")
        assert [HOSTILE_DISTRICT, HOSTILE_DISTRICT] in options("f-district")
        assert [HOSTILE_CATEGORY, HOSTILE_CATEGORY] in options("f-category")
        assert page.evaluate("() => document.images.length") == 0
        assert page.evaluate("() => document.querySelectorAll('select').length") == 2
        page.select_option("#f-district", HOSTILE_DISTRICT)  # picking it runs nothing either
        page.select_option("#f-category", HOSTILE_CATEGORY)
        assert page.evaluate("() => typeof window.__pwned") == "undefined"
        assert [e for e in seen["errors"] if "pwned" in e] == []
    finally:
        page.close()
