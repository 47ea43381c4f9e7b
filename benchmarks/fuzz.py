"""The long fuzz run of every loader (issue 13): the corpus of tests/fuzz/inputs.py, then mutations
of the real-format seeds in tests/fixtures/, through ``import_files`` / ``apply_districts`` into
one SQLite store.

    python benchmarks/fuzz.py [--inputs 10000] [--seed 1] [--limits default|small]
                              [--out benchmarks/results/fuzz.json]

Reported as JSON: inputs (per kind and verdict), crashes (any exception not a one-line
``GraphsvcError`` under 300 characters naming the file; each reproducer saved beside the report,
``fuzz-crashes/<n>-<kind>.bin`` with its ``.json``), messages that break the rule, hangs (more
than 5 s of CPU for one input; a timer stops it at 10 s), partial writes (a failed input after
which the store's SQL dump differs), the slowest inputs, and peak RSS. ``--limits default`` runs
with the loaders' default :class:`loaders.streams.Limits` (what a user gets); ``small`` with the
fuzz test's, so bombs cost milliseconds. Exit status 1 if anything was found.
"""

from __future__ import annotations

import argparse
import collections
import json
import platform
import random
import resource
import signal
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from _common import write_report  # noqa: E402

HANG_S = 5.0
STOP_S = 10.0


class _Stopped(BaseException):
    """Raised by the CPU timer inside an input that ran past STOP_S."""


def _stop(_signum, _frame):
    raise _Stopped


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--inputs", type=int, default=10_000, help="mutated inputs (corpus extra)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--limits", choices=["default", "small"], default="default")
    ap.add_argument("--out", default="benchmarks/results/fuzz.json")
    args = ap.parse_args()

    from graphsvc.store.sqlite import SQLiteStore
    from loaders.importer import import_files
    from tests.fuzz.inputs import KINDS, LIMITS, SOURCES, Outcome, corpus, mutated, run_one

    limits = LIMITS if args.limits == "small" else None
    out = Path(args.out)
    crash_dir = out.parent / "fuzz-crashes"
    rnd = random.Random(args.seed)
    kinds = sorted(KINDS)
    verdicts: collections.Counter[str] = collections.Counter()
    by_kind: dict[str, collections.Counter[str]] = {k: collections.Counter() for k in kinds}
    found: dict[str, list[dict]] = {"crash": [], "bad_message": [], "partial_write": [],
                                    "hang": []}
    slowest: list[tuple[float, str]] = []
    signal.signal(signal.SIGPROF, _stop)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "store.db"
        store = SQLiteStore(db)
        import_files(store, [SOURCES / "enheter.csv", SOURCES / "kommuner.json",
                             SOURCES / "verksted_testvik.csv"])
        items = corpus()
        n_corpus = len(items)
        for i in range(n_corpus + args.inputs):
            item = items[i] if i < n_corpus else mutated(kinds[i % len(kinds)], rnd)
            signal.setitimer(signal.ITIMER_PROF, STOP_S)
            cpu0 = time.process_time()
            try:
                outcome = run_one(store, db, item, Path(tmp) / "in", limits)
            except _Stopped:
                outcome = Outcome("hang", f"stopped after {STOP_S} s of CPU",
                                  time.process_time() - cpu0)
            finally:
                signal.setitimer(signal.ITIMER_PROF, 0)
            verdict = outcome.verdict
            if verdict in ("ok", "clean") and outcome.cpu_s > HANG_S:
                verdict = "hang"
            verdicts[verdict] += 1
            by_kind[item.kind][verdict] += 1
            slowest = sorted([*slowest, (round(outcome.cpu_s, 3), repr(item))], reverse=True)[:5]
            if verdict in found:
                crash_dir.mkdir(parents=True, exist_ok=True)
                stem = crash_dir / f"{i}-{item.kind}"
                stem.with_suffix(".bin").write_bytes(item.data)
                meta = {"input": i, "kind": item.kind, "name": item.name, "format": item.fmt,
                        "kommune": item.kommune, "verdict": verdict, "detail": outcome.detail,
                        "cpu_s": round(outcome.cpu_s, 3), "file": str(stem.with_suffix(".bin"))}
                stem.with_suffix(".json").write_text(json.dumps(meta, ensure_ascii=False))
                found[verdict].append(meta)
                print(f"{verdict}: {outcome.detail[:200]} ({item!r})", file=sys.stderr)
            if i % 500 == 0:
                print(f"{i} inputs, {dict(verdicts)}", file=sys.stderr, flush=True)
        store.close()
    seconds = time.perf_counter() - started
    report = {
        "benchmark": "fuzz",
        "inputs": n_corpus + args.inputs,
        "corpus": n_corpus,
        "mutated": args.inputs,
        "seed": args.seed,
        "limits": args.limits,
        "verdicts": dict(verdicts),
        "by_kind": {k: dict(c) for k, c in by_kind.items()},
        "crashes": len(found["crash"]),
        "bad_messages": len(found["bad_message"]),
        "hangs": len(found["hang"]),
        "partial_writes": len(found["partial_write"]),
        "found": {k: v[:20] for k, v in found.items()},
        "slowest_cpu_s": slowest,
        "seconds": round(seconds, 1),
        "inputs_per_s": round((n_corpus + args.inputs) / seconds, 1),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "python": platform.python_version(),
    }
    write_report(report, out)
    return 1 if any(found.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
