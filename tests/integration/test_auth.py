"""Sign-in and roles (issue 12, parts 2 and 3), on a real SQLite store and auth database.

Every route of the app (taken from ``app.routes``, so a new route is covered without a change
here) is called with no key, a wrong key, a revoked key and a key of each role: a viewer cannot
write, see names or erase; a planner sees names; an editor writes but cannot erase, export or
read the audit log; wrong and revoked keys get 401. A write with the session cookie from
another page, or without its CSRF token, is refused; the audit log records each case."""

from __future__ import annotations

import html
import json
import re
import shutil
import tempfile
import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from starlette.routing import Mount

from graphsvc.api import create_app
from graphsvc.api.auth import iter_routes
from graphsvc.auth import AuthDB
from graphsvc.auth.keys import create_key, revoke_key
from graphsvc.cli import main
from graphsvc.settings import Settings
from graphsvc.store.sqlite import SQLiteStore
from loaders.demo import generate_community

ROLES = ("viewer", "planner", "editor", "admin")

# The contract (/tmp/prompts/auth_contract.md), written out again so that a change to the
# table in graphsvc/api/auth.py that breaks it fails here.
PUBLIC = {("GET", "/health"), ("GET", "/"), ("GET", "/session"), ("POST", "/session"),
          ("DELETE", "/session"), ("GET", "/docs"), ("GET", "/docs/oauth2-redirect"),
          ("GET", "/redoc"), ("GET", "/redoc/redoc.standalone.js"), ("GET", "/openapi.json"),
          ("GET", "/workbench/static/{name}"), ("GET", "/static-offline-docs/{path}")}
ADMIN = {("DELETE", "/actors/{actor_id}"), ("GET", "/actors/{actor_id}/export"),
         ("GET", "/audit")}

FOLDER = Path(tempfile.mkdtemp(prefix="graphsvc-auth-"))
STORE = SQLiteStore(FOLDER / "demo.db")
# GRAPHSVC_SHOW_NAMES=true on the server: with keys, the role alone decides who sees names.
APP = create_app(Settings(store=STORE.url, show_names=True, lang="en"), store=STORE)
BATCH = generate_community(100, seed=7)
PEOPLE = [a for a in BATCH.actors if a.kind == "individual"]
PERSON = PEOPLE[0].id
INITIATIVE = BATCH.initiatives[0].id


def contract_role(method: str, path: str) -> str | None:
    method = "GET" if method == "HEAD" else method
    if (method, path) in PUBLIC:
        return None
    if (method, path) in ADMIN or path.startswith(("/keys", "/audit")):
        return "admin"  # keys and the audit log, under whatever method a route takes
    return "viewer" if method == "GET" else "editor"


def app_routes() -> list[tuple[str, str]]:
    """Every (method, path) the app serves, HEAD aside (it is GET)."""
    found = set()
    for route in iter_routes(APP.router.routes):
        if isinstance(route, Mount):
            found.add(("GET", route.path + "/{path}"))
            continue
        for method in getattr(route, "methods", None) or ():
            if method != "HEAD":
                found.add((method, route.path_format))
    return sorted(found)


FILL = {"actor_id": PERSON, "initiative_id": INITIATIVE, "view": "network", "fmt": "svg",
        "name": "workbench.js", "path": "swagger-ui.css"}


def concrete(method: str, template: str) -> str:
    """A path to call: real ids for reads, ids nobody has for writes (no test erases the
    demo's people)."""
    values = dict(FILL) if method == "GET" else {**FILL, "actor_id": "demo:nobody"}
    return re.sub(r"\{(\w+)\}", lambda m: values.get(m.group(1), "x"), template)


@pytest.fixture(scope="module")
def keys():
    STORE.write(BATCH)
    made = {role: create_key(APP.state.auth, f"test-{role}", role)[0] for role in ROLES}
    gone, _ = create_key(APP.state.auth, "test-revoked", "admin")
    revoke_key(APP.state.auth, "test-revoked")
    made["revoked"] = gone
    made["wrong"] = made["admin"][:-4] + "AAAA"
    yield made
    STORE.close()
    shutil.rmtree(FOLDER, ignore_errors=True)


