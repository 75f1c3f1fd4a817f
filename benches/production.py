"""What the production features cost per call, beside FastMCP 4 with the same configuration: the `add` tool
over Streamable HTTP (handshake era, c=16, server on one core), served plain, with FastMCP 4's token-bucket
rate limiter, with JWT bearer authentication (`JWTVerifier`, HS256, issuer, audience and a scope checked), and
with one Python middleware (`on_call_tool` that looks at the call and passes it on). Each configuration is the
same benches/tools.py file with an environment switch; servers alternate within each round. Writes
results/production/RESULTS.md and production.json.

    python benches/production.py [--rounds 3] [--duration 5]

The JWT run sends one token throughout (an agent's session): fastmcp-rs verifies it once and then finds it in
its token cache; FastMCP 4 verifies the signature on every request.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from typing import Any

import jwt
from compare import ROOT, Server, http_load, log
from tools import BENCH_JWT_SECRET

SERVERS = {"fastmcp_rs": "fastmcp-rs", "fastmcp": "FastMCP 4"}
CONFIGS = {
    "plain": ("plain", {}),
    "rate_limit": ("token-bucket rate limiter", {"BENCH_RATE_LIMIT": "1"}),
    "jwt": ("JWT bearer auth", {"BENCH_AUTH": "jwt"}),
    "middleware": ("one Python middleware", {"BENCH_MIDDLEWARE": "1"}),
}
OUT = ROOT / "results" / "production"


def token() -> str:
    claims = {"iss": "bench", "aud": "bench", "sub": "agent", "scope": "tools", "exp": int(time.time()) + 3600}
    return jwt.encode(claims, BENCH_JWT_SECRET, algorithm="HS256")


class _Opts:
    def __init__(self, warmup: float, duration: float, headers: list[str]) -> None:
        self.warmup, self.duration, self.headers = warmup, duration, headers


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--duration", type=float, default=5.0)
    p.add_argument("--warmup", type=float, default=1.0)
    p.add_argument("--concurrency", type=int, default=16)
    o = p.parse_args()
    bearer = f"authorization: Bearer {token()}"
    runs: dict[str, list[dict[str, Any]]] = {}
    for rnd in range(o.rounds):
        for config, (_, env) in CONFIGS.items():
            order = list(SERVERS) if rnd % 2 == 0 else list(reversed(SERVERS))
            for server in order:
                srv = Server(server, 0, extra_env=env)
                try:
                    headers = [bearer] if config == "jwt" else []
                    opts = _Opts(o.warmup, o.duration, headers)
                    rep = http_load(1, srv, "handshake", "add", {"a": 1, "b": 2}, o.concurrency, opts)
                finally:
                    srv.stop()
                runs.setdefault(f"{server}|{config}", []).append(rep)
                log(
                    f"round {rnd + 1}: {SERVERS[server]:10s} {config:10s} {rep['rps']:9.0f} req/s"
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
    (OUT / "production.json").write_text(json.dumps({"summary": summary, "runs": runs}, indent=1))
    lines = [
        "# What production features cost per call",
        "",
        f"`add` over Streamable HTTP (handshake), c={o.concurrency}, server pinned to one core, medians of "
        f"{o.rounds} rounds of {o.duration:g} s. Command: `python benches/production.py --rounds {o.rounds} "
        f"--duration {o.duration:g}` (fat-LTO wheel).",
        "",
        "| configuration | fastmcp-rs req/s | CPU µs/call | added µs/call "
        "| FastMCP 4 req/s | CPU µs/call | added µs/call | ratio |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for config, (label, _) in CONFIGS.items():
        ours, theirs = summary[f"fastmcp_rs|{config}"], summary[f"fastmcp|{config}"]
        base_ours, base_theirs = summary["fastmcp_rs|plain"], summary["fastmcp|plain"]
        added = (ours["cpu_us"] - base_ours["cpu_us"], theirs["cpu_us"] - base_theirs["cpu_us"])
        lines.append(
            f"| {label} | {ours['rps']:,.0f} | {ours['cpu_us']:.1f} | {added[0]:+.1f} | {theirs['rps']:,.0f} | "
            f"{theirs['cpu_us']:.0f} | {added[1]:+.0f} | {ours['rps'] / max(theirs['rps'], 1e-9):.1f}× |"
        )
    errors = sum(v["errors"] for v in summary.values())
    lines += ["", f"Errors across all runs: {errors}.", ""]
    (OUT / "RESULTS.md").write_text("\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
