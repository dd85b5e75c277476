/** Plans against a server over Streamable HTTP: calls work, and a 401 is an authentication failure, never retried. */
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { createWorkspace, startHttpServer, type Workspace } from '../helpers/workspace.js';

let ws: Workspace;
let http: Awaited<ReturnType<typeof startHttpServer>>;

beforeAll(async () => {
  ws = await createWorkspace();
  http = await startHttpServer({ CALLS_FILE: ws.callsFile, STATE_DIR: `${ws.dir}/http-state`, HTTP_TOKEN: 'right-token' });
});
afterAll(async () => {
  await http.stop();
  await ws.cleanup();
});

async function withServer(token: string) {
  const workspace = await createWorkspace({
    servers: { remote: { type: 'http', url: http.url, headers: { Authorization: `Bearer ${token}` } } },
    actions: { remote_add: { server: 'remote', tool: 'add', idempotent: true } },
  });
  return workspace;
}

describe('run over Streamable HTTP', () => {
  it('calls the remote tool and passes the result on', async () => {
    const workspace = await withServer('right-token');
    try {
      const file = await workspace.writePlan(
        'remote.md',
        ['---', 'id: remote', 'action: remote_add', 'a: 1', 'b: 2', '---', ''].join('\n'),
      );
      const result = await runCli(['--config', workspace.configPath, 'run', file]);
      expect(result.code, result.stdout + result.stderr).toBe(0);
      expect((await ws.calls()).some((c) => c.tool === 'add' && c.args.a === 1)).toBe(true);
      expect(await readFile(file, 'utf8')).toMatch(/^status: completed$/m);
    } finally {
      await workspace.cleanup();
    }
  });

  it('reports a rejected token as an authentication problem and calls nothing', async () => {
    const workspace = await withServer('wrong-token');
    try {
      const before = (await ws.calls()).length;
      const file = await workspace.writePlan(
        'remote.md',
        ['---', 'id: remote-bad', 'action: remote_add', 'a: 1', 'b: 2', '---', ''].join('\n'),
      );
      const result = await runCli(['--config', workspace.configPath, 'run', file]);
      expect(result.code).toBe(1);
      expect(result.stdout).toMatch(/remote/);
      expect((await ws.calls()).length).toBe(before);
    } finally {
      await workspace.cleanup();
    }
  });
});
