"""Serving safely (issue 13.4 and the API side of 13.2): only the hosts it is meant to answer,
security headers on every answer, a loud line when ``serve`` opens to the network (and no
``.env`` file may open it), request bodies and uploads refused while they stream, clean answers
to hostile upload names, and imports one at a time."""

from __future__ import annotations

import asyncio
import concurrent.futures
import base64
import hashlib
import json
import re

import pytest
from fastapi.testclient import TestClient

from graphsvc.api import create_app
from graphsvc.api.deps import get_graph
from graphsvc.cli import main
from graphsvc.model import Actor, GraphBatch
from graphsvc.settings import Settings
from graphsvc.store.sqlite import SQLiteStore

MB = 2**20
SHEET = "navn;type;grend\nKari Nordmann;individual;Sentrum\n".encode()


@pytest.fixture
def store(tmp_path):
    store = SQLiteStore(tmp_path / "sec.db")
    store.write(GraphBatch(actors=[Actor(id="lag:1", kind="association", name="Fjordvik IL")]))
    yield store
    store.close()


def make_client(store, **settings) -> TestClient:
    app = create_app(Settings(store=store.url, **settings), store=store)
    return TestClient(app, headers={"Accept-Language": "en"}, raise_server_exceptions=False)


@pytest.fixture
def api(store):
    with make_client(store, max_body_mb=1, max_upload_mb=1) as client:
        yield client


def error_code(response) -> str:
    body = response.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "detail"}
    assert "\n" not in body["error"]["message"] and len(body["error"]["message"]) < 300
    return body["error"]["code"]


# ---- 1. allowed hosts -----------------------------------------------------------------------

def test_a_request_naming_another_host_is_refused_and_erases_nothing(api):
    refused = api.delete("/actors/lag:1", headers={"Host": "attacker.example"})
    assert refused.status_code == 400
    assert error_code(refused) == "host_not_allowed"
    assert "attacker.example" in refused.json()["error"]["message"]
    assert "GRAPHSVC_ALLOWED_HOSTS" in refused.json()["error"]["message"]
    assert api.get("/actors/lag:1", headers={"Host": "localhost:8000"}).status_code == 200
    assert api.get("/health", headers={"Host": "[::1]:8000"}).status_code == 200
    assert api.get("/health", headers={"Host": "127.0.0.1"}).status_code == 200


def test_a_page_of_another_site_cannot_post_a_file_here(api, store):
    """A form on any web page can post multipart to 127.0.0.1 without a CORS preflight."""
    sheet = {"file": ("a.csv", SHEET, "text/csv")}
    refused = api.post("/imports", files=sheet, headers={"Origin": "https://evil.example"})
    assert refused.status_code == 403
    assert error_code(refused) == "origin_not_allowed"
    assert api.post("/imports", files=sheet, headers={"Origin": "null"}).status_code == 403
    # another program on this machine is another site (with no keys nobody signs in here)
    other_port = api.post("/imports", files=sheet, headers={"Origin": "http://localhost:3000"})
    assert other_port.status_code == 403 and error_code(other_port) == "origin_not_allowed"
    assert api.post("/imports", files=sheet,
                    headers={"Origin": "http://127.0.0.1:8000"}).status_code == 403
    assert store.revision() == 1
    # The API's own pages (Swagger UI's "Try it out") and clients without Origin still write.
    assert api.get("/health", headers={"Origin": "https://evil.example"}).status_code == 200
    assert api.post("/imports", files=sheet, headers={
        "Origin": "http://localhost:8000", "Host": "localhost:8000"}).status_code == 200
    assert api.post("/imports", files=sheet).status_code == 200


def test_allowed_hosts_setting_adds_names_and_subdomains(store, monkeypatch):
    monkeypatch.setenv("GRAPHSVC_ALLOWED_HOSTS", "kart.fjordvik.kommune.no, *.intern.no")
    with TestClient(create_app(Settings(store=store.url), store=store)) as client:
        assert client.get("/health", headers={"Host": "kart.fjordvik.kommune.no"}).status_code \
            == 200
        assert client.get("/health", headers={"Host": "a.intern.no:8000"}).status_code == 200
        assert client.get("/health", headers={"Host": "intern.no.evil.example"}).status_code \
            == 400
        assert client.get("/health", headers={"Host": "fjordvik.kommune.no"}).status_code == 400


