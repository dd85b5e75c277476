/**
 * The one place that decides what kind of failure an attempt had (SPEC §7). Pure: it looks only at
 * the error or result it is given.
 */
import { ErrorCode, McpError, type CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { StreamableHTTPError } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { UnauthorizedError } from '@modelcontextprotocol/sdk/client/auth.js';
import { messageOf } from '../core/text.js';
import { McpCallError } from '../mcp/errors.js';
import { OAuthRefreshError } from '../mcp/oauth/errors.js';
import { HttpRateLimited } from '../mcp/retry-after.js';
import { AuthorizationNeeded, isErrorType, StepError, type ErrorType } from '../core/errors.js';

/** Codes of network failures that happen before a byte of the request reached the server. */
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOENT']);

/** A tool result with `isError` becomes a StepError; a successful result gives undefined. */
export function classifyResult(result: CallToolResult): StepError | undefined {
  if (!result.isError) return undefined;
  const structured = result.structuredContent as Record<string, unknown> | undefined;
  const text = resultText(result);
  const declared = structured?.error_type;
  const message = typeof structured?.message === 'string' ? structured.message : text || 'the tool reported an error';
  const retryAfter = typeof structured?.retry_after_ms === 'number' ? structured.retry_after_ms : undefined;
  // The tool's own word: a declared `timeout`, `connection` or `ambiguous` (it may have acted) stays an
  // unknown outcome, so a non-idempotent step goes to review rather than being sent again — unless the
  // server says `sent: false` (SMTP refused, DNS failure: nothing left it), then it is retried and deferred.
  const type: ErrorType = isErrorType(declared) ? declared : 'tool_error';
  const sent = structured?.sent !== false;
  return new StepError(type, message, sent, retryAfter);
}

/** Any thrown error from a call attempt becomes a StepError that says whether the request was sent. */
export function classifyError(error: unknown): StepError {
  if (error instanceof StepError) return error;
  if (error instanceof McpCallError) {
    const sent = error.phase === 'call';
    return fromCause(error.cause, sent, error.message);
  }
  return fromCause(error, false, messageOf(error));
}

function fromCause(cause: unknown, sent: boolean, message: string): StepError {
  // Missing or refused OAuth authorization: found before sending, or with a 401 (nothing processed).
  if (cause instanceof OAuthRefreshError) {
    // Revoked or missing: a person runs `auth <server>`, and the plan waits for it. Wrong client credentials: fix the config.
    return cause.problem === 'credentials_refused'
      ? new StepError('authentication', message, false)
      : new AuthorizationNeeded(cause.server, message);
  }
  if (cause instanceof UnauthorizedError) return new StepError('authentication', message, sent);
  // A 429 is a refusal before processing: nothing was done, and the server said when to come back.
  if (cause instanceof HttpRateLimited) return new StepError('rate_limit', message, false, cause.retryAfterMs);
  if (cause instanceof StreamableHTTPError && cause.code !== undefined) {
    // A 2xx whose body is no JSON-RPC answer (an HTML page, a wrong content type: code -1) came after the
    // server received the request: it may have acted.
    if (sent && !(cause.code >= 100)) return unknownIfSent(sent, message, 'the answer was not a JSON-RPC message');
    // A gateway's 502/504 comes after it forwarded the request: the server behind it may have acted.
    if (sent && (cause.code === 502 || cause.code === 504)) return unknownIfSent(sent, message, `a gateway answered ${cause.code}`);
    return new StepError(typeOfHttpStatus(cause.code), message, sent);
  }
  if (cause instanceof McpError) {
    switch (cause.code) {
      case ErrorCode.RequestTimeout:
        return sent
          ? new StepError('ambiguous', `${message} (no answer before the deadline; the server may have acted)`, true)
          : new StepError('timeout', message, false);
      case ErrorCode.ConnectionClosed:
        return unknownIfSent(sent, message, 'connection lost after sending');
      case ErrorCode.InvalidParams:
      case ErrorCode.MethodNotFound:
      case ErrorCode.InvalidRequest:
        return new StepError('validation', message, sent);
      case ErrorCode.InternalError:
        return new StepError('server_error', message, sent);
      default:
        return new StepError('tool_error', message, sent);
    }
  }
  if (cause instanceof Error && (cause.name === 'AbortError' || cause.name === 'TimeoutError')) {
    return unknownIfSent(sent, message, 'cancelled after sending');
  }
  const neverLeft = /^Not connected$/.test(messageOf(cause)) || NOT_SENT_CODES.has(networkCode(cause) ?? '');
  return unknownIfSent(sent && !neverLeft, message);
}

/** Sent: the server may have acted (`why` says how it was lost); not sent: it could not be reached. */
function unknownIfSent(sent: boolean, message: string, why?: string): StepError {
  if (!sent) return new StepError('connection', message, false);
  return new StepError('ambiguous', why ? `${message} (${why}; the server may have acted)` : message, true);
}

function typeOfHttpStatus(status: number): ErrorType {
  if (status === 401 || status === 403) return 'authentication';
  if (status === 429) return 'rate_limit';
  if (status === 408) return 'timeout';
  if (status >= 500) return 'server_error';
  return 'validation';
}

/** The errno-like code of a network failure, looking through `cause` chains (fetch wraps them). */
function networkCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current instanceof Error; depth += 1) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    current = current.cause;
  }
  return undefined;
}

/** The text parts of a result, joined: what `{{ steps.ID.text }}` gives. */
export function resultText(result: CallToolResult): string {
  return result.content
    .filter((part): part is { type: 'text'; text: string } => part.type === 'text')
    .map((part) => part.text)
    .join('\n');
}
