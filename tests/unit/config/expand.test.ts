import { describe, expect, it } from 'vitest';
import { expandVariables } from '../../../src/config/expand.js';

describe('expandVariables', () => {
  it('expands ${VAR} and ${VAR:-default} in nested strings, leaving keys and non-strings alone', () => {
    const input = { '${K}': 'x', a: ['${A}', { b: 'pre-${B:-def}-post' }], n: 3, t: true, z: null };
    const { value, problems } = expandVariables(input, { A: 'alpha', K: 'no' });
    expect(problems).toEqual([]);
    expect(value).toEqual({ '${K}': 'x', a: ['alpha', { b: 'pre-def-post' }], n: 3, t: true, z: null });
  });

  it('uses the default when the variable is empty, like the shell', () => {
    expect(expandVariables('${A:-d}', { A: '' }).value).toBe('d');
    expect(expandVariables('${A:-}', {}).value).toBe('');
    expect(expandVariables('${A}', { A: '' }).value).toBe('');
  });

  it('writes a literal ${ for $${', () => {
    expect(expandVariables('cost $${X}', { X: 'no' }).value).toBe('cost ${X}');
  });

  it('reports every unresolved or malformed reference with its path', () => {
    const { problems } = expandVariables({ s: { t: ['ok', '${MISSING} ${1BAD} ${OPEN'] } }, {});
    expect(problems.map((p) => [p.path, p.message.split(':')[0]])).toEqual([
      [['s', 't', 1], 'environment variable MISSING is not set'],
      [['s', 't', 1], 'invalid variable reference "${1BAD}"'],
      [['s', 't', 1], 'unterminated "${"'],
    ]);
  });
});
