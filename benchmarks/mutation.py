"""Mutation testing of the core, as a standing measurement (not in CI: a full run takes hours).

    python benchmarks/mutation.py [MODULE ...] [--max-children 2] [--report-only]
                                  [--sample N [--seed S]]
                                  [--out benchmarks/results/mutation.json]

MODULE is a path of the core such as ``graphsvc/analysis/matching.py`` (default: the whole
core, as ``[tool.mutmut]`` in pyproject.toml lists it). The script runs mutmut 3 (``pip install
-e '.[mutation]'``) from the repository root, where mutmut keeps its ``mutants/`` folder and
its results between runs (a second run only tries what changed or was not tried), then writes
a JSON report per module: killed, survived, timeout, no tests, and the score.

Two kinds of mutant are left out of the score, and counted on their own:

- *equivalent* mutants, listed with the reason in ``benchmarks/mutation_equivalent.json``
  (keyed by mutant name, with the mutated line, so an entry that no longer matches the mutant
  after an edit is reported as stale instead of silently excusing another mutant);
- *message* mutants, which change only the prose of a string literal (a literal with a space
  in it, such as an error message or an explanation). Message wording is being rewritten often
  and is pinned by the tests of each message where it matters; a mutant name is its position in
  the function, so counting these would make the figure churn with every rewording. Literals
  without a space (dictionary keys, kinds, codes) are behaviour and stay in the score.

The score is (killed + timeout) / (killed + survived + timeout + no tests) over the remaining
mutants: a mutant that makes the tests hang is noticed; one that no test runs is not.

``--sample N`` measures the score on N mutants drawn at random (seeded, ``--seed``) from the
scored ones — every core file in proportion to its number of mutants — instead of on all of
them: a run of the whole core takes about 16 hours on a 2-core machine, a sample of 600 well
under one, and the report gives the 95 % Wilson interval of the score next to it. Message and
equivalent mutants are left out before drawing, so they are never run.
"""

from __future__ import annotations

import argparse
import ast
import difflib
import json
import math
import random
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from _common import write_report

ROOT = Path(__file__).resolve().parents[1]
EQUIVALENT = Path(__file__).with_name("mutation_equivalent.json")
CORE = [
    "graphsvc/analysis/*.py", "graphsvc/store/*.py", "loaders/*.py",
    "visualisations/encoding.py", "visualisations/map.py",
]
# mutmut's exit codes (mutmut.stats.status_by_exit_code), folded into what the report counts:
# a mutant that hangs or crashes the tests (timeout, segfault, killed by the CPU limit) would be
# noticed, so it counts as detected; anything else unknown ("suspicious") as survived.
STATUS = {1: "killed", 3: "killed", 37: "killed", 0: "survived", 5: "no_tests", 33: "no_tests",
          34: "not_run", 2: "not_run", None: "not_run", 36: "timeout", -24: "timeout",
          24: "timeout", 152: "timeout", 255: "timeout", -11: "timeout", -9: "timeout"}


def module_of(path: str) -> str:
    return path[:-3].replace("/", ".").removesuffix(".__init__")


def mutants_of(paths: list[str]) -> list[str]:
    """mutmut name globs for these files (``graphsvc.analysis.matching.*``)."""
    return [module_of(p) + ".*" for p in paths]


def core_files() -> list[str]:
    return sorted({str(p.relative_to(ROOT)) for pattern in CORE for p in ROOT.glob(pattern)})


def run_mutmut(paths: list[str], max_children: int, names: list[str] | None = None) -> float:
    """Run mutmut on these files (or on just these mutant names); return the wall time in s."""
    started = time.monotonic()
    cmd = [sys.executable, "-m", "mutmut", "run", "--max-children", str(max_children)]
    if names is not None:
        cmd += names
    elif paths != core_files():
        cmd += mutants_of(paths)
    print("running:", " ".join(cmd), file=sys.stderr)
    subprocess.run(cmd, cwd=ROOT, check=False)
    return time.monotonic() - started


