/**
 * SPEC §6 `idleTimeoutMs`: a stdio server starts on first use and stops after being unused that long;
 * the next plan starts it again. A call longer than the timeout is never cut, and an idle stop is no
 * failure (no breaker, no alert).
 */
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { startDaemon, waitFor, type DaemonProcess } from '../helpers/daemon-process.js';
import { createWorkspace, type Workspace } from '../helpers/workspace.js';

let ws: Workspace | undefined;
let daemon: DaemonProcess | undefined;
afterEach(async () => {
  await daemon?.stop('SIGKILL');
  daemon = undefined;
  await ws?.cleanup();
  ws = undefined;
});

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return !/^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, 'utf8'));
  } catch {
    return false;
  }
}

const plan = (id: string, script: string) => `---\nid: ${id}\naction: act\nname: ${id}\nscript: ["${script}"]\n---\n`;

describe('stdio servers stop when idle', () => {
  it('starts on first use, stops once unused for idleTimeoutMs, and starts again for the next plan; a longer call is not cut', async () => {
    const current = (ws = await createWorkspace({ serverOptions: { idleTimeoutMs: 300 } }));
    daemon = startDaemon(current.configPath);
    await waitFor(() => daemon?.output().includes('watching'), 'the banner');
    // Nothing to do yet: no server was started.
    expect(await current.calls()).toEqual([]);

    await current.writePlan('first.md', plan('first', 'ok'), 'Approved');
    await waitFor(async () => (await current.list('Done')).includes('first.md'), 'the first plan');
    const firstPid = (await current.calls())[0]?.pid as number;
    expect(firstPid).toBeGreaterThan(0);
    await waitFor(() => !alive(firstPid), 'the idle server to stop');

    // A call three times longer than the idle timeout runs to its end on a server started anew.
    await current.writePlan('long.md', plan('long', 'slow:900'), 'Approved');
    await waitFor(async () => (await current.list('Done')).includes('long.md'), 'the long plan');
    const calls = await current.calls();
    expect(calls.map((c) => c.args.name)).toEqual(['first', 'long']);
    expect(calls[1]?.pid).not.toBe(firstPid);
    await waitFor(() => !alive(calls[1]?.pid as number), 'the server to stop again');

    const log = await current.readLog();
    expect(log).not.toMatch(/ALERT/);
    expect(log).not.toMatch(/breaker/i);
    expect(daemon.child.exitCode).toBeNull();
  }, 30_000);

  it('idleTimeoutMs 0 keeps the server up', async () => {
    const current = (ws = await createWorkspace({ serverOptions: { idleTimeoutMs: 0 } }));
    daemon = startDaemon(current.configPath);
    await current.writePlan('one.md', plan('one', 'ok'), 'Approved');
    await current.writePlan('two.md', plan('two', 'ok'), 'Approved');
    await waitFor(async () => (await current.list('Done')).length === 2, 'both plans');
    const pids = new Set((await current.calls()).map((c) => c.pid));
    expect(pids.size).toBe(1);
    expect(alive([...pids][0] as number)).toBe(true);
  }, 30_000);
});
