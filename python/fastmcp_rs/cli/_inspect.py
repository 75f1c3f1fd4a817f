"""``fastmcp-rs inspect``: a server's tools, resources, templates and prompts, as FastMCP 4 reports them.

``--format mcp`` is what the server lists on the wire: the file is served by ``fastmcp-rs run`` in a child
process over stdio and asked (``initialize``, then every page of ``tools/list``, ``prompts/list``,
``resources/list`` and ``resources/templates/list``). ``--format fastmcp`` and the text summary read the
server object in this process, since they carry what the wire does not (keys, tags, explicit titles,
template parameter schemas)."""

from __future__ import annotations

import argparse
import asyncio
import json
import queue
import re
import subprocess
import sys
import tempfile
import threading
from pathlib import Path
from typing import IO, Any

from fastmcp_rs import FastMCP, __version__

from . import _alias
from ._config import CliError, Target, resolve_target
from ._load import load_server
from ._run import self_command
from ._version import latest_protocol_version

__all__ = ["add_arguments", "fastmcp_info", "inspect_command", "mcp_info"]

CLIENT_INFO = {"name": "fastmcp-rs-inspect", "version": __version__}
TIMEOUT = 60.0

TOOL_ANNOTATIONS = ("title", "read_only_hint", "destructive_hint", "idempotent_hint", "open_world_hint")
RESOURCE_ANNOTATIONS = ("audience", "priority", "last_modified")

# What fastmcp-rs's native core answers `initialize` with (tests check it against the wire); `completions`
# is declared when the server has a completion handler.
CAPABILITIES: dict[str, Any] = {
    "logging": {},
    "prompts": {"listChanged": True},
    "resources": {"subscribe": True, "listChanged": True},
    "tools": {"listChanged": True},
}


def _capabilities(server: FastMCP) -> dict[str, Any]:
    capabilities = dict(CAPABILITIES)
    if getattr(server, "_completion_handler", None) is not None:
        capabilities["completions"] = {}
    return capabilities


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("server_spec", nargs="?", help="path/to/server.py[:object] or a fastmcp.json")
    parser.add_argument(
        "-f", "--format", choices=("fastmcp", "mcp"), help="JSON output: fastmcp (FastMCP's report) or mcp (the wire)"
    )
    parser.add_argument("-o", "--output", type=Path, help="write the JSON report to this file (needs --format)")
    parser.add_argument("--no-alias", action="store_true", help="don't serve fastmcp imports with fastmcp_rs")


def environment() -> dict[str, Any]:
    return {"fastmcp-rs": __version__, "mcp": latest_protocol_version()}


# -- the wire (--format mcp) --------------------------------------------------------------------------------


