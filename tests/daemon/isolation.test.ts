/**
 * SPEC §9.6, §9.7: one plan's trouble is that plan's alone, and the daemon's own state survives what
 * sync clients and clean-up scripts do to it. Each case is done to a real daemon, which must keep
 * running, keep starting, and never send a step twice.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdir, readFile, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startDaemon, waitFor, type DaemonProcess } from '../helpers/daemon-process.js';
import { createWorkspace, type Workspace } from '../helpers/workspace.js';

let ws: Workspace | undefined;
let daemon: DaemonProcess | undefined;
const immutable: string[] = [];
afterEach(async () => {
  for (const dir of immutable.splice(0)) execFileSync('chattr', ['-i', dir]);
  await daemon?.stop('SIGKILL');
  daemon = undefined;
  await ws?.cleanup();
  ws = undefined;
});

/** `chattr +i` refuses every change to a folder, even to root: a final folder that cannot be written. */
function canMakeImmutable(): boolean {
  return process.platform === 'linux' && process.getuid?.() === 0 && ['/usr/bin/chattr', '/bin/chattr'].some((file) => existsSync(file));
}

const echoPlan = (id: string) => `---\nid: ${id}\naction: echo\ntext: ${id}\n---\n`;
const slowPlan = (id: string) =>
  `---\nid: ${id}\n---\n## Steps\n- [ ] pay\n  \`\`\`yaml\n  action: act\n  name: ${id}\n  script: ["slow:1500"]\n  \`\`\`\n`;

describe('one plan’s trouble is that plan’s alone', () => {
  it.runIf(canMakeImmutable())('Done/ not writable across a restart: the daemon starts, other work goes on, the plan finishes once Done/ is writable again', async () => {
    const current = (ws = await createWorkspace());
    const done = path.join(current.vault, 'Done');
    await current.writePlan('stuck.md', echoPlan('stuck'), 'Approved');
    await mkdir(done, { recursive: true });
    execFileSync('chattr', ['+i', done]);
    immutable.push(done);
    const first = startDaemon(current.configPath, ['--once']);
    expect(await first.exited).toBe(1);
    expect(await current.list('In_Progress')).toEqual(['stuck.md']);
    // It still cannot be written at the next start: the daemon starts anyway and waits for it.
    daemon = startDaemon(current.configPath);
    await waitFor(() => daemon?.output().includes('watching'), 'the banner');
    await current.writePlan('failing.md', `---\nid: failing\naction: act\nname: failing\nscript: ["fail:validation"]\n---\n`, 'Approved');
    await waitFor(async () => (await current.list('Failed')).includes('failing.md'), 'other plans to go on');
    expect(await current.readLog()).toMatch(/ALERT - .*cannot move|ALERT - .*could not go on with the plan/);
    execFileSync('chattr', ['-i', done]);
    immutable.length = 0;
    await waitFor(async () => (await current.list('Done')).includes('stuck.md'), 'the plan to finish by itself', 30_000);
    expect((await current.calls()).filter((c) => c.tool === 'echo')).toHaveLength(1);
  }, 60_000);

  it.runIf(canMakeImmutable())('its own file not writable mid-run (a failed rewrite): the step is sent once, the plan waits with an ALERT and finishes once writable', async () => {
    const current = (ws = await createWorkspace());
    daemon = startDaemon(current.configPath);
    await current.writePlan('locked-file.md', slowPlan('locked-file'), 'Approved');
    const file = path.join(current.vault, 'In_Progress', 'locked-file.md');
    await waitFor(async () => (await current.calls()).some((c) => c.args.name === 'locked-file'), 'the call to start');
    execFileSync('chattr', ['+i', file]);
    immutable.push(file);
    await waitFor(async () => /ALERT - .*could not go on with the plan/.test(await current.readLog()), 'the ALERT', 30_000);
    expect(await current.list('In_Progress')).toEqual(['locked-file.md']);
    execFileSync('chattr', ['-i', file]);
    immutable.length = 0;
    await waitFor(async () => (await current.list('Done')).includes('locked-file.md'), 'the plan to finish by itself', 30_000);
    expect((await current.calls()).filter((c) => c.args.name === 'locked-file')).toHaveLength(1);
    expect(await readFile(path.join(current.vault, 'Done', 'locked-file.md'), 'utf8')).toMatch(/status: completed/);
  }, 60_000);

  it('Done/ renamed away mid-run: the plan finishes into a new Done/ without a restart, sent once', async () => {
    const current = (ws = await createWorkspace());
    daemon = startDaemon(current.configPath);
    await current.writePlan('renamed.md', slowPlan('renamed'), 'Approved');
    await waitFor(async () => (await current.calls()).some((c) => c.args.name === 'renamed'), 'the call to start');
    await rename(path.join(current.vault, 'Done'), path.join(current.dir, 'Done-elsewhere'));
    await waitFor(async () => (await current.list('Done')).includes('renamed.md'), 'the plan in a new Done/', 30_000);
    expect((await current.calls()).filter((c) => c.args.name === 'renamed')).toHaveLength(1);
    expect(daemon.child.exitCode).toBeNull();
  }, 60_000);

  it('a plan file the daemon cannot read: left in Approved/ with an ALERT, the daemon starts and goes on, and runs it once readable', async () => {
    const current = (ws = await createWorkspace());
    // Root reads every file, so as root the daemon runs as `nobody` and the file belongs to root.
    const asRoot = process.getuid?.() === 0;
    const nobody = { uid: 65534, gid: 65534 };
    const locked = await current.writePlan('locked.md', echoPlan('locked'), 'Approved');
    await current.writePlan('other.md', echoPlan('other'), 'Approved');
    if (asRoot) execFileSync('chown', ['-R', `${nobody.uid}:${nobody.gid}`, current.dir]);
    if (asRoot) execFileSync('chown', ['0:0', locked]);
    await chmod(locked, 0o600);
    if (!asRoot) await chmod(locked, 0o000);
    const user = asRoot ? nobody : undefined;
    daemon = startDaemon(current.configPath, [], {}, user);
    await waitFor(async () => (await current.list('Done')).includes('other.md'), 'the readable plan to run');
    await waitFor(async () => /ALERT - .*cannot claim Approved\/locked\.md, left where it is/.test(await current.readLog()), 'the ALERT');
    expect(await current.list('Approved')).toEqual(['locked.md']);
    // Still unreadable at the next start: the daemon starts anyway.
    expect(await daemon.stop('SIGTERM')).toBe(0);
    daemon = startDaemon(current.configPath, [], {}, user);
    await waitFor(() => daemon?.output().includes('watching'), 'the banner');
    expect(await current.list('Approved')).toEqual(['locked.md']);
    // One change makes it readable (the daemon may take it the moment it is): the owner as root, the mode otherwise.
    if (asRoot) execFileSync('chown', [`${nobody.uid}:${nobody.gid}`, locked]);
    else await chmod(locked, 0o644);
    await waitFor(async () => (await current.list('Done')).includes('locked.md'), 'the plan to run once readable, without a restart');
    expect((await current.calls()).map((c) => c.args.text).sort()).toEqual(['locked', 'other']);
    expect(daemon.child.exitCode).toBeNull();
  }, 60_000);

  it('a plan whose file name is 251 bytes long finishes like any other', async () => {
    const current = (ws = await createWorkspace());
    const name = `${'n'.repeat(248)}.md`;
    expect(Buffer.byteLength(name)).toBe(251);
    await current.writePlan(name, echoPlan('long-name'), 'Approved');
    const run = startDaemon(current.configPath, ['--once']);
    expect(await run.exited, run.output()).toBe(0);
    expect(await current.list('Done')).toEqual([name]);
    expect(await readFile(path.join(current.vault, 'Done', name), 'utf8')).toMatch(/^status: completed$/m);
  });
});

