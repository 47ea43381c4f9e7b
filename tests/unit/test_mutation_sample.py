"""The sampled mutation score (benchmarks/mutation.py --sample): each file in proportion, the
same draw for the same seed, and an interval that says how far the figure may be off."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
import mutation  # noqa: E402


def _pool() -> dict[str, list[str]]:
    return {"a.py": [f"a.x_f__mutmut_{i}" for i in range(1, 601)],
            "b.py": [f"b.x_g__mutmut_{i}" for i in range(1, 301)],
            "c.py": [f"c.x_h__mutmut_{i}" for i in range(1, 101)]}


def test_each_file_is_drawn_in_proportion_to_its_mutants():
    sample = mutation.draw_sample(_pool(), 100, seed=1)
    assert len(sample) == len(set(sample)) == 100
    per_file = {p: sum(name.startswith(p[0] + ".") for name in sample) for p in _pool()}
    assert per_file == {"a.py": 60, "b.py": 30, "c.py": 10}


def test_the_same_seed_draws_the_same_mutants_and_another_seed_others():
    assert mutation.draw_sample(_pool(), 50, seed=3) == mutation.draw_sample(_pool(), 50, seed=3)
    assert mutation.draw_sample(_pool(), 50, seed=3) != mutation.draw_sample(_pool(), 50, seed=4)


def test_a_sample_as_large_as_the_pool_is_the_pool():
    assert mutation.draw_sample(_pool(), 5000, seed=1) == sorted(
        x for names in _pool().values() for x in names)


@pytest.mark.parametrize(("caught", "n", "low", "high"), [
    (540, 600, 87.3, 92.2),   # 90 % of 600: about ±2.4 points
    (90, 100, 82.6, 94.5),    # a smaller sample says less
    (600, 600, 99.4, 100.0),  # all caught is still not proof of 100 %
])
def test_the_interval_of_the_score(caught, n, low, high):
    assert mutation.wilson(caught, n) == (low, high)


def test_the_report_counts_only_the_sample(tmp_path, monkeypatch):
    import json

    root = tmp_path
    (root / "mutants" / "pkg").mkdir(parents=True)
    source = ("def x_f__mutmut_orig(a):\n    return a + 1\n"
              "def x_f__mutmut_1(a):\n    return a - 1\n"
              "def x_f__mutmut_2(a):\n    return a + 2\n")
    (root / "mutants" / "pkg" / "m.py").write_text(source, "utf-8")
    (root / "mutants" / "pkg" / "m.py.meta").write_text(json.dumps({"exit_code_by_key": {
        "pkg.m.x_f__mutmut_1": 1, "pkg.m.x_f__mutmut_2": 0}}), "utf-8")
    monkeypatch.setattr(mutation, "ROOT", root)
    monkeypatch.setattr(mutation, "EQUIVALENT", root / "none.json")
    whole = mutation.report(["pkg/m.py"], None)
    assert (whole["total"]["killed"], whole["total"]["survived"]) == (1, 1)
    part = mutation.report(["pkg/m.py"], None, only={"pkg.m.x_f__mutmut_2"})
    assert (part["total"]["killed"], part["total"]["survived"]) == (0, 1)
    assert part["survivors"] == {
        "pkg.m.x_f__mutmut_2": "survived: -    return a + 1 / +    return a + 2"}
