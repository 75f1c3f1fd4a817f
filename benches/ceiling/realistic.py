"""The realistic ceiling's Python side: the least Python work that serving `benches/tools.py` can cost.

For each tool function of that file: its arguments are validated from the request's JSON text straight into
the function's parameter types (one `TypeAdapter(TypedDict).validate_json`, so models are built once), the
function is called, and its result is written to JSON once by its return annotation's serializer. The Rust
side (`ceiling --tools`) wraps those bytes in a `tools/call` result. Sync tools run on the caller's thread;
async tools run as Tasks on one asyncio loop in a thread of its own.
"""

from __future__ import annotations

import asyncio
import inspect
import os
import site
import sys
import threading
from pathlib import Path
from typing import Any, get_type_hints

# The embedded interpreter runs with PYTHONHOME set to the base installation, whose site.py also put the base
# site-packages on sys.path. The servers run in the bench virtualenv and see only its packages (plus the standard
# library), so the ceiling drops the others: a package the servers lack (sniffio, say, which httpcore tries to
# import on every request when it is missing) must be missing here too, or the floor does less of the user's work.
_venv_site = os.environ.get("PYTHONPATH", "").split(os.pathsep)
for _base_site in {*site.getsitepackages(), site.getusersitepackages()}:
    if _base_site not in _venv_site and _base_site in sys.path:
        sys.path.remove(_base_site)
sys.path_importer_cache.clear()

import pydantic  # noqa: E402  (after the path is set)
from typing_extensions import TypedDict  # noqa: E402

os.environ["BENCH_SERVER"] = "floor"  # tools.py's decorators are then the identity
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import tools  # noqa: E402


class _Tool:
    def __init__(self, fn: Any) -> None:
        hints = get_type_hints(fn)
        params = {n: hints.get(n, Any) for n in inspect.signature(fn).parameters}
        self.fn = fn
        self.is_async = inspect.iscoroutinefunction(fn)
        self.arguments = pydantic.TypeAdapter(TypedDict(f"{fn.__name__}_args", params, total=False))  # type: ignore[operator]
        self.dump_json = pydantic.TypeAdapter(hints.get("return", Any)).dump_json


TOOLS = {
    name: _Tool(fn)
    for name, fn in vars(tools).items()
    if inspect.isfunction(fn) and fn.__module__ == "tools" and not name.startswith("_")
}


def call(name: str, arguments: bytes) -> bytes:
    """A sync tool's result JSON."""
    tool = TOOLS[name]
    return tool.dump_json(tool.fn(**tool.arguments.validate_json(arguments)))


def is_async(name: str) -> bool:
    return TOOLS[name].is_async


_loop = asyncio.new_event_loop()
threading.Thread(target=_loop.run_forever, name="asyncio", daemon=True).start()


def submit(name: str, arguments: bytes, done: Any) -> None:
    """Starts an async tool as a Task on the loop; `done(result_json)` or `done(exception)` when it ends."""
    tool = TOOLS[name]

    def start() -> None:
        try:
            task = _loop.create_task(tool.fn(**tool.arguments.validate_json(arguments)))
        except Exception as exc:
            done(exc)
            return

        def finished(t: asyncio.Task[Any]) -> None:
            try:
                done(tool.dump_json(t.result()))
            except Exception as exc:
                done(exc)

        task.add_done_callback(finished)

    _loop.call_soon_threadsafe(start)
