"""Serves benches/tools.py with fastmcp-rs, FastMCP 4 and the official SDK's server (plus the ceiling server), drives
each with the Rust load generator, and reports medians and ratios from the same run.

Run it through `make bench` (or `bash benches/run.sh`), which builds everything first. The server is pinned to
core 0 and the load generator to core 1; servers alternate round by round so drift hits all of them alike.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from collections import defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent
TOOLS = ROOT / "tools.py"
LOADGEN = ROOT / "target" / "release" / "mcp-load"
CEILING = ROOT / "target" / "release" / "ceiling"
PY = sys.executable

SERVERS = ["fastmcp_rs", "fastmcp", "sdk"]
LABEL = {
    "fastmcp_rs": "fastmcp-rs",
    "fastmcp": "FastMCP 4",
    "sdk": "official SDK",
    "ceiling": "ceiling",
    "realistic": "realistic ceiling",
    "rs_stateless": "fastmcp-rs stateless JSON",
    "floor": "no framework (floor)",
    "fastmcp_rs@2026": "fastmcp-rs (2026-07-28)",
    "fastmcp@2026": "FastMCP 4 (2026-07-28)",
    "sdk@2026": "official SDK (2026-07-28)",
}
#: The 2026-07-28 era is measured under the server's name with this suffix (the same server process).
MODERN = "@2026"
ORDER = {
    "customer": "Ada Lovelace",
    "quantity": 3,
    "unit_price": 2.5,
    "tags": ["rush", "gift"],
    "address": {"street": "1 Main St", "city": "Oslo", "postcode": "0150"},
}
# name -> (tool, arguments)
WORKLOADS: dict[str, tuple[str, dict[str, Any]]] = {
    "add": ("add", {"a": 1, "b": 2}),
    "echo": ("echo", {"text": "hello world"}),
    "model": ("place_order", {"order": ORDER}),
    "100KB": ("catalog", {}),
    "sleep10ms": ("slow", {"delay": 0.01}),
    # Issue 11: the payloads real tools return and take.
    "customers10": ("customers", {"n": 10}),
    "customers50": ("customers", {"n": 50}),
    "customers1000": ("customers", {"n": 1000}),
    "plain50": ("customers_plain", {"n": 50}),
    "text100KB": ("big_text", {}),
    "dict200": ("wide", {}),
    "models_in": ("bulk", {"orders": [ORDER] * 100}),
    "http_io": ("fetch", {}),
}
#: What `make bench` runs by default (the issue-11 workloads are chosen with --workloads).
DEFAULT_WORKLOADS = ["add", "echo", "model", "100KB", "sleep10ms"]
CONCURRENCY = [1, 16, 64]


def pinned(core: int | None, argv: list[str]) -> list[str]:
    return ["taskset", "-c", str(core), *argv] if core is not None else argv


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


#: A local HTTP server for the `http_io` workload (started by `run` when that workload is chosen).
UPSTREAM: dict[str, str] = {}

_UPSTREAM_CODE = """
import asyncio, sys
BODY = b"x" * 512
REPLY = b"HTTP/1.1 200 OK\\r\\ncontent-length: 512\\r\\ncontent-type: text/plain\\r\\n\\r\\n" + BODY
class P(asyncio.Protocol):
    def connection_made(self, t): self.t, self.buf = t, b""
    def data_received(self, d):
        self.buf += d
        while b"\\r\\n\\r\\n" in self.buf:
            _, self.buf = self.buf.split(b"\\r\\n\\r\\n", 1)
            self.t.write(REPLY)
async def main():
    srv = await asyncio.get_running_loop().create_server(P, "127.0.0.1", int(sys.argv[1]))
    async with srv: await srv.serve_forever()
