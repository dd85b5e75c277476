/**
 * Hostile calls to `serve` over real stdio: names that try to leave Pending_Approval/, a 50 MB
 * markdown, a flood of submissions, ids that are paths. Each is refused (or contained) with a clear
 * error, the session goes on, and nothing outside Pending_Approval/ changes (vault/Logs/, the audit
 * trail, is expected to grow: every call is audited).
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWorkspace, type Workspace } from '../helpers/workspace.js';
import { waitFor } from '../helpers/daemon-process.js';
import { call, connectServe, fingerprint, textOf, twoStepPlan, type ServeConnection } from './helpers.js';

const UNTOUCHED = ['Pending_Approval', 'Logs'];

describe('serve refuses hostile calls', () => {
  let ws: Workspace;
  let serve: ServeConnection;
  let before: Record<string, string>;

  beforeAll(async () => {
    ws = await createWorkspace();
    // Plans a hostile call might want to reach.
    await ws.writePlan('approved.md', twoStepPlan('approved'), 'Approved');
    await ws.writePlan('done.md', twoStepPlan('done'), 'Done');
    await ws.writePlan('evil.md', twoStepPlan('already-there'), 'In_Progress');
    serve = await connectServe(ws.configPath);
    before = await fingerprint(ws.vault, UNTOUCHED);
  });
  afterAll(async () => {
    await serve?.close();
    await ws?.cleanup();
  });

  it('keeps every requested name inside Pending_Approval/, as a plain new file', async () => {
    const names = ['../Approved/evil', '/etc/passwd', '..\\..\\Done\\done.md', '.orchestrator/journal', 'In_Progress/evil.md'];
    const paths: string[] = [];
    for (const name of names) {
      const result = await call(serve.client, 'submit_plan', { markdown: twoStepPlan(`named-${paths.length}`), name });
      expect(result.isError, textOf(result)).toBeFalsy();
      paths.push(result.structuredContent?.path as string);
    }
    // `evil` and `done` are taken elsewhere in the vault, so they get a suffix rather than share a name.
    expect(paths).toEqual(['Pending_Approval/evil (2).md', 'Pending_Approval/passwd.md', 'Pending_Approval/done (2).md', 'Pending_Approval/journal.md', 'Pending_Approval/evil (3).md']);
    expect(await ws.list('Pending_Approval')).toEqual(['done (2).md', 'evil (2).md', 'evil (3).md', 'journal.md', 'passwd.md']);
    expect(await fingerprint(ws.vault, UNTOUCHED)).toEqual(before);
  });

  it('refuses a 50 MB markdown with an error naming the limit, and the session goes on', async () => {
    const huge = `---\nid: huge\n---\n## Steps\n- [ ] x\n${'a'.repeat(50 * 1024 * 1024)}`;
    await expect(serve.client.callTool({ name: 'submit_plan', arguments: { markdown: huge } })).rejects.toThrow(/request too large: \d+ bytes.*a plan may be at most 1 MiB/);
    // Just over the plan limit but small enough to be read: refused by the tool's input schema.
    const over = await call(serve.client, 'check_plan', { markdown: 'x'.repeat(1024 * 1024 + 1) });
    expect(over.isError).toBe(true);
    expect(textOf(over)).toContain('the markdown is larger than a plan may be (1048576 bytes)');
    expect((await call(serve.client, 'list_actions')).isError).toBeFalsy();
    expect(await fingerprint(ws.vault, UNTOUCHED)).toEqual(before);
    await waitFor(async () => (await ws.readLog()).includes('status=refused message="stdio: request of 5'), 'the refusal in the audit log');
  });

  it('refuses ids that are paths, in every tool and in plan:// resources', async () => {
    for (const id of ['../Approved/approved', '/etc/passwd', '..', '.orchestrator', 'Done\\done', 'a\u0000b']) {
      for (const [tool, args] of [
        ['get_plan', { id }],
        ['wait_for_plan', { id, timeout_ms: 10 }],
        ['cancel_plan', { id, reason: 'hostile' }],
        ['update_status', { agent_name: 'x', phase: 'x', status: 'x', message: 'x', plan: id }],
      ] as const) {
        const result = await call(serve.client, tool, args);
        expect(result.isError, `${tool} ${JSON.stringify(id)}`).toBe(true);
        expect(textOf(result)).toContain('looks like a path');
      }
    }
    await expect(serve.client.readResource({ uri: 'plan://..%2FApproved%2Fapproved' })).rejects.toThrow(/does not name a plan/);
    const unknown = await call(serve.client, 'get_plan', { id: 'no-such-plan' });
    expect(textOf(unknown)).toContain('no plan with id "no-such-plan"');
    expect(await fingerprint(ws.vault, UNTOUCHED)).toEqual(before);
    expect(await readFile(path.join(ws.vault, 'Approved', 'approved.md'), 'utf8')).toBe(twoStepPlan('approved'));
  });

  it('refuses most of 1,000 submissions sent within a second, and changes nothing outside Pending_Approval/', async () => {
    const already = (await ws.list('Pending_Approval')).length;
    const results = await Promise.all(
      Array.from({ length: 1000 }, (_, i) => call(serve.client, 'submit_plan', { markdown: twoStepPlan(`flood-${i}`), name: `flood-${i}` })),
    );
    const accepted = results.filter((r) => !r.isError);
    const refused = results.filter((r) => r.isError);
    // The bucket holds 10 and the five named submissions above took five of them.
    expect(accepted.length).toBeLessThanOrEqual(10 - 5 + 1);
    expect(refused.length).toBeGreaterThanOrEqual(990);
    expect(textOf(refused[0] as (typeof results)[number])).toMatch(/^too many submissions: at most 10 per 1m are accepted; try again in \d+ s$/);
    expect((await ws.list('Pending_Approval')).length).toBe(already + accepted.length);
    expect(await fingerprint(ws.vault, UNTOUCHED)).toEqual(before);
  });
});
