/** A ```json step block is strict JSON (SPEC §5), with the step and the file line of what is wrong. */
import { describe, expect, it } from 'vitest';
import { parseStrictJson } from '../../../src/plan/json-strict.js';
import { parseProblems } from './helpers.js';
import { expectOne } from './helpers.js';

const plan = (...block: string[]): string => ['## Steps', '- [ ] Mail', '  ```json', ...block.map((l) => `  ${l}`), '  ```', ''].join('\n');

describe('json step blocks', () => {
  it.each([
    ['a trailing comma', ['{"action": "send_email",', ' "to": "a@b.co",', '}'], 5, /trailing comma is not allowed/],
    ['a comment', ['{"action": "send_email", // mail', ' "to": "a@b.co"}'], 4, /not strict JSON/],
    ['single quotes', ["{'action': 'send_email'}"], 4, /not strict JSON/],
    ['YAML', ['action: send_email'], 4, /not strict JSON/],
    ['a key given twice', ['{"action": "send_email",', ' "to": "a@b.co",', ' "to": "b@b.co"}'], 6, /key "to" is given twice in one object: keep one/],
  ])('%s: one step_syntax problem on its line', (_what, block, line, message) => {
    const p = expectOne(parseProblems(plan(...block)), 'step_syntax', /^the step's json block is not strict JSON: /, { step: 1, line });
    expect(p.message).toMatch(message);
  });

  it('equal keys in different objects, and strings that look like keys, are fine', () => {
    const parsed = parseStrictJson('{"a": {"k": 1}, "b": {"k": "\\"k\\": 2, \\"k\\""}, "c": ["k", "k"]}');
    expect(parsed.ok).toBe(true);
  });

  it('deep nesting is refused before it is walked', () => {
    const parsed = parseStrictJson(`{"a": ${'['.repeat(5000)}${']'.repeat(5000)}}`);
    expect(parsed.ok || parsed.message).toMatch(/nested too deeply/);
  });
});