def _functions(source: str) -> dict[str, ast.AST]:
    return {n.name: n for n in ast.walk(ast.parse(source))
            if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)}


def _strings_only(a: ast.AST, b: ast.AST) -> list[tuple[str, str]] | None:
    """The (original, mutated) string literals if the two functions differ only in those."""
    if type(a) is not type(b):
        return None
    if isinstance(a, ast.Constant):
        if a.value == b.value:
            return []
        if isinstance(a.value, str) and isinstance(b.value, str):
            return [(a.value, b.value)]
        return None
    found: list[tuple[str, str]] = []
    for field in a._fields:
        if field == "name":
            continue
        x, y = getattr(a, field, None), getattr(b, field, None)
        if isinstance(x, list):
            if not isinstance(y, list) or len(x) != len(y):
                return None
            pairs = zip(x, y)
        else:
            pairs = [(x, y)]
        for u, v in pairs:
            if isinstance(u, ast.AST):
                sub = _strings_only(u, v) if isinstance(v, ast.AST) else None
                if sub is None:
                    return None
                found += sub
            elif u != v:
                return None
    return found


def describe(mutated_source: str, name: str, cache: dict) -> tuple[str, bool]:
    """(the changed line as ``- old / + new``, whether it changes only message prose)."""
    if "functions" not in cache:
        cache["functions"] = _functions(mutated_source)
    funcs = cache["functions"]
    fn = name.rsplit(".", 1)[1]
    orig = funcs.get(fn.rsplit("__mutmut_", 1)[0] + "__mutmut_orig")
    mut = funcs.get(fn)
    if orig is None or mut is None:
        return "", False
    key = ("unparsed", orig.name)
    if key not in cache:  # one function has hundreds of mutants: unparse its original once
        cache[key] = ast.unparse(orig).splitlines()[1:]
    a, b = cache[key], ast.unparse(mut).splitlines()[1:]
    diff = [x.strip() for x in difflib.unified_diff(a, b, lineterm="", n=0)
            if x[:1] in "+-" and x[:3] not in ("+++", "---")]
    strings = _strings_only(ast.Module(orig.body, []), ast.Module(mut.body, []))
    message = bool(strings) and all(" " in old.strip() for old, _new in strings)
    return " / ".join(diff)[:300], message


def _meta(path: str) -> dict[str, Any] | None:
    meta_path = ROOT / "mutants" / (path + ".meta")
    return json.loads(meta_path.read_text("utf-8")) if meta_path.exists() else None


def _equivalent() -> dict[str, Any]:
    equivalent = json.loads(EQUIVALENT.read_text("utf-8")) if EQUIVALENT.exists() else {}
    return {k: v for k, v in equivalent.items() if not k.startswith("_")}


def scored_mutants(paths: list[str]) -> dict[str, list[str]]:
    """Per file, the names of the mutants that count in the score (neither a message mutant
    nor a listed equivalent one whose line still matches)."""
    equivalent = _equivalent()
    out: dict[str, list[str]] = {}
    for path in paths:
        meta = _meta(path)
        if meta is None:
            continue
        mutated = (ROOT / "mutants" / path).read_text("utf-8")
        cache: dict = {}
        names = []
        for name in sorted(meta.get("exit_code_by_key", {})):
            change, message = describe(mutated, name, cache)
            if message or (name in equivalent
                           and equivalent[name].get("change") in (None, change)):
                continue
            names.append(name)
        out[path] = names
    return out


def draw_sample(pool: dict[str, list[str]], n: int, seed: int) -> list[str]:
    """n names drawn from the pool, each file in proportion to its share (largest remainder)."""
    total = sum(len(v) for v in pool.values())
    if n >= total:
        return sorted(x for v in pool.values() for x in v)
    quotas = {p: n * len(v) / total for p, v in pool.items()}
    take = {p: math.floor(q) for p, q in quotas.items()}
    for p in sorted(quotas, key=lambda p: quotas[p] - take[p], reverse=True)[:n - sum(take.values())]:
        take[p] += 1
    rng = random.Random(seed)
    return sorted(x for p, v in sorted(pool.items()) for x in rng.sample(v, take[p]))


