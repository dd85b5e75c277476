/**
 * SPEC §9.6: Ctrl-C (SIGINT to the whole process group), `systemctl stop`, PM2 and a kill of
 * `npm run daemon` all let the call in flight finish and leave no process behind; no stdio server is
 * cut off by a signal meant for the daemon.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BIN, startDaemon, waitFor } from '../helpers/daemon-process.js';
import { REPO_ROOT } from '../helpers/stdio-client.js';
import { createWorkspace, type Workspace } from '../helpers/workspace.js';

let ws: Workspace | undefined;
const children: ChildProcess[] = [];
afterEach(async () => {
  for (const child of children.splice(0)) {
    if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
    }
  }
  await ws?.cleanup();
  ws = undefined;
});

const slowPlan = (id: string) =>
  `---\nid: ${id}\n---\n## Steps\n- [ ] pay\n  \`\`\`yaml\n  action: act\n  name: ${id}\n  script: ["slow:1500"]\n  \`\`\`\n`;

function spawned(command: string, args: string[], env: Record<string, string>): { child: ChildProcess; output: () => string; exited: Promise<number | string> } {
  // detached: the child leads a process group of its own, as a shell job in a terminal does.
  const child = spawn(command, args, { cwd: REPO_ROOT, env: { ...process.env, ...env }, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | string>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')));
  return { child, output: () => output, exited };
}

/** Is a process with this pid alive (zombies of ours excluded)? */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  return !/^State:\s+Z/m.test(readFileSyncSafe(`/proc/${pid}/status`));
}

function readFileSyncSafe(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

describe('stopping the daemon', () => {
  it('Ctrl-C (SIGINT to the whole process group) lets the call in flight finish: Done/, exit 0, no server left', async () => {
    const current = (ws = await createWorkspace());
    await current.writePlan('pay.md', slowPlan('pay'), 'Approved');
    const daemon = spawned(process.execPath, [BIN, 'daemon', '--config', current.configPath], {});
    await waitFor(async () => (await current.calls()).length === 1, 'the call to be under way');
    const serverPid = (await current.calls())[0]?.pid as number;
    process.kill(-(daemon.child.pid as number), 'SIGINT'); // what the terminal does on Ctrl-C
    expect(await daemon.exited, daemon.output()).toBe(0);
    expect(await current.list('Done')).toEqual(['pay.md']);
    expect(await current.list('Needs_Review')).toEqual([]);
    expect(await readFile(path.join(current.vault, 'Done', 'pay.md'), 'utf8')).toMatch(/^status: completed$/m);
    await waitFor(() => !alive(serverPid), 'the server to have stopped with the daemon', 10_000);
  });

  it('killing `npm run daemon` (SIGTERM, or SIGKILL that npm cannot pass on) leaves no daemon behind', async () => {
    const current = (ws = await createWorkspace());
    for (const signal of ['SIGTERM', 'SIGKILL'] as const) {
      const npm = spawned('npm', ['run', 'daemon', '--silent'], { ORCHESTRATOR_CONFIG: current.configPath });
      await waitFor(() => npm.output().includes('watching'), `the banner (${signal})`, 60_000);
      npm.child.kill(signal); // npm itself, not its group
      await npm.exited;
      // The vault is free again: a second daemon starts and finishes at once (the first one is gone).
      await waitFor(async () => {
        const next = startDaemon(current.configPath, ['--once']);
        return (await next.exited) === 0;
      }, `the first daemon to be gone after npm got ${signal}`, 20_000);
    }
  });
});
