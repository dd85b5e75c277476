import { describe, expect, it } from 'vitest';
import { parsePlan } from '../../../src/plan/parse.js';
import type { ActionStep, ManualStep } from '../../../src/plan/types.js';
import { FILE, actions, md, parsed } from './fixtures.js';

const SPEC_B = md`
  ---
  id: 20260216-141530-Plan
  approved_by: user@company.com
  expires: 2026-02-17T14:15:30Z
  risk_level: Medium
  mode: sequential          # or parallel
  ---
  # Plan: Q4 proposal
  ## Steps
  - [x] Identify the client
  - [ ] Draft the cover note
    \`\`\`yaml
    id: draft
    action: ask_model
    model: haiku
    prompt: Write a two-line cover note for the Q4 proposal.
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

describe('shape A: single-action approval file', () => {
  it('takes the action and the other front-matter fields as arguments', () => {
    const plan = parsed(md`
      ---
      type: approval_request
      action: send_email
      to: client@example.com
      subject: January invoice
      body: Please find the invoice attached.
      expires: 2026-01-08T10:30:00Z
      status: pending
      created: 2026-01-07T10:30:00Z
      priority: high
      ---
      Ready to send. Move to /Approved to proceed.
    `);
    expect(plan.shape).toBe('single_action');
    expect(plan.id).toBe('plan');
    expect(plan.expires).toBe('2026-01-08T10:30:00Z');
    expect(plan.status).toBe('pending');
    expect(plan.steps).toEqual([
      {
        kind: 'action',
        index: 1,
        id: 'step1',
        text: 'send_email',
        done: false,
        action: 'send_email',
        args: { to: 'client@example.com', subject: 'January invoice', body: 'Please find the invoice attached.' },
        dependsOn: [],
      },
    ]);
  });

  it('uses mcp_params and names the tool directly with mcp_server/mcp_tool', () => {
    const plan = parsed(md`
      ---
      action: notify_team
      mcp_server: email-server
      mcp_tool: send_email
      mcp_params:
        to: team@example.com
        subject: Deploy done
      note: not an argument because mcp_params is present
      ---
    `);
    const step = plan.steps[0] as ActionStep;
    expect(step).toMatchObject({ server: 'email-server', tool: 'send_email', text: 'notify_team', args: { to: 'team@example.com', subject: 'Deploy done' } });
    expect(step.action).toBeUndefined();
  });

  it('keeps a configured action together with mcp_server/mcp_tool so validation can compare them', () => {
    const plan = parsed('---\naction: send_email\nmcp_server: email-server\nmcp_tool: send_email\nmcp_params: {to: a@b.co, subject: x}\n---\n');
    expect(plan.steps[0]).toMatchObject({ action: 'send_email', server: 'email-server', tool: 'send_email' });
  });

  it('reads step keys (timeout_ms, retries, idempotency_key) and `args:` for clashing names', () => {
    const plan = parsed('---\naction: send_email\nto: a@b.co\ntimeout_ms: 5000\nretries: 0\nidempotency_key: inv-1\nargs:\n  status: urgent\n---\n');
    expect(plan.steps[0]).toMatchObject({ timeoutMs: 5000, retries: 0, idempotencyKey: 'inv-1', args: { to: 'a@b.co', status: 'urgent' } });
  });
});

describe('shape B: checklist under a Steps heading', () => {
  it('parses the SPEC example: blocks, sub-bullets, pre-checked items, lines', () => {
    const plan = parsed(SPEC_B);
    expect(plan.shape).toBe('checklist');
    expect(plan.id).toBe('20260216-141530-Plan');
    expect(plan.mode).toBe('sequential');
    expect(plan.approvedBy).toBe('user@company.com');
    expect(plan.frontMatter.risk_level).toBe('Medium');
    const [identify, draft, send, save] = plan.steps as [ManualStep, ActionStep, ActionStep, ActionStep];
    expect(identify).toEqual({ kind: 'manual', index: 1, id: 'step1', text: 'Identify the client', done: true, line: 10 });
    expect(draft).toMatchObject({ index: 2, id: 'draft', action: 'ask_model', line: 11, done: false, args: { model: 'haiku' } });
    expect(send).toMatchObject({ index: 3, id: 'step3', action: 'send_email', line: 18, args: { body: '{{ steps.draft.text }}' } });
    expect(save).toMatchObject({
      index: 4,
      id: 'step4',
      action: 'write_vault',
      line: 25,
      text: 'Save a copy',
      args: { path: 'Clients/Acme/q4-sent.md', content: 'Sent the Q4 proposal.' },
    });
  });

  it('records the line of each item so the executor can tick it', () => {
    const text = SPEC_B;
    const lines = text.split('\n');
    for (const step of parsed(text).steps) {
      expect(lines[step.line! - 1]).toMatch(/^- \[[ x]\] /);
    }
  });

  it('accepts plain bullets, numbered items and any heading containing "Steps"', () => {
    const plan = parsed('# Plan\n### Next steps\n1. Send email to Bob\n2) Write note about it\n* Call the bank\n');
    expect(plan.steps.map((s) => [s.kind, s.text, s.done])).toEqual([
      ['action', 'Send email to Bob', false],
      ['action', 'Write note about it', false],
      ['manual', 'Call the bank', false],
    ]);
  });

  it('reads a json block and a block written flush under its item', () => {
    const plan = parsed('## Steps\n- [ ] notify\n  ```json\n  {"action": "send_email", "to": "a@b.co", "subject": "hi"}\n  ```\n- [ ] again\n```yaml\naction: read_vault\npath: a.md\n```\n');
    expect(plan.steps.map((s) => (s as ActionStep).action)).toEqual(['send_email', 'read_vault']);
  });

  it('ignores list items outside the Steps section and ends the section at the next heading', () => {
    const plan = parsed('- [ ] Send email to nobody\n## Steps\n- [ ] Read note a.md\n## Notes\n- [ ] Send email to X\n');
    expect(plan.steps.map((s) => s.text)).toEqual(['Read note a.md']);
  });

  it('does not treat a heading inside a fenced block as the Steps heading', () => {
    const result = parsePlan('```\n## Steps\n- [ ] Send email\n```\n', FILE, actions);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.problems[0]?.code).toBe('no_steps');
  });

  it('joins continuation lines to the item text and keeps other fenced blocks out of the step', () => {
    const plan = parsed('## Steps\n- [ ] Send email\n  to the client\n  ```text\n  action: write_vault\n  ```\n');
    expect(plan.steps[0]).toMatchObject({ text: 'Send email to the client', action: 'send_email', args: {} });
  });

  it('gives sub-bullet values a type only when plainly typed', () => {
    const plan = parsed(
      '## Steps\n- [ ] Ask\n  - action: ask_model\n  - prompt: Issue #42: fix it\n  - max_tokens: 200\n  - model: "haiku"\n  - tags: [a, b]\n  - note: {{ steps.x.text }}\n',
    );
    expect((plan.steps[0] as ActionStep).args).toEqual({ prompt: 'Issue #42: fix it', max_tokens: 200, model: 'haiku', tags: ['a', 'b'], note: '{{ steps.x.text }}' });
  });

  it('treats other sub-bullets as notes when none names an action, and keeps a timeout from a block', () => {
    const plan = parsed('## Steps\n- [ ] Send email to Bob\n  - he asked twice\n- [ ] Ask the model\n  ```yaml\n  prompt: hi\n  timeout_ms: 90000\n  retries: 2\n  ```\n');
    expect(plan.steps[0]).toMatchObject({ action: 'send_email', args: {} });
    expect(plan.steps[1]).toMatchObject({ action: 'ask_model', args: { prompt: 'hi' }, timeoutMs: 90000, retries: 2 });
  });

  it('ends an item at a thematic break, and lets an unclosed fence in prose run to the end', () => {
    const plan = parsed('## Steps\n- [ ] Call the bank\n---\nSee below.\n```\nnot closed\n');
    expect(plan.steps.map((s) => s.text)).toEqual(['Call the bank']);
  });

  it('handles CRLF line endings and a BOM', () => {
    const plan = parsed('\uFEFF---\r\nid: p1\r\n---\r\n## Steps\r\n- [ ] Read note\r\n  - path: a.md\r\n');
    expect(plan.id).toBe('p1');
    expect(plan.steps[0]).toMatchObject({ action: 'read_vault', args: { path: 'a.md' }, line: 5 });
  });
});

