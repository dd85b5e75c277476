/** The real daemon with a rate-limited action: plans over the limit are deferred, then run; the count survives a restart. */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startDaemon, waitFor, type DaemonProcess } from '../helpers/daemon-process.js';
import { createWorkspace, type Workspace } from '../helpers/workspace.js';

let ws: Workspace | undefined;
const daemons: DaemonProcess[] = [];
afterEach(async () => {
  for (const d of daemons.splice(0)) await d.stop('SIGKILL');
  await ws?.cleanup();
  ws = undefined;
});
function start(configPath: string): DaemonProcess {
  const d = startDaemon(configPath);
  daemons.push(d);
  return d;
}

const sendPlan = (id: string) => `---\nid: ${id}\naction: send\nto: ${id}@example.com\nbody: hello ${id}\n---\n`;

/** When the daemon let each rate-limited call go, from its durable ledger. */
async function sendTimes(workspace: Workspace): Promise<number[]> {
  const text = await readFile(path.join(workspace.state, 'rate-limits.jsonl'), 'utf8').catch(() => '');
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => (JSON.parse(line) as { t: number }).t)
    .sort((a, b) => a - b);
}

/** No `per`-long window holds more than `max` sends. */
function expectWithinLimit(times: readonly number[], max: number, perMs: number): void {
  for (let i = max; i < times.length; i += 1) {
    expect((times[i] as number) - (times[i - max] as number)).toBeGreaterThanOrEqual(perMs);
  }
}

function limitedWorkspace(per: string) {
  // No retries at all: a deferral for the rate limit must not need (or spend) one.
  return createWorkspace({
    execution: { maxRetries: 0 },
    actions: { send: { server: 'scripted', tool: 'send', idempotent: false, rateLimit: { max: 2, per } } },
  });
}

describe('daemon: rate limits', () => {
  it('defers the plans over the limit to the next free slot, never failing them, then runs them', async () => {
    ws = await limitedWorkspace('2s');
    for (const id of ['p1', 'p2', 'p3', 'p4', 'p5']) await ws.writePlan(`${id}.md`, sendPlan(id), 'Approved');
    start(ws.configPath);
    const workspace = ws;

    await waitFor(async () => (await workspace.list('Done')).length === 2, 'two plans sent at once');
    const held = await waitFor(async () => {
      for (const name of await workspace.list('In_Progress')) {
        const text = await readFile(path.join(workspace.vault, 'In_Progress', name), 'utf8').catch(() => '');
        if (/^status: deferred$/m.test(text)) return text;
      }
      return undefined;
    }, 'a plan deferred by the limit');
    expect(held).toMatch(/^error: .*rate limit of send reached \(2 per 2s\)/m);
    expect(await ws.calls()).toHaveLength(2);

    await waitFor(async () => (await workspace.list('Done')).length === 5, 'every plan in Done/', 20_000);
    expect(await ws.list('Failed')).toEqual([]);
    expect(await ws.calls()).toHaveLength(5);
    expectWithinLimit(await sendTimes(ws), 2, 2_000);
    const serverSide = (await ws.calls()).map((c) => c.at).sort((a, b) => a - b);
    expect((serverSide[4] as number) - (serverSide[0] as number)).toBeGreaterThan(3_500);
    expect(await ws.readLog()).toMatch(/DEFERRED - plan=p\d status=deferred error_type=rate_limit/);
  });

  it('still counts the calls sent before a restart', async () => {
    ws = await limitedWorkspace('6s');
    for (const id of ['p1', 'p2', 'p3']) await ws.writePlan(`${id}.md`, sendPlan(id), 'Approved');
    const first = start(ws.configPath);
    const workspace = ws;
    await waitFor(async () => (await workspace.list('Done')).length === 2, 'two plans sent');
    await waitFor(async () => {
      const [name] = await workspace.list('In_Progress');
      const text = name ? await readFile(path.join(workspace.vault, 'In_Progress', name), 'utf8').catch(() => '') : '';
      return /^status: deferred$/m.test(text);
    }, 'the third deferred');
    expect(await first.stop('SIGTERM')).toBe(0);

    // Straight after the restart both slots are still taken: nothing may go before the window ends.
    await ws.writePlan('p4.md', sendPlan('p4'), 'Approved');
    start(ws.configPath);
    await waitFor(async () => (await workspace.list('Done')).length === 4, 'every plan in Done/', 20_000);
    expect(await ws.calls()).toHaveLength(4);
    expectWithinLimit(await sendTimes(ws), 2, 6_000);
    // As the server saw it (its clock reads a little after ours: some slack).
    const serverSide = (await ws.calls()).map((c) => c.at).sort((a, b) => a - b);
    expect((serverSide[2] as number) - (serverSide[0] as number)).toBeGreaterThan(5_800);
  });
});
