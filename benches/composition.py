"""What composing servers costs per call, beside FastMCP 4 with the same configuration: `add` over Streamable
HTTP (handshake era, c=16, server on one core) called on the server that defines it, and called as
`child_add` on a parent that mounts that server (`parent.mount(mcp, namespace="child")`, benches/tools.py
with BENCH_MOUNT=1). fastmcp-rs's parent core calls the child's function directly; FastMCP 4 routes the call
through the child server. Servers alternate within each round. Writes results/composition/RESULTS.md and
composition.json.

    python benches/composition.py [--rounds 3] [--duration 5]
"""

from __future__ import annotations

import argparse
import json
import statistics
from typing import Any

from compare import ROOT, Server, http_load, log

SERVERS = {"fastmcp_rs": "fastmcp-rs", "fastmcp": "FastMCP 4"}
CONFIGS = {
    "direct": ("`add` on its own server", {}, "add"),
    "mounted": ("`child_add` through a mount", {"BENCH_MOUNT": "1"}, "child_add"),
}
OUT = ROOT / "results" / "composition"


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
    for rnd in range(o.rounds):
        for config, (_, env, tool) in CONFIGS.items():
            order = list(SERVERS) if rnd % 2 == 0 else list(reversed(SERVERS))
            for server in order:
                srv = Server(server, 0, extra_env=env)
                try:
                    rep = http_load(
                        1, srv, "handshake", tool, {"a": 1, "b": 2}, o.concurrency, _Opts(o.warmup, o.duration)
                    )
                finally:
                    srv.stop()
                runs.setdefault(f"{server}|{config}", []).append(rep)
                log(
                    f"round {rnd + 1}: {SERVERS[server]:10s} {config:8s} {rep['rps']:9.0f} req/s"
                    f"  p99 {rep['p99_ms']:7.2f} ms  cpu {rep['cpu_us'] or 0:8.1f} µs/call  err {rep['errors']}"
                )
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
    (OUT / "composition.json").write_text(json.dumps({"summary": summary, "runs": runs}, indent=1))
    lines = [
        "# What a mount costs per call",
        "",
        f"Streamable HTTP (handshake), c={o.concurrency}, server pinned to one core, medians of {o.rounds} rounds "
        f"of {o.duration:g} s. Command: `python benches/composition.py --rounds {o.rounds} --duration "
        f"{o.duration:g}` (fat-LTO wheel).",
        "",
        "| call | fastmcp-rs req/s | p99 ms | CPU µs/call | FastMCP 4 req/s | p99 ms | CPU µs/call | ratio |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for config, (label, _, _) in CONFIGS.items():
        ours, theirs = summary[f"fastmcp_rs|{config}"], summary[f"fastmcp|{config}"]
        lines.append(
            f"| {label} | {ours['rps']:,.0f} | {ours['p99_ms']:.2f} | {ours['cpu_us']:.1f} | {theirs['rps']:,.0f} | "
            f"{theirs['p99_ms']:.1f} | {theirs['cpu_us']:.0f} | {ours['rps'] / max(theirs['rps'], 1e-9):.1f}× |"
        )
    errors = sum(v["errors"] for v in summary.values())
    lines += ["", f"Errors across all runs: {errors}.", ""]
    (OUT / "RESULTS.md").write_text("\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
