"""``fastmcp-rs install <client> server.py``: register the server with an MCP client, as FastMCP 4's install
commands do, the command being ``fastmcp-rs run /abs/server.py[:object]`` (this interpreter's fastmcp-rs, by
absolute path: clients start servers with a bare PATH). With ``--with``/``--python``/``--project``/
``--with-requirements``/``--with-editable`` the command is ``uv run ... fastmcp-rs run ...`` instead.

- ``claude-code``: runs ``claude mcp add NAME [-e K=V]... -- COMMAND`` when the Claude Code CLI is found,
  else prints that command.
- ``claude-desktop``: writes ``claude_desktop_config.json`` (``--config-path`` or
  ``$FASTMCP_RS_CLAUDE_DESKTOP_CONFIG``: the directory or the file; else Claude's own directory).
- ``cursor``: writes ``~/.cursor/mcp.json`` (``--workspace DIR`` → ``DIR/.cursor/mcp.json``; ``--config-path``
  or ``$FASTMCP_RS_CURSOR_CONFIG``: the file), or prints Cursor's install deeplink with ``--deeplink``.
- ``mcp-json``: prints ``{"NAME": {"command": ..., "args": [...], "env": {...}}}``.
- ``stdio``: prints the command line.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

from . import _alias
from ._config import CliError, resolve_target
from ._load import load_server

__all__ = [
    "CLIENTS",
    "add_arguments",
    "claude_desktop_config_path",
    "cursor_config_path",
    "install_command",
    "read_env_file",
    "server_command",
    "update_config_file",
]

CLIENTS = ("claude-code", "claude-desktop", "cursor", "mcp-json", "stdio")
PACKAGE = "fastmcp-rs"
CLAUDE_DESKTOP_ENV = "FASTMCP_RS_CLAUDE_DESKTOP_CONFIG"
CURSOR_ENV = "FASTMCP_RS_CURSOR_CONFIG"
_SAFE_NAME = re.compile(r"^[\w\-. ]+$")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="client", required=True, metavar="client")
    helps = {
        "claude-code": "add the server to Claude Code (claude mcp add)",
        "claude-desktop": "add the server to Claude Desktop's config",
        "cursor": "add the server to Cursor's mcp.json",
        "mcp-json": "print the server's mcpServers entry as JSON",
        "stdio": "print the command that serves it over stdio",
    }
    for client in CLIENTS:
        p = sub.add_parser(client, help=helps[client], description=helps[client])
        p.add_argument("server_spec", help="path/to/server.py[:object] or a fastmcp.json")
        p.add_argument("-n", "--name", help="the server's name in the client (default: the server's own name)")
        p.add_argument("--env", action="append", default=[], metavar="KEY=VALUE", help="environment variable")
        p.add_argument("--env-file", type=Path, help="read environment variables from a .env file")
        p.add_argument("--with", dest="with_packages", action="append", default=[], metavar="PKG", help="uv: add pkg")
        p.add_argument("--with-editable", action="append", default=[], type=Path, metavar="DIR", help="uv: editable")
        p.add_argument("--with-requirements", type=Path, help="uv: requirements file")
        p.add_argument("--python", help="uv: Python version")
        p.add_argument("--project", type=Path, help="uv: run within this project")
        p.add_argument("--no-alias", action="store_true", help="serve with fastmcp-rs run --no-alias")
        if client == "claude-desktop":
            p.add_argument("--config-path", type=Path, help=f"config directory or file (or ${CLAUDE_DESKTOP_ENV})")
        if client == "cursor":
            p.add_argument("--config-path", type=Path, help=f"the mcp.json to write (or ${CURSOR_ENV})")
            p.add_argument("--workspace", type=Path, help="write DIR/.cursor/mcp.json instead of ~/.cursor/mcp.json")
            p.add_argument("--deeplink", action="store_true", help="print Cursor's install link instead of writing")


# -- the command ---------------------------------------------------------------------------------------------


@dataclass
class UvEnvironment:
    python: str | None = None
    dependencies: list[str] = field(default_factory=list)
    requirements: Path | None = None
    project: Path | None = None
    editable: list[Path] = field(default_factory=list)

    def is_set(self) -> bool:
        return bool(self.python or self.dependencies or self.requirements or self.project or self.editable)

    def wrap(self, command: list[str]) -> list[str]:
        args = ["uv", "run"]
        if self.project:
            args += ["--project", str(self.project.resolve())]
        elif self.python:
            args += ["--python", self.python]
        for dep in sorted({PACKAGE, *self.dependencies}):
            args += ["--with", dep]
        if self.requirements:
            args += ["--with-requirements", str(self.requirements.resolve())]
        for path in self.editable:
            args += ["--with-editable", str(path.resolve())]
        return [*args, *command]


def _launcher() -> list[str]:
    """This installation's ``fastmcp-rs`` script by absolute path, else ``python -m fastmcp_rs.cli``."""
    python = os.path.abspath(sys.executable)
    script = Path(python).parent / ("fastmcp-rs.exe" if sys.platform == "win32" else "fastmcp-rs")
    if script.is_file():
        return [str(script)]
    return [python, "-m", "fastmcp_rs.cli"]


