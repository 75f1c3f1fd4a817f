// Drives one stdio MCP server with the official TypeScript v2 client (@modelcontextprotocol/client) and
// prints one JSON document with everything it saw. Used by tests/test_ts_v2_client.py.
//
//   node drive.mjs '<plan json>'      or      node drive.mjs - < plan.json
//
// The plan:
//   {
//     "server":  {"command": "python", "args": ["server.py"], "env": {...}?, "cwd": "..."?},
//     "mode":    "legacy" | "auto" | "modern",   // modern = versionNegotiation {pin: "pin" (default 2026-07-28)}
//     "pin":     "2026-07-28"?,
//     "timeoutMs": 20000?,                        // per request (and for the connect-time probe)
//     "elicit":  {"action": "accept", "content": {...}}?,   // the answer to every elicitation/create
//     "sampling": {"text": "...", "model": "..."}?,          // the answer to every sampling/createMessage
//     "roots":   [{"uri": "file:///...", "name": "..."}]?,   // the answer to roots/list
//     "operations": [
//       {"op": "listTools"} | {"op": "listResources"} | {"op": "listResourceTemplates"} | {"op": "listPrompts"},
//       {"op": "callTool", "name": "...", "arguments": {...}},
//       {"op": "readResource", "uri": "..."},
//       {"op": "getPrompt", "name": "...", "arguments": {...}},
//       {"op": "ping"}
//     ]                                           // each may carry a "label", echoed in its outcome
//   }
//
// A capability is declared only when the plan gives its answer (elicitation, sampling, roots). Each operation's
// outcome is {"op", "ok": true, "result"} or {"op", "ok": false, "error": {"name", "code", "message", "data"}}
// (`name` is the error's class: ProtocolError and its typed subclasses carry the JSON-RPC code, SdkError a string).
// "wire" lists every JSON-RPC message on the session pipe (the auto-mode probe runs on a throwaway sibling
// process the client spawns itself, so it is not on this pipe) in a condensed form; "handlers" counts and
// records what the client's request handlers were asked, whichever era carried the request.

import { readFileSync } from 'node:fs';

import { Client } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';

function readPlan() {
    const arg = process.argv[2];
    const text = arg === undefined || arg === '-' ? readFileSync(0, 'utf8') : arg;
    return JSON.parse(text);
}

function errorInfo(error) {
    if (!(error instanceof Error)) return { name: typeof error, code: null, message: String(error), data: null };
    return {
        name: error.constructor?.name ?? error.name,
        code: error.code ?? null,
        message: error.message,
        data: error.data ?? null
    };
}

function condense(direction, message) {
    const entry = { dir: direction };
    if (message.id !== undefined) entry.id = message.id;
    if (message.method !== undefined) {
        entry.method = message.method;
        const params = message.params ?? {};
        if (params.name !== undefined) entry.name = params.name;
        if (params.uri !== undefined) entry.uri = params.uri;
        if (params.inputResponses !== undefined) entry.inputResponses = Object.keys(params.inputResponses).sort();
        if (params.requestState !== undefined) entry.hasRequestState = true;
        const meta = params._meta ?? {};
        const version = meta['io.modelcontextprotocol/protocolVersion'];
        if (version !== undefined) entry.metaProtocolVersion = version;
        if (message.method === 'initialize') entry.initializeProtocolVersion = params.protocolVersion;
    } else if (message.error !== undefined) {
        entry.error = { code: message.error.code, message: message.error.message };
    } else if (message.result !== undefined) {
        const result = message.result;
        if (result.resultType !== undefined) entry.resultType = result.resultType;
        if (result.inputRequests !== undefined) {
            entry.inputRequests = Object.fromEntries(
                Object.entries(result.inputRequests).map(([key, request]) => [key, request?.method ?? null])
            );
        }
        if (result.protocolVersion !== undefined) entry.protocolVersion = result.protocolVersion;
    }
    return entry;
}

/** Records the session pipe's traffic without changing the transport's class (the auto/pinned modes probe on a
 * sibling only for the SDK's base StdioClientTransport, judged by its prototype). */
function tap(transport, wire) {
    const send = transport.send.bind(transport);
    transport.send = async (message, options) => {
        wire.push(condense('out', message));
        return send(message, options);
    };
    let onmessage;
    Object.defineProperty(transport, 'onmessage', {
        configurable: true,
        enumerable: true,
        get: () => onmessage,
        set: handler => {
            onmessage =
                handler === undefined
                    ? undefined
                    : (message, extra) => {
                          wire.push(condense('in', message));
                          return handler(message, extra);
                      };
        }
    });
}

