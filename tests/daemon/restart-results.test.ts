/**
 * SPEC §9.8: a restart changes nothing a later step sees. Step 1 reads a 216 KB note (the bundled
 * vault-watcher), step 3 passes `{{ steps.r.text }}` on; the daemon is SIGKILLed right after step 1's
 * outcome, or stopped with SIGTERM while step 2 runs, and started again. Step 3 must receive exactly
 * what it receives without any restart — and where the result was larger than the orchestrator keeps
 * (`execution.maxResultBytes`), it fails with a clear error in every case, never passing cut text on.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startDaemon, waitFor } from '../helpers/daemon-process.js';
import { builtPath } from '../helpers/stdio-client.js';
import { createWorkspace, type Workspace } from '../helpers/workspace.js';

const NOTE_BYTES = 216 * 1024;
let ws: Workspace | undefined;
afterEach(async () => {
  await ws?.cleanup();
  ws = undefined;
});

const PLAN = [
  '---',
  'id: big-note',
  '---',
  '## Steps',
  '- [ ] read the note',
  '  ```yaml',
  '  id: r',
  '  action: read_vault',
  '  path: Notes/big.md',
  '  ```',
  '- [ ] a slow step in between',
  '  ```yaml',
  '  action: act_idempotent',
  '  name: slow',
  '  script: ["slow:1500"]',
  '  ```',
  '- [ ] pass the text on',
  '  ```yaml',
  '  action: act',
  '  name: use',
  '  script: ["ok"]',
  '  text: "{{ steps.r.text }}"',
  '  ```',
  '',
].join('\n');

/** A 216 KB note of varied multi-byte text, so a cut or a re-encoding would show. */
function bigNote(): string {
  const lines: string[] = [];
  for (let i = 0; Buffer.byteLength(lines.join('\n')) < NOTE_BYTES; i++) lines.push(`${i} — ünïcødé ✓ line ${'x'.repeat(i % 50)}`);
  return lines.join('\n');
}

async function workspace(maxResultBytes?: number): Promise<Workspace> {
  const created = await createWorkspace({
    execution: maxResultBytes !== undefined ? { maxResultBytes } : {},
    servers: { vault: { command: process.execPath, args: [builtPath('mcp_servers/vault-watcher/server.js')] } },
    actions: { read_vault: { server: 'vault', tool: 'read_note', idempotent: true } },
  });
  await mkdir(path.join(created.vault, 'Notes'), { recursive: true });
  await writeFile(path.join(created.vault, 'Notes', 'big.md'), bigNote());
  await created.writePlan('big.md', PLAN, 'Approved');
  return created;
}

type Disturbance = 'none' | 'sigkill_after_step_1' | 'sigterm_during_step_2';

/** Runs the plan under the disturbance; returns what step 3 received (undefined if it was not called) and where the plan ended. */
async function runWith(disturbance: Disturbance, maxResultBytes?: number) {
  ws = await workspace(maxResultBytes);
  const current = ws;
  if (disturbance === 'sigkill_after_step_1') {
    const first = startDaemon(current.configPath, [], { MCP_ORCHESTRATOR_CRASH_AT: 'after_outcome' });
    expect(await first.exited, first.output()).toBe('SIGKILL');
  } else if (disturbance === 'sigterm_during_step_2') {
    const first = startDaemon(current.configPath);
    await waitFor(async () => (await current.calls()).some((c) => c.args.name === 'slow'), 'step 2 to be under way');
    first.child.kill('SIGTERM');
    expect(await first.exited, first.output()).toBe(0);
    expect(await current.list('In_Progress')).toEqual(['big.md']);
    expect((await current.calls()).some((c) => c.args.name === 'use')).toBe(false);
  }
  const last = startDaemon(current.configPath, ['--once']);
  await last.exited;
  const uses = (await current.calls()).filter((c) => c.args.name === 'use');
  expect(uses.length).toBeLessThanOrEqual(1);
  const folder = (await current.list('Done')).length > 0 ? 'Done' : (await current.list('Failed')).length > 0 ? 'Failed' : 'elsewhere';
  const plan = await readFile(path.join(current.vault, folder === 'elsewhere' ? 'In_Progress' : folder, 'big.md'), 'utf8').catch(() => '');
  return { received: uses[0]?.args.text as string | undefined, folder, plan };
}

describe('results carried across a restart (SPEC §9.8)', () => {
  it('step 3 receives exactly the bytes it receives without a restart, after a SIGKILL or a SIGTERM', async () => {
    const baseline = await runWith('none');
    expect(baseline.folder).toBe('Done');
    expect(baseline.received).toContain(bigNote()); // the whole note, not 65,536 characters of it
    for (const disturbance of ['sigkill_after_step_1', 'sigterm_during_step_2'] as const) {
      const after = await runWith(disturbance);
      expect(after.folder, disturbance).toBe('Done');
      expect(after.received === baseline.received, `${disturbance}: step 3 got ${after.received?.length} chars, not ${baseline.received?.length}`).toBe(true);
      await ws?.cleanup();
    }
  }, 120_000);

  it('a result larger than execution.maxResultBytes is never passed on cut: the step fails, restart or not', async () => {
    for (const disturbance of ['none', 'sigkill_after_step_1'] as const) {
      const run = await runWith(disturbance, 64 * 1024);
      expect(run.received, disturbance).toBeUndefined();
      expect(run.folder, disturbance).toBe('Failed');
      expect(run.plan).toMatch(/^error: .*step 3 .*larger than the orchestrator keeps \(execution\.maxResultBytes\)/m);
      await ws?.cleanup();
    }
  }, 120_000);
});
