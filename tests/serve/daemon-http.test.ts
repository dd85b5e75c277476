/**
 * `daemon --mcp-port 0`: the real daemon as a child process serving the orchestrator's MCP server over
 * Streamable HTTP and SSE. The guard (token, Host, Origin), the loop with live progress from the
 * daemon's own events, cancelling a running plan before its next step, and the endpoint file.
 */
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { ResourceUpdatedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { request, type ClientRequest } from 'node:http';
import { readFile, rename, stat } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDaemon, waitFor, type DaemonProcess } from '../helpers/daemon-process.js';
import { createWorkspace, type Workspace } from '../helpers/workspace.js';
import { call, collectProgress, connectHttp, connectServe, connectSse, textOf, twoStepPlan } from './helpers.js';

const TOKEN = 'test-token-0123456789abcdef';
const INITIALIZE = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '0' } } });

/** A raw POST to /mcp with exactly these headers (fetch would not let a test set Host). */
function post(port: number, headers: Record<string, string>, body = INITIALIZE): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/mcp', method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers } }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** A raw legacy SSE session (GET /sse): its stream, and its id from the `endpoint` event. */
async function openSseSession(port: number): Promise<{ stream: ClientRequest; sessionId: string }> {
  const stream = request({ host: '127.0.0.1', port, path: '/sse', method: 'GET', headers: { accept: 'text/event-stream', authorization: `Bearer ${TOKEN}` } });
  const sessionId = await new Promise<string>((resolve, reject) => {
    stream.on('response', (res) => {
      let text = '';
      res.on('data', (chunk: Buffer) => {
        text += chunk.toString();
        const found = /sessionId=([\w-]+)/.exec(text);
        if (found) resolve(found[1] as string);
      });
    });
    stream.on('error', reject);
    stream.end();
  });
  return { stream, sessionId };
}

function slowThenEcho(id: string): string {
  return ['---', `id: ${id}`, '---', '## Steps', '- [ ] Slow first step', '  ```yaml', '  action: act', '  name: slow-one', '  script: ["slow:2500"]', '  ```', '- [ ] Must never run', '  ```yaml', '  action: echo', '  text: never', '  ```', ''].join('\n');
}

