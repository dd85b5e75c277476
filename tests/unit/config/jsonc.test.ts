import { describe, expect, it } from 'vitest';
import { parseJsonc } from '../../../src/config/jsonc.js';

describe('parseJsonc', () => {
  it('ignores comments and trailing commas but not look-alikes inside strings', () => {
    const text = '\uFEFF{ // c\n "url": "http://x/*y*/", /* b\n c */ "a": [1, 2,], "s": "a, }",\n}';
    expect(parseJsonc(text)).toEqual({ ok: true, value: { url: 'http://x/*y*/', a: [1, 2], s: 'a, }' } });
  });

  it('keeps escaped quotes inside strings', () => {
    expect(parseJsonc('{"a": "say \\"hi\\" // not a comment"}')).toEqual({ ok: true, value: { a: 'say "hi" // not a comment' } });
  });

  it('points at the line and column of a syntax error, after a multi-line comment', () => {
    expect(parseJsonc('/* one\n two */\n{"a": 1 "b": 2}')).toEqual({
      ok: false,
      message: "line 3, column 9: invalid JSON: Expected ',' or '}' after property value",
    });
  });

  it('does not echo the input in errors without a position', () => {
    const result = parseJsonc('{"password": secret}');
    expect(result.ok).toBe(false);
    expect(!result.ok && result.message).not.toContain('password');
  });

  it('does not echo the input when the quoted snippet is cut short either', () => {
    const result = parseJsonc(`{"a": 1, "b": 2, "c": 3,\n "password": hunter2-secret-value, "d": 4, "e": 5}`);
    expect(result).toEqual({ ok: false, message: "line 2, column 14: invalid JSON: Unexpected token 'h'" });
  });

  it('still points at the line and column when V8 quotes the input instead of giving a position', () => {
    expect(parseJsonc(`{\n  "token": 'abc'\n}`)).toEqual({ ok: false, message: "line 2, column 12: invalid JSON: Unexpected token '''" });
  });
});
