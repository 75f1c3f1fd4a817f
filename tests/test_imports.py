"""The package layout: every FastMCP 4.2.3 import path and name in scope resolves under fastmcp_rs (plus the SDK
v1 spellings and our old paths); each public module imports first in a fresh interpreter (so an import cycle
shows); components never import the server; names FastMCP has and fastmcp-rs does not implement import fine
and raise ``NotImplementedError`` naming the feature when used."""

from __future__ import annotations

import ast
import asyncio
import importlib
import pkgutil
import subprocess
import sys
from pathlib import Path

import fastmcp_rs
import pytest
from fastmcp_rs import Context, FastMCP
from fastmcp_rs.dependencies import CurrentContext

PACKAGE = Path(fastmcp_rs.__file__).parent

_AUTH_PROVIDERS = {
    "auth0": ["Auth0JWTVerifier", "Auth0MCPProvider", "Auth0Provider"],
    "aws": ["AWSCognitoProvider", "AWSCognitoTokenVerifier"],
    "azure": ["AzureJWTVerifier", "AzureProvider", "EntraOBOToken"],
    "clerk": ["ClerkProvider", "ClerkTokenVerifier"],
    "debug": ["DebugTokenVerifier"],
    "descope": ["DescopeProvider"],
    "discord": ["DiscordProvider", "DiscordTokenVerifier"],
    "github": ["GitHubProvider", "GitHubTokenVerifier"],
    "google": ["GoogleProvider", "GoogleTokenVerifier"],
    "huggingface": ["HuggingFaceProvider", "HuggingFaceTokenVerifier"],
    "in_memory": ["InMemoryOAuthProvider"],
    "introspection": ["IntrospectionTokenVerifier"],
    "jwt": ["JWKData", "JWKSData", "JWTVerifier", "RSAKeyPair", "StaticTokenVerifier"],
    "keycloak": ["KeycloakAuthProvider"],
    "oci": ["OCIProvider"],
    "propelauth": ["PropelAuthProvider", "PropelAuthTokenIntrospectionOverrides"],
    "scalekit": ["ScalekitProvider"],
    "supabase": ["SupabaseProvider"],
    "workos": ["AuthKitProvider", "WorkOSProvider", "WorkOSTokenVerifier"],
}

