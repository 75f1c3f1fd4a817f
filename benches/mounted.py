"""The MCP path of a FastAPI app with the server mounted (benches/mounted_app.py), served three ways in one
run: fastmcp-rs natively (``mcp.run(transport="http", app=app)``: the core answers the MCP path, the app every
other route), fastmcp-rs's ``http_app()`` under uvicorn, and FastMCP 4's ``http_app()`` under uvicorn.
Same load generator, pinning and medians as benches/compare.py. Writes results/MOUNTED.md and mounted.json.

    python benches/mounted.py [--rounds 3] [--duration 5] [--concurrency 1 16]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from compare import LOADGEN, PY, ROOT, free_port, http_load, log, pinned, server_env

APP = ROOT / "mounted_app.py"
SETUPS = {
    "rs_native": "fastmcp-rs, native (mcp.run(app=app))",
    "rs_uvicorn": "fastmcp-rs http_app() under uvicorn",
    "fastmcp_uvicorn": "FastMCP 4 http_app() under uvicorn",
}
WORKLOADS = {"add": ("add", {"a": 1, "b": 2}), "echo": ("echo", {"text": "hello world"})}


def start(setup: str, core: int | None) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    if setup == "rs_native":
        argv, env = [PY, str(APP), str(port)], server_env("fastmcp_rs")
    else:
        argv = [PY, "-m", "uvicorn", "mounted_app:app", "--port", str(port), "--log-level", "warning"]
        env = server_env("fastmcp" if setup == "fastmcp_uvicorn" else "fastmcp_rs")
    proc = subprocess.Popen(pinned(core, argv), env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{setup} exited: {proc.stderr.read().decode()[-2000:]}")  # type: ignore[union-attr]
        try:
            with urllib.request.urlopen(f"{base}/health", timeout=2) as answer:
                assert json.loads(answer.read()) == {"status": "ok"}
            with urllib.request.urlopen(f"{base}/api/items", timeout=2) as answer:
                assert answer.headers["x-served-by"] == "api"
            return proc, f"{base}/analytics/mcp"
        except (OSError, urllib.error.URLError):
            time.sleep(0.05)
    proc.kill()
    raise RuntimeError(f"{setup} did not start")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--duration", type=float, default=5.0)
    p.add_argument("--warmup", type=float, default=1.0)
    p.add_argument("--concurrency", nargs="+", type=int, default=[1, 16])
    p.add_argument("--out", type=Path, default=ROOT / "results")
    o = p.parse_args()
    assert LOADGEN.exists(), "build the load generator first: cargo build --release --manifest-path benches/Cargo.toml"
    two = (os.cpu_count() or 1) >= 2
    server_core, load_core = (0, 1) if two else (None, None)
    reports: dict[str, list[dict[str, Any]]] = {}
    setups = list(SETUPS)
    for rnd in range(o.rounds):
        order = setups[rnd % len(setups) :] + setups[: rnd % len(setups)]
        for setup in order:
            log(f"round {rnd + 1}/{o.rounds}: {SETUPS[setup]}")
            proc, url = start(setup, server_core)
            try:
                for name, (tool, args) in WORKLOADS.items():
                    for c in o.concurrency:
                        rep = http_load(load_core, url, "handshake", tool, args, c, o)
                        reports.setdefault(f"{setup}|{name}|{c}", []).append(rep)
                        rps, p99, errors = rep["rps"], rep["p99_ms"], rep["errors"]
                        log(f"  {name:5s} c={c:<3d} {rps:9.0f} req/s  p99 {p99:8.2f} ms  err {errors}")
            finally:
                proc.terminate()
                proc.wait(15)
    rows = []
    for key, reps in reports.items():
        setup, name, c = key.split("|")
        rows.append(
            {
                "setup": setup,
                "workload": name,
                "concurrency": int(c),
                "rps": statistics.median(r["rps"] for r in reps),
                "p99_ms": statistics.median(r["p99_ms"] for r in reps),
                "errors": sum(r["errors"] for r in reps),
            }
        )
    o.out.mkdir(parents=True, exist_ok=True)
    (o.out / "mounted.json").write_text(json.dumps(rows, indent=1))
    lines = [
        "MCP path of a FastAPI app with the server mounted (benches/mounted_app.py), Streamable HTTP, one session",
        f"per connection, req/s (median of {o.rounds} rounds of {o.duration:g} s) and p99:",
        "",
        "| workload | c | " + " | ".join(SETUPS.values()) + " | native × FastMCP | uvicorn × FastMCP |",
        "|---|---|" + "---|" * (len(SETUPS) + 2),
    ]
    by = {(r["setup"], r["workload"], r["concurrency"]): r for r in rows}
    for name in WORKLOADS:
        for c in o.concurrency:
            cells = [by.get((s, name, c)) for s in SETUPS]
            fm = by.get(("fastmcp_uvicorn", name, c))
            ratios = [f"{cell['rps'] / fm['rps']:.1f}×" if cell and fm else "–" for cell in cells[:2]]
            shown = [f"{cell['rps']:,.0f} ({cell['p99_ms']:.2f} ms)" if cell else "–" for cell in cells]
            lines.append(f"| {name} | {c} | " + " | ".join(shown) + " | " + " | ".join(ratios) + " |")
    errors = sum(r["errors"] for r in rows)
    lines += ["", f"Failed requests: {errors}.", ""]
    (o.out / "MOUNTED.md").write_text("\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main()
