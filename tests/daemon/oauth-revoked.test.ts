/**
 * A revoked OAuth refresh token, against the real daemon (issue 12): the authorization server answers
 * the refresh with invalid_grant. Only a person can help, with `mcp-orchestrator auth <server>`: the
 * plan is deferred (not failed), an ALERT says what to run, and nothing reaches the server. Once `auth`
 * has run again, the waiting plan finishes by itself, without a restart of the daemon.
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { startOAuthServers, type OAuthFixture } from '../fixtures/servers/oauth-servers.js';
import { startDaemon, waitFor, type DaemonProcess } from '../helpers/daemon-process.js';
import { createWorkspace, type Workspace } from '../helpers/workspace.js';

let fixture: OAuthFixture;
let ws: Workspace;
let daemon: DaemonProcess | undefined;

beforeAll(async () => {
  // Access tokens live one second, so the daemon must refresh before its first call.
  fixture = await startOAuthServers({ accessTtlSeconds: 1 });
  ws = await createWorkspace({
    servers: { remote: { type: 'http', url: fixture.mcpUrl, oauth: {} } },
    actions: { remote_echo: { server: 'remote', tool: 'echo', idempotent: false } },
    // A deferred plan comes back after a second; the breaker probes after half a second.
    execution: { deferDelayMs: 1_000 },
  });
  const config = JSON.parse(await readFile(ws.configPath, 'utf8')) as Record<string, unknown>;
  await writeFile(ws.configPath, JSON.stringify({ ...config, breaker: { coolDown: 500 } }, null, 2));
});
afterAll(async () => {
  await daemon?.stop();
  await fixture.close();
  await ws.cleanup();
});

/** `auth remote` in-process; the test follows the printed URL as a browser would. */
async function authorize(): Promise<number> {
  let browsed: Promise<void> | undefined;
  const code = await main(
    ['node', 'mcp-orchestrator', '--config', ws.configPath, 'auth', 'remote', '--timeout', '30s'],
    {
      out: (line) => {
        const url = /^\s+(http:\/\/\S+\/authorize\?\S+)$/.exec(line)?.[1];
        if (url) browsed = (async () => {
          const approval = await fetch(url, { redirect: 'manual' });
          await (await fetch(approval.headers.get('location') as string)).text();
        })();
      },
      err: () => undefined,
    },
    new AbortController().signal,
  );
  await browsed;
  return code;
}

const PLAN = ['---', 'id: oauth-plan', '---', '## Steps', '- [ ] echo', '  ```yaml', '  action: remote_echo', '  text: hello', '  ```', ''].join('\n');

describe('a revoked OAuth refresh token', () => {
  it('defers the plan with an ALERT to run `mcp-orchestrator auth remote`; after auth it finishes by itself', async () => {
    expect(await authorize()).toBe(0);
    fixture.revokeRefreshTokens();
    // Past the access token's one second (by the daemon's clock too): the next use must refresh.
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    await ws.writePlan('oauth.md', PLAN, 'Approved');
    daemon = startDaemon(ws.configPath);
    await waitFor(async () => /DEFERRED - plan=oauth-plan/.test(await ws.readLog()), 'the plan to be deferred');
    const log = await ws.readLog();
    expect(await ws.list('Failed'), daemon.output() + log).toEqual([]);
    expect(await ws.list('In_Progress')).toEqual(['oauth.md']);
    expect(await readFile(path.join(ws.vault, 'In_Progress', 'oauth.md'), 'utf8')).toMatch(/^status: deferred$/m);
    expect(log).toMatch(/ALERT - remote status=open message="authentication: server remote needs its OAuth authorization again.*run `mcp-orchestrator auth remote`.*without a restart"/);
    expect(log).not.toMatch(/until the daemon restarts/);
    expect(fixture.calls).toEqual([]);

    // The person runs `auth remote` again; the daemon, still running, takes it from there.
    expect(await authorize()).toBe(0);
    await waitFor(async () => (await ws.list('Done')).length > 0, 'the plan to finish after auth', 30_000);
    expect(fixture.calls.map((call) => call.args['text'])).toEqual(['hello']);
    expect(await ws.readLog()).toMatch(/ALERT - remote status=resolved/);
  }, 60_000);
});
