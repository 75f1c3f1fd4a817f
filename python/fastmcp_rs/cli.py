"""``fastmcp-rs run server.py[:object]``: serve a server file without editing its ``__main__`` block."""

from __future__ import annotations

import argparse
import importlib.util
import sys
from pathlib import Path

from .server import FastMCP

__all__ = ["main"]


def _load_server(spec: str) -> FastMCP:
    path_text, _, attr = spec.partition(":")
    path = Path(path_text).resolve()
    if not path.exists():
        raise SystemExit(f"fastmcp-rs: no such file: {path}")
    sys.path.insert(0, str(path.parent))
    module_spec = importlib.util.spec_from_file_location(path.stem, path)
    if module_spec is None or module_spec.loader is None:
        raise SystemExit(f"fastmcp-rs: cannot import {path}")
    module = importlib.util.module_from_spec(module_spec)
    sys.modules[path.stem] = module
    module_spec.loader.exec_module(module)
    if attr:
        server = getattr(module, attr, None)
    else:
        server = next(
            (getattr(module, n) for n in ("mcp", "server", "app") if isinstance(getattr(module, n, None), FastMCP)),
            None,
        )
        server = server or next((v for v in vars(module).values() if isinstance(v, FastMCP)), None)
    if not isinstance(server, FastMCP):
        raise SystemExit(f"fastmcp-rs: no FastMCP server found in {spec}")
    return server


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="fastmcp-rs", description="Serve a FastMCP server with the native core.")
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="run a server file")
    run.add_argument("server", help="path/to/server.py or path/to/server.py:object")
    run.add_argument("--transport", "-t", default="stdio", choices=["stdio", "http", "streamable-http"])
    run.add_argument("--host", default=None)
    run.add_argument("--port", type=int, default=None)
    run.add_argument("--path", default=None)
    run.add_argument("--stateless", action="store_true", help="stateless Streamable HTTP (no sessions)")
    run.add_argument("--json-response", action="store_true", help="answer POSTs with application/json")
    args = parser.parse_args(argv)
    server = _load_server(args.server)
    if args.transport == "stdio":
        server.run("stdio")
    else:
        server.run(
            "http",
            host=args.host,
            port=args.port,
            path=args.path,
            stateless_http=args.stateless or None,
            json_response=args.json_response or None,
        )


if __name__ == "__main__":
    main()
