"""Deployment tools from the "production guide" (validation, structured errors, auth
scopes, observability, rate limiting).

Uses pydantic models with ``field_validator``, a ``str`` Enum, ``ctx: Context`` with progress reporting,
decorators built with ``functools.wraps`` (including one that injects a ``_claims`` keyword), a
TypedDict return type and a ``ToolError`` subclass. The deployment API and the JWT check are
deterministic in-memory fakes.

The file of the seed guide's production checklist (tests/seeds/seed_deploy.py) in FastMCP's spelling: the
image serves it unchanged with `fastmcp-rs run server.py`, the transport and address from `FASTMCP_*`.
"""

from __future__ import annotations

import logging
import re
import time
import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timezone
from enum import Enum
from functools import wraps

from fastmcp import Context, FastMCP
from fastmcp.exceptions import ToolError
from pydantic import BaseModel, field_validator
from typing_extensions import TypedDict

logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s %(message)s")  # stderr
logger = logging.getLogger("deploy-tools")

mcp = FastMCP("deploy-tools")


class Environment(str, Enum):
    STAGING = "staging"
    PRODUCTION = "production"


class DeployStatusRequest(BaseModel):
    service_name: str
    environment: Environment

    @field_validator("service_name")
    @classmethod
    def validate_service_name(cls, v: str) -> str:
        if not re.match(r"^[a-z][a-z0-9\-]{1,62}[a-z0-9]$", v):
            raise ValueError("service_name must be lowercase alphanumeric with hyphens, 3-64 characters")
        return v


class ServiceInfo(TypedDict):
    name: str
    team: str
    environments: list[str]


class DeployToolError(ToolError):
    """The guide's ToolError: a message plus whether retrying can help."""

    def __init__(self, message: str, retryable: bool = False):
        self.message = message
        self.retryable = retryable
        super().__init__(message)


# ---- in-memory stand-in for the deployment API ----------------------------------------------------


@dataclass
class _Status:
    state: str
    version: str
    timestamp: datetime


class _DeploymentAPI:
    class ServiceNotFound(Exception):
        pass

    class APITimeout(Exception):
        pass

    _DATA = {
        ("api-gateway", "staging"): _Status("running", "2.14.0-rc.1", datetime(2026, 3, 2, 9, 30, tzinfo=timezone.utc)),
        ("api-gateway", "production"): _Status(
            "running", "2.13.4", datetime(2026, 2, 27, 18, 5, 12, tzinfo=timezone.utc)
        ),
        ("auth-service", "staging"): _Status("deploying", "1.8.0", datetime(2026, 3, 3, 11, 0, tzinfo=timezone.utc)),
        ("auth-service", "production"): _Status(
            "degraded", "1.7.9", datetime(2026, 1, 15, 7, 45, 30, 250000, tzinfo=timezone.utc)
        ),
    }
    _TEAMS = {"api-gateway": "platform", "auth-service": "identity", "slow-service": "batch"}

    async def get_status(self, service_name: str, environment: str) -> _Status:
        if service_name == "slow-service":
            raise self.APITimeout()
        if service_name == "broken-service":
            raise RuntimeError("connection reset by peer (10.0.3.7:5432)")
        try:
            return self._DATA[(service_name, environment)]
        except KeyError:
            raise self.ServiceNotFound(service_name) from None

    def list_services(self) -> list[tuple[str, str, list[str]]]:
        out = []
        for name, team in self._TEAMS.items():
            envs = sorted({env for (svc, env) in self._DATA if svc == name})
            out.append((name, team, envs))
        return out


deployment_api = _DeploymentAPI()


def _status_dict(req: DeployStatusRequest, status: _Status) -> dict:
    return {
        "service": req.service_name,
        "environment": req.environment.value,
        "status": status.state,
        "version": status.version,
        "deployed_at": status.timestamp.isoformat(),
    }


# ---- auth (fake JWT verification) ----------------------------------------------------------------

_FAKE_JWTS = {
    "tok-reader": {"sub": "monitoring-agent", "exp": 4102444800, "scopes": ["deploy:read", "services:list"]},
    "tok-expired": {"sub": "old-agent", "exp": 0, "scopes": ["deploy:read"]},
}
_SESSION_TOKEN = "tok-reader"  # what the transport would have authenticated


def verify_token(token: str) -> dict:
    """Verify the token and return its claims. Raises on invalid tokens."""
    payload = _FAKE_JWTS.get(token)
    if payload is None:
        raise DeployToolError("Invalid token: signature verification failed", retryable=False)
    if payload["exp"] < 1_700_000_000:
        raise DeployToolError("Token expired", retryable=False)
    return payload


def require_scope(scope: str):
    """Decorator to enforce scope-based authorization on tools."""

    def decorator(func):
        @wraps(func)
        async def wrapper(*args, **kwargs):
            ctx = kwargs.get("ctx")
            if ctx is None:
                raise DeployToolError("Missing context", retryable=False)
            claims = verify_token(_SESSION_TOKEN)
            user_scopes = set(claims.get("scopes", []))
            if scope not in user_scopes:
                raise DeployToolError(f"Insufficient permissions. Required: {scope}", retryable=False)
            kwargs["_claims"] = claims
            return await func(*args, **kwargs)

        return wrapper

    return decorator


