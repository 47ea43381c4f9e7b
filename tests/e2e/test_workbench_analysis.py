"""The workbench's analysis panels in a real Chromium on the demo (300 actors, seed 7): each
panel's task end to end as a planner does it — the answer's text names the demo's known first
result, the answer is highlighted on the map (the vis-network data through ``WB`` and the
pixels of a screenshot), the inputs live in the address, English when asked; 0 console errors,
0 requests beyond 127.0.0.1 and no serious or critical axe-core violation.

The expected answers are the demo's, read once here from the API over HTTP (the same server):
the page must show what the API says, in the order it says it.
"""

from __future__ import annotations

import json
import urllib.request
from pathlib import Path

import pytest

from tests.fixtures.workbench import (
    colour_pixels,
    go,
    open_workbench,
    outside_hosts,
    run_axe,
    screenshot,
    served_demo,
    wait_ready,
    watch,
)

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    with served_demo(tmp_path_factory.mktemp("wb-analysis")) as site:
        yield site


def api(site, path: str) -> dict:
    with urllib.request.urlopen(site.url + path, timeout=30) as response:
        return json.load(response)


def pane(page, panel: str):
    return page.locator(f"#wb-pane-{panel}")


def answered(page, panel: str, selector: str):
    """Wait for the panel's answer (``selector`` inside it) and return the answer's box."""
    box = pane(page, panel).locator(".wb-answer")
    box.locator(selector).first.wait_for(state="visible")
    return box


def highlighted(page) -> set[str]:
    return set(page.evaluate("() => WB.map.highlighted()"))


def drawn_ties(page) -> dict[frozenset, str | None]:
    """The ties drawn as highlighted (heavy black) on the map, each with its label."""
    rows = page.evaluate("""() => WB.map.network.body.data.edges.get()
        .filter(e => e.width === 4).map(e => [e.from, e.to, e.label || null])""")
    return {frozenset((a, b)): label for a, b, label in rows}


def segments(page, pairs) -> list[list[float]]:
    """Where each tie (a pair of ids) is drawn, in pixels of a screenshot of ``#wb-map``."""
    return page.evaluate("""(pairs) => {
        const net = WB.map.network;
        const map = document.getElementById("wb-map").getBoundingClientRect();
        const c = WB.map.canvas().getBoundingClientRect();
        const dx = c.left - map.left, dy = c.top - map.top;
        return pairs.map(([a, b]) => {
            const pos = net.getPositions([a, b]);
            const p = net.canvasToDOM(pos[a]), q = net.canvasToDOM(pos[b]);
            return [p.x + dx, p.y + dy, q.x + dx, q.y + dy];
        });
    }""", [list(p) for p in pairs])


def centres(page, ids) -> dict[str, tuple[int, int]]:
    out = page.evaluate("""(ids) => {
        const net = WB.map.network;
        const map = document.getElementById("wb-map").getBoundingClientRect();
        const c = WB.map.canvas().getBoundingClientRect();
        const pos = net.getPositions(ids);
        return ids.map(id => { const p = net.canvasToDOM(pos[id]);
                               return [id, p.x + c.left - map.left, p.y + c.top - map.top]; });
    }""", list(ids))
    return {i: (round(x), round(y)) for i, x, y in out}


def dark_share(pixels, segs) -> float:
    """The share of points along the middle of each tie that are drawn near-black (the
    highlighted ties are black and 4 px wide; the others light grey)."""
    h, w = pixels.shape[:2]
    dark = total = 0
    for x0, y0, x1, y1 in segs:
        for i in range(15):
            f = 0.3 + 0.4 * i / 14
            x, y = round(x0 + (x1 - x0) * f), round(y0 + (y1 - y0) * f)
            if not (2 <= x < w - 2 and 2 <= y < h - 2):
                continue
            total += 1
            window = pixels[y - 2:y + 3, x - 2:x + 3].astype(int)
            dark += int(window.max(axis=-1).min() < 70)
    assert total, "the ties are not in view"
    return dark / total


