"""No traceback reaches a user: every command, fed a store it cannot use, says what failed in
one line on stderr and exits 1; ``--debug`` (before or after the command) adds the traceback and
``--json`` the one error shape on stdout."""

from __future__ import annotations

import json
import os
import socket
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from graphsvc.cli import commands
from graphsvc.store.sqlite import SQLiteStore

ROOT = Path(__file__).parents[2]

# The least each command needs to get as far as the store.
MINIMAL = {
    "demo": ["--actors", "100", "--out", "out"],
    "load": [str(ROOT / "loaders" / "templates" / "workshop_template.csv")],
    "districts": [str(ROOT / "loaders" / "demo_districts" / "fjordvik.geojson"), "--kommune",
                  "9901"],
    "serve": ["--port", "{port}"],
    "merge": ["demo:p000001", "demo:p000002"],
    "keep-apart": ["demo:p000001", "demo:p000002"],
    "list": ["actors"],
    "map": ["-o", "map.html"],
    "print": ["-o", "print.pdf"],
    "match": ["help.transport"],
    "team": ["demo:init001"],
    "pairs": [],
    "gaps": [],
    "paths": ["demo:p000001"],
    "brokers": [],
    "communities": [],
    "profile": ["demo:p000001"],
    "coverage": [],
    "keys": ["list"],
    "audit": [],
}

# Commands that keep to the auth database (keys, sessions, audit), not the graph store: the
# broken file is given to them as GRAPHSVC_AUTH_DB.
AUTH_COMMANDS = {"keys", "audit"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run(argv: list[str], cwd: Path, auth_db: str | None = None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GRAPHSVC_")}
    env["GRAPHSVC_LANG"] = "en"  # the English texts are checked here; bokmål in test_i18n
    if auth_db:
        env["GRAPHSVC_AUTH_DB"] = auth_db.removeprefix("sqlite:///")
    argv = [a.replace("{port}", str(free_port())) for a in argv]
    return subprocess.run([sys.executable, "-m", "graphsvc.cli", *argv], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module")
def garbage(tmp_path_factory) -> str:
    """A store file that is not a SQLite database at all."""
    path = tmp_path_factory.mktemp("broken") / "garbage.db"
    path.write_bytes(b"this is not a database\n" * 300)
    return f"sqlite:///{path}"


@pytest.fixture(scope="module")
def corrupt(tmp_path_factory, demo_batch) -> str:
    """A SQLite store whose header and revision read fine but whose tables are overwritten:
    the first read of the graph fails with ``sqlite3.DatabaseError``, an error graphsvc does
    not anticipate."""
    path = tmp_path_factory.mktemp("broken") / "corrupt.db"
    store = SQLiteStore(path)
    store.write(demo_batch)
    store.close()
    db = sqlite3.connect(path)
    keep = {1} | {r[0] for r in db.execute(
        "SELECT rootpage FROM sqlite_master WHERE tbl_name = 'meta'")}
    size, pages = (db.execute(f"PRAGMA {p}").fetchone()[0] for p in ("page_size", "page_count"))
    db.close()
    with open(path, "r+b") as f:
        for page in set(range(2, pages + 1)) - keep:
            f.seek((page - 1) * size)
            f.write(b"\xa5" * size)
    return f"sqlite:///{path}"


def test_every_command_has_minimal_arguments_here():
    assert set(MINIMAL) == set(commands())


def assert_one_line(result: subprocess.CompletedProcess, *, lines: int | None = 1) -> str:
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    errors = [line for line in result.stderr.splitlines() if line.startswith("graphsvc: error:")]
    assert len(errors) == 1, result.stderr
    if lines is not None:
        assert len(result.stderr.splitlines()) == lines, result.stderr
    return errors[0]


@pytest.mark.parametrize("command", commands())
def test_a_store_that_is_not_a_database(command, garbage, tmp_path):
    argv = [command, *MINIMAL[command]]
    auth = garbage if command in AUTH_COMMANDS else None
    line = assert_one_line(run(["--store", garbage, *argv], tmp_path, auth))
    assert "file is not a database" in line

    # --debug before the command, --json after it: the trace, and the error shape on stdout.
    debug = run(["--debug", *argv, "--store", garbage, "--json"], tmp_path, auth)
    assert debug.returncode == 1
    assert "Traceback (most recent call last)" in debug.stderr
    assert debug.stderr.rstrip().splitlines()[-1] == line
    body = json.loads(debug.stdout)
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "detail"}
    assert body["error"]["code"] == "store_unavailable"


# serve opens the store lazily and answers each request with the 500 error shape instead
# (tests/integration/test_api_errors.py).
# (The auth commands read no graph table: a file that is not a database is their case above.)
@pytest.mark.parametrize("command", [c for c in commands()
                                     if c != "serve" and c not in AUTH_COMMANDS])
def test_an_unexpected_error_is_one_line_too(command, corrupt, tmp_path):
    argv = [command, *MINIMAL[command]]
    # demo reports its progress on stderr before it fails; the error is still one line.
    result = run(["--store", corrupt, *argv], tmp_path)
    line = assert_one_line(result, lines=None if command == "demo" else 1)
    assert f"'graphsvc {command}' failed" in line
    assert "database disk image is malformed" in line and "--debug" in line


def test_an_unexpected_error_with_debug_and_json(corrupt, tmp_path):
    result = run(["gaps", "--debug", "--json", "--store", corrupt], tmp_path)
    assert result.returncode == 1
    assert "Traceback (most recent call last)" in result.stderr
    assert "sqlite3.DatabaseError: database disk image is malformed" in result.stderr
    error = json.loads(result.stdout)["error"]
    assert error["code"] == "internal_error"
    assert error["detail"] == {"exception": "DatabaseError"}
    assert "database disk image is malformed" in error["message"]


def test_a_neo4j_server_that_does_not_answer(tmp_path):
    env_port = free_port()  # nothing listens there
    env = {k: v for k, v in os.environ.items() if not k.startswith("GRAPHSVC_")}
    env["GRAPHSVC_NEO4J_PASSWORD"] = "secret"
    env["GRAPHSVC_LANG"] = "en"
    result = subprocess.run(
        [sys.executable, "-m", "graphsvc.cli", "gaps", "--store", f"neo4j://127.0.0.1:{env_port}"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    line = assert_one_line(result)  # the driver's own log line stays out of it
    assert f"127.0.0.1:{env_port}" in line
