/**
 * Execution semantics of SPEC §7 through `run`, against the scripted server over real stdio: stop at
 * the first failure, parallel overlap, retries of transient errors only, unknown outcomes, crashes and
 * deadlines.
 */
import { readFile } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { createWorkspace, type Workspace } from '../helpers/workspace.js';

let ws: Workspace | undefined;
afterEach(async () => {
  await ws?.cleanup();
  ws = undefined;
});

/** A checklist plan whose steps are `act` calls with the given scripts. */
function actPlan(id: string, steps: Array<{ name: string; script: string[]; action?: string; extra?: string[] }>, mode = 'sequential'): string {
  const lines = ['---', `id: ${id}`, `mode: ${mode}`, '---', '## Steps'];
  for (const step of steps) {
    lines.push(`- [ ] ${step.name}`, '  ```yaml', `  id: ${step.name}`, `  action: ${step.action ?? 'act'}`, `  name: ${step.name}`);
    lines.push(`  script: ${JSON.stringify(step.script)}`, ...(step.extra ?? []).map((l) => `  ${l}`), '  ```');
  }
  return `${lines.join('\n')}\n`;
}

async function run(plan: string, options: Parameters<typeof createWorkspace>[0] = {}) {
  ws = await createWorkspace(options);
  const file = await ws.writePlan('plan.md', plan);
  const result = await runCli(['--config', ws.configPath, 'run', file]);
  return { result, file, text: await readFile(file, 'utf8'), calls: await ws.calls(), workspace: ws };
}

describe('run: execution semantics', () => {
  it('sequential: the first step that fails for good stops the plan', async () => {
    const { result, text, calls } = await run(
      actPlan('seq', [
        { name: 'one', script: ['ok'] },
        { name: 'two', script: ['fail:tool_error'] },
        { name: 'three', script: ['ok'] },
      ]),
    );
    expect(result.code).toBe(1);
    expect(calls.map((c) => c.args.name)).toEqual(['one', 'two']);
    expect(text).toMatch(/^status: failed$/m);
    expect(text).toMatch(/^error: .*step 2.*tool_error/m);
    expect(text).toContain('- [x] one');
    expect(text).toContain('- [ ] two');
    expect(text).toContain('- [ ] three');
  });

  it('parallel: independent steps overlap and a dependent step waits for its dependency', async () => {
    const plan = actPlan(
      'par',
      [
        { name: 'a', script: ['slow:400'] },
        { name: 'b', script: ['slow:400'] },
        { name: 'c', script: ['ok'], extra: ['depends_on: [a]'] },
      ],
      'parallel',
    );
    const { result, calls } = await run(plan);
    expect(result.code, result.stdout + result.stderr).toBe(0);
    const at = Object.fromEntries(calls.map((c) => [c.args.name as string, c.at]));
    // b was called while a was still running (a takes 400 ms), c only after a had finished.
    expect(Math.abs((at.b ?? 0) - (at.a ?? 0))).toBeLessThan(400);
    expect((at.c ?? 0) - (at.a ?? 0)).toBeGreaterThanOrEqual(400);
  });

  it('retries a transient error, then succeeds', async () => {
    const { result, text, calls, workspace } = await run(
      actPlan('retry', [{ name: 'flaky', script: ['fail:server_error', 'fail:rate_limit', 'ok'] }]),
    );
    expect(result.code).toBe(0);
    expect(calls).toHaveLength(3);
    expect(text).toMatch(/^status: completed$/m);
    expect(await workspace.readLog()).toMatch(/RETRY - scripted\.act .*error_type=server_error/);
  });

  it.each(['validation', 'authentication'])('never retries a %s error', async (type) => {
    const { result, text, calls } = await run(actPlan('no-retry', [{ name: 'bad', script: [`fail:${type}`, 'ok'] }]));
    expect(result.code).toBe(1);
    expect(calls).toHaveLength(1);
    expect(text).toMatch(/^status: failed$/m);
  });

  it('does not retry an unknown outcome on a non-idempotent action: the plan needs review', async () => {
    const { result, text, calls } = await run(
      actPlan('ambiguous', [{ name: 'hangs', script: ['hang', 'ok'], extra: ['timeout_ms: 300'] }]),
    );
    expect(result.code).toBe(1);
    expect(calls).toHaveLength(1);
    expect(text).toMatch(/^status: needs_review$/m);
    expect(text).toMatch(/deadline/);
  });

  it('retries an unknown outcome when the action is declared idempotent', async () => {
    const { result, calls } = await run(
      actPlan('idem', [{ name: 'hangs', action: 'act_idempotent', script: ['hang', 'ok'], extra: ['timeout_ms: 300'] }]),
    );
    expect(result.code).toBe(0);
    expect(calls).toHaveLength(2);
  });

  it('restarts a server that crashed mid-call and retries an idempotent step on the new process', async () => {
    const { result, calls } = await run(actPlan('crash', [{ name: 'boom', action: 'act_idempotent', script: ['crash', 'ok'] }]));
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(calls).toHaveLength(2);
    expect(calls[0]?.pid).not.toBe(calls[1]?.pid);
  });

  it('a crash mid-call on a non-idempotent step sends the plan to review, not a second send', async () => {
    const { result, text, calls } = await run(actPlan('crash2', [{ name: 'boom', script: ['crash', 'ok'] }]));
    expect(result.code).toBe(1);
    expect(calls).toHaveLength(1);
    expect(text).toMatch(/^status: needs_review$/m);
  });
});
