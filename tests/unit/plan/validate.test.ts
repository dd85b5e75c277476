import { describe, expect, it } from 'vitest';
import { ExecutionSchema } from '../../../src/config/schema.js';
import { contentHash } from '../../../src/plan/canonical.js';
import { validatePlan } from '../../../src/plan/validate.js';
import type { ValidPlan } from '../../../src/plan/validated.js';
import { catalog, ctx, md, parsed } from './fixtures.js';

function valid(text: string, overrides: Parameters<typeof ctx>[0] = {}): ValidPlan {
  const result = validatePlan(parsed(text), ctx(overrides));
  if (!result.ok) throw new Error(`validation failed: ${JSON.stringify(result.problems)}`);
  return result.plan;
}

const SPEC_B = md`
  ---
  id: 20260216-141530-Plan
  expires: 2026-02-17T14:15:30Z
  ---
  ## Steps
  - [x] Identify the client
  - [ ] Draft the cover note
    \`\`\`yaml
    id: draft
    action: ask_model
    model: haiku
    prompt: Write a two-line cover note.
    \`\`\`
  - [ ] Send email to the client
    \`\`\`yaml
    action: send_email
    to: client@example.com
    subject: Q4 Proposal
    body: "{{ steps.draft.text }}"
    \`\`\`
  - [ ] Save a copy
    - action: write_vault
    - path: Clients/Acme/q4-sent.md
    - content: Sent the Q4 proposal.
`;

