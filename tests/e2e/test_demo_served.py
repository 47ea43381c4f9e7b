"""README command (a) as a user runs it: ``graphsvc demo --serve``, then the map in a real
Chromium and the API over HTTP."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

from tests.fixtures.browser import watch



def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("demo")
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("GRAPHSVC_")}
    server = subprocess.Popen(
        [sys.executable, "-m", "graphsvc.cli", "demo", "--serve", "--port", str(port)],
        cwd=workdir, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                urllib.request.urlopen(f"{base}/health", timeout=2)
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    pytest.fail("demo server did not come up: " + server.stderr.read())
                time.sleep(0.2)
        yield base, workdir
    finally:
        server.terminate()
        server.wait(timeout=20)
        server.stdout.close()
        server.stderr.close()


def get_json(url: str) -> dict:
    with urllib.request.urlopen(url, timeout=30) as response:
        return json.load(response)


def test_health_and_ranked_match_with_explanations(served):
    base, workdir = served
    health = get_json(f"{base}/health")
    assert health["status"] == "ok" and health["actors"] == 1000
    match = get_json(f"{base}/match?category=help.transport")
    assert len(match["results"]) == 10
    assert all(r["explanation"] for r in match["results"])
    scores = [r["score"] for r in match["results"]]
    assert scores == sorted(scores, reverse=True)
    assert (workdir / "graphsvc-out" / "fjordvik-map.html").exists()
    assert (workdir / "graphsvc-out" / "fjordvik-network.pdf").exists()


@pytest.mark.browser
def test_the_served_map_opens_offline_in_chromium(served, browser):
    base, _ = served
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    try:
        seen = watch(page)
        page.goto(f"{base}/maps/network.html")  # "/" is the workbench (test_workbench.py)
        page.wait_for_function("() => window.graphsvc && window.graphsvc.ready", timeout=60_000)
        assert seen["errors"] == []
        assert seen["requests"] and all(u.startswith(base) for u in seen["requests"]), seen
        assert page.evaluate("() => network.body.nodeIndices.length") >= 1000
        assert page.locator("#legend").is_visible()
        # Pseudonyms only: no individual's name from the demo reaches the browser.
        names = page.evaluate("() => network.body.data.nodes.get().map(n => n.name)")
        assert any(n.startswith("Person ") for n in names)
    finally:
        page.close()
