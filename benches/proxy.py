"""What a proxy costs per call, beside FastMCP 4's: one upstream server (benches/tools.py served by fastmcp-rs
over Streamable HTTP, pinned to the load generator's core), and in front of it `create_proxy(url)` of
fastmcp-rs or of FastMCP 4 (benches/tools.py with BENCH_PROXY, pinned to the other core), loaded over
Streamable HTTP (handshake era, c=16) with `add` and with `customers` (50 pydantic models, about 6 KB of JSON).
fastmcp-rs's proxy keeps one upstream connection per client session; FastMCP 4's opens one, with its own
`initialize`, for every call. Proxies alternate within each round. Writes results/proxy/RESULTS.md and
proxy.json.

    python benches/proxy.py [--rounds 3] [--duration 5]
"""

from __future__ import annotations

import argparse
import json
import statistics
from typing import Any

from compare import ROOT, Server, http_load, log

SERVERS = {"fastmcp_rs": "fastmcp-rs", "fastmcp": "FastMCP 4"}
CALLS = {
    "add": ("`add` (one integer)", {"a": 1, "b": 2}),
    "customers": ("`customers` (50 pydantic models)", {"n": 50}),
}
OUT = ROOT / "results" / "proxy"


class _Opts:
    def __init__(self, warmup: float, duration: float) -> None:
        self.warmup, self.duration, self.headers = warmup, duration, []


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--duration", type=float, default=5.0)
    p.add_argument("--warmup", type=float, default=1.0)
    p.add_argument("--concurrency", type=int, default=16)
    o = p.parse_args()
    runs: dict[str, list[dict[str, Any]]] = {}
    upstream = Server("fastmcp_rs", 1)
    try:
        direct = {
            tool: http_load(0, upstream, "handshake", tool, args, o.concurrency, _Opts(o.warmup, o.duration))
            for tool, (_, args) in CALLS.items()
        }
        for rnd in range(o.rounds):
            for tool, (_, args) in CALLS.items():
                order = list(SERVERS) if rnd % 2 == 0 else list(reversed(SERVERS))
                for server in order:
                    proxy = Server(server, 0, extra_env={"BENCH_PROXY": upstream.url})
                    try:
                        rep = http_load(1, proxy, "handshake", tool, args, o.concurrency, _Opts(o.warmup, o.duration))
                    finally:
                        proxy.stop()
                    runs.setdefault(f"{server}|{tool}", []).append(rep)
                    log(
                        f"round {rnd + 1}: {SERVERS[server]:10s} {tool:9s} {rep['rps']:9.0f} req/s"
                        f"  p99 {rep['p99_ms']:8.2f} ms  cpu {rep['cpu_us'] or 0:8.1f} µs/call  err {rep['errors']}"
                    )
    finally:
        upstream.stop()
    summary = {
        key: {
            "rps": statistics.median(r["rps"] for r in reps),
            "p50_ms": statistics.median(r["p50_ms"] for r in reps),
            "p99_ms": statistics.median(r["p99_ms"] for r in reps),
            "cpu_us": statistics.median(r["cpu_us"] or 0 for r in reps),
            "errors": sum(r["errors"] for r in reps),
        }
        for key, reps in runs.items()
    }
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "proxy.json").write_text(json.dumps({"summary": summary, "direct": direct, "runs": runs}, indent=1))
    lines = [
        "# What a proxy costs per call",
        "",
        f"Streamable HTTP (handshake), c={o.concurrency}; the proxy pinned to one core, the upstream (fastmcp-rs) "
        f"and the load generator to the other; medians of {o.rounds} rounds of {o.duration:g} s. Command: "
        f"`python benches/proxy.py --rounds {o.rounds} --duration {o.duration:g}` (fat-LTO wheel).",
        "",
        "| call | upstream direct req/s | fastmcp-rs proxy req/s | p99 ms | CPU µs/call | FastMCP 4 proxy req/s "
        "| p99 ms | CPU µs/call | ratio |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for tool, (label, _) in CALLS.items():
        ours, theirs = summary[f"fastmcp_rs|{tool}"], summary[f"fastmcp|{tool}"]
        lines.append(
            f"| {label} | {direct[tool]['rps']:,.0f} | {ours['rps']:,.0f} | {ours['p99_ms']:.2f} | "
            f"{ours['cpu_us']:.0f} | {theirs['rps']:,.0f} | {theirs['p99_ms']:.1f} | {theirs['cpu_us']:.0f} | "
            f"{ours['rps'] / max(theirs['rps'], 1e-9):.1f}× |"
        )
    errors = sum(v["errors"] for v in summary.values())
    lines += ["", f"Errors across all runs: {errors}.", ""]
    (OUT / "RESULTS.md").write_text("\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
