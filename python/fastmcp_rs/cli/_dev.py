"""``fastmcp-rs dev``: the MCP Inspector (``npx @modelcontextprotocol/inspector``) pointed at the server,
which it starts over stdio as ``fastmcp-rs run <file>``."""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
from pathlib import Path

from ._config import CliError, resolve_target
from ._run import self_command

__all__ = ["INSPECTOR_PACKAGE", "NO_NODE_MESSAGE", "add_arguments", "dev_command", "find_npx", "inspector_command"]

INSPECTOR_PACKAGE = "@modelcontextprotocol/inspector"
NO_NODE_MESSAGE = (
    "fastmcp-rs dev needs Node.js: `npx` was not found on PATH. Install Node.js (it provides npx) from "
    "https://nodejs.org and try again, or serve the file with `fastmcp-rs run FILE` and connect any MCP "
    "client to it."
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "server_spec",
        nargs="*",
        metavar="server_spec",
        help="path/to/server.py[:object] or a fastmcp.json (`dev inspector FILE` is accepted too)",
    )
    parser.add_argument("--inspector-version", help="version of the MCP Inspector to run")
    parser.add_argument("--ui-port", type=int, help="port of the Inspector's web UI (CLIENT_PORT)")
    parser.add_argument("--server-port", type=int, help="port of the Inspector's proxy (SERVER_PORT)")
    parser.add_argument(
        "--reload",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="restart the server when .py files change (default: on)",
    )
    parser.add_argument("--reload-dir", action="append", type=Path, default=None, help="directory to watch")
    parser.add_argument("--no-alias", action="store_true", help="don't serve fastmcp imports with fastmcp_rs")


def find_npx() -> str | None:
    names = ("npx.cmd", "npx.exe", "npx") if sys.platform == "win32" else ("npx",)
    for name in names:
        found = shutil.which(name)
        if found:
            return found
    return None


def inspector_command(
    npx: str,
    spec: str,
    *,
    inspector_version: str | None = None,
    reload: bool = True,
    reload_dirs: list[Path] | None = None,
    no_alias: bool = False,
    server_args: list[str] | None = None,
) -> list[str]:
    """``npx @modelcontextprotocol/inspector <python -m fastmcp_rs.cli run FILE --transport stdio ...>``."""
    package = f"{INSPECTOR_PACKAGE}@{inspector_version}" if inspector_version else INSPECTOR_PACKAGE
    run = [*self_command(), "run", spec, "--transport", "stdio", "--no-banner"]
    if reload:
        run.append("--reload")
        for directory in reload_dirs or ():
            run += ["--reload-dir", str(directory)]
    else:
        run.append("--no-reload")
    if no_alias:
        run.append("--no-alias")
    if server_args:
        run += ["--", *server_args]
    return [npx, package, *run]


def dev_command(args: argparse.Namespace, server_args: list[str]) -> int:
    specs = list(args.server_spec)
    if specs and specs[0] == "inspector" and not Path("inspector").exists():
        specs = specs[1:]  # FastMCP 4 spells it `fastmcp dev inspector FILE`
    if len(specs) > 1:
        raise CliError(f"dev takes one server file, got {' '.join(specs)}")
    target = resolve_target(specs[0] if specs else None)
    if not target.path.is_file():
        raise CliError(f"no such file: {target.path}")
    npx = find_npx()
    if npx is None:
        raise CliError(NO_NODE_MESSAGE)
    command = inspector_command(
        npx,
        target.spec,
        inspector_version=args.inspector_version,
        reload=args.reload,
        reload_dirs=args.reload_dir,
        no_alias=args.no_alias,
        server_args=server_args,
    )
    env = dict(os.environ)
    if args.ui_port:
        env["CLIENT_PORT"] = str(args.ui_port)
    if args.server_port:
        env["SERVER_PORT"] = str(args.server_port)
    try:
        return subprocess.run(command, env=env, check=False).returncode
    except FileNotFoundError:
        raise CliError(NO_NODE_MESSAGE) from None
    except KeyboardInterrupt:
        return 130
