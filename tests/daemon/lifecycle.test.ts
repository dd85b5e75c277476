/** Single instance, graceful SIGTERM, --once, invalid plans to Failed/, deferral across a restart. */
import { readFile, rename } from 'node:fs/promises';
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
function start(configPath: string, args: string[] = []): DaemonProcess {
  const d = startDaemon(configPath, args);
  daemons.push(d);
  return d;
}

const actPlan = (id: string, script: string[], extra = '') =>
  `---\nid: ${id}\naction: act\nname: ${id}\nscript: ${JSON.stringify(script)}\n${extra}---\nBody of ${id}.\n`;

describe('daemon lifecycle', () => {
  it('refuses to start a second daemon on the same vault', async () => {
    ws = await createWorkspace();
    const first = start(ws.configPath);
    await waitFor(() => first.output().includes('watching'), 'the first banner');
    const second = start(ws.configPath);
    expect(await second.exited).not.toBe(0);
    expect(second.output()).toMatch(/already run/i);
    expect(first.child.exitCode).toBeNull();
  });

  it('on SIGTERM mid-call, lets the call finish, records it, and exits 0', async () => {
    ws = await createWorkspace();
    await ws.writePlan('slow.md', actPlan('slow', ['slow:1500']), 'Approved');
    const daemon = start(ws.configPath);
    const workspace = ws;
    await waitFor(async () => (await workspace.calls()).length === 1, 'the call to arrive');
    daemon.child.kill('SIGTERM');
    expect(await daemon.exited).toBe(0);
    expect(await ws.list('Done')).toEqual(['slow.md']);
    expect(await ws.readLog()).toMatch(/SUCCESS - scripted\.act .*plan=slow/);
  });

  it('--once processes what is waiting, sends invalid plans to Failed/ with every problem, says so and exits 1', async () => {
    ws = await createWorkspace();
    await ws.writePlan('good.md', `---\nid: good\naction: echo\ntext: fine\n---\n`, 'Approved');
    const bad = '---\nid: bad\nstatus: rejected\n---\n## Steps\n- [ ] x\n  - action: nope\n';
    await ws.writePlan('bad.md', bad, 'Approved');
    const daemon = start(ws.configPath, ['--once']);
    expect(await daemon.exited).toBe(1);
    expect(daemon.output()).toContain('daemon --once: 2 plans: 1 in Done/, 1 in Failed/');
    expect(await ws.list('Done')).toEqual(['good.md']);
    expect(await ws.list('Failed')).toEqual(['bad.md']);
    const failed = await readFile(path.join(ws.vault, 'Failed', 'bad.md'), 'utf8');
    // A human's `rejected` is never written over (SPEC §7): the outcome is in failed_at and error.
    expect(failed).toMatch(/^status: rejected$/m);
    expect(failed).toMatch(/^failed_at: /m);
    expect(failed).toMatch(/nope/);
    expect(failed).toMatch(/rejected/);
    expect((await ws.calls()).map((c) => c.tool)).toEqual(['echo']);
  });

  it('keeps a deferred plan until its retry_at, also across a restart, then runs it', async () => {
    ws = await createWorkspace();
    const plan = [
      '---',
      'id: limited',
      '---',
      '## Steps',
      '- [ ] add',
      '  ```yaml',
      '  id: sum',
      '  action: add',
      '  a: 2',
      '  b: 3',
      '  ```',
      '- [ ] limited',
      '  ```yaml',
      '  action: act',
      '  name: limited',
      '  script: ["fail:rate_limit:2500", "ok"]',
      '  text: "sum {{ steps.sum.structured.sum }}"',
      '  retries: 0',
      '  ```',
      '',
    ].join('\n');
    await ws.writePlan('limited.md', plan, 'Approved');
    const first = start(ws.configPath);
    const workspace = ws;
    const file = path.join(ws.vault, 'In_Progress', 'limited.md');
    const retryAt = await waitFor(async () => {
      const text = await readFile(file, 'utf8').catch(() => '');
      const match = /^retry_at: "?([^"\n]+)"?$/m.exec(text);
      return /^status: deferred$/m.test(text) && match ? new Date(match[1] as string).getTime() : undefined;
    }, 'the plan to be deferred');
    expect(await first.stop('SIGTERM')).toBe(0);
    expect(await ws.list('In_Progress')).toEqual(['limited.md']);
    start(ws.configPath);
    await waitFor(async () => (await workspace.list('Done')).includes('limited.md'), 'the plan in Done/', 30_000);
    const calls = (await ws.calls()).filter((c) => c.tool === 'act');
    expect(calls).toHaveLength(2);
    expect(calls[1]?.at ?? 0).toBeGreaterThanOrEqual(retryAt);
    // The step done before the deferral was not sent again, and its result still fed the template.
    expect((await ws.calls()).filter((c) => c.tool === 'add')).toHaveLength(1);
    expect(calls[1]?.args.text).toBe('sum 5');
  });

  it('keeps its journal small over a long run: finished plans are compacted away while it runs', async () => {
    ws = await createWorkspace({ daemon: { journalMaxBytes: 4_000 } });
    const daemon = start(ws.configPath);
    await waitFor(() => daemon.output().includes('watching'), 'the banner');
    for (let i = 0; i < 30; i += 1) await ws.writePlan(`p${i}.md`, `---\nid: p${i}\naction: echo\ntext: number ${i}\n---\n`, 'Approved');
    const workspace = ws;
    await waitFor(async () => (await workspace.list('Done')).length === 30, '30 plans in Done/', 30_000);
    const journal = path.join(ws.state, 'journal.jsonl');
    const size = (await readFile(journal)).length;
    // 30 plans of 4 records each would be well over 20 kB; compaction keeps it near the threshold.
    expect(size).toBeLessThan(8_000);
    expect(await daemon.stop('SIGTERM')).toBe(0);
    expect((await ws.calls()).length).toBe(30);
  });

  it('re-runs a failed plan moved back to Approved/, skipping the steps already ticked', async () => {
    ws = await createWorkspace();
    const plan = [
      '---',
      'id: again',
      '---',
      '## Steps',
      '- [ ] one',
      '  ```yaml',
      '  action: act',
      '  name: one',
      '  script: ["ok"]',
      '  ```',
      '- [ ] two',
      '  ```yaml',
      '  action: act',
      '  name: two',
      '  script: ["fail:tool_error", "ok"]',
      '  ```',
      '',
    ].join('\n');
    await ws.writePlan('again.md', plan, 'Approved');
    const daemon = start(ws.configPath);
    const workspace = ws;
    await waitFor(async () => (await workspace.list('Failed')).includes('again.md'), 'the plan in Failed/');
    expect(await readFile(path.join(ws.vault, 'Failed', 'again.md'), 'utf8')).toContain('- [x] one');
    await rename(path.join(ws.vault, 'Failed', 'again.md'), path.join(ws.vault, 'Approved', 'again.md'));
    await waitFor(async () => (await workspace.list('Done')).includes('again.md'), 'the plan in Done/');
    const names = (await ws.calls()).map((c) => c.args.name);
    expect(names).toEqual(['one', 'two', 'two']);
    expect(await daemon.stop('SIGTERM')).toBe(0);
  });

  it('refuses a second daemon before it binds its metrics port', async () => {
    ws = await createWorkspace();
    const first = start(ws.configPath, ['--metrics-port', '0']);
    await waitFor(() => first.output().includes('watching'), 'the first banner');
    const second = start(ws.configPath, ['--metrics-port', '0']);
    expect(await second.exited).toBe(1);
    expect(second.output()).toMatch(/already run/i);
    expect(second.output()).not.toMatch(/metrics:/);
  });
});
