"""``/docs`` and ``/redoc`` in a real Chromium: both draw the API and request nothing outside
the server (an offline municipal PC must be able to read them)."""

from __future__ import annotations

import socket
import threading
import time
from urllib.parse import urlsplit

import pytest

from graphsvc.api import create_app
from graphsvc.settings import Settings
from graphsvc.store.sqlite import SQLiteStore
from tests.fixtures.browser import watch


@pytest.fixture(scope="module")
def base_url(tmp_path_factory):
    import uvicorn

    store = SQLiteStore(tmp_path_factory.mktemp("docs") / "docs.db")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(create_app(Settings(store=store.url), store=store),
                                           host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert time.monotonic() < deadline, "the server did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        store.close()


@pytest.mark.parametrize(("page", "drawn"), [("/docs", ".opblock"), ("/redoc", "[role=menu]")])
def test_documentation_requests_nothing_outside_the_server(browser, base_url, page, drawn):
    context = browser.new_context()
    tab = context.new_page()
    seen = watch(tab)
    try:
        tab.goto(base_url + page)
        tab.wait_for_selector(drawn, timeout=20_000)  # the API is drawn, not a blank page
        tab.wait_for_timeout(500)  # late requests (logos, fonts) after the first paint
    finally:
        context.close()
    here = urlsplit(base_url).netloc
    outside = [u for u in seen["requests"]
               if urlsplit(u).scheme in ("http", "https") and urlsplit(u).netloc != here]
    assert outside == []
    assert f"{base_url}/openapi.json" in seen["requests"]
