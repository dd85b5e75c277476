/**
 * A stdio server that exits on its own (a crash) may leave what it started behind in its process group,
 * its output not tied to ours: those go with it, as they do when we stop it ourselves (mcp/stdio-transport.ts).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { processesMarked, waitFor } from '../helpers/daemon-process.js';
import { createWorkspace, type Workspace } from '../helpers/workspace.js';

const MARKER = `left-behind-${process.pid}-${Date.now()}`;

const leftBehind = (): string[] => processesMarked(MARKER);

let ws: Workspace;
beforeEach(async () => {
  ws = await createWorkspace({
    servers: {
      // Starts a helper with its own output, says it did, and exits before answering anything.
      crashing: {
        command: process.execPath,
        args: [
          '-e',
          "const c = require('node:child_process').spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)', process.argv[1]], { stdio: 'ignore' }); c.on('spawn', () => { process.stderr.write('helper ' + c.pid + ' started\\n'); process.exit(1); });",
          MARKER,
        ],
        timeoutMs: 5_000,
      },
    },
  });
});
afterEach(async () => {
  for (const pid of leftBehind()) {
    try {
      process.kill(Number(pid), 'SIGKILL');
    } catch {
      // gone meanwhile
    }
  }
  await ws.cleanup();
});

describe('a stdio server that exits on its own', () => {
  it.runIf(process.platform === 'linux')('leaves nothing of its process group running', async () => {
    const result = await runCli(['--config', ws.configPath, 'servers', '--json']);
    expect(result.code).toBe(1);
    // The helper really was started (its marker is on its command line), so the check below can fail.
    expect(result.stdout + result.stderr).toMatch(/helper \d+ started/);
    // SIGKILL reaches the group as the server's output closes; the kernel needs a moment to remove it.
    await waitFor(() => leftBehind().length === 0, 'the helper to be gone', 5_000).catch(() => undefined);
    expect(leftBehind()).toEqual([]);
  });
});
