"""For information (not a test): how fastmcp-rs's answers to the SDK v1 corpus files differ from the official
SDK v1.29 serving the same unchanged files. FastMCP 4 is the behaviour fastmcp-rs follows, so differences are
expected; this lists them by kind for README.

    python tests/dropin/compare_sdk1.py /path/to/venv-with-mcp-1.29/bin/python
"""

from __future__ import annotations

import collections
import json
import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))
from manifest import ENTRIES  # noqa: E402
from test_dropin_corpus import differences, served, wire  # noqa: E402


def probe(command: list[str], cwd: Path) -> dict:
    out = subprocess.run(
        [sys.executable, str(HERE / "probe.py"), "--timeout", "15", "--", *command],
        capture_output=True,
        text=True,
        cwd=cwd,
        check=False,
    )
    return json.loads(out.stdout) if out.returncode == 0 else {"probe failed": out.stderr}


def main() -> None:
    sdk_python = sys.argv[1]
    entries = [e for e in ENTRIES if e.path.startswith("sdk_v1/")]

    def one(entry):  # type: ignore[no-untyped-def]
        path = HERE / "corpus" / entry.path
        suffix = f":{entry.obj}" if entry.obj else ""
        sdk = probe([sdk_python, str(HERE / "ref_serve.py"), f"{path}{suffix}"], path.parent)
        ours = probe([sys.executable, "-m", "fastmcp_rs.cli", "run", f"{path}{suffix}"], path.parent)
        return entry, sdk, ours

    kinds: collections.Counter[str] = collections.Counter()
    same = 0
    with ThreadPoolExecutor(2) as pool:
        for entry, sdk, ours in pool.map(one, entries):
            if not served(sdk) or not served(ours):
                print(f"{entry.spec}: SDK served={served(sdk)} fastmcp-rs served={served(ours)}")
                continue
            diffs = differences(wire(sdk, entry.volatile), wire(ours, entry.volatile))
            if not diffs:
                same += 1
            print(f"{entry.spec}: {len(diffs)} differing values")
            for p, a, b in diffs:
                kind = re.sub(
                    r"/properties/[^/]+",
                    "/properties/*",
                    re.sub(r"\[\d+\]", "[]", re.sub(r"/(tools/call|prompts/get|resources/read)/[^/]+", r"/\1/*", p)),
                )
                kinds[kind] += 1
                print(f"    {p}: SDK {json.dumps(a)[:160]} | fastmcp-rs {json.dumps(b)[:160]}")
    print(f"\n{same} of {len(entries)} identical; differing paths by kind:")
    for kind, n in kinds.most_common():
        print(f"  {n:4d}  {kind}")


if __name__ == "__main__":
    main()