def test_the_host_serve_binds_to_is_answered(store):
    with TestClient(create_app(Settings(store=store.url, host="10.0.0.7"), store=store)) as c:
        assert c.get("/health", headers={"Host": "10.0.0.7:8000"}).status_code == 200
        assert c.get("/health", headers={"Host": "10.0.0.8:8000"}).status_code == 400


# ---- 2. security headers --------------------------------------------------------------------

def assert_hardened(response) -> str:
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "no-referrer"
    assert response.headers["x-frame-options"] == "DENY"
    csp = response.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in csp
    return csp


def test_every_kind_of_answer_carries_the_security_headers(api, store):
    for response in (api.get("/health"), api.get("/actors/nobody"), api.get("/no/such/route"),
                     api.put("/health"), api.post("/actors", content=b"x" * (2 * MB)),
                     api.get("/health", headers={"Host": "attacker.example"})):
        csp = assert_hardened(response)
        assert csp.startswith("default-src 'none'"), (response.status_code, csp)
    api.app.dependency_overrides[get_graph] = lambda: 1 / 0  # a bug: 500
    broken = api.get("/coverage")
    assert broken.status_code == 500
    assert "default-src 'none'" in assert_hardened(broken)


def inline_script_hashes(html: str) -> set[str]:
    return {"'sha256-" + base64.b64encode(hashlib.sha256(s.encode()).digest()).decode() + "'"
            for s in re.findall(r"<script>(.*?)</script>", html, re.S)}


def test_the_map_sends_its_own_policy_as_a_header(api):
    page = api.get("/maps/network.html")
    assert page.status_code == 200
    csp = assert_hardened(page)
    meta = re.search(r'http-equiv="Content-Security-Policy" content="([^"]*)"', page.text)
    assert meta, "the saved file keeps its meta policy"
    hashes = inline_script_hashes(page.text)
    assert hashes and all(h in csp for h in hashes)  # the map's scripts still run
    assert "'unsafe-inline'" not in csp.split("script-src")[1].split(";")[0]
    assert "connect-src" not in csp  # default-src 'none': it fetches nothing


@pytest.mark.parametrize("path", ["/docs", "/redoc", "/docs/oauth2-redirect"])
def test_documentation_pages_allow_only_their_own_scripts(api, path):
    page = api.get(path)
    csp = assert_hardened(page)
    script_src = csp.split("script-src")[1].split(";")[0]
    assert "'self'" in script_src and "unsafe" not in script_src and "http" not in script_src
    assert all(h in script_src for h in inline_script_hashes(page.text))
    assert "connect-src 'self'" in csp


# ---- 3. serve: a loud line when it opens to the network ---------------------------------------

