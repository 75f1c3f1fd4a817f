// Drives tests/servers/features.py with the official TypeScript MCP client (@modelcontextprotocol/sdk).
//
//   node client.mjs stdio <python> <server.py> [server args...]
//   node client.mjs http <url>
//
// Runs a fixed scenario and prints ONE JSON object with every result to stdout. Each step is independent: a
// failing step records {"error": ...} and the scenario goes on. Exit code 0 when the scenario ran, 1 when the
// client could not connect, 2 on bad usage.

import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import {
    CreateMessageRequestSchema,
    ElicitRequestSchema,
    ListRootsRequestSchema,
    McpError
} from '@modelcontextprotocol/sdk/types.js';

const REQUEST_TIMEOUT_MS = 15000;
const NOTIFICATION_WAIT_MS = 2000;

const [mode, ...rest] = process.argv.slice(2);
const usageOk = (mode === 'stdio' && rest.length >= 2) || (mode === 'http' && rest.length === 1);
if (!usageOk) {
    process.stderr.write('usage: node client.mjs stdio <python> <server.py> [args...] | node client.mjs http <url>\n');
    process.exit(2);
}

// -- what the server sends us ------------------------------------------------------------------------------

const notifications = []; // {method, params} in arrival order
const elicitations = []; // params of each elicitation/create
const samplings = []; // params of each sampling/createMessage
let rootsRequests = 0;

const client = new Client(
    { name: 'fastmcp-rs-ts-tests', version: '1.0.0' },
    { capabilities: { elicitation: { form: {} }, sampling: {}, roots: { listChanged: true } } }
);

client.setRequestHandler(ElicitRequestSchema, async request => {
    const params = request.params;
    elicitations.push({ message: params.message, requestedSchema: params.requestedSchema });
    const props = params.requestedSchema?.properties ?? {};
    if ('value' in props) return { action: 'accept', content: { value: 'Ada' } };
    if ('name' in props && 'age' in props) return { action: 'accept', content: { name: 'Ada', age: 36 } };
    return { action: 'decline' };
});

function firstText(messages) {
    const content = messages?.[0]?.content;
    const block = Array.isArray(content) ? content.find(c => c.type === 'text') : content;
    return block?.type === 'text' ? block.text : '';
}

client.setRequestHandler(CreateMessageRequestSchema, async request => {
    const params = request.params;
    samplings.push({ messages: params.messages, systemPrompt: params.systemPrompt, maxTokens: params.maxTokens });
    return {
        role: 'assistant',
        content: { type: 'text', text: 'haiku: ' + firstText(params.messages) },
        model: 'test-model',
        stopReason: 'endTurn'
    };
});

client.setRequestHandler(ListRootsRequestSchema, async () => {
    rootsRequests += 1;
    return {
        roots: [
            { uri: 'file:///tmp/a', name: 'a' },
            { uri: 'file:///tmp/b', name: 'b' }
        ]
    };
});

client.fallbackNotificationHandler = async notification => {
    notifications.push({ method: notification.method, params: notification.params ?? null });
};

const clientErrors = [];
client.onerror = error => clientErrors.push(String(error));

// -- helpers ----------------------------------------------------------------------------------------------

function errorInfo(e) {
    if (e instanceof McpError) return { error: String(e), code: e.code, message: e.message, data: e.data ?? null };
    return { error: String(e) };
}

async function step(fn) {
    try {
        return await fn();
    } catch (e) {
        return errorInfo(e);
    }
}

const opts = { timeout: REQUEST_TIMEOUT_MS };
const call = (name, args = {}) => step(() => client.callTool({ name, arguments: args }, undefined, opts));

// Whether a step worked: neither a protocol error nor a tool error.
const ok = result => result != null && result.error === undefined && result.isError !== true;

async function waitFor(predicate, ms = NOTIFICATION_WAIT_MS) {
    const deadline = Date.now() + ms;
    while (Date.now() < deadline) {
        if (predicate()) return true;
        await new Promise(resolve => setTimeout(resolve, 20));
    }
    return predicate();
}

const seen = (method, since, match = () => true) =>
    notifications.slice(since).some(n => n.method === method && match(n.params ?? {}));

const toolNames = async () => (await client.listTools(undefined, opts)).tools.map(t => t.name);

// -- connect ----------------------------------------------------------------------------------------------

let transport;
if (mode === 'stdio') {
    const [command, ...args] = rest;
    transport = new StdioClientTransport({ command, args: [...args], env: { ...process.env }, stderr: 'inherit' });
} else {
    // A custom header on every POST, for the `headers` tool (get_http_headers) to find.
    transport = new StreamableHTTPClientTransport(new URL(rest[0]), {
        requestInit: { headers: { 'X-Ts-Client': 'fastmcp-rs-tests' } }
    });
}

// Remember the negotiated protocol version (the SDK hands it to the transport right after initialize).
let negotiatedVersion = null;
const setProtocolVersion = transport.setProtocolVersion?.bind(transport);
transport.setProtocolVersion = version => {
    negotiatedVersion = version;
    setProtocolVersion?.(version);
};

try {
    await client.connect(transport, opts);
} catch (e) {
    process.stderr.write(`could not connect: ${e?.stack ?? e}\n`);
    process.exit(1);
}

