// Walks any MCP server with the official TypeScript client (@modelcontextprotocol/sdk): lists tools,
// resources, templates and prompts, reads every resource, gets every prompt, and calls the tools named in the
// JSON call list (or every tool, with arguments made from its input schema, when the list is "all").
//
//   node walk.mjs stdio <calls.json|all> <command> [args...]
//   node walk.mjs http  <calls.json|all> <url>
//   node walk.mjs sse   <calls.json|all> <url of the SSE endpoint>
//   (WALK_HEADERS='{"Authorization": "Bearer t"}' adds headers to every HTTP request)
//
// calls.json: [{"name": "tool", "arguments": {...}}, ...]. Prints ONE JSON object. Sampling answers with a
// fixed text, elicitation accepts with values made from the requested schema, roots lists one root.

import { readFileSync } from 'node:fs';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import {
    CreateMessageRequestSchema,
    ElicitRequestSchema,
    ListRootsRequestSchema,
    LoggingMessageNotificationSchema
} from '@modelcontextprotocol/sdk/types.js';

const TIMEOUT_MS = 15000;
const [mode, callsArg, ...target] = process.argv.slice(2);
if (!['stdio', 'http', 'sse'].includes(mode) || !callsArg || target.length === 0) {
    process.stderr.write('usage: node walk.mjs stdio|http|sse <calls.json|all> <command...|url>\n');
    process.exit(2);
}

function sample(schema, root, depth = 0) {
    if (!schema || depth > 8) return 'test';
    if (schema.$ref) {
        const name = schema.$ref.split('/').pop();
        return sample((root.$defs ?? root.definitions ?? {})[name], root, depth + 1);
    }
    if ('const' in schema) return schema.const;
    if (schema.enum) return schema.enum[0];
    const options = schema.anyOf ?? schema.oneOf;
    if (options) return sample(options.find(o => o.type !== 'null') ?? options[0], root, depth + 1);
    let type = Array.isArray(schema.type) ? schema.type.find(t => t !== 'null') : schema.type;
    if (!type) type = schema.properties ? 'object' : 'string';
    if (type === 'string') return 'test';
    if (type === 'integer') return 2;
    if (type === 'number') return 2.5;
    if (type === 'boolean') return true;
    if (type === 'array') return [sample(schema.items ?? {}, root, depth + 1)];
    if (type === 'object') {
        const out = {};
        for (const key of schema.required ?? []) out[key] = sample(schema.properties?.[key] ?? {}, root, depth + 1);
        return out;
    }
    return 'test';
}

const notifications = [];
const serverRequests = [];
const client = new Client(
    { name: 'fastmcp-rs-ts-walk', version: '1.0.0' },
    { capabilities: { elicitation: { form: {} }, sampling: {}, roots: { listChanged: true } } }
);
client.setRequestHandler(CreateMessageRequestSchema, async request => {
    serverRequests.push({ method: 'sampling/createMessage', params: request.params });
    return { role: 'assistant', content: { type: 'text', text: 'sampled by ts' }, model: 'ts-walk' };
});
client.setRequestHandler(ElicitRequestSchema, async request => {
    serverRequests.push({ method: 'elicitation/create', params: request.params });
    return { action: 'accept', content: sample(request.params.requestedSchema ?? {}, request.params.requestedSchema ?? {}) };
});
client.setRequestHandler(ListRootsRequestSchema, async () => ({ roots: [{ uri: 'file:///tmp/ts-walk', name: 'walk' }] }));
client.setNotificationHandler(LoggingMessageNotificationSchema, n => notifications.push(n));

// WALK_HEADERS='{"Authorization": "Bearer ..."}' adds headers to every HTTP request (http and sse).
const headers = JSON.parse(process.env.WALK_HEADERS ?? '{}');
const withHeaders = (url, init) => fetch(url, { ...init, headers: { ...(init?.headers ?? {}), ...headers } });
const transport =
    mode === 'stdio'
        ? new StdioClientTransport({ command: target[0], args: target.slice(1), stderr: 'inherit' })
        : mode === 'http'
          ? new StreamableHTTPClientTransport(new URL(target[0]), { requestInit: { headers } })
          : new SSEClientTransport(new URL(target[0]), { requestInit: { headers }, eventSourceInit: { fetch: withHeaders } });

const out = { mode };
const step = async (name, fn) => {
    try {
        out[name] = await fn();
    } catch (error) {
        out[name] = { error: String(error?.message ?? error), code: error?.code };
    }
};

try {
    await client.connect(transport, { timeout: TIMEOUT_MS });
} catch (error) {
    process.stdout.write(JSON.stringify({ mode, connectError: String(error?.message ?? error) }) + '\n');
    process.exit(1);
}
out.serverInfo = client.getServerVersion();
out.protocolVersion = transport.protocolVersion ?? null;
const opts = { timeout: TIMEOUT_MS };
await step('tools', async () => (await client.listTools({}, opts)).tools);
await step('resources', async () => (await client.listResources({}, opts)).resources);
await step('templates', async () => (await client.listResourceTemplates({}, opts)).resourceTemplates);
await step('prompts', async () => (await client.listPrompts({}, opts)).prompts);
out.reads = {};
for (const resource of Array.isArray(out.resources) ? out.resources : []) {
    try {
        out.reads[resource.uri] = await client.readResource({ uri: resource.uri }, opts);
    } catch (error) {
        out.reads[resource.uri] = { error: String(error?.message ?? error), code: error?.code };
    }
}
out.gets = {};
for (const prompt of Array.isArray(out.prompts) ? out.prompts : []) {
    const args = Object.fromEntries((prompt.arguments ?? []).filter(a => a.required).map(a => [a.name, 'test']));
    try {
        out.gets[prompt.name] = await client.getPrompt({ name: prompt.name, arguments: args }, opts);
    } catch (error) {
        out.gets[prompt.name] = { error: String(error?.message ?? error), code: error?.code };
    }
}
const calls =
    callsArg === 'all'
        ? (Array.isArray(out.tools) ? out.tools : []).map(t => ({ name: t.name, arguments: sample(t.inputSchema, t.inputSchema) }))
        : JSON.parse(readFileSync(callsArg, 'utf8'));
out.calls = {};
for (const call of calls) {
    try {
        out.calls[call.name] = await client.callTool(
            { name: call.name, arguments: call.arguments ?? {} },
            undefined,
            { ...opts, onprogress: p => notifications.push({ method: 'progress', params: p }) }
        );
    } catch (error) {
        out.calls[call.name] = { error: String(error?.message ?? error), code: error?.code, data: error?.data };
    }
}
out.notifications = notifications;
out.serverRequests = serverRequests;
await client.close();
process.stdout.write(JSON.stringify(out) + '\n');
process.exit(0);
