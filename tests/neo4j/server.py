"""Build and run the Neo4j launcher in this folder: a real Neo4j Community for tests and benchmarks.

``start()`` runs ``mvn package`` when the launcher's sources changed (Maven's local repository
caches the jars), starts ``Neo4jLauncher`` and returns once Bolt answers. The launcher shuts
Neo4j down and deletes its data when its stdin closes (``Neo4jProcess.stop``) or when this
process dies, so a killed test run leaves no server behind.
"""

from __future__ import annotations

import fcntl
import os
import selectors
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
BUILD_TIMEOUT = 900.0  # a cold Maven repository downloads ~130 MB of jars
STARTUP_TIMEOUT = 180.0  # two shared cores and a cold JVM
# Auth is off in the launcher, so any credentials are accepted; the store insists on some.
USER, PASSWORD, DATABASE = "neo4j", "graphsvc-test", "neo4j"


class Unavailable(Exception):
    """This machine cannot run the launcher (no Java or no Maven)."""


class Failed(Exception):
    """The launcher could not be built or Neo4j did not start; the message says why."""


@dataclass
class Neo4jProcess:
    uri: str  # neo4j://127.0.0.1:PORT
    version: str  # e.g. 5.26.12
    proc: subprocess.Popen[str]
    startup_s: float

    def stop(self) -> None:
        """Close the launcher's stdin (it shuts Neo4j down and deletes the data) and wait."""
        if self.proc.stdin is not None:
            self.proc.stdin.close()
        try:
            self.proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        if self.proc.stdout is not None:
            self.proc.stdout.close()


def build() -> list[str]:
    """``mvn package`` the launcher if needed; the ``java`` command line that runs it."""
    java, mvn = shutil.which("java"), shutil.which("mvn")
    missing = [name for name, path in (("java", java), ("mvn", mvn)) if path is None]
    if java is None or mvn is None:
        raise Unavailable(f"Neo4j tests need Java and Maven on PATH (missing: {', '.join(missing)})")
    target = HERE / "target"
    target.mkdir(exist_ok=True)
    with open(target / "build.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # two test runs in one work tree build one at a time
        _build_if_changed(mvn, target)
    jars = (target / "classpath.txt").read_text().strip()
    return [java, "-Xmx768m", "-XX:+UseSerialGC",
            "-cp", os.pathsep.join([str(target / "classes"), jars]),
            "graphsvc.testing.Neo4jLauncher"]  # fmt: skip


def _build_if_changed(mvn: str, target: Path) -> None:
    stamp = target / "built"  # Maven leaves unchanged outputs untouched, so keep our own mark
    sources = [HERE / "pom.xml", *HERE.glob("src/**/*.java")]
    if not stamp.exists() or stamp.stat().st_mtime < max(p.stat().st_mtime for p in sources):
        command = [mvn, "-q", "-B", "-f", str(HERE / "pom.xml"), "package"]
        try:
            built = subprocess.run(command, capture_output=True, text=True, timeout=BUILD_TIMEOUT)
        except subprocess.TimeoutExpired as exc:
            raise Failed(f"building the Neo4j launcher took over {BUILD_TIMEOUT:.0f} s") from exc
        if built.returncode != 0:
            output = "\n".join((built.stdout + built.stderr).splitlines()[-30:])
            raise Failed(f"building the Neo4j launcher failed ({' '.join(command)}):\n{output}")
        stamp.touch()


def start(log_path: Path) -> Neo4jProcess:
    """Build if needed and start Neo4j; its log goes to ``log_path``."""
    command = build()
    started = time.monotonic()
    with open(log_path, "w") as log:
        proc = subprocess.Popen(
            command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=log, text=True
        )
    try:
        bolt, version = _announcement(proc, log_path).split(" ", 1)
        uri = bolt.replace("bolt://", "neo4j://", 1)
        _wait_for_bolt(uri)
    except BaseException:
        Neo4jProcess("", "", proc, 0.0).stop()
        raise
    return Neo4jProcess(uri, version, proc, time.monotonic() - started)


def _announcement(proc: subprocess.Popen[str], log_path: Path) -> str:
    """The launcher's first line, ``bolt://127.0.0.1:PORT VERSION``."""
    assert proc.stdout is not None
    deadline = time.monotonic() + STARTUP_TIMEOUT
    with selectors.DefaultSelector() as selector:
        selector.register(proc.stdout, selectors.EVENT_READ)
        while time.monotonic() < deadline:
            if selector.select(timeout=0.5):
                line = proc.stdout.readline()
                if line.startswith("bolt://"):
                    return line.strip()
                if not line:  # stdout closed: the launcher died
                    break
    tail = "\n".join(log_path.read_text(errors="replace").splitlines()[-20:])
    raise Failed(f"Neo4j did not start (exit code {proc.poll()}):\n{tail}")


def _wait_for_bolt(uri: str) -> None:
    import neo4j

    with neo4j.GraphDatabase.driver(uri, auth=(USER, PASSWORD)) as driver:
        driver.verify_connectivity()