def server_command(
    file: Path, entrypoint: str | None = None, *, no_alias: bool = False, uv: UvEnvironment | None = None
) -> list[str]:
    spec = f"{file}:{entrypoint}" if entrypoint else str(file)
    run = ["run", spec, *(["--no-alias"] if no_alias else [])]
    if uv is not None and uv.is_set():
        return uv.wrap([PACKAGE, *run])
    return [*_launcher(), *run]


# -- environment variables -----------------------------------------------------------------------------------


def _unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
        inner = value[1:-1]
        if value[0] == '"':
            inner = inner.replace("\\n", "\n").replace('\\"', '"').replace("\\\\", "\\")
        return inner
    return re.split(r"\s+#", value, maxsplit=1)[0].strip()


def read_env_file(path: Path) -> dict[str, str]:
    """``KEY=VALUE`` lines (``export`` prefixes, quotes and ``#`` comments allowed), as python-dotenv reads them."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise CliError(f"cannot read the env file {path}: {exc}") from None
    values: dict[str, str] = {}
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("export "):
            line = line[len("export ") :].lstrip()
        key, sep, value = line.partition("=")
        key = key.strip()
        if not sep or not key:
            continue
        values[key] = _unquote(value.strip())
    return values


def parse_env(items: list[str]) -> dict[str, str]:
    values: dict[str, str] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep:
            raise CliError(f"invalid --env {item!r}: use KEY=VALUE")
        if not key.strip():
            raise CliError(f"invalid --env {item!r}: the KEY is empty")
        values[key.strip()] = value.strip()
    return values


# -- config files --------------------------------------------------------------------------------------------


def update_config_file(path: Path, name: str, entry: dict[str, Any]) -> None:
    """Sets ``mcpServers[name]`` in a client's JSON config, keeping everything else (other servers, other
    settings, and the entry's own extra fields; its ``env`` is merged, the new values winning)."""
    data: dict[str, Any] = {}
    if path.exists():
        text = path.read_text(encoding="utf-8").strip()
        if text:
            try:
                data = json.loads(text)
            except json.JSONDecodeError as exc:
                raise CliError(f"{path} is not valid JSON ({exc}); fix or remove it first") from None
            if not isinstance(data, dict):
                raise CliError(f"{path} does not hold a JSON object")
    servers = data.get("mcpServers")
    if not isinstance(servers, dict):
        servers = data["mcpServers"] = {}
    existing = servers.get(name) if isinstance(servers.get(name), dict) else {}
    merged = {**existing, **entry}
    env = {**(existing.get("env") or {}), **(entry.get("env") or {})}
    if env:
        merged["env"] = env
    servers[name] = merged
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(data, f, indent=2, ensure_ascii=False)
            f.write("\n")
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _claude_desktop_dir() -> Path | None:
    home = Path.home()
    if sys.platform == "win32":
        return Path(os.environ.get("APPDATA", home / "AppData" / "Roaming")) / "Claude"
    if sys.platform == "darwin":
        return home / "Library" / "Application Support" / "Claude"
    if sys.platform.startswith("linux"):
        return Path(os.environ.get("XDG_CONFIG_HOME", home / ".config")) / "Claude"
    return None


def claude_desktop_config_path(option: Path | None = None) -> Path:
    given = option or (Path(os.environ[CLAUDE_DESKTOP_ENV]) if os.environ.get(CLAUDE_DESKTOP_ENV) else None)
    if given is not None:
        given = given.expanduser()
        if given.is_dir():
            return given / "claude_desktop_config.json"
        if given.suffix == ".json" and given.parent.is_dir():
            return given
        raise CliError(f"the Claude Desktop config path does not exist: {given}")
    directory = _claude_desktop_dir()
    if directory is None or not directory.is_dir():
        raise CliError(
            f"Claude Desktop's config directory was not found ({directory}): install Claude Desktop and run it "
            f"once, or pass --config-path (or set ${CLAUDE_DESKTOP_ENV})"
        )
    return directory / "claude_desktop_config.json"


