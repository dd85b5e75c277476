/**
 * SPEC §4, §9 (trust under disturbance): people move, edit and delete plans while the daemon runs them,
 * and while it is down. Never two runs of one plan, never a step sent twice, never a plan recreated or
 * a human's edit lost, and the daemon always starts again.
 */
import { appendFile, readFile, rename, rm } from 'node:fs/promises';
import path from 'node:path';
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

/** Step 1 (`first`, not idempotent) follows `firstScript`; step 2 (`second`) answers at once. */
function twoSteps(id: string, firstScript: string[]): string {
  return [
    '---',
    `id: ${id}`,
    '---',
    '## Steps',
    '- [ ] first',
    '  ```yaml',
    '  action: act',
    `  name: ${id}-first`,
    `  script: ${JSON.stringify(firstScript)}`,
    '  ```',
    '- [ ] second',
    '  ```yaml',
    '  action: act',
    `  name: ${id}-second`,
    '  script: ["ok"]',
    '  ```',
    '',
  ].join('\n');
}

async function callsOf(current: Workspace, name: string): Promise<number> {
  return (await current.calls()).filter((c) => c.args.name === name).length;
}

/** Every plan file of the vault's folders, as `Folder/name`. */
async function everywhere(current: Workspace): Promise<string[]> {
  const found: string[] = [];
  for (const folder of ['Approved', 'In_Progress', 'Done', 'Failed', 'Needs_Review', 'Plans']) {
    for (const name of await current.list(folder)) found.push(`${folder}/${name}`);
  }
  return found;
}

describe('a human moves or edits a plan while the daemon runs it', () => {
  it('moved back to Approved/ mid-call: the call is sent once, the run stops, the re-approval finishes it; one file in Done/', async () => {
    const current = (ws = await createWorkspace());
    await current.writePlan('p.md', twoSteps('p', ['slow:1500']), 'Approved');
    daemon = startDaemon(current.configPath);
    await waitFor(async () => (await callsOf(current, 'p-first')) === 1, 'step 1 to be under way');
    await rename(path.join(current.vault, 'In_Progress', 'p.md'), path.join(current.vault, 'Approved', 'p.md'));
    await waitFor(async () => (await current.list('Done')).length > 0, 'the plan to finish');
    await waitFor(async () => (await everywhere(current)).length === 1 && (await current.list('Done')).length === 1, 'nothing left elsewhere');
    expect(await everywhere(current)).toEqual(['Done/p.md']);
    expect(await callsOf(current, 'p-first')).toBe(1);
    expect(await callsOf(current, 'p-second')).toBe(1);
    const done = await readFile(path.join(current.vault, 'Done', 'p.md'), 'utf8');
    expect(done).toMatch(/^status: completed$/m);
    expect(done).toMatch(/- \[x\] first/);
    expect(done).toMatch(/- \[x\] second/);
  });

  it('deleted mid-call: the call finishes and is recorded, no further step starts, the file is never recreated', async () => {
    const current = (ws = await createWorkspace());
    await current.writePlan('gone.md', twoSteps('gone', ['slow:1000']), 'Approved');
    daemon = startDaemon(current.configPath);
    await waitFor(async () => (await callsOf(current, 'gone-first')) === 1, 'step 1 to be under way');
    await rm(path.join(current.vault, 'In_Progress', 'gone.md'));
    await waitFor(async () => (await current.readLog()).includes('left in In_Progress/ for the next start: its file was moved or deleted'), 'the run to stop');
    // The daemon is still up and takes new work; the deleted plan stays deleted.
    await current.writePlan('next.md', `---\nid: next\naction: echo\ntext: hi\n---\n`, 'Approved');
    await waitFor(async () => (await current.list('Done')).includes('next.md'), 'the next plan');
    expect(await everywhere(current)).toEqual(['Done/next.md']);
    expect(await callsOf(current, 'gone-second')).toBe(0);
    expect(await current.readLog()).toMatch(/SUCCESS - scripted\.act plan=gone step=1/);
  });

  it('a note a human adds to a running plan is kept; the daemon changes only its own fields and the Execution Log', async () => {
    const current = (ws = await createWorkspace());
    await current.writePlan('edit.md', twoSteps('edit', ['slow:1000']), 'Approved');
    daemon = startDaemon(current.configPath);
    await waitFor(async () => (await callsOf(current, 'edit-first')) === 1, 'step 1 to be under way');
    await appendFile(path.join(current.vault, 'In_Progress', 'edit.md'), '\nNote from a human: the client asked for this.\n');
    await waitFor(async () => (await current.list('Done')).includes('edit.md'), 'the plan to finish');
    const done = await readFile(path.join(current.vault, 'Done', 'edit.md'), 'utf8');
    expect(done).toContain('Note from a human: the client asked for this.');
    expect(done).toMatch(/- \[x\] second/);
  });
});