def fill_of(page, node_id: str) -> str:
    """The colour the map gives the actor's kind (its legend colour)."""
    return page.evaluate("""(id) => {
        const n = WB.map.network.body.data.nodes.get(id);
        const g = WB.map.network.groups.get(n.group);
        return g.color.background || g.color;
    }""", node_id)


def around(pixels, centre, r: int = 3):
    x, y = centre
    return pixels[y - r:y + r + 1, x - r:x + r + 1]


def marked_at(pixels, centre, hex_colour: str) -> bool:
    """Whether the actor at ``centre`` is drawn as highlighted: its own colour at full strength
    or the heavy black outline of a highlighted actor (a small actor is mostly outline)."""
    window = around(pixels, centre)
    return (colour_pixels(window, hex_colour, tolerance=30)
            + colour_pixels(window, "#000000", tolerance=40)) >= 20


def faded_at(dimmed, cleared, centre, hex_colour: str) -> bool:
    """Whether the actor at ``centre`` is faded while others are highlighted: its own colour,
    plain to see once the highlight is cleared, is (nearly) gone."""
    before = colour_pixels(around(cleared, centre), hex_colour, tolerance=30)
    after = colour_pixels(around(dimmed, centre), hex_colour, tolerance=30)
    return before >= 10 and after <= 0.3 * before


def assert_clean(page, seen):
    assert seen["errors"] == []
    assert outside_hosts(seen) == []
    assert run_axe(page) == []


def params(page) -> dict:
    return page.evaluate("() => WB.state.get().params")


# ---- Hvem kan hjelpe? ------------------------------------------------------------------------

def test_who_can_help_ranks_offers_and_draws_the_chosen_offers_introducing_path(
        site, browser, tmp_path):
    expected = api(site, "/match?category=help.transport&district=Bakkevika&lang=nb&limit=10")
    first, second = expected["results"][:2]
    assert first["actor"]["name"] == "Bakkevika frivilligsentral"  # the demo's known answer
    page, seen = open_workbench(browser, site.url + "/?lang=nb#panel=match")
    try:
        p = pane(page, "match")
        p.get_by_label("Hva trengs?").select_option("help.transport")
        p.get_by_label("Grend").select_option("Bakkevika")
        p.get_by_role("button", name="Finn tilbud").click()
        box = answered(page, "match", ".wb-offer")
        assert "best: Bakkevika frivilligsentral" in box.locator("p").first.inner_text()
        offers = box.locator(".wb-offer")
        assert offers.count() == len(expected["results"])
        heads = [offers.nth(i).locator(".wb-offer-head a").inner_text()
                 for i in range(offers.count())]
        assert heads == [r["actor"]["name"] for r in expected["results"]]
        # the API's reasons, in bokmål, under each offer
        assert offers.nth(0).locator("li").all_inner_texts() == first["explanation"]
        assert "Er selv kontaktpunktet for formidlingen" in first["explanation"]

        # the second offer's introducing path: the frivilligsentral, whom it knows, the offer
        path = ([expected["introducer"]["id"]] + [a["id"] for a in second["introducers"]]
                + [second["actor"]["id"]])
        assert len(path) == 3
        offers.nth(1).get_by_role("button").click()
        page.wait_for_function("(id) => WB.map.highlighted().includes(id)", arg=path[1])
        lit = highlighted(page)
        assert set(path) <= lit
        assert {r["actor"]["id"] for r in expected["results"]} <= lit
        ties = drawn_ties(page)
        assert {frozenset(pair) for pair in zip(path, path[1:])} <= set(ties)
        assert params(page)["pick"] == 2

        segs = segments(page, list(zip(path, path[1:])))
        shown = dark_share(screenshot(page, tmp_path / "match-path.png"), segs)
        page.evaluate("() => WB.map.clear()")
        cleared = dark_share(screenshot(page, tmp_path / "match-cleared.png"), segs)
        assert shown >= 0.6 and cleared < shown - 0.3, (shown, cleared)
        assert_clean(page, seen)
    finally:
        page.close()