function negotiation(plan) {
    switch (plan.mode) {
        case 'legacy':
            return { mode: 'legacy' };
        case 'auto':
            return { mode: 'auto' };
        case 'modern':
            return { mode: { pin: plan.pin ?? '2026-07-28' } };
        default:
            throw new Error(`unknown mode ${JSON.stringify(plan.mode)} (legacy, auto or modern)`);
    }
}

async function runOperation(client, operation, requestOptions) {
    switch (operation.op) {
        case 'listTools':
            return client.listTools(undefined, requestOptions);
        case 'listResources':
            return client.listResources(undefined, requestOptions);
        case 'listResourceTemplates':
            return client.listResourceTemplates(undefined, requestOptions);
        case 'listPrompts':
            return client.listPrompts(undefined, requestOptions);
        case 'callTool':
            return client.callTool({ name: operation.name, arguments: operation.arguments ?? {} }, requestOptions);
        case 'readResource':
            return client.readResource({ uri: operation.uri }, { ...requestOptions, cacheMode: 'bypass' });
        case 'getPrompt':
            return client.getPrompt({ name: operation.name, arguments: operation.arguments ?? {} }, requestOptions);
        case 'ping':
            return client.ping(requestOptions);
        default:
            throw new Error(`unknown operation ${JSON.stringify(operation.op)}`);
    }
}

async function main() {
    const plan = readPlan();
    const timeout = plan.timeoutMs ?? 20000;
    const requestOptions = { timeout };
    const out = { mode: plan.mode, clientErrors: [], wire: [], operations: [] };
    const handlers = { elicitation: [], sampling: [], roots: 0 };
    out.handlers = handlers;

    const capabilities = {};
    if (plan.elicit !== undefined) capabilities.elicitation = { form: {} };
    if (plan.sampling !== undefined) capabilities.sampling = {};
    if (plan.roots !== undefined) capabilities.roots = { listChanged: true };

    const client = new Client(
        { name: 'fastmcp-rs-ts-v2-driver', version: '0.0.1' },
        { capabilities, versionNegotiation: negotiation(plan) }
    );
    client.onerror = error => out.clientErrors.push(errorInfo(error));

    if (plan.elicit !== undefined) {
        client.setRequestHandler('elicitation/create', async request => {
            handlers.elicitation.push({ message: request.params.message, requestedSchema: request.params.requestedSchema ?? null });
            const { action = 'accept', content } = plan.elicit;
            return action === 'accept' ? { action, content: content ?? {} } : { action };
        });
    }
    if (plan.sampling !== undefined) {
        client.setRequestHandler('sampling/createMessage', async request => {
            handlers.sampling.push({ messages: request.params.messages, maxTokens: request.params.maxTokens ?? null });
            return {
                model: plan.sampling.model ?? 'fixed-model',
                role: 'assistant',
                content: { type: 'text', text: plan.sampling.text }
            };
        });
    }
    if (plan.roots !== undefined) {
        client.setRequestHandler('roots/list', async () => {
            handlers.roots += 1;
            return { roots: plan.roots };
        });
    }

    const transport = new StdioClientTransport({
        command: plan.server.command,
        args: plan.server.args ?? [],
        env: { ...process.env, ...(plan.server.env ?? {}) },
        cwd: plan.server.cwd,
        stderr: 'pipe'
    });
    const stderr = [];
    transport.stderr?.on('data', chunk => stderr.push(chunk.toString()));
    tap(transport, out.wire);

    const started = Date.now();
    try {
        await client.connect(transport, requestOptions);
    } catch (error) {
        out.connectError = errorInfo(error);
        out.serverStderr = stderr.join('');
        process.stdout.write(JSON.stringify(out) + '\n');
        return;
    }
    out.connectMs = Date.now() - started;
    out.era = client.getProtocolEra() ?? null;
    out.protocolVersion = client.getNegotiatedProtocolVersion() ?? null;
    out.serverInfo = client.getServerVersion() ?? null;
    out.serverCapabilities = client.getServerCapabilities() ?? null;
    out.instructions = client.getInstructions() ?? null;
    const discover = client.getDiscoverResult();
    out.discover = discover === undefined ? null : { supportedVersions: discover.supportedVersions ?? null };

    for (const operation of plan.operations ?? []) {
        const entry = { op: operation.op };
        for (const key of ['label', 'name', 'uri']) if (operation[key] !== undefined) entry[key] = operation[key];
        try {
            entry.result = await runOperation(client, operation, requestOptions);
            entry.ok = true;
        } catch (error) {
            entry.ok = false;
            entry.error = errorInfo(error);
        }
        out.operations.push(entry);
    }

    await client.close();
    out.serverStderr = stderr.join('');
    process.stdout.write(JSON.stringify(out) + '\n');
}

main().catch(error => {
    process.stdout.write(JSON.stringify({ fatal: errorInfo(error), stack: error?.stack ?? null }) + '\n');
    process.exitCode = 1;
});
