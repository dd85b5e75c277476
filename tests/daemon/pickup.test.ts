/** The daemon picks up approved plans: renamed in, written in place slowly, present at start, many at once. */
import { open, rename } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startDaemon, waitFor, type DaemonProcess } from '../helpers/daemon-process.js';
import { createWorkspace, type Workspace } from '../helpers/workspace.js';

let ws: Workspace | undefined;
let daemon: DaemonProcess | undefined;
afterEach(async () => {
  await daemon?.stop('SIGKILL');
  await ws?.cleanup();
  daemon = undefined;
  ws = undefined;
});

const echoPlan = (id: string, text = `hello ${id}`) => `---\nid: ${id}\naction: echo\ntext: ${text}\n---\nPlan ${id}.\n`;

describe('daemon pickup', () => {
  it('claims a plan renamed into Approved/, runs it and moves it to Done/ with the file updated', async () => {
    ws = await createWorkspace();
    daemon = startDaemon(ws.configPath);
    await waitFor(() => daemon?.output().includes('watching'), 'the banner');
    expect(daemon.output()).toContain(ws.vault);
    const draft = await ws.writePlan('renamed.md', echoPlan('renamed'));
    await rename(draft, path.join(ws.vault, 'Approved', 'renamed.md'));
    const workspace = ws;
    await waitFor(async () => (await workspace.list('Done')).includes('renamed.md'), 'the plan in Done/');
    const calls = await ws.calls();
    expect(calls.map((c) => c.args.text)).toEqual(['hello renamed']);
    expect(await ws.list('Approved')).toEqual([]);
    expect(await ws.list('In_Progress')).toEqual([]);
    const log = await ws.readLog();
    expect(log).toMatch(/CLAIM - .*plan=renamed/);
    expect(log).toMatch(/DONE - .*plan=renamed/);
  });

  it('makes no call for a plan written a few bytes at a time until it is complete', async () => {
    ws = await createWorkspace({ daemon: { stabilityMs: 1_000 } });
    daemon = startDaemon(ws.configPath);
    await waitFor(() => daemon?.output().includes('watching'), 'the banner');
    const text = echoPlan('slow', 'the complete text');
    const handle = await open(path.join(ws.vault, 'Approved', 'slow.md'), 'w');
    for (let i = 0; i < text.length; i += 8) {
      await handle.write(text.slice(i, i + 8));
      await handle.sync();
      expect(await ws.calls()).toEqual([]);
      await new Promise((resolve) => setTimeout(resolve, 40));
    }
    await handle.close();
    const workspace = ws;
    await waitFor(async () => (await workspace.list('Done')).includes('slow.md'), 'the plan in Done/');
    expect((await ws.calls()).map((c) => c.args.text)).toEqual(['the complete text']);
  });

  it('a writer that pauses mid-file longer than any window: nothing runs until it closes the file', async () => {
    // The default 300 ms window: a timing rule alone would take the first half for the whole plan.
    ws = await createWorkspace();
    daemon = startDaemon(ws.configPath);
    await waitFor(() => daemon?.output().includes('watching'), 'the banner');
    const first = '---\nid: halves\n---\n## Steps\n- [ ] say the first half\n  - action: echo\n  - text: first\n';
    const second = '- [ ] say the second half\n  - action: echo\n  - text: second\n';
    const file = path.join(ws.vault, 'Approved', 'halves.md');
    const handle = await open(file, 'w');
    await handle.write(first); // a whole plan by itself
    await handle.sync();
    const workspace = ws;
    // The writer pauses with the file open, well past the window: the daemon waits for it (it scans twice a second meanwhile).
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(await workspace.calls()).toEqual([]);
    expect(await workspace.list('Approved')).toEqual(['halves.md']);
    await handle.write(second);
    await handle.close();
    await waitFor(async () => (await workspace.list('Done')).includes('halves.md'), 'the plan in Done/');
    expect((await ws.calls()).map((c) => c.args.text)).toEqual(['first', 'second']);
  });

  it('a plan written and renamed into Approved/ at once is claimed without waiting for a window', async () => {
    ws = await createWorkspace({ daemon: { stabilityMs: 60_000 } });
    daemon = startDaemon(ws.configPath);
    await waitFor(() => daemon?.output().includes('watching'), 'the banner');
    const draft = await ws.writePlan('quick.md', echoPlan('quick'));
    await rename(draft, path.join(ws.vault, 'Approved', 'quick.md'));
    const workspace = ws;
    // A minute-long window would hold it for a minute; the rename proves it complete.
    await waitFor(async () => (await workspace.list('Done')).includes('quick.md'), 'the plan in Done/', 15_000);
  });

  it('runs 50 plans present before start and 50 dropped while running, each step exactly once', async () => {
    ws = await createWorkspace({ execution: { maxConcurrentPlans: 8 } });
    for (let i = 0; i < 50; i += 1) await ws.writePlan(`before-${i}.md`, echoPlan(`before-${i}`), 'Approved');
    daemon = startDaemon(ws.configPath);
    for (let i = 0; i < 50; i += 1) {
      const draft = await ws.writePlan(`during-${i}.md`, echoPlan(`during-${i}`));
      await rename(draft, path.join(ws.vault, 'Approved', `during-${i}.md`));
    }
    const workspace = ws;
    await waitFor(async () => (await workspace.list('Done')).length === 100, '100 plans in Done/', 60_000);
    const texts = (await ws.calls()).map((c) => c.args.text as string).sort();
    expect(texts).toHaveLength(100);
    expect(new Set(texts).size).toBe(100);
    expect(await ws.list('Failed')).toEqual([]);
    expect(await ws.list('In_Progress')).toEqual([]);
  });
});
