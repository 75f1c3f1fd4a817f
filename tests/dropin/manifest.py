"""What the drop-in corpus test (``tests/test_dropin_corpus.py``) knows about each corpus file.

Every server file under ``corpus/`` (see ``SOURCES.md``) has one entry per server object in it. An entry says
what the file needs that this machine may lack (``needs``: optional packages), which later issue it waits for
(``later``: the test is a strict xfail, so the mark has to go when that work lands), why FastMCP 4.2.3 itself
cannot serve it (``reference``: text its failure must contain; then fastmcp-rs is only checked to serve it to
the end), which values change from run to run (``volatile``), and which differences from FastMCP 4 on the
wire were chosen (``accepted``: a path pattern and the reason; README lists them). Differences accepted for
every file are in ``ACCEPTED_EVERYWHERE``.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["ACCEPTED_EVERYWHERE", "DEMO_ONLY", "ENTRIES", "HTTP_MAINS", "MAIN_DEMOS", "SETUPS", "Entry"]

#: What diagnostics/server.py's lifespan needs, which the example file does not bring: the `uv` program, the
#: `run_with_tracing.py` FastMCP's examples keep beside it (it starts `uv run run_with_tracing.py echo.py`), and
#: port 8002 free for each of the three probes, which run at once.
DIAGNOSTICS = "uv, FastMCP's examples/run_with_tracing.py beside the file, and port 8002 for each probe"


@dataclass(frozen=True)
class Entry:
    path: str
    obj: str | None = None
    needs: tuple[str, ...] = ()
    later: str | None = None
    reference: str | None = None
    accepted: tuple[tuple[str, str], ...] = ()
    # Path patterns of values that change from run to run (timings): masked in every document.
    volatile: tuple[str, ...] = ()

    @property
    def spec(self) -> str:
        return self.path + (f":{self.obj}" if self.obj else "")


# (path pattern, reason): differences we chose, for every file.
ACCEPTED_EVERYWHERE: tuple[tuple[str, str], ...] = (
    (
        r"/initialize/result/serverInfo/version",
        "a server that sets no version reports the serving package's version (fastmcp-rs's, not FastMCP's)",
    ),
    (
        r"/initialize/result/capabilities/resources/subscribe",
        "fastmcp-rs serves resources/subscribe, so it says subscribe: true (FastMCP 4 says false)",
    ),
)

_PREFAB = ("prefab_ui",)
_SDK_CONTEXT = "type 'Context' is not subscriptable"
_SDK_JSON = "no longer accepts `json_response`"
_SDK_STATELESS = "no longer accepts `stateless_http`"
_NO_USER_MESSAGE = (
    r"/prompts/get/.*",
    "FastMCP 4 has no prompts.base.UserMessage/AssistantMessage, so its reference fails where the SDK v1 "
    "spelling is used; fastmcp-rs renders the messages as SDK v1 did",
)

ENTRIES: tuple[Entry, ...] = (
    # FastMCP 4.2.3 examples/
    # MCP Apps served, with the built-in Approval and Choice providers; FileUpload, FormInput and GenerativeUI
    # are not.
    *(
        Entry(f"fastmcp/apps/{p}", needs=_PREFAB)
        for p in (
            "approval/approval_server.py",
            "approvals/approvals_server.py",
            "chart_server.py",
            "contacts/contacts_server.py",
            "datatable_server.py",
            "explorer/explorer_server.py",
            "greet_server.py",
            "inspector_demo.py",
            "inventory/inventory_server.py",
            "patterns_server.py",
            "choice/choice_server.py",
            "form/form_server.py",
            "file_upload/file_upload_server.py",
            "generative_ui.py",
            "quiz/quiz_server.py",
            "sales_dashboard/sales_dashboard_server.py",
            "showcase_server.py",
        )
    ),
    Entry("fastmcp/apps/qr_server/qr_server.py", needs=("qrcode",)),
    Entry(
        "fastmcp/apps/system_monitor/system_monitor_server.py",
        needs=(*_PREFAB, "psutil"),
        # Live CPU, memory and process figures of this machine (the views around them are compared).
        volatile=(
            r"/tools/call/refresh/result/(content\[\d+\]/text|structuredContent)",
            r"/tools/call/system_dashboard/result/structuredContent/state/stats",
        ),
    ),
    Entry("fastmcp/code_mode/server.py", needs=("pydantic_monty",)),
    Entry("fastmcp/complex_inputs.py"),
    Entry("fastmcp/config_server.py"),
    Entry("fastmcp/custom_tool_serializer_decorator.py"),
    Entry("fastmcp/desktop.py"),
    Entry("fastmcp/diagnostics/server.py", needs=("exe:uv",), later=DIAGNOSTICS),
    Entry("fastmcp/echo.py"),
    Entry("fastmcp/elicitation.py"),
    Entry("fastmcp/fastmcp_config/server.py"),
    Entry("fastmcp/fastmcp_config_demo/server.py"),
    Entry("fastmcp/auth/github_oauth/server.py"),
    Entry("fastmcp/auth/google_oauth/server.py"),
    Entry("fastmcp/auth/keycloak_oauth/server.py"),
    *(Entry("fastmcp/auth/mounted/server.py", obj) for obj in ("github_mcp", "google_mcp")),
    Entry("fastmcp/filesystem-provider/server.py"),
    Entry("fastmcp/get_file.py", needs=("aiohttp",)),
    *(Entry("fastmcp/mount_example.py", obj) for obj in ("app", "weather_app", "news_app")),
    Entry("fastmcp/namespace_activation/server.py"),
    Entry("fastmcp/persistent_state/server.py"),
    Entry("fastmcp/prompts_as_tools/server.py"),
    Entry(
        "fastmcp/providers/sqlite/server.py",
        needs=("aiosqlite",),
        # server_info names the database file, which is in a different copy of the corpus for each server.
        volatile=(r"/tools/call/server_info/result/(content\[0\]/text|structuredContent/database)",),
    ),
    Entry("fastmcp/resources_as_tools/server.py"),
    Entry("fastmcp/screenshot.py"),
    Entry("fastmcp/search/server_bm25.py"),
    Entry("fastmcp/search/server_regex.py"),
    Entry("fastmcp/simple_echo.py"),
    Entry("fastmcp/skills/server.py"),
    # FastMCP 4 needs the fastmcp-tasks package, whose newest release (4.1.4) pins fastmcp-slim 4.1.4, so it
    # cannot sit beside FastMCP 4.2.3; the core has tasks built in. (tests/test_dependencies.py compares the
    # dependency injection tasks/server.py uses with FastMCP 4.2.3.)
    Entry("fastmcp/task_elicitation.py", reference="No module named 'fastmcp_tasks'"),
    Entry("fastmcp/tasks/server.py", reference="No module named 'fastmcp_tasks'"),
    Entry("fastmcp/testing_demo/server.py"),
    Entry("fastmcp/tool_result_echo.py", volatile=(r"/tools/call/echo/result/_meta/execution_time_ms",)),
    Entry("fastmcp/versioning/client_version_selection.py"),
    *(Entry("fastmcp/versioning/version_filters.py", obj) for obj in ("api_v1", "api_v2", "api_v3")),
    Entry("fastmcp/versioning/versioned_components.py"),
    # SDK v1.29 examples/fastmcp
    Entry("sdk_v1/fastmcp/complex_inputs.py"),
    Entry("sdk_v1/fastmcp/desktop.py"),
    Entry("sdk_v1/fastmcp/direct_call_tool_result_return.py"),
    Entry("sdk_v1/fastmcp/echo.py"),
    Entry("sdk_v1/fastmcp/icons_demo.py", reference="cannot import name 'Icon' from 'fastmcp'"),
    Entry("sdk_v1/fastmcp/logging_and_progress.py"),
    Entry("sdk_v1/fastmcp/parameter_descriptions.py"),
    Entry("sdk_v1/fastmcp/readme-quickstart.py"),
    Entry("sdk_v1/fastmcp/screenshot.py", reference="unexpected keyword argument(s): 'dependencies'"),
    Entry("sdk_v1/fastmcp/simple_echo.py"),
    Entry("sdk_v1/fastmcp/unicode_example.py"),
    Entry(
        "sdk_v1/fastmcp/weather_structured.py", needs=("mcp.shared.memory:create_connected_server_and_client_session",)
    ),
    # SDK v1.29 examples/snippets/servers
    Entry("sdk_v1/snippets/servers/audio_example.py"),
    Entry("sdk_v1/snippets/servers/basic_prompt.py", accepted=(_NO_USER_MESSAGE,)),
    Entry("sdk_v1/snippets/servers/basic_resource.py"),
    Entry("sdk_v1/snippets/servers/basic_tool.py"),
    Entry("sdk_v1/snippets/servers/binary_resources.py"),
    Entry("sdk_v1/snippets/servers/completion.py"),
    Entry("sdk_v1/snippets/servers/direct_call_tool_result.py"),
    Entry("sdk_v1/snippets/servers/direct_execution.py"),
    Entry("sdk_v1/snippets/servers/elicitation.py", reference=_SDK_CONTEXT),
    Entry("sdk_v1/snippets/servers/elicitation_complete.py", reference=_SDK_CONTEXT),
    Entry("sdk_v1/snippets/servers/elicitation_enum.py", reference=_SDK_CONTEXT),
    Entry("sdk_v1/snippets/servers/embedded_resource_results.py"),
    Entry("sdk_v1/snippets/servers/embedded_resource_results_binary.py"),
    Entry("sdk_v1/snippets/servers/fastmcp_quickstart.py", reference=_SDK_JSON),
    Entry("sdk_v1/snippets/servers/images.py", needs=("PIL",), reference="cannot import name 'Image' from 'fastmcp'"),
    Entry("sdk_v1/snippets/servers/lifespan_example.py", reference=_SDK_CONTEXT),
    Entry("sdk_v1/snippets/servers/notifications.py", reference=_SDK_CONTEXT),
    Entry("sdk_v1/snippets/servers/oauth_server.py", reference=_SDK_JSON),
    Entry("sdk_v1/snippets/servers/prompt_change_notifications.py", reference=_SDK_CONTEXT),
    Entry("sdk_v1/snippets/servers/prompt_embedded_resources.py"),
    Entry("sdk_v1/snippets/servers/prompt_image_content.py", accepted=(_NO_USER_MESSAGE,)),
    Entry("sdk_v1/snippets/servers/resource_templates.py"),
    Entry("sdk_v1/snippets/servers/sampling.py", reference=_SDK_CONTEXT),
    Entry("sdk_v1/snippets/servers/streamable_config.py", reference=_SDK_STATELESS),
    Entry("sdk_v1/snippets/servers/streamable_http_basic_mounting.py", reference=_SDK_JSON),
    Entry("sdk_v1/snippets/servers/streamable_http_host_mounting.py", reference=_SDK_JSON),
    *(
        Entry("sdk_v1/snippets/servers/streamable_http_multiple_servers.py", obj, reference=_SDK_JSON)
        for obj in ("api_mcp", "chat_mcp")
    ),
    Entry("sdk_v1/snippets/servers/streamable_http_path_config.py", "mcp_at_root", reference=_SDK_JSON),
    *(
        Entry("sdk_v1/snippets/servers/streamable_starlette_mount.py", obj, reference=_SDK_STATELESS)
        for obj in ("echo_mcp", "math_mcp")
    ),
    Entry("sdk_v1/snippets/servers/structured_output.py", reference="typed-dict-version"),
    Entry("sdk_v1/snippets/servers/tool_change_notifications.py", reference=_SDK_CONTEXT),
    Entry("sdk_v1/snippets/servers/tool_errors.py"),
    Entry("sdk_v1/snippets/servers/tool_progress.py", reference=_SDK_CONTEXT),
)

# Files whose ``if __name__ == "__main__":`` block is a self-test or a demo that ends: run import-swapped with
# ``python file.py``, they must exit 0 and print what they print on FastMCP 4.2.3.
MAIN_DEMOS: tuple[str, ...] = (
    "fastmcp/custom_tool_serializer_decorator.py",
    "fastmcp/versioning/client_version_selection.py",
    "fastmcp/versioning/versioned_components.py",
    "fastmcp/mount_example.py",
    "fastmcp/providers/sqlite/server.py",
    "fastmcp/tags_example.py",
)

# Demos of MAIN_DEMOS that define no server at module level (so they have no entry): what they need.
DEMO_ONLY: dict[str, tuple[str, ...]] = {"fastmcp/tags_example.py": ("fastapi",)}

# Files whose ``__main__`` serves Streamable HTTP on port 8000: started with ``python file.py``, they must
# answer over HTTP there and exit cleanly on SIGINT.
HTTP_MAINS: tuple[str, ...] = (
    "fastmcp/persistent_state/server.py",
    "sdk_v1/snippets/servers/fastmcp_quickstart.py",
    "sdk_v1/snippets/servers/streamable_config.py",
)

# Scripts of the corpus that prepare what its servers read (run in each copy of the corpus before any test,
# when what they import is installed): (script, what it needs).
SETUPS: tuple[tuple[str, tuple[str, ...]], ...] = (("fastmcp/providers/sqlite/setup_db.py", ("aiosqlite",)),)
