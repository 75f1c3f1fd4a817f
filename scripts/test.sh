#!/usr/bin/env bash
# Sets up a virtualenv, builds the extension with the fast profile, and runs every test:
# the pure Rust core (cargo test), then pytest driving real servers with real MCP clients.
set -euo pipefail
cd "$(dirname "$0")/.."

VENV="${VENV:-.venv}"
if [ ! -x "$VENV/bin/python" ]; then
  python3 -m venv "$VENV"
fi
PY="$VENV/bin/python"
"$PY" -m pip install -q --upgrade pip
# mcp: the official client the tests drive us with; fastmcp: the reference the parity tests compare against;
# fastapi/uvicorn/hypercorn/granian: the ASGI servers the mounted-app tests run under; sniffio: what httpx's async
# backends use to find the running Task (tests/test_async_tasks.py); mypy: stubtest keeps _core.pyi true;
# Pillow/aiohttp/aiosqlite/prefab-ui/qrcode/psutil/pydantic-monty: what corpus example files import (tests/test_dropin_corpus.py); prometheus-client:
# its parser reads the /metrics output (tests/test_production.py); opentelemetry-sdk: its in-memory exporter
# captures the server's spans (tests/test_telemetry.py).
"$PY" -m pip install -q "maturin>=1.9,<2" "pytest>=8" "anyio>=4" "httpx>=0.27" "sniffio>=1.3" "mcp==2.3.0" \
  "fastmcp==4.2.3" "fastapi>=0.115" "uvicorn>=0.30" "hypercorn>=0.17" "granian>=2.5" "mypy>=1.18" "ruff>=0.6" \
  "Pillow>=10" "aiohttp>=3.9" "aiosqlite>=0.20" "prometheus-client>=0.20" "prefab-ui==0.21.1" "qrcode>=7" "psutil>=5" \
  "pydantic-monty==1.4.0" \
  "opentelemetry-sdk>=1.20"

cargo test --profile dev-release
# The benchmark load generator: tests/test_bench_harness.py checks it drives servers and counts failures.
cargo build --release --quiet --manifest-path benches/Cargo.toml -p mcp-load

VIRTUAL_ENV="$(cd "$VENV" && pwd)" "$VENV/bin/maturin" develop --profile dev-release --quiet
# Where SDK v1 users are: the official SDK v1.29 installed, and this checkout's package (python/, where the
# build above put the native module) on the path. tests/test_sdk1_environment.py serves SDK v1 files there.
SDK1_VENV="${SDK1_VENV:-.venv-sdk1}"
if [ ! -x "$SDK1_VENV/bin/python" ]; then
  python3 -m venv "$SDK1_VENV"
fi
"$SDK1_VENV/bin/python" -m pip install -q "mcp==1.29.0"
"$SDK1_VENV/bin/python" -c 'import site, sys; open(site.getsitepackages()[0] + "/fastmcp_rs_checkout.pth", "w").write(sys.argv[1] + "\n")' "$(pwd)/python"
export FASTMCP_RS_SDK1_PYTHON="$(cd "$SDK1_VENV" && pwd)/bin/python"
# The native module's hand-kept stubs match what it exports.
"$PY" -m mypy.stubtest fastmcp_rs._core
"$PY" -m pytest -q -p no:cacheprovider "$@" tests
