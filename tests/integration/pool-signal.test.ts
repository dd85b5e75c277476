/** A daemon-long signal passed to every call must not collect one abort listener per call (a leak over months). */
import { getEventListeners } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { McpPool } from '../../src/mcp/pool.js';
import { createWorkspace, SCRIPTED_SERVER, type Workspace } from '../helpers/workspace.js';

let ws: Workspace;
beforeAll(async () => {
  ws = await createWorkspace();
});
afterAll(async () => {
  await ws.cleanup();
});

describe('McpPool and a long-lived signal', () => {
  it('leaves no abort listener behind after 200 calls', async () => {
    const pool = new McpPool({
      servers: {
        scripted: {
          type: 'stdio',
          command: process.execPath,
          args: [SCRIPTED_SERVER],
          idleTimeoutMs: 0,
          env: { CALLS_FILE: ws.callsFile },
          maxConcurrency: 4,
          enabled: true,
        },
      },
      environmentFor: (_name, server) => (server.type === 'stdio' ? { ...server.env, PATH: process.env.PATH ?? '' } : {}),
      defaultCwd: ws.dir,
      defaultTimeoutMs: 5_000,
    });
    const root = new AbortController();
    try {
      for (let i = 0; i < 200; i += 1) {
        await pool.callTool({ server: 'scripted', tool: 'echo', args: { text: `n${i}` }, timeoutMs: 5_000, signal: root.signal });
      }
      expect(getEventListeners(root.signal, 'abort').length).toBeLessThan(5);
      expect((await ws.calls()).length).toBe(200);
    } finally {
      await pool.close();
    }
  });
});