describe('a human moves a plan while the daemon is down', () => {
  it('after a SIGKILL mid-call, moved back to Approved/: the daemon starts again and sends it to review, not a second send', async () => {
    const current = (ws = await createWorkspace());
    await current.writePlan('pay.md', twoSteps('pay', ['killparent', 'ok']), 'Approved');
    const first = startDaemon(current.configPath);
    expect(await first.exited).toBe('SIGKILL');
    await rename(path.join(current.vault, 'In_Progress', 'pay.md'), path.join(current.vault, 'Approved', 'pay.md'));
    await current.writePlan('later.md', `---\nid: later\naction: echo\ntext: hi\n---\n`, 'Approved');
    const again = startDaemon(current.configPath, ['--once']);
    expect(await again.exited, again.output()).toBe(1); // one plan needs review
    expect(again.output()).toContain('1 in Done/, 1 in Needs_Review/');
    expect(await everywhere(current)).toEqual(['Done/later.md', 'Needs_Review/pay.md']);
    expect(await callsOf(current, 'pay-first')).toBe(1);
    expect(await callsOf(current, 'pay-second')).toBe(0);
    expect(await readFile(path.join(current.vault, 'Needs_Review', 'pay.md'), 'utf8')).toMatch(/^error: .*step 1 .*not idempotent, so it was not sent again/m);
  });

  it('after a SIGKILL mid-call, a detour through Plans/ and a restart, then approved again: still review, still one send', async () => {
    const current = (ws = await createWorkspace());
    await current.writePlan('pay.md', twoSteps('pay', ['killparent', 'ok']), 'Approved');
    const first = startDaemon(current.configPath);
    expect(await first.exited).toBe('SIGKILL');
    await rename(path.join(current.vault, 'In_Progress', 'pay.md'), path.join(current.vault, 'Plans', 'pay.md'));
    const idle = startDaemon(current.configPath, ['--once']);
    expect(await idle.exited, idle.output()).toBe(0);
    await rename(path.join(current.vault, 'Plans', 'pay.md'), path.join(current.vault, 'Approved', 'pay.md'));
    const last = startDaemon(current.configPath, ['--once']);
    expect(await last.exited, last.output()).toBe(1);
    expect(await everywhere(current)).toEqual(['Needs_Review/pay.md']);
    expect(await callsOf(current, 'pay-first')).toBe(1);
    expect(await callsOf(current, 'pay-second')).toBe(0);
  });

  it('a reviewed plan a human ticks and approves again goes on with the rest, not sending the ticked step', async () => {
    const current = (ws = await createWorkspace());
    await current.writePlan('pay.md', twoSteps('pay', ['killparent', 'ok']), 'Approved');
    expect(await startDaemon(current.configPath).exited).toBe('SIGKILL');
    expect(await startDaemon(current.configPath, ['--once']).exited).toBe(1);
    const reviewed = path.join(current.vault, 'Needs_Review', 'pay.md');
    const text = await readFile(reviewed, 'utf8');
    await current.writePlan('pay.md', text.replace('- [ ] first', '- [x] first'), 'Approved'); // "it went out"
    await rm(reviewed);
    const again = startDaemon(current.configPath, ['--once']);
    expect(await again.exited, again.output()).toBe(0);
    expect(await everywhere(current)).toEqual(['Done/pay.md']);
    expect(await callsOf(current, 'pay-first')).toBe(1);
    expect(await callsOf(current, 'pay-second')).toBe(1);
  });
});

describe('a reused plan id is a new approval; the same file moved back is the same one', () => {
  it('two approvals of the same id each send, with different idempotency keys; a completed plan moved back runs anew', async () => {
    const current = (ws = await createWorkspace());
    const plan = `---\nid: weekly-report\naction: send\nto: team@example.com\nbody: hello\n---\n`;
    await current.writePlan('weekly.md', plan, 'Approved');
    expect(await startDaemon(current.configPath, ['--once']).exited).toBe(0);
    await current.writePlan('weekly-again.md', plan, 'Approved'); // next week: the same id, a new file
    expect(await startDaemon(current.configPath, ['--once']).exited).toBe(0);
    await rename(path.join(current.vault, 'Done', 'weekly.md'), path.join(current.vault, 'Approved', 'weekly.md')); // "run it again"
    expect(await startDaemon(current.configPath, ['--once']).exited).toBe(0);
    const sends = (await current.calls()).filter((c) => c.tool === 'send');
    expect(sends).toHaveLength(3);
    expect(new Set(sends.map((c) => c.args.idempotency_key)).size).toBe(3);
  });
});
