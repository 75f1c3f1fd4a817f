#!/usr/bin/env bash
# Builds the benchmark harness and the fat-LTO wheel, sets up the bench virtualenv (fastmcp-rs, FastMCP 4 and the
# official SDK side by side), then runs benches/compare.py. Arguments go to compare.py (e.g. --quick).
set -euo pipefail
cd "$(dirname "$0")/.."

VENV=benches/.venv
if [ ! -x "$VENV/bin/python" ]; then
  python3 -m venv "$VENV"
fi
PY="$VENV/bin/python"
"$PY" -m pip install -q --upgrade pip
# FastMCP 4 brings the official SDK (mcp 2.x, whose server is mcp.server.mcpserver.MCPServer).
"$PY" -m pip install -q "maturin>=1.9,<2" "fastmcp==4.2.3" "mcp==2.3.0" "matplotlib>=3.8" "fastapi>=0.115" "uvicorn>=0.30" "httpx>=0.27"

# The load generator and the ceiling server (which embeds this venv's interpreter).
PYO3_PYTHON="$(cd "$VENV" && pwd)/bin/python" cargo build --release --manifest-path benches/Cargo.toml

# The wheel users get: release profile, fat LTO.
rm -rf "$VENV/wheels"
"$VENV/bin/maturin" build --release --quiet --interpreter "$PY" --out "$VENV/wheels"
"$PY" -m pip install -q --force-reinstall --no-deps "$VENV"/wheels/fastmcp_rs-*.whl

"$PY" benches/compare.py "$@"
# The MCP path of a FastAPI app with the server mounted: natively, under uvicorn, and FastMCP 4 under uvicorn.
if [[ " $* " != *" --quick "* ]]; then "$PY" benches/mounted.py; else "$PY" benches/mounted.py --rounds 1 --duration 1 --warmup 0.2; fi
# What rate limiting, JWT auth and one Python middleware cost per call, beside FastMCP 4 configured the same way.
if [[ " $* " != *" --quick "* ]]; then "$PY" benches/production.py; else "$PY" benches/production.py --rounds 1 --duration 1 --warmup 0.2; fi
if [[ " $* " != *" --quick "* ]]; then "$PY" benches/composition.py; else "$PY" benches/composition.py --rounds 1 --duration 1 --warmup 0.2; fi
# What a proxy costs per call (one upstream connection per session), beside FastMCP 4's proxy (one per call).
if [[ " $* " != *" --quick "* ]]; then "$PY" benches/proxy.py; else "$PY" benches/proxy.py --rounds 1 --duration 1 --warmup 0.2; fi