describe('keyword matching', () => {
  const stepFor = (text: string) => parsed(`## Steps\n- [ ] ${text}\n`).steps[0]!;

  it('is case-insensitive and ignores extra spaces', () => {
    expect(stepFor('SEND   Email to the board')).toMatchObject({ kind: 'action', action: 'send_email' });
  });

  it('lets the longest keyword win', () => {
    // "draft" (ask_model) and "post on linkedin" (post_linkedin) both match: the longer one wins.
    expect(stepFor('Draft and post on LinkedIn')).toMatchObject({ action: 'post_linkedin' });
  });

  it('matches whole words only', () => {
    expect(stepFor('Redrafting the plan')).toMatchObject({ kind: 'manual' });
  });

  it('makes a free-text step that matches nothing a manual step', () => {
    expect(stepFor('Call the client')).toEqual({ kind: 'manual', index: 1, id: 'step1', text: 'Call the client', done: false, line: 2 });
  });
});

describe('shape C: steps in the front matter', () => {
  it('reads action, params|args, id, depends_on and free-text entries', () => {
    const plan = parsed(md`
      ---
      id: weekly
      mode: parallel
      approved_actions: [ask_model, send_email]
      steps:
        - id: summary
          action: ask_model
          params: { prompt: Summarise the week }
        - action: send_email
          depends_on: summary
          args:
            to: boss@example.com
            subject: Weekly
            body: "{{ steps.summary.text }}"
        - server: vault-watcher
          tool: read_note
          path: Weekly.md
          depends_on: [summary, step2]
        - Call the client
      ---
    `);
    expect(plan.shape).toBe('front_matter_steps');
    expect(plan.mode).toBe('parallel');
    expect(plan.approvedActions).toEqual(['ask_model', 'send_email']);
    expect(plan.steps).toMatchObject([
      { kind: 'action', index: 1, id: 'summary', text: 'ask_model', action: 'ask_model', args: { prompt: 'Summarise the week' }, dependsOn: [] },
      { kind: 'action', index: 2, id: 'step2', action: 'send_email', dependsOn: ['summary'], args: { subject: 'Weekly' } },
      { kind: 'action', index: 3, id: 'step3', text: 'vault-watcher.read_note', server: 'vault-watcher', tool: 'read_note', args: { path: 'Weekly.md' }, dependsOn: ['summary', 'step2'] },
      { kind: 'manual', index: 4, id: 'step4', text: 'Call the client' },
    ]);
    expect(plan.steps[0]!.line).toBeUndefined();
  });
});

describe('front matter values', () => {
  it('keeps dates and timestamps as strings (core schema)', () => {
    const plan = parsed('---\nexpires: 2026-02-17\napproved_at: 2026-02-16 10:00:00\nsteps: [Call Bob]\n---\n');
    expect(plan.expires).toBe('2026-02-17');
    expect(plan.approvedAt).toBe('2026-02-16 10:00:00');
  });

  it('defaults the plan id to the file name and accepts a numeric id', () => {
    expect(parsed('## Steps\n- Call\n', 'vault/Approved/My Plan.md').id).toBe('My Plan');
    expect(parsed('---\nid: 42\n---\n## Steps\n- Call\n').id).toBe('42');
  });
});
