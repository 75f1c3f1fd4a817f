"""``fastmcp-rs run``: serve a server file (or ``fastmcp.json``) without editing it."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from pathlib import Path
from typing import Any, TextIO

from fastmcp_rs import FastMCP, __version__

from . import _alias
from ._config import CliError, Target, resolve_target
from ._load import Found, load_server

__all__ = ["add_arguments", "banner_line", "child_command", "run", "should_show_banner"]

TRANSPORTS = ("stdio", "http", "streamable-http", "sse")
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


def self_command() -> list[str]:
    """How to start fastmcp-rs again with this interpreter."""
    return [sys.executable, "-m", "fastmcp_rs.cli"]


def add_arguments(parser: argparse.ArgumentParser, *, reload_default: bool = False) -> None:
    parser.add_argument(
        "server_spec",
        nargs="?",
        help="path/to/server.py, path/to/server.py:object, or a fastmcp.json (default: ./fastmcp.json)",
    )
    parser.add_argument("-t", "--transport", choices=TRANSPORTS, help="transport (default: stdio)")
    parser.add_argument("--host", help="host to bind for HTTP (default: the server's, 127.0.0.1)")
    parser.add_argument("-p", "--port", type=int, help="port to bind for HTTP (default: the server's, 8000)")
    parser.add_argument("--path", help="URL path of the MCP endpoint (default: /mcp)")
    parser.add_argument("--stateless", action="store_true", help="stateless Streamable HTTP (no sessions)")
    parser.add_argument("--json-response", action="store_true", help="answer POSTs with application/json")
    parser.add_argument("-l", "--log-level", type=str.upper, choices=LOG_LEVELS, help="Python log level (stderr)")
    parser.add_argument("--no-banner", action="store_true", help="don't print the one-line banner over stdio")
    parser.add_argument(
        "--reload",
        action=argparse.BooleanOptionalAction,
        default=reload_default,
        help="restart the server when .py files under the server file's directory change",
    )
    parser.add_argument(
        "--reload-dir", action="append", type=Path, default=None, help="directory to watch (repeatable)"
    )
    parser.add_argument(
        "--no-alias",
        action="store_true",
        help="don't serve `fastmcp` / `mcp.server.fastmcp` imports with fastmcp_rs",
    )


def should_show_banner(transport: str, no_banner: bool, stream: TextIO | None = None) -> bool:
    """The banner goes to stderr only over stdio on a terminal (over HTTP the server prints its address)."""
    if no_banner or transport != "stdio":
        return False
    stream = sys.stderr if stream is None else stream
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


def banner_line(server: FastMCP, transport: str) -> str:
    version = f" {server.version}" if getattr(server, "version", None) else ""
    return f"fastmcp-rs {__version__}: serving {server.name!r}{version} over {transport} (native core)"


def _configure_logging(level: str | None) -> None:
    if level:
        logging.basicConfig(
            level=getattr(logging, level),
            stream=sys.stderr,
            format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        )


def _transport_kwargs(args: argparse.Namespace, transport: str, target: Target) -> dict[str, Any]:
    d = target.deployment
    kwargs: dict[str, Any] = {}
    if transport == "stdio":
        return kwargs
    kwargs["host"] = args.host or d.host
    kwargs["port"] = args.port if args.port is not None else d.port
    kwargs["path"] = args.path or d.path
    log_level = args.log_level or d.log_level
    if log_level:
        kwargs["log_level"] = log_level
    if transport == "sse":
        if kwargs["path"]:
            kwargs["sse_path"] = kwargs["path"]  # FastMCP's --path names the SSE endpoint for sse
        return kwargs
    kwargs["stateless_http"] = True if args.stateless else None
    kwargs["json_response"] = True if args.json_response else None
    return kwargs


def child_command(
    args: argparse.Namespace, target: Target, transport: str, server_args: list[str], *, extra: list[str] = ()
) -> list[str]:
    """The ``run`` command a reload parent (or ``dev``) starts: the same options, ``--no-reload``."""
    d = target.deployment
    cmd = [*self_command(), "run", target.spec, "--transport", transport]
    if transport != "stdio":
        host, port, path = args.host or d.host, args.port if args.port is not None else d.port, args.path or d.path
        if host:
            cmd += ["--host", host]
        if port is not None:
            cmd += ["--port", str(port)]
        if path:
            cmd += ["--path", path]
    if args.log_level or d.log_level:
        cmd += ["--log-level", args.log_level or d.log_level]
    for flag, on in (
        ("--stateless", args.stateless),
        ("--json-response", args.json_response),
        ("--no-banner", args.no_banner),
        ("--no-alias", args.no_alias),
    ):
        if on:
            cmd.append(flag)
    cmd += [*extra, "--no-reload"]
    if server_args:
        cmd += ["--", *server_args]
    return cmd


async def _serve_from_async_factory(found: Found, transport: str, kwargs: dict[str, Any], banner: bool) -> None:
    server = await found.build_async()
    if banner:
        print(banner_line(server, transport), file=sys.stderr, flush=True)
    await server.run_async(transport, **kwargs)


def run(args: argparse.Namespace, server_args: list[str]) -> int:
    target = resolve_target(args.server_spec)
    d = target.deployment
    from ..server.server import _environment_transport

    # As `fastmcp run`: the flag, then fastmcp.json, then FASTMCP_TRANSPORT (environment or `.env`).
    transport = args.transport or d.transport or _environment_transport() or "stdio"
    if transport == "streamable-http":
        transport = "http"
    server_args = list(server_args) or list(d.args or [])
    target.apply_runtime_settings()
    if target.environment.is_set():
        print(
            "fastmcp-rs: note: the fastmcp.json `environment` (uv) settings are not applied by run; "
            f"serving with {sys.executable}",
            file=sys.stderr,
            flush=True,
        )

    if args.reload:
        if transport == "sse":
            print("fastmcp-rs: --reload is not supported with SSE; running without it", file=sys.stderr, flush=True)
        else:
            dirs = args.reload_dir or [target.path.parent]
            extra = ["--stateless"] if transport == "http" and not args.stateless else []
            return _reload_run(child_command(args, target, transport, server_args, extra=extra), dirs, transport)

    _configure_logging(args.log_level or d.log_level)
    if transport == "stdio":
        from ..server.server import guard_stdout_early

        guard_stdout_early()  # what the file prints while it is imported stays out of the protocol too
    aliasing = not args.no_alias
    if aliasing:
        _alias.install()
    sys.argv = [str(target.path), *server_args]
    found = load_server(target.path, target.entrypoint, aliasing=aliasing)
    kwargs = _transport_kwargs(args, transport, target)
    banner = should_show_banner(transport, args.no_banner)
    try:
        if found.is_async_factory:
            try:
                asyncio.run(_serve_from_async_factory(found, transport, kwargs, banner))
            except KeyboardInterrupt:
                pass
        else:
            server = found.build()
            if banner:
                print(banner_line(server, transport), file=sys.stderr, flush=True)
            server.run(transport, **kwargs)  # type: ignore[arg-type]
    except NotImplementedError as exc:
        raise CliError(f"cannot serve over {transport}: {exc}") from None
    return 0


def _reload_run(command: list[str], dirs: list[Path], transport: str) -> int:
    from ._reload import run_with_reload

    return run_with_reload(command, [Path(d).resolve() for d in dirs], stdio=transport == "stdio")