def wilson(caught: int, n: int, z: float = 1.96) -> tuple[float, float] | None:
    """The 95 % Wilson score interval of caught/n, in per cent."""
    if not n:
        return None
    p = caught / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return round(100 * (centre - half), 1), round(100 * (centre + half), 1)


def report(paths: list[str], seconds: float | None,
           only: set[str] | None = None) -> dict[str, Any]:
    equivalent = json.loads(EQUIVALENT.read_text("utf-8")) if EQUIVALENT.exists() else {}
    equivalent = {k: v for k, v in equivalent.items() if not k.startswith("_")}
    modules: dict[str, Any] = {}
    survivors: dict[str, str] = {}
    stale: list[str] = []
    totals = dict.fromkeys(("killed", "survived", "timeout", "no_tests", "not_run",
                            "equivalent", "message_killed", "message_survived"), 0)
    for path in paths:
        meta_path = ROOT / "mutants" / (path + ".meta")
        if not meta_path.exists():
            modules[path] = {"not_run": "no mutmut results"}
            continue
        codes = json.loads(meta_path.read_text("utf-8")).get("exit_code_by_key", {})
        mutated = (ROOT / "mutants" / path).read_text("utf-8")
        cache: dict = {}
        counts = dict.fromkeys(totals, 0)
        for name, code in sorted(codes.items()):
            if only is not None and name not in only:
                continue
            status = STATUS.get(code, "survived")
            change, message = describe(mutated, name, cache)
            if name in equivalent:
                if equivalent[name].get("change") not in (None, change):
                    stale.append(name)
                else:
                    counts["equivalent"] += 1
                    continue
            if message and status in ("killed", "survived", "no_tests"):
                counts["message_killed" if status == "killed" else "message_survived"] += 1
                continue
            counts[status] += 1
            if status in ("survived", "no_tests", "timeout"):
                survivors[name] = f"{status}: {change}"
        scored = counts["killed"] + counts["survived"] + counts["timeout"] + counts["no_tests"]
        caught = counts["killed"] + counts["timeout"]
        counts["score_pct"] = round(100 * caught / scored, 1) if scored else None
        modules[path] = counts
        for k in totals:
            totals[k] += counts[k]
    scored = totals["killed"] + totals["survived"] + totals["timeout"] + totals["no_tests"]
    caught = totals["killed"] + totals["timeout"]
    return {
        "when": datetime.now(UTC).replace(microsecond=0).isoformat(),
        "tool": "mutmut " + _version(),
        "run_seconds": None if seconds is None else round(seconds),
        "modules": modules,
        "sample": None if only is None else {"size": len(only)},
        "total": totals | {"score_pct": round(100 * caught / scored, 1) if scored else None,
                           "score_95pct_interval": wilson(caught, scored)},
        "stale_equivalent_entries": stale,
        "survivors": survivors,
    }


def _version() -> str:
    try:
        from importlib.metadata import version
        return version("mutmut")
    except Exception:  # noqa: BLE001 - the report says "unknown" rather than failing
        return "unknown"