@pytest.fixture
def served(monkeypatch, tmp_path):
    """``graphsvc serve`` as a user runs it, in an empty working directory, with uvicorn
    replaced by a recorder: the options it would have served with."""
    import uvicorn

    runs: list[dict] = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: runs.append({"app": app, **kw}))
    monkeypatch.chdir(tmp_path)
    for name in ("GRAPHSVC_HOST", "GRAPHSVC_ALLOW_REMOTE_WITHOUT_KEYS", "GRAPHSVC_ALLOWED_HOSTS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("GRAPHSVC_STORE", f"sqlite:///{tmp_path / 'serve.db'}")
    monkeypatch.setenv("GRAPHSVC_LANG", "en")
    return runs


def test_serve_on_localhost_says_nothing_loud(served, capsys):
    assert main(["serve"]) == 0
    assert served[0]["host"] == "127.0.0.1"
    assert "warning" not in capsys.readouterr().err.lower()


def test_serve_beyond_localhost_warns_and_names_where_each_setting_came_from(
        served, capsys, monkeypatch):
    monkeypatch.setenv("GRAPHSVC_ALLOW_REMOTE_WITHOUT_KEYS", "true")
    assert main(["serve", "--host", "0.0.0.0"]) == 0
    err = capsys.readouterr().err
    warning = next(line for line in err.splitlines() if "warning" in line)
    assert "0.0.0.0" in warning and "no API keys" in warning
    assert "GRAPHSVC_HOST from command-line flag --host" in warning
    assert ("GRAPHSVC_ALLOW_REMOTE_WITHOUT_KEYS from environment variable "
            "GRAPHSVC_ALLOW_REMOTE_WITHOUT_KEYS") in warning
    assert served[0]["host"] == "0.0.0.0"

    monkeypatch.delenv("GRAPHSVC_ALLOW_REMOTE_WITHOUT_KEYS")
    monkeypatch.setenv("GRAPHSVC_HOST", "0.0.0.0")
    assert main(["serve", "--allow-remote-without-keys"]) == 0
    warning = next(line for line in capsys.readouterr().err.splitlines() if "warning" in line)
    assert "GRAPHSVC_HOST from environment variable GRAPHSVC_HOST" in warning
    assert "from command-line flag --allow-remote-without-keys" in warning


def test_serve_beyond_localhost_without_the_setting_is_refused(served, capsys):
    assert main(["serve", "--host", "0.0.0.0"]) == 1
    assert "GRAPHSVC_ALLOW_REMOTE_WITHOUT_KEYS=true" in capsys.readouterr().err
    assert served == []


def test_a_dotenv_file_cannot_open_the_server(served, capsys, tmp_path):
    (tmp_path / ".env").write_text("GRAPHSVC_HOST=0.0.0.0\n"
                                   "GRAPHSVC_ALLOW_REMOTE_WITHOUT_KEYS=true\n")
    assert main(["serve"]) == 1
    err = capsys.readouterr().err
    assert str(tmp_path / ".env") in err and "GRAPHSVC_ALLOW_REMOTE_WITHOUT_KEYS" in err
    assert len(err.strip().splitlines()) == 1
    assert served == []


def test_a_host_from_dotenv_is_named_as_such(served, capsys, tmp_path, monkeypatch):
    (tmp_path / ".env").write_text("GRAPHSVC_HOST=0.0.0.0\n")
    monkeypatch.setenv("GRAPHSVC_ALLOW_REMOTE_WITHOUT_KEYS", "1")
    assert main(["serve"]) == 0
    warning = next(line for line in capsys.readouterr().err.splitlines() if "warning" in line)
    assert f"GRAPHSVC_HOST from .env file at {tmp_path / '.env'}" in warning


# ---- 4. bounded bodies and uploads ----------------------------------------------------------

def call_asgi(app, method: str, path: str, headers: dict[str, str], chunks, *,
              declared: int | None = None) -> tuple[int, dict, int]:
    """One request straight into the ASGI app, its body pulled chunk by chunk from ``chunks``
    (a generator, so nothing is built in advance): (status, JSON body, chunks pulled)."""
    pulled = 0
    sent: list[dict] = []
    chunks = iter(chunks)
    raw = [(k.lower().encode(), v.encode()) for k, v in headers.items()]
    raw.append((b"host", b"127.0.0.1:8000"))
    if declared is not None:
        raw.append((b"content-length", str(declared).encode()))

    async def receive():
        nonlocal pulled
        chunk = next(chunks, None)
        if chunk is None:
            return {"type": "http.request", "body": b"", "more_body": False}
        pulled += 1
        return {"type": "http.request", "body": chunk, "more_body": True}

    async def send(message):
        sent.append(message)

    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1",
             "method": method, "scheme": "http", "path": path, "raw_path": path.encode(),
             "query_string": b"", "root_path": "", "headers": raw,
             "client": ("127.0.0.1", 50000), "server": ("127.0.0.1", 8000)}
    # In a thread of its own: Playwright's sync API (the browser tests, earlier in the run)
    # keeps an event loop running in this one, and asyncio.run refuses to nest.
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, app(scope, receive, send)).result()
    start = next(m for m in sent if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return start["status"], json.loads(body), pulled


def megabytes(n: int, first: bytes = b""):
    yield first + b" " * (MB - len(first))
    for _ in range(n - 1):
        yield b" " * MB


def test_a_200_mb_json_body_is_refused_without_being_read(api):
    app = api.app
    headers = {"content-type": "application/json"}
    status, body, pulled = call_asgi(app, "POST", "/actors", headers, megabytes(200),
                                     declared=200 * MB)
    assert (status, body["error"]["code"], pulled) == (413, "payload_too_large", 0)
    assert "GRAPHSVC_MAX_BODY_MB" in body["error"]["message"]
    # Sent without a length (chunked): refused as soon as it passes 1 MB.
    status, body, pulled = call_asgi(app, "POST", "/actors", headers, megabytes(200))
    assert (status, body["error"]["code"]) == (413, "payload_too_large")
    assert pulled <= 2


def multipart(name: str, data_mb: int = 0, content: bytes = SHEET):
    """A multipart upload of one file, generated as it is sent."""
    head = (b'--b0undary\r\nContent-Disposition: form-data; name="file"; filename="'
            + name.encode("utf-8") + b'"\r\nContent-Type: text/csv\r\n\r\n' + content)
    if data_mb:
        yield from megabytes(data_mb, head)
    else:
        yield head
    yield b"\r\n--b0undary--\r\n"


UPLOAD = {"content-type": "multipart/form-data; boundary=b0undary"}


@pytest.mark.parametrize("path", ["/imports", "/districts"])
def test_a_200_mb_upload_is_refused_while_it_streams(api, path, store, tmp_path, monkeypatch):
    import tempfile

    spool = tmp_path / "spool"
    spool.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(spool))
    status, body, pulled = call_asgi(api.app, "POST", path, UPLOAD, multipart("big.csv", 200))
    assert (status, body["error"]["code"]) == (413, "payload_too_large")
    assert "GRAPHSVC_MAX_UPLOAD_MB" in body["error"]["message"]
    assert pulled <= 2  # of 200 MB, at most the limit (1 MB here) was ever read
    assert sum(f.stat().st_size for f in spool.rglob("*") if f.is_file()) <= 2 * MB
    assert store.revision() == 1


