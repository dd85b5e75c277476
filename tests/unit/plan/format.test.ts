import { describe, expect, it } from 'vitest';
import { formatProblem } from '../../../src/plan/problems.js';
import { parsePlan } from '../../../src/plan/parse.js';
import { actions } from './fixtures.js';

describe('formatProblem', () => {
  it.each([
    [{ code: 'bad_template', message: 'm', file: 'a.md', step: 2, line: 9 }, 'a.md: step 2 (line 9): m'],
    [{ code: 'bad_template', message: 'm', file: 'a.md', step: 2 }, 'a.md: step 2: m'],
    [{ code: 'front_matter', message: 'm', file: 'a.md', line: 3 }, 'a.md: line 3: m'],
    [{ code: 'expired', message: 'm', file: 'a.md' }, 'a.md: m'],
    [{ code: 'expired', message: 'm' }, 'm'],
    [{ code: 'expired', message: 'two\n  lines' }, 'two lines'],
  ] as const)('%j → %s', (p, line) => {
    expect(formatProblem(p)).toBe(line);
  });

  it('formats a real problem on one line naming file, step and line', () => {
    const result = parsePlan('## Steps\n- [?] Send email\n', 'Approved/x.md', actions);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(formatProblem(result.problems[0]!)).toMatch(/^Approved\/x\.md: step 1 \(line 2\): checkbox \[\?\] is not understood/);
  });
});
