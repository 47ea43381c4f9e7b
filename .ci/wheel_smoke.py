"""What `pip install .` installs must work: the wheel smoke test.

Builds the wheel from this checkout, installs it into a fresh virtual environment outside the
source tree, runs README command (a)'s main job (`graphsvc demo --serve`) from an empty
directory on a free port, and then

* calls every GET operation in `/openapi.json`, filling its parameters with values taken from
  the demo (ids, districts, categories, every value of an enum), and fails on any 5xx, on an
  error body that is not the one error shape, and on an operation that no call could answer
  with 2xx (the filler below would then be out of date);
* runs every CLI command with `--json` and fails on a non-zero exit, a traceback, or stdout
  that is not JSON.

Only the standard library is used, so any Python 3.11 can run it:
`python3 .ci/wheel_smoke.py` (from anywhere). It stops the server it started by itself.
"""

from __future__ import annotations

import itertools
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
START_TIMEOUT_S = 300
failures: list[str] = []


def log(message: str) -> None:
    print(f"wheel-smoke: {message}", flush=True)


def fail(message: str) -> None:
    failures.append(message)
    log(f"FAIL {message}")


def run(cmd: list[str], **kw) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, check=True, text=True, **kw)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def clean_env(extra: dict[str, str]) -> dict[str, str]:
    """The user's environment without anything that could point back into the checkout."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("GRAPHSVC_") and k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env.update(extra)
    return env


def get(base: str, path: str, params: list[tuple[str, str]] | None = None,
        timeout: float = 120) -> tuple[int, str, bytes]:
    url = base + urllib.parse.quote(path) + (
        "?" + urllib.parse.urlencode(params) if params else "")
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:
            return r.status, r.headers.get("content-type", ""), r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers.get("content-type", ""), e.read()


# ---- building and installing what a user gets ------------------------------------------------

def build_and_install(work: Path) -> Path:
    dist, venv = work / "dist", work / "venv"
    run([sys.executable, "-m", "venv", str(venv)])
    pip = str(venv / "bin" / "pip")
    # from a clean copy of the sources: a build/ folder left in the checkout would hide
    # package data missing from the wheel
    src = work / "src"
    src.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(REPO / name, src / name)
    for package in ("graphsvc", "loaders", "visualisations"):
        shutil.copytree(REPO / package, src / package,
                        ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info"))
    log("building the wheel (isolated build, as `pip install .` does)")
    run([pip, "wheel", "-q", "--no-deps", "-w", str(dist), str(src)], cwd=work)
    wheels = list(dist.glob("graphsvc-*.whl"))
    if len(wheels) != 1:
        raise SystemExit(f"wheel-smoke: expected one wheel in {dist}, found {wheels}")
    log(f"installing {wheels[0].name} into a fresh venv at {venv}")
    run([pip, "install", "-q", str(wheels[0])], cwd=work)
    where = run([str(venv / "bin" / "python"), "-c",
                 "import graphsvc, loaders, visualisations; print(graphsvc.__file__)"],
                cwd=work, capture_output=True, env=clean_env({})).stdout.strip()
    if not where.startswith(str(venv)):
        raise SystemExit(f"wheel-smoke: graphsvc imported from {where}, not from the wheel")
    return venv


# ---- the API sweep ----------------------------------------------------------------------------

def demo_values(base: str) -> dict[str, list[str]]:
    """Valid parameter values, taken from what the demo put in the store."""
    def data(path: str, **params) -> list[dict]:
        status, _, body = get(base, path, list(params.items()))
        if status != 200:
            raise SystemExit(f"wheel-smoke: GET {path} answered {status}: {body[:300]!r}")
        return json.loads(body)["data"]

    people = data("/actors", kind="individual", limit="200")
    groups = data("/actors", kind="association", limit="50")
    services = data("/actors", kind="institution", limit="5") + data(
        "/actors", kind="municipality", limit="1")
    initiatives = data("/initiatives", limit="5")
    businesses = data("/actors", kind="business", limit="5")
    person, group = people[0], groups[0]
    need = next(n for a in people for n in a.get("needs") or [])
    district = person["district"]
    age_band = next((a.get("age_band") for a in people if a.get("age_band")), "67+")
    return {
        "actor_id": [person["id"], group["id"]], "initiative_id": [initiatives[0]["id"]],
        "id": [person["id"]], "focus": [person["id"]], "source": [person["id"]],
        "from": [person["id"]], "seeker": [person["id"]], "actor": [person["id"]],
        "target": [group["id"]], "to": [group["id"]], "initiative": [initiatives[0]["id"]],
        "service": [services[0]["id"]], "need": [need["id"]],
        "district": [district], "category": ["help.transport"], "categories": ["help.transport"],
        "q": [group["name"][:4]], "kind": ["individual", "association"],
        "by": ["district"], "age_band": [age_band], "availability": ["kveld"],
        "capacity": ["2"], "lat": ["60.0"], "lon": ["5.3"], "limit": ["5"], "offset": ["0"],
        "k": ["3"], "top": ["5"], "alternatives": ["2"], "resolution": ["1.0"],
        "min_size": ["2"], "max_size": ["4"], "depth": ["2"], "aggregate": ["false"],
        "workshop": ["Smoke"],
        # businesses the CLI sweep merges (two) and keeps apart (two); no other call uses them
        "business": [b["id"] for b in businesses[-4:]],
    }


def enum_of(schema: dict) -> list[str] | None:
    if "enum" in schema:
        return [str(v) for v in schema["enum"]]
    for alt in schema.get("anyOf", []):
        if "enum" in alt:
            return [str(v) for v in alt["enum"]]
    items = schema.get("items")
    return enum_of(items) if isinstance(items, dict) else None


def check_error_shape(label: str, ctype: str, body: bytes) -> None:
    if "json" not in ctype:
        fail(f"{label}: error answered as {ctype or 'no content type'}, not the JSON error shape")
        return
    doc = json.loads(body)
    if set(doc) != {"error"} or not {"code", "message"} <= set(doc["error"]):
        fail(f"{label}: error body is not the one error shape: {body[:200]!r}")


def sweep_api(base: str) -> int:
    spec = json.loads(get(base, "/openapi.json")[2])
    values = demo_values(base)
    calls = 0
    for path, ops in sorted(spec["paths"].items()):
        op = ops.get("get")
        if not op:
            continue
        params = op.get("parameters", [])
        path_params = [p for p in params if p["in"] == "path"]
        query_params = [p for p in params if p["in"] == "query"]
        # every value of an enum path parameter (each view, each format), else the demo's value
        choices = []
        for p in path_params:
            options = enum_of(p["schema"]) or values.get(p["name"])
            if not options:
                fail(f"GET {path}: no demo value for path parameter {p['name']!r}; "
                     "add one to demo_values()")
                options = ["x"]
            choices.append([(p["name"], v) for v in options])
        unknown = [p["name"] for p in query_params
                   if p["name"] not in values and not enum_of(p["schema"])]
        if unknown:
            fail(f"GET {path}: no demo value for query parameter(s) {unknown}; "
                 "add them to demo_values()")
        ok = 0
        for combo in itertools.product(*choices) if choices else [()]:
            url_path = path
            for name, value in combo:
                url_path = url_path.replace("{" + name + "}", value)
            required = [(p["name"], (values.get(p["name"]) or enum_of(p["schema"]) or ["x"])[0])
                        for p in query_params if p.get("required")]
            everything = [(p["name"], (values.get(p["name"]) or enum_of(p["schema"]))[-1])
                          for p in query_params if p["name"] not in unknown]
            for query in (required, everything):
                status, ctype, body = get(base, url_path, query)
                calls += 1
                label = f"GET {url_path}?{urllib.parse.urlencode(query)} -> {status}"
                if status >= 500:
                    fail(f"{label}: {body[:300]!r}")
                elif status >= 400:
                    check_error_shape(label, ctype, body)
                else:
                    ok += 1
        if ok == 0:
            fail(f"GET {path}: no call answered 2xx; the demo values no longer fit it")
    return calls


# ---- the CLI sweep ----------------------------------------------------------------------------

def cli_arguments(venv: Path, run_dir: Path, values: dict[str, list[str]]) -> dict[str, list]:
    """Minimal valid arguments for each command; serve is exercised by `demo --serve` above."""
    package = run([str(venv / "bin" / "python"), "-c",
                   "import loaders, pathlib; print(pathlib.Path(loaders.__file__).parent)"],
                  capture_output=True, cwd=run_dir, env=clean_env({})).stdout.strip()
    template = f"{package}/templates/workshop_template.xlsx"
    districts = f"{package}/demo_districts/fjordvik.geojson"
    keep, other, apart_a, apart_b = values["business"]
    person, group = values["actor_id"]
    out = run_dir / "cli-out"
    out.mkdir(exist_ok=True)
    return {
        "demo": [["demo", "--actors", "200", "--store", "sqlite:///other.db",
                  "--out", str(out / "demo")]],
        "serve": None,
        "load": [["load", template]],
        "map": [["map", "-o", str(out / "network.html")],
                ["map", "ego", "--focus", person, "-o", str(out / "ego.html")],
                ["map", "path", "--from", person, "--to", group, "-o", str(out / "path.html")]],
        "print": [["print", "-o", str(out / "network.pdf")],
                  ["print", "gaps", "--paper", "A4", "-o", str(out / "gaps.png")],
                  ["print", "booklet", "-o", str(out / "booklet.pdf")]],
        "match": [["match", "help.transport"],
                  ["match", "help.transport", "--district", values["district"][0], "--lang", "en"]],
        "team": [["team", values["initiative"][0]]],
        "pairs": [["pairs"]],
        "gaps": [["gaps"], ["gaps", "--district", values["district"][0]]],
        "paths": [["paths", person], ["paths", person, group]],
        "brokers": [["brokers"]],
        "communities": [["communities"]],
        "profile": [["profile", person]],
        "list": [["list", "actors"], ["list", "initiatives"]],
        "coverage": [["coverage"], ["coverage", "--district", values["district"][0]]],
        "districts": [["districts", districts, "--kommune", "9901"]],
        "keep-apart": [["keep-apart", apart_a, apart_b]],
        "merge": [["merge", keep, other]],
        # Keys on another store's auth database: a key beside the served store would make the
        # server (still answering) require one.
        "keys": [["keys", "create", "--name", "smoke", "--role", "viewer",
                  "--store", "sqlite:///other.db"],
                 ["keys", "list", "--store", "sqlite:///other.db"],
                 ["keys", "revoke", "smoke", "--store", "sqlite:///other.db"]],
        "audit": [["audit", "--store", "sqlite:///other.db"]],
    }


def sweep_cli(venv: Path, run_dir: Path, values: dict[str, list[str]]) -> int:
    exe = str(venv / "bin" / "graphsvc")
    listed = run([str(venv / "bin" / "python"), "-c",
                  "from graphsvc.cli import commands; print(' '.join(commands()))"],
                 capture_output=True, cwd=run_dir, env=clean_env({})).stdout.split()
    table = cli_arguments(venv, run_dir, values)
    calls = 0
    for command in listed:
        if command not in table:
            fail(f"CLI command {command!r} has no smoke arguments; add it to cli_arguments()")
            continue
        for argv in table[command] or []:
            calls += 1
            p = subprocess.run([exe, *argv, "--json"], cwd=run_dir, text=True,
                               capture_output=True, env=clean_env({}), timeout=600)
            label = "graphsvc " + " ".join(argv) + " --json"
            if p.returncode != 0:
                fail(f"{label}: exit {p.returncode}: {p.stderr.strip()[-400:]}")
            if "Traceback" in p.stderr or "Traceback" in p.stdout:
                fail(f"{label}: a traceback reached the user:\n{p.stderr[-1500:]}")
            try:
                json.loads(p.stdout)
            except ValueError:
                fail(f"{label}: stdout is not JSON: {p.stdout[:200]!r}")
    return calls


# ---- the whole run ----------------------------------------------------------------------------

def main() -> int:
    started = time.monotonic()
    work = Path(tempfile.mkdtemp(prefix="graphsvc-wheel-smoke-"))
    server = None
    try:
        venv = build_and_install(work)
        run_dir = work / "empty"
        run_dir.mkdir()
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        log(f"README command (a)'s main job, from an empty directory, on port {port}")
        server = subprocess.Popen([str(venv / "bin" / "graphsvc"), "demo", "--serve"],
                                  cwd=run_dir, env=clean_env({"GRAPHSVC_PORT": str(port)}),
                                  stdout=open(work / "demo.out", "w"),
                                  stderr=open(work / "demo.err", "w"), start_new_session=True)
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            if server.poll() is not None:
                raise SystemExit("wheel-smoke: `graphsvc demo --serve` ended with exit "
                                 f"{server.returncode}:\n{(work / 'demo.err').read_text()[-3000:]}")
            try:
                if get(base, "/health", timeout=5)[0] == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise SystemExit("wheel-smoke: the server did not answer /health in time")
            time.sleep(1)
        if "Traceback" in (work / "demo.err").read_text():
            fail("`graphsvc demo --serve` printed a traceback")
        api_calls = sweep_api(base)
        log(f"API: {api_calls} calls")
        cli_calls = sweep_cli(venv, run_dir, demo_values(base))
        log(f"CLI: {cli_calls} commands")
    finally:
        if server is not None and server.poll() is None:
            os.killpg(server.pid, signal.SIGINT)
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
        if not failures and not os.environ.get("GRAPHSVC_SMOKE_KEEP"):
            shutil.rmtree(work, ignore_errors=True)
    elapsed = time.monotonic() - started
    if failures:
        log(f"{len(failures)} failure(s) in {elapsed:.0f} s (files kept in {work}):")
        for f in failures:
            print(f"  - {f}")
        return 1
    log(f"passed in {elapsed:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
