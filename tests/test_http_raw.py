"""Streamable HTTP at the byte level: every bad input gets a clear status or JSON-RPC error, and none of
them disturbs other clients."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from conftest import HttpServer, start_http_server, stop

ACCEPT_BOTH = "application/json, text/event-stream"
INIT = {
    "jsonrpc": "2.0",
    "id": 1,
    "method": "initialize",
    "params": {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "raw", "version": "0"}},
}


def headers(session: str | None = None, accept: str = ACCEPT_BOTH, **extra: str) -> dict[str, str]:
    h = {"accept": accept, "content-type": "application/json", **extra}
    if session:
        h["mcp-session-id"] = session
    return h


def sse_messages(body: str) -> list[dict[str, Any]]:
    out = []
    for event in body.replace("\r\n", "\n").split("\n\n"):
        data = [line[5:].strip() for line in event.split("\n") if line.startswith("data:")]
        if data:
            out.append(json.loads("\n".join(data)))
    return out


@pytest.fixture(scope="module")
def client() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=10) as c:
        yield c


def open_session(client: httpx.Client, url: str) -> str:
    r = client.post(url, json=INIT, headers=headers())
    assert r.status_code == 200
    session = r.headers["mcp-session-id"]
    assert len(session) == 32 and int(session, 16) >= 0
    r = client.post(url, json={"jsonrpc": "2.0", "method": "notifications/initialized"}, headers=headers(session))
    assert r.status_code == 202 and r.content == b""
    return session


def call(client: httpx.Client, url: str, session: str | None, method: str, params: Any = None, **kw: Any):  # type: ignore[no-untyped-def]
    body: dict[str, Any] = {"jsonrpc": "2.0", "id": 7, "method": method}
    if params is not None:
        body["params"] = params
    return client.post(url, json=body, headers=headers(session, **kw))


def test_initialize_over_sse_and_json(client: httpx.Client, http_server: HttpServer) -> None:
    r = client.post(http_server.url, json=INIT, headers=headers())
    assert r.headers["content-type"] == "text/event-stream"
    [message] = sse_messages(r.text)
    assert message["id"] == 1 and message["result"]["protocolVersion"] == "2025-06-18"
    r = client.post(http_server.url, json=INIT, headers=headers(accept="application/json"))
    assert r.headers["content-type"] == "application/json"
    assert r.json()["result"]["serverInfo"] == {"name": "test-app", "version": "1.4.0"}


def test_tool_call_streams_notifications_before_the_result(client: httpx.Client, http_server: HttpServer) -> None:
    session = open_session(client, http_server.url)
    params = {"name": "chatty", "arguments": {"steps": 2}, "_meta": {"progressToken": "tok"}}
    r = call(client, http_server.url, session, "tools/call", params)
    messages = sse_messages(r.text)
    methods = [m.get("method") for m in messages]
    assert methods == [
        "notifications/message",
        "notifications/message",
        "notifications/message",
        "notifications/progress",
        "notifications/progress",
        None,
    ]
    assert messages[3]["params"] == {"progressToken": "tok", "progress": 1.0, "total": 2.0, "message": "step 1"}
    assert messages[-1]["id"] == 7 and messages[-1]["result"]["isError"] is False


@pytest.mark.parametrize(
    ("body", "code"),
    [
        (b"{not json", -32700),
        (b"[]", -32600),
        (b'[{"jsonrpc":"2.0","id":1,"method":"ping"}]', -32600),
        (b'{"id":1,"method":"ping"}', -32600),
        (b'{"jsonrpc":"2.0","id":1.5,"method":"ping"}', -32600),
        (b'"just a string"', -32600),
        (b'{"jsonrpc":"2.0","id":3,"result":{}}', -32600),
    ],
)
def test_malformed_bodies(client: httpx.Client, http_server: HttpServer, body: bytes, code: int) -> None:
    session = open_session(client, http_server.url)
    r = client.post(http_server.url, content=body, headers=headers(session))
    assert r.status_code == 400
    assert r.json()["error"]["code"] == code


def test_protocol_errors(client: httpx.Client, http_server: HttpServer) -> None:
    session = open_session(client, http_server.url)
    r = call(client, http_server.url, session, "no/such/method", accept="application/json")
    assert r.json()["error"] == {"code": -32601, "message": "Method not found", "data": "no/such/method"}
    r = call(client, http_server.url, session, "tools/call", {"arguments": {}}, accept="application/json")
    assert r.json()["error"]["code"] == -32602
    r = call(client, http_server.url, session, "logging/setLevel", {"level": "loud"}, accept="application/json")
    assert r.json()["error"]["code"] == -32602
    r = call(client, http_server.url, session, "ping", accept="application/json")
    assert r.json() == {"jsonrpc": "2.0", "id": 7, "result": {}}


def test_sessions(client: httpx.Client, http_server: HttpServer) -> None:
    url = http_server.url
    r = call(client, url, None, "tools/list")
    assert r.status_code == 400 and r.json()["error"]["message"] == "Bad Request: Missing session ID"
    r = call(client, url, "0" * 32, "tools/list")
    assert r.status_code == 404
    session = open_session(client, url)
    assert call(client, url, session, "tools/list").status_code == 200
    other = open_session(client, url)
    assert other != session
    r = client.delete(url, headers=headers(session))
    assert r.status_code == 200
    assert call(client, url, session, "tools/list").status_code == 404
    assert call(client, url, other, "tools/list").status_code == 200


def test_headers_and_methods(client: httpx.Client, http_server: HttpServer) -> None:
    url = http_server.url
    session = open_session(client, url)
    r = call(client, url, session, "ping", **{"mcp-protocol-version": "1999-01-01"})
    assert r.status_code == 400
    assert call(client, url, session, "ping", **{"mcp-protocol-version": "2025-06-18"}).status_code == 200
    r = client.post(url, content=json.dumps(INIT), headers={"accept": ACCEPT_BOTH, "content-type": "text/plain"})
    assert r.status_code == 415
    r = client.post(url, json=INIT, headers=headers(accept="text/html"))
    assert r.status_code == 406
    r = client.put(url, json=INIT, headers=headers())
    assert r.status_code == 405 and "POST" in r.headers["allow"]
    r = client.post(http_server.base + "/other", json=INIT, headers=headers())
    assert r.status_code == 404
    r = client.get(url, headers=headers(accept="text/event-stream"))
    assert r.status_code == 400  # no session
    r = client.get(url, headers=headers(session, accept="application/json"))
    assert r.status_code == 406


def test_standalone_get_stream_is_exclusive(http_server: HttpServer) -> None:
    with httpx.Client(timeout=10) as c:
        session = open_session(c, http_server.url)
        with c.stream("GET", http_server.url, headers=headers(session, accept="text/event-stream")) as first:
            assert first.status_code == 200
            assert first.headers["content-type"] == "text/event-stream"
            with httpx.Client(timeout=10) as c2:
                second = c2.get(http_server.url, headers=headers(session, accept="text/event-stream"))
                assert second.status_code == 409


def test_dns_rebinding_protection(client: httpx.Client, http_server: HttpServer) -> None:
    r = client.post(http_server.url, json=INIT, headers=headers(host="evil.example:80"))
    assert r.status_code == 421
    r = client.post(http_server.url, json=INIT, headers=headers(origin="http://evil.example"))
    assert r.status_code == 403
    port = http_server.url.split(":")[2].split("/")[0]
    r = client.post(http_server.url, json=INIT, headers=headers(origin=f"http://localhost:{port}"))
    assert r.status_code == 200


def test_body_limit(client: httpx.Client, http_server: HttpServer) -> None:
    session = open_session(client, http_server.url)
    big = {
        "jsonrpc": "2.0",
        "id": 9,
        "method": "tools/call",
        "params": {"name": "echo", "arguments": {"text": "x" * (4 * 1024 * 1024)}},
    }
    r = client.post(http_server.url, json=big, headers=headers(session))
    assert r.status_code == 413

    def chunks() -> Iterator[bytes]:  # no Content-Length: the limit applies while reading
        yield b'{"jsonrpc":"2.0","id":9,"method":"tools/call","params":{"name":"echo","arguments":{"text":"'
        for _ in range(5):
            yield b"y" * (1024 * 1024)
        yield b'"}}}'

    r = client.post(http_server.url, content=chunks(), headers=headers(session))
    assert r.status_code == 413
    # The rest of that body was never read: the connection is closed, and the client is told so (else its
    # next request would go out on a connection the server is closing).
    assert r.headers.get("connection") == "close"
    ok = {
        "jsonrpc": "2.0",
        "id": 10,
        "method": "tools/call",
        "params": {"name": "echo", "arguments": {"text": "x" * 100_000}},
    }
    r = client.post(http_server.url, json=ok, headers=headers(session, accept="application/json"))
    assert r.json()["result"]["structuredContent"]["result"] == "x" * 100_000


def test_bad_clients_do_not_disturb_good_ones(http_server: HttpServer) -> None:
    """Garbage from many connections at once, while a well-behaved client keeps getting right answers."""
    errors: list[str] = []

    def garbage() -> None:
        with httpx.Client(timeout=10) as c:
            for body in (b"{", b"[1,2]", b"\x00\xff", b'{"jsonrpc":"2.0"}', b"null"):
                try:
                    r = c.post(http_server.url, content=body, headers=headers())
                    if r.status_code != 400:
                        errors.append(f"{body!r} -> {r.status_code}")
                except httpx.HTTPError as exc:
                    errors.append(repr(exc))

    threads = [threading.Thread(target=garbage) for _ in range(8)]
    for t in threads:
        t.start()
    with httpx.Client(timeout=10) as c:
        session = open_session(c, http_server.url)
        for i in range(20):
            r = call(
                c,
                http_server.url,
                session,
                "tools/call",
                {"name": "add", "arguments": {"a": i, "b": 1}},
                accept="application/json",
            )
            assert r.json()["result"]["structuredContent"] == {"result": i + 1}
    for t in threads:
        t.join()
    assert errors == []
    assert http_server.proc.poll() is None


def test_client_hanging_up_cancels_the_tool(http_server: HttpServer, tmp_path: Path) -> None:
    """A client that closes its connection while a call runs (no notification) gets the tool cancelled."""
    marker = tmp_path / "cancelled"
    with httpx.Client(timeout=10) as c:
        session = open_session(c, http_server.url)
    body = {
        "jsonrpc": "2.0",
        "id": 1,
        "method": "tools/call",
        "params": {"name": "wait_forever", "arguments": {"marker": str(marker)}},
    }
    with httpx.Client(timeout=httpx.Timeout(10, read=0.5)) as c, pytest.raises(httpx.ReadTimeout):
        with c.stream("POST", http_server.url, json=body, headers=headers(session)) as r:
            r.read()
    deadline = time.monotonic() + 5
    while not marker.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert marker.exists(), "the tool kept running after its client hung up"
    with httpx.Client(timeout=10) as c:
        r = call(c, http_server.url, session, "tools/call", {"name": "add", "arguments": {"a": 2, "b": 2}})
        assert sse_messages(r.text)[-1]["result"]["structuredContent"] == {"result": 4}


def test_stateless_mode(client: httpx.Client, stateless_server: HttpServer) -> None:
    url = stateless_server.url
    r = client.post(url, json=INIT, headers=headers())
    assert r.status_code == 200 and "mcp-session-id" not in r.headers
    assert r.headers["content-type"] == "application/json"  # json_response=True
    r = call(client, url, None, "tools/call", {"name": "add", "arguments": {"a": 1, "b": 2}})
    assert r.json()["result"]["structuredContent"] == {"result": 3}
    assert client.get(url, headers=headers(accept="text/event-stream")).status_code == 405
    assert client.delete(url, headers=headers()).status_code == 405


def test_session_limit() -> None:
    server = start_http_server(env={"APP_MAX_SESSIONS": "2"})
    try:
        with httpx.Client(timeout=10) as c:
            first = open_session(c, server.url)
            open_session(c, server.url)
            r = c.post(server.url, json=INIT, headers=headers())
            assert r.status_code == 503
            c.delete(server.url, headers=headers(first))
            assert c.post(server.url, json=INIT, headers=headers()).status_code == 200
    finally:
        assert stop(server.proc) == 0


def test_idle_sessions_are_reaped() -> None:
    server = start_http_server(env={"APP_IDLE": "0.5"})
    try:
        with httpx.Client(timeout=10) as c:
            idle = open_session(c, server.url)
            busy = open_session(c, server.url)
            for _ in range(8):  # keep one session active past the timeout
                time.sleep(0.2)
                assert call(c, server.url, busy, "ping").status_code == 200
            assert call(c, server.url, idle, "ping").status_code == 404
            assert call(c, server.url, busy, "ping").status_code == 200
    finally:
        assert stop(server.proc) == 0


@pytest.mark.parametrize("transport", ["http", "sse"])
def test_sigterm_as_soon_as_the_serving_line_appears_exits_cleanly(transport: str) -> None:
    """The "serving ... on http://..." line is printed only once SIGINT/SIGTERM stop the server cleanly: a
    supervisor (or a test) that signals the moment it reads the line gets exit 0, not death by SIGTERM."""
    import signal
    import subprocess
    import sys

    script = Path(__file__).parent / "servers" / "features.py"
    for _ in range(5):
        proc = subprocess.Popen(
            [sys.executable, str(script), transport, "0"],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        assert proc.stderr is not None
        for raw in proc.stderr:
            if b"serving " in raw:
                proc.send_signal(signal.SIGTERM)
                break
        assert proc.wait(15) == 0


# -- a hostile client: forged Host lines, slow or silent connections --------------------------------------


@pytest.fixture(scope="module")
def impatient_server() -> Iterator[HttpServer]:
    server = start_http_server(env={"APP_HEADER_TIMEOUT": "0.5", "APP_BODY_TIMEOUT": "0.5"})
    yield server
    assert stop(server.proc) == 0, "".join(server.stderr_lines)


def _raw(server: HttpServer) -> Any:
    import socket
    from urllib.parse import urlsplit

    parts = urlsplit(server.url)
    conn = socket.create_connection((parts.hostname, parts.port), timeout=10)
    return conn, parts


def _closed_within(conn: Any, seconds: float) -> float | None:
    """How long until the server closed the connection (reading what it sent first), or None if it did not."""
    started = time.monotonic()
    conn.settimeout(seconds)
    try:
        while conn.recv(65536):
            pass
    except TimeoutError:
        return None
    except ConnectionResetError:
        pass
    return time.monotonic() - started


def test_a_second_host_header_is_refused(http_server: HttpServer) -> None:
    conn, parts = _raw(http_server)
    body = json.dumps(INIT).encode()
    head = (
        f"POST {parts.path} HTTP/1.1\r\nHost: {parts.netloc}\r\nHost: evil.example\r\n"
        f"Content-Type: application/json\r\nAccept: {ACCEPT_BOTH}\r\nContent-Length: {len(body)}\r\n\r\n"
    )
    conn.sendall(head.encode() + body)
    answer = conn.recv(65536).decode(errors="replace")
    conn.close()
    assert answer.startswith("HTTP/1.1 400"), answer
    assert "more than one Host header" in answer


def test_silent_and_trickling_connections_are_closed(impatient_server: HttpServer) -> None:
    silent, _ = _raw(impatient_server)
    assert (_closed_within(silent, 5) or 99) < 3  # sent nothing at all
    trickle, parts = _raw(impatient_server)
    trickle.sendall(f"POST {parts.path} HTTP/1.1\r\nHost: {parts.netloc}\r\n".encode())  # the head never ends
    assert (_closed_within(trickle, 5) or 99) < 3
    # A client that sends its head in time and then starves the body gets 408.
    slow_body, parts = _raw(impatient_server)
    slow_body.sendall(
        f"POST {parts.path} HTTP/1.1\r\nHost: {parts.netloc}\r\nContent-Type: application/json\r\n"
        f'Accept: {ACCEPT_BOTH}\r\nContent-Length: 500\r\n\r\n{{"jsonrpc"'.encode()
    )
    slow_body.settimeout(5)
    answer = slow_body.recv(65536).decode(errors="replace")
    assert answer.startswith("HTTP/1.1 408"), answer
    # Others are served all along.
    r = httpx.post(impatient_server.url, json=INIT, headers=headers(), timeout=5)
    assert r.status_code == 200


def test_an_idle_kept_alive_connection_is_closed(impatient_server: HttpServer) -> None:
    conn, parts = _raw(impatient_server)
    body = json.dumps(INIT).encode()
    conn.sendall(
        (
            f"POST {parts.path} HTTP/1.1\r\nHost: {parts.netloc}\r\nContent-Type: application/json\r\n"
            f"Accept: {ACCEPT_BOTH}\r\nContent-Length: {len(body)}\r\n\r\n"
        ).encode()
        + body
    )
    conn.settimeout(5)
    first = conn.recv(65536).decode(errors="replace")
    assert first.startswith("HTTP/1.1 200"), first
    assert (_closed_within(conn, 5) or 99) < 3  # then nothing: the server lets the connection go
