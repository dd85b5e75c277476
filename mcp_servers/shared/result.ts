/**
 * Tool results shared by the bundled servers (SPEC §10): failures are `isError` results whose
 * `structuredContent` is `{ error_type, message, retry_after_ms?, sent }`.
 *
 * `sent` answers the orchestrator's question "may the outside world have acted on this call?":
 *   false — nothing left this server (a local check, a confinement refusal, a connection that was never
 *           made or a TLS handshake that failed), or the far end refused the request outright before acting
 *           on it (an HTTP 4xx, an SMTP 4xx/5xx reply): safe to retry or defer, never a case for review;
 *   true  — the request may have been received and acted on (a connection dropped or timed out after the
 *           request or the message DATA was written, an HTTP 5xx, a 2xx reply we could not read).
 */
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';

export type ToolErrorType =
  | 'validation'
  | 'authentication'
  | 'rate_limit'
  | 'timeout'
  | 'server_error'
  | 'connection'
  | 'tool_error'
  | 'ambiguous';

export interface FailureDetails {
  readonly retryAfterMs?: number | undefined;
  /** See the header. Defaults to false: most failures are checks made before anything is sent. */
  readonly sent?: boolean;
}

/** Thrown inside a tool handler; `runTool` turns it into an error result. */
export class ToolFailure extends Error {
  override readonly name = 'ToolFailure';
  readonly retryAfterMs: number | undefined;
  readonly sent: boolean;
  constructor(
    readonly type: ToolErrorType,
    message: string,
    details: FailureDetails = {},
  ) {
    super(message);
    this.retryAfterMs = details.retryAfterMs;
    this.sent = details.sent ?? false;
  }
}

export function errorResult(type: ToolErrorType, message: string, details: FailureDetails = {}): CallToolResult {
  const structuredContent: Record<string, unknown> = { error_type: type, message };
  if (details.retryAfterMs !== undefined) structuredContent.retry_after_ms = details.retryAfterMs;
  structuredContent.sent = details.sent ?? false;
  return { isError: true, content: [{ type: 'text', text: `${type}: ${message}` }], structuredContent };
}

export function failureResult(failure: ToolFailure): CallToolResult {
  return errorResult(failure.type, failure.message, { retryAfterMs: failure.retryAfterMs, sent: failure.sent });
}

export function okResult(structured: Record<string, unknown>, text?: string): CallToolResult {
  return {
    content: [{ type: 'text', text: text ?? JSON.stringify(structured) }],
    structuredContent: structured,
  };
}

/**
 * Runs a handler body; a `ToolFailure` (or any error) becomes an error result instead of a protocol error.
 * An unexpected error counts as nothing sent: every step that talks to the outside (SMTP, HTTP) turns its
 * own failures into a ToolFailure that says whether it sent, so what is left are local faults before it.
 */
export async function runTool(body: () => Promise<CallToolResult>): Promise<CallToolResult> {
  try {
    return await body();
  } catch (error) {
    if (error instanceof ToolFailure) return failureResult(error);
    const message = error instanceof Error ? error.message : String(error);
    return errorResult('tool_error', message, { sent: false });
  }
}