#: FastMCP 4.2.3's public paths (``fastmcp.X`` → ``fastmcp_rs.X``) and the names each gives, in scope here.
FASTMCP_PATHS: dict[str, list[str]] = {
    "": ["Context", "FastMCP", "FastMCPDeprecationWarning"],
    "server": ["Context", "FastMCP", "create_proxy"],
    "server.server": ["FastMCP", "create_proxy"],
    "server.context": ["Context"],
    "server.dependencies": [
        "AccessToken",
        "CurrentAccessToken",
        "CurrentContext",
        "CurrentFastMCP",
        "CurrentHeaders",
        "CurrentRequest",
        "FastMCPRequestContext",
        "Progress",
        "TokenClaim",
        "bind_request_context",
        "extract_version_spec",
        "fastmcp_request_ctx",
        "get_access_token",
        "get_context",
        "get_http_headers",
        "get_http_request",
        "get_server",
        "get_session",
        "is_docket_available",
        "resolve_dependencies",
        "transform_context_annotations",
        "without_injected_parameters",
    ],
    "server.lifespan": ["ComposedLifespan", "ContextManagerLifespan", "Lifespan", "lifespan"],
    "server.event_store": ["EventStore"],
    "server.low_level": ["LowLevelServer"],
    "server.elicitation": [
        "AcceptedElicitation",
        "CancelledElicitation",
        "DeclinedElicitation",
        "ElicitConfig",
        "ScalarElicitationType",
        "get_elicitation_schema",
        "handle_elicit_accept",
        "parse_elicit_response_type",
    ],
    "server.sessions": [
        "CurrentSession",
        "InvalidSession",
        "OptionalCurrentSession",
        "Session",
        "SessionAuthError",
        "SessionProvider",
        "UserSession",
        "create_session",
        "current_principal",
        "end_session",
        "session_id_parameter_names",
        "session_storage_key",
    ],
    "server.middleware": ["AuthMiddleware", "CallNext", "Middleware", "MiddlewareContext", "PingMiddleware"],
    "server.middleware.middleware": ["CallNext", "Middleware", "MiddlewareContext"],
    "server.middleware.authorization": ["AuthMiddleware"],
    "server.middleware.caching": ["ResponseCachingMiddleware", "CallToolSettings", "ListToolsSettings"],
    "server.middleware.dereference": ["DereferenceRefsMiddleware"],
    "server.middleware.error_handling": ["ErrorHandlingMiddleware", "RetryMiddleware"],
    "server.middleware.logging": ["LoggingMiddleware", "StructuredLoggingMiddleware"],
    "server.middleware.ping": ["PingMiddleware"],
    "server.middleware.rate_limiting": [
        "RateLimitError",
        "RateLimitingMiddleware",
        "SlidingWindowRateLimitingMiddleware",
    ],
    "server.middleware.response_limiting": ["ResponseLimitingMiddleware"],
    "server.middleware.timing": ["DetailedTimingMiddleware", "TimingMiddleware"],
    "server.middleware.tool_injection": ["ToolInjectionMiddleware"],
    "server.auth": [
        "AccessToken",
        "AuthCheck",
        "AuthContext",
        "AuthProvider",
        "DebugTokenVerifier",
        "IdentityAssertion",
        "JWTVerifier",
        "MultiAuth",
        "OAuthProvider",
        "OAuthProxy",
        "OIDCProxy",
        "RemoteAuthProvider",
        "StaticTokenVerifier",
        "TokenVerificationError",
        "TokenVerifier",
        "require_roles",
        "require_scopes",
        "restrict_tag",
        "run_auth_checks",
    ],
    "server.auth.auth": ["AccessToken", "AuthProvider", "OAuthProvider", "RemoteAuthProvider", "TokenVerifier"],
    "server.auth.oauth_proxy": ["OAuthProxy"],
    "server.auth.oidc_proxy": ["OIDCConfiguration", "OIDCProxy"],
    **{f"server.auth.providers.{module}": names for module, names in _AUTH_PROVIDERS.items()},
    "server.transforms": [
        "Namespace",
        "PromptsAsTools",
        "ResourcesAsTools",
        "ToolTransform",
        "Transform",
        "VersionFilter",
        "VersionSpec",
        "Visibility",
        "is_enabled",
    ],
    "server.transforms.search": ["BM25SearchTransform", "RegexSearchTransform"],
    "server.providers": [
        "AggregateProvider",
        "ClaudeSkillsProvider",
        "FastMCPProvider",
        "FileSystemProvider",
        "LocalProvider",
        "OpenAPIProvider",
        "Provider",
        "ProxyProvider",
        "SkillProvider",
        "SkillsDirectoryProvider",
    ],
    "server.providers.proxy": ["ClientFactoryT", "FastMCPProxy", "ProxyClient", "ProxyProvider"],
    "server.providers.openapi": [
        "MCPType",
        "OpenAPIProvider",
        "OpenAPIResource",
        "OpenAPIResourceTemplate",
        "OpenAPITool",
        "RouteMap",
    ],
    "apps": ["AppConfig", "FastMCPApp", "PrefabAppConfig", "ResourceCSP", "ResourcePermissions", "UI_MIME_TYPE"],
    "apps.app": ["FastMCPApp"],
    "experimental.transforms.code_mode": [
        "CodeMode",
        "GetSchemas",
        "GetTags",
        "ListTools",
        "MontySandboxProvider",
        "Search",
    ],
    "utilities.openapi": [
        "HTTPRoute",
        "ParameterInfo",
        "RequestBodyInfo",
        "ResponseInfo",
        "parse_openapi_to_http_routes",
    ],
    "tools": ["FunctionTool", "InputRequiredToolResult", "Tool", "ToolResult", "forward", "forward_raw", "tool"],
    "tools.base": ["InputRequiredToolResult", "Tool", "ToolResult"],
    "tools.function_tool": ["FunctionTool", "tool"],
    "tools.function_parsing": ["ParsedFunction"],
    "tools.tool_transform": ["ArgTransform", "ArgTransformConfig", "ToolTransformConfig", "TransformedTool", "forward"],
    "resources": [
        "BinaryResource",
        "DirectoryResource",
        "FileResource",
        "FunctionResource",
        "HttpResource",
        "Resource",
        "ResourceContent",
        "ResourceResult",
        "ResourceSecurity",
        "ResourceTemplate",
        "TextResource",
        "resource",
    ],
    "resources.base": ["Resource", "ResourceContent", "ResourceResult"],
    "resources.function_resource": ["FunctionResource", "resource"],
    "resources.template": ["FunctionResourceTemplate", "ResourceTemplate", "extract_query_params"],
    "resources.types": ["BinaryResource", "DirectoryResource", "FileResource", "HttpResource", "TextResource"],
    "resources.security": ["ResourceSecurity"],
    "prompts": ["FunctionPrompt", "Message", "Prompt", "PromptArgument", "PromptMessage", "PromptResult", "prompt"],
    "prompts.base": ["Message", "Prompt", "PromptArgument", "PromptResult"],
    "prompts.function_prompt": ["FunctionPrompt", "prompt"],
    "exceptions": [
        "AuthorizationError",
        "ClientError",
        "DisabledError",
        "FastMCPDeprecationWarning",
        "FastMCPError",
        "InsufficientScopeError",
        "InvalidSignature",
        "McpError",
        "NotFoundError",
        "PromptError",
        "ResourceError",
        "ResourceSecurityError",
        "ToolError",
        "ValidationError",
        "to_mcp_error",
    ],
    "dependencies": [
        "CallArgument",
        "CurrentAccessToken",
        "CurrentContext",
        "CurrentFastMCP",
        "CurrentHeaders",
        "CurrentRequest",
        "CycleError",
        "Dependency",
        "Depends",
        "Progress",
        "ProgressLike",
        "Shared",
        "TokenClaim",
    ],
    "utilities.types": ["Audio", "FastMCPBaseModel", "File", "Image", "NotSet"],
    "utilities.logging": ["configure_logging", "get_logger", "temporary_log_level"],
    "utilities.lifespan": ["combine_lifespans"],
    "utilities.tests": ["find_available_port", "run_server_async", "run_server_in_process", "temporary_settings"],
}

