import fc from 'fast-check';
import { describe, it } from 'vitest';
import { parsePlan } from '../../../src/plan/parse.js';
import { validatePlan } from '../../../src/plan/validate.js';
import { actions, ctx } from './fixtures.js';

const SEED = 20260216;

// Pieces of plan syntax, so random inputs reach the deeper parsers rather than failing at the first line.
const fragment = fc.constantFrom(
  '---\n', '---js\n', '## Steps\n', '# Steps\n', '- [ ] ', '- [x] ', '- [-] ', '1. ', '  - ', '  ```yaml\n', '```\n', '```json\n',
  'action: send_email\n', 'action: ask_model\n', 'server: vault-watcher\n', 'tool: read_note\n', 'id: a\n', 'id: b\n',
  'depends_on: [a, b]\n', 'to: "{{ steps.a.text }}"\n', 'prompt: "{{ steps.b.structured.x.0 }}"\n', 'body: {{ plan.id }}\n',
  'steps:\n', '  - action: read_vault\n', '    path: a.md\n', 'expires: 2026-02-17\n', 'mode: parallel\n', 'status: draft\n',
  'approved_actions: [send_email]\n', 'Send email to Bob\n', 'Draft a note\n', '&a [*a]\n', ': \n', '? [x]\n', '{{ }}', '\t', '\r\n', '\n',
);
const planLike = fc.array(fc.oneof(fragment, fc.string({ maxLength: 20 })), { maxLength: 30 }).map((parts) => parts.join(''));

describe('properties', () => {
  it('parsePlan never throws on arbitrary strings', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 400 }), planLike), (text) => {
        parsePlan(text, 'p.md', actions);
      }),
      { seed: SEED, numRuns: 400 },
    );
  });

  it('parsePlan never throws on arbitrary bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400 }), (bytes) => {
        parsePlan(bytes, 'p.md', actions);
      }),
      { seed: SEED, numRuns: 300 },
    );
  });

  it('validatePlan never throws on whatever parsePlan accepts', () => {
    fc.assert(
      fc.property(planLike, fc.boolean(), (text, strict) => {
        const result = parsePlan(text, 'p.md', actions);
        if (result.ok) validatePlan(result.plan, ctx({ strict }));
      }),
      { seed: SEED, numRuns: 400 },
    );
  });

  it('validatePlan never throws on structurally odd plans', () => {
    const args = fc.dictionary(fc.string({ maxLength: 8 }), fc.oneof(fc.jsonValue({ maxDepth: 3 }), fc.constantFrom('{{ steps.a.text }}', '{{ now }}', '{{ x }}', '{{ plan.nope }}')), { maxKeys: 5 });
    const step = fc.record({
      kind: fc.constant('action' as const),
      id: fc.constantFrom('a', 'b', 'c', 'step1'),
      text: fc.string({ maxLength: 10 }),
      done: fc.boolean(),
      action: fc.option(fc.constantFrom('send_email', 'ask_model', 'read_vault', 'nope', 'constructor', '__proto__'), { nil: undefined }),
      server: fc.option(fc.constantFrom('email-server', 'vault-watcher', 'linkedin-server', 'toString'), { nil: undefined }),
      tool: fc.option(fc.constantFrom('send_email', 'read_note', 'hasOwnProperty'), { nil: undefined }),
      args,
      dependsOn: fc.array(fc.constantFrom('a', 'b', 'c', 'z'), { maxLength: 3 }),
    });
    const plan = fc.record({
      mode: fc.constantFrom('sequential' as const, 'parallel' as const),
      expires: fc.option(fc.string({ maxLength: 25 }), { nil: undefined }),
      status: fc.option(fc.string({ maxLength: 10 }), { nil: undefined }),
      approvedActions: fc.option(fc.array(fc.string({ maxLength: 10 }), { maxLength: 3 }), { nil: undefined }),
      steps: fc.array(step, { maxLength: 6 }),
    });
    fc.assert(
      fc.property(plan, (p) => {
        const steps = p.steps.map((s, i) => ({ ...s, index: i + 1 }));
        validatePlan({ id: 'p', file: 'p.md', shape: 'front_matter_steps', frontMatter: {}, bodyLine: 1, ...p, steps }, ctx());
      }),
      { seed: SEED, numRuns: 300 },
    );
  });
});
