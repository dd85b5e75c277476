/** `servers` shows the running daemon's breaker state per server (published in the private state's health.json). */
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { startDaemon, waitFor, type DaemonProcess } from '../helpers/daemon-process.js';
import { createWorkspace, type Workspace } from '../helpers/workspace.js';

let ws: Workspace | undefined;
let daemon: DaemonProcess | undefined;
afterEach(async () => {
  await daemon?.stop('SIGKILL');
  await ws?.cleanup();
});

describe('servers with a daemon running', () => {
  it('reports the daemon\'s breaker state, and "-" once it stopped', async () => {
    ws = await createWorkspace();
    const running = startDaemon(ws.configPath);
    daemon = running;
    await waitFor(() => running.output().includes('watching'), 'the banner');
    const breakerOf = async () => {
      const result = await runCli(['--config', (ws as Workspace).configPath, 'servers', '--json']);
      const reports = JSON.parse(result.stdout) as Array<{ name: string; breaker: string }>;
      return reports.find((r) => r.name === 'scripted')?.breaker;
    };
    expect(await waitFor(async () => (await breakerOf()) === 'closed' && 'closed', 'the health file')).toBe('closed');
    expect(await running.stop('SIGTERM')).toBe(0);
    expect(await breakerOf()).toBe('-');
  });
});
