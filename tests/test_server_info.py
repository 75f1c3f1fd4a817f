"""``initialize`` carries the server's icons and website URL as FastMCP 4.2.3 sends them (SDK v1's
``icons_demo.py`` and FastMCP's ``FastMCP(icons=...)``): probed over stdio under both."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("fastmcp")
HERE = Path(__file__).parent


def initialize(impl: str) -> dict:
    done = subprocess.run(
        [sys.executable, str(HERE / "dropin" / "probe.py"), "--", sys.executable, str(HERE / "servers" / "icons.py")],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "IMPL": impl},
        check=True,
    )
    doc = json.loads(done.stdout)
    return {"init": doc["initialize"]["result"], "tools": doc["tools/list"][0]["result"]["tools"]}


def test_icons_and_website_url_in_server_info() -> None:
    ours, reference = initialize("rs"), initialize("fastmcp")
    assert (
        ours["init"]["serverInfo"]
        == reference["init"]["serverInfo"]
        == {
            "name": "Icons",
            "version": "1.2",
            "websiteUrl": "https://example.com",
            "icons": [{"src": "https://example.com/i.png", "mimeType": "image/png", "sizes": ["64x64"]}],
        }
    )
    assert ours["init"]["instructions"] == reference["init"]["instructions"]
    assert ours["tools"][0]["icons"] == reference["tools"][0]["icons"] == [{"src": "https://example.com/t.png"}]
