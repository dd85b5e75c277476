/**
 * Tool results shared by the bundled servers (SPEC §10): failures are `isError` results whose
 * `structuredContent` is `{ error_type, message, retry_after_ms? }`.
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

/** Thrown inside a tool handler; `runTool` turns it into an error result. */
export class ToolFailure extends Error {
  override readonly name = 'ToolFailure';
  constructor(
    readonly type: ToolErrorType,
    message: string,
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}

export function errorResult(type: ToolErrorType, message: string, retryAfterMs?: number): CallToolResult {
  const structuredContent: Record<string, unknown> = { error_type: type, message };
  if (retryAfterMs !== undefined) structuredContent.retry_after_ms = retryAfterMs;
  return { isError: true, content: [{ type: 'text', text: `${type}: ${message}` }], structuredContent };
}

export function okResult(structured: Record<string, unknown>, text?: string): CallToolResult {
  return {
    content: [{ type: 'text', text: text ?? JSON.stringify(structured) }],
    structuredContent: structured,
  };
}

/** Runs a handler body; a `ToolFailure` (or any error) becomes an error result instead of a protocol error. */
export async function runTool(body: () => Promise<CallToolResult>): Promise<CallToolResult> {
  try {
    return await body();
  } catch (error) {
    if (error instanceof ToolFailure) return errorResult(error.type, error.message, error.retryAfterMs);
    const message = error instanceof Error ? error.message : String(error);
    return errorResult('tool_error', message);
  }
}
