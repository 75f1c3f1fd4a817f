"""``--reload``: serve from a child process and restart it when a ``.py`` file under the watched directories
changes. Uses ``watchfiles`` when it is installed, else a small polling watcher (no new dependency)."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterable, Sequence
from pathlib import Path
from types import FrameType
from typing import Any, Protocol

__all__ = ["PollingWatcher", "Watcher", "make_watcher", "run_with_reload"]

SUFFIXES = (".py",)
IGNORED_DIRS = frozenset(
    {"__pycache__", ".git", ".hg", ".svn", ".venv", "venv", "node_modules", ".mypy_cache", ".pytest_cache", ".tox"}
)


def _log(message: str) -> None:
    print(f"fastmcp-rs: {message}", file=sys.stderr, flush=True)


class Watcher(Protocol):
    def wait(self, timeout: float) -> set[str]:
        """The files that changed, waiting at most ``timeout`` seconds for a first change (empty: none)."""
        ...

    def close(self) -> None: ...


class PollingWatcher:
    """Compares modification times and sizes of the watched files, every ``interval`` seconds."""

    def __init__(self, dirs: Iterable[Path], suffixes: Sequence[str] = SUFFIXES, interval: float = 0.25) -> None:
        self.dirs = [Path(d) for d in dirs]
        self.suffixes = tuple(suffixes)
        self.interval = interval
        self._seen = self._snapshot()

    def _snapshot(self) -> dict[str, tuple[int, int]]:
        found: dict[str, tuple[int, int]] = {}
        for root in self.dirs:
            for directory, subdirs, files in os.walk(root):
                subdirs[:] = [d for d in subdirs if d not in IGNORED_DIRS and not d.startswith(".")]
                for name in files:
                    if name.endswith(self.suffixes):
                        path = os.path.join(directory, name)
                        with contextlib.suppress(OSError):
                            st = os.stat(path)
                            found[path] = (st.st_mtime_ns, st.st_size)
        return found

    def wait(self, timeout: float) -> set[str]:
        deadline = time.monotonic() + timeout
        while True:
            now = self._snapshot()
            changed = {p for p in now.keys() | self._seen.keys() if now.get(p) != self._seen.get(p)}
            self._seen = now
            remaining = deadline - time.monotonic()
            if changed or remaining <= 0:
                return changed
            time.sleep(min(self.interval, remaining))

    def close(self) -> None:
        pass


class _WatchfilesWatcher:
    def __init__(self, dirs: Iterable[Path], suffixes: Sequence[str] = SUFFIXES) -> None:
        import watchfiles

        self._suffixes = tuple(suffixes)
        self._timeout_ms = 250
        self._iter = watchfiles.watch(
            *[str(d) for d in dirs],
            watch_filter=self._filter,
            debounce=200,
            step=50,
            rust_timeout=self._timeout_ms,
            yield_on_timeout=True,
            raise_interrupt=False,
        )

    def _filter(self, _change: Any, path: str) -> bool:
        parts = Path(path).parts
        return path.endswith(self._suffixes) and not any(p in IGNORED_DIRS for p in parts)

    def wait(self, timeout: float) -> set[str]:
        deadline = time.monotonic() + timeout
        while True:
            changes = next(self._iter, None)
            if changes is None:
                return set()
            if changes:
                return {path for _, path in changes}
            if time.monotonic() >= deadline:
                return set()

    def close(self) -> None:
        close = getattr(self._iter, "close", None)
        if close is not None:
            close()


def make_watcher(dirs: Iterable[Path]) -> Watcher:
    """``watchfiles`` if installed (and ``FASTMCP_RS_RELOAD_POLL`` is not set), else polling."""
    dirs = list(dirs)
    if not os.environ.get("FASTMCP_RS_RELOAD_POLL"):
        try:
            return _WatchfilesWatcher(dirs)
        except ImportError:
            pass
    return PollingWatcher(dirs)


def _terminate(proc: subprocess.Popen[bytes], grace: float = 5.0) -> None:
    if proc.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(grace)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            proc.kill()
        proc.wait()


def run_with_reload(command: Sequence[str], dirs: Sequence[Path], *, stdio: bool) -> int:
    """Runs ``command`` and restarts it on changes until SIGINT/SIGTERM. Over stdio the child inherits this
    process's stdin and stdout (we never touch them); when it exits cleanly (the client closed stdin) we exit
    too. A child that crashes is restarted at the next change."""
    stop = {"signal": 0}

    def on_signal(signum: int, _frame: FrameType | None) -> None:
        stop["signal"] = signum

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
    watcher = make_watcher(dirs)
    shown = ", ".join(str(d) for d in dirs)
    _log(f"reload: watching .py files under {shown}")

    def spawn() -> subprocess.Popen[bytes]:
        # Over HTTP the child gets its own session, so a terminal's Ctrl-C reaches only us and we stop it.
        return subprocess.Popen(list(command), start_new_session=not stdio)

    proc = spawn()
    exited_reported = False
    try:
        while not stop["signal"]:
            changes = watcher.wait(0.5)
            if stop["signal"]:
                break
            if changes:
                names = ", ".join(sorted(os.path.relpath(p) for p in changes)[:3])
                more = f" and {len(changes) - 3} more" if len(changes) > 3 else ""
                _log(f"reload: {names}{more} changed; restarting")
                _terminate(proc)
                proc = spawn()
                exited_reported = False
                continue
            code = proc.poll()
            if code is not None and not exited_reported:
                if stdio and code == 0:
                    return 0
                _log(f"reload: server exited with status {code}; waiting for a change to restart")
                exited_reported = True
        return 0
    finally:
        _terminate(proc)
        watcher.close()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
