"""Agent Skills (issue 13): ``SkillsDirectoryProvider`` over a folder of skills (nested skill paths, a
supporting text file in a subfolder, a binary file, a hidden folder and a folder that is not a skill), under
FastMCP 4.2.3 and fastmcp-rs, driven by the official client over stdio: the listing, every read (text, blob,
manifest) and an unknown file must be the same; a folder that is not a valid skill stops both servers at
start with the same message."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from conftest import HERE
from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client
from mcp.shared.exceptions import MCPError

SERVER = HERE / "servers" / "skilled.py"
IMPLS = ("fastmcp", "fastmcp_rs")


def skill(folder: Path, name: str, description: str, body: str = "Do the thing.\n") -> None:
    folder.mkdir(parents=True, exist_ok=True)
    text = f'---\nname: {name}\ndescription: {description}\nversion: "2.1"\ntags: [a, b]\n---\n\n# {name}\n\n{body}'
    (folder / "SKILL.md").write_text(text)


def tree(root: Path) -> Path:
    skill(root / "code-review", "code-review", "Review code for quality")
    (root / "code-review" / "notes").mkdir()
    (root / "code-review" / "notes" / "checklist.txt").write_text("1. tests\n2. names\n")
    (root / "code-review" / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x01")
    (root / "code-review" / "data.json").write_text('{"k": 1}')
    skill(root / "ops" / "deploy", "deploy", "Deploy the service, blue/green")
    skill(root / ".hidden" / "secret", "secret", "Never listed")
    (root / "misc").mkdir()
    (root / "misc" / "readme.txt").write_text("not a skill")
    return root


async def walk(impl: str, root: Path) -> dict[str, Any]:
    env = {**os.environ, "MW_IMPL": impl, "SKILLS_ROOT": str(root)}
    params = StdioServerParameters(command=sys.executable, args=[str(SERVER)], env=env)
    seen: dict[str, Any] = {}
    async with stdio_client(params) as (read, write), ClientSession(read, write) as session:
        await session.initialize()
        listed = (await session.list_resources()).resources
        seen["resources"] = [r.model_dump(mode="json", exclude_none=True) for r in listed]
        seen["templates"] = (await session.list_resource_templates()).resource_templates
        for r in listed:
            seen[f"read {r.uri}"] = [
                c.model_dump(mode="json", exclude_none=True) for c in (await session.read_resource(r.uri)).contents
            ]
        for uri in ("skill://code-review/nope.md", "skill://nope/SKILL.md"):
            try:
                await session.read_resource(uri)
                seen[uri] = "read"
            except MCPError as e:
                seen[uri] = (e.error.code, e.error.message)
    return seen


@pytest.mark.anyio
async def test_skills_are_served_as_fastmcp_serves_them(tmp_path: Path) -> None:
    root = tree(tmp_path / "skills")
    seen = {impl: await walk(impl, root) for impl in IMPLS}
    ours = seen["fastmcp_rs"]
    assert ours == seen["fastmcp"]
    names = [r["name"] for r in ours["resources"]]
    assert names[:5] == [
        "code-review/SKILL.md",
        "code-review/data.json",
        "code-review/logo.png",
        "code-review/notes/checklist.txt",
        "code-review/_manifest",
    ]
    assert "ops/deploy/SKILL.md" in names and not any("secret" in n for n in names)
    assert "blob" in ours["read skill://code-review/logo.png"][0]


def test_an_invalid_skill_folder_stops_the_server_as_in_fastmcp(tmp_path: Path) -> None:
    root = tree(tmp_path / "skills")
    (root / "Bad_Skill").mkdir()
    (root / "Bad_Skill" / "SKILL.md").write_text("# no frontmatter\n")
    skill(root / "misnamed", "other-name", "Folder and name differ")
    skill(root / "colon", "colon", "Not YAML: a colon")
    skill(root / "loud", "LOUD", "Upper-case name")
    errors = {}
    for impl in IMPLS:
        env = {**os.environ, "MW_IMPL": impl, "SKILLS_ROOT": str(root)}
        proc = subprocess.run(
            [sys.executable, str(SERVER)], env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60
        )
        assert proc.returncode != 0
        lines = proc.stderr.strip().splitlines()
        errors[impl] = [line for line in lines if line.startswith("- ") or "not valid Agent Skills" in line]
    assert errors["fastmcp_rs"] == errors["fastmcp"]
    assert len(errors["fastmcp_rs"]) == 5  # the count, and one line for each of the four invalid folders
    assert any("Bad_Skill" in line and "Fix: rename the folder to 'bad-skill'" in line for line in errors["fastmcp_rs"])


MODERN_META = {
    "io.modelcontextprotocol/protocolVersion": "2026-07-28",
    "io.modelcontextprotocol/clientInfo": {"name": "tests", "version": "1"},
    "io.modelcontextprotocol/clientCapabilities": {"extensions": {"io.modelcontextprotocol/skills": {}}},
}


def skills_walk(
    impl: str, env: dict[str, str], requests: list[tuple[str, dict[str, Any]]], server: Path = SERVER
) -> list[Any]:
    """The skills extension's requests, one stdio process, answers without the server's own version."""
    import json

    proc = subprocess.Popen(
        [sys.executable, str(server)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env={**os.environ, "MW_IMPL": impl, **env},
    )
    assert proc.stdin is not None and proc.stdout is not None
    answers = []
    try:
        for i, (method, params) in enumerate(requests, start=1):
            proc.stdin.write(json.dumps({"jsonrpc": "2.0", "id": i, "method": method, "params": params}) + "\n")
            proc.stdin.flush()
            answers.append(json.loads(proc.stdout.readline()))
            if method == "initialize":
                proc.stdin.write('{"jsonrpc":"2.0","method":"notifications/initialized"}\n')
                proc.stdin.flush()
    finally:
        proc.stdin.close()
        proc.wait(timeout=20)
    out = []
    for (method, _), answer in zip(requests, answers, strict=True):
        if "error" in answer:
            out.append({"code": answer["error"]["code"], "message": answer["error"]["message"]})
            continue
        result = answer["result"]
        result.pop("_meta", None)
        if method == "server/discover":
            extensions = result["capabilities"].get("extensions", {})
            extensions.pop("io.modelcontextprotocol/tasks", None)  # built in here
            result = extensions
        out.append(result)
    return out


def modern(method: str, **params: Any) -> tuple[str, dict[str, Any]]:
    return method, {**params, "_meta": MODERN_META}


@pytest.mark.parametrize(
    "env",
    [{}, {"SKILLS_PAGE": "1"}, {"SKILLS_HIDE": "code-review/data.json"}, {"SKILLS_MORE": "more"}],
    ids=["plain", "paged", "a-file-hidden", "namespaced"],
)
def test_the_skills_extension_answers_as_in_fastmcp(tmp_path: Path, env: dict[str, str]) -> None:
    """``skills/list`` and ``skills/get`` of the 2026-07-28 era (SEP-2640), with pages, a hidden file (its
    skill is not listed) and a second provider under a namespace, as FastMCP 4.2.3 answers them."""
    root = tree(tmp_path / "skills")
    if "SKILLS_MORE" in env:
        extra = tmp_path / "more"
        skill(extra / "triage", "triage", "Triage incoming issues")
        env = {**env, "SKILLS_MORE": str(extra)}
    requests = [
        modern("server/discover"),
        modern("skills/list"),
        modern("skills/get", uri="skill://code-review/SKILL.md"),
        modern("skills/get", uri="skill://ops/deploy/SKILL.md"),
        modern("skills/get", uri="skill://more/triage/SKILL.md"),
        modern("skills/get", uri="skill://nope/SKILL.md"),
    ]
    if "SKILLS_PAGE" in env:
        first = skills_walk("fastmcp_rs", {**env, "SKILLS_ROOT": str(root)}, [modern("skills/list")])[0]
        requests.append(modern("skills/list", cursor=first["nextCursor"]))
        requests.append(modern("skills/list", cursor="not-a-cursor"))
    env = {**env, "SKILLS_ROOT": str(root)}
    theirs = skills_walk("fastmcp", env, requests)
    ours = skills_walk("fastmcp_rs", env, requests)
    assert ours == theirs
    assert ours[0]["io.modelcontextprotocol/skills"] == {}
    listed = [s["uri"] for s in ours[1]["skills"]]
    if "SKILLS_PAGE" in env:
        assert listed == ["skill://code-review/SKILL.md"] and "nextCursor" in ours[1]
        assert [s["uri"] for s in ours[-2]["skills"]] == ["skill://ops/deploy/SKILL.md"]
    elif "SKILLS_HIDE" in env:
        assert listed == ["skill://ops/deploy/SKILL.md"]
    elif "SKILLS_MORE" in env:
        # As in FastMCP 4, the skills of a provider under a namespace are not given (its files are served).
        assert "skill://more/triage/SKILL.md" not in listed
        assert ours[4]["code"] == -32602
    else:
        assert listed == ["skill://code-review/SKILL.md", "skill://ops/deploy/SKILL.md"]
        files = ours[2]["skill"]["resources"]
        assert [f["uri"].rsplit("/", 1)[-1] for f in files][:1] == ["SKILL.md"]
        assert all(f["digest"].startswith("sha256:") and f["size"] > 0 for f in files)
        assert ours[2]["skill"]["frontmatter"]["tags"] == ["a", "b"]


def test_the_skills_extension_is_not_served_in_the_handshake_era(tmp_path: Path) -> None:
    root = tree(tmp_path / "skills")
    init = {"protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}}
    requests = [("initialize", init), ("skills/list", {}), ("skills/get", {"uri": "skill://code-review/SKILL.md"})]
    env = {"SKILLS_ROOT": str(root)}
    theirs = skills_walk("fastmcp", env, requests)
    ours = skills_walk("fastmcp_rs", env, requests)
    assert ours[1:] == theirs[1:]
    assert ours[1]["code"] == -32601


LEGACY = HERE / "servers" / "legacy_skilled.py"


async def legacy_walk(impl: str, env: dict[str, str]) -> dict[str, Any]:
    """Everything a client sees of a legacy skills provider: listings, every read (files through the template
    too), unknown and escaping paths, and the deprecation warning."""
    params = StdioServerParameters(
        command=sys.executable, args=[str(LEGACY)], env={**os.environ, "MW_IMPL": impl, **env}
    )
    seen: dict[str, Any] = {}
    import tempfile

    with tempfile.TemporaryFile("w+") as errlog:
        async with stdio_client(params, errlog=errlog) as (read, write), ClientSession(read, write) as session:
            await session.initialize()
            listed = (await session.list_resources()).resources
            seen["resources"] = [r.model_dump(mode="json", exclude_none=True) for r in listed]
            templates = (await session.list_resource_templates()).resource_templates
            seen["templates"] = [t.model_dump(mode="json", exclude_none=True) for t in templates]
            uris = [str(r.uri) for r in listed] + [
                "skill://code-review/notes/checklist.txt",
                "skill://code-review/logo.png",
                "skill://code-review/data.json",
                "skill://code-review/nope.md",
                "skill://code-review/notes",
            ]
            for uri in uris:
                try:
                    contents = (await session.read_resource(uri)).contents
                    seen[f"read {uri}"] = [c.model_dump(mode="json", exclude_none=True) for c in contents]
                except MCPError as e:
                    seen[f"read {uri}"] = (e.error.code, e.error.message)
        errlog.seek(0)
        warned = [line for line in errlog.read().splitlines() if line.startswith("warning ")]
    seen["warnings"] = [w.replace(str(env.get("SKILLS_ROOT", "")), "<root>") for w in warned]
    return seen


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("kind", "files"),
    [("directory", "template"), ("directory", "resources"), ("single", "template"), ("claude", "resources")],
)
async def test_fastmcp_3_skills_providers_are_served_as_in_fastmcp(tmp_path: Path, kind: str, files: str) -> None:
    """``fastmcp.server.providers.skills`` (FastMCP 3 and 4.1's, deprecated in 4.2): the same resources,
    templates, reads and deprecation warning as FastMCP 4.2.3 gives."""
    home = tmp_path / "home"
    root = tree(home / ".claude" / "skills")
    (root / "misc" / "SKILL.md").write_text("# Misc\n\nNo frontmatter here: the first line describes it.\n")
    env = {"SKILLS_ROOT": str(root), "SKILLS_KIND": kind, "SKILLS_FILES": files, "HOME": str(home)}
    seen = {impl: await legacy_walk(impl, env) for impl in IMPLS}
    ours = seen["fastmcp_rs"]
    assert ours == seen["fastmcp"]
    assert ours["warnings"] and "is deprecated and will be removed in FastMCP 4.3" in ours["warnings"][0]
    names = [r["name"] for r in ours["resources"]]
    assert "code-review/_manifest" in names
    if files == "template":
        assert "code-review/notes/checklist.txt" not in names
        assert ours["read skill://code-review/notes/checklist.txt"][0]["text"] == "1. tests\n2. names\n"
    else:
        assert "code-review/notes/checklist.txt" in names


CATALOG = HERE / "servers" / "skill_catalog.py"


async def catalog_walk(impl: str, root: Path, live: Path) -> dict[str, Any]:
    env = {**os.environ, "MW_IMPL": impl, "SKILLS_ROOT": str(root), "SKILLS_LIVE": str(live)}
    params = StdioServerParameters(command=sys.executable, args=[str(CATALOG)], env=env)
    seen: dict[str, Any] = {}
    for child in list(live.iterdir()):
        import shutil

        shutil.rmtree(child)
    async with stdio_client(params) as (read, write), ClientSession(read, write) as session:
        await session.initialize()
        listed = (await session.list_resources()).resources
        seen["first"] = [r.model_dump(mode="json", exclude_none=True) for r in listed]
        seen["reads before"] = (await session.call_tool("reads", {})).structured_content
        for r in listed:
            contents = (await session.read_resource(r.uri)).contents
            seen[f"read {r.uri}"] = [c.model_dump(mode="json", exclude_none=True) for c in contents]
        skill(live / "deploy", "deploy", "Deploy the service")
        seen["after"] = [str(r.uri) for r in (await session.list_resources()).resources]
        seen["read new"] = [
            c.model_dump(mode="json", exclude_none=True)
            for c in (await session.read_resource("skill://deploy/SKILL.md")).contents
        ]
        seen["reads after"] = (await session.call_tool("reads", {})).structured_content
    return seen


@pytest.mark.anyio
async def test_skill_objects_and_catalogs_are_served_as_in_fastmcp(tmp_path: Path) -> None:
    """``Skill(...)``, ``Skill.from_directory`` and ``SkillCatalogProvider`` (a mapping of paths, and a
    ``load_skills()`` that finds a new skill while serving), as FastMCP 4.2.3 serves them; then the skills
    extension's listing of the same catalog."""
    root = tree(tmp_path / "skills")
    live = tmp_path / "live"
    live.mkdir()
    seen = {impl: await catalog_walk(impl, root, live) for impl in IMPLS}
    ours = seen["fastmcp_rs"]
    assert ours == seen["fastmcp"]
    names = [r["name"] for r in ours["first"]]
    assert "team/triage/SKILL.md" in names and "code-review/_manifest" in names
    assert "skill://deploy/SKILL.md" in ours["after"]
    # The manifest provider read no file to list them, then each file once as the client read it.
    assert ours["reads before"] == {"result": []}
    assert sorted(ours["reads after"]["result"]) == [
        f"stored/review:{f}" for f in ("SKILL.md", "badge.bin", "rubric.md")
    ]
    assert ours["read skill://stored/review/badge.bin"][0]["blob"]
    env = {"SKILLS_ROOT": str(root), "SKILLS_LIVE": str(live)}
    requests = [
        modern("skills/list"),
        modern("skills/get", uri="skill://team/triage/SKILL.md"),
        modern("skills/get", uri="skill://stored/review/SKILL.md"),
    ]

    theirs, mine = (skills_walk(impl, env, requests, CATALOG) for impl in IMPLS)
    assert mine == theirs
    assert [s["uri"] for s in mine[0]["skills"]][:1] == ["skill://code-review/SKILL.md"]
    assert mine[1]["skill"]["frontmatter"]["version"] == "1.2"
    assert [r["uri"] for r in mine[2]["skill"]["resources"]] == [
        f"skill://stored/review/{f}" for f in ("SKILL.md", "badge.bin", "rubric.md")
    ]


async def client_walk(client_impl: str, server_impl: str, root: Path, live: Path) -> dict[str, Any]:
    """What a client of ``client_impl`` sees of the catalog server served by ``server_impl``: the skills the
    extension lists and gets, the SKILL.md resources, and each skill read and checked file by file."""
    if client_impl == "fastmcp":
        from fastmcp import Client
        from fastmcp.client.transports import PythonStdioTransport
        from fastmcp.skills import SkillsClientExtension
    else:
        from fastmcp_rs import Client
        from fastmcp_rs.client.transports import PythonStdioTransport
        from fastmcp_rs.skills import SkillsClientExtension

    env = {**os.environ, "MW_IMPL": server_impl, "SKILLS_ROOT": str(root), "SKILLS_LIVE": str(live)}
    seen: dict[str, Any] = {}
    async with Client(PythonStdioTransport(CATALOG, env=env), extensions=[SkillsClientExtension()]) as client:
        listed = await client.list_skills()
        seen["listed"] = [s.uri for s in listed]
        seen["got"] = (await client.get_skill("skill://stored/review/SKILL.md")).model_dump(
            mode="json", by_alias=True, exclude_none=True
        )
        seen["resources"] = [str(r.uri) for r in await client.list_skill_resources()]
        for uri in seen["listed"]:
            skill = await client.read_skill(uri)
            seen[f"read {uri}"] = (skill.name, {p: bytes(d) for p, d in sorted(skill.files.items())})
        try:
            await client.read_skill("skill://stored/review/rubric.md")
        except ValueError as exc:
            seen["not a SKILL.md"] = str(exc)
    async with Client(PythonStdioTransport(CATALOG, env=env)) as plain:
        try:
            await plain.list_skills()
        except RuntimeError as exc:
            seen["not opted in"] = str(exc)
        skill = await plain.read_skill("skill://team/triage/SKILL.md")  # from the _manifest resource
        seen["read without the extension"] = (skill.name, sorted(skill.files))
    return seen


@pytest.mark.anyio
async def test_the_skills_client_reads_skills_as_fastmcp_does(tmp_path: Path) -> None:
    """``Client(extensions=[SkillsClientExtension()])``: ``list_skills``, ``get_skill``,
    ``list_skill_resources`` and ``read_skill`` (every file checked against its manifest), and without the
    extension a clear refusal and ``read_skill`` from the ``_manifest`` resource; fastmcp-rs's client against
    both servers, and FastMCP 4.2.3's client against ours, see the same."""
    root = tree(tmp_path / "skills")
    live = tmp_path / "live"
    live.mkdir()
    ours = await client_walk("fastmcp_rs", "fastmcp_rs", root, live)
    assert ours == await client_walk("fastmcp_rs", "fastmcp", root, live)
    assert ours == await client_walk("fastmcp", "fastmcp_rs", root, live)
    assert "skill://stored/review/SKILL.md" in ours["listed"]
    name, files = ours["read skill://stored/review/SKILL.md"]
    assert name == "review" and files["badge.bin"] == b"\x00\xffbadge"
    assert ours["not opted in"].startswith("This client did not opt into the Skills extension")
    assert ours["read without the extension"] == ("triage", ["SKILL.md", "flow/steps.md", "icon.png", "labels.json"])


PROXY = HERE / "servers" / "skills_proxy.py"


@pytest.mark.parametrize(
    "env",
    [{}, {"PROXY_MOUNT": "1"}, {"PROXY_MOUNT": "1", "PROXY_NAMESPACE": "up"}, {"PROXY_SKILLS": "0"}],
    ids=["proxy", "mounted", "mounted-namespaced", "skills-off"],
)
def test_a_proxy_forwards_the_upstreams_skills_as_in_fastmcp(tmp_path: Path, env: dict[str, str]) -> None:
    """``create_proxy(target, skills=True)``: the upstream's ``skills/list`` and ``skills/get`` answered
    through the proxy (served itself, or mounted), each skill listed only while the proxy serves its files;
    and the files read through it. Without ``skills=True`` there is no skills extension. As FastMCP 4.2.3."""
    root = tree(tmp_path / "skills")
    env = {**env, "SKILLS_ROOT": str(root)}
    requests = [
        modern("server/discover"),
        modern("skills/list"),
        modern("skills/get", uri="skill://code-review/SKILL.md"),
        modern("skills/get", uri="skill://nope/SKILL.md"),
        modern("resources/read", uri="skill://ops/deploy/SKILL.md"),
    ]
    prefix = "skill://up/" if env.get("PROXY_NAMESPACE") else "skill://"
    requests = [modern(m, **({"uri": p["uri"].replace("skill://", prefix)} if "uri" in p else p)) for m, p in requests]
    theirs = skills_walk("fastmcp", env, requests, PROXY)
    ours = skills_walk("fastmcp_rs", env, requests, PROXY)
    assert ours == theirs
    if env.get("PROXY_SKILLS") == "0":
        assert "skills" not in ours[1]
        return
    assert ours[0]["io.modelcontextprotocol/skills"] == {}
    listed = [s["uri"] for s in ours[1]["skills"]]
    assert listed == [f"{prefix}code-review/SKILL.md", f"{prefix}ops/deploy/SKILL.md"]
    assert ours[2]["skill"]["uri"] == f"{prefix}code-review/SKILL.md"
    assert ours[3]["code"] == -32602