def with_observability(func):
    """Wrap tool calls with structured logging and timing."""

    @wraps(func)
    async def wrapper(*args, **kwargs):
        request_id = str(uuid.uuid4())[:8]
        start = time.monotonic()
        params = {k: v for k, v in kwargs.items() if k not in ("ctx", "_claims")}
        logger.info("tool_invoked request_id=%s tool=%s params=%s", request_id, func.__name__, params)
        try:
            result = await func(*args, **kwargs)
            logger.info("tool_completed request_id=%s duration_ms=%.2f", request_id, (time.monotonic() - start) * 1000)
            return result
        except Exception as e:
            logger.error("tool_failed request_id=%s error=%s", request_id, e)
            raise

    return wrapper


class RateLimiter:
    def __init__(self, max_calls: int, window_seconds: int):
        self.max_calls = max_calls
        self.window = window_seconds
        self.calls: dict[str, list[float]] = defaultdict(list)

    def check(self, key: str) -> bool:
        now = time.monotonic()
        window_start = now - self.window
        self.calls[key] = [t for t in self.calls[key] if t > window_start]
        if len(self.calls[key]) >= self.max_calls:
            return False
        self.calls[key].append(now)
        return True


rate_limiter = RateLimiter(max_calls=2, window_seconds=60)


# ---- tools -----------------------------------------------------------------------------------------


@mcp.tool()
async def get_deploy_status(
    service_name: str,
    environment: str,
    ctx: Context,
) -> dict:
    """Get the current deployment status for a service.

    Args:
        service_name: Lowercase alphanumeric with hyphens (e.g., 'api-gateway')
        environment: Must be 'staging' or 'production'
    """
    try:
        req = DeployStatusRequest(service_name=service_name, environment=environment)
    except ValueError as e:
        return {
            "error": str(e),
            "retryable": False,
            "hint": "Check service_name format and environment values",
        }
    try:
        status = await deployment_api.get_status(req.service_name, req.environment.value)
    except deployment_api.ServiceNotFound:
        return {
            "error": f"Service '{req.service_name}' not found",
            "retryable": False,
            "hint": "Use list_services tool to see available services",
        }
    except deployment_api.APITimeout:
        logger.warning("Deployment API timeout for %s/%s", req.service_name, req.environment.value)
        await ctx.report_progress(0, 1, "Deployment API is slow, retrying...")
        return {
            "error": "Deployment API timed out",
            "retryable": True,
            "hint": "The deployment API is experiencing delays. Try again.",
        }
    except Exception:
        logger.exception("Unexpected error in get_deploy_status")
        return {
            "error": "Internal server error",
            "retryable": False,
            "hint": "Contact the platform team if this persists",
        }
    return _status_dict(req, status)


@mcp.tool()
def describe_deploy(request: DeployStatusRequest) -> dict:
    """Describe a deployment target (validated request model). Returns the normalized request."""
    return {
        "service": request.service_name,
        "environment": request.environment.value,
        "is_production": request.environment is Environment.PRODUCTION,
    }


@mcp.tool()
@with_observability
async def check_deploy_status(service_name: str, environment: Environment, ctx: Context) -> dict:
    """Get the current deployment status for a service (traced)."""
    req = DeployStatusRequest(service_name=service_name, environment=environment)
    try:
        status = await deployment_api.get_status(req.service_name, req.environment.value)
    except deployment_api.ServiceNotFound:
        raise DeployToolError(f"Service '{service_name}' not found", retryable=False) from None
    except deployment_api.APITimeout:
        raise DeployToolError("Deployment API timed out", retryable=True) from None
    await ctx.info(f"status of {service_name} in {environment.value}: {status.state}")
    return _status_dict(req, status)


@mcp.tool()
@require_scope("deploy:read")
async def get_deploy_history(
    service_name: str,
    environment: Environment,
    ctx: Context,
    limit: int = 3,
    _claims: dict = None,
) -> dict:
    """Get recent deployments. Requires deploy:read scope."""
    logger.info("deploy_history user=%s service=%s env=%s", _claims["sub"], service_name, environment.value)
    if limit < 1:
        raise DeployToolError("limit must be at least 1", retryable=False)
    versions = [f"1.{n}.0" for n in range(9, 9 - limit, -1)]
    return {"service": service_name, "environment": environment.value, "versions": versions, "caller": _claims["sub"]}


@mcp.tool()
@require_scope("deploy:write")
async def rollback_deploy(
    service_name: str,
    environment: Environment,
    target_version: str,
    ctx: Context,
    _claims: dict = None,
) -> dict:
    """Roll a service back to a previous version. Requires deploy:write scope."""
    await ctx.report_progress(1, 1, "rolled back")
    return {"service": service_name, "environment": environment.value, "version": target_version}


@mcp.tool()
def list_services() -> list[ServiceInfo]:
    """List the services known to the deployment API."""
    return [ServiceInfo(name=n, team=t, environments=e) for n, t, e in deployment_api.list_services()]


@mcp.tool()
async def get_deploy_status_limited(service_name: str, environment: str, ctx: Context) -> dict:
    """Get deployment status. Rate limited to 2 calls per minute."""
    caller = ctx.client_id or "anonymous"
    if not rate_limiter.check(caller):
        await ctx.warning(f"rate limit exceeded for {caller}")
        return {
            "error": "Rate limit exceeded. Max 2 calls per minute.",
            "retryable": True,
            "hint": "Wait before retrying. Consider batching requests.",
            "retry_after_seconds": 60,
        }
    await ctx.report_progress(1, 2)
    req = DeployStatusRequest(service_name=service_name, environment=environment)
    status = await deployment_api.get_status(req.service_name, req.environment.value)
    await ctx.report_progress(2, 2)
    return _status_dict(req, status)


if __name__ == "__main__":
    mcp.run()
