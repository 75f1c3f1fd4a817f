"""``fastmcp_rs.settings``: the run's defaults from the environment, with FastMCP 4's ``FASTMCP_*`` names.

As in FastMCP 4, the variables may also come from a ``.env`` file in the working directory (another file with
``FASTMCP_ENV_FILE``), and ``fastmcp_rs.settings.<field>`` reads and writes the one instance (made, and the
environment read, on first use: pydantic-settings is imported only by runs that need it).
An argument given to ``run()`` / ``run_http_async()`` (or to ``FastMCP(...)``, or set on ``mcp.settings``)
wins over the environment. Beyond FastMCP 4's names, the drain, health and metrics options of fastmcp-rs read
``FASTMCP_DRAIN_TIMEOUT``, ``FASTMCP_HEALTH_PATH``, ``FASTMCP_READY_PATH`` and ``FASTMCP_METRICS_PATH``.
"""

from __future__ import annotations

import os
import sys
import types
from typing import Any, Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["Settings"]

LogLevel = Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"]


class Settings(BaseSettings):
    """The serving settings of FastMCP 4 (``fastmcp.settings.Settings``) that fastmcp-rs reads."""

    model_config = SettingsConfigDict(
        env_prefix="FASTMCP_",
        env_file=os.environ.get("FASTMCP_ENV_FILE", ".env"),
        env_nested_delimiter="__",
        extra="ignore",
        validate_assignment=True,
    )

    log_level: LogLevel = "INFO"
    log_enabled: bool = True
    #: Read by ``fastmcp_rs.utilities.logging.configure_logging`` (rich output when ``rich`` is installed).
    enable_rich_logging: bool = True
    enable_rich_tracebacks: bool = True
    transport: Literal["stdio", "http", "sse", "streamable-http"] = "stdio"
    host: str = "127.0.0.1"
    port: int = 8000
    sse_path: str = "/sse"
    message_path: str = "/messages/"
    streamable_http_path: str = "/mcp"
    debug: bool = False
    mask_error_details: bool = False
    json_response: bool = False
    stateless_http: bool = False
    #: ``False``: off; ``True``: on; ``"auto"``: on when bound to a loopback address (fastmcp-rs's default
    #: when the variable is not set, beyond FastMCP 4, whose default is off).
    http_host_origin_protection: bool | Literal["auto"] = "auto"
    http_allowed_hosts: list[str] | None = None
    http_allowed_origins: list[str] | None = None
    http_session_idle_timeout: float | None = Field(default=None, gt=0)
    show_server_banner: bool = True
    # fastmcp-rs's own.
    drain_timeout: float = Field(default=30.0, ge=0)
    health_path: str = "/healthz"
    ready_path: str = "/readyz"
    #: Prometheus metrics on this path (off when unset).
    metrics_path: str | None = None

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper(cls, value: Any) -> Any:
        return value.upper() if isinstance(value, str) else value


#: The settings fields → the keys of ``mcp.settings`` (the run's defaults) they stand for.
RUN_KEYS = {
    "host": "host",
    "port": "port",
    "sse_path": "sse_path",
    "message_path": "message_path",
    "streamable_http_path": "streamable_http_path",
    "json_response": "json_response",
    "stateless_http": "stateless_http",
    "http_allowed_hosts": "allowed_hosts",
    "http_allowed_origins": "allowed_origins",
    "http_session_idle_timeout": "session_idle_timeout",
    "drain_timeout": "drain_timeout",
    "health_path": "health_path",
    "ready_path": "ready_path",
    "metrics_path": "metrics_path",
}


def from_environment(settings: Settings) -> dict[str, Any]:
    """The run defaults the environment (or ``.env``, or assignments to the instance) set explicitly."""
    out: dict[str, Any] = {}
    for field in settings.model_fields_set:
        value = getattr(settings, field)
        if field in RUN_KEYS:
            out[RUN_KEYS[field]] = value
        elif field == "http_host_origin_protection":
            out["dns_rebinding_protection"] = None if value == "auto" else bool(value)
    return out


_current: Settings | None = None


def current() -> Settings:
    """The process's settings, read from the environment on first use."""
    global _current
    if _current is None:
        _current = Settings()
    return _current


def environment_may_set(name: str) -> bool:
    """Whether ``FASTMCP_<name>`` may be set, without reading the settings: in the environment, or a ``.env``
    file exists to look in."""
    if _current is not None or f"FASTMCP_{name.upper()}" in os.environ:
        return True
    return os.path.isfile(os.environ.get("FASTMCP_ENV_FILE", ".env"))


class _SettingsModule(types.ModuleType):
    """``fastmcp_rs.settings.port`` (FastMCP 4's ``fastmcp.settings.port``) reads and writes the instance."""

    def __getattr__(self, name: str) -> Any:
        if name in Settings.model_fields:
            return getattr(current(), name)
        raise AttributeError(f"module {self.__name__!r} has no attribute {name!r}")

    def __setattr__(self, name: str, value: Any) -> None:
        if name in Settings.model_fields:
            setattr(current(), name, value)
        else:
            super().__setattr__(name, value)


sys.modules[__name__].__class__ = _SettingsModule