def summary(rep: dict[str, Any]) -> str:
    lines = [f"{'module':45} {'killed':>6} {'surv':>5} {'t/o':>4} {'none':>5} {'equiv':>5} "
             f"{'msg':>7} {'score':>6}"]
    for path, c in rep["modules"].items():
        if "killed" not in c:
            lines.append(f"{path:45} (not run)")
            continue
        if not (c["killed"] + c["survived"] + c["timeout"] + c["no_tests"]):
            if c["not_run"]:
                lines.append(f"{path:45} (not run: {c['not_run']} mutants)")
            continue
        lines.append(f"{path:45} {c['killed']:6} {c['survived']:5} {c['timeout']:4} "
                     f"{c['no_tests']:5} {c['equivalent']:5} "
                     f"{c['message_killed']:3}/{c['message_survived']:<3} {c['score_pct']:6}")
    t = rep["total"]
    lines.append(f"total: {t['killed']} killed, {t['survived']} survived, {t['timeout']} timeout, "
                 f"{t['no_tests']} without a test, {t['equivalent']} equivalent, "
                 f"{t['message_killed']}/{t['message_survived']} message mutants killed/survived "
                 f"(not scored), {t['not_run']} not run: score {t['score_pct']} %")
    if rep.get("sample"):
        low, high = t["score_95pct_interval"] or (None, None)
        lines.append(f"a random sample of {rep['sample']['size']} of the "
                     f"{rep['sample'].get('population', '?')} scored mutants; "
                     f"95 % interval of the score: {low}–{high} %")
    if rep["run_seconds"] is not None:
        lines.append(f"run time: {rep['run_seconds']} s")
    if rep.get("cumulative_run_seconds"):
        lines.append(f"run time of every sitting of this measurement: "
                     f"{rep['cumulative_run_seconds']} s")
    if rep["stale_equivalent_entries"]:
        lines.append("stale entries in mutation_equivalent.json: "
                     + ", ".join(rep["stale_equivalent_entries"]))
    return "\n".join(lines)


def main() -> None:
    global ROOT
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("modules", nargs="*", help="core files to mutate (default: all)")
    parser.add_argument("--max-children", type=int, default=2)
    parser.add_argument("--report-only", action="store_true",
                        help="do not run mutmut; report what mutants/ holds")
    parser.add_argument("--root", type=Path, default=ROOT,
                        help="the checkout to run in (e.g. a clean `git archive HEAD` copy while "
                             "others edit the work tree); its mutants/ holds the results")
    parser.add_argument("--sample", type=int, metavar="N",
                        help="score a random sample of N scored mutants instead of all")
    parser.add_argument("--seed", type=int, default=14, help="the sample's seed")
    parser.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "mutation.json"))
    args = parser.parse_args()
    ROOT = args.root.resolve()
    paths = args.modules or core_files()
    unknown = [p for p in paths if p not in core_files()]
    if unknown:
        parser.error(f"not in the core: {', '.join(unknown)}")
    only = population = None
    names: list[str] | None = None
    if args.sample:
        if not any(_meta(p) for p in paths) and not args.report_only:
            # mutmut writes its mutants (and their list) on its first run: try one to get them
            first = sorted(_functions((ROOT / paths[0]).read_text("utf-8")))
            run_mutmut(paths, args.max_children,
                       [f"{module_of(paths[0])}.x_{first[0]}__mutmut_1"] if first else None)
        pool = scored_mutants(paths)
        population = sum(len(v) for v in pool.values())
        only = set(draw_sample(pool, args.sample, args.seed))
        codes = {k: v for p in paths for k, v in (_meta(p) or {}).get(
            "exit_code_by_key", {}).items()}
        names = sorted(n for n in only if codes.get(n) is None)
    if args.report_only or names == []:
        seconds = None
    else:
        seconds = run_mutmut(paths, args.max_children, names)
    rep = report(paths, seconds, only)
    if rep["sample"] is not None:
        rep["sample"] |= {"population": population, "seed": args.seed}
    # a measurement is often run in several sittings: keep the wall time of all of them
    times = ROOT / "mutants" / "graphsvc-run-seconds.json"
    spent = json.loads(times.read_text("utf-8")) if times.exists() else {}
    key = f"sample {args.sample} seed {args.seed}" if args.sample else "all"
    spent[key] = round(spent.get(key, 0) + (seconds or 0))
    if times.parent.exists():
        times.write_text(json.dumps(spent), "utf-8")
    rep["cumulative_run_seconds"] = spent[key]
    write_report(rep, args.out)
    print(summary(rep), file=sys.stderr)


if __name__ == "__main__":
    main()
