/**
 * OAuth against a real authorization server and a real protected MCP server on loopback: `auth
 * <server>` once (the test plays the browser), then the stored tokens are used and refreshed by the
 * pool without any browser step; a revoked refresh token is a typed authentication failure found
 * before anything is sent; and no token ever reaches stdout, stderr, a log or a message.
 */
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { classifyError } from '../../src/execution/classify.js';
import { McpCallError } from '../../src/mcp/errors.js';
import { OAuthRefreshError } from '../../src/mcp/oauth/errors.js';
import { McpPool } from '../../src/mcp/pool.js';
import { startOAuthServers, type OAuthFixture } from '../fixtures/servers/oauth-servers.js';
import { runCli } from '../helpers/cli.js';
import { createWorkspace, type Workspace } from '../helpers/workspace.js';

let fixture: OAuthFixture;
let ws: Workspace;
let stateDir: string;
const output: string[] = [];

beforeAll(async () => {
  fixture = await startOAuthServers({ accessTtlSeconds: 60 });
  stateDir = await mkdtemp(path.join(os.tmpdir(), 'orch-state-'));
  process.env['ORCHESTRATOR_STATE_DIR'] = stateDir;
  ws = await createWorkspace({
    servers: { remote: { type: 'http', url: fixture.mcpUrl, oauth: {} } },
    actions: { remote_echo: { server: 'remote', tool: 'echo', idempotent: true } },
    execution: { maxRetries: 0 },
  });
});
afterAll(async () => {
  delete process.env['ORCHESTRATOR_STATE_DIR'];
  await fixture.close();
  await ws.cleanup();
  await rm(stateDir, { recursive: true, force: true });
});

/** `auth remote` in-process; the test follows the printed URL as a browser would. */
async function authorize(): Promise<{ code: number; stdout: string; stderr: string }> {
  const out: string[] = [];
  const err: string[] = [];
  let browsed: Promise<void> | undefined;
  const code = await main(
    ['node', 'mcp-orchestrator', '--config', ws.configPath, 'auth', 'remote', '--timeout', '30s'],
    {
      out: (line) => {
        out.push(line);
        const url = /^\s+(http:\/\/\S+\/authorize\?\S+)$/.exec(line)?.[1];
        if (url) browsed = browse(url);
      },
      err: (line) => err.push(line),
    },
    new AbortController().signal,
  );
  await browsed;
  output.push(...out, ...err);
  return { code, stdout: out.join('\n'), stderr: err.join('\n') };
}

async function browse(url: string): Promise<void> {
  const approval = await fetch(url, { redirect: 'manual' });
  const location = approval.headers.get('location');
  expect(approval.status).toBe(302);
  expect(location).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/callback\?code=/);
  const landing = await fetch(location as string);
  expect(landing.status).toBe(200);
  await landing.text();
}

/** The pool's clock: real time moved forward by `ahead` ms (backoff waits still pass). */
function poolWithClock(clock: { ahead: number }): McpPool {
  return new McpPool({
    servers: { remote: { type: 'http', url: fixture.mcpUrl, headers: {}, oauth: { grant: 'authorization_code' }, maxConcurrency: 2, enabled: true } },
    environmentFor: () => ({}),
    defaultCwd: ws.dir,
    defaultTimeoutMs: 5_000,
    clock: { now: () => new Date(Date.now() + clock.ahead), monotonicMs: () => performance.now() },
    oauthDir: path.join(stateDir, 'oauth'),
  });
}

const echo = (pool: McpPool, text: string) => pool.callTool({ server: 'remote', tool: 'echo', args: { text }, timeoutMs: 5_000 });

