"""``fastmcp.utilities.logging``: ``get_logger(name)`` (a logger under the ``fastmcp`` logger, where fastmcp-rs's
own server-side loggers live too), ``configure_logging()`` (level and handlers of the ``fastmcp`` logger, or of
the one given) and ``temporary_log_level()``, as FastMCP 4 has them.

``configure_logging`` does what FastMCP 4's does to the logger: stops it propagating to the root logger, sets
its level and replaces its handlers with ones writing to stderr. It is a no-op when ``FASTMCP_LOG_ENABLED`` is
false. With ``rich`` installed and ``FASTMCP_ENABLE_RICH_LOGGING`` left on, the handlers are rich ones (plain
records, and records with a traceback shown compactly, framework frames suppressed); otherwise one plain
``StreamHandler`` writing ``LEVEL: message``. Unlike FastMCP 4, importing fastmcp-rs configures nothing: the
``fastmcp`` logger keeps Python's defaults until this is called."""

from __future__ import annotations

import contextlib
import importlib.util
import inspect
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Literal

__all__ = ["configure_logging", "get_logger", "temporary_log_level"]

LogLevel = Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"]

#: Packages whose frames rich tracebacks leave out (the user's code is what is shown).
_FRAMEWORK_PACKAGES = ("fastmcp_rs", "mcp", "pydantic")


def get_logger(name: str) -> logging.Logger:
    """The logger ``fastmcp.<name>`` (``name`` as it is when it already starts with ``fastmcp.``)."""
    return logging.getLogger(name if name.startswith("fastmcp.") else f"fastmcp.{name}")


def _settings() -> Any:
    from .. import settings

    return settings.current()


def _package_dir(package: str) -> str | None:
    """Where a package lives, found without importing it."""
    try:
        spec = importlib.util.find_spec(package)
    except (ImportError, ValueError):
        return None
    if spec is None or spec.origin is None:
        return None
    return str(Path(spec.origin).parent)


def _rich_handlers(enable_rich_tracebacks: bool, rich_kwargs: dict[str, Any]) -> list[logging.Handler] | None:
    """The two rich handlers (records without a traceback; records with one), or ``None`` without rich."""
    try:
        from rich.console import Console
        from rich.logging import RichHandler
    except ImportError:
        return None
    formatter = logging.Formatter("%(message)s")
    plain = RichHandler(console=Console(stderr=True), **rich_kwargs)
    plain.setFormatter(formatter)
    plain.addFilter(lambda record: record.exc_info is None)
    # Tracebacks get the width: no path or level column, three frames at most, the framework's left out.
    options: dict[str, Any] = {
        "console": Console(stderr=True),
        "show_path": False,
        "show_level": False,
        "rich_tracebacks": enable_rich_tracebacks,
        "tracebacks_max_frames": 3,
        "tracebacks_suppress": [d for p in _FRAMEWORK_PACKAGES if (d := _package_dir(p)) is not None],
    }
    if "tracebacks_max_frames" not in inspect.signature(RichHandler).parameters:  # rich before 13.8
        del options["tracebacks_max_frames"]
    options.update(rich_kwargs)
    with_traceback = RichHandler(**options)
    with_traceback.setFormatter(formatter)
    with_traceback.addFilter(lambda record: record.exc_info is not None)
    return [plain, with_traceback]


def configure_logging(
    level: LogLevel | int = "INFO",
    logger: logging.Logger | None = None,
    enable_rich_tracebacks: bool | None = None,
    **rich_kwargs: Any,
) -> None:
    """Sets ``logger`` (the ``fastmcp`` logger by default) to ``level``, not propagating, with stderr handlers
    in place of its current ones. ``rich_kwargs`` go to rich's ``RichHandler`` (ignored without rich)."""
    settings = _settings()
    if not settings.log_enabled:
        return
    if enable_rich_tracebacks is None:
        enable_rich_tracebacks = settings.enable_rich_tracebacks
    if logger is None:
        logger = logging.getLogger("fastmcp")
    logger.propagate = False
    logger.setLevel(level)
    for handler in list(logger.handlers):
        logger.removeHandler(handler)
    handlers = _rich_handlers(enable_rich_tracebacks, rich_kwargs) if settings.enable_rich_logging else None
    if handlers is None:
        plain = logging.StreamHandler()  # stderr
        plain.setFormatter(logging.Formatter("%(levelname)s: %(message)s"))
        handlers = [plain]
    for handler in handlers:
        logger.addHandler(handler)


@contextlib.contextmanager
def temporary_log_level(
    level: str | None,
    logger: logging.Logger | None = None,
    enable_rich_tracebacks: bool | None = None,
    **rich_kwargs: Any,
) -> Iterator[None]:
    """Configures logging at ``level`` for the block, then again at the settings' ``log_level``
    (``FASTMCP_LOG_LEVEL``), as FastMCP 4 does. With ``level`` empty or ``None`` nothing changes."""
    if not level:
        yield
        return
    original = _settings().log_level
    configure_logging(level.upper(), logger, enable_rich_tracebacks, **rich_kwargs)  # type: ignore[arg-type]
    try:
        yield
    finally:
        configure_logging(original, logger, enable_rich_tracebacks, **rich_kwargs)
