"""Peak memory of importing a generated 600 000-row Enhetsregisteret CSV into SQLite (issue 13:
target < 500 MB), through ``loaders.importer.import_files`` and through ``POST /imports`` on a
served app on 127.0.0.1.

    python benchmarks/bench_import_memory.py [--rows 600000] [--modes national,one-kommune,api]
                                             [--out benchmarks/results/import_memory.json]

The files are FICTIONAL entities in the 54-column bulk format (``bench_loaders.generate_csv``):

- ``national``: spread over 356 kommuner, loaded with ``kommuner=["0399"]`` as a planner loads
  the national file for one kommune (a million rows read, the kommune's few kept).
- ``national-all``: the same file with no kommune filter: about two thirds of the rows are
  associations and institutions to keep (about 400 000). Before the bulk write this stopped at
  ``Limits.max_records`` (100 000), writing nothing; now it writes them all in chunks.
- ``one-kommune``: every row in one kommune (a worst case no real kommune reaches), loaded with
  ``max_records`` at 1 000 000: an import that keeps 400 000 records.
- ``api``: the national file gzipped, uploaded to ``POST /imports?kommune=0399`` of
  ``graphsvc serve`` on 127.0.0.1 (its own store); the server process's peak RSS (VmHWM).
- ``api-all``: the same upload without ``kommune``: 400 000 records written (before: a 422 at
  ``max_records``).
- ``api-json``: the same entities in the bulk JSON format (a gzip array of nested objects, as
  Brønnøysund publishes ``enheter_alle.json.gz``), uploaded without ``kommune``.

Every mode also reports the actors the store holds afterwards (``actors_stored``), so a figure
is one of an import that wrote its records.

Each mode runs in its own process (its ``ru_maxrss`` is its own). ``--python`` and
``--pythonpath`` run the children with another interpreter or source tree, to measure a
version from before a change.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import platform
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if not os.environ.get("PYTHONPATH"):  # else the children measure the tree it names
    sys.path.insert(0, str(ROOT))
sys.path.insert(1, str(ROOT / "benchmarks"))

from _common import write_report  # noqa: E402

TARGET = "0399"


def child(mode: str, csv_path: str, db: str) -> None:
    import resource

    from graphsvc.errors import GraphsvcError
    from graphsvc.store.sqlite import SQLiteStore
    from loaders.importer import import_files

    store = SQLiteStore(db)
    kwargs: dict = {"kommuner": [TARGET]} if mode == "national" else {}
    if mode == "one-kommune":
        try:
            from loaders.streams import Limits
            kwargs["limits"] = Limits(max_records=1_000_000)
        except ImportError:  # a version from before the limits
            pass
    started = time.perf_counter()
    out: dict = {}
    try:
        report = import_files(store, [csv_path], **kwargs)
        out.update(rows=report["rows_read"], actors=report["actors"]["created"])
    except GraphsvcError as exc:
        out.update(failed=exc.message, actors_stored=store.counts().get("actors", 0))
    seconds = time.perf_counter() - started
    out.setdefault("actors_stored", store.counts().get("actors", 0))
    store.close()
    out.update(seconds=round(seconds, 1),
               peak_rss_mb=round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1))
    print(json.dumps(out))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _hwm_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024, 1)
    return 0.0


def api(python: str, env: dict, gz_path: Path, tmp: Path, query: str, mode: str,
        upload_name: str = "enheter.csv.gz") -> dict:
    port = _free_port()
    db = tmp / f"{mode}.db"
    env = {**env, "GRAPHSVC_STORE": f"sqlite:///{db}", "GRAPHSVC_MAX_UPLOAD_MB": "2000"}
    server = subprocess.Popen([python, "-m", "graphsvc.cli", "serve", "--port", str(port)],
                              cwd=tmp, env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE, text=True)
    try:
        for _ in range(1200):  # a loaded machine may take a minute to start it
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                if server.poll() is not None:
                    raise RuntimeError(f"graphsvc serve stopped: {server.stderr.read()[-500:]}")
                time.sleep(0.1)
        idle = _hwm_mb(server.pid)
        started = time.perf_counter()
        done = subprocess.run(
            ["curl", "-s", "-o", str(tmp / "answer.json"), "-w", "%{http_code}",
             "-F", f"file=@{gz_path};filename={upload_name}",
             f"http://127.0.0.1:{port}/imports{query}"],
            capture_output=True, text=True, timeout=3600)
        seconds = time.perf_counter() - started
        peak = _hwm_mb(server.pid)
        answer = json.loads((tmp / "answer.json").read_text() or "{}")
        message = (answer.get("error") or {}).get("message")
        return {"status": int(done.stdout or 0), "seconds": round(seconds, 1),
                **({"message": message} if message else {}),
                "server_idle_rss_mb": idle, "server_peak_rss_mb": peak,
                "rows": answer.get("rows_read"),
                "actors": (answer.get("actors") or {}).get("created"),
                "upload_mb": round(gz_path.stat().st_size / 2**20, 1),
                "actors_stored": _stored(db)}
    finally:
        server.terminate()
        server.wait(timeout=30)


def _stored(db: Path) -> int:
    import sqlite3

    with sqlite3.connect(db) as con:
        return con.execute("SELECT count(*) FROM actors").fetchone()[0]


def to_bulk_json(csv_path: Path, out: Path) -> None:
    """The CSV's entities as Brønnøysund's bulk JSON: a gzip array of nested objects
    (``forretningsadresse.kommunenummer`` → ``{"forretningsadresse": {"kommunenummer": …}}``)."""
    import csv

    with csv_path.open(newline="", encoding="utf-8") as src, gzip.open(out, "wt",
                                                                     encoding="utf-8") as dst:
        dst.write("[")
        for n, row in enumerate(csv.DictReader(src)):
            entity: dict = {}
            for key, value in row.items():
                if not value:
                    continue
                *parents, leaf = key.split(".")
                at = entity
                for part in parents:
                    at = at.setdefault(part, {})
                at[leaf] = value.split("/n") if leaf == "adresse" else value
            dst.write(("," if n else "") + json.dumps(entity, ensure_ascii=False) + "\n")
        dst.write("]")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=600_000)
    ap.add_argument("--modes",
                    default="national,national-all,one-kommune,api,api-all,api-json")
    ap.add_argument("--python", default=sys.executable)
    ap.add_argument("--pythonpath", default=None, help="source tree for the children")
    ap.add_argument("--out", default="benchmarks/results/import_memory.json")
    ap.add_argument("--child", nargs=3, metavar=("MODE", "CSV", "DB"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child(*args.child)
        return
    from bench_loaders import generate_csv

    env = dict(os.environ)
    if args.pythonpath:
        env["PYTHONPATH"] = args.pythonpath
    modes = args.modes.split(",")
    runs: dict = {}
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        national, one = tmp / "national.csv", tmp / "one-kommune.csv"
        generate_csv(national, args.rows)
        if "one-kommune" in modes:
            generate_csv(one, args.rows, kommune=TARGET)
        script = str(Path(args.pythonpath or ROOT) / "benchmarks" / "bench_import_memory.py")
        if not Path(script).exists():
            script = __file__
        for mode in modes:
            print(f"{mode} …", file=sys.stderr, flush=True)
            if mode == "api-json":
                gz = tmp / "national.json.gz"
                if not gz.exists():
                    to_bulk_json(national, gz)
                runs[mode] = api(args.python, env, gz, tmp, "", mode, "enheter.json.gz")
                continue
            if mode.startswith("api"):
                gz = tmp / "national.csv.gz"
                if not gz.exists():
                    with national.open("rb") as src, gzip.open(gz, "wb") as dst:
                        shutil.copyfileobj(src, dst)
                runs[mode] = api(args.python, env, gz, tmp,
                                 f"?kommune={TARGET}" if mode == "api" else "", mode)
                continue
            path = one if mode == "one-kommune" else national
            done = subprocess.run([args.python, script, "--child", mode, str(path),
                                   str(tmp / f"{mode}.db")], env=env, capture_output=True,
                                  text=True, cwd=tmp)
            if done.returncode:
                runs[mode] = {"error": done.stderr.strip().splitlines()[-1:]}
                continue
            runs[mode] = json.loads(done.stdout.strip().splitlines()[-1])
        runs["file_mb"] = round(national.stat().st_size / 2**20, 1)
    write_report({"benchmark": "import_memory", "rows": args.rows, "target_mb": 500,
                  "python": platform.python_version(), "source": args.pythonpath or str(ROOT),
                  "runs": runs}, args.out)


if __name__ == "__main__":
    main()
