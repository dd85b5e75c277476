/**
 * HTTP 429's `Retry-After`, for Streamable HTTP and SSE servers. The SDK turns a 429 into an error that
 * keeps the status and the body but drops the headers, so the transport is given a `fetch` that reads
 * the header first: a 429 becomes an HttpRateLimited carrying how long the server asked us to wait, and
 * the classifier (execution/classify.ts) hands that on as the step error's retryAfterMs.
 */
import type { FetchLike } from '@modelcontextprotocol/sdk/shared/transport.js';
import { excerpt } from './transport-error.js';

/** A 429 answer: the server refused the request unprocessed and asked for `retryAfterMs` (when it said). */
export class HttpRateLimited extends Error {
  override readonly name = 'HttpRateLimited';
  readonly status = 429;
  constructor(
    readonly retryAfterMs: number | undefined,
    body: string,
  ) {
    const wait = retryAfterMs === undefined ? '' : `; it asks to wait ${Math.ceil(retryAfterMs / 1000)} s (Retry-After)`;
    super(`HTTP 429 Too Many Requests${body ? ` (${excerpt(body)})` : ''}${wait}`);
  }
}

/** Longest Retry-After believed (a day): a larger or absurd value is read as "no usable hint". */
const MAX_RETRY_AFTER_MS = 24 * 60 * 60 * 1000;

/** `Retry-After` as milliseconds from `nowMs`: delay-seconds or an HTTP-date (RFC 9110 §10.2.3). Pure. */
export function parseRetryAfter(value: string | null | undefined, nowMs: number): number | undefined {
  const text = value?.trim();
  if (!text) return undefined;
  const ms = /^\d+$/.test(text) ? Number(text) * 1000 : Date.parse(text) - nowMs;
  if (!Number.isFinite(ms)) return undefined;
  const bounded = Math.max(0, ms);
  return bounded > MAX_RETRY_AFTER_MS ? undefined : bounded;
}

/** A fetch that turns a 429 into HttpRateLimited (the body read for the message), other answers as they are. */
export function fetchReadingRetryAfter(now: () => number, inner: FetchLike = fetch): FetchLike {
  return async (url, init) => {
    const response = await inner(url, init);
    if (response.status !== 429) return response;
    const body = await response.text().catch(() => '');
    throw new HttpRateLimited(parseRetryAfter(response.headers.get('retry-after'), now()), body);
  };
}
