/**
 * A Streamable HTTP server that restarts forgets our session and answers 404 to it: the pool opens a
 * new session and goes on; the refused request (never processed) is sent once on the new session.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { McpPool } from '../../../src/mcp/pool.js';
import { startSessionServer, type RestartableFixture } from '../../fixtures/servers/http-servers.js';

let server: RestartableFixture;
let pool: McpPool;

beforeEach(async () => {
  server = await startSessionServer();
  pool = new McpPool({
    servers: { remote: { type: 'http', url: `${server.origin}/mcp`, headers: {}, maxConcurrency: 2, enabled: true } },
    environmentFor: () => ({}),
    defaultCwd: process.cwd(),
    defaultTimeoutMs: 5_000,
    oauthDir: '/nonexistent/oauth-not-used',
  });
});
afterEach(async () => {
  await pool.close();
  await server.close();
});

const echo = (text: string) => pool.callTool({ server: 'remote', tool: 'echo', args: { text }, timeoutMs: 5_000 });

describe('Streamable HTTP session re-establishment', () => {
  it('goes on after the server restarted between two calls, each call processed exactly once', async () => {
    expect((await echo('before')).content).toEqual([{ type: 'text', text: 'before' }]);
    const firstSession = server.requests.find((r) => typeof r.headers['mcp-session-id'] === 'string')?.headers['mcp-session-id'];
    expect(firstSession).toBeDefined();

    await server.restart();
    const seenBefore = server.requests.length;
    expect((await echo('after')).content).toEqual([{ type: 'text', text: 'after' }]);

    expect(server.calls.map((c) => [c.args['text'], c.generation])).toEqual([
      ['before', 1],
      ['after', 2],
    ]);
    const afterRestart = server.requests.slice(seenBefore).filter((r) => r.method === 'POST');
    // The refused call carried the old session; then a new initialize (no session), then the call again.
    expect(afterRestart[0]?.headers['mcp-session-id']).toBe(firstSession);
    const initialize = afterRestart.findIndex((r) => r.headers['mcp-session-id'] === undefined);
    expect(initialize).toBeGreaterThan(0);
    const resent = afterRestart.slice(initialize + 1).filter((r) => r.headers['mcp-session-id'] !== undefined);
    expect(new Set(resent.map((r) => r.headers['mcp-session-id']))).not.toContain(firstSession);
  });

  it('lists tools again after a restart', async () => {
    expect((await pool.listTools('remote')).map((t) => t.name).sort()).toEqual(['add', 'echo']);
    await server.restart();
    expect(await pool.ping('remote')).toBeGreaterThanOrEqual(0);
    await expect(echo('x')).resolves.toMatchObject({ content: [{ type: 'text', text: 'x' }] });
    expect(server.calls).toHaveLength(1);
  });
});
