/**
 * Seeded, bounded fuzzing of parsePlan + validatePlan (SPEC §5, §7, §9.5), adding to the properties of
 * tests/unit/plan/properties.test.ts (which show neither throws on random text, bytes or odd plans):
 * - mutations of every hostile-corpus file and of valid plans never throw, and every problem is one
 *   line that names the file;
 * - a model of the policy: whatever status, expiry, allowlist and actions a plan has, validation accepts
 *   it exactly when the policy allows it, and says which rule it broke otherwise;
 * - parsing is deterministic, and steps get distinct idempotency keys.
 * Reproduce a failure with the printed seed and path (fast-check prints both).
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parsePlan } from '../../src/plan/parse.js';
import { formatProblem } from '../../src/plan/problems.js';
import { validatePlan } from '../../src/plan/validate.js';
import { actions, ctx, NOW } from '../unit/plan/fixtures.js';
import { HOSTILE_DIR } from './hostile-manifest.js';

const SEED = 20260301;
const FILE = 'Approved/fuzz.md';

const VALID_PLANS = [
  '---\naction: send_email\nto: client@example.com\nsubject: Hi\nbody: Hello.\n---\n',
  '---\nid: p\nmode: parallel\n---\n## Steps\n- [ ] Draft\n  ```yaml\n  id: draft\n  action: ask_model\n  prompt: two lines\n  ```\n- [ ] Send email\n  ```yaml\n  action: send_email\n  to: a@example.com\n  subject: Q4\n  body: "{{ steps.draft.text }}"\n  ```\n- [ ] Save a copy\n  - action: write_vault\n  - path: Notes/q4.md\n  - content: sent\n',
  '---\nsteps:\n  - {id: a, action: read_vault, path: Notes/a.md}\n  - {id: b, action: write_vault, path: Notes/b.md, content: "{{ steps.a.text }}", depends_on: [a]}\n---\n',
];
const CORPUS = readdirSync(HOSTILE_DIR).map((name) => readFileSync(path.join(HOSTILE_DIR, name)));
const SEEDS = [...CORPUS, ...VALID_PLANS.map((text) => Buffer.from(text))];

const PLAN_BITS = ['---\n', '---js\n', '## Steps\n', '- [ ] ', '- [x] ', '  ```yaml\n', '  ```\n', 'action: send_email\n', 'status: rejected\n',
  'approved_actions: [read_vault]\n', 'expires: 2020-01-01\n', '{{ steps.a.text }}', '&a [*a, *a]\n', 'depends_on: [a]\n', '\u0000', '\r\n', '\t', '\uFEFF'];

/** One edit of a byte string: flip, insert, delete, duplicate a line, splice in plan syntax, truncate. */
const mutation = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 8 }) }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 64 }) }),
  fc.record({ kind: fc.constant('splice' as const), at: fc.nat(), text: fc.constantFrom(...PLAN_BITS) }),
  fc.record({ kind: fc.constant('duplicate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
);
type Mutation = typeof mutation extends fc.Arbitrary<infer T> ? T : never;

function mutate(input: Buffer, edit: Mutation): Buffer {
  const at = input.length === 0 ? 0 : edit.at % (input.length + 1);
  switch (edit.kind) {
    case 'flip': {
      const out = Buffer.from(input);
      if (at < out.length) out[at] = (out[at] as number) ^ (1 << edit.bit);
      return out;
    }
    case 'insert':
      return Buffer.concat([input.subarray(0, at), Buffer.from(edit.bytes), input.subarray(at)]);
    case 'delete':
      return Buffer.concat([input.subarray(0, at), input.subarray(at + edit.length)]);
    case 'splice':
      return Buffer.concat([input.subarray(0, at), Buffer.from(edit.text), input.subarray(at)]);
    case 'duplicate': {
      const start = input.lastIndexOf(10, at - 1) + 1;
      const end = input.indexOf(10, at);
      const line = input.subarray(start, end === -1 ? input.length : end + 1);
      return Buffer.concat([input.subarray(0, start), line, input.subarray(start)]);
    }
    case 'truncate':
      return input.subarray(0, at);
  }
}

function checkProblems(problems: readonly { code: string; message: string; file?: string }[]): void {
  expect(problems.length).toBeGreaterThan(0);
  for (const problem of problems) {
    expect(problem.file).toBe(FILE);
    expect(problem.message).not.toMatch(/[\r\n]/);
    expect(formatProblem(problem as Parameters<typeof formatProblem>[0])).not.toMatch(/[\r\n]/);
  }
}

describe('fuzzing the plan parser and validator', () => {
  it('mutated corpus files and plans: no throw, every problem one line naming the file', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: SEEDS.length - 1 }), fc.array(mutation, { minLength: 1, maxLength: 6 }), (pick, edits) => {
        const input = edits.reduce(mutate, SEEDS[pick] as Buffer);
        const parsed = parsePlan(input, FILE, actions);
        if (!parsed.ok) checkProblems(parsed.problems);
        if (parsed.plan === undefined) return;
        // A partly parsed plan is validated too (prepare.ts), so every problem is reported at once.
        const valid = validatePlan(parsed.plan, { ...ctx(), ...(parsed.ok ? {} : { incomplete: true }) });
        if (!valid.ok) checkProblems(valid.problems);
      }),
      { seed: SEED, numRuns: 1500 },
    );
  });

  it('parsing is deterministic, and bytes parse like the text they encode', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: SEEDS.length - 1 }), fc.array(mutation, { maxLength: 3 }), (pick, edits) => {
        const input = edits.reduce(mutate, SEEDS[pick] as Buffer);
        const first = parsePlan(input, FILE, actions);
        expect(parsePlan(input, FILE, actions)).toEqual(first);
        const text = new TextDecoder('utf-8', { fatal: false }).decode(input);
        if (Buffer.from(text).equals(input) && !text.startsWith('\uFEFF')) expect(parsePlan(text, FILE, actions)).toEqual(first);
      }),
      { seed: SEED, numRuns: 400 },
    );
  });

  const KNOWN = ['send_email', 'ask_model', 'write_vault', 'read_vault'] as const;
  const ARGS: Record<(typeof KNOWN)[number], string> = {
    send_email: 'to: client@example.com, subject: Hi',
    ask_model: 'prompt: hi',
    write_vault: 'path: Notes/a.md, content: x',
    read_vault: 'path: Notes/a.md',
  };
  const day = 24 * 60 * 60 * 1000;
  const localIso = (d: Date): string =>
    `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}T${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}:${String(d.getSeconds()).padStart(2, '0')}`;
  const policyPlan = fc.record({
    status: fc.option(fc.constantFrom('pending', 'approved', 'rejected', 'REJECTED', 'Draft', 'draft', 'in_progress'), { nil: undefined }),
    // Offsets from NOW, written with a zone (UTC) or without one (local time, SPEC §5).
    expires: fc.option(fc.record({ offsetMs: fc.integer({ min: -30 * day, max: 30 * day }), zoned: fc.boolean() }), { nil: undefined }),
    approved: fc.option(fc.subarray([...KNOWN, 'post_linkedin']), { nil: undefined }),
    steps: fc.array(fc.constantFrom(...KNOWN, 'nope'), { minLength: 1, maxLength: 4 }),
  });

  it('validation accepts a plan exactly when the policy allows it, and names the broken rule', () => {
    fc.assert(
      fc.property(policyPlan, (p) => {
        const expiresAt = p.expires === undefined ? undefined : new Date(NOW.getTime() + p.expires.offsetMs);
        const lines = ['---', 'id: policy'];
        if (p.status !== undefined) lines.push(`status: ${p.status}`);
        if (expiresAt !== undefined && p.expires) lines.push(`expires: "${p.expires.zoned ? expiresAt.toISOString() : localIso(expiresAt)}"`);
        if (p.approved !== undefined) lines.push(`approved_actions: [${p.approved.join(', ')}]`);
        lines.push('steps:', ...p.steps.map((a) => `  - {action: ${a}${a === 'nope' ? '' : `, ${ARGS[a as keyof typeof ARGS]}`}}`), '---', '');
        const parsed = parsePlan(lines.join('\n'), FILE, actions);
        expect(parsed.ok, JSON.stringify(!parsed.ok && parsed.problems)).toBe(true);
        if (!parsed.ok) return;
        const result = validatePlan(parsed.plan, ctx());
        const codes = new Set(result.ok ? [] : result.problems.map((problem) => problem.code));

        const refused = p.status !== undefined && ['rejected', 'draft'].includes(p.status.toLowerCase());
        // Local times are written in whole seconds, UTC ones to the millisecond.
        const writtenMs = expiresAt === undefined ? undefined : p.expires?.zoned ? expiresAt.getTime() : Math.floor(expiresAt.getTime() / 1000) * 1000;
        const expired = writtenMs !== undefined && writtenMs <= NOW.getTime();
        const unknown = p.steps.includes('nope');
        const notApproved = p.approved !== undefined && p.steps.some((a) => !p.approved?.includes(a));
        expect(codes.has('refused_status')).toBe(refused);
        expect(codes.has('expired')).toBe(expired);
        expect(codes.has('unknown_action')).toBe(unknown);
        expect(codes.has('not_approved_action')).toBe(notApproved);
        expect(result.ok).toBe(!refused && !expired && !unknown && !notApproved);
      }),
      { seed: SEED, numRuns: 500 },
    );
  });

  it('every step of a valid plan gets its own idempotency key, the same on every parse', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...KNOWN), { minLength: 1, maxLength: 8 }), fc.boolean(), (steps, sameArgs) => {
        const text = ['---', 'id: keys', 'steps:', ...steps.map((a) => `  - {action: ${a}, ${sameArgs ? ARGS.read_vault : ARGS[a]}}`), '---', ''].join('\n');
        const keysOf = () => {
          const parsed = parsePlan(text, FILE, actions);
          if (!parsed.ok) return undefined;
          const valid = validatePlan(parsed.plan, ctx());
          return valid.ok ? valid.plan.steps.map((step) => step.idempotencyKey) : undefined;
        };
        const keys = keysOf();
        if (keys === undefined) return; // arguments that do not fit the tool: not this property's business
        expect(new Set(keys).size).toBe(keys.length);
        expect(keysOf()).toEqual(keys);
      }),
      { seed: SEED, numRuns: 200 },
    );
  });
});