def cursor_config_path(option: Path | None = None, workspace: Path | None = None) -> Path:
    if workspace is not None:
        workspace = workspace.expanduser().resolve()
        if not workspace.is_dir():
            raise CliError(f"the workspace is not a directory: {workspace}")
        return workspace / ".cursor" / "mcp.json"
    given = option or (Path(os.environ[CURSOR_ENV]) if os.environ.get(CURSOR_ENV) else None)
    if given is not None:
        given = given.expanduser()
        return given / "mcp.json" if given.is_dir() else given
    return Path.home() / ".cursor" / "mcp.json"


def cursor_deeplink(name: str, entry: dict[str, Any]) -> str:
    config = base64.urlsafe_b64encode(json.dumps(entry).encode()).decode()
    return f"cursor://anysphere.cursor-deeplink/mcp/install?name={quote(name, safe='')}&config={config}"


def find_claude() -> str | None:
    """The Claude Code CLI: on PATH, or where its installers put it (a shell alias does not reach us)."""
    candidates = [shutil.which("claude")]
    home = Path.home()
    candidates += [str(home / ".claude" / "local" / "claude"), "/usr/local/bin/claude"]
    candidates.append(str(home / ".npm-global" / "bin" / "claude"))
    for candidate in candidates:
        if not candidate or not Path(candidate).is_file():
            continue
        try:
            out = subprocess.run([candidate, "--version"], capture_output=True, text=True, timeout=30, check=True)
        except (OSError, subprocess.SubprocessError):
            continue
        if "Claude Code" in out.stdout:
            return candidate
    return None


# -- the command ---------------------------------------------------------------------------------------------


def _server_name(file: Path, entrypoint: str | None, no_alias: bool) -> str:
    """The server's own name (importing the file, as FastMCP does); the file's stem when that fails."""
    if not no_alias:
        _alias.install()
    saved = sys.argv
    sys.argv = [str(file)]
    try:
        return load_server(file, entrypoint, aliasing=not no_alias).build().name
    except (Exception, SystemExit) as exc:
        print(f"fastmcp-rs: could not load the server ({exc}); naming it {file.stem!r}", file=sys.stderr)
        return file.stem
    finally:
        sys.argv = saved


def install_command(args: argparse.Namespace) -> int:
    target = resolve_target(args.server_spec)
    file = target.path
    if not file.is_file():
        raise CliError(f"server file not found: {file}")
    uv = UvEnvironment(
        python=args.python,
        dependencies=[*args.with_packages, *(target.environment.dependencies or [])],
        requirements=args.with_requirements,
        project=args.project,
        editable=list(args.with_editable),
    )
    env: dict[str, str] = {}
    if args.env_file:
        env.update(read_env_file(args.env_file))
    env.update(parse_env(args.env))
    command = server_command(file, target.entrypoint, no_alias=args.no_alias, uv=uv)
    if args.client == "stdio":
        print(shlex.join(command))
        return 0
    name = args.name or _server_name(file, target.entrypoint, args.no_alias)
    entry: dict[str, Any] = {"command": command[0], "args": command[1:]}
    if env:
        entry["env"] = env

    if args.client == "mcp-json":
        print(json.dumps({name: entry}, indent=2, ensure_ascii=False))
        return 0
    if args.client == "claude-desktop":
        path = claude_desktop_config_path(args.config_path)
        update_config_file(path, name, entry)
        print(f"Installed {name!r} in Claude Desktop ({path}); restart Claude Desktop to load it")
        return 0
    if args.client == "cursor":
        if args.deeplink:
            print(cursor_deeplink(name, entry))
            return 0
        path = cursor_config_path(args.config_path, args.workspace)
        update_config_file(path, name, entry)
        print(f"Installed {name!r} in Cursor ({path})")
        return 0
    # claude-code
    if not _SAFE_NAME.fullmatch(name):
        raise CliError(f"invalid server name {name!r}: use letters, digits, '-', '_', '.' and spaces")
    claude = find_claude()
    add = [claude or "claude", "mcp", "add", name]
    for key, value in env.items():
        add += ["-e", f"{key}={value}"]
    add += ["--", *command]
    if claude is None:
        print("fastmcp-rs: the Claude Code CLI (claude) was not found; add the server with:", file=sys.stderr)
        print(shlex.join(add))
        return 0
    try:
        subprocess.run(add, capture_output=True, text=True, check=True, timeout=120)
    except subprocess.CalledProcessError as exc:
        detail = (exc.stderr or exc.stdout or str(exc)).strip()
        raise CliError(f"claude mcp add failed: {detail}") from None
    except (OSError, subprocess.SubprocessError) as exc:
        raise CliError(f"claude mcp add failed: {exc}") from None
    print(f"Installed {name!r} in Claude Code")
    return 0
