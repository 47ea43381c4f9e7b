"""Snapshot benchmarks (issue 11.1): reads right after a write, incremental against rebuilt, in one run.

    python benchmarks/bench_snapshot.py [--actors 10000] [--writes 10] [--seconds 20]
        [--readers 50] [--skip-load] [--skip-in-process] [--start-actors 100000]

(Runs with or without ``-P``: this folder is put last on the import path, for ``_common``.)

On the generated Fjordvik community (``loaders.demo.generate_community``) in a SQLite store:

- **in process**: a warm read (``snapshot.graph()`` and the answer, everything derived already
  memoised) against the first read after one single-actor write (a new person with an offer and
  a tie to someone they know, written through the store), for ``/match``, ``/paths`` and the
  actor list, as p50/p95 over ``--writes`` writes; the old way side by side in the same run: a
  snapshot that rebuilds the graph from every stored row when the revision moves (as before
  issue 11) and so builds every derived structure again;
- **API under load**: ``graphsvc serve`` on 127.0.0.1 (a process of its own, one worker) and
  ``--readers`` concurrent readers (``/match`` and ``/actors``, one keep-alive connection each)
  for ``--seconds``, without writes and then with one single-actor ``POST /actors`` a second;
  p50/p95 and requests/s of the reads. Twice: with the incremental snapshot, and with every
  write rebuilt (``FULL_REBUILD_ABOVE = -1``: the old behaviour). Each phase stops by itself.

- **start** (``--start-actors``, default 100 000; 0 skips it): a new service's first
  ``snapshot.graph()`` from a SQLite store of that many generated actors, seconds and resident
  memory (VmRSS after the build, and the peak) of the process, against the old way,
  ``store.to_networkx()`` (``build_graph`` over every row read into lists); each in a fresh
  process of its own, so neither sees the other's memory.

Targets (issue 11): the first read after a write at most 2x a warm read; read p95 with one
write a second at most 2x the p95 without; at 100 000 actors the snapshot starts in at most
8 s and 500 MB resident.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import random
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

import networkx as nx

sys.path.append(str(Path(__file__).parent))  # last: nothing here may hide a package
from _common import percentiles, timed, write_report  # noqa: E402
from graphsvc.analysis import match_need, path_between  # noqa: E402
from graphsvc.model import Actor, GraphBatch, Resource, Tie  # noqa: E402
from graphsvc.snapshot import Snapshot, select_nodes  # noqa: E402
from graphsvc.store.sqlite import SQLiteStore  # noqa: E402
from graphsvc.taxonomy import load_taxonomy  # noqa: E402
from loaders.demo import generate_community  # noqa: E402

TARGETS = {"first_read_after_write_vs_warm": 2.0, "read_p95_with_writes_vs_without": 2.0,
           "start_s": 8.0, "start_rss_mb": 500}
PROV = {"source": "bench_snapshot"}


class RebuildingSnapshot:
    """The snapshot as it was before issue 11: the whole graph again from the store whenever
    the revision moved, with every derived structure built again on first use."""

    def __init__(self, store: SQLiteStore) -> None:
        self.store, self._graph, self._revision = store, None, None

    def graph(self) -> nx.MultiDiGraph:
        revision = self.store.revision()
        if self._graph is None or revision != self._revision:
            self._graph, self._revision = self.store.to_networkx(), revision
        return self._graph


def one_actor(i: int, G: nx.MultiDiGraph, rng: random.Random) -> GraphBatch:
    """A new person with one offer and a tie to someone they know: one single-actor write."""
    people = [n for n, d in G.nodes(data=True) if d.get("kind") == "individual"]
    friend = rng.choice(people)
    me = f"bench:p{i}"
    return GraphBatch(
        actors=[Actor(id=me, kind="individual", name=f"Person {i}", provenance=PROV,
                      district=G.nodes[friend].get("district"))],
        resources=[Resource(id=f"{me}:offer", holder=me, provenance=PROV,
                            category=rng.choice(load_taxonomy().leaves()))],
        ties=[Tie(source=me, target=friend, kind="KNOWS", strength=0.7, provenance=PROV)])


def _reads(G: nx.MultiDiGraph, rng: random.Random):
    """The reads measured: name → a call answering from the graph ``get()`` returns."""
    cats = load_taxonomy().leaves()
    districts = sorted({d["district"] for _n, d in G.nodes(data=True) if d.get("district")})
    people = sorted(n for n, d in G.nodes(data=True) if d.get("kind") == "individual")
    return {
        "match": lambda g: match_need(g, rng.choice(cats), district=rng.choice(districts)),
        "paths": lambda g: path_between(g, rng.choice(people), rng.choice(people)),
        "actors": lambda g: select_nodes(g, "actor", kind="association"),
    }


def _warm(G: nx.MultiDiGraph) -> None:
    """What a warm service has memoised: the search tree of every district's introducer."""
    cat = load_taxonomy().leaves()[0]
    for district in sorted({d["district"] for _n, d in G.nodes(data=True) if d.get("district")}):
        match_need(G, cat, district=district)


