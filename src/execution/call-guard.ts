/**
 * What run-step asks before each attempt: may this call go now? Asked BEFORE the attempt is announced
 * (journal intent, audit CALL), so a call held back by a circuit breaker or a rate limit leaves no
 * trace of a send that never happened, and spends no attempt. The daemon's guard is GuardedCaller
 * (breakers and rate limits); a one-off `run` lets every call through (`unguarded`).
 */
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { HeldBackError } from '../core/errors.js';
import type { ToolCall, ToolCaller } from '../mcp/pool.js';

export interface CallTarget {
  readonly server: string;
  readonly tool: string;
}

/** Leave to send one call; it holds a rate-limit slot and, when half-open, the breaker's probe. */
export interface Permit {
  /** Sends the call (the guard watches its outcome). Use once. */
  call(call: ToolCall): Promise<CallToolResult>;
  /** Not sending after all: give the slot and the probe back. */
  release(): void;
}

export type Admission = { readonly ok: true; readonly permit: Permit } | { readonly ok: false; readonly error: HeldBackError };

export interface CallGuard {
  /**
   * Atomic, so two plans can never both take the last slot or the one probe: on one host within its
   * synchronous part, with `cluster` in one database transaction (guard-store.ts).
   */
  admit(target: CallTarget): Admission | Promise<Admission>;
}

/** A guard that admits every call and sends it through `caller` as it is. */
export function unguarded(caller: ToolCaller): CallGuard {
  const permit: Permit = { call: (call) => caller.callTool(call), release: () => undefined };
  return { admit: () => ({ ok: true, permit }) };
}
