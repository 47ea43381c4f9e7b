"""Fixtures for the end-to-end tests."""

from __future__ import annotations

import os

import pytest

from tests.fixtures.browser import ARGS, CHROMIUM


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for the session; skipped, with the reason, where it is absent."""
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    sync_api = pytest.importorskip(
        "playwright.sync_api", reason="playwright is not installed (pip install '.[test]')"
    )
    with sync_api.sync_playwright() as pw:
        # A first start on a busy machine (CI beside other work) can take over 15 s; this is one
        # browser for the whole session, so waiting for it costs little and a timeout would
        # error every browser test at once.
        b = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True,
                               timeout=120_000)
        try:
            yield b
        finally:
            b.close()
