/**
 * SIGKILL at each point of a plan's life, then a restart (SPEC §9.1, §9.3, §9.4): every plan ends in
 * exactly one folder, no step recorded as succeeded is called again, and a non-idempotent step whose
 * outcome is unknown puts its plan in Needs_Review/.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startDaemon } from '../helpers/daemon-process.js';
import { createWorkspace, type Workspace } from '../helpers/workspace.js';

let ws: Workspace | undefined;
afterEach(async () => {
  await ws?.cleanup();
  ws = undefined;
});

const FOLDERS = ['Approved', 'In_Progress', 'Done', 'Failed', 'Needs_Review'];

function twoStepPlan(firstAction: string, firstScript: string[]): string {
  return [
    '---',
    'id: crash-plan',
    '---',
    '## Steps',
    '- [ ] first',
    '  ```yaml',
    `  action: ${firstAction}`,
    '  name: first',
    `  script: ${JSON.stringify(firstScript)}`,
    '  ```',
    '- [ ] second',
    '  ```yaml',
    '  action: act',
    '  name: second',
    '  script: ["ok"]',
    '  ```',
    '',
  ].join('\n');
}

async function crashThenRestart(plan: string, crashAt?: string) {
  ws = await createWorkspace();
  await ws.writePlan('crash-plan.md', plan, 'Approved');
  const first = startDaemon(ws.configPath, [], crashAt ? { MCP_ORCHESTRATOR_CRASH_AT: crashAt } : {});
  expect(await first.exited).toBe('SIGKILL');
  const second = startDaemon(ws.configPath, ['--once']);
  const code = await second.exited;
  const where: Record<string, string[]> = {};
  for (const folder of FOLDERS) where[folder] = await ws.list(folder);
  const placed = FOLDERS.filter((folder) => where[folder]?.includes('crash-plan.md'));
  // `--once` exits 0 only when every plan it touched is in Done/, and says where each one is.
  expect(code, second.output()).toBe(placed.length === 1 && placed[0] === 'Done' ? 0 : 1);
  expect(second.output()).toMatch(/daemon --once: (1 plan: 1 in (Done|Failed|Needs_Review)\/|no plan was waiting)/);
  const calls = await ws.calls();
  const count = (name: string) => calls.filter((c) => c.args.name === name).length;
  return { placed, first: count('first'), second: count('second') };
}

describe('crash matrix: SIGKILL, then restart', () => {
  it('after the claim: the plan runs from the start, each step once', async () => {
    const result = await crashThenRestart(twoStepPlan('act', ['ok']), 'after_claim');
    expect(result).toEqual({ placed: ['Done'], first: 1, second: 1 });
  });

  it('after the "about to call" record of a non-idempotent step: Needs_Review, nothing re-sent', async () => {
    const result = await crashThenRestart(twoStepPlan('act', ['ok']), 'after_intent');
    expect(result).toEqual({ placed: ['Needs_Review'], first: 0, second: 0 });
  });

  it('after the "about to call" record of an idempotent step: the step is retried', async () => {
    const result = await crashThenRestart(twoStepPlan('act_idempotent', ['ok']), 'after_intent');
    expect(result).toEqual({ placed: ['Done'], first: 1, second: 1 });
  });

  it('after the server received a non-idempotent call: Needs_Review, never sent twice', async () => {
    const result = await crashThenRestart(twoStepPlan('act', ['killparent', 'ok']));
    expect(result).toEqual({ placed: ['Needs_Review'], first: 1, second: 0 });
  });

  it('after the outcome record: the succeeded step is not called again, the rest runs', async () => {
    const result = await crashThenRestart(twoStepPlan('act', ['ok']), 'after_outcome');
    expect(result).toEqual({ placed: ['Done'], first: 1, second: 1 });
  });

  it('after the rename to Done/: nothing runs again', async () => {
    const result = await crashThenRestart(twoStepPlan('act', ['ok']), 'after_finalize');
    expect(result).toEqual({ placed: ['Done'], first: 1, second: 1 });
  });
});