describe('OAuth', () => {
  it('before any authorization, a server that answers 401 is reported with a hint to run auth', async () => {
    const plain = await createWorkspace({ servers: { remote: { type: 'http', url: fixture.mcpUrl } } });
    try {
      const result = await runCli(['--config', plain.configPath, 'servers', '--json']);
      const remote = (JSON.parse(result.stdout) as { name: string; lastError: string | null }[]).find((r) => r.name === 'remote');
      expect(remote?.lastError).toMatch(/HTTP 401.*run `mcp-orchestrator auth remote` once/);
    } finally {
      await plain.cleanup();
    }
  });

  it('auth <server>: registers, prints the URL, receives the redirect on loopback, stores tokens privately', async () => {
    const result = await authorize();
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(fixture.registrations).toBe(1);
    expect(fixture.authorizeRequests).toBe(1);
    expect(fixture.grants).toEqual(['authorization_code']);
    expect(result.stdout).toMatch(/remote: authorized; tokens stored in /);
    expect(result.stdout).toMatch(/remote: connected with the new authorization; 2 tools: echo, add/);

    const dir = path.join(stateDir, 'oauth');
    expect((await stat(dir)).mode & 0o777).toBe(0o700);
    const files = await readdir(dir);
    expect(files).toEqual(['remote.json']);
    const file = path.join(dir, 'remote.json');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    const stored = JSON.parse(await readFile(file, 'utf8')) as { tokens: { access_token: string; refresh_token: string } };
    expect(fixture.issued).toContain(stored.tokens.access_token);
    expect(path.relative(ws.vault, file).startsWith('..')).toBe(true);
  });

  it('run uses the stored tokens without a browser step, and the logs never hold them', async () => {
    const file = await ws.writePlan('oauth.md', ['---', 'id: oauth-run', 'action: remote_echo', 'text: with-oauth', '---', ''].join('\n'));
    const result = await runCli(['--config', ws.configPath, 'run', file]);
    output.push(result.stdout, result.stderr, await ws.readLog(), await ws.readLog('mcp_actions.jsonl'), await readFile(file, 'utf8'));
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(fixture.calls).toContainEqual(expect.objectContaining({ args: { text: 'with-oauth' } }));
    expect(fixture.authorizeRequests).toBe(1);
  });

  it('refreshes an access token that is about to expire before using it, with no browser step', async () => {
    const clock = { ahead: 0 };
    const pool = poolWithClock(clock);
    try {
      // The stored token was issued at the fixture's time; align the fixture so it is valid now.
      await expect(echo(pool, 'first')).resolves.toBeDefined();
      const grantsBefore = fixture.grants.length;
      const rejectedBefore = fixture.mcpRequests.length;
      clock.ahead += 61_000;
      fixture.now += 61_000;
      await expect(echo(pool, 'second')).resolves.toMatchObject({ content: [{ type: 'text', text: 'second' }] });
      expect(fixture.grants.slice(grantsBefore)).toEqual(['refresh_token']);
      // Refreshed before the request: the expired token was never presented.
      const later = fixture.mcpRequests.slice(rejectedBefore);
      const stored = JSON.parse(await readFile(path.join(stateDir, 'oauth', 'remote.json'), 'utf8')) as { tokens: { access_token: string } };
      expect(later.length).toBeGreaterThan(0);
      expect(later.every((r) => r.headers.authorization === `Bearer ${stored.tokens.access_token}`)).toBe(true);
      expect(fixture.authorizeRequests).toBe(1);
    } finally {
      await pool.close();
    }
  });

  it('refreshes on the server’s 401 when its clock says the token expired before ours does', async () => {
    const clock = { ahead: 0 };
    const pool = poolWithClock(clock);
    try {
      await expect(echo(pool, 'warm')).resolves.toBeDefined();
      const grantsBefore = fixture.grants.length;
      const requestsBefore = fixture.mcpRequests.length;
      fixture.now += 61_000; // only the server's clock moves
      await expect(echo(pool, 'after-401')).resolves.toMatchObject({ content: [{ type: 'text', text: 'after-401' }] });
      expect(fixture.grants.slice(grantsBefore)).toEqual(['refresh_token']);
      // The old token was presented (and refused with 401), then the refreshed one.
      const presented = new Set(fixture.mcpRequests.slice(requestsBefore).map((r) => r.headers.authorization));
      expect(presented.size).toBe(2);
      expect(fixture.calls.filter((c) => c.args['text'] === 'after-401')).toHaveLength(1);
    } finally {
      await pool.close();
    }
  });

  it('a revoked refresh token is an authentication failure found before sending: typed, nothing sent', async () => {
    const clock = { ahead: 0 };
    const pool = poolWithClock(clock);
    try {
      fixture.revokeRefreshTokens();
      clock.ahead += 61_000;
      fixture.now += 61_000;
      const callsBefore = fixture.calls.length;
      const error = await echo(pool, 'never-sent').then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(McpCallError);
      expect((error as McpCallError).phase).toBe('connect');
      expect((error as McpCallError).cause).toBeInstanceOf(OAuthRefreshError);
      expect(((error as McpCallError).cause as OAuthRefreshError).problem).toBe('refused');
      expect((error as Error).message).toMatch(/run `mcp-orchestrator auth remote`/);
      const classified = classifyError(error);
      expect(classified).toMatchObject({ type: 'authentication', sent: false });
      expect(fixture.calls.length).toBe(callsBefore);
      output.push((error as Error).message);

      // Still refused on the next attempt, without asking the authorization server again.
      const grants = fixture.grants.length;
      await expect(echo(pool, 'again')).rejects.toMatchObject({ phase: 'connect' });
      expect(fixture.grants.length).toBe(grants);
    } finally {
      await pool.close();
    }
  });

  it('never printed or logged a token', () => {
    expect(fixture.issued.length).toBeGreaterThanOrEqual(4);
    const everything = output.join('\n');
    for (const token of fixture.issued) expect(everything).not.toContain(token);
  });
});