@pytest.fixture(scope="module")
def client(keys):
    with TestClient(APP, raise_server_exceptions=False) as c:
        yield c


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def audit(client, keys, **params) -> list[dict]:
    response = client.get("/audit", params={"limit": 1000, **params}, headers=bearer(keys["admin"]))
    assert response.status_code == 200
    return response.json()["data"]


# ---- 1. every route, every role ------------------------------------------------------------

def test_the_route_list_is_the_apps_own():
    routes = app_routes()
    assert ("DELETE", "/actors/{actor_id}") in routes and ("GET", "/session") in routes
    assert len(routes) > 30


@pytest.mark.parametrize(("method", "template"), app_routes(),
                         ids=[f"{m} {p}" for m, p in app_routes()])
def test_every_route_needs_its_role(client, keys, method, template):
    path = concrete(method, template)
    needs = contract_role(method, template)
    for who in ("nobody", "wrong", "revoked", *ROLES):
        headers = {} if who == "nobody" else bearer(keys[who])
        status = client.request(method, path, headers=headers).status_code
        if needs is None:
            assert status not in (401, 403), (who, status)
        elif who in ("nobody", "wrong", "revoked"):
            assert status == 401, (who, status)
        elif ROLES.index(who) < ROLES.index(needs):
            response = client.request(method, path, headers=headers)
            assert response.status_code == 403, (who, status)
            assert response.json()["error"] == {
                "code": "forbidden", "detail": {"needs": needs},
                "message": f"the role {who} may not do this; it needs the role {needs}"}
        else:
            assert status not in (401, 403), (who, status)


def test_every_write_is_closed_to_viewers_and_planners():
    writes = [(m, p) for m, p in app_routes() if m != "GET" and p != "/session"]
    assert writes and all(contract_role(m, p) in ("editor", "admin") for m, p in writes)


def test_a_key_route_added_later_is_for_admins_only():
    from starlette.routing import Route

    from graphsvc.api.auth import needed_role

    for method in ("GET", "POST", "DELETE"):
        assert needed_role(method, Route("/keys/{key_id}", lambda r: None,
                                         methods=[method])) == "admin"
    assert needed_role("POST", Route("/anything-new", lambda r: None,
                                     methods=["POST"])) == "editor"
    assert needed_role("GET", Route("/anything-new", lambda r: None)) == "viewer"


# ---- 2. names by role, in every answer -------------------------------------------------------

def _spellings(name: str) -> set[str]:
    return {name, html.escape(name), json.dumps(name)[1:-1], json.dumps(name, ensure_ascii=False)[1:-1]}


def _names_in(text: str) -> list[str]:
    return [p.name for p in PEOPLE if any(s in text for s in _spellings(p.name))]


READS = [("GET", p) for m, p in app_routes() if m == "GET" and contract_role(m, p) == "viewer"]
SHOWN = ["/actors?limit=1000", f"/actors/{PERSON}", "/maps/network.html",
         f"/maps/ego.html?focus={PERSON}", f"/initiatives/{INITIATIVE}",
         f"/paths?source={PERSON}", "/match?category=help.transport&limit=50", "/gaps",
         "/brokers?top=50", f"/actors/{PERSON}/social-capital", "/communities",
         f"/teams?initiative={INITIATIVE}", "/pairs?limit=100"]


@pytest.mark.parametrize("path", [concrete(m, p) for m, p in READS] + SHOWN)
def test_a_viewer_is_never_sent_an_individuals_name(client, keys, path):
    response = client.get(path, headers=bearer(keys["viewer"]))
    assert response.status_code not in (401, 403, 500)
    assert _names_in(response.text) == []