describe('daemon --mcp-port', () => {
  it('refuses to start without a token, saying how to set one', async () => {
    const ws = await createWorkspace();
    try {
      const daemon = startDaemon(ws.configPath, ['--mcp-port', '0'], { ORCHESTRATOR_TOKEN: '' });
      expect(await daemon.exited).toBe(2);
      expect(daemon.output()).toContain('error: daemon --mcp-port needs a bearer token for its MCP clients: set "serve": {"token": "..."} in');
      expect(daemon.output()).toContain('export ORCHESTRATOR_TOKEN');
      expect(await ws.list('In_Progress')).toEqual([]);
    } finally {
      await ws.cleanup();
    }
  });

  describe('serving', () => {
    let ws: Workspace;
    let daemon: DaemonProcess;
    let url: string;
    let sseUrl: string;
    let port: number;
    let client: Client;

    beforeAll(async () => {
      ws = await createWorkspace({ daemon: { scanIntervalMs: 300, stabilityMs: 0 } });
      daemon = startDaemon(ws.configPath, ['--mcp-port', '0'], { ORCHESTRATOR_TOKEN: TOKEN });
      const match = await waitFor(() => /mcp: (http:\/\/127\.0\.0\.1:(\d+)\/mcp) \(Streamable HTTP\) and (\S+) \(SSE\)/.exec(daemon.output()) ?? undefined, 'the MCP URL');
      [, url, , sseUrl] = match as unknown as [string, string, string, string];
      port = Number(match[2]);
      await waitFor(() => daemon.output().includes('watching'), 'the daemon to start');
      client = await connectHttp(url, TOKEN);
    });
    afterAll(async () => {
      await client?.close();
      await daemon?.stop();
      await ws?.cleanup();
    });

    it('refuses a request without the token, with a wrong token, a wrong Host or a foreign Origin', async () => {
      const none = await post(port, {});
      expect(none.status).toBe(401);
      expect(none.body).toContain('missing or wrong bearer token');
      expect((await post(port, { authorization: 'Bearer not-the-token-at-all' })).status).toBe(401);
      const host = await post(port, { authorization: `Bearer ${TOKEN}`, host: `evil.example:${port}` });
      expect(host.status).toBe(403);
      expect(host.body).toContain('Host \\"evil.example');
      expect((await post(port, { authorization: `Bearer ${TOKEN}`, origin: 'http://evil.example' })).status).toBe(403);
      expect((await post(port, { authorization: `Bearer ${TOKEN}`, host: `localhost:${port}` })).status).toBe(200);
      await expect(connectHttp(url, undefined)).rejects.toThrow(/missing or wrong bearer token/);
    });

    it('answers a body larger than it reads with an error to its own request id, and audits the refusal', async () => {
      const huge = JSON.stringify({ jsonrpc: '2.0', id: 77, method: 'tools/call', params: { name: 'submit_plan', arguments: { markdown: 'a'.repeat(5 * 1024 * 1024) } } });
      const refused = await post(port, { authorization: `Bearer ${TOKEN}` }, huge);
      expect(refused.status).toBe(200);
      expect(JSON.parse(refused.body)).toMatchObject({ jsonrpc: '2.0', id: 77, error: { code: -32600, message: expect.stringMatching(/^request too large: \d+ bytes.*a plan may be at most 1 MiB/) } });
      await waitFor(async () => (await ws.readLog()).includes('orchestrator.submit_plan status=refused message="http: request of 5'), 'the refusal in the audit log');
    });

    it('a POST to /mcp naming an SSE session is refused with where to send it, not an internal error', async () => {
      const { stream, sessionId } = await openSseSession(port);
      try {
        const answer = await post(port, { authorization: `Bearer ${TOKEN}`, 'mcp-session-id': sessionId });
        expect(answer.status).toBe(400);
        expect(answer.body).toContain(`is an SSE session: post its messages to /messages?sessionId=${sessionId}`);
      } finally {
        stream.destroy();
      }
    });

    it('a GET or DELETE on /mcp naming an SSE session is told it is an SSE session, not that it does not exist', async () => {
      const { stream, sessionId } = await openSseSession(port);
      try {
        for (const method of ['GET', 'DELETE']) {
          const answer = await fetch(`http://127.0.0.1:${port}/mcp`, { method, headers: { authorization: `Bearer ${TOKEN}`, accept: 'text/event-stream', 'mcp-session-id': sessionId } });
          expect(answer.status).toBe(400);
          expect(await answer.text()).toContain(`is an SSE session: post its messages to /messages?sessionId=${sessionId}`);
        }
      } finally {
        stream.destroy();
      }
    });

    it('runs the loop over Streamable HTTP with live progress, while an SSE client follows the plan', async () => {
      const sse = await connectSse(sseUrl, TOKEN);
      try {
        expect((await sse.listTools()).tools.map((tool) => tool.name)).toContain('wait_for_plan');
        const updates: string[] = [];
        sse.setNotificationHandler(ResourceUpdatedNotificationSchema, (n) => void updates.push(n.params.uri));
        await sse.subscribeResource({ uri: 'plan://http-1' });

        const submitted = await call(client, 'submit_plan', { markdown: twoStepPlan('http-1', 'over http'), name: 'http-1' });
        expect(submitted.structuredContent).toMatchObject({ path: 'Pending_Approval/http-1.md', id: 'http-1' });
        await rename(path.join(ws.vault, 'Pending_Approval', 'http-1.md'), path.join(ws.vault, 'Approved', 'http-1.md'));
        const progress = collectProgress(client, 'http-1-wait');
        const waited = (await client.callTool({ name: 'wait_for_plan', arguments: { id: 'http-1', timeout_ms: 20_000 }, _meta: { progressToken: 'http-1-wait' } }, undefined, { timeout: 25_000 })) as {
          structuredContent: Record<string, any>;
        };
        expect(waited.structuredContent).toMatchObject({ final: true, folder: 'Done', status: 'completed', live: true });
        expect(waited.structuredContent.steps.map((s: { outcome: string; result: string }) => [s.outcome, s.result])).toEqual([
          ['succeeded', 'over http'],
          ['succeeded', '5'],
        ]);
        expect(progress.map((p) => p.progress)).toEqual([1, 2]);
        await waitFor(() => updates.includes('plan://http-1'), 'the SSE client to hear the plan change');
      } finally {
        await sse.close();
      }
    });

    it('cancel_plan stops a running plan before its next step: it ends in Failed/ with status: cancelled', async () => {
      await call(client, 'submit_plan', { markdown: slowThenEcho('to-stop'), name: 'to-stop' });
      await rename(path.join(ws.vault, 'Pending_Approval', 'to-stop.md'), path.join(ws.vault, 'Approved', 'to-stop.md'));
      await waitFor(async () => (await call(client, 'get_plan', { id: 'to-stop' })).structuredContent?.steps[0].outcome === 'running', 'step 1 to run');
      // While it runs, an agent's report goes into the plan's Execution Log through the daemon.
      const reported = await call(client, 'update_status', { agent_name: 'watcher', phase: 'run', status: 'ok', message: 'saw step 1 start', plan: 'to-stop' });
      expect(reported.structuredContent).toMatchObject({ plan_log: 'written' });
      const cancelled = await call(client, 'cancel_plan', { id: 'to-stop', reason: 'the meeting moved' });
      expect(cancelled.structuredContent, textOf(cancelled)).toMatchObject({ outcome: 'stopping' });
      const waited = await call(client, 'wait_for_plan', { id: 'to-stop', timeout_ms: 20_000 });
      expect(waited.structuredContent).toMatchObject({ final: true, folder: 'Failed', status: 'cancelled', error: 'cancelled: the meeting moved' });
      expect(waited.structuredContent?.steps.map((s: { outcome: string }) => s.outcome)).toEqual(['succeeded', 'pending']);
      expect((await ws.calls()).filter((c) => c.tool !== 'add').map((c) => [c.tool, c.args.text ?? c.args.name])).toEqual([
        ['echo', 'over http'],
        ['act', 'slow-one'],
      ]);
      const file = await readFile(path.join(ws.vault, 'Failed', 'to-stop.md'), 'utf8');
      expect(file).toContain('status: cancelled');
      expect(file).toMatch(/agent watcher run ok: saw step 1 start/);
    });

    it('cancel_plan ends a deferred plan at once, without waiting for its retry time', async () => {
      const deferredPlan = ['---', 'id: held', '---', '## Steps', '- [ ] Rate limited', '  ```yaml', '  action: act', '  name: held-one', '  script: ["fail:rate_limit:600000"]', '  retries: 0', '  ```', ''].join('\n');
      await call(client, 'submit_plan', { markdown: deferredPlan, name: 'held' });
      await rename(path.join(ws.vault, 'Pending_Approval', 'held.md'), path.join(ws.vault, 'Approved', 'held.md'));
      await waitFor(async () => (await call(client, 'get_plan', { id: 'held' })).structuredContent?.status === 'deferred', 'the plan to be deferred');
      expect((await call(client, 'cancel_plan', { id: 'held', reason: 'not worth waiting' })).structuredContent).toMatchObject({ outcome: 'stopping' });
      const waited = await call(client, 'wait_for_plan', { id: 'held', timeout_ms: 15_000 });
      expect(waited.structuredContent).toMatchObject({ final: true, folder: 'Failed', status: 'cancelled', error: 'cancelled: not worth waiting' });
      expect((await ws.calls()).filter((c) => c.args.name === 'held-one')).toHaveLength(1);
    });

    it('serve beside it finds it through mcp.json and forwards cancel_plan for a running plan', async () => {
      const serve = await connectServe(ws.configPath, { ORCHESTRATOR_TOKEN: TOKEN });
      try {
        await call(serve.client, 'submit_plan', { markdown: slowThenEcho('stop-from-serve'), name: 'stop-from-serve' });
        await rename(path.join(ws.vault, 'Pending_Approval', 'stop-from-serve.md'), path.join(ws.vault, 'Approved', 'stop-from-serve.md'));
        // The earlier cancel test sent one slow-one already; this plan's step 1 is the second.
        await waitFor(async () => (await ws.calls()).filter((c) => c.tool === 'act' && c.args.name === 'slow-one').length === 2, 'step 1 to be sent');
        const cancelled = await call(serve.client, 'cancel_plan', { id: 'stop-from-serve', reason: 'from serve' });
        expect(cancelled.structuredContent, textOf(cancelled)).toMatchObject({ outcome: 'stopping' });
        expect(textOf(cancelled)).toContain('the daemon answered');
        const waited = await call(serve.client, 'wait_for_plan', { id: 'stop-from-serve', timeout_ms: 20_000 });
        expect(waited.structuredContent).toMatchObject({ final: true, folder: 'Failed', status: 'cancelled', live: false });
        expect((await ws.calls()).filter((c) => c.tool === 'echo').map((c) => c.args.text)).toEqual(['over http']);
      } finally {
        await serve.close();
      }
    });

    it('writes its URL and pid to mcp.json in the private state (mode 0600), and removes it when it stops', async () => {
      const file = path.join(ws.state, 'mcp.json');
      expect(JSON.parse(await readFile(file, 'utf8'))).toMatchObject({ url, sse: sseUrl, pid: daemon.child.pid });
      expect((await stat(file)).mode & 0o777).toBe(0o600);
      await client.close();
      expect(await daemon.stop()).toBe(0);
      await expect(stat(file)).rejects.toThrow(/ENOENT/);
    });
  });
});