def test_who_can_help_reopens_from_its_address(site, browser):
    """URL state round trip: the address after a task reopens the same answer, inputs and
    highlighted path in a new page."""
    page, seen = open_workbench(browser, site.url + "/?lang=nb#panel=match")
    try:
        p = pane(page, "match")
        p.get_by_label("Hva trengs?").select_option("help.transport")
        p.get_by_label("Grend").select_option("Bakkevika")
        p.get_by_label("Hvem har behovet? (valgfritt)").fill("Sykling uten alder – Holmen")
        p.get_by_role("button", name="Finn tilbud").click()
        box = answered(page, "match", ".wb-offer")
        box.locator(".wb-offer").nth(2).get_by_role("button").click()
        page.wait_for_function("() => WB.state.get().params.pick === 3")
        address = page.url
        before_lit, before_ties = highlighted(page), drawn_ties(page)
        before_heads = box.locator(".wb-offer-head a").all_inner_texts()
        assert params(page) == {"category": "help.transport", "district": "Bakkevika",
                                "seeker": "demo:init001", "pick": 3}
        assert "demo:init001" in before_lit  # the seeker is where the path starts
    finally:
        page.close()

    again, seen_again = open_workbench(browser, address)
    try:
        p = pane(again, "match")
        box = answered(again, "match", ".wb-offer")
        assert box.locator(".wb-offer-head a").all_inner_texts() == before_heads
        assert p.get_by_label("Hva trengs?").input_value() == "help.transport"
        assert p.get_by_label("Grend").input_value() == "Bakkevika"
        assert p.get_by_label("Hvem har behovet? (valgfritt)").input_value() \
            == "Sykling uten alder – Holmen"
        again.wait_for_function("(n) => WB.map.highlighted().length === n",
                                arg=len(before_lit))
        assert highlighted(again) == before_lit
        assert drawn_ties(again) == before_ties
        assert box.locator(".wb-offer").nth(2).get_by_role("button").get_attribute(
            "aria-pressed") == "true"
        assert seen["errors"] == [] and seen_again["errors"] == []
        assert outside_hosts(seen) == [] and outside_hosts(seen_again) == []
    finally:
        again.close()


# ---- Hva mangler? ----------------------------------------------------------------------------

def test_what_is_missing_lists_and_highlights_the_gaps_of_a_district(site, browser, tmp_path):
    gaps = api(site, "/gaps?district=Holmen&limit=50&lang=nb")
    holders = {i["holder"]["id"]: i["holder"]["name"] for i in gaps["unmet_needs"]["items"]}
    isolated = {a["id"]: a["name"] for a in gaps["isolated"]["items"]}
    # the demo's known gaps in Holmen
    assert set(holders.values()) == {"Person c30a9f", "Holmen frivilligsentral"}
    assert set(isolated.values()) == {"Holmen bilverksted"}
    page, seen = open_workbench(browser, site.url + "/?lang=nb#panel=gaps")
    try:
        p = pane(page, "gaps")
        p.get_by_label("Grend").select_option("Holmen")
        p.get_by_role("button", name="Vis hva som mangler").click()
        box = answered(page, "gaps", ".wb-gap")
        assert box.locator("p").first.inner_text() == \
            "2 udekkede behov, 6 mangler på hjelp og 1 aktør uten bånd i Holmen"
        unmet = box.locator('[data-gap="unmet"] li').all_inner_texts()
        assert unmet == [i["explanation"] for i in gaps["unmet_needs"]["items"]]
        assert unmet[0].startswith("Person c30a9f trenger avlastning for pårørende i Holmen")
        assert box.locator('[data-gap="unmet"] li a').all_inner_texts() == list(holders.values())
        assert box.locator('[data-gap="isolated"] li').all_inner_texts() == ["Holmen bilverksted"]
        assert box.locator("section.wb-gap h3").all_inner_texts() == [
            "Udekkede behov", "Aktører som mangler i grenda", "Aktører uten bånd",
            "Grupper uten brobyggende eller forbindende bånd", "Hva kartet mangler"]
        shortfalls = box.locator("table tbody tr").all_inner_texts()
        assert len(shortfalls) == gaps["summary"]["shortfalls"]
        assert shortfalls[0].split("\t")[:2] == ["Holmen", "Praktisk hjelp (hus og hage)"]
        page.wait_for_function("() => WB.map.highlighted().length === 3")
        assert highlighted(page) == set(holders) | set(isolated)

        # only the actors without ties, then on the map: Holmen bilverksted in its colour at
        # full strength, the person with an unmet need faded like everyone else
        box.locator('[data-gap="isolated"]').get_by_role("button").click()
        page.wait_for_function("() => WB.map.highlighted().length === 1")
        assert highlighted(page) == set(isolated)
        assert params(page) == {"district": "Holmen", "run": 1, "show": "isolated"}
        garage, person = next(iter(isolated)), "demo:p000098"
        assert holders[person] == "Person c30a9f"
        page.evaluate("(ids) => WB.map.fit(ids)", [garage, person])
        at = centres(page, [garage, person])
        pixels = screenshot(page, tmp_path / "gaps.png")
        page.evaluate("() => WB.map.clear()")
        cleared = screenshot(page, tmp_path / "gaps-cleared.png")
        assert marked_at(pixels, at[garage], fill_of(page, garage))
        assert faded_at(pixels, cleared, at[person], fill_of(page, person))
        assert_clean(page, seen)
    finally:
        page.close()