@pytest.mark.parametrize("name", ["..", ".", "a\x00b.csv", "x" * 300 + ".csv", "mappe/..",
                                  "a\nb.csv"])
def test_hostile_upload_names_are_a_clean_422(api, store, name):
    status, body, _ = call_asgi(api.app, "POST", "/imports", UPLOAD, multipart(name))
    assert status == 422, body
    assert body["error"]["code"] == "invalid_input"
    message = body["error"]["message"]
    assert "\x00" not in message and "\n" not in message and len(message) < 200
    assert store.revision() == 1


def test_an_upload_with_a_plain_name_still_loads(api, store):
    response = api.post("/imports", files={"file": ("frivillige 2024.csv", SHEET, "text/csv")})
    assert response.status_code == 200, response.text
    assert response.json()["files"][0]["file"] == "frivillige 2024.csv"
    assert store.revision() == 2


def test_a_second_import_while_one_runs_is_told_to_retry(api, store):
    slots = api.app.state.import_slots
    assert slots.acquire(blocking=False)  # an import is running
    try:
        busy = api.post("/imports", files={"file": ("a.csv", SHEET, "text/csv")})
        assert busy.status_code == 503
        assert error_code(busy) == "import_busy"
        assert int(busy.headers["retry-after"]) > 0
        assert api.post("/districts", params={"kommune": "0301"},
                        files={"files": ("d.csv", b"postnummer;grend\n0150;Sentrum\n",
                                         "text/csv")}).status_code == 503
        assert store.revision() == 1
    finally:
        slots.release()
    assert api.post("/imports", files={"file": ("a.csv", SHEET, "text/csv")}).status_code == 200
