/**
 * Machine-to-machine servers: `"oauth": {"grant": "client_credentials", …}` fetches a token with the
 * configured client, fetches a new one before it expires, and refused credentials are a typed
 * authentication failure found before anything is sent.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { classifyError } from '../../src/execution/classify.js';
import { OAuthRefreshError } from '../../src/mcp/oauth/errors.js';
import { McpPool } from '../../src/mcp/pool.js';
import { startOAuthServers, type OAuthFixture } from '../fixtures/servers/oauth-servers.js';

const CLIENT = { clientId: 'robot', clientSecret: 'robot-secret-31337' };
let fixture: OAuthFixture;
let dir: string;

beforeAll(async () => {
  fixture = await startOAuthServers({ accessTtlSeconds: 30, machineClient: CLIENT });
  dir = await mkdtemp(path.join(os.tmpdir(), 'orch-cc-'));
});
afterAll(async () => {
  await fixture.close();
  await rm(dir, { recursive: true, force: true });
});

function pool(clientSecret: string, clock: { ahead: number }): McpPool {
  return new McpPool({
    servers: {
      m2m: {
        type: 'http',
        url: fixture.mcpUrl,
        headers: {},
        oauth: { grant: 'client_credentials', clientId: CLIENT.clientId, clientSecret },
        maxConcurrency: 1,
        enabled: true,
      },
    },
    environmentFor: () => ({}),
    defaultCwd: dir,
    defaultTimeoutMs: 5_000,
    clock: { now: () => new Date(Date.now() + clock.ahead), monotonicMs: () => performance.now() },
    oauthDir: path.join(dir, clientSecret === CLIENT.clientSecret ? 'right' : 'wrong'),
  });
}

describe('OAuth client credentials', () => {
  it('gets a token with the configured client and a new one before it expires', async () => {
    const clock = { ahead: 0 };
    const p = pool(CLIENT.clientSecret, clock);
    try {
      await expect(p.callTool({ server: 'm2m', tool: 'echo', args: { text: 'one' }, timeoutMs: 5_000 })).resolves.toBeDefined();
      expect(fixture.grants).toEqual(['client_credentials']);
      clock.ahead += 31_000;
      fixture.now += 31_000;
      await expect(p.callTool({ server: 'm2m', tool: 'echo', args: { text: 'two' }, timeoutMs: 5_000 })).resolves.toBeDefined();
      expect(fixture.grants).toEqual(['client_credentials', 'client_credentials']);
      expect(fixture.calls.map((c) => c.args['text'])).toEqual(['one', 'two']);
      expect(fixture.authorizeRequests).toBe(0);
    } finally {
      await p.close();
    }
  });

  it('refused credentials: authentication, nothing sent, and the secret in no message', async () => {
    const p = pool('wrong-secret-000', { ahead: 0 });
    try {
      const error = await p.callTool({ server: 'm2m', tool: 'echo', args: { text: 'nope' }, timeoutMs: 5_000 }).catch((e: unknown) => e);
      expect((error as { phase?: string }).phase).toBe('connect');
      expect((error as Error).cause).toBeInstanceOf(OAuthRefreshError);
      expect(classifyError(error)).toMatchObject({ type: 'authentication', sent: false });
      expect((error as Error).message).toMatch(/oauth\.clientId and oauth\.clientSecret/);
      expect((error as Error).message).not.toContain('wrong-secret-000');
      expect(fixture.calls.some((c) => c.args['text'] === 'nope')).toBe(false);
    } finally {
      await p.close();
    }
  });
});
