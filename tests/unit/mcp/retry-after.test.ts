/** Retry-After of an HTTP 429 (retry-after.ts): read through the fetch given to the transport. */
import { describe, expect, it } from 'vitest';
import { fetchReadingRetryAfter, HttpRateLimited, parseRetryAfter } from '../../../src/mcp/retry-after.js';
import { classifyError } from '../../../src/execution/classify.js';
import { McpCallError } from '../../../src/mcp/errors.js';

const NOW = Date.parse('2026-02-05T11:00:00Z');

describe('parseRetryAfter', () => {
  it.each([
    ['120', 120_000],
    ['0', 0],
    ['Thu, 05 Feb 2026 11:00:30 GMT', 30_000],
    ['Thu, 05 Feb 2026 10:59:00 GMT', 0],
    ['soon', undefined],
    ['', undefined],
    [null, undefined],
    ['999999999', undefined],
  ])('%s → %s', (value, ms) => {
    expect(parseRetryAfter(value, NOW)).toBe(ms);
  });
});

describe('fetchReadingRetryAfter', () => {
  it('turns a 429 into HttpRateLimited with the wait; the classifier makes it a rate_limit nothing was sent for', async () => {
    const inner = async () => new Response('slow down', { status: 429, headers: { 'retry-after': '7' } });
    const error = await fetchReadingRetryAfter(() => NOW, inner)('http://x/mcp').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HttpRateLimited);
    expect((error as HttpRateLimited).retryAfterMs).toBe(7_000);
    const step = classifyError(new McpCallError('remote', 'call', `remote.fault: ${(error as Error).message}`, { cause: error }));
    expect(step).toMatchObject({ type: 'rate_limit', sent: false, retryAfterMs: 7_000 });
  });

  it('passes any other answer through untouched', async () => {
    const response = new Response('{}', { status: 200 });
    expect(await fetchReadingRetryAfter(() => NOW, async () => response)('http://x/mcp')).toBe(response);
  });
});