def test_a_planner_sees_names_where_a_viewer_sees_pseudonyms(client, keys):
    for path in ("/actors?limit=1000", "/maps/network.html", f"/actors/{PERSON}"):
        planner = client.get(path, headers=bearer(keys["planner"]))
        viewer = client.get(path, headers=bearer(keys["viewer"]))
        assert planner.status_code == viewer.status_code == 200
        assert _names_in(planner.text), path
        assert not _names_in(viewer.text), path
    one = client.get(f"/actors/{PERSON}", headers=bearer(keys["viewer"])).json()
    assert one["pseudonymised"] is True and one["name"].startswith("Person ")
    # Searching by a real name must not find the person for a viewer either.
    found = client.get("/actors", params={"q": PEOPLE[0].name},
                       headers=bearer(keys["viewer"])).json()
    assert PERSON not in [a["id"] for a in found["data"]]


# ---- 3. keys: wrong, revoked (also by another process), and the cache ----------------------

def test_wrong_and_revoked_keys_get_401_and_a_revoke_is_at_once(client, keys, tmp_path):
    assert client.get("/actors", headers=bearer(keys["wrong"])).status_code == 401
    assert client.get("/actors", headers=bearer("not-a-key")).status_code == 401
    assert client.get("/actors", headers={"Authorization": "Basic eDp5"}).status_code == 401
    key, row = create_key(APP.state.auth, "short-lived", "viewer")
    assert client.get("/actors", headers=bearer(key)).status_code == 200  # verified, cached
    # Revoked through a connection of its own, as `graphsvc keys revoke` in another process.
    other = AuthDB(APP.state.auth.path)
    revoke_key(other, row.id)
    other.close()
    refused = client.get("/actors", headers=bearer(key))
    assert refused.status_code == 401
    assert refused.json()["error"]["code"] == "unauthorized"
    assert refused.json()["error"]["message"] == "the API key is wrong or has been revoked"


