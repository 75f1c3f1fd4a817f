"""``fastmcp.json``, FastMCP's declarative server configuration, and ``path.py[:object]`` specs.

The format is FastMCP's (``https://gofastmcp.com/public/schemas/fastmcp.json/v1.json``)::

    {
      "source": {"path": "server.py", "entrypoint": "mcp"},
      "environment": {"python": "3.12", "dependencies": ["httpx"]},
      "deployment": {"transport": "http", "host": "127.0.0.1", "port": 8000, "path": "/mcp",
                     "log_level": "INFO", "cwd": ".", "env": {"API_URL": "https://${REGION}.example.com"},
                     "args": ["--debug"]}
    }

Relative paths are anchored at the file's directory; ``${VAR}`` in ``env`` values is interpolated.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

__all__ = [
    "CONFIG_NAME",
    "CliError",
    "Deployment",
    "Environment",
    "ServerConfig",
    "Source",
    "Target",
    "load_config",
    "parse_spec",
    "resolve_target",
]

CONFIG_NAME = "fastmcp.json"

Transport = Literal["stdio", "http", "streamable-http", "sse"]
LogLevel = Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"]


class CliError(Exception):
    """A user-facing error: printed as ``fastmcp-rs: <message>`` and exit status 1."""


class Source(BaseModel):
    model_config = ConfigDict(extra="ignore")

    type: Literal["filesystem"] = "filesystem"
    path: str
    entrypoint: str | None = None


class Environment(BaseModel):
    model_config = ConfigDict(extra="ignore")

    type: Literal["uv"] = "uv"
    python: str | None = None
    dependencies: list[str] | None = None
    requirements: str | None = None
    project: str | None = None
    editable: list[str] | None = None

    def is_set(self) -> bool:
        return any(
            v is not None for v in (self.python, self.dependencies, self.requirements, self.project, self.editable)
        )


class Deployment(BaseModel):
    model_config = ConfigDict(extra="ignore")

    transport: Transport | None = None
    host: str | None = None
    port: int | None = None
    path: str | None = None
    log_level: LogLevel | None = None
    cwd: str | None = None
    env: dict[str, str] | None = None
    args: list[str] | None = None


class ServerConfig(BaseModel):
    model_config = ConfigDict(extra="ignore", populate_by_name=True)

    schema_: str | None = Field(default=None, alias="$schema")
    source: Source
    environment: Environment = Field(default_factory=Environment)
    deployment: Deployment = Field(default_factory=Deployment)


def parse_spec(spec: str) -> tuple[str, str | None]:
    """``"server.py:app"`` → ``("server.py", "app")``; a Windows drive letter (``C:\\x.py``) is not an object."""
    head = 2 if len(spec) > 1 and spec[1] == ":" and spec[0].isalpha() else 0
    path, sep, obj = spec[head:].rpartition(":")
    if not sep or not obj or "/" in obj or "\\" in obj:
        return spec, None
    return spec[:head] + path, obj


def _interpolate(value: str) -> str:
    return re.sub(r"\$\{([^}]+)\}", lambda m: os.environ.get(m.group(1), m.group(0)), value)


def load_config(path: Path) -> ServerConfig:
    """Reads and validates a ``fastmcp.json``; ``source.path`` is made absolute against its directory."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise CliError(f"no such configuration file: {path}") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise CliError(f"cannot read {path}: {exc}") from None
    if isinstance(data, dict) and "mcpServers" in data:
        raise CliError(
            f"{path} is an MCPConfig (it lists mcpServers); fastmcp-rs serves Python server files and "
            f"FastMCP's {CONFIG_NAME} format"
        )
    try:
        config = ServerConfig.model_validate(data)
    except ValidationError as exc:
        raise CliError(f"invalid {path.name} ({path}):\n{exc}") from None
    base = Path(os.path.abspath(path)).parent
    file, entry = parse_spec(config.source.path)
    config.source.path = os.path.abspath(base / Path(file).expanduser())
    if config.source.entrypoint is None:
        config.source.entrypoint = entry
    return config


@dataclass
class Target:
    """What to serve: the file, its object (if named), the fastmcp.json it came from, and its deployment."""

    path: Path
    entrypoint: str | None = None
    config_path: Path | None = None
    deployment: Deployment = field(default_factory=Deployment)
    environment: Environment = field(default_factory=Environment)

    @property
    def spec(self) -> str:
        """How to name this target again (to a child process): the config file, or ``path[:object]``."""
        if self.config_path is not None:
            return str(self.config_path)
        return f"{self.path}:{self.entrypoint}" if self.entrypoint else str(self.path)

    def apply_runtime_settings(self) -> None:
        """The deployment's ``env`` (with ``${VAR}`` interpolation) and ``cwd``, as FastMCP applies them."""
        for key, value in (self.deployment.env or {}).items():
            os.environ[key] = _interpolate(str(value))
        if self.deployment.cwd:
            cwd = Path(self.deployment.cwd).expanduser()
            if not cwd.is_absolute() and self.config_path is not None:
                cwd = self.config_path.parent / cwd
            try:
                os.chdir(cwd)
            except OSError as exc:
                raise CliError(f"cannot change to the deployment cwd {str(cwd)!r}: {exc}") from None


def resolve_target(spec: str | None) -> Target:
    """A spec from the command line (``None``: ``./fastmcp.json``) → the file to serve and its settings."""
    if spec is None:
        config_path = Path.cwd() / CONFIG_NAME
        if not config_path.is_file():
            raise CliError(
                f"no server file given and no {CONFIG_NAME} in {Path.cwd()}: "
                f"pass path/to/server.py[:object] or create a {CONFIG_NAME}"
            )
        spec = str(config_path)
    if spec.endswith(".json"):
        config_path = Path(os.path.abspath(Path(spec).expanduser()))
        config = load_config(config_path)
        return Target(
            path=Path(config.source.path),
            entrypoint=config.source.entrypoint,
            config_path=config_path,
            deployment=config.deployment,
            environment=config.environment,
        )
    if "://" in spec:
        raise CliError(f"{spec!r} is a URL: fastmcp-rs serves local Python files, it does not proxy servers")
    file, entry = parse_spec(spec)
    path = Path(os.path.abspath(Path(file).expanduser()))
    return Target(path=path, entrypoint=entry)