#: ``mcp.server.fastmcp`` (SDK v1) names, and fastmcp-rs's own older paths that keep working.
OTHER_PATHS: dict[str, list[str]] = {
    "": ["Audio", "Image", "ToolResult", "get_context", "lifespan"],
    "prompts.base": ["AssistantMessage", "Message", "UserMessage"],
    "exceptions": ["UrlElicitationRequiredError", "MCPError"],
    "context": ["Context", "get_context"],
    "lifespan": ["Lifespan", "lifespan"],
    "elicitation": ["AcceptedElicitation", "AcceptedUrlElicitation"],
    "dependencies": ["get_http_headers", "get_http_request", "get_context"],
    # FastMCP 2/3's OpenAPI paths (deprecated there).
    "server.openapi": ["FastMCPOpenAPI", "MCPType", "RouteMap", "RouteType", "OpenAPITool"],
    "experimental.server.openapi": ["FastMCPOpenAPI", "MCPType", "RouteMap"],
    "experimental.utilities.openapi": ["HTTPRoute", "parse_openapi_to_http_routes"],
    # FastMCP 2/3's proxy path (deprecated in 3).
    "server.proxy": [
        "ClientFactoryT",
        "FastMCPProxy",
        "ProxyClient",
        "ProxyPrompt",
        "ProxyProvider",
        "ProxyResource",
        "ProxyTemplate",
        "ProxyTool",
        "StatefulProxyClient",
    ],
    # FastMCP 2's component modules.
    "tools.tool": ["FunctionTool", "ParsedFunction", "Tool", "ToolResult", "default_serializer"],
    "prompts.prompt": [
        "FunctionPrompt",
        "Message",
        "Prompt",
        "PromptArgument",
        "PromptMessage",
        "PromptResult",
        "TextContent",
    ],
    "resources.resource": ["FunctionResource", "Resource", "ResourceContent", "ResourceResult"],
}


