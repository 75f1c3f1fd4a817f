"""A proxy that forwards skills (``create_proxy(..., skills=True)``, tests/test_skills.py) in front of
tests/servers/skilled.py run over stdio; ``MW_IMPL=fastmcp`` serves both with FastMCP 4. ``PROXY_MOUNT=1``
mounts the proxy in a server of its own instead (``PROXY_NAMESPACE`` under a namespace), ``PROXY_SKILLS=0``
leaves skills out."""

import os
import sys
from pathlib import Path

if os.environ.get("MW_IMPL") == "fastmcp":
    from fastmcp import FastMCP
    from fastmcp.client.transports import StdioTransport
    from fastmcp.server import create_proxy
else:
    from fastmcp_rs import FastMCP
    from fastmcp_rs.client.transports import StdioTransport
    from fastmcp_rs.server import create_proxy

UPSTREAM = Path(__file__).with_name("skilled.py")
transport = StdioTransport(sys.executable, [str(UPSTREAM)], env=dict(os.environ))
proxy = create_proxy(transport, name="skills proxy", skills=os.environ.get("PROXY_SKILLS", "1") == "1")
if os.environ.get("PROXY_MOUNT") == "1":
    mcp = FastMCP("front")
    mcp.mount(proxy, namespace=os.environ.get("PROXY_NAMESPACE") or None)
else:
    mcp = proxy

if __name__ == "__main__":
    mcp.run(show_banner=False)