# ---- Vei -------------------------------------------------------------------------------------

CLASS_NB = {"bonding": "sammenbindende", "bridging": "brobyggende", "linking": "forbindende"}


def test_path_between_two_actors_labels_each_step_on_the_map(site, browser, tmp_path):
    source, target = "demo:p000011", "demo:p000098"
    expected = api(site, f"/paths?source={source}&target={target}&alternatives=0&lang=nb")
    best = expected["paths"][0]
    ids = [n["id"] for n in best["nodes"]]
    names = {n["id"]: n["name"] for n in best["nodes"]}
    page, seen = open_workbench(browser, site.url + "/?lang=nb#panel=paths")
    try:
        p = pane(page, "paths")
        p.get_by_label("Fra").fill(names[source])
        p.get_by_label("Til (tomt: kommunen)").fill(names[target])
        p.get_by_role("button", name="Finn veien").click()
        box = answered(page, "paths", ".wb-step")
        assert box.locator("p").first.inner_text() == best["explanation"]
        steps = box.locator(".wb-path").first.locator(".wb-class").all_inner_texts()
        assert steps == [CLASS_NB[h["class"]] for h in best["hops"]]
        assert box.locator(".wb-path").count() == 1  # no alternatives unless asked
        page.wait_for_function("(n) => WB.map.highlighted().length === n", arg=len(ids))
        assert highlighted(page) == set(ids)
        ties = drawn_ties(page)
        assert {pair: ties.get(pair) for pair in map(frozenset, zip(ids, ids[1:]))} == {
            frozenset((h["from"]["id"], h["to"]["id"])): CLASS_NB[h["class"]]
            for h in best["hops"]}
        assert params(page) == {"source": source, "target": target}

        segs = segments(page, list(zip(ids, ids[1:])))
        shown = dark_share(screenshot(page, tmp_path / "path.png"), segs)
        page.evaluate("() => WB.map.clear()")
        cleared = dark_share(screenshot(page, tmp_path / "path-cleared.png"), segs)
        assert shown >= 0.5 and cleared < shown - 0.3, (shown, cleared)
        assert_clean(page, seen)
    finally:
        page.close()