def in_process(n: int, writes: int, workdir: Path) -> dict:
    batch = generate_community(n, seed=1)
    out: dict = {"actors": n, "writes": writes}
    for way, make in (("incremental", Snapshot), ("rebuild_per_write", RebuildingSnapshot)):
        store = SQLiteStore(workdir / f"inproc-{way}.db")
        store.write(batch)
        snapshot = make(store)
        _G, start_s = timed(snapshot.graph)
        rng = random.Random(7)
        reads = _reads(snapshot.graph(), rng)
        _warm(snapshot.graph())
        for call in reads.values():  # build what the reads memoise
            for _ in range(5):
                call(snapshot.graph())
        warm = {name: [] for name in reads}
        first = {name: [] for name in reads}
        write_s: list[float] = []
        for _ in range(writes):
            _warm(snapshot.graph())  # the old way lost its search trees with the last write
            for name, call in reads.items():
                warm[name].append(timed(lambda c=call: c(snapshot.graph()))[1])
            for name, call in reads.items():  # each read is the first after its own write
                one = one_actor(len(write_s), snapshot.graph(), rng)
                write_s.append(timed(lambda: store.write(one))[1])
                first[name].append(timed(lambda c=call: c(snapshot.graph()))[1])
        out[way] = {
            "start_s": round(start_s, 2),
            "write": percentiles(write_s),
            **{name: {"warm": percentiles(warm[name]),
                      "first_after_write": percentiles(first[name]),
                      "ratio_p50": round(percentiles(first[name])["p50_ms"]
                                         / percentiles(warm[name])["p50_ms"], 2)}
               for name in reads},
        }
        if isinstance(snapshot, Snapshot):
            out[way]["rebuilds"], out[way]["applies"] = snapshot.rebuilds, snapshot.applies
        store.close()
    inc, old = out["incremental"], out["rebuild_per_write"]
    out["speedup_first_read_after_write_p50"] = {
        name: round(old[name]["first_after_write"]["p50_ms"]
                    / inc[name]["first_after_write"]["p50_ms"], 1) for name in ("match",
                                                                                 "paths",
                                                                                 "actors")}
    out["target_met"] = {name: inc[name]["ratio_p50"] <= TARGETS[
        "first_read_after_write_vs_warm"] for name in ("match", "paths", "actors")}
    return out


# ---- the API under load -----------------------------------------------------------------------

