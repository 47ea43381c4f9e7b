"""The vendored sigma.js and graphology builds are the ones package-lock.json pins: each file's
sha256 is recorded in vendor.json beside the version and tarball integrity of the lock, and a
large map inlines exactly those files (nothing fetched at run time; refresh.sh renews them)."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import pytest

import visualisations
from tests.fixtures.graphs import small_community
from visualisations import render_map

VENDOR = Path(visualisations.__file__).parent / "static" / "vendor"


@pytest.fixture(scope="module")
def recorded() -> dict:
    return json.loads((VENDOR / "vendor.json").read_text("utf-8"))


def test_each_vendored_file_is_the_one_recorded(recorded):
    assert set(recorded) == {"sigma.min.js", "graphology.umd.min.js"}
    for name, entry in recorded.items():
        digest = hashlib.sha256((VENDOR / name).read_bytes()).hexdigest()
        assert digest == entry["sha256"], f"{name} changed without refresh.sh"


def test_the_record_matches_the_lock_file_and_exact_pins(recorded):
    lock = json.loads((VENDOR / "package-lock.json").read_text("utf-8"))["packages"]
    wanted = json.loads((VENDOR / "package.json").read_text("utf-8"))["dependencies"]
    assert all(re.fullmatch(r"\d+\.\d+\.\d+", v) for v in wanted.values()), wanted  # exact
    assert lock[""]["dependencies"] == wanted
    for entry in recorded.values():
        locked = lock[f"node_modules/{entry['package']}"]
        assert entry["version"] == locked["version"] == wanted[entry["package"]]
        assert entry["integrity"] == locked["integrity"]
        assert entry["integrity"].startswith("sha512-")


def test_a_sigma_map_inlines_exactly_the_vendored_files():
    page = render_map(small_community(), title="x", renderer="sigma")
    scripts = re.findall(r"<script>(.*?)</script>", page, re.DOTALL)
    for name in ("graphology.umd.min.js", "sigma.min.js"):
        vendored = (VENDOR / name).read_text("utf-8").replace("</script", "<\\/script")
        assert vendored in scripts, name
    assert "<script src" not in page and "http://" not in page.split("<script>")[0]
