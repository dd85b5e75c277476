import { describe, expect, it } from 'vitest';
import { REDACTED, isSecretKey, sanitize, sanitizeText } from '../../../src/core/sanitize.js';

describe('sanitize', () => {
  it('masks e-mail addresses keeping the local part and the TLD', () => {
    expect(sanitize({ to: 'client@example.com', cc: ['Jane <jane.doe@mail.acme.co.uk>'] })).toEqual({
      to: 'client@***.com',
      cc: ['Jane <jane.doe@***.uk>'],
    });
  });

  it('redacts values under secret-looking keys, at any depth and in any case', () => {
    const input = {
      api_key: 'abc',
      headers: { Authorization: 'Bearer x', Cookie: 'sid=1', 'X-Api-Key': 'k' },
      nested: [{ accessToken: 't', client_secret: 's', password: 123456 }],
      subject: 'hello',
    };
    expect(sanitize(input)).toEqual({
      api_key: REDACTED,
      headers: { Authorization: REDACTED, Cookie: REDACTED, 'X-Api-Key': REDACTED },
      nested: [{ accessToken: REDACTED, client_secret: REDACTED, password: REDACTED }],
      subject: 'hello',
    });
  });

  it('keeps the idempotency key, keywords and token counts, which are not secrets', () => {
    const input = { idempotency_key: 'plan:2:abc', keywords: ['send email'], max_tokens: 500, tokens: { input: 3, output: 5 } };
    expect(sanitize(input)).toEqual(input);
    expect(sanitize({ tokens: 'secret-string' })).toEqual({ tokens: REDACTED });
    expect(isSecretKey('idempotencyKey')).toBe(false);
    expect(isSecretKey('private_key')).toBe(true);
  });

  it('cuts long strings and says how much was cut', () => {
    const out = sanitize({ body: 'x'.repeat(250) }) as { body: string };
    expect(out.body).toBe(`${'x'.repeat(200)}…(+50 chars)`);
    expect(sanitize('😀'.repeat(5), { maxStringLength: 2 })).toBe('😀😀…(+3 chars)');
  });

  it('survives cycles, bigints, dates, buffers and deep nesting', () => {
    const cyclic: Record<string, unknown> = { n: 1n, when: new Date('2026-01-01T00:00:00Z'), data: new Uint8Array(4) };
    cyclic['self'] = cyclic;
    expect(sanitize(cyclic)).toEqual({ n: '1', when: '2026-01-01T00:00:00.000Z', data: '[4 bytes]', self: '[Circular]' });
    const shared = { a: 1 };
    expect(sanitize([shared, shared])).toEqual([{ a: 1 }, { a: 1 }]);
    expect(JSON.stringify(sanitize({ a: { b: { c: 1 } } }, { maxDepth: 2 }))).toBe('{"a":{"b":"[Truncated]"}}');
  });

  it('only normalizes when redact is false', () => {
    expect(sanitize({ to: 'a@b.com', token: 't' }, { redact: false })).toEqual({ to: 'a@b.com', token: 't' });
  });
});

describe('sanitizeText', () => {
  it.each([
    ['smtp://user:hunter2@smtp.example.com:587', 'smtp://user:[REDACTED]@smtp.example.com:587'],
    ['401: Authorization: Bearer abc.def-ghi', '401: Authorization: Bearer [REDACTED]'],
    ['bad key sk-ant-api03-abcdefghijkl', 'bad key [REDACTED]'],
    ['gemini AIzaSyA1234567890abcdefghijkl rejected', 'gemini [REDACTED] rejected'],
    ['failed: {"password":"p@ss word"} token=abc123&x=1', 'failed: {"password":"[REDACTED]"} token=[REDACTED]&x=1'],
    ['could not deliver to client@example.com', 'could not deliver to client@***.com'],
    ['max_tokens=500 idempotency_key=plan:1:abc', 'max_tokens=500 idempotency_key=plan:1:abc'],
  ])('%s', (input, expected) => {
    expect(sanitizeText(input)).toBe(expected);
    expect(sanitizeText(expected)).toBe(expected);
  });
});
