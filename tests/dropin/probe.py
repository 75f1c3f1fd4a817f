"""Drive one MCP server over stdio the way a client does and print everything it answered, as JSON.

    python probe.py [--timeout S] -- <server command ...>

The probe speaks raw JSON-RPC on the server's stdin/stdout, so what it records is exactly what was on the
wire: the ``initialize`` result, every page of every listing, a read of every static resource and of every
template (its parameters filled in), a ``prompts/get`` of every prompt and a ``tools/call`` of every tool with
arguments made from its input schema, completions when the server offers them, and the notifications that
arrived while each request was open. Requests the server sends back (sampling, elicitation, roots, ping) get
fixed, deterministic answers. The same probe drives the reference (FastMCP 4.2.3) and fastmcp-rs; the test
(``tests/test_dropin_corpus.py``) compares the two documents.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import re
import sys
from typing import Any

PROTOCOL_VERSION = "2025-11-25"
SAMPLE_TEXT = "sampled answer"


def _resolve(schema: Any, root: dict[str, Any], seen: int = 0) -> Any:
    while isinstance(schema, dict) and "$ref" in schema and seen < 32:
        ref = schema["$ref"]
        target: Any = root
        if ref.startswith("#/"):
            for part in ref[2:].split("/"):
                target = target.get(part, {}) if isinstance(target, dict) else {}
        else:
            target = {}
        rest = {k: v for k, v in schema.items() if k != "$ref"}
        schema = {**target, **rest} if rest else target
        seen += 1
    return schema


def sample(schema: Any, root: dict[str, Any], depth: int = 0) -> Any:
    """A value that satisfies ``schema`` in the usual cases (no patterns): what a test client would send."""
    schema = _resolve(schema, root)
    if not isinstance(schema, dict) or depth > 8:
        return "test"
    if "const" in schema:
        return schema["const"]
    if schema.get("enum"):
        return schema["enum"][0]
    if "examples" in schema and isinstance(schema["examples"], list) and schema["examples"]:
        return schema["examples"][0]
    for key in ("anyOf", "oneOf"):
        if schema.get(key):
            options = [_resolve(o, root) for o in schema[key]]
            usable = [o for o in options if not (isinstance(o, dict) and o.get("type") == "null")]
            return sample((usable or options)[0], root, depth + 1)
    if schema.get("allOf"):
        merged: dict[str, Any] = {}
        for part in schema["allOf"]:
            merged.update(_resolve(part, root))
        return sample(merged, root, depth + 1)
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "string")
    if kind is None:
        kind = "object" if "properties" in schema else "string"
    if kind == "string":
        fmt = schema.get("format")
        value = {
            "date-time": "2026-01-01T00:00:00Z",
            "date": "2026-01-01",
            "time": "12:00:00",
            "uri": "https://example.com/",
            "email": "ada@example.com",
            "uuid": "00000000-0000-4000-8000-000000000000",
        }.get(fmt or "", "test")
        low = schema.get("minLength", 0)
        if len(value) < low:
            value = value + "x" * (low - len(value))
        high = schema.get("maxLength")
        return value[:high] if high is not None else value
    if kind in ("integer", "number"):
        low = schema.get("minimum", schema.get("exclusiveMinimum"))
        high = schema.get("maximum", schema.get("exclusiveMaximum"))
        value: Any = 2 if kind == "integer" else 2.5
        if low is not None and value <= low:
            value = low + 1
        if high is not None and value >= high:
            value = high - 1 if low is None or high - 1 > low else low
        return int(value) if kind == "integer" else value
    if kind == "boolean":
        return True
    if kind == "null":
        return None
    if kind == "array":
        items = schema.get("items", {})
        count = max(1, schema.get("minItems", 1))
        if schema.get("maxItems") is not None:
            count = min(count, schema["maxItems"])
        if isinstance(schema.get("prefixItems"), list):
            return [sample(s, root, depth + 1) for s in schema["prefixItems"]]
        return [sample(items, root, depth + 1) for _ in range(count)]
    if kind == "object":
        props = schema.get("properties", {})
        required = schema.get("required", [])
        return {name: sample(props.get(name, {}), root, depth + 1) for name in required}
    return "test"


def arguments_for(schema: dict[str, Any]) -> dict[str, Any]:
    value = sample(schema, schema)
    return value if isinstance(value, dict) else {}


_TEMPLATE_VAR = re.compile(r"\{([+#./;?&]?)([^}]*)\}")


def fill_template(template: str) -> str:
    def one(match: re.Match[str]) -> str:
        op, names = match.group(1), match.group(2)
        if op in ("?", "&"):
            return ""
        if names.endswith("*"):
            return "a/b" if op != "" or True else "a"
        return ",".join("test" for _ in names.split(","))

    return _TEMPLATE_VAR.sub(one, template)


class Peer:
    """One JSON-RPC peer on a child process's stdio."""

    def __init__(self, proc: asyncio.subprocess.Process, timeout: float) -> None:
        self.proc = proc
        self.timeout = timeout
        self.next_id = 0
        self.pending: dict[int, asyncio.Future[dict[str, Any]]] = {}
        self.notes: list[dict[str, Any]] = []
        self.server_requests: list[dict[str, Any]] = []
        self.reader = asyncio.ensure_future(self._read())
        self.answering: set[asyncio.Future[None]] = set()

    async def _write(self, message: dict[str, Any]) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(json.dumps(message).encode() + b"\n")
        await self.proc.stdin.drain()

    async def _read(self) -> None:
        assert self.proc.stdout is not None
        while True:
            line = await self.proc.stdout.readline()
            if not line:
                break
            try:
                message = json.loads(line)
            except ValueError:
                self.notes.append({"non-json stdout line": line.decode(errors="replace").rstrip()})
                continue
            if "method" in message and "id" in message:
                task = asyncio.ensure_future(self._answer(message))
                self.answering.add(task)
                task.add_done_callback(self.answering.discard)
            elif "method" in message:
                self.notes.append(message)
            else:
                future = self.pending.pop(message.get("id"), None)
                if future is not None and not future.done():
                    future.set_result(message)
        for future in self.pending.values():
            if not future.done():
                future.set_result({"error": {"code": "closed", "message": "the server closed stdout"}})

    async def _answer(self, message: dict[str, Any]) -> None:
        method, params = message["method"], message.get("params") or {}
        self.server_requests.append({"method": method, "params": params})
        result: dict[str, Any]
        if method == "sampling/createMessage":
            result = {"role": "assistant", "content": {"type": "text", "text": SAMPLE_TEXT}, "model": "probe"}
        elif method == "elicitation/create":
            if params.get("mode") == "url":
                result = {"action": "accept"}
            else:
                result = {"action": "accept", "content": arguments_for(params.get("requestedSchema") or {})}
        elif method == "roots/list":
            result = {"roots": [{"uri": "file:///tmp/probe-root", "name": "probe"}]}
        else:
            result = {}
        await self._write({"jsonrpc": "2.0", "id": message["id"], "result": result})

    async def notify(self, method: str, params: dict[str, Any] | None = None) -> None:
        message: dict[str, Any] = {"jsonrpc": "2.0", "method": method}
        if params is not None:
            message["params"] = params
        await self._write(message)

    async def request(self, method: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
        """The response (``result`` or ``error``), with the notifications that arrived while it was open."""
        self.next_id += 1
        rid = self.next_id
        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self.pending[rid] = future
        start = len(self.notes)
        requests_start = len(self.server_requests)
        message: dict[str, Any] = {"jsonrpc": "2.0", "id": rid, "method": method}
        if params is not None:
            message["params"] = params
        await self._write(message)
        try:
            response = await asyncio.wait_for(future, self.timeout)
        except asyncio.TimeoutError:
            self.pending.pop(rid, None)
            await self.notify("notifications/cancelled", {"requestId": rid, "reason": "probe timeout"})
            response = {"error": {"code": "timeout", "message": f"no answer in {self.timeout} s"}}
        await asyncio.sleep(0)  # notifications written just before the response
        out = {k: v for k, v in response.items() if k in ("result", "error")}
        notes = self.notes[start:]
        if notes:
            out["notifications"] = notes
        asked = self.server_requests[requests_start:]
        if asked:
            out["server_requests"] = asked
        return out


async def listing(peer: Peer, method: str, key: str) -> tuple[list[Any], list[dict[str, Any]]]:
    items: list[Any] = []
    pages: list[dict[str, Any]] = []
    cursor = None
    for _ in range(50):
        answer = await peer.request(method, {"cursor": cursor} if cursor else {})
        pages.append(answer)
        result = answer.get("result")
        if not isinstance(result, dict):
            break
        items.extend(result.get(key, []))
        cursor = result.get("nextCursor")
        if not cursor:
            break
    return items, pages


async def probe(command: list[str], timeout: float, env: dict[str, str] | None) -> dict[str, Any]:
    proc = await asyncio.create_subprocess_exec(
        *command,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env=env,
        limit=64 * 1024 * 1024,
    )
    assert proc.stderr is not None
    stderr_task = asyncio.ensure_future(proc.stderr.read())
    peer = Peer(proc, timeout)
    doc: dict[str, Any] = {}
    try:
        init = await peer.request(
            "initialize",
            {
                "protocolVersion": PROTOCOL_VERSION,
                "capabilities": {"sampling": {}, "elicitation": {"form": {}, "url": {}}, "roots": {}},
                "clientInfo": {"name": "dropin-probe", "version": "1"},
            },
        )
        doc["initialize"] = init
        if "result" not in init:
            return doc
        await peer.notify("notifications/initialized")
        caps = init["result"].get("capabilities", {})
        tools, doc["tools/list"] = await listing(peer, "tools/list", "tools")
        resources, doc["resources/list"] = await listing(peer, "resources/list", "resources")
        templates, doc["resources/templates/list"] = await listing(
            peer, "resources/templates/list", "resourceTemplates"
        )
        prompts, doc["prompts/list"] = await listing(peer, "prompts/list", "prompts")
        reads: dict[str, Any] = {}
        for resource in resources:
            uri = resource.get("uri")
            if isinstance(uri, str):
                reads[uri] = await peer.request("resources/read", {"uri": uri})
        for template in templates:
            uri = fill_template(str(template.get("uriTemplate", "")))
            reads.setdefault(uri, await peer.request("resources/read", {"uri": uri}))
        doc["resources/read"] = reads
        gets: dict[str, Any] = {}
        for prompt in prompts:
            args = {a["name"]: "test" for a in prompt.get("arguments") or [] if a.get("required")}
            gets[prompt["name"]] = await peer.request("prompts/get", {"name": prompt["name"], "arguments": args})
        doc["prompts/get"] = gets
        calls: dict[str, Any] = {}
        for n, tool in enumerate(tools):
            args = arguments_for(tool.get("inputSchema") or {})
            answer = await peer.request(
                "tools/call", {"name": tool["name"], "arguments": args, "_meta": {"progressToken": f"p{n}"}}
            )
            calls[tool["name"]] = {"arguments": args, **answer}
        doc["tools/call"] = calls
        if "completions" in caps:
            completions: dict[str, Any] = {}
            for prompt in prompts:
                for arg in prompt.get("arguments") or []:
                    ref = {"type": "ref/prompt", "name": prompt["name"]}
                    completions[f"prompt:{prompt['name']}:{arg['name']}"] = await peer.request(
                        "completion/complete", {"ref": ref, "argument": {"name": arg["name"], "value": ""}}
                    )
            for template in templates:
                for var in re.findall(r"\{[+#./;?&]?([^}*]+)\*?\}", str(template.get("uriTemplate", ""))):
                    for name in var.split(","):
                        ref = {"type": "ref/resource", "uri": template["uriTemplate"]}
                        completions[f"template:{template['uriTemplate']}:{name}"] = await peer.request(
                            "completion/complete", {"ref": ref, "argument": {"name": name, "value": ""}}
                        )
            doc["completion/complete"] = completions
        doc["ping"] = await peer.request("ping")
        doc["unknown method"] = await peer.request("no/such/method", {})
    finally:
        assert proc.stdin is not None
        with contextlib.suppress(Exception):
            proc.stdin.close()
        try:
            doc["exit"] = await asyncio.wait_for(proc.wait(), 10)
        except asyncio.TimeoutError:
            proc.kill()
            doc["exit"] = f"did not exit within 10 s of stdin closing (killed, {await proc.wait()})"
        peer.reader.cancel()
        doc["stderr"] = (await stderr_task).decode(errors="replace")[-4000:]
        if peer.notes:
            doc["stray notifications"] = [n for n in peer.notes if n.get("method") != "notifications/message"][:20]
    return doc


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--timeout", type=float, default=20.0)
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    doc = asyncio.run(probe(command, args.timeout, dict(os.environ)))
    json.dump(doc, sys.stdout, indent=1, sort_keys=True, ensure_ascii=False)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
