/**
 * An answer that arrived before its deadline is never read as a timeout, however late the daemon looks
 * at it (SPEC §7, issue 12). Two steps are under way with 1.5 s deadlines; their answers come after
 * 0.4 s, while the daemon is stopped (SIGSTOP) for 3.5 s, so they wait in the pipe past both deadlines.
 * After SIGCONT both steps succeed: nothing is sent again, nothing goes to review.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startDaemon, waitFor, type DaemonProcess } from '../helpers/daemon-process.js';
import { createWorkspace, type Workspace } from '../helpers/workspace.js';

let ws: Workspace | undefined;
let daemon: DaemonProcess | undefined;
afterEach(async () => {
  if (daemon?.child.pid !== undefined && daemon.child.exitCode === null) daemon.child.kill('SIGCONT');
  await daemon?.stop();
  await ws?.cleanup();
  ws = undefined;
  daemon = undefined;
});

const PLAN = [
  '---',
  'id: paused',
  'mode: parallel',
  '---',
  '## Steps',
  '- [ ] pay',
  '  ```yaml',
  '  action: act',
  '  name: pay',
  '  script: ["slow:400"]',
  '  timeout_ms: 1500',
  '  ```',
  '- [ ] look up',
  '  ```yaml',
  '  action: act_idempotent',
  '  name: lookup',
  '  script: ["slow:400"]',
  '  timeout_ms: 1500',
  '  ```',
  '',
].join('\n');

describe('a daemon paused while answers wait in the pipe', () => {
  it('reads both answers as the successes they were: none sent again, none to review', async () => {
    ws = await createWorkspace();
    const current = ws;
    await current.writePlan('paused.md', PLAN, 'Approved');
    daemon = startDaemon(current.configPath);
    const pid = daemon.child.pid as number;
    await waitFor(async () => (await current.calls()).length >= 2, 'both calls to reach the server');
    process.kill(pid, 'SIGSTOP');
    // The pause is the point of the test: longer than both deadlines, while both answers arrive.
    await new Promise((resolve) => setTimeout(resolve, 3_500));
    process.kill(pid, 'SIGCONT');
    await waitFor(async () => (await current.list('Done')).length + (await current.list('Needs_Review')).length + (await current.list('Failed')).length > 0, 'the plan to settle');
    const log = await current.readLog();
    expect(await current.list('Done'), log).toEqual(['paused.md']);
    expect(await current.list('Needs_Review')).toEqual([]);
    expect((await current.calls()).map((call) => call.args.name).sort()).toEqual(['lookup', 'pay']);
    expect(log).not.toMatch(/RETRY|FAILED/);
    expect(await readFile(path.join(current.vault, 'Done', 'paused.md'), 'utf8')).toMatch(/^status: completed$/m);
  }, 30_000);
});