def test_path_to_the_municipality_in_english_with_alternatives_on_request(site, browser):
    expected = api(site, "/paths?source=demo:p000011&alternatives=2&lang=en")
    assert expected["target"]["name"] == "Fjordvik kommune" and len(expected["paths"]) == 3
    page, seen = open_workbench(browser, site.url + "/?lang=en#panel=paths")
    try:
        tabs = page.locator("#wb-tabs [role=tab]").all_inner_texts()
        assert {"Who can help?", "What is missing?", "Path", "Team"} <= set(tabs)
        p = pane(page, "paths")
        assert p.locator("h2").inner_text() == "Path"
        p.get_by_label("From").fill("Person d39fa6")
        p.get_by_label("Show alternative paths").check()
        p.get_by_role("button", name="Find the path").click()
        box = answered(page, "paths", ".wb-step")
        sections = box.locator(".wb-path")
        assert sections.count() == 3
        assert sections.locator("h3").all_inner_texts() == [x["label"] for x in expected["paths"]]
        assert box.locator("p").first.inner_text().startswith(
            "4 steps from Person d39fa6 to Fjordvik kommune")
        assert sections.first.locator(".wb-class").all_inner_texts() == [
            h["class"] for h in expected["paths"][0]["hops"]]  # bonding, bridging, linking
        headers = box.locator("table thead th").all_inner_texts()
        assert headers == ["From", "To", "Social capital", "Tie", "Strength"]

        alternative = [n["id"] for n in expected["paths"][1]["nodes"]]
        sections.nth(1).get_by_role("button", name="Show on the map").click()
        page.wait_for_function("() => WB.state.get().params.pick === 2")
        assert highlighted(page) == set(alternative)
        assert set(drawn_ties(page).values()) <= {"bonding", "bridging", "linking"}
        assert params(page) == {"source": "demo:p000011", "alt": 1, "pick": 2}
        assert_clean(page, seen)
    finally:
        page.close()


def test_path_takes_the_actor_chosen_on_the_map_and_says_when_a_name_is_unknown(site, browser):
    page, seen = open_workbench(browser, site.url + "/?lang=nb#panel=paths")
    try:
        page.evaluate("() => WB.map.select('demo:p000011')")  # a click on the map opens Profil
        page.wait_for_function("() => WB.state.get().panel === 'profil'")
        page.locator("#wb-tab-paths").click()
        p = pane(page, "paths")
        p.locator(".wb-actor").first.get_by_role("button").click()
        name = page.evaluate("() => WB.map.node('demo:p000011').label")
        assert p.get_by_label("Fra").input_value() == name
        p.get_by_label("Til (tomt: kommunen)").fill("Ingen slik aktør")
        p.get_by_role("button", name="Finn veien").click()
        status = p.locator(".wb-status")
        status.filter(has_text="Fant ingen").wait_for()
        assert status.inner_text() == "Fant ingen aktør som heter «Ingen slik aktør»."
        assert not [u for u in seen["requests"] if "/paths" in u]
        p.get_by_label("Til (tomt: kommunen)").fill("")
        p.get_by_role("button", name="Finn veien").click()
        box = answered(page, "paths", ".wb-step")
        assert box.locator("p").first.inner_text().endswith(
            "til Fjordvik kommune: 1 sammenbindende, 1 brobyggende, 2 forbindende; svakeste "
            "ledd har styrke 0,57")
        assert status.inner_text() == ""
        assert seen["errors"] == [] and outside_hosts(seen) == []
    finally:
        page.close()


# ---- Team ------------------------------------------------------------------------------------