describe('the daemon’s own state', () => {
  it('is private, outside the vault: the journal is mode 0600 in a 0700 folder', async () => {
    const current = (ws = await createWorkspace());
    await current.writePlan('p.md', echoPlan('p'), 'Approved');
    expect(await startDaemon(current.configPath, ['--once']).exited).toBe(0);
    expect((await stat(current.state)).mode & 0o777).toBe(0o700);
    expect((await stat(path.join(current.state, 'journal.jsonl'))).mode & 0o777).toBe(0o600);
    await expect(stat(path.join(current.vault, '.orchestrator'))).rejects.toThrow(/ENOENT/);
  });

  it('the journal deleted mid-call is written back at once: after a SIGKILL the unknown outcome goes to review, not a second send', async () => {
    const current = (ws = await createWorkspace());
    await current.writePlan('pay.md', slowPlan('pay'), 'Approved');
    daemon = startDaemon(current.configPath);
    await waitFor(async () => (await current.calls()).length === 1, 'the call to be under way');
    const journal = path.join(current.state, 'journal.jsonl');
    await rm(journal); // a sync client or a clean-up script
    await waitFor(async () => (await readFile(journal, 'utf8').catch(() => '')).includes('"type":"intent"'), 'the journal to be written back');
    await daemon.stop('SIGKILL');
    const again = startDaemon(current.configPath, ['--once']);
    expect(await again.exited, again.output()).toBe(1);
    expect(await current.list('Needs_Review')).toEqual(['pay.md']);
    expect(await current.calls()).toHaveLength(1);
    expect(await current.readLog()).toMatch(/ALERT - .*journal .* was deleted while the daemon ran/);
  });

  it('the whole state folder deleted: a second daemon is still refused, and the first goes on', async () => {
    const current = (ws = await createWorkspace());
    await current.writePlan('pay.md', slowPlan('pay'), 'Approved');
    daemon = startDaemon(current.configPath);
    await waitFor(async () => (await current.calls()).length === 1, 'the call to be under way');
    // The daemon may write into it while rm walks it (ENOTEMPTY): rm retries, as a clean-up script would be run again.
    await rm(current.state, { recursive: true, force: true, maxRetries: 10, retryDelay: 20 });
    const second = startDaemon(current.configPath, ['--once']);
    expect(await second.exited).toBe(1);
    expect(second.output()).toMatch(/Another daemon already runs on this vault \(pid \d+/);
    const first = daemon;
    await waitFor(async () => (await current.list('Done')).includes('pay.md'), 'the first daemon to finish the plan');
    expect(await current.calls()).toHaveLength(1);
    expect(await first.stop('SIGTERM')).toBe(0);
  });

  it('a journal from an older version inside the vault is moved into the private state and keeps its plans', async () => {
    const current = (ws = await createWorkspace());
    await current.writePlan('held.md', slowPlan('held'), 'Approved');
    daemon = startDaemon(current.configPath);
    await waitFor(async () => (await current.calls()).length === 1, 'the call to be under way');
    await daemon.stop('SIGKILL');
    // What an earlier version left: the journal in <vault>/.orchestrator/.
    const legacy = path.join(current.vault, '.orchestrator');
    await mkdir(legacy, { recursive: true });
    await rename(path.join(current.state, 'journal.jsonl'), path.join(legacy, 'journal.jsonl'));
    const again = startDaemon(current.configPath, ['--once']);
    expect(await again.exited).toBe(1);
    expect(await current.list('Needs_Review')).toEqual(['held.md']); // the unknown outcome was remembered
    expect(await current.calls()).toHaveLength(1);
  });
});
