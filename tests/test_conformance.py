"""The official MCP conformance suite (``@modelcontextprotocol/conformance@0.2.0-alpha.12``, on Node 22 from
the npm package ``node@22``, both pinned in tests/conformance/package.json) against
``tests/conformance/everything_server.py`` over Streamable HTTP on 127.0.0.1.

Both requirement sets must pass every check, the not-scored scenarios included, against the one endpoint
that serves both eras:

- ``--requirements 2025-11-25`` (the handshake era): session lifecycle, JSON Schema 2020-12 kept verbatim,
  SSE polling with Last-Event-ID;
- ``--requirements 2026-07-28`` (the stateless era): ``server/discover``, the ``_meta`` envelope, header
  validation (SEP-2243, standard and ``Mcp-Param-*``), caching hints, multi-round-trip requests, listen
  subscriptions, and the ten not-scored ``tasks-*`` scenarios of the tasks extension.

Needs ``npm`` (skipped without it); the packages are installed into tests/conformance/node_modules on first
use.
"""

from __future__ import annotations

import hashlib
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import HERE
from test_asgi import _serve

CONFORMANCE = HERE / "conformance"


def _lock_digest() -> str:
    digest = hashlib.sha256()
    for name in ("package.json", "package-lock.json"):
        digest.update((CONFORMANCE / name).read_bytes())
    return digest.hexdigest()


@pytest.fixture(scope="module")
def suite() -> Path:
    npm = shutil.which("npm")
    if npm is None:
        pytest.skip("npm is needed to install the conformance suite and Node 22")
    stamp = CONFORMANCE / "node_modules" / ".fastmcp-rs-installed"
    if not stamp.exists() or stamp.read_text() != _lock_digest():
        done = subprocess.run(
            [npm, "ci", "--silent", "--no-audit", "--no-fund"],
            cwd=CONFORMANCE,
            capture_output=True,
            text=True,
            timeout=600,
        )
        if done.returncode != 0:
            pytest.skip(f"`npm ci` failed in {CONFORMANCE} (offline?):\n{done.stdout}{done.stderr}")
        stamp.write_text(_lock_digest())
    return CONFORMANCE / "node_modules" / ".bin"


def _run_requirements(suite: Path, revision: str) -> str:
    """Runs one requirement set against a fresh everything-server; returns the suite's output."""
    server = _serve([sys.executable, str(CONFORMANCE / "everything_server.py"), "0"], r"serving .* on (http://[^/\s]+)")
    try:
        done = subprocess.run(
            [
                str(suite / "node"),
                str(suite / "conformance"),
                "server",
                "--url",
                f"{server.base}/mcp",
                "--requirements",
                revision,
            ],
            capture_output=True,
            text=True,
            timeout=600,
            env={"PATH": f"{suite}:/usr/bin:/bin", "HOME": str(CONFORMANCE)},
        )
    finally:
        server.proc.terminate()
        server.proc.wait(15)
    out = done.stdout + done.stderr
    assert done.returncode == 0, out[-6000:]
    total = re.search(r"Total: (\d+) passed, (\d+) failed", out)
    assert total is not None, out[-6000:]
    failed = [line for line in out.splitlines() if line.startswith("✗")]
    assert total.group(2) == "0" and not failed, "\n".join(failed) + "\n" + out[-6000:]
    return out


def test_handshake_era_requirements(suite: Path) -> None:
    out = _run_requirements(suite, "2025-11-25")
    total = re.search(r"Total: (\d+) passed", out)
    assert total is not None and int(total.group(1)) >= 84  # 30 scored scenarios and 3 not scored, every check
    assert "0 failing" in out  # the not-scored ones too


def test_stateless_era_requirements(suite: Path) -> None:
    out = _run_requirements(suite, "2026-07-28")
    total = re.search(r"Total: (\d+) passed", out)
    # 37 scored scenarios, and 13 not scored: the tasks extension's ten, json-schema-2020-12,
    # http-header-validation, http-custom-header-server-validation.
    assert total is not None and int(total.group(1)) >= 196, out[-6000:]
    assert "13 scenario(s) run, 0 failing" in out, out[-6000:]
    for scenario in ("tasks-lifecycle", "tasks-mrtr-input", "http-custom-header-server-validation"):
        assert f"✓ {scenario}:" in out