def test_the_cli_revokes_a_key_the_server_uses(client, keys, monkeypatch, capsys):
    key, row = create_key(APP.state.auth, "cli-revoked", "planner")
    assert client.get("/actors", headers=bearer(key)).status_code == 200
    monkeypatch.setenv("GRAPHSVC_AUTH_DB", str(APP.state.auth.path))
    assert main(["keys", "revoke", "cli-revoked", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["active"] is False
    assert client.get("/actors", headers=bearer(key)).status_code == 401
    monkeypatch.setenv("GRAPHSVC_LANG", "en")
    assert main(["keys", "revoke", "cli-revoked"]) == 1  # not active any more
    assert "no active API key has the name or id 'cli-revoked'" in capsys.readouterr().err


# ---- 4. the browser: session cookie and CSRF ---------------------------------------------------

def sign_in(client, key: str):
    response = client.post("/session", json={"key": key})
    assert response.status_code == 200, response.text
    return response


def test_signing_in_sets_an_httponly_strict_cookie_and_gives_the_csrf_token(keys):
    with TestClient(APP, base_url="https://localhost") as browser:
        response = sign_in(browser, keys["planner"])
        cookie = response.headers["set-cookie"]
        assert cookie.startswith("graphsvc_session=")
        for attribute in ("HttpOnly", "Path=/", "SameSite=strict", "Secure"):
            assert attribute.lower() in cookie.lower(), attribute
        body = response.json()
        assert body == {"keys_required": True, "signed_in": True, "role": "planner",
                        "names": True, "who": "test-planner", "csrf_token": body["csrf_token"]}
        assert len(body["csrf_token"]) >= 32
        assert browser.get("/session").json() == body
        assert browser.get("/actors?limit=1").status_code == 200
        assert browser.delete("/session").status_code == 204
        assert browser.get("/session").json()["signed_in"] is False
        assert browser.get("/actors?limit=1").status_code == 401


def test_a_cross_origin_post_with_the_cookie_and_no_csrf_token_is_refused(keys):
    before = STORE.revision()
    batch = {"actors": [{"id": "lag:csrf", "kind": "association", "name": "CSRF-laget"}]}
    with TestClient(APP, base_url="http://localhost") as browser:
        token = sign_in(browser, keys["editor"]).json()["csrf_token"]
        cross = browser.post("/actors", json=batch, headers={"Origin": "https://evil.example"})
        assert cross.status_code == 403 and cross.json()["error"]["code"] == "origin_not_allowed"
        no_token = browser.post("/actors", json=batch)
        assert no_token.status_code == 403 and no_token.json()["error"]["code"] == "csrf_failed"
        wrong = browser.post("/actors", json=batch, headers={"X-CSRF-Token": "0" * 64})
        assert wrong.json()["error"]["code"] == "csrf_failed"
        sheet = {"file": ("a.csv", b"navn;type\nX;lag\n", "text/csv")}
        assert browser.post("/imports", files=sheet).json()["error"]["code"] == "csrf_failed"
        assert STORE.revision() == before
        ok = browser.post("/actors", json=batch,
                          headers={"X-CSRF-Token": token, "Origin": "http://localhost"})
        assert ok.status_code == 200
    assert STORE.revision() == before + 1
    # A Bearer client needs no CSRF token (a page cannot make the browser send the header).
    with TestClient(APP) as api:
        assert api.post("/actors", json=batch, headers=bearer(keys["editor"])).status_code == 200


def test_no_answer_grants_another_origin(client, keys):
    for response in (client.get("/actors", headers={**bearer(keys["viewer"]),
                                                    "Origin": "https://evil.example"}),
                     client.options("/actors", headers={"Origin": "https://evil.example",
                                                        "Access-Control-Request-Method": "POST"}),
                     client.post("/session", json={"key": keys["viewer"]},
                                 headers={"Origin": "https://evil.example"})):
        assert "access-control-allow-origin" not in response.headers


def test_a_session_ends_when_idle_and_when_its_key_is_revoked(tmp_path):
    store = SQLiteStore(tmp_path / "g.db")
    # 3 s idle: a sign-in costs an Argon2 check (up to a second on a busy machine), and the
    # first read must come well inside the idle time.
    app = create_app(Settings(store=store.url, session_idle_hours=3 / 3600), store=store)
    key, _ = create_key(app.state.auth, "idle", "viewer")
    with TestClient(app) as browser, TestClient(app) as other:
        sign_in(other, key)  # a browser that never comes back
        sign_in(browser, key)
        assert browser.get("/actors").status_code == 200
        time.sleep(3.5)
        assert browser.get("/actors").status_code == 401
        assert len(app.state.auth.rows("SELECT * FROM sessions")) == 1  # the other's
        sign_in(browser, key)  # a sign-in deletes the sessions that have ended
        assert len(app.state.auth.rows("SELECT * FROM sessions")) == 1
    app = create_app(Settings(store=store.url), store=store)
    with TestClient(app) as browser:
        sign_in(browser, key)
        assert browser.get("/actors").status_code == 200
        revoke_key(app.state.auth, "idle")
        assert browser.get("/actors").status_code == 401
        assert browser.get("/session").json()["signed_in"] is False
    store.close()


def test_sign_in_attempts_are_limited_per_address(tmp_path):
    store = SQLiteStore(tmp_path / "g.db")
    app = create_app(Settings(store=store.url, signin_attempts_per_minute=3, lang="en"),
                     store=store)
    key, _ = create_key(app.state.auth, "limited", "viewer")
    with TestClient(app) as browser:
        for i in range(3):  # three different wrong keys: each costs Argon2
            assert browser.post("/session", json={"key": key[:-3] + f"xy{i}"}).status_code == 401
        # The same wrong key again costs nothing and is not counted.
        assert browser.post("/session", json={"key": key[:-3] + "xy0"}).status_code == 401
        limited = browser.post("/session", json={"key": key})
        assert limited.status_code == 429
        assert limited.json()["error"]["code"] == "too_many_attempts"
        assert 1 <= int(limited.headers["retry-after"]) <= 60
        assert "too many sign-in attempts" in limited.json()["error"]["message"]
        log = [e for e in app.state.auth.rows("SELECT action, status FROM audit")]
    assert [(e["action"], e["status"]) for e in log].count(("sign_in_failed", 401)) == 4
    assert ("sign_in_failed", 429) in [(e["action"], e["status"]) for e in log]
    store.close()


# ---- 5. the audit log records each case -------------------------------------------------------

def test_the_audit_log_records_each_case(client, keys):
    client.get("/actors", headers=bearer(keys["wrong"]))
    client.delete(f"/actors/{PERSON}", headers=bearer(keys["editor"]))
    client.post("/actors", json={}, headers=bearer(keys["viewer"]))
    client.get(f"/actors/{PERSON}/export", headers=bearer(keys["admin"]))
    client.post("/actors", json={"actors": [{"id": "lag:audit", "kind": "association",
                                             "name": "Revisjonslaget"}]},
                headers=bearer(keys["editor"]))
    client.post("/session", json={"key": keys["wrong"]})
    with TestClient(APP, base_url="http://localhost") as browser:
        sign_in(browser, keys["editor"])
        browser.post("/actors", json={}, headers={"Origin": "https://evil.example"})
        browser.post("/actors", json={})
    log = audit(client, keys)
    said = {(e["who"], e["action"], e["method"], e["path"], e["status"]) for e in log}
    assert (None, "refused", "GET", "/actors", 401) in said
    assert ("test-editor", "refused", "DELETE", f"/actors/{PERSON}", 403) in said
    assert ("test-viewer", "refused", "POST", "/actors", 403) in said
    assert ("test-admin", "export", "GET", f"/actors/{PERSON}/export", 200) in said
    assert ("test-editor", "write", "POST", "/actors", 200) in said
    assert (None, "sign_in_failed", "POST", "/session", 401) in said
    assert ("test-editor", "sign_in", "POST", "/session", 200) in said
    refused_writes = [e for e in log if e["who"] == "test-editor" and e["status"] == 403
                      and e["path"] == "/actors"]
    assert len(refused_writes) >= 2  # the cross-origin one and the one without a token
    write = next(e for e in log if e["action"] == "write" and e["status"] == 200)
    assert write["revision"] == STORE.revision() or write["revision"] > 1
    assert set(write) == {"at", "who", "role", "action", "method", "path", "target", "status",
                          "revision"}
    erase = next(e for e in log if e["method"] == "DELETE")
    assert erase["target"] == PERSON
    client.post("/keep-apart", json={"a": "demo:f001", "b": "demo:f002"},
                headers=bearer(keys["editor"]))
    kept = next(e for e in audit(client, keys) if e["path"] == "/keep-apart")
    assert kept["target"] == "demo:f001,demo:f002" and kept["who"] == "test-editor"
    only = audit(client, keys, action="export")
    assert only and {e["action"] for e in only} == {"export"}


def test_a_stranger_looping_without_a_key_cannot_grow_the_log_without_bound(tmp_path):
    """Refusals of requests with no credential at all are written at most 30 a minute from one
    address; a wrong key is written every time."""
    store = SQLiteStore(tmp_path / "loop.db")
    app = create_app(Settings(store=store.url), store=store)
    key, _ = create_key(app.state.auth, "loop-admin", "admin")
    with TestClient(app, raise_server_exceptions=False) as stranger:
        for _ in range(100):
            assert stranger.get("/actors").status_code == 401
        for _ in range(40):
            assert stranger.get("/actors", headers=bearer("gsk_0000000000_nope")).status_code \
                == 401
    rows = app.state.auth.rows("SELECT who, status, action FROM audit WHERE action = 'refused'")
    assert len(rows) == 30 + 40
    store.close()


def test_only_admins_read_the_audit_log(client, keys):
    for role in ("viewer", "planner", "editor"):
        response = client.get("/audit", headers=bearer(keys[role]))
        assert response.status_code == 403
        assert response.json()["error"]["detail"] == {"needs": "admin"}


def test_the_cli_prints_the_audit_log(client, keys, monkeypatch, capsys):
    for _ in range(5):
        client.get("/actors", headers=bearer(keys["wrong"]))  # refused: a wrong key
    monkeypatch.setenv("GRAPHSVC_AUTH_DB", str(APP.state.auth.path))
    create_key(APP.state.auth, "cli-audit", "viewer")
    assert main(["keys", "revoke", "cli-audit"]) == 0
    capsys.readouterr()
    assert main(["audit", "--limit", "5", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)["data"]
    assert len(data) == 5 and data[0]["action"] == "key_revoke" and data[0]["who"] == "local"
    assert [e["status"] for e in data[1:]] == [401] * 4
    assert main(["audit", "--action", "key_revoke", "--lang", "en"]) == 0
    assert "key_revoke" in capsys.readouterr().out


# ---- 6. no keys: as before ------------------------------------------------------------------

def test_without_keys_everything_acts_locally_and_is_still_recorded(tmp_path):
    store = SQLiteStore(tmp_path / "g.db")
    store.write(BATCH)
    app = create_app(Settings(store=store.url, show_names=False), store=store)
    with TestClient(app) as local:
        assert local.get("/session").json() == {
            "keys_required": False, "signed_in": False, "role": "admin", "names": False,
            "who": None, "csrf_token": None}
        assert local.get("/actors?limit=1").status_code == 200
        assert local.delete(f"/actors/{PERSON}").status_code == 204
        log = local.get("/audit").json()["data"]
    assert log[0]["who"] == "local" and log[0]["action"] == "erase" and log[0]["status"] == 204
    assert (tmp_path / "g-auth.db").exists()
    assert store.revision() == 2  # the audit line did not touch the graph's revision
    store.close()


# ---- 7. every store: keys and the audit log never touch the graph's revision ------------------

def test_keys_sessions_and_audit_work_with_every_store_and_leave_its_revision(store, tmp_path):
    store.write(generate_community(100, seed=7))
    revision = store.revision()
    app = create_app(Settings(store=store.url or "sqlite:///x.db",
                              auth_db=str(tmp_path / "auth.db")), store=store)
    viewer, _ = create_key(app.state.auth, "viewer", "viewer")
    admin, _ = create_key(app.state.auth, "admin", "admin")
    with TestClient(app, base_url="http://localhost") as browser:
        assert browser.get("/actors?limit=5", headers=bearer(viewer)).status_code == 200
        assert browser.post("/actors", json={}, headers=bearer(viewer)).status_code == 403
        sign_in(browser, viewer)
        assert browser.delete("/session").status_code == 204
        log = browser.get("/audit", headers=bearer(admin)).json()["data"]
    assert {e["action"] for e in log} == {"refused", "sign_in", "sign_out"}
    assert all(e["revision"] == revision for e in log)
    assert store.revision() == revision


def test_require_keys_keeps_a_server_with_no_key_yet_closed(tmp_path):
    """GRAPHSVC_REQUIRE_KEYS (docker-compose sets it): with no key made yet, or a lost auth
    database, nobody gets in, instead of everyone acting with every right."""
    store = SQLiteStore(tmp_path / "closed.db")
    store.write(BATCH)
    app = create_app(Settings(store=store.url, require_keys=True, lang="en"), store=store)
    with TestClient(app, raise_server_exceptions=False) as stranger:
        assert stranger.get("/health").status_code == 200
        assert stranger.get("/session").json()["keys_required"] is True
        refused = stranger.get("/actors")
        assert refused.status_code == 401 and refused.json()["error"]["code"] == "unauthorized"
        assert stranger.delete(f"/actors/{PERSON}").status_code == 401
        key, _ = create_key(app.state.auth, "first-admin", "admin")
        assert stranger.get("/actors", headers=bearer(key)).status_code == 200
    assert store.get_actor(PERSON).id == PERSON
    store.close()