// -- the scenario -----------------------------------------------------------------------------------------

const out = {};
out.transport = mode;
out.protocolVersion = negotiatedVersion;
out.serverCapabilities = client.getServerCapabilities() ?? null;
out.serverInfo = client.getServerVersion() ?? null;
out.instructions = client.getInstructions() ?? null;

out.tools = await step(toolNames);
out.resources = await step(async () => (await client.listResources(undefined, opts)).resources.map(r => r.uri));
out.templates = await step(
    async () => (await client.listResourceTemplates(undefined, opts)).resourceTemplates.map(t => t.uriTemplate)
);
out.prompts = await step(async () => (await client.listPrompts(undefined, opts)).prompts.map(p => p.name));

const read = uri => step(() => client.readResource({ uri }, opts));
out.readConfig = await read('data://config');
out.readProfile = await read('users://101/profile');
out.readSearch = await read('search://items?q=red&limit=3');
out.readTraversal = await read('files://../etc/passwd');

const getPrompt = (name, args) => step(() => client.getPrompt({ name, arguments: args }, opts));
out.getAskAbout = await getPrompt('ask_about', { topic: 'rust' });
out.getConversation = await getPrompt('conversation', { name: 'Ada', mood: 'sad' });
out.getTyped = await getPrompt('typed_prompt', { n: '5', nums: '[1,2]', point: '{"x":1}' });

out.completeTopic = await step(() =>
    client.complete({ ref: { type: 'ref/prompt', name: 'ask_about' }, argument: { name: 'topic', value: 'n' } }, opts)
);
out.completeUser = await step(() =>
    client.complete(
        { ref: { type: 'ref/resource', uri: 'users://{user_id}/profile' }, argument: { name: 'user_id', value: '1' } },
        opts
    )
);

out.callReadConfig = await call('read_config');
out.callAskName = await call('ask_name');
out.callAskPerson = await call('ask_person');
out.elicitations = elicitations.slice();
out.callSample = await call('sample_haiku', { topic: 'rust' });
out.samplings = samplings.slice();
out.callRoots = await call('roots');
out.rootsRequests = rootsRequests;
out.callRemember = await call('remember', { key: 'color', value: 'blue' });
out.callRecall = await call('recall', { key: 'color' });
out.callLifespan = await call('lifespan_info');
out.callDeepSync = await call('deep_sync');
out.callDeepAsync = await call('deep_async');
out.callHeaders = await call('headers');

// Subscribe to a resource, then have the server say it changed.
{
    const since = notifications.length;
    out.subscribe = await step(() => client.subscribeResource({ uri: 'data://config' }, opts));
    out.callTouch = await call('touch', { uri: 'data://config' });
    out.resourceUpdated = await waitFor(
        () => seen('notifications/resources/updated', since, p => p.uri === 'data://config'),
        ok(out.callTouch) ? NOTIFICATION_WAIT_MS : 0
    );
    out.unsubscribe = await step(() => client.unsubscribeResource({ uri: 'data://config' }, opts));
}

// Hide the tools tagged "secret", then show them again.
{
    let since = notifications.length;
    out.callHide = await call('hide', { tag: 'secret' });
    out.hideListChanged = await waitFor(
        () => seen('notifications/tools/list_changed', since),
        ok(out.callHide) ? NOTIFICATION_WAIT_MS : 0
    );
    out.toolsAfterHide = await step(toolNames);
    out.callSecretWhileHidden = await call('secret_tool');

    since = notifications.length;
    out.callShow = await call('show', { tag: 'secret' });
    out.showListChanged = await waitFor(
        () => seen('notifications/tools/list_changed', since),
        ok(out.callShow) ? NOTIFICATION_WAIT_MS : 0
    );
    out.toolsAfterShow = await step(toolNames);
    out.callSecret = await call('secret_tool');
}

// Add a tool at runtime, call it, remove it.
{
    let since = notifications.length;
    out.callAddGreeter = await call('add_greeter');
    out.addListChanged = await waitFor(
        () => seen('notifications/tools/list_changed', since),
        ok(out.callAddGreeter) ? NOTIFICATION_WAIT_MS : 0
    );
    out.toolsAfterAdd = await step(toolNames);
    out.callGreet = await call('greet', { name: 'Ada' });

    since = notifications.length;
    out.callDropGreeter = await call('drop_greeter');
    out.dropListChanged = await waitFor(
        () => seen('notifications/tools/list_changed', since),
        ok(out.callDropGreeter) ? NOTIFICATION_WAIT_MS : 0
    );
    out.toolsAfterDrop = await step(toolNames);
    out.callGreetAfterDrop = await call('greet', { name: 'Ada' });
}

out.notifications = notifications.slice();
out.clientErrors = clientErrors.slice();

// Over HTTP, end the session the way a polite client does (DELETE with the session id).
if (mode === 'http') {
    out.sessionId = transport.sessionId ?? null;
    out.terminateSession = await step(async () => {
        await transport.terminateSession();
        return { ok: true, sessionId: transport.sessionId ?? null };
    });
}

try {
    await client.close();
} catch (e) {
    out.closeError = String(e);
}

process.stdout.write(JSON.stringify(out) + '\n');
process.exit(0);
