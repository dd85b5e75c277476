/** `rejected` and `draft` are a human's word: the daemon's writes never replace them (SPEC §7, issue 12). */
import { describe, expect, it } from 'vitest';
import { applyPlanUpdate } from '../../../src/plan/render.js';

const failed = { status: 'failed', failed_at: '2026-02-16T12:00:00.000Z', error: 'invalid plan' };

describe('a refused status survives the daemon', () => {
  it.each(['rejected', 'REJECTED', 'draft', 'Draft  # not yet'])('status: %s is kept; the outcome goes to failed_at and error', (status) => {
    const text = `---\nid: p\nstatus: ${status}\n---\nbody\n`;
    const next = applyPlanUpdate(text, { fields: failed });
    expect(next).toContain(`status: ${status}\n`);
    expect(next).toMatch(/^failed_at: "2026-02-16T12:00:00.000Z"$/m);
    expect(next).toMatch(/^error: invalid plan$/m);
    expect(next).not.toMatch(/^status: failed$/m);
  });

  it('also in ---json front matter', () => {
    const next = applyPlanUpdate('---json\n{"id": "p", "status": "rejected"}\n---\nbody\n', { fields: failed });
    expect(next).toContain('"status": "rejected"');
    expect(next).toContain('"failed_at": "2026-02-16T12:00:00.000Z"');
  });

  it('any other status is the daemon\'s to write', () => {
    for (const status of ['pending', 'failed', 'in_progress', 'rejected_by_bot']) {
      expect(applyPlanUpdate(`---\nstatus: ${status}\n---\n`, { fields: failed })).toMatch(/^status: failed$/m);
    }
  });

  it.each([
    ['a YAML escape', '"\\x72ejected"', 'status: "\\x72ejected"'],
    ['an escaped line break inside the word', '"dr\\\n  aft"', 'status: "dr\\'],
    ['a JSON unicode escape', null, '"status": "draft"'],
  ])('kept when spelled with %s', (_how, yaml, kept) => {
    const text = yaml === null ? '---json\n{"id": "p", "status": "\\u0064raft"}\n---\nbody\n' : `---\nid: p\nstatus: ${yaml}\n---\nbody\n`;
    const next = applyPlanUpdate(text, { fields: failed });
    expect(next).toContain(kept);
    expect(next).not.toMatch(/^status: failed$|"status": "failed"/m);
  });
});
