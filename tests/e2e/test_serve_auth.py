"""Keys and sign-in as a municipality uses them: ``graphsvc keys create`` in one process,
``graphsvc serve --host 0.0.0.0`` in another, a browser-like client over real HTTP keeping the
session cookie, and ``graphsvc keys revoke`` from a third process taking effect at once."""

from __future__ import annotations

import http.cookiejar
import json
import os
import subprocess
import time
import urllib.error
import urllib.request

import pytest

from tests.e2e.test_cli import GRAPHSVC, free_port, run


def _env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("GRAPHSVC_")}


def _call(opener, method: str, url: str, body: dict | None = None,
          headers: dict[str, str] | None = None) -> tuple[int, dict, dict]:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method,
                                     headers={"Content-Type": "application/json",
                                              "Accept-Language": "en", **(headers or {})})
    try:
        with opener.open(request, timeout=10) as response:
            raw = response.read()
            return response.status, dict(response.headers), json.loads(raw) if raw else {}
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), json.loads(error.read() or b"{}")


def test_serve_beyond_localhost_with_keys_and_a_browser_session(tmp_path):
    run("demo", "--actors", "100", "--out", "out", cwd=tmp_path)
    refused = run("serve", "--host", "0.0.0.0", cwd=tmp_path, check=False)
    assert refused.returncode == 1 and "graphsvc keys create" in refused.stderr
    made = json.loads(run("keys", "create", "--name", "Kari (planlegger)", "--role", "editor",
                          "--json", cwd=tmp_path).stdout)
    key = made["key"]
    assert key.startswith("gsk_") and (tmp_path / "graphsvc-auth.db").exists()
    assert key.encode() not in (tmp_path / "graphsvc-auth.db").read_bytes()  # hashes only

    port = free_port()
    server = subprocess.Popen([*GRAPHSVC, "serve", "--host", "0.0.0.0", "--port", str(port)],
                              cwd=tmp_path, env={**_env(), "GRAPHSVC_LANG": "en"},
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        plain = urllib.request.build_opener()
        for _ in range(100):
            try:
                plain.open(f"{base}/health", timeout=2)
                break
            except OSError:
                time.sleep(0.1)
        else:
            pytest.fail("server did not start: " + server.stderr.read1().decode())
        status, _, body = _call(plain, "GET", f"{base}/actors?limit=1")
        assert status == 401 and body["error"]["code"] == "unauthorized"

        jar = http.cookiejar.CookieJar()
        browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        status, headers, session = _call(browser, "POST", f"{base}/session", {"key": key})
        assert status == 200 and session["role"] == "editor" and session["names"] is True
        cookie = headers["set-cookie"].lower()
        assert "httponly" in cookie and "samesite=strict" in cookie and "path=/" in cookie
        assert [c.name for c in jar] == ["graphsvc_session"]

        assert _call(browser, "GET", f"{base}/actors?limit=1")[0] == 200
        batch = {"actors": [{"id": "lag:http", "kind": "association", "name": "HTTP-laget"}]}
        status, _, body = _call(browser, "POST", f"{base}/actors", batch)
        assert status == 403 and body["error"]["code"] == "csrf_failed"
        status, _, body = _call(browser, "POST", f"{base}/actors", batch,
                                {"X-CSRF-Token": session["csrf_token"], "Origin": base})
        assert status == 200, body

        run("keys", "revoke", "Kari (planlegger)", cwd=tmp_path)  # another process
        assert _call(browser, "GET", f"{base}/actors?limit=1")[0] == 401
        assert _call(plain, "GET", f"{base}/actors?limit=1",
                     headers={"Authorization": f"Bearer {key}"})[0] == 401
    finally:
        server.terminate()
        server.wait(timeout=10)
        err = server.stderr.read().decode()
        server.stderr.close()
    warning = next(line for line in err.splitlines() if "warning" in line)
    assert "0.0.0.0" in warning and "API key" in warning

    log = json.loads(run("audit", "--json", "--limit", "100", cwd=tmp_path).stdout)["data"]
    said = [(e["who"], e["action"], e["status"]) for e in log]
    assert ("Kari (planlegger)", "sign_in", 200) in said
    assert ("Kari (planlegger)", "refused", 403) in said
    assert ("Kari (planlegger)", "write", 200) in said
    assert ("local", "key_revoke", None) in said and ("local", "key_create", None) in said
    assert (None, "refused", 401) in said