class StdioClient:
    """A minimal JSON-RPC client for an MCP server speaking over a child's stdin/stdout."""

    def __init__(self, command: list[str], env: dict[str, str] | None = None) -> None:
        self._stderr: IO[bytes] = tempfile.TemporaryFile()
        self.proc = subprocess.Popen(
            command,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._stderr,
            env=env,
        )
        self._lines: queue.Queue[bytes | None] = queue.Queue()
        self._next_id = 0
        threading.Thread(target=self._pump, daemon=True).start()

    def _pump(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self._lines.put(line)
        self._lines.put(None)

    def stderr_text(self) -> str:
        self._stderr.seek(0)
        return self._stderr.read().decode(errors="replace")

    def _failed(self, what: str) -> CliError:
        self.close()
        detail = self.stderr_text().strip()
        return CliError(f"{what}" + (f"; the server said:\n{detail}" if detail else ""))

    def send(self, message: dict[str, Any]) -> None:
        assert self.proc.stdin is not None
        try:
            self.proc.stdin.write(json.dumps(message).encode() + b"\n")
            self.proc.stdin.flush()
        except (BrokenPipeError, OSError):
            raise self._failed("the server exited before answering") from None

    def request(self, method: str, params: dict[str, Any] | None = None, timeout: float = TIMEOUT) -> Any:
        self._next_id += 1
        rid = self._next_id
        self.send({"jsonrpc": "2.0", "id": rid, "method": method, "params": params or {}})
        while True:
            try:
                line = self._lines.get(timeout=timeout)
            except queue.Empty:
                raise self._failed(f"no answer to {method} within {timeout:.0f}s") from None
            if line is None:
                raise self._failed(f"the server exited before answering {method}")
            try:
                message = json.loads(line)
            except json.JSONDecodeError:
                continue
            if not isinstance(message, dict) or message.get("id") != rid or "method" in message:
                continue
            if "error" in message:
                raise _RpcError(message["error"])
            return message.get("result")

    def list_all(self, method: str, key: str) -> list[Any]:
        items: list[Any] = []
        cursor = None
        while True:
            try:
                result = self.request(method, {"cursor": cursor} if cursor else None)
            except _RpcError as exc:
                if exc.code == -32601:  # the server has no such listing
                    return items
                raise CliError(f"{method} failed: {exc}") from None
            items.extend(result.get(key, []))
            cursor = result.get("nextCursor")
            if not cursor:
                return items

    def close(self) -> None:
        if self.proc.stdin is not None and not self.proc.stdin.closed:
            try:
                self.proc.stdin.close()
            except OSError:
                pass
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


class _RpcError(Exception):
    def __init__(self, error: Any) -> None:
        self.code = error.get("code") if isinstance(error, dict) else None
        self.message = error.get("message") if isinstance(error, dict) else str(error)
        super().__init__(f"{self.message} ({self.code})")


def _child_command(target: Target, args: argparse.Namespace, server_args: list[str]) -> list[str]:
    cmd = [*self_command(), "run", target.spec, "--transport", "stdio", "--no-banner", "--no-reload"]
    if args.no_alias:
        cmd.append("--no-alias")
    if server_args:
        cmd += ["--", *server_args]
    return cmd


def mcp_info(command: list[str]) -> dict[str, Any]:
    """The MCP-format report: exactly what the server answers on the wire."""
    client = StdioClient(command)
    try:
        try:
            init = client.request(
                "initialize",
                {"protocolVersion": latest_protocol_version(), "capabilities": {}, "clientInfo": CLIENT_INFO},
            )
        except _RpcError as exc:
            raise CliError(f"initialize failed: {exc}") from None
        client.send({"jsonrpc": "2.0", "method": "notifications/initialized"})
        return {
            "environment": environment(),
            "serverInfo": init.get("serverInfo"),
            "instructions": init.get("instructions"),
            "capabilities": init.get("capabilities", {}),
            "tools": client.list_all("tools/list", "tools"),
            "prompts": client.list_all("prompts/list", "prompts"),
            "resources": client.list_all("resources/list", "resources"),
            "resourceTemplates": client.list_all("resources/templates/list", "resourceTemplates"),
        }
    finally:
        client.close()


# -- the server object (--format fastmcp, text summary) -----------------------------------------------------


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def _plain(value: Any) -> Any:
    if value is None:
        return None
    dump = getattr(value, "model_dump", None)
    if callable(dump):
        return dump(by_alias=True, exclude_none=True)
    return value


def _annotations(value: Any, fields: tuple[str, ...]) -> dict[str, Any] | None:
    """FastMCP reports annotations as its model dumps them: snake_case, every field (unset ones null)."""
    value = _plain(value)
    if not value:
        return None
    result: dict[str, Any] = dict.fromkeys(fields)
    for key, item in dict(value).items():
        result[_snake(key)] = item
    return result


def _tags(component: Any) -> list[str] | None:
    tags = getattr(component, "tags", None)
    return sorted(tags) if tags else None


def _icons(component: Any) -> list[Any] | None:
    icons = getattr(component, "icons", None)
    return [_plain(i) for i in icons] if icons else None


def _key(kind: str, ident: str, component: Any) -> str:
    version = getattr(component, "version", None)
    return f"{kind}:{ident}@{version if isinstance(version, str) else ''}"


def _listing(component: Any, method: str) -> dict[str, Any]:
    to_mcp = getattr(component, method, None)
    if callable(to_mcp):
        entry = to_mcp()
        return dict(entry) if isinstance(entry, dict) else dict(_plain(entry) or {})
    return {}


def _template_parameters(template: Any) -> dict[str, Any] | None:
    """The JSON schema of the template function's parameters, as FastMCP reports it."""
    parameters = getattr(template, "parameters", None)
    if isinstance(parameters, dict):
        return parameters
    fn = getattr(template, "fn", None)
    if fn is not None:
        try:
            from fastmcp_rs import Tool

            return Tool.from_function(fn).parameters
        except Exception:
            pass
    names = list(parameters or ())
    return {"type": "object", "properties": {n: {} for n in names}, "required": names}


def _tool_info(tool: Any) -> dict[str, Any]:
    wire = _listing(tool, "to_mcp_tool")
    name = getattr(tool, "name", None) or wire.get("name")
    return {
        "key": _key("tool", name, tool),
        "name": name,
        "description": getattr(tool, "description", wire.get("description")),
        "input_schema": wire.get("inputSchema") or getattr(tool, "parameters", None) or {},
        "output_schema": getattr(tool, "output_schema", wire.get("outputSchema")),
        "annotations": _annotations(getattr(tool, "annotations", wire.get("annotations")), TOOL_ANNOTATIONS),
        "tags": _tags(tool),
        "title": getattr(tool, "title", None),
        "icons": _icons(tool),
        "meta": getattr(tool, "meta", None) or None,
    }


def _prompt_info(prompt: Any) -> dict[str, Any]:
    wire = _listing(prompt, "to_mcp_prompt")
    name = getattr(prompt, "name", None) or wire.get("name")
    raw = getattr(prompt, "arguments", None)
    if raw is None:
        raw = wire.get("arguments")
    arguments = [
        {
            "name": a.get("name"),
            "title": a.get("title"),
            "description": a.get("description"),
            "required": a.get("required", False),
        }
        for a in (_plain(a) for a in raw or ())
    ]
    return {
        "key": _key("prompt", name, prompt),
        "name": name,
        "description": getattr(prompt, "description", wire.get("description")),
        "arguments": arguments or None,
        "tags": _tags(prompt),
        "title": getattr(prompt, "title", None),
        "icons": _icons(prompt),
        "meta": getattr(prompt, "meta", None) or None,
    }


def _resource_info(resource: Any) -> dict[str, Any]:
    wire = _listing(resource, "to_mcp_resource")
    uri = str(wire.get("uri") or getattr(resource, "uri", ""))
    return {
        "key": _key("resource", uri, resource),
        "uri": uri,
        "name": wire.get("name", getattr(resource, "name", None)),
        "description": getattr(resource, "description", wire.get("description")),
        "mime_type": wire.get("mimeType") or getattr(resource, "mime_type", None),
        "annotations": _annotations(getattr(resource, "annotations", None), RESOURCE_ANNOTATIONS),
        "tags": _tags(resource),
        "title": getattr(resource, "title", None),
        "icons": _icons(resource),
        "meta": getattr(resource, "meta", None) or None,
    }


def _template_info(template: Any) -> dict[str, Any]:
    wire = _listing(template, "to_mcp_template")
    uri_template = str(wire.get("uriTemplate") or getattr(template, "uri_template", ""))
    return {
        "key": _key("template", uri_template, template),
        "uri_template": uri_template,
        "name": wire.get("name", getattr(template, "name", None)),
        "description": getattr(template, "description", wire.get("description")),
        "mime_type": wire.get("mimeType") or getattr(template, "mime_type", None),
        "parameters": _template_parameters(template),
        "annotations": _annotations(getattr(template, "annotations", None), RESOURCE_ANNOTATIONS),
        "tags": _tags(template),
        "title": getattr(template, "title", None),
        "icons": _icons(template),
        "meta": getattr(template, "meta", None) or None,
    }


async def fastmcp_info(server: FastMCP) -> dict[str, Any]:
    """The FastMCP-format report (``fastmcp inspect --format fastmcp``'s shape)."""
    return {
        "server": {
            "name": server.name,
            "instructions": server.instructions,
            "version": server.version,
            "website_url": getattr(server, "website_url", None),
            "icons": _icons(server),
            "generation": 2,
            "capabilities": _capabilities(server),
        },
        "environment": environment(),
        "tools": [_tool_info(t) for t in await server.list_tools()],
        "prompts": [_prompt_info(p) for p in await server.list_prompts()],
        "resources": [_resource_info(r) for r in await server.list_resources()],
        "templates": [_template_info(t) for t in await server.list_resource_templates()],
    }


def _summary(info: dict[str, Any]) -> str:
    server = info["server"]
    lines = ["", "Server", f"  Name:         {server['name']}"]
    if server.get("version"):
        lines.append(f"  Version:      {server['version']}")
    if server.get("website_url"):
        lines.append(f"  Website:      {server['website_url']}")
    lines.append(f"  Generation:   {server['generation']}")
    if server.get("instructions"):
        lines.append(f"  Instructions: {server['instructions']}")
    lines += [
        "",
        "Components",
        f"  Tools:        {len(info['tools'])}",
        f"  Prompts:      {len(info['prompts'])}",
        f"  Resources:    {len(info['resources'])}",
        f"  Templates:    {len(info['templates'])}",
        "",
        "Environment",
        f"  fastmcp-rs:   {info['environment']['fastmcp-rs']}",
        f"  MCP:          {info['environment']['mcp']}",
        "",
        "Use --format [fastmcp|mcp] for complete JSON output",
    ]
    return "\n".join(lines)


def _load_in_process(target: Target, args: argparse.Namespace, server_args: list[str]) -> FastMCP:
    target.apply_runtime_settings()
    aliasing = not args.no_alias
    if aliasing:
        _alias.install()
    saved = sys.argv
    sys.argv = [str(target.path), *(server_args or target.deployment.args or [])]
    try:
        return load_server(target.path, target.entrypoint, aliasing=aliasing).build()
    finally:
        sys.argv = saved


def inspect_command(args: argparse.Namespace, server_args: list[str]) -> int:
    if args.output and not args.format:
        raise CliError("--format is required with -o/--output: use --format fastmcp or --format mcp")
    target = resolve_target(args.server_spec)
    if args.format == "mcp":
        info = mcp_info(_child_command(target, args, server_args))
        name = (info.get("serverInfo") or {}).get("name")
    else:
        server = _load_in_process(target, args, server_args)
        info = asyncio.run(fastmcp_info(server))
        name = server.name
        if args.format is None:
            print(_summary(info))
            return 0
    text = json.dumps(info, indent=2, ensure_ascii=False)
    if args.output:
        out: Path = args.output
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text + "\n", encoding="utf-8")
        print(f"Server inspection saved to: {out}\n  Server: {name}\n  Format: {args.format}")
    else:
        sys.stdout.write(text + "\n")
        sys.stdout.flush()
    return 0