def test_team_for_an_initiative_and_what_stays_uncovered(site, browser, tmp_path):
    full = api(site, "/teams?initiative=demo:init003&lang=nb")
    small = api(site, "/teams?initiative=demo:init003&max_size=2&lang=nb")
    members = [m["actor"]["name"] for m in full["team"]]
    assert members[0] == "Holmen frivilligsentral" and full["uncovered"] == []
    assert len(small["uncovered"]) == 2
    page, seen = open_workbench(browser, site.url + "/?lang=nb#panel=teams")
    try:
        p = pane(page, "teams")
        p.get_by_label("Initiativ").select_option(label="Senior ressurs – Holmen")
        p.get_by_role("button", name="Foreslå et team").click()
        box = answered(page, "teams", ".wb-member")
        assert box.locator("p").first.inner_text() == "4 aktører dekker 4 av 4 kategorier"
        rows = box.locator("table tbody tr td:first-child").all_inner_texts()
        assert rows == members
        assert box.locator(".wb-uncovered").inner_text().endswith(
            "Teamet dekker alt initiativet trenger.")
        team = {m["actor"]["id"] for m in full["team"]} | {"demo:init003"}
        page.wait_for_function("(n) => WB.map.highlighted().length === n", arg=len(team))
        assert highlighted(page) == team

        first = full["team"][0]["actor"]["id"]
        outsider = "demo:f002"  # Bakkevika frivilligsentral, not in the team
        page.evaluate("(ids) => WB.map.fit(ids)", [first, outsider])
        at = centres(page, [first, outsider])
        pixels = screenshot(page, tmp_path / "team.png")
        page.evaluate("() => WB.map.clear()")
        cleared = screenshot(page, tmp_path / "team-cleared.png")
        assert marked_at(pixels, at[first], fill_of(page, first))
        assert faded_at(pixels, cleared, at[outsider], fill_of(page, outsider))

        p.get_by_label("Høyst så mange i teamet").fill("2")
        p.get_by_role("button", name="Foreslå et team").click()
        page.wait_for_function("() => WB.state.get().params.size === 2")
        uncovered = pane(page, "teams").locator(".wb-uncovered li")
        uncovered.first.wait_for()
        assert [u.split(" Finn hvem")[0] for u in uncovered.all_inner_texts()] == [
            u["explanation"] for u in small["uncovered"]]
        page.wait_for_function("(n) => WB.map.highlighted().length === n",
                               arg=len(small["team"]) + 1)
        assert_clean(page, seen)

        # what stays open, asked in Hvem kan hjelpe? with the initiative as the one in need
        open_need = small["uncovered"][0]["category"]
        uncovered.first.get_by_role("button", name="Finn hvem som kan hjelpe med dette").click()
        page.wait_for_function("() => WB.state.get().panel === 'match'")
        offers = answered(page, "match", ".wb-offer")
        assert params(page) == {"category": open_need, "seeker": "demo:init003"}
        help_for = api(site, f"/match?category={open_need}&seeker=demo:init003&lang=nb")
        assert offers.locator(".wb-offer-head a").first.inner_text() == \
            help_for["results"][0]["actor"]["name"]
        assert pane(page, "match").get_by_label("Hvem har behovet? (valgfritt)").input_value() \
            == "Senior ressurs – Holmen"
        assert seen["errors"] == [] and outside_hosts(seen) == []
    finally:
        page.close()


def test_bridge_builders_are_ranked_explained_and_highlighted(site, browser, tmp_path):
    """Brobyggere: the API's ranking as a table with each bridge builder's reasons, the answer
    says whether it is exact, the bridge builders are highlighted on the map, and another
    grouping and size are asked again and kept in the address."""
    ranked = api(site, "/brokers?top=10&lang=nb")
    by_district = api(site, "/brokers?by=district&top=5&lang=nb")
    assert ranked["exact"] is True  # the demo is small enough to count every path
    assert ranked["results"][0]["actor"]["kind"] == "frivilligsentral"  # the bindeledd
    page, seen = open_workbench(browser, site.url + "/?lang=nb#panel=brokers")
    try:
        box = answered(page, "brokers", ".wb-broker")
        assert box.locator("p").first.inner_text() == \
            "Eksakt: alle korteste veier i nettverket er talt."
        rows = box.locator("table tbody tr")
        assert rows.locator("td:nth-child(2)").all_inner_texts() == [
            r["actor"]["name"] for r in ranked["results"]]
        first = ranked["results"][0]
        share = f"{100 * first['betweenness']:.2f}".rstrip("0").rstrip(".").replace(".", ",")
        assert rows.first.locator("td").all_inner_texts()[2:4] == [
            f"{share}\u00a0%", str(first["groups_reached"])]
        assert first["explanation"][0].startswith(f"Mellomsentralitet: ligger på {share} %")
        assert box.locator(".wb-broker").first.inner_text().splitlines()[1:] == \
            first["explanation"]
        brokers = {r["actor"]["id"] for r in ranked["results"]}
        page.wait_for_function("(n) => WB.map.highlighted().length === n", arg=len(brokers))
        assert highlighted(page) == brokers

        top = first["actor"]["id"]
        page.evaluate("(ids) => WB.map.fit(ids)", [top])
        at = centres(page, [top])
        pixels = screenshot(page, tmp_path / "brokers.png")
        assert marked_at(pixels, at[top], fill_of(page, top))

        p = pane(page, "brokers")
        p.get_by_label("Grupper").select_option(label="Grender")
        p.get_by_label("Så mange brobyggere").fill("5")
        p.get_by_role("button", name="Finn brobyggere").click()
        page.wait_for_function("() => WB.state.get().params.by === 'district'")
        assert params(page) == {"by": "district", "top": 5, "run": 1}
        page.wait_for_function("(n) => document.querySelectorAll("
                               "'#wb-pane-brokers .wb-broker').length === n",
                               arg=len(by_district["results"]))
        assert pane(page, "brokers").locator("table tbody tr td:nth-child(2)") \
            .all_inner_texts() == [r["actor"]["name"] for r in by_district["results"]]
        page.wait_for_function("(n) => WB.map.highlighted().length === n",
                               arg=len(by_district["results"]))
        assert_clean(page, seen)
    finally:
        page.close()


