/**
 * Policy before every attempt, resumes included (SPEC §7, issue 12), against the real daemon: a plan
 * deferred by a rate limit past its `expires` is not sent again when it comes back; it ends in Failed/
 * saying the approval expired.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startDaemon, waitFor, type DaemonProcess } from '../helpers/daemon-process.js';
import { createWorkspace, type Workspace } from '../helpers/workspace.js';

let ws: Workspace | undefined;
let daemon: DaemonProcess | undefined;
afterEach(async () => {
  await daemon?.stop();
  await ws?.cleanup();
  ws = undefined;
  daemon = undefined;
});

describe('an approval that expires while its plan is deferred', () => {
  it('is not sent again when the plan comes back: Failed/, one call, the expiry named', async () => {
    ws = await createWorkspace({ actions: { pay: { server: 'scripted', tool: 'act', idempotent: false, retries: 0 } } });
    const current = ws;
    const expires = new Date(Date.now() + 5_000);
    const plan = [
      '---',
      'id: deferred-payment',
      `expires: ${expires.toISOString()}`,
      '---',
      '## Steps',
      '- [ ] pay',
      '  ```yaml',
      '  action: pay',
      '  name: pay-later',
      // Rate limited, come back in 7 s: after the approval has lapsed (5 s leave a slow start room).
      '  script: ["fail:rate_limit:7000", "ok"]',
      '  ```',
      '',
    ].join('\n');
    await current.writePlan('pay.md', plan, 'Approved');
    daemon = startDaemon(current.configPath);
    await waitFor(async () => (await current.list('Failed')).length > 0, 'the plan to end in Failed/', 20_000);
    const text = await readFile(path.join(current.vault, 'Failed', 'pay.md'), 'utf8');
    expect(text).toMatch(/^error: .*approval expired at/m);
    const calls = await current.calls();
    expect(calls).toHaveLength(1);
    expect(calls.every((call) => call.at < expires.getTime())).toBe(true);
    expect(await current.readLog()).toMatch(/DEFERRED - plan=deferred-payment/);
  }, 30_000);
});