describe('validatePlan: resolving steps', () => {
  it('resolves the SPEC example with budgets, keys and dependencies', () => {
    const v = valid(SPEC_B);
    expect(v.mode).toBe('sequential');
    expect(v.done.map((s) => s.text)).toEqual(['Identify the client']);
    expect(v.manual).toEqual([]);
    const [draft, send, save] = v.steps;
    expect(v.steps.map((s) => s.id)).toEqual(['draft', 'step3', 'step4']);
    expect(draft).toMatchObject({ index: 2, server: 'model-router', tool: 'ask_model', action: 'ask_model', timeoutMs: 60_000, retries: 1, idempotent: true, dependsOn: [], acceptsIdempotencyKey: false, line: 7 });
    expect(send).toMatchObject({ index: 3, server: 'email-server', tool: 'send_email', timeoutMs: 20_000, retries: 3, idempotent: false, dependsOn: ['draft'], acceptsIdempotencyKey: true });
    expect(save).toMatchObject({ index: 4, tool: 'write_note', timeoutMs: 30_000, args: { mode: 'create', path: 'Clients/Acme/q4-sent.md', content: 'Sent the Q4 proposal.' } });
    expect(send!.idempotencyKey).toBe(`20260216-141530-Plan:3:${contentHash('email-server', 'send_email', send!.args)}`);
    expect(send!.idempotencyKey).toMatch(/^20260216-141530-Plan:3:[0-9a-f]{12}$/);
  });

  it('lets step settings beat action, server and execution ones', () => {
    const [s] = valid('## Steps\n- [ ] Mail\n  ```yaml\n  action: send_email\n  to: a@b.co\n  subject: s\n  timeout_ms: 1234\n  retries: 0\n  idempotency_key: mine-1\n  ```\n').steps;
    expect(s).toMatchObject({ timeoutMs: 1234, retries: 0, idempotencyKey: 'mine-1' });
  });

  it('lets step arguments override action defaults', () => {
    const [s] = valid('## Steps\n- [ ] Save\n  - action: write_vault\n  - path: a.md\n  - content: x\n  - mode: append\n').steps;
    expect(s!.args).toEqual({ mode: 'append', path: 'a.md', content: 'x' });
  });

  it('derives the idempotency key from content, not key order', () => {
    const key = (yaml: string): string => valid(`---\nid: p\n---\n## Steps\n- [ ] Mail\n  \`\`\`yaml\n${yaml}\n  \`\`\`\n`).steps[0]!.idempotencyKey;
    const a = key('  action: send_email\n  to: a@b.co\n  subject: s');
    expect(key('  subject: s\n  to: a@b.co\n  action: send_email')).toBe(a);
    expect(key('  action: send_email\n  to: a@b.co\n  subject: t')).not.toBe(a);
  });

  it('takes idempotency of a direct server+tool step from the tool annotations', () => {
    const v = valid('---\nmode: parallel\nsteps:\n  - {server: vault-watcher, tool: read_note, path: a.md}\n  - {server: vault-watcher, tool: write_note, path: b.md, content: x}\n  - {server: vault-watcher, tool: list_notes, folder: Inbox}\n---\n');
    expect(v.steps.map((s) => s.idempotent)).toEqual([true, false, true]);
    expect(v.steps[0]!.action).toBeUndefined();
    expect(v.mode).toBe('parallel');
  });

  it('uses execution.mode when the plan names none', () => {
    const execution = ExecutionSchema.parse({ mode: 'parallel' });
    expect(valid('## Steps\n- Call\n', { execution }).mode).toBe('parallel');
  });

  it('does not type-check arguments holding templates, but still needs required ones', () => {
    const v = valid('## Steps\n- [ ] Ask\n  - id: who\n  - action: ask_model\n  - prompt: Who?\n- [ ] Mail\n  ```yaml\n  action: send_email\n  to: "{{ steps.who.text }}"\n  cc: "{{ steps.who.structured.list }}"\n  subject: "{{ plan.id }}"\n  ```\n');
    expect(v.steps[1]!.dependsOn).toEqual(['who']);
  });

  it('skips tool and schema checks for a server the catalog did not ask', () => {
    const tools = catalog();
    const partial = new Map([...tools].filter(([name]) => name !== 'email-server'));
    const [s] = valid('## Steps\n- [ ] Mail\n  - action: send_email\n  - unexpected: 1\n', { tools: partial }).steps;
    expect(s).toMatchObject({ tool: 'send_email', acceptsIdempotencyKey: false });
  });

  it('lists manual steps and lets done steps satisfy dependencies', () => {
    const v = valid('---\nmode: parallel\n---\n## Steps\n- [x] Read note\n  - id: r\n  - action: read_vault\n  - path: a.md\n- [ ] Call the bank\n- [ ] Read note again\n  - action: read_vault\n  - path: b.md\n  - depends_on: [r, step4]\n- [ ] Read note three\n  - action: read_vault\n  - path: c.md\n');
    expect(v.manual.map((s) => s.text)).toEqual(['Call the bank']);
    expect(v.done.map((s) => s.id)).toEqual(['r']);
    expect(v.steps.map((s) => [s.id, s.dependsOn])).toEqual([['step3', ['step4']], ['step4', []]]);
  });

  it('accepts the single-action approval file of the SPEC', () => {
    const v = valid('---\ntype: approval_request\naction: send_email\nto: client@example.com\nsubject: January invoice\nbody: Please find the invoice attached.\nexpires: 2026-03-08T10:30:00Z\nstatus: pending\n---\nReady.\n');
    expect(v.steps).toHaveLength(1);
    expect(v.steps[0]).toMatchObject({ id: 'step1', index: 1, tool: 'send_email' });
  });

  it('accepts an action that is on approved_actions, and a direct step listed as server.tool', () => {
    const v = valid('---\napproved_actions: [read_vault, vault-watcher.list_notes]\nsteps:\n  - {action: read_vault, path: a.md}\n  - {server: vault-watcher, tool: list_notes}\n---\n');
    expect(v.steps).toHaveLength(2);
  });

  it('works without a shared schema checker, and a shared one notices a changed schema', () => {
    const text = '---\naction: read_vault\npath: a.md\n---\n';
    expect(validatePlan(parsed(text), { ...ctx(), schemaChecker: undefined }).ok).toBe(true);
    const stricter = catalog({ 'vault-watcher': [{ name: 'read_note', inputSchema: { type: 'object', properties: { path: { type: 'string', pattern: '^Notes/' } } } }] });
    const result = validatePlan(parsed(text), ctx({ tools: stricter }));
    expect(!result.ok && result.problems[0]?.message).toMatch(/argument "path" must match pattern "\^Notes\/"/);
  });
});