def _module(path: str) -> str:
    return f"fastmcp_rs.{path}" if path else "fastmcp_rs"


@pytest.mark.parametrize("path", sorted(set(FASTMCP_PATHS) | set(OTHER_PATHS)), ids=lambda p: p or "fastmcp_rs")
def test_names_resolve(path: str) -> None:
    module = importlib.import_module(_module(path))
    missing = [n for n in FASTMCP_PATHS.get(path, []) + OTHER_PATHS.get(path, []) if not hasattr(module, n)]
    assert not missing, f"{_module(path)} lacks {missing}"


def _public_modules() -> list[str]:
    """Every module of the package but private ones and the CLI/client (other people's)."""
    names = ["fastmcp_rs"]
    for info in pkgutil.walk_packages([str(PACKAGE)], "fastmcp_rs."):
        parts = info.name.split(".")
        if any(p.startswith("_") for p in parts[1:]) or parts[1] in ("cli", "client"):
            continue
        names.append(info.name)
    return names


PUBLIC_MODULES = _public_modules()


@pytest.mark.parametrize("name", PUBLIC_MODULES)
def test_public_module_has_all_and_every_name_resolves(name: str) -> None:
    module = importlib.import_module(name)
    exported = getattr(module, "__all__", None)
    assert isinstance(exported, (list, tuple)), f"{name} has no __all__"
    assert [n for n in exported if not hasattr(module, n)] == []


def test_each_public_module_imports_first_in_a_fresh_interpreter() -> None:
    failures = []
    for name in PUBLIC_MODULES:
        done = subprocess.run([sys.executable, "-c", f"import {name}"], capture_output=True, text=True, timeout=60)
        if done.returncode != 0:
            failures.append(f"{name}:\n{done.stderr[-800:]}")
    assert not failures, "\n".join(failures)


def _runtime_imports(path: Path) -> list[str]:
    """The absolute module names a file imports when it loads (``TYPE_CHECKING`` blocks and function bodies
    left out)."""
    tree = ast.parse(path.read_text())
    package = ".".join(("fastmcp_rs", *path.relative_to(PACKAGE).with_suffix("").parts))
    if path.name != "__init__.py":
        package = package.rsplit(".", 1)[0]
    else:
        package = package.removesuffix(".__init__")
    found = []
    for node in tree.body:
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            continue
        for sub in [node] if not isinstance(node, (ast.If, ast.Try)) else ast.walk(node):
            if isinstance(sub, ast.ImportFrom):
                base = package.split(".")[: len(package.split(".")) - (sub.level - 1)] if sub.level else []
                found.append(".".join([*base, sub.module] if sub.module else base))
            elif isinstance(sub, ast.Import):
                found.extend(alias.name for alias in sub.names)
    return found


@pytest.mark.parametrize("component", ["tools", "resources", "prompts", "utilities", "_context", "_components"])
def test_components_never_import_the_server(component: str) -> None:
    paths = [PACKAGE / f"{component}.py"] if (PACKAGE / f"{component}.py").exists() else []
    paths += sorted((PACKAGE / component).rglob("*.py")) if (PACKAGE / component).is_dir() else []
    offending = [
        (str(p.relative_to(PACKAGE)), name)
        for p in paths
        for name in _runtime_imports(p)
        if name == "fastmcp_rs.server" or name.startswith("fastmcp_rs.server.")
    ]
    assert offending == []


# -- what is not implemented says so -------------------------------------------------------------------


