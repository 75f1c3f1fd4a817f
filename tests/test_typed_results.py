"""Results of annotations pydantic serializes (`tests/servers/typed_results.py`) are written to JSON once and
spliced by the core; every answer must be the one FastMCP 4 gives, over stdio, in both eras."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

SERVER = Path(__file__).parent / "servers" / "typed_results.py"
TOOLS = [
    ("customers", {}),
    ("customers", {"n": 0}),
    ("customer", {"i": 3}),
    ("maybe_customer", {}),
    ("maybe_customer", {"found": True}),
    ("by_id", {}),
    ("aliased", {}),
    ("aliased_list", {}),
    ("point", {}),
    ("pair", {}),
    ("when", {}),
    ("key", {}),
    ("money", {}),
    ("tier", {}),
    ("mode", {}),
    ("ratio", {}),
    ("ratio", {"whole": False}),
    ("floats", {}),
    ("tuple_result", {}),
    ("tags", {}),
    ("labelled", {}),
    ("empty", {}),
    ("blank", {}),
    ("wrong_type", {}),
    ("wrong_list", {}),
    ("images_in_list", {}),
    ("full_result_anyway", {}),
    ("nested", {}),
    ("unschemaed", {}),
    ("unschemaed_model", {}),
    ("async_customers", {"n": 3}),
    ("raises", {}),
]
MODERN_META = {
    "io.modelcontextprotocol/protocolVersion": "2026-07-28",
    "io.modelcontextprotocol/clientCapabilities": {},
}


def transcript(impl: str, era: str) -> list[Any]:
    """`tools/list` and every call in `TOOLS`, over stdio (after a handshake in the handshake era)."""
    messages: list[dict[str, Any]] = []
    if era == "handshake":
        messages += [
            {
                "jsonrpc": "2.0",
                "id": 0,
                "method": "initialize",
                "params": {
                    "protocolVersion": "2025-06-18",
                    "capabilities": {},
                    "clientInfo": {"name": "t", "version": "1"},
                },
            },
            {"jsonrpc": "2.0", "method": "notifications/initialized"},
        ]
    meta = {"_meta": MODERN_META} if era == "modern" else {}
    calls = [("tools/list", {**meta})] + [
        ("tools/call", {"name": name, "arguments": args, **meta}) for name, args in TOOLS
    ]
    messages += [{"jsonrpc": "2.0", "id": i, "method": m, "params": p} for i, (m, p) in enumerate(calls, 1)]
    env = {**os.environ, "RESULTS_IMPL": impl, "FASTMCP_SHOW_SERVER_BANNER": "false", "FASTMCP_LOG_LEVEL": "CRITICAL"}
    proc = subprocess.Popen(
        [sys.executable, str(SERVER)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env=env,
    )
    assert proc.stdin is not None and proc.stdout is not None
    answers: dict[int, Any] = {}
    for message in messages:
        proc.stdin.write(json.dumps(message).encode() + b"\n")
        proc.stdin.flush()
        if "id" not in message:
            continue
        while True:
            line = proc.stdout.readline()
            assert line, f"{impl} closed stdout"
            answer = json.loads(line)
            if answer.get("id") == message["id"] and "method" not in answer:
                answers[message["id"]] = answer
                break
    proc.stdin.close()
    proc.wait(20)
    out = [answers[i] for i in range(1, len(calls) + 1)]
    for answer in out:
        # Who answered, and FastMCP's own version: not part of the comparison.
        answer.get("result", {}).get("_meta", {}).pop("io.modelcontextprotocol/serverInfo", None)
        if answer.get("result", {}).get("_meta") == {}:
            del answer["result"]["_meta"]
    return out


def normalized(answer: Any) -> Any:
    """The answer with each text block's JSON parsed (both sides write the same data; float spelling is
    pydantic's on both, checked separately below)."""
    # Class paths in error texts name the package that serves the file.
    answer = json.loads(json.dumps(answer).replace("fastmcp_rs.", "fastmcp."))
    for block in answer.get("result", {}).get("content", []):
        if block.get("type") == "text":
            try:
                block["text"] = ("json", json.loads(block["text"]))
            except ValueError:
                pass
    return answer


@pytest.mark.parametrize("era", ["handshake", "modern"])
def test_typed_results_match_fastmcp(era: str) -> None:
    pytest.importorskip("fastmcp")
    ours, theirs = transcript("native", era), transcript("fastmcp", era)
    asked = ["tools/list", *TOOLS]
    differences = [
        f"{asked[i]}:\n  ours:    {json.dumps(a, sort_keys=True)}\n  FastMCP: {json.dumps(b, sort_keys=True)}"
        for i, (a, b) in enumerate(zip(ours, theirs, strict=True))
        if normalized(a) != normalized(b)
    ]
    assert not differences, "\n".join(differences)
    # The text blocks are the same characters, not only the same data (pydantic's float and date spellings).
    texts = [
        [(b.get("text")) for b in a.get("result", {}).get("content", []) if b.get("type") == "text"] for a in ours[1:]
    ]
    their_texts = [
        [(b.get("text")) for b in a.get("result", {}).get("content", []) if b.get("type") == "text"] for a in theirs[1:]
    ]
    assert json.loads(json.dumps(texts).replace("fastmcp_rs.", "fastmcp.")) == their_texts


def test_pydantic_results_take_the_native_path() -> None:
    """The tools above whose values are data are served by the core's one-pass serializer, not `convert`."""
    sys.path.insert(0, str(SERVER.parent))
    try:
        import typed_results
    finally:
        sys.path.remove(str(SERVER.parent))
    import asyncio

    tools = {t.name: t for t in asyncio.run(typed_results.mcp.list_tools())}
    shapes = {name: tools[name]._native_spec()["result_shape"] for name in ("customers", "customer", "by_id", "when")}
    assert shapes == {"customers": "json-wrapped", "customer": "json", "by_id": "json", "when": "json-wrapped"}
    assert tools["unschemaed"]._native_spec()["result_shape"] == "json-untyped"
    spec = tools["customers"]._native_spec()
    assert spec["result_json"](typed_results.customers(1)).startswith(b'[{"id":0,')
