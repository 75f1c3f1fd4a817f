"""Fixtures that start real servers in subprocesses (stdio pipes, HTTP on an ephemeral 127.0.0.1 port)."""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

HERE = Path(__file__).parent
APP = HERE / "servers" / "app.py"
URL_LINE = re.compile(r"serving .* on (http://\S+)")
#: The local identity provider (panva/oidc-provider on Node 22) of the authentication tests.
IDP_DIR = HERE / "idp"


@dataclass
class HttpServer:
    url: str
    proc: subprocess.Popen[bytes]
    stderr_lines: list[str] = field(default_factory=list)

    @property
    def base(self) -> str:
        return self.url.rsplit("/", 1)[0]


def start_http_server(*args: str, env: dict[str, str] | None = None, script: Path = APP) -> HttpServer:
    proc = subprocess.Popen(
        [sys.executable, str(script), "http", "0", *args],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, **(env or {})},
    )
    lines: list[str] = []
    url_box: list[str] = []
    ready = threading.Event()

    def pump() -> None:
        assert proc.stderr is not None
        for raw in proc.stderr:
            line = raw.decode(errors="replace")
            lines.append(line)
            m = URL_LINE.search(line)
            if m and not url_box:
                url_box.append(m.group(1))
                ready.set()
        ready.set()

    threading.Thread(target=pump, daemon=True).start()
    if not ready.wait(30) or not url_box:
        proc.kill()
        raise RuntimeError("server did not start:\n" + "".join(lines))
    return HttpServer(url=url_box[0], proc=proc, stderr_lines=lines)


def stop(proc: subprocess.Popen[bytes], timeout: float = 10) -> int:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            return proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
            raise
    return proc.returncode


@pytest.fixture(scope="module")
def http_server() -> Iterator[HttpServer]:
    server = start_http_server()
    yield server
    assert stop(server.proc) == 0, "".join(server.stderr_lines)


@pytest.fixture(scope="module")
def stateless_server() -> Iterator[HttpServer]:
    server = start_http_server("--stateless", "--json")
    yield server
    stop(server.proc)


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def wait_for(predicate, timeout: float = 5.0) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.02)
    return predicate()


def _lock_digest() -> str:
    digest = hashlib.sha256()
    for name in ("package.json", "package-lock.json"):
        digest.update((IDP_DIR / name).read_bytes())
    return digest.hexdigest()


@pytest.fixture(scope="session")
def node() -> Path:
    npm = shutil.which("npm")
    if npm is None:
        pytest.skip("npm is needed to install the identity provider (oidc-provider) and Node 22")
    stamp = IDP_DIR / "node_modules" / ".fastmcp-rs-installed"
    if not stamp.exists() or stamp.read_text() != _lock_digest():
        done = subprocess.run(
            [npm, "ci", "--silent", "--no-audit", "--no-fund"], cwd=IDP_DIR, capture_output=True, text=True, timeout=600
        )
        if done.returncode != 0:
            pytest.skip(f"`npm ci` failed in {IDP_DIR} (offline?):\n{done.stdout}{done.stderr}")
        stamp.write_text(_lock_digest())
    return IDP_DIR / "node_modules" / ".bin" / "node"


@contextlib.contextmanager
def serving_on_a_port(script: Path, *args: str, env: dict[str, str] | None = None) -> Iterator[int]:
    """Runs ``python script *args`` (``{port}`` in an argument is a free port) until the block ends; yields
    the port once something listens on it."""
    from test_auth import free_port, wait_listening

    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, str(script), *(a.format(port=port) for a in args)],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env={**os.environ, **(env or {})},
    )
    try:
        wait_listening(port, proc, script.name)
        yield port
    finally:
        proc.terminate()
        proc.wait(10)