def test_the_analysis_panels_speak_english_when_asked(site, browser):
    page, seen = open_workbench(browser, site.url + "/?lang=en#panel=match&p.match="
                                '{"category":"help.transport","district":"Bakkevika"}')
    try:
        p = pane(page, "match")
        assert p.locator("h2").inner_text() == "Who can help?"
        assert p.get_by_label("What is needed?").input_value() == "help.transport"
        box = answered(page, "match", ".wb-offer")
        assert box.locator("p").first.inner_text().startswith("10 offers of Transport and escort")
        assert "Offers exactly what is needed: Transport and escort" in \
            box.locator(".wb-offer").first.inner_text()
        go(page, site.url + '/?lang=en#panel=teams&p.teams={"initiative":"demo:init003"}')
        box = answered(page, "teams", ".wb-member")
        assert box.locator("p").first.inner_text() == "4 actors cover 4 of 4 categories"
        assert box.locator("table thead th").all_inner_texts() == ["Actor", "Covers"]
        go(page, site.url + '/?lang=en#panel=gaps&p.gaps={"run":1}')
        box = answered(page, "gaps", ".wb-gap")
        assert box.locator("p").first.inner_text().endswith("in the whole municipality")
        assert pane(page, "gaps").locator("h3").all_inner_texts()[:1] == ["Unmet needs"]
        go(page, site.url + "/?lang=en#panel=brokers")
        box = answered(page, "brokers", ".wb-broker")
        assert pane(page, "brokers").locator("h2").inner_text() == "Bridge builders"
        assert box.locator("p").first.inner_text() == \
            "Exact: every shortest path in the network is counted."
        assert box.locator("table thead th").all_inner_texts() == [
            "No.", "Actor", "Share of the paths", "Groups reached", "Burt's constraint"]
        assert seen["errors"] == [] and outside_hosts(seen) == []
    finally:
        page.close()


def test_after_an_import_the_panels_offer_what_it_added(browser, tmp_path_factory):
    """Last inn redraws the map; the analysis panels already open take the new districts and
    initiatives into their choices (a store of its own: the import changes it)."""
    sheet = Path(__file__).parents[2] / "loaders" / "templates" / "workshop_template.csv"
    with served_demo(tmp_path_factory.mktemp("wb-analysis-import"), actors=120) as own:
        page, seen = open_workbench(browser, own.url + "/?lang=nb#panel=teams")
        try:
            page.locator("#wb-tab-gaps").click()
            districts = pane(page, "gaps").get_by_label("Grend")
            assert "Nordbygda" not in districts.locator("option").all_inner_texts()
            page.locator("#wb-tab-import").click()
            page.set_input_files("#wb-import-file", str(sheet))
            page.click("#wb-import-form button[type=submit]")
            page.locator("#wb-import-report .wb-done").wait_for()
            assert "Nordbygda" in districts.locator("option").all_inner_texts()
            page.locator("#wb-tab-teams").click()
            p = pane(page, "teams")
            p.get_by_label("Initiativ").select_option(label="Sykling uten alder – Nordbygda")
            p.get_by_role("button", name="Foreslå et team").click()
            box = answered(page, "teams", ".wb-uncovered")
            initiative = p.get_by_label("Initiativ").input_value()
            expected = api(own, f"/teams?initiative={initiative}&lang=nb")
            assert box.locator("p").first.inner_text() == expected["explanation"]
            assert seen["errors"] == [] and outside_hosts(seen) == []
        finally:
            page.close()


