/**
 * Plans through remote servers over the legacy SSE transport: `"type": "sse"`, and a bare `url` that
 * finds out by itself (Streamable HTTP refused with a 4xx, then SSE), as the MCP spec describes.
 */
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServerReport } from '../../src/cli/commands/servers.js';
import { startSseServer, startWebPage, type RemoteFixture } from '../fixtures/servers/http-servers.js';
import { runCli } from '../helpers/cli.js';
import { createWorkspace, type Workspace } from '../helpers/workspace.js';

const TOKEN = 'sse-secret-token-4711';
let sse: RemoteFixture;
let web: RemoteFixture;
const workspaces: Workspace[] = [];

beforeAll(async () => {
  [sse, web] = await Promise.all([startSseServer(), startWebPage()]);
});
afterAll(async () => {
  await Promise.all([sse.close(), web.close(), ...workspaces.map((w) => w.cleanup())]);
});

async function workspaceWith(server: Record<string, unknown>): Promise<Workspace> {
  const ws = await createWorkspace({
    servers: { remote: server },
    actions: { remote_echo: { server: 'remote', tool: 'echo', idempotent: true } },
    execution: { maxRetries: 0 },
  });
  workspaces.push(ws);
  return ws;
}

async function runEcho(ws: Workspace, text: string) {
  const file = await ws.writePlan(`${text}.md`, ['---', `id: ${text}`, 'action: remote_echo', `text: ${text}`, '---', ''].join('\n'));
  return { file, result: await runCli(['--config', ws.configPath, 'run', file]) };
}

describe('legacy SSE servers', () => {
  it('runs a plan through "type": "sse", sending the configured headers on the stream and on every POST', async () => {
    const ws = await workspaceWith({ type: 'sse', url: `${sse.origin}/sse`, headers: { Authorization: `Bearer ${TOKEN}` } });
    const before = sse.requests.length;
    const { file, result } = await runEcho(ws, 'through-sse');
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(sse.calls).toContainEqual(expect.objectContaining({ tool: 'echo', args: { text: 'through-sse' } }));
    expect(await readFile(file, 'utf8')).toMatch(/^status: completed$/m);
    const seen = sse.requests.slice(before);
    expect(seen.filter((r) => r.method === 'GET' && r.path === '/sse')).toHaveLength(1);
    const posts = seen.filter((r) => r.method === 'POST' && r.path === '/messages');
    expect(posts.length).toBeGreaterThanOrEqual(2); // initialize, initialized, tools/list, tools/call…
    for (const request of seen) expect(request.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(result.stdout + result.stderr).not.toContain(TOKEN);
  });

  it('runs a plan through a bare url that only speaks SSE: Streamable HTTP is refused with 404, SSE is used', async () => {
    const ws = await workspaceWith({ url: `${sse.origin}/sse` });
    const before = sse.requests.length;
    const { result } = await runEcho(ws, 'bare-url');
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(sse.calls).toContainEqual(expect.objectContaining({ args: { text: 'bare-url' } }));
    const seen = sse.requests.slice(before);
    // The spec's order: POST the initialize to the URL first, then GET it for an SSE stream.
    expect(seen[0]).toMatchObject({ method: 'POST', path: '/sse' });
    expect(seen[1]).toMatchObject({ method: 'GET', path: '/sse' });
    // Once SSE worked, the rest of the run never tries Streamable HTTP again.
    expect(seen.slice(1).filter((r) => r.method === 'POST' && r.path === '/sse')).toHaveLength(0);

    const servers = await runCli(['--config', ws.configPath, 'servers', '--json']);
    const remote = (JSON.parse(servers.stdout) as ServerReport[]).find((r) => r.name === 'remote');
    expect(remote).toMatchObject({ type: 'sse', connected: true, tools: expect.arrayContaining(['echo', 'add']) });
  });

  it('never falls back when the type says Streamable HTTP', async () => {
    const ws = await workspaceWith({ type: 'http', url: `${sse.origin}/sse` });
    const before = sse.requests.length;
    const { result } = await runEcho(ws, 'explicit-http');
    expect(result.code).toBe(1);
    expect(sse.requests.slice(before).some((r) => r.method === 'GET')).toBe(false);
    expect(sse.calls.some((c) => c.args['text'] === 'explicit-http')).toBe(false);
  });

  it('says in one line that a bare url answered neither transport, without the HTML page, and hints at "type"', async () => {
    const ws = await workspaceWith({ url: `${web.origin}/mcp` });
    const result = await runCli(['--config', ws.configPath, 'servers', '--json']);
    expect(result.code).toBe(1);
    const remote = (JSON.parse(result.stdout) as ServerReport[]).find((r) => r.name === 'remote');
    const error = remote?.lastError ?? '';
    expect(error).toMatch(/Streamable HTTP \(POST initialize\) got HTTP 404/);
    expect(error).toMatch(/legacy SSE \(GET[^)]*\) got HTTP 404/);
    expect(error).toMatch(/"type": "http" or "type": "sse"/);
    expect(error).not.toMatch(/<|DOCTYPE|font:/);
    expect(error).not.toContain('\n');
    expect(web.requests.map((r) => r.method).slice(0, 2)).toEqual(['POST', 'GET']);
  });
});