asyncio.run(main())
"""


def start_upstream() -> subprocess.Popen[bytes]:
    port = free_port()
    proc = subprocess.Popen([PY, "-c", _UPSTREAM_CODE, str(port)])
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                break
        except OSError:
            time.sleep(0.05)
    UPSTREAM["BENCH_UPSTREAM"] = f"http://127.0.0.1:{port}"
    return proc


def server_env(server: str, **extra: str) -> dict[str, str]:
    env = {**os.environ, "BENCH_SERVER": server, "PYTHONUNBUFFERED": "1", **UPSTREAM, **extra}
    env.pop("FASTMCP_LOG_LEVEL", None)
    return env


def ceiling_env() -> dict[str, str]:
    import sysconfig

    # The ceiling binary embeds this interpreter: it needs its shared library and its standard library.
    libdir = sysconfig.get_config_var("LIBDIR") or ""
    # The realistic ceiling imports tools.py, so it needs this environment's packages (pydantic, httpx) too.
    path = os.pathsep.join(dict.fromkeys([sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]]))
    return {**os.environ, **UPSTREAM, "LD_LIBRARY_PATH": libdir, "PYTHONHOME": sys.base_prefix, "PYTHONPATH": path}


class Server:
    def __init__(
        self, server: str, core: int | None, *, idle: float | None = None, extra_env: dict[str, str] | None = None
    ) -> None:
        self.name = server
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/mcp"
        if server == "ceiling":
            argv, env = [str(CEILING), str(self.port)], ceiling_env()
        elif server == "realistic":
            argv, env = [str(CEILING), str(self.port), "--tools"], ceiling_env()
        elif server == "rs_stateless":
            argv = [PY, str(TOOLS), "http", str(self.port), "--stateless", "--json"]
            env = server_env("fastmcp_rs")
        else:
            argv = [PY, str(TOOLS), "http", str(self.port)]
            env = server_env(server, **({"BENCH_SESSION_IDLE": str(idle)} if idle else {}), **(extra_env or {}))
        self.proc = subprocess.Popen(
            pinned(core, argv), env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=ROOT
        )
        self._wait_ready()

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + 60
        body = json.dumps(
            {
                "jsonrpc": "2.0",
                "id": 1,
                "method": "tools/call",
                "params": {"name": "add", "arguments": {"a": 1, "b": 2}},
            }
        ).encode()
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited: {self.proc.stderr.read().decode()[-2000:]}")  # type: ignore[union-attr]
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    pass
                # Any HTTP answer means the app is up (stateful servers refuse a call without a session).
                req = urllib.request.Request(
                    self.url,
                    data=body,
                    headers={"content-type": "application/json", "accept": "application/json, text/event-stream"},
                )
                try:
                    urllib.request.urlopen(req, timeout=5).read()
                except urllib.error.HTTPError:
                    pass
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError(f"{self.name} did not start")

    def rss_mb(self) -> float:
        # taskset execs the server, so the pid is the server's own.
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        raise RuntimeError("no VmRSS")

    def cpu_seconds(self) -> float:
        """User + system CPU the server process has used so far (all its threads)."""
        fields = Path(f"/proc/{self.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def loadgen(core: int | None, *args: str, timeout: float = 600) -> dict[str, Any]:
    out = subprocess.run(
        pinned(core, [str(LOADGEN), *args]), capture_output=True, text=True, timeout=timeout, check=False
    )
    if out.returncode != 0:
        raise RuntimeError(f"mcp-load {' '.join(args)} failed: {out.stderr[-2000:]}")
    return json.loads(out.stdout)


def http_load(core: int | None, srv: Server | str, mode: str, tool: str, args: dict[str, Any], c: int, o: Any) -> dict:
    """One load run against a `Server` (or a bare URL); for a `Server`, also its CPU per answered call over
    the measured part (sampled after the warm-up)."""
    url = srv if isinstance(srv, str) else srv.url
    argv = ["http", "--url", url, "--mode", mode, "-c", str(c), "--tool", tool, "--args", json.dumps(args)]
    argv += ["--warmup", str(o.warmup), "--duration", str(o.duration)]
    for header in getattr(o, "headers", None) or ():
        argv += ["--header", header]
    proc = subprocess.Popen(pinned(core, [str(LOADGEN), *argv]), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    time.sleep(o.warmup)
    cpu0 = None if isinstance(srv, str) else srv.cpu_seconds()
    out, err = proc.communicate(timeout=600)
    if proc.returncode != 0:
        raise RuntimeError(f"mcp-load {' '.join(argv)} failed: {err.decode()[-2000:]}")
    rep = json.loads(out)
    rep["cpu_us"] = None
    if cpu0 is not None and rep["requests"]:
        rep["cpu_us"] = (srv.cpu_seconds() - cpu0) / rep["requests"] * 1e6  # type: ignore[union-attr]
    return rep


def stdio_command(server: str, core: int | None) -> list[str]:
    return pinned(core, ["env", f"BENCH_SERVER={server}", PY, str(TOOLS), "stdio"])


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def run(o: Any) -> dict[str, Any]:
    upstream = start_upstream() if "http_io" in o.workloads else None
    try:
        return _run(o)
    finally:
        if upstream is not None:
            upstream.terminate()


def _run(o: Any) -> dict[str, Any]:
    two_cores = (os.cpu_count() or 1) >= 2 and not o.no_pin
    server_core, load_core = (0, 1) if two_cores else (None, None)
    servers = o.servers
    http: dict[str, list[dict]] = defaultdict(list)  # "server|workload|c" -> one report per round
    stdio: dict[str, list[dict]] = defaultdict(list)
    for rnd in range(o.rounds):
        order = servers[rnd % len(servers) :] + servers[: rnd % len(servers)]
        # The ceiling answers bare calls with JSON; fastmcp-rs also serves `add` that way (stateless, JSON
        # responses), so the two can be compared like for like.
        floor_servers = ["rs_stateless", "ceiling", "realistic"] if o.ceiling else []
        for server in [*order, *floor_servers]:
            log(f"round {rnd + 1}/{o.rounds}: {LABEL[server]}")
            srv = Server(server, server_core)
            try:
                wedged = False
                for name in o.workloads:
                    # The realistic ceiling serves every workload (the same tool functions); the others only `add`.
                    if (server in floor_servers and server != "realistic" and name != "add") or wedged:
                        continue
                    tool, args = WORKLOADS[name]
                    eras = ["handshake"] if server in floor_servers else o.eras
                    for c, era in ((c, era) for c in o.concurrency for era in eras):
                        if wedged:
                            break
                        mode = "stateless" if server in floor_servers else era
                        rep = http_load(load_core, srv, mode, tool, args, c, o)
                        label = server if era == "handshake" else server + MODERN
                        http[f"{label}|{name}|{c}"].append(rep)
                        if (rep["first_error"] or "").startswith("timeout"):
                            # A server that stopped answering gets no more load this round; the errors stay on record.
                            log(f"  {LABEL[label]} stopped answering: {rep['first_error']}")
                            wedged = True
                            break
                        cpu = f"{rep['cpu_us']:8.0f} µs/call" if rep["cpu_us"] else ""
                        log(
                            f"  {name:10s} c={c:<3d} {era:9s} {rep['rps']:9.0f} req/s  p99 {rep['p99_ms']:8.2f} ms"
                            f"  err {rep['errors']}  cpu {cpu}"
                        )
            finally:
                srv.stop()
        if o.stdio:
            for server in order:
                for depth in (1, 16):
                    rep = loadgen(
                        load_core,
                        "stdio",
                        "--depth",
                        str(depth),
                        "--warmup",
                        str(o.warmup),
                        "--duration",
                        str(o.duration),
                        "--",
                        *stdio_command(server, server_core),
                    )
                    stdio[f"{server}|{depth}"].append(rep)
                    log(f"  stdio {LABEL[server]:12s} depth={depth:<3d} {rep['rps']:9.0f} calls/s")
    startup = {}
    if o.startup:
        for server in [*servers, "floor"]:
            startup[server] = loadgen(
                load_core, "startup", "--runs", str(o.startup), "--", *stdio_command(server, None)
            )
            log(f"startup {LABEL[server]:12s} {startup[server]['median_ms']:.0f} ms")
    sessions = measure_sessions(o, server_core, load_core) if o.sessions else None
    return {"http": http, "stdio": stdio, "startup": startup, "sessions": sessions}


def measure_sessions(o: Any, server_core: int | None, load_core: int | None) -> dict[str, Any]:
    """RSS of fastmcp-rs with N idle sessions; then after they are reaped, and a second wave to show it stays flat."""
    idle = 5.0
    srv = Server("fastmcp_rs", server_core, idle=idle)
    out: dict[str, Any] = {"count": o.sessions, "idle_timeout_s": idle}
    try:
        loadgen(load_core, "sessions", "--url", srv.url, "--count", "10")
        out["baseline_mb"] = srv.rss_mb()
        for wave in (1, 2):
            rep = loadgen(load_core, "sessions", "--url", srv.url, "--count", str(o.sessions))
            out[f"wave{wave}"] = rep
            out[f"wave{wave}_mb"] = srv.rss_mb()
            time.sleep(idle * 1.6)
            out[f"wave{wave}_reaped_mb"] = srv.rss_mb()
            log(
                f"sessions wave {wave}: {rep['sessions']} opened ({rep['errors']} errors): "
                f"{out[f'wave{wave}_mb']:.1f} MB, after reaping {out[f'wave{wave}_reaped_mb']:.1f} MB"
            )
    finally:
        srv.stop()
    return out


def median(reports: list[dict], key: str) -> float:
    return statistics.median(r[key] for r in reports)


def summarize(raw: dict[str, Any], o: Any) -> dict[str, Any]:
    rows = []
    for key, reps in raw["http"].items():
        server, name, c = key.split("|")
        rows.append(
            {
                "server": server,
                "workload": name,
                "concurrency": int(c),
                "rps": median(reps, "rps"),
                "p50_ms": median(reps, "p50_ms"),
                "p99_ms": median(reps, "p99_ms"),
                "cpu_us": statistics.median(r["cpu_us"] for r in reps) if all(r.get("cpu_us") for r in reps) else None,
                "errors": sum(r["errors"] for r in reps),
                "rounds": len(reps),
            }
        )
    stdio_rows = [
        {
            "server": k.split("|")[0],
            "depth": int(k.split("|")[1]),
            "rps": median(v, "rps"),
            "p50_ms": median(v, "p50_ms"),
            "errors": sum(r["errors"] for r in v),
        }
        for k, v in raw["stdio"].items()
    ]
    return {"http": rows, "stdio": stdio_rows, "startup": raw["startup"], "sessions": raw["sessions"]}


def find(rows: list[dict], **kv: Any) -> dict | None:
    return next((r for r in rows if all(r[k] == v for k, v in kv.items())), None)


def ratio(a: float | None, b: float | None) -> float | None:
    return a / b if a and b else None


def targets(s: dict[str, Any]) -> list[tuple[str, str, str, bool | None]]:
    """(workload, target, measured, met) for the issue's targets."""
    h, out = s["http"], []

    def rps(server: str, name: str, c: int) -> float | None:
        r = find(h, server=server, workload=name, concurrency=c)
        return r["rps"] if r else None

    def check(label: str, target: str, value: float | None, goal: float, fmt: str, higher: bool = True) -> None:
        if value is None:
            out.append((label, target, "not measured", None))
        else:
            out.append((label, target, fmt.format(value), value >= goal if higher else value <= goal))

    check(
        "`add` HTTP c=16 vs FastMCP",
        "≥ 35×",
        ratio(rps("fastmcp_rs", "add", 16), rps("fastmcp", "add", 16)),
        35,
        "{:.1f}×",
    )
    check(
        "`add` HTTP c=16 vs ceiling",
        "≥ 60%",
        ratio(rps("fastmcp_rs", "add", 16), rps("ceiling", "add", 16)),
        0.6,
        "{:.0%}",
    )
    check(
        "same, like for like (stateless, JSON answers)",
        "≥ 60%",
        ratio(rps("rs_stateless", "add", 16), rps("ceiling", "add", 16)),
        0.6,
        "{:.0%}",
    )
    ours, theirs = (
        find(h, server="fastmcp_rs", workload="add", concurrency=64),
        find(h, server="fastmcp", workload="add", concurrency=64),
    )
    if ours and theirs:
        share = ours["p99_ms"] / theirs["p99_ms"]
        shown = f"1/{1 / share:.0f} ({ours['p99_ms']:.2f} vs {theirs['p99_ms']:.1f} ms)"
        out.append(("`add` c=64 p99 vs FastMCP", "≤ 1/30", shown, share <= 1 / 30))
    else:
        out.append(("`add` c=64 p99 vs FastMCP", "≤ 1/30", "not measured", None))
    check(
        "`echo` (async) c=16 vs FastMCP",
        "≥ 25×",
        ratio(rps("fastmcp_rs", "echo", 16), rps("fastmcp", "echo", 16)),
        25,
        "{:.1f}×",
    )
    check(
        "pydantic model c=16 vs FastMCP",
        "≥ 15×",
        ratio(rps("fastmcp_rs", "model", 16), rps("fastmcp", "model", 16)),
        15,
        "{:.1f}×",
    )
    check(
        "`sleep(0.01)` c=64", "≥ 5,760 req/s (90% of 6,400)", rps("fastmcp_rs", "sleep10ms", 64), 5760, "{:,.0f} req/s"
    )
    ours_s, theirs_s = find(s["stdio"], server="fastmcp_rs", depth=1), find(s["stdio"], server="fastmcp", depth=1)
    check(
        "stdio sequential vs FastMCP",
        "≥ 10×",
        ratio(ours_s and ours_s["rps"], theirs_s and theirs_s["rps"]),
        10,
        "{:.1f}×",
    )
    st, floor = s["startup"].get("fastmcp_rs"), s["startup"].get("floor")
    if st:
        shown = f"{st['median_ms']:.0f} ms"
        if floor:
            shown += f" (the file with no framework: {floor['median_ms']:.0f} ms)"
        out.append(("import-to-ready", "≤ 150 ms", shown, st["median_ms"] <= 150))
    else:
        out.append(("import-to-ready", "≤ 150 ms", "not measured", None))
    ss = s["sessions"]
    if ss:
        grown = ss["wave1_mb"]
        out.append(
            (
                f"{ss['count']:,} idle sessions",
                "≤ 50 MB RSS, flat after reaping",
                f"{grown:.1f} MB ({ss['wave1_mb'] - ss['baseline_mb']:+.1f} MB over {ss['baseline_mb']:.1f} MB idle); "
                f"reaped {ss['wave1_reaped_mb']:.1f}, 2nd wave {ss['wave2_mb']:.1f}, "
                f"reaped {ss['wave2_reaped_mb']:.1f} MB",
                grown <= 50 and ss["wave2_mb"] <= ss["wave1_mb"] * 1.1,
            )
        )
    else:
        out.append(("idle sessions", "≤ 50 MB RSS", "not measured", None))
    return out