# ---- names by role ---------------------------------------------------------------------------

@pytest.fixture(scope="module")
def keyed(tmp_path_factory):
    pytest.importorskip("graphsvc.auth", reason="sign-in (graphsvc.auth) is not built yet")
    with served_demo(tmp_path_factory.mktemp("wb-analysis-keyed"),
                     keys={"Vera leser": "viewer", "Per planlegger": "planner"}) as served:
        yield served


def signed_in(browser, url: str, key: str):
    page = browser.new_page(viewport={"width": 1400, "height": 900})  # a context of its own
    seen = watch(page)
    page.set_default_timeout(15_000)
    page.goto(url)
    page.locator("#wb-signin-form").wait_for()
    page.fill("#wb-key", key)
    page.click("#wb-signin-form button[type=submit]")
    wait_ready(page)
    return page, seen


def test_the_panels_name_individuals_only_for_roles_that_may_see_names(keyed, browser):
    address = "/?lang=nb#panel=teams&p.teams={\"initiative\":\"demo:init003\"}"
    request = urllib.request.Request(
        keyed.url + "/teams?initiative=demo:init003&lang=nb",
        headers={"Authorization": "Bearer " + keyed.keys["Per planlegger"]})
    with urllib.request.urlopen(request, timeout=30) as response:
        named = json.load(response)
    person = next(m["actor"] for m in named["team"] if m["actor"]["kind"] == "individual")
    assert not person["name"].startswith("Person ")  # the planner's answer names the person

    planner, seen_p = signed_in(browser, keyed.url + address, keyed.keys["Per planlegger"])
    try:
        box = answered(planner, "teams", ".wb-member")
        assert person["name"] in box.locator("table").inner_text()
        assert seen_p["errors"] == [] and outside_hosts(seen_p) == []
    finally:
        planner.close()

    viewer, seen_v = signed_in(browser, keyed.url + address, keyed.keys["Vera leser"])
    try:
        box = answered(viewer, "teams", ".wb-member")
        rows = box.locator("table tbody tr td:first-child").all_inner_texts()
        assert len(rows) == len(named["team"])
        assert any(r.startswith("Person ") for r in rows)
        assert person["name"] not in viewer.content()  # not even hidden in the page
        assert seen_v["errors"] == [] and outside_hosts(seen_v) == []
    finally:
        viewer.close()


def test_what_is_missing_says_none_where_no_help_is_missing(browser, tmp_path_factory):
    """A store where no need goes unanswered (a workshop sheet of offers only): the table of
    help that is missing is not drawn empty, a sentence says there is none."""
    from graphsvc.api.app import create_app
    from graphsvc.settings import Settings
    from graphsvc.store.sqlite import SQLiteStore
    from loaders.importer import import_files
    from tests.fixtures.workbench import serve_app

    folder = tmp_path_factory.mktemp("wb-no-shortfall")
    sheet = folder / "verksted.csv"
    sheet.write_text("aktør;type;grend;tilbyr\n"
                     "Testvik sjakklubb;lag;Holmen;social.meetingplace\n"
                     "Testvik kor;lag;Holmen;activity.music\n", "utf-8")
    store = SQLiteStore(folder / "g.db")
    import_files(store, [sheet])
    app = create_app(Settings(store=store.url), store=store)
    try:
        with serve_app(app) as url:
            site = type("Site", (), {"url": url})
            assert api(site, "/gaps?lang=nb")["demand_supply"]["items"] == []
            page, seen = open_workbench(browser, url + '/?lang=nb#panel=gaps&p.gaps={"run":1}')
            try:
                box = answered(page, "gaps", ".wb-gap")
                assert box.locator("table.wb-table").count() == 0
                assert box.locator(".wb-table-empty").inner_text() == "Hjelp som mangler: ingen."
                assert seen["errors"] == [] and outside_hosts(seen) == []
            finally:
                page.close()
    finally:
        store.close()