def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _serve(db: Path, port: int, rebuild_every_write: bool, counts: Path) -> subprocess.Popen:
    """``graphsvc serve`` in a process of its own; with ``rebuild_every_write`` the snapshot
    rebuilds on every write (the old behaviour). On exit it writes its snapshot's rebuilds and
    applies to ``counts``."""
    code = ("import atexit, json, sys, graphsvc.snapshot as s\n"
            + ("s.FULL_REBUILD_ABOVE = -1\n" if rebuild_every_write else "")
            + "made = []\nbuilt = s.Snapshot.__init__\n"
            "def init(self, *a, **k):\n    built(self, *a, **k)\n    made.append(self)\n"
            "s.Snapshot.__init__ = init\n"
            f"atexit.register(lambda: open({str(counts)!r}, 'w').write(json.dumps("
            "[{'rebuilds': x.rebuilds, 'applies': x.applies} for x in made])))\n"
            "from graphsvc.cli import main\nsys.exit(main(sys.argv[1:]))\n")
    env = {**os.environ, "GRAPHSVC_STORE": f"sqlite:///{db}"}
    proc = subprocess.Popen([sys.executable, "-c", code, "serve", "--port", str(port)],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 120
    while time.time() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            conn.request("GET", "/actors?limit=1")
            if conn.getresponse().status == 200:
                conn.close()
                return proc
        except OSError:
            time.sleep(0.3)
    proc.kill()
    raise RuntimeError("graphsvc serve did not answer within 120 s")


def _phase(port: int, paths: list[str], readers: int, seconds: float, write_every: float | None,
           G: nx.MultiDiGraph, tag: str) -> dict:
    stop = time.perf_counter() + seconds
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()

    def reader(k: int) -> None:
        rng = random.Random(k)
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
        mine = []
        while time.perf_counter() < stop:
            path = rng.choice(paths)
            started = time.perf_counter()
            try:
                conn.request("GET", path)
                resp = conn.getresponse()
                resp.read()
                ok = resp.status == 200
            except OSError:
                ok = False
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
            if ok:
                mine.append(time.perf_counter() - started)
            else:
                with lock:
                    errors[0] += 1
        with lock:
            latencies.extend(mine)

    write_s: list[float] = []

    def writer() -> None:
        rng = random.Random(99)
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
        i = 0
        while time.perf_counter() < stop - 0.5:
            started = time.perf_counter()
            body = one_actor(i, G, rng).model_dump_json(exclude_none=True).encode()
            conn.request("POST", "/actors", body=body,
                         headers={"Content-Type": "application/json"})
            resp = conn.getresponse()
            resp.read()
            if resp.status >= 300:
                raise RuntimeError(f"POST /actors answered {resp.status}")
            write_s.append(time.perf_counter() - started)
            i += 1
            time.sleep(max(0.0, write_every - (time.perf_counter() - started)))

    threads = [threading.Thread(target=reader, args=(k,)) for k in range(readers)]
    if write_every:
        threads.append(threading.Thread(target=writer))
    begun = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    took = time.perf_counter() - begun
    out = {"reads": percentiles(latencies), "reads_per_s": round(len(latencies) / took, 1),
           "errors": errors[0]}
    if write_every:
        out["writes"] = percentiles(write_s) if write_s else {"n": 0}
    print(f"  {tag}: {out}", file=sys.stderr, flush=True)
    return out


def under_load(n: int, readers: int, seconds: float, workdir: Path) -> dict:
    batch = generate_community(n, seed=1)
    G = SQLiteStore(":memory:")
    G.write(batch)
    graph = G.to_networkx()
    G.close()
    rng = random.Random(3)
    cats = load_taxonomy().leaves()
    districts = sorted({d["district"] for _n, d in graph.nodes(data=True) if d.get("district")})
    paths = [f"/match?{urllib.parse.urlencode({'category': rng.choice(cats), 'district': d})}"
             for d in districts for _ in range(3)]
    paths += [f"/actors?kind={k}&limit=20" for k in ("association", "institution")]
    out: dict = {"actors": n, "readers": readers, "seconds_per_phase": seconds,
                 "read_mix": "/match (category, district) and /actors?kind= (limit 20)"}
    for way, rebuild in (("incremental", False), ("rebuild_per_write", True)):
        db = workdir / f"serve-{way}.db"
        store = SQLiteStore(db)
        store.write(batch)
        store.close()
        port = _free_port()
        counts = workdir / f"serve-{way}.json"
        proc = _serve(db, port, rebuild, counts)
        try:
            for path in paths:  # the first request of each kind builds what it memoises
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
                conn.request("GET", path)
                conn.getresponse().read()
            quiet = _phase(port, paths, readers, seconds, None, graph, f"{way}, no writes")
            busy = _phase(port, paths, readers, seconds, 1.0, graph, f"{way}, 1 write/s")
        finally:
            proc.send_signal(signal.SIGINT)  # as Ctrl-C: uvicorn stops, atexit runs
            proc.wait(60)
        out[way] = {"no_writes": quiet, "one_write_per_s": busy,
                    "p95_ratio": round(busy["reads"]["p95_ms"] / quiet["reads"]["p95_ms"], 2),
                    "snapshot": json.loads(counts.read_text()) if counts.exists() else None}
    out["target_met"] = out["incremental"]["p95_ratio"] <= TARGETS[
        "read_p95_with_writes_vs_without"]
    return out


# ---- the snapshot's start ---------------------------------------------------------------------

_START = """
import json, resource, sys, time
def rss_mb():
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS"):
            return int(line.split()[1]) / 1024
from graphsvc.snapshot import Snapshot
from graphsvc.store.sqlite import SQLiteStore
store = SQLiteStore(sys.argv[1])
before = rss_mb()
started = time.perf_counter()
G = Snapshot(store).graph() if sys.argv[2] == "snapshot" else store.to_networkx()
took = time.perf_counter() - started
print(json.dumps({"seconds": round(took, 2), "rss_mb": round(rss_mb()),
                  "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
                  "rss_before_mb": round(before), "nodes": G.number_of_nodes(),
                  "edges": G.number_of_edges()}))
"""


def start(n: int, workdir: Path) -> dict:
    """A new process's first snapshot of a store of ``n`` actors, against ``to_networkx``."""
    db = workdir / "start.db"
    store = SQLiteStore(db)
    store.write(generate_community(n, seed=1))
    store.close()
    out: dict = {"actors": n}
    for way in ("snapshot", "to_networkx"):
        done = subprocess.run([sys.executable, "-c", _START, str(db), way], check=True,
                              capture_output=True, text=True)
        out[way] = json.loads(done.stdout)
        print(f"  start, {way}: {out[way]}", file=sys.stderr, flush=True)
    new, old = out["snapshot"], out["to_networkx"]
    out["to_networkx_vs_snapshot"] = {"seconds": round(old["seconds"] / new["seconds"], 2),
                                      "rss": round(old["rss_mb"] / new["rss_mb"], 2)}
    out["target_met"] = {"start_s": new["seconds"] <= TARGETS["start_s"],
                         "start_rss_mb": new["rss_mb"] <= TARGETS["start_rss_mb"]}
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--actors", type=int, default=10_000)
    parser.add_argument("--writes", type=int, default=10, help="single-actor writes in process")
    parser.add_argument("--readers", type=int, default=50, help="concurrent API readers")
    parser.add_argument("--seconds", type=float, default=20, help="length of each load phase")
    parser.add_argument("--skip-load", action="store_true", help="skip the API under load")
    parser.add_argument("--skip-in-process", action="store_true",
                        help="measure only the API under load")
    parser.add_argument("--start-actors", type=int, default=100_000,
                        help="actors for the snapshot start measurement (0: skip it)")
    parser.add_argument("--out", default=str(Path(__file__).parent / "results" / "snapshot.json"))
    args = parser.parse_args(argv)
    report = {"benchmark": "graphsvc snapshot", "when": time.strftime("%Y-%m-%dT%H:%M:%S"),
              "python": platform.python_version(), "networkx": nx.__version__,
              "machine": platform.machine(), "cpus": os.cpu_count(), "targets": TARGETS}
    with tempfile.TemporaryDirectory() as tmp:
        if args.start_actors:
            print(f"snapshot start, {args.start_actors} actors …", file=sys.stderr, flush=True)
            report["start"] = start(args.start_actors, Path(tmp))
        if not args.skip_in_process:
            print(f"in process, {args.actors} actors …", file=sys.stderr, flush=True)
            report["in_process"] = in_process(args.actors, args.writes, Path(tmp))
        if not args.skip_load:
            print(f"API under load, {args.readers} readers …", file=sys.stderr, flush=True)
            report["api_under_load"] = under_load(args.actors, args.readers, args.seconds,
                                                  Path(tmp))
    write_report(report, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
