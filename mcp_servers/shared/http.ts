/**
 * JSON over HTTP for the bundled servers that call web APIs (LinkedIn here, model providers in
 * model-router): global fetch with a deadline, and the mapping of HTTP statuses to the error types of
 * SPEC §7, each marked with whether the request may have been acted on (`sent`, see result.ts): not
 * when no connection was made or the API refused it with a 4xx; possibly when the connection broke or
 * timed out after the request was written, or the API failed with a 5xx. Shared by the LinkedIn and
 * model-router servers.
 */
import { ToolFailure } from './result.js';

export interface HttpRequest {
  /** Who we talk to, for messages: "LinkedIn", "Anthropic (sonnet)". */
  readonly service: string;
  readonly method: 'GET' | 'POST';
  readonly url: string;
  readonly headers: Record<string, string>;
  readonly body?: unknown;
  readonly timeoutMs: number;
  /** Cancellation from the MCP caller, combined with the deadline. */
  readonly signal?: AbortSignal;
  readonly now: () => Date;
  /**
   * False when sending twice has a visible effect (publishing a post). A failure after the request may
   * have left is then `ambiguous`, never `connection`, so nobody retries it blindly.
   */
  readonly idempotent: boolean;
}

export interface HttpReply {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  /** The body parsed as JSON, or undefined when it is empty or not JSON. */
  readonly json: unknown;
}

/** Sends the request; a 2xx reply is returned, anything else is thrown as a classified ToolFailure. */
export async function requestJson(request: HttpRequest): Promise<HttpReply> {
  const deadline = AbortSignal.timeout(request.timeoutMs);
  const signal = request.signal ? AbortSignal.any([deadline, request.signal]) : deadline;
  let response: Response;
  let text: string;
  try {
    response = await fetch(request.url, {
      method: request.method,
      headers: request.headers,
      body: request.body === undefined ? undefined : JSON.stringify(request.body),
      signal,
    });
    text = await response.text();
  } catch (error) {
    throw networkFailure(request, error, deadline.aborted);
  }
  const reply: HttpReply = { status: response.status, headers: response.headers, text, json: parseJson(text) };
  if (response.status >= 200 && response.status < 300) return reply;
  throw failureForStatus(request.service, reply, request.now());
}

/** Errors that mean no connection was ever made, so the request cannot have been received. */
const NEVER_CONNECTED = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_CONNECT_TIMEOUT']);

function networkFailure(request: HttpRequest, error: unknown, timedOut: boolean): ToolFailure {
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause : undefined;
  const code = (cause as NodeJS.ErrnoException | undefined)?.code;
  const detail = cause?.message ?? (error instanceof Error ? error.message : String(error));
  if (code !== undefined && NEVER_CONNECTED.has(code)) {
    return new ToolFailure('connection', `cannot reach ${request.service} at ${request.url}: ${detail}; nothing was sent`, { sent: false });
  }
  // From here on the request may have been written: fetch does not say how far it got.
  const sent = { sent: true };
  const unsure = request.idempotent ? '' : '; it may or may not have taken effect, check before retrying';
  if (timedOut) {
    return new ToolFailure('timeout', `${request.service} did not answer within ${request.timeoutMs} ms (${request.method} ${request.url})${unsure}`, sent);
  }
  if (request.signal?.aborted) return new ToolFailure('timeout', `${request.service} request was cancelled by the caller${unsure}`, sent);
  if (!request.idempotent) {
    return new ToolFailure('ambiguous', `the connection to ${request.service} at ${request.url} broke (${detail})${unsure}`, sent);
  }
  return new ToolFailure('connection', `the connection to ${request.service} at ${request.url} broke (${detail})`, sent);
}

/**
 * Maps a non-2xx reply: 401/403 authentication, 429 rate_limit, 5xx server_error, other 4xx validation.
 * A 4xx is the API refusing the request, so nothing was done; after a 5xx (or a gateway's) it may have been.
 */
export function failureForStatus(service: string, reply: HttpReply, now: Date): ToolFailure {
  const detail = providerMessage(reply);
  const retryAfter = retryAfterMs(reply.headers.get('retry-after'), now);
  const status = reply.status;
  const suffix = detail ? `: ${detail}` : '';
  const refused = { sent: false };
  if (status === 401 || status === 403) {
    return new ToolFailure('authentication', `${service} refused the credentials (HTTP ${status})${suffix}; check the token/key and its permissions`, refused);
  }
  if (status === 429) {
    const wait = retryAfter === undefined ? '' : `; retry after ${Math.ceil(retryAfter / 1000)} s`;
    return new ToolFailure('rate_limit', `${service} rate limit reached (HTTP 429)${suffix}${wait}`, { retryAfterMs: retryAfter, sent: false });
  }
  if (status >= 500) return new ToolFailure('server_error', `${service} failed (HTTP ${status})${suffix}`, { retryAfterMs: retryAfter, sent: true });
  return new ToolFailure('validation', `${service} rejected the request (HTTP ${status})${suffix}`, refused);
}

/** Retry-After is either delta-seconds or an HTTP date (RFC 9110 §10.2.3); returns milliseconds from now. */
export function retryAfterMs(value: string | null, now: Date): number | undefined {
  if (value === null || value.trim() === '') return undefined;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const at = Date.parse(trimmed);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now.getTime());
}

function parseJson(text: string): unknown {
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** The human message in an error body: LinkedIn `{message}`, Anthropic/OpenAI `{error: {message}}`. */
function providerMessage(reply: HttpReply): string {
  const body = reply.json;
  let message: unknown;
  if (body && typeof body === 'object') {
    const record = body as Record<string, unknown>;
    const nested = record.error;
    message = nested && typeof nested === 'object' ? (nested as Record<string, unknown>).message : (record.message ?? nested);
  }
  const text = typeof message === 'string' ? message : reply.json === undefined ? reply.text : '';
  const oneLine = text.replace(/\s+/g, ' ').trim();
  return oneLine.length > 300 ? `${oneLine.slice(0, 300)}…` : oneLine;
}
