/**
 * `daemon --mcp-port` over months (serve/http.ts): clients that leave without a DELETE do not hold the 64
 * session slots for good. At the limit, the session idle longest (no request under way for 30 minutes) is
 * closed for the new client; while every session was heard from lately, a new one is still refused. Real
 * HTTP on the loopback, the MCP server in this process, an injected clock.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createMemoryAuditLog } from '../../../src/audit/memory.js';
import type { Clock } from '../../../src/core/clock.js';
import type { ServeContext } from '../../../src/serve/context.js';
import { idlest, SESSION_IDLE_MS, startMcpHttp, type McpHttpServer } from '../../../src/serve/http.js';
import { PlanChanges } from '../../../src/serve/plan-changes.js';

let server: McpHttpServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const token = 'test-token-123';
const initialize = { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-03-26', capabilities: {}, clientInfo: { name: 't', version: '0' } } };

async function post(url: string, body: unknown, session?: string): Promise<{ status: number; session: string | null }> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...(session ? { 'mcp-session-id': session } : {}) },
    body: JSON.stringify(body),
  });
  await res.text();
  return { status: res.status, session: res.headers.get('mcp-session-id') };
}

describe('HTTP sessions that are never closed', () => {
  it('at the limit, the session idle longest gives its slot to a new client once idle for 30 minutes; a recent one keeps it', async () => {
    let now = 0;
    const clock: Clock = { now: () => new Date(), monotonicMs: () => now };
    const ctx = { clock, audit: createMemoryAuditLog(), changes: new PlanChanges() } as unknown as ServeContext;
    server = await startMcpHttp({ ctx, host: '127.0.0.1', port: 0, token, allowedHosts: [] });
    const opened: string[] = [];
    for (let i = 0; i < 64; i += 1) {
      now += 1_000;
      const answer = await post(server.url, initialize);
      expect(answer.status).toBe(200);
      opened.push(answer.session as string);
    }
    // Every slot taken by clients that went away without a DELETE: refused while they were heard from lately.
    expect((await post(server.url, initialize)).status).toBe(503);
    // Half an hour on, the first session's client still talks; the second's is gone.
    now += SESSION_IDLE_MS;
    expect((await post(server.url, { jsonrpc: '2.0', method: 'notifications/initialized' }, opened[0])).status).toBe(202);
    const fresh = await post(server.url, initialize);
    expect(fresh.status).toBe(200);
    expect((await post(server.url, { jsonrpc: '2.0', id: 2, method: 'ping' }, opened[1])).status).toBe(404);
    expect((await post(server.url, { jsonrpc: '2.0', id: 2, method: 'ping' }, opened[0])).status).toBe(200);
    // Thousands more clients that never say goodbye: each, idle long enough, makes room for the next.
    for (let i = 0; i < 200; i += 1) {
      now += SESSION_IDLE_MS;
      expect((await post(server.url, initialize)).status).toBe(200);
    }
  }, 60_000);

  it('a session with a request under way is never the one closed', () => {
    const sessions = new Map([
      ['streaming', { open: 1, heardAt: 0 }],
      ['idle', { open: 0, heardAt: 10 }],
      ['recent', { open: 0, heardAt: SESSION_IDLE_MS }],
    ]);
    expect(idlest(sessions, SESSION_IDLE_MS + 10)).toBe('idle');
    expect(idlest(sessions, SESSION_IDLE_MS + 9)).toBeUndefined();
    sessions.delete('idle');
    expect(idlest(sessions, 10 * SESSION_IDLE_MS)).toBe('recent');
  });
});
