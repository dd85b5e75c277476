/**
 * How a tool answers: a short text for people and `structuredContent` for programs; or an `isError`
 * result that says what is wrong and how to fix it. A handler throws `Refusal` for the second kind;
 * anything else thrown is reported the same way, in one line, never as a stack trace.
 */
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { messageOf, oneLine } from '../../core/text.js';

export class Refusal extends Error {
  override readonly name = 'Refusal';
  constructor(
    message: string,
    readonly structured?: Record<string, unknown>,
  ) {
    super(message);
  }
}

export function answer(text: string, structured: Record<string, unknown>): CallToolResult {
  return { content: [{ type: 'text', text }], structuredContent: structured };
}

export async function guarded(work: () => Promise<CallToolResult>): Promise<CallToolResult> {
  try {
    return await work();
  } catch (error) {
    const text = error instanceof Refusal ? error.message : `the orchestrator could not do this: ${oneLine(messageOf(error))}`;
    return {
      isError: true,
      content: [{ type: 'text', text }],
      ...(error instanceof Refusal && error.structured ? { structuredContent: error.structured } : {}),
    };
  }
}