#: Issue 11's workloads and the concurrency each target is measured at.
PAYLOADS = [
    ("customers10", 16),
    ("customers50", 16),
    ("customers1000", 16),
    ("plain50", 16),
    ("text100KB", 16),
    ("dict200", 16),
    ("models_in", 16),
    ("http_io", 64),
]


def payload_targets(s: dict[str, Any]) -> list[tuple[str, str, str, bool | None]]:
    """(workload, target, measured, met) for issue 11: shares of the realistic ceiling, tail latency."""
    h, out = s["http"], []

    def share(name: str, c: int, goal: float = 0.85) -> None:
        ours, floor = (find(h, server=srv, workload=name, concurrency=c) for srv in ("fastmcp_rs", "realistic"))
        label = f"`{name}` c={c} vs realistic ceiling"
        if not (ours and floor):
            out.append((label, f"≥ {goal:.0%}", "not measured", None))
            return
        v = ours["rps"] / floor["rps"]
        shown = f"{v:.0%} ({ours['rps']:,.0f} of {floor['rps']:,.0f} req/s)"
        out.append((label, f"≥ {goal:.0%}", shown, v >= goal))

    for name in ("customers50", "customers1000", "text100KB", "models_in"):
        share(name, 16)
    ours, theirs = (find(h, server=srv, workload="customers1000", concurrency=16) for srv in ("fastmcp_rs", "fastmcp"))
    if ours:
        spread = ours["p99_ms"] / ours["p50_ms"]
        shown = f"p99 {ours['p99_ms']:.0f} ms = {spread:.1f}× p50 ({ours['p50_ms']:.0f} ms)"
        met = spread <= 2.5
        if theirs:
            shown += f"; FastMCP p99 {theirs['p99_ms']:.0f} ms"
            met = met and ours["p99_ms"] < theirs["p99_ms"]
        out.append(("`customers1000` c=16 tail", "p99 ≤ 2.5× p50, below FastMCP's", shown, met))
    else:
        out.append(("`customers1000` c=16 tail", "p99 ≤ 2.5× p50, below FastMCP's", "not measured", None))
    share("http_io", 64)
    ours, theirs = (find(h, server=srv, workload="http_io", concurrency=64) for srv in ("fastmcp_rs", "fastmcp"))
    v = ratio(ours and ours["rps"], theirs and theirs["rps"])
    out.append(("`http_io` c=64 vs FastMCP", "≥ 15×", f"{v:.1f}×" if v else "not measured", v >= 15 if v else None))
    return out


