import fc from 'fast-check';
import matter from 'gray-matter';
import { describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { formatExecutionLogLine } from '../../../src/plan/execution-log.js';
import { frontMatterLineCount } from '../../../src/plan/lines.js';
import { applyPlanUpdate, yamlScalar } from '../../../src/plan/render.js';

const SPEC_PLAN = [
  '---',
  'id: 20260216-141530-Plan',
  'approved_by: user@company.com   # who moved it',
  "expires: '2026-02-17T14:15:30Z'",
  'mode: sequential          # or parallel',
  'status: pending',
  '---',
  '# Plan: Q4 proposal',
  '## Steps',
  '- [x] Identify the client',
  '- [ ] Draft the cover note',
  '  ```yaml',
  '  action: ask_model',
  '  prompt: "- [ ] not a step"',
  '  ```',
  '- [ ] Send email to the client',
  '',
].join('\n');

describe('applyPlanUpdate', () => {
  it('changes only the named field, the ticked box and the appended log', () => {
    const out = applyPlanUpdate(SPEC_PLAN, {
      fields: { status: 'in_progress' },
      tickLines: [11],
      logLines: ['- 2026-02-16 14:20:31 step 2 model-router.execute_prompt attempt 1: success (412 ms)'],
    });
    expect(out).toBe(
      SPEC_PLAN.replace('status: pending', 'status: in_progress').replace('- [ ] Draft', '- [x] Draft') +
        '\n## Execution Log\n\n- 2026-02-16 14:20:31 step 2 model-router.execute_prompt attempt 1: success (412 ms)\n',
    );
  });

  it('leaves the text byte for byte unchanged for an empty update', () => {
    for (const text of [SPEC_PLAN, SPEC_PLAN.replace(/\n/g, '\r\n'), 'no newline at end', '', '\uFEFF---\na: 1\n---\nbody']) {
      expect(applyPlanUpdate(text, {})).toBe(text);
    }
  });

  it('keeps CRLF line endings, including on added lines', () => {
    const crlf = SPEC_PLAN.replace(/\n/g, '\r\n');
    const out = applyPlanUpdate(crlf, { fields: { completed_at: '2026-02-16T14:21:00.000Z' }, tickLines: [16], logLines: ['- done'] });
    expect(out.replace(/\r\n/g, '')).not.toContain('\n');
    expect(out).toBe(
      crlf
        .replace('status: pending\r\n', 'status: pending\r\ncompleted_at: "2026-02-16T14:21:00.000Z"\r\n')
        .replace('- [ ] Send', '- [x] Send') + '\r\n## Execution Log\r\n\r\n- done\r\n',
    );
  });

  it('does not add a final newline to a file that had none', () => {
    const text = '---\nstatus: pending\n---\n## Steps\n- [ ] a';
    expect(applyPlanUpdate(text, { tickLines: [5] })).toBe('---\nstatus: pending\n---\n## Steps\n- [x] a');
    expect(applyPlanUpdate(text, { logLines: ['- x'] })).toBe(`${text}\n\n## Execution Log\n\n- x`);
    const withLog = '## Steps\n- [ ] a\n\n## Execution Log\n- one';
    expect(applyPlanUpdate(withLog, { logLines: ['- two'] })).toBe('## Steps\n- [ ] a\n\n## Execution Log\n- one\n- two');
  });

  it('replaces a value but keeps the key’s quoting and an inline comment; other lines untouched', () => {
    const text = '---\n# header comment\n"status": "pending # not a comment"   # keep me\nerror: |\n  old\n  trace\n\nother: x\n---\nbody\n';
    const out = applyPlanUpdate(text, { fields: { status: 'failed', error: 'boom\n  at line 2' } });
    expect(out).toBe('---\n# header comment\n"status": failed   # keep me\nerror: boom at line 2\n\nother: x\n---\nbody\n');
  });

  it('removes a field (with its continuation lines) for null, and removes duplicates', () => {
    const text = '---\nerror: >\n  long\n  text\nretry_at: "x"\ntags:\n- a\n- b\nretry_at: y\nkeep: 1\n---\n';
    expect(applyPlanUpdate(text, { fields: { error: null, retry_at: null, tags: null } })).toBe('---\nkeep: 1\n---\n');
    expect(applyPlanUpdate('---\nsteps: # list\n- a\n---\n', { fields: { steps: null } })).toBe('---\n---\n');
    expect(applyPlanUpdate(text, { fields: { retry_at: 'z' } })).toBe(
      '---\nerror: >\n  long\n  text\nretry_at: z\ntags:\n- a\n- b\nkeep: 1\n---\n',
    );
  });

  it('adds a front matter block when the file has none, after a BOM', () => {
    expect(applyPlanUpdate('\uFEFF# Plan\n', { fields: { status: 'failed', error: null } })).toBe('\uFEFF---\nstatus: failed\n---\n# Plan\n');
    expect(applyPlanUpdate('# Plan\n', { fields: { error: null } })).toBe('# Plan\n');
    expect(applyPlanUpdate('', { fields: { status: 'failed' } })).toBe('---\nstatus: failed\n---\n');
  });

  it('treats a ---js header as no front matter, so it is never edited as YAML', () => {
    const text = '---js\n{ status: "x" }\n---\nbody\n';
    expect(applyPlanUpdate(text, { fields: { status: 'failed' } })).toBe(`---\nstatus: failed\n---\n${text}`);
  });

  it('ticks only the checkbox on the given lines, never elsewhere', () => {
    const text = '---\nx: "- [ ] no"\n---\n* [ ] star\n  1. [ ] nested  [ ] text\n- [x] done\nplain\n';
    const out = applyPlanUpdate(text, { tickLines: [2, 4, 5, 6, 7, 99] });
    expect(out).toBe('---\nx: "- [ ] no"\n---\n* [x] star\n  1. [x] nested  [ ] text\n- [x] done\nplain\n');
  });

  it('appends after the last line of an existing section, before the next heading', () => {
    const text = '## Steps\n- [ ] a\n\n## Execution Log\n\n- first\n\n\n## Notes\nmine\n';
    expect(applyPlanUpdate(text, { logLines: ['- second', '- third'] })).toBe(
      '## Steps\n- [ ] a\n\n## Execution Log\n\n- first\n- second\n- third\n\n\n## Notes\nmine\n',
    );
  });

  it('ignores a heading inside a fenced block and closes a level-1 Steps section', () => {
    const text = '# Steps\n- [ ] a\n```\n## Execution Log\n```\n';
    expect(applyPlanUpdate(text, { logLines: ['- x'] })).toBe(`${text}\n# Execution Log\n\n- x\n`);
  });

  it('is idempotent: applying the same update twice equals applying it once', () => {
    const update = {
      fields: { status: 'completed', completed_at: '2026-02-16T14:21:00.000Z', error: null },
      tickLines: [11, 16],
      logLines: ['- a line', '- another line'],
    };
    for (const text of [SPEC_PLAN, SPEC_PLAN.replace(/\n/g, '\r\n'), SPEC_PLAN.trimEnd(), '# no front matter\n- [ ] x']) {
      const once = applyPlanUpdate(text, update);
      expect(applyPlanUpdate(once, update)).toBe(once);
    }
  });

  it('collapses a multi-line log line into one', () => {
    expect(applyPlanUpdate('x\n', { logLines: ['- a\nb'] })).toBe('x\n\n## Execution Log\n\n- a b\n');
  });

  it('refuses a field name that is not a plain key', () => {
    expect(() => applyPlanUpdate('', { fields: { 'a: b': 'x' } })).toThrow(/not a plain key/);
  });
});

describe('frontMatterLineCount', () => {
  it('counts the block with its delimiters, so callers can shift body line numbers', () => {
    expect(frontMatterLineCount(SPEC_PLAN)).toBe(7);
    expect(frontMatterLineCount('# none')).toBe(0);
    const grown = applyPlanUpdate('# Plan\n- [ ] a\n', { fields: { status: 'in_progress' } });
    expect(frontMatterLineCount(grown)).toBe(3);
  });
});

describe('yamlScalar', () => {
  it.each([
    ['in_progress', 'in_progress'],
    ['tool failed (timeout)', 'tool failed (timeout)'],
    ['2026-02-16T14:21:00.000Z', '"2026-02-16T14:21:00.000Z"'],
    ['yes', '"yes"'],
    ['Null', '"Null"'],
    ['a: b', '"a: b"'],
    ['x # y', '"x # y"'],
    ['say "hi"', '"say \\"hi\\""'],
    ['', '""'],
    ['line1\r\n  line2', 'line1 line2'],
    ['error: see\nlog', '"error: see log"'],
    ['del\u007f', '"del\\u007f"'],
  ])('%j → %s', (input, expected) => {
    expect(yamlScalar(input)).toBe(expected);
  });
});

describe('formatExecutionLogLine', () => {
  const base = { at: new Date(2026, 1, 16, 14, 20, 31), server: 'email-server', tool: 'send_email', step: 2, attempt: 1, outcome: 'success', durationMs: 412.4 };

  it('writes time, step, server.tool, attempt, outcome, duration and detail', () => {
    expect(formatExecutionLogLine({ ...base, detail: 'Sent <id>' })).toBe(
      '- 2026-02-16 14:20:31 step 2 email-server.send_email attempt 1: success (412 ms) — Sent <id>',
    );
    expect(formatExecutionLogLine(base)).toBe('- 2026-02-16 14:20:31 step 2 email-server.send_email attempt 1: success (412 ms)');
  });

  it('cuts the detail to one line of at most 160 characters', () => {
    const line = formatExecutionLogLine({ ...base, outcome: 'timeout', detail: `first\nsecond ${'x'.repeat(300)}` });
    const detail = line.split(' — ')[1] ?? '';
    expect(detail.startsWith('first second x')).toBe(true);
    expect(Array.from(detail)).toHaveLength(160);
    expect(detail.endsWith('…')).toBe(true);
  });
});

describe('yamlScalar round trip', () => {
  it('reads back as the same one-line string with gray-matter (YAML 1.1) and yaml (1.2)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 60 }), (value) => {
        const expected = value.replace(/[ \t]*[\r\n\u2028\u2029]+[ \t]*/g, ' ').trim();
        const text = applyPlanUpdate('# body\n', { fields: { error: value } });
        expect(YAML.parse(text.split('---\n')[1] ?? '')).toEqual({ error: expected });
        expect(matter(text, {}).data).toEqual({ error: expected });
        expect(text.endsWith('---\n# body\n')).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});

describe('ticks after earlier updates moved the body', () => {
  it('ticks the right step when lines are counted in the text the plan was parsed from', () => {
    const original = '---\nid: p\nerror: old\n---\n## Steps\n- [ ] manual step\n- [ ] send it\n';
    let text = original;
    text = applyPlanUpdate(text, { fields: { status: 'in_progress', completed_at: 'x', error: null } }, original);
    text = applyPlanUpdate(text, { tickLines: [7] }, original); // "send it" was line 7 when parsed
    expect(text).toBe('---\nid: p\nstatus: in_progress\ncompleted_at: x\n---\n## Steps\n- [ ] manual step\n- [x] send it\n');
    const bare = '## Steps\n- [ ] a\n- [ ] b\n';
    const withFm = applyPlanUpdate(bare, { fields: { status: 'in_progress' } }, bare);
    expect(applyPlanUpdate(withFm, { tickLines: [3] }, bare)).toBe('---\nstatus: in_progress\n---\n## Steps\n- [ ] a\n- [x] b\n');
  });
});

describe('JSON front matter', () => {
  it('sets fields inside ---json front matter so the plan still parses, body kept byte for byte', async () => {
    const { parsePlan } = await import('../../../src/plan/parse.js');
    const actions = { send: { server: 's', tool: 't', keywords: [], idempotent: false, defaults: {} } };
    const text = '---json\n{"action": "send", "to": "a@b.co"}\n---\nBody stays.\n';
    const updated = applyPlanUpdate(text, { fields: { status: 'in_progress' } });
    const parsed = parsePlan(updated, 'j.md', actions);
    expect(parsed.ok && parsed.plan.status).toBe('in_progress');
    expect(parsed.ok && parsed.plan.steps[0]).toMatchObject({ action: 'send', args: { to: 'a@b.co' } });
    expect(updated.endsWith('---\nBody stays.\n')).toBe(true);
  });
});