def _refused(call: object, feature: str) -> None:
    with pytest.raises(NotImplementedError, match="not supported by fastmcp-rs yet") as caught:
        call()  # type: ignore[operator]
    assert feature in str(caught.value)


def test_stub_classes_import_subclass_and_refuse_instantiation() -> None:
    from fastmcp_rs.server.auth import OAuthProvider
    from fastmcp_rs.server.auth.providers.azure import AzureProvider
    from fastmcp_rs.server.middleware import Middleware
    from fastmcp_rs.server.transforms import Namespace

    class Custom(Middleware):  # Python middleware runs (tests/test_middleware.py)
        async def on_call_tool(self, context: object, call_next: object) -> object: ...

    assert isinstance(Custom(), Middleware)
    _refused(lambda: OAuthProvider(base_url="https://x"), "OAuthProvider: authentication")
    _refused(lambda: AzureProvider(client_id="x"), "AzureProvider: authentication (azure provider)")
    assert repr(Namespace("x")) == "Namespace('x')"  # served (tests/test_transforms.py)
    from fastmcp_rs.skills import SkillsClientExtension  # served (tests/test_skills.py)

    assert SkillsClientExtension().identifier == "io.modelcontextprotocol/skills"


def test_stub_functions_and_server_features_refuse_use() -> None:
    from fastmcp_rs.server import create_proxy
    from fastmcp_rs.server.dependencies import bind_request_context
    from fastmcp_rs.server.middleware.rate_limiting import RateLimitError
    from fastmcp_rs.tools import forward

    assert issubclass(RateLimitError, Exception)  # error names stay catchable
    # Dependency injection is served (tests/test_dependencies.py); binding a request context by hand is not.
    _refused(lambda: bind_request_context(None), "bind_request_context: binding a request context by hand")
    with pytest.raises(RuntimeError, match="forward\\(\\) can only be called within a transformed tool"):
        asyncio.run(forward(x=1))
    # Proxies are served (tests/test_proxy.py); made, not connected, until the server starts.
    assert create_proxy("http://127.0.0.1:9/mcp").name.startswith("FastMCPProxy-")
    with pytest.raises(TypeError, match="takes a Middleware"):
        FastMCP("a", middleware=[object()])
    with pytest.raises(TypeError, match="takes an auth provider"):
        FastMCP("a", auth=object())
    mcp = FastMCP("s")
    with pytest.raises(TypeError, match="takes a Middleware"):
        mcp.add_middleware(object())
    _refused(lambda: mcp.mount(object()), "only fastmcp_rs servers can be mounted")
    _refused(lambda: mcp.add_provider(object()), "custom providers")
    _refused(lambda: mcp.add_transform(object()), "transforms")
    with pytest.warns(DeprecationWarning, match="as_proxy"):
        assert type(FastMCP.as_proxy("http://127.0.0.1:9/mcp")).__name__ == "FastMCPProxy"

    # Tasks are served (the 2026-07-28 tasks extension); as in FastMCP 4, only for async functions.
    def slow() -> int:
        return 1

    with pytest.raises(ValueError, match="'slow' uses a sync function but has task execution enabled"):
        mcp.tool(task=True)(slow)

    async def slow_async() -> int:
        return 1

    mcp.tool(task=True)(slow_async)
    assert mcp._tools["slow_async"].to_mcp_tool()["execution"] == {"taskSupport": "optional"}
    with pytest.raises(TypeError, match="takes a ServerExtension"):  # served (tests/test_extensions.py)
        mcp.add_extension(object())


def test_current_context_marks_the_context_parameter() -> None:
    mcp = FastMCP("dep")

    @mcp.tool
    def annotated(x: int, ctx: Context = CurrentContext()) -> int:
        return x

    @mcp.tool
    def unannotated(x: int, ctx=CurrentContext()) -> int:
        return x

    for name in ("annotated", "unannotated"):
        tool = mcp._tools[name]
        assert tool.context_param == "ctx"
        assert list(tool.parameters["properties"]) == ["x"]
