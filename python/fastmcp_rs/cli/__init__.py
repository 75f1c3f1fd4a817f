"""The ``fastmcp-rs`` command line: FastMCP 4's CLI (``run``, ``inspect``, ``dev``, ``install``, ``version``),
serving with the native core.

``fastmcp-rs run server.py`` serves a file written for FastMCP without editing it: in that process
``fastmcp`` and ``mcp.server.fastmcp`` (and their submodules) are served by ``fastmcp_rs`` (see
``_alias``; ``--no-alias`` turns that off).
"""

from __future__ import annotations

import argparse
import sys

from ._config import CliError

__all__ = ["CliError", "build_parser", "main"]

_TAKES_SERVER_ARGS = ("run", "dev", "inspect")


def build_parser() -> argparse.ArgumentParser:
    from fastmcp_rs import __version__

    from . import _dev, _inspect, _install, _run

    parser = argparse.ArgumentParser(
        prog="fastmcp-rs",
        description="FastMCP servers, served by a native Rust core (FastMCP 4's CLI).",
        epilog="Arguments after `--` are passed to the server file as sys.argv[1:] (run, dev, inspect).",
    )
    parser.add_argument("--version", action="version", version=f"fastmcp-rs {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="command")
    run = sub.add_parser(
        "run",
        help="serve a server file (or fastmcp.json)",
        description="Serve path/to/server.py[:object], or fastmcp.json, with the native core.",
    )
    _run.add_arguments(run)
    inspect = sub.add_parser(
        "inspect",
        help="list a server's tools, resources, templates and prompts",
        description="Report a server's components: a summary, or JSON with --format fastmcp|mcp.",
    )
    _inspect.add_arguments(inspect)
    dev = sub.add_parser(
        "dev",
        help="run the server under the MCP Inspector (needs Node.js)",
        description="Run `npx @modelcontextprotocol/inspector` pointed at `fastmcp-rs run FILE` over stdio.",
    )
    _dev.add_arguments(dev)
    install = sub.add_parser(
        "install",
        help="register the server with an MCP client",
        description="Register the server with Claude Code, Claude Desktop or Cursor, or print its config.",
    )
    _install.add_arguments(install)
    sub.add_parser("version", help="show version information", description="Show version information.")
    return parser


def main(argv: list[str] | None = None) -> int:
    """The console script: ``fastmcp-rs <command> ...``; returns the exit status."""
    argv = list(sys.argv[1:] if argv is None else argv)
    server_args: list[str] = []
    if "--" in argv:
        at = argv.index("--")
        argv, server_args = argv[:at], argv[at + 1 :]
    parser = build_parser()
    args = parser.parse_args(argv)
    if server_args and args.command not in _TAKES_SERVER_ARGS:
        parser.error(f"arguments after -- are only for {', '.join(_TAKES_SERVER_ARGS)}")
    try:
        if args.command == "run":
            from ._run import run

            return run(args, server_args)
        if args.command == "inspect":
            from ._inspect import inspect_command

            return inspect_command(args, server_args)
        if args.command == "dev":
            from ._dev import dev_command

            return dev_command(args, server_args)
        if args.command == "install":
            from ._install import install_command

            return install_command(args)
        from ._version import version_text

        print(version_text())
        return 0
    except CliError as exc:
        print(f"fastmcp-rs: {exc}", file=sys.stderr, flush=True)
        return 1
    except KeyboardInterrupt:
        return 130