def markdown(s: dict[str, Any], machine: dict[str, str], command: str) -> str:
    h = s["http"]
    lines = [
        f"Machine: {machine['cpu']}, {machine['cores']} cores, {machine['kernel']}; Python {machine['python']}; "
        f"FastMCP {machine['fastmcp']}, mcp {machine['mcp']}; fastmcp-rs {machine['commit']}. "
        f"Server pinned to core 0, load generator to core 1.",
        "",
        f"Command: `{command}`",
        "",
        "Streamable HTTP, one session per connection, req/s (median of rounds) and p99 latency:",
        "",
        "| workload | c | fastmcp-rs | FastMCP 4 | official SDK | × FastMCP | × SDK "
        "| fastmcp-rs p99 | FastMCP p99 | SDK p99 |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]

    def fmt(v: float | None, f: str = "{:,.0f}") -> str:
        return f.format(v) if v else "–"

    for name in WORKLOADS:
        for c in CONCURRENCY:
            r = {srv: find(h, server=srv, workload=name, concurrency=c) for srv in [*SERVERS, "ceiling"]}
            if not r["fastmcp_rs"]:
                continue

            def g(srv: str, k: str = "rps", r: dict = r) -> float | None:
                return r[srv][k] if r[srv] else None

            lines.append(
                f"| {name} | {c} | {fmt(g('fastmcp_rs'))} | {fmt(g('fastmcp'))} | {fmt(g('sdk'))} "
                f"| {fmt(ratio(g('fastmcp_rs'), g('fastmcp')), '{:.1f}×')} "
                f"| {fmt(ratio(g('fastmcp_rs'), g('sdk')), '{:.1f}×')} "
                f"| {fmt(g('fastmcp_rs', 'p99_ms'), '{:.2f} ms')} | {fmt(g('fastmcp', 'p99_ms'), '{:.1f} ms')} "
                f"| {fmt(g('sdk', 'p99_ms'), '{:.1f} ms')} |"
            )
    modern = [r for r in h if r["server"].endswith(MODERN)]
    if modern:
        lines += [
            "",
            "The 2026-07-28 era (no handshake; every call carries its `_meta` envelope and the `MCP-Protocol-Version`, "
            "`Mcp-Method`, `Mcp-Name` headers), same servers and run, req/s and p99:",
            "",
            "| workload | c | fastmcp-rs | FastMCP 4 | official SDK | × FastMCP | × SDK | fastmcp-rs p99 | FastMCP p99 "
            "| fastmcp-rs, handshake era |",
            "|---|---|---|---|---|---|---|---|---|---|",
        ]
        for name in WORKLOADS:
            for c in CONCURRENCY:
                r = {srv: find(h, server=srv + MODERN, workload=name, concurrency=c) for srv in SERVERS}
                if not r["fastmcp_rs"]:
                    continue

                def m(srv: str, k: str = "rps", r: dict = r) -> float | None:
                    return r[srv][k] if r[srv] else None

                legacy = find(h, server="fastmcp_rs", workload=name, concurrency=c)
                lines.append(
                    f"| {name} | {c} | {fmt(m('fastmcp_rs'))} | {fmt(m('fastmcp'))} | {fmt(m('sdk'))} "
                    f"| {fmt(ratio(m('fastmcp_rs'), m('fastmcp')), '{:.1f}×')} "
                    f"| {fmt(ratio(m('fastmcp_rs'), m('sdk')), '{:.1f}×')} "
                    f"| {fmt(m('fastmcp_rs', 'p99_ms'), '{:.2f} ms')} | {fmt(m('fastmcp', 'p99_ms'), '{:.1f} ms')} "
                    f"| {fmt(legacy and legacy['rps'])} |"
                )
    if find(h, server="realistic"):
        lines += [
            "",
            "Realistic payloads (issue 11), handshake era: req/s, p50 / p99 latency, and the server's CPU per call. "
            "The realistic ceiling calls the same tool function with its arguments validated from the JSON text and "
            "writes its result to JSON once (`benches/ceiling/realistic.py`): the floor the user's own Python sets.",
            "",
            "| workload | c | fastmcp-rs | p50 / p99 | CPU/call | realistic ceiling | p50 / p99 | CPU/call "
            "| share of ceiling | FastMCP 4 | p50 / p99 | CPU/call | × FastMCP |",
            "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
        ]
        for name, _ in PAYLOADS:
            for c in CONCURRENCY:
                r = {
                    srv: find(h, server=srv, workload=name, concurrency=c)
                    for srv in ("fastmcp_rs", "realistic", "fastmcp")
                }
                if not r["fastmcp_rs"]:
                    continue

                def cells(srv: str, r: dict = r) -> str:
                    x = r[srv]
                    if not x:
                        return "– | – | –"
                    cpu = f"{x['cpu_us']:,.0f} µs" if x.get("cpu_us") else "–"
                    return f"{x['rps']:,.0f} | {x['p50_ms']:.2f} / {x['p99_ms']:.2f} ms | {cpu}"

                ours, floor, theirs = (r[k] and r[k]["rps"] for k in ("fastmcp_rs", "realistic", "fastmcp"))
                shares = f"{fmt(ratio(ours, floor), '{:.0%}')}"
                versus = f"{fmt(ratio(ours, theirs), '{:.1f}×')}"
                lines.append(
                    f"| {name} | {c} | {cells('fastmcp_rs')} | {cells('realistic')} | {shares} "
                    f"| {cells('fastmcp')} | {versus} |"
                )
        lines += ["", "Targets (issue 11):", "", "| target | goal | measured | met |", "|---|---|---|---|"]
        for label, goal, measured, met in payload_targets(s):
            lines.append(f"| {label} | {goal} | {measured} | {'yes' if met else 'no' if met is False else '–'} |")
    floors = [r for r in h if r["server"] in ("rs_stateless", "ceiling")]
    if floors:
        lines += [
            "",
            "`add` against the ceiling server (bare JSON-RPC calls, JSON answers, no sessions), req/s and p99:",
            "",
            "| c | fastmcp-rs (handshake, SSE) | fastmcp-rs (stateless, JSON) | ceiling | share of ceiling |",
            "|---|---|---|---|---|",
        ]
        for c in CONCURRENCY:
            a, b, z = (
                find(h, server=srv, workload="add", concurrency=c) for srv in ("fastmcp_rs", "rs_stateless", "ceiling")
            )
            if not z:
                continue
            share = " / ".join(fmt(ratio(x and x["rps"], z["rps"]), "{:.0%}") for x in (a, b))
            lines.append(
                f"| {c} | {fmt(a and a['rps'])} ({fmt(a and a['p99_ms'], '{:.2f} ms')}) "
                f"| {fmt(b and b['rps'])} ({fmt(b and b['p99_ms'], '{:.2f} ms')}) "
                f"| {fmt(z['rps'])} ({z['p99_ms']:.2f} ms) | {share} |"
            )
    by_server: dict[str, int] = defaultdict(int)
    for r in [*h, *s["stdio"]]:
        by_server[r["server"]] += r["errors"]
    errors = ", ".join(f"{LABEL[k]} {v}" for k, v in by_server.items() if v) or "none"
    lines += ["", f"Failed requests across all runs: {errors}.", ""]
    if s["stdio"]:
        lines += ["stdio, `add`, calls/s:", "", "| server | sequential | 16 in flight |", "|---|---|---|"]
        for srv in SERVERS:
            a, b = find(s["stdio"], server=srv, depth=1), find(s["stdio"], server=srv, depth=16)
            lines.append(f"| {LABEL[srv]} | {fmt(a and a['rps'])} | {fmt(b and b['rps'])} |")
        lines.append("")
    if s["startup"]:
        lines += [
            "Process start to first `initialize` answer over stdio (median): "
            + ", ".join(f"{LABEL[k]} {v['median_ms']:.0f} ms" for k, v in s["startup"].items()),
            "",
        ]
    lines += ["Targets (issue 3):", "", "| target | goal | measured | met |", "|---|---|---|---|"]
    for label, goal, measured, met in targets(s):
        lines.append(f"| {label} | {goal} | {measured} | {'yes' if met else 'no' if met is False else '–'} |")
    return "\n".join(lines) + "\n"


def chart(s: dict[str, Any], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    h = s["http"]
    names = [n for n in WORKLOADS if find(h, server="fastmcp_rs", workload=n, concurrency=16)]
    servers = [srv for srv in [*SERVERS, "realistic", "ceiling"] if any(r["server"] == srv for r in h)]
    colors = {
        "fastmcp_rs": "#d9480f",
        "fastmcp": "#1c7ed6",
        "sdk": "#868e96",
        "ceiling": "#2b8a3e",
        "realistic": "#74b816",
    }
    fig, axes = plt.subplots(1, 2, figsize=(12, 4.5))
    width = 0.8 / len(servers)
    for ax, c in zip(axes, (16, 64), strict=True):
        for i, srv in enumerate(servers):
            vals = [(find(h, server=srv, workload=n, concurrency=c) or {}).get("rps", 0) for n in names]
            xs = [j + (i - (len(servers) - 1) / 2) * width for j in range(len(names))]
            ax.bar(xs, vals, width, label=LABEL[srv], color=colors[srv])
        tilt = len(names) > 6  # long workload lists: slanted names, so they do not run into each other
        ax.set_xticks(range(len(names)), names, rotation=35 if tilt else 0, ha="right" if tilt else "center")
        ax.set_yscale("log")
        ax.set_ylabel("requests/s (log)")
        ax.set_title(f"Streamable HTTP, {c} connections")
        ax.grid(axis="y", alpha=0.3)
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="upper center", ncol=len(servers), frameon=False)
    fig.tight_layout(rect=(0, 0, 1, 0.92))
    fig.savefig(path, dpi=110)


def machine_info() -> dict[str, str]:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )

    def version(dist: str) -> str:
        from importlib.metadata import PackageNotFoundError
        from importlib.metadata import version as v

        try:
            return v(dist)
        except PackageNotFoundError:
            return "absent"

    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=ROOT
    ).stdout.strip()
    return {
        "cpu": cpu,
        "cores": str(os.cpu_count()),
        "kernel": f"Linux {platform.release()}",
        "python": platform.python_version(),
        "fastmcp": version("fastmcp"),
        "mcp": version("mcp"),
        "commit": commit or "unknown",
    }


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--duration", type=float, default=5.0)
    p.add_argument("--warmup", type=float, default=1.0)
    p.add_argument("--servers", nargs="+", default=SERVERS, choices=SERVERS)
    p.add_argument("--workloads", nargs="+", default=DEFAULT_WORKLOADS, choices=list(WORKLOADS))
    p.add_argument("--concurrency", nargs="+", type=int, default=CONCURRENCY)
    p.add_argument(
        "--eras",
        nargs="+",
        default=["handshake", "modern"],
        choices=["handshake", "modern"],
        help="protocol eras to load each server in (modern: 2026-07-28)",
    )
    p.add_argument("--no-ceiling", dest="ceiling", action="store_false")
    p.add_argument("--no-stdio", dest="stdio", action="store_false")
    p.add_argument("--startup", type=int, default=5, help="start-up runs per server (0 to skip)")
    p.add_argument("--sessions", type=int, default=10_000, help="idle sessions for the RSS test (0 to skip)")
    p.add_argument("--no-pin", action="store_true", help="do not pin with taskset")
    p.add_argument("--quick", action="store_true", help="one short round: a smoke run, not figures to publish")
    p.add_argument("--out", type=Path, default=ROOT / "results")
    o = p.parse_args()
    if o.quick:
        o.rounds, o.duration, o.warmup, o.startup = 1, 2.0, 0.5, 3
    command = "make bench" if not o.quick else "make bench-quick"
    if sys.argv[1:] and not o.quick:
        command = "bash benches/run.sh " + " ".join(sys.argv[1:])
    raw = run(o)
    summary = summarize(raw, o)
    machine = machine_info()
    o.out.mkdir(parents=True, exist_ok=True)
    (o.out / "raw").mkdir(exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    (o.out / "raw" / f"{stamp}.json").write_text(json.dumps({"raw": raw, "machine": machine}, indent=1))
    (o.out / "latest.json").write_text(
        json.dumps({"summary": summary, "machine": machine, "argv": sys.argv[1:]}, indent=1)
    )
    md = markdown(summary, machine, command)
    (o.out / "RESULTS.md").write_text(md)
    chart(summary, o.out / "chart.png")
    print(md)


if __name__ == "__main__":
    main()
