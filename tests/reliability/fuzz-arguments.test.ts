/**
 * Seeded fuzzing of argument names and json step blocks (issue 12, SPEC §5): whatever a name is turned
 * into, validation never throws and a name the tool does not declare is always reported, by name, for a
 * strict schema and for a zod-built one that leaves additionalProperties unset; whatever a json block is
 * turned into, a block that is not strict JSON is always a step_syntax problem, never read as YAML.
 * Reproduce a failure with the printed seed and path.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parsePlan } from '../../src/plan/parse.js';
import { quote } from '../../src/plan/problems.js';
import { SINGLE_ACTION_RESERVED } from '../../src/plan/front-matter-steps.js';
import { STEP_KEYS } from '../../src/plan/step-fields.js';
import type { PlanProblem } from '../../src/plan/types.js';
import { validatePlan } from '../../src/plan/validate.js';
import { actions, catalog, ctx } from '../unit/plan/fixtures.js';

const SEED = 20261202;
const FILE = 'Approved/plan.md';
const DECLARED = ['to', 'subject', 'body', 'cc', 'idempotency_key'];
const zodMail = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  type: 'object',
  properties: { to: { type: 'string' }, subject: { type: 'string' }, body: { type: 'string' }, cc: { type: 'array', items: { type: 'string' } }, idempotency_key: { type: 'string' } },
  required: ['to', 'subject'],
};
const contexts = { strict: ctx(), zod: ctx({ tools: catalog({ 'email-server': [{ name: 'send_email', inputSchema: zodMail }] }) }) };

/** parse + validate as `check` and the daemon do (prepare.ts): a partly parsed plan is validated too. */
function allProblems(text: string, which: keyof typeof contexts): readonly PlanProblem[] {
  const parsed = parsePlan(text, FILE, actions);
  const parseProblems = parsed.ok ? [] : parsed.problems;
  if (parsed.plan === undefined) return parseProblems;
  const valid = validatePlan(parsed.plan, { ...contexts[which], ...(parsed.ok ? {} : { incomplete: true }) });
  return [...parseProblems, ...(valid.ok ? [] : valid.problems)];
}

const NAME_CHARS = 'abcdefghijklmnopqrstuvwxyz_-.0123456789ABCXYZ';
/** A declared name with one to three edits: insert, delete, replace, swap. */
const editedName = fc
  .tuple(fc.constantFrom('body', 'subject', 'cc'), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 3 }), fc.constantFrom(...NAME_CHARS)), { minLength: 1, maxLength: 3 }))
  .map(([base, edits]) =>
    edits.reduce((name: string, [at, kind, ch]) => {
      const i = at % (name.length + 1);
      if (kind === 0) return name.slice(0, i) + ch + name.slice(i);
      if (kind === 1) return name.length > 1 ? name.slice(0, i) + name.slice(i + 1) : name;
      if (kind === 2) return name.slice(0, i) + ch + name.slice(i + 1);
      return i + 1 < name.length ? name.slice(0, i) + name.charAt(i + 1) + name.charAt(i) + name.slice(i + 2) : name;
    }, base as string),
  )
  .filter((name) => /^[A-Za-z_][\w.-]*$/.test(name));

/** Not an argument of send_email, and not a key with a meaning of its own (step keys, single-action plan keys). */
const isUnknown = (name: string): boolean => !DECLARED.includes(name) && !STEP_KEYS.has(name) && !SINGLE_ACTION_RESERVED.has(name);

