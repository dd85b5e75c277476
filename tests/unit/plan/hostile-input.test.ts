import { describe, expect, it } from 'vitest';
import { parsePlan } from '../../../src/plan/parse.js';
import { validatePlan } from '../../../src/plan/validate.js';
import { actions, ctx } from './fixtures.js';

// Inputs near the 1 MiB limit built to trigger quadratic behaviour (regex backtracking, repeated
// string building). Each must finish well inside the test timeout with a plain result.
const NEAR_LIMIT = 1000 * 1000;

function parseAndValidate(text: string): { ok: boolean; codes: string[] } {
  const parsed = parsePlan(text, 'big.md', actions);
  if (!parsed.ok) return { ok: false, codes: parsed.problems.map((p) => p.code) };
  const valid = validatePlan(parsed.plan, ctx());
  return { ok: valid.ok, codes: valid.ok ? [] : valid.problems.map((p) => p.code) };
}

describe('hostile input near the size limit', () => {
  it('an argument full of unclosed {{', () => {
    // `]]` keeps brackets balanced so the YAML depth guard stays quiet and the template scan is hit.
    const body = '{{ ]] '.repeat(NEAR_LIMIT / 6 - 100);
    const result = parseAndValidate(`---\naction: read_vault\npath: "${body}"\n---\n`);
    expect(result.ok).toBe(true);
  });

  it('unbalanced brackets past the depth guard are refused, not parsed', () => {
    expect(parseAndValidate(`---\naction: read_vault\npath: "${'{{ '.repeat(1000)}"\n---\n`).codes).toEqual(['front_matter']);
  });

  it('a heading with a long run of inner spaces', () => {
    const result = parseAndValidate(`# a${' '.repeat(NEAR_LIMIT - 20)}b\n`);
    expect(result.codes).toEqual(['no_steps']);
  });

  it('one item continued over a hundred thousand lines', () => {
    const result = parseAndValidate(`## Steps\n- [ ] Call\n${'x\n'.repeat(NEAR_LIMIT / 2 - 20)}`);
    expect(result.ok).toBe(true);
  });

  it('a step text repeating a keyword', () => {
    const result = parseAndValidate(`## Steps\n- [ ] ${'send emails '.repeat(NEAR_LIMIT / 12 - 10)}\n`);
    expect(result.ok).toBe(true);
  });

  it('many steps over the step cap', () => {
    expect(parseAndValidate(`## Steps\n${'- [ ] Call\n'.repeat(NEAR_LIMIT / 11)}`).codes).toEqual(['too_large']);
  });

  it('a long key with no colon in a sub-bullet and a deep block', () => {
    const result = parseAndValidate(`## Steps\n- [ ] Send email\n  - ${'k'.repeat(NEAR_LIMIT / 2)}\n  \`\`\`yaml\n  a: ${'['.repeat(1000)}\n  \`\`\`\n`);
    expect(result.codes).toEqual(['step_syntax']);
  });
});
