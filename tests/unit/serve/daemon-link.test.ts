/**
 * What `serve` answers about a running plan it cannot stop itself: no daemon, a daemon without an MCP
 * endpoint, or one whose endpoint needs a token serve was not given.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { statePaths } from '../../../src/config/state-dir.js';
import { writeHealth } from '../../../src/monitor/health-file.js';
import { vaultLink } from '../../../src/serve/daemon-link.js';
import { writeEndpoint } from '../../../src/serve/endpoint-file.js';

describe('the link from serve to the daemon on its vault', () => {
  let state: string;
  beforeEach(async () => {
    state = await mkdtemp(path.join(tmpdir(), 'daemon-link-'));
  });
  afterEach(async () => {
    await rm(state, { recursive: true, force: true });
  });

  it('says that no daemon runs, when none does', async () => {
    const link = vaultLink(state, 'a-token-long-enough-1234');
    expect(await link.describe()).toEqual({ running: false });
    expect(await link.cancel('p.md', 'p', 'stop')).toEqual({ ok: false, message: expect.stringContaining('no daemon runs on this vault, so nothing is running') });
  });

  it('says how to reach a daemon that runs without an MCP endpoint', async () => {
    const at = new Date().toISOString();
    const counts = { waiting: 0, inProgress: 0, deferred: 0, doneToday: 0, failedToday: 0, needsReviewToday: 0 };
    await writeHealth(statePaths(state).health, { pid: process.pid, startedAt: at, updatedAt: at, breakers: {}, alerts: [], counts });
    const link = vaultLink(state, 'a-token-long-enough-1234');
    expect(await link.describe()).toEqual({ running: true, pid: process.pid });
    expect(await link.cancel('p.md', 'p', 'stop')).toEqual({ ok: false, message: expect.stringContaining(`a daemon (pid ${process.pid}) runs this vault but serves no MCP endpoint: restart it with --mcp-port`) });
  });

  it('asks for the token when the daemon serves MCP and serve has none', async () => {
    await writeEndpoint(state, { url: 'http://127.0.0.1:1/mcp', sse: 'http://127.0.0.1:1/sse', pid: process.pid, startedAt: new Date().toISOString() });
    const link = vaultLink(state, undefined);
    expect(await link.describe()).toEqual({ running: true, pid: process.pid, url: 'http://127.0.0.1:1/mcp' });
    expect(await link.cancel('p.md', 'p', 'stop')).toEqual({ ok: false, message: expect.stringContaining(`the daemon (pid ${process.pid}) needs a token: set serve.token or $ORCHESTRATOR_TOKEN`) });
  });
});
