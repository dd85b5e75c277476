/** The bounds of SPEC §7: a server's `maxConcurrency` and `execution.maxConcurrentPlans`, seen from the server. */
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { startDaemon, waitFor } from '../helpers/daemon-process.js';
import { createWorkspace, type Workspace } from '../helpers/workspace.js';

let ws: Workspace | undefined;
afterEach(async () => {
  await ws?.cleanup();
  ws = undefined;
});

const SLOW_MS = 300;
const slowStep = (name: string) => ['  ```yaml', '  action: act', `  name: ${name}`, `  script: ["slow:${SLOW_MS}"]`, '  ```'];

/** Call receipt times, in order: with a bound of 1, each call arrives only after the previous one ended. */
function gaps(times: number[]): number[] {
  const sorted = [...times].sort((a, b) => a - b);
  return sorted.slice(1).map((t, i) => t - (sorted[i] as number));
}

describe('concurrency bounds', () => {
  it('a server with maxConcurrency 1 gets the independent steps of a parallel plan one at a time', async () => {
    ws = await createWorkspace({ serverOptions: { maxConcurrency: 1 } });
    const plan = ['---', 'id: bounded', 'mode: parallel', '---', '## Steps'];
    for (const name of ['a', 'b', 'c']) plan.push(`- [ ] ${name}`, ...slowStep(name));
    const file = await ws.writePlan('bounded.md', `${plan.join('\n')}\n`);
    expect((await runCli(['--config', ws.configPath, 'run', file])).code).toBe(0);
    const times = (await ws.calls()).map((c) => c.at);
    expect(times).toHaveLength(3);
    for (const gap of gaps(times)) expect(gap).toBeGreaterThanOrEqual(SLOW_MS - 5);
  });

  it('execution.maxConcurrentPlans 1 runs one plan at a time', async () => {
    ws = await createWorkspace({ execution: { maxConcurrentPlans: 1 }, daemon: { stabilityMs: 0 } });
    for (const name of ['p1', 'p2', 'p3']) {
      await ws.writePlan(`${name}.md`, ['---', `id: ${name}`, '---', '## Steps', `- [ ] ${name}`, ...slowStep(name), ''].join('\n'), 'Approved');
    }
    const daemon = startDaemon(ws.configPath, ['--once']);
    expect(await daemon.exited, daemon.output()).toBe(0);
    const workspace = ws;
    expect(await waitFor(async () => (await workspace.list('Done')).length === 3 && true, 'three plans in Done/')).toBe(true);
    for (const gap of gaps((await ws.calls()).map((c) => c.at))) expect(gap).toBeGreaterThanOrEqual(SLOW_MS - 5);
  });
});
