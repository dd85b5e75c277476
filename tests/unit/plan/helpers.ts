import { expect } from 'vitest';
import { parsePlan, type ParseOptions } from '../../../src/plan/parse.js';
import type { PlanProblem, PlanProblemCode } from '../../../src/plan/types.js';
import { FILE, actions } from './fixtures.js';

export function parseProblems(text: string | Uint8Array, opts?: ParseOptions): readonly PlanProblem[] {
  const result = parsePlan(text, FILE, actions, opts);
  if (result.ok) throw new Error('expected the plan to be rejected, but it parsed');
  return result.problems;
}

/** Asserts that exactly one problem has `code`, and that it names `phrase` (and step/line when given). */
export function expectOne(
  problems: readonly PlanProblem[],
  code: PlanProblemCode,
  phrase: string | RegExp,
  where: { step?: number; line?: number } = {},
): PlanProblem {
  const matching = problems.filter((p) => p.code === code);
  expect(matching, JSON.stringify(problems)).toHaveLength(1);
  const p = matching[0]!;
  expect(p.message).toMatch(phrase);
  expect(p.file).toBe(FILE);
  if ('step' in where) expect(p.step).toBe(where.step);
  if ('line' in where) expect(p.line).toBe(where.line);
  expect(p.message).not.toMatch(/\n/);
  return p;
}
