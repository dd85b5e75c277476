/**
 * Policy before every attempt, through the real `run` command (SPEC §7, issue 12): a non-idempotent
 * payment whose approval expires during its retries is not sent after `expires`, and the plan ends
 * failed with a clear error instead of succeeding after the approval lapsed.
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

describe('policy before every attempt', () => {
  it('an approval that expires during a step\'s retries: no attempt after expires, the plan fails saying so', async () => {
    // Backoff of 2.5–5 s, then 5–10 s: the third attempt comes well after the approval lapses.
    ws = await createWorkspace({ execution: { retryDelayMs: 2_500, maxRetries: 2 } });
    const expires = new Date(Date.now() + 4_000);
    const plan = [
      '---',
      'id: payment',
      `expires: ${expires.toISOString()}`,
      '---',
      '## Steps',
      '- [ ] pay',
      '  ```yaml',
      '  action: act',
      '  name: pay',
      '  script: ["fail:server_error", "fail:server_error", "ok"]',
      '  ```',
      '',
    ].join('\n');
    const file = await ws.writePlan('pay.md', plan);
    const result = await runCli(['--config', ws.configPath, 'run', file]);
    const text = await readFile(file, 'utf8');
    const calls = await ws.calls();
    expect(calls.length, result.stdout + result.stderr).toBeGreaterThanOrEqual(1);
    expect(calls.length).toBeLessThan(3);
    for (const call of calls) expect(call.at).toBeLessThan(expires.getTime());
    expect(text).toMatch(/^status: failed$/m);
    expect(text).toMatch(/^error: "?step 1 scripted\.act: validation: the approval expired at .*attempt [23] was not sent/m);
    expect(result.code).toBe(1);
  });
});
