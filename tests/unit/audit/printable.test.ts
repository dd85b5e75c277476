import { describe, expect, it } from 'vitest';
import { formatHumanLine } from '../../../src/audit/format.js';
import { escapeUnprintable, hasUnprintable } from '../../../src/core/text.js';

describe('printable text for terminals and notes', () => {
  it('escapes C0, C1 and bidi controls as \\uXXXX and leaves other text alone', () => {
    expect(escapeUnprintable('a\u001b[2Jb\u0007c\u0085d\u202ee')).toBe('a\\u001b[2Jb\\u0007c\\u0085d\\u202ee');
    expect(escapeUnprintable('plän 計画 🚀')).toBe('plän 計画 🚀');
    expect(hasUnprintable('plain')).toBe(false);
    expect(hasUnprintable('x\u2066y')).toBe(true);
  });

  it('never writes a raw control character into a human log line', () => {
    const line = formatHumanLine(
      { event: 'CLAIM', plan: '\u001b]0;pwned\u0007\u001b[2J', message: 'file \u202egpj.md', params: { note: 'x\u0085y' } },
      new Date(2026, 1, 16, 14, 20, 30),
    );
    expect(line).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/);
    expect(line).toContain('\\u001b]0;pwned');
  });
});