describe('fuzzing argument names', () => {
  it('an edited name in a yaml block, sub-bullets or the front matter: never throws, always reported by name when unknown', () => {
    fc.assert(
      fc.property(editedName, fc.constantFrom('yaml', 'bullets', 'front'), fc.constantFrom('strict', 'zod') as fc.Arbitrary<keyof typeof contexts>, (name, form, which) => {
        const fields = ['to: a@b.co', 'subject: s', `${name}: x`];
        const text =
          form === 'front'
            ? ['---', 'action: send_email', ...fields, '---', ''].join('\n')
            : form === 'yaml'
              ? ['## Steps', '- [ ] Mail', '  ```yaml', '  action: send_email', ...fields.map((f) => `  ${f}`), '  ```', ''].join('\n')
              : ['## Steps', '- [ ] Mail', '  - action: send_email', ...fields.map((f) => `  - ${f}`), ''].join('\n');
        const problems = allProblems(text, which);
        if (!isUnknown(name)) return;
        const reported = problems.filter((p) => p.code === 'unknown_argument');
        expect(reported, JSON.stringify(problems)).toHaveLength(1);
        expect(reported[0]?.message).toContain(`no argument ${quote(name)}`);
        expect(reported[0]?.step).toBe(1);
      }),
      { seed: SEED, numRuns: 600 },
    );
  });

  it('any string as a name in a json block (hostile ones included): never throws, reported when unknown', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 40 }), fc.constantFrom('__proto__', 'constructor', 'toString', 'hasOwnProperty', '', ' body', 'Body', 'body\n')), fc.constantFrom('strict', 'zod') as fc.Arbitrary<keyof typeof contexts>, (name, which) => {
        const block = JSON.stringify({ action: 'send_email', to: 'a@b.co', subject: 's', [name]: 'x' });
        const problems = allProblems(['## Steps', '- [ ] Mail', '  ```json', `  ${block}`, '  ```', ''].join('\n'), which);
        if (!isUnknown(name)) return;
        const reported = problems.filter((p) => p.code === 'unknown_argument');
        expect(reported, JSON.stringify(problems)).toHaveLength(1);
        expect(reported[0]?.message).toContain(`no argument ${quote(name)}`);
        // Reported once: not again as the schema's own "unexpected argument".
        expect(problems.filter((p) => p.message.includes('unexpected argument'))).toEqual([]);
        for (const p of problems) expect(p.message).not.toMatch(/[\r\n]/);
      }),
      { seed: SEED, numRuns: 600 },
    );
  });
});

describe('fuzzing json step blocks', () => {
  const VALID = '{"action": "send_email", "to": "a@b.co", "subject": "s", "body": "hi"}';
  const bits = [',', '{', '}', '[', ']', '"', "'", ':', ' ', '\n', '//', '#', 'x', '1', 'null', '\\', 'a: b'];
  const edit = fc.oneof(
    fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), text: fc.constantFrom(...bits) }),
    fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 4 }) }),
  );

  it('a mutated block: never throws; not strict JSON → a step_syntax problem on a line of the block, never run as YAML', () => {
    fc.assert(
      fc.property(fc.array(edit, { minLength: 1, maxLength: 4 }), (edits) => {
        const block = edits.reduce((text, e) => {
          const at = e.at % (text.length + 1);
          return e.kind === 'insert' ? text.slice(0, at) + e.text + text.slice(at) : text.slice(0, at) + text.slice(at + e.length);
        }, VALID);
        const lines = block.split('\n');
        const text = ['## Steps', '- [ ] Mail', '  ```json', ...lines.map((l) => `  ${l}`), '  ```', ''].join('\n');
        const problems = allProblems(text, 'strict');
        let strict = true;
        try {
          JSON.parse(block);
        } catch {
          strict = false;
        }
        if (strict || block.includes('```')) return;
        const syntax = problems.filter((p) => p.code === 'step_syntax');
        expect(syntax, JSON.stringify(problems)).toHaveLength(1);
        expect(syntax[0]?.message).toMatch(/json block is not strict JSON/);
        expect(syntax[0]?.line).toBeGreaterThanOrEqual(4);
        expect(syntax[0]?.line).toBeLessThanOrEqual(3 + lines.length);
      }),
      { seed: SEED, numRuns: 800 },
    );
  });
});
