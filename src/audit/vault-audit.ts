/**
 * The hackathon audit format (one JSON object per line in `vault/Logs/YYYY-MM-DD.json`): pure mapping
 * from our audit events to its entries.
 *
 * One entry per tool-call outcome (SUCCESS / RETRY / FAILED of an attempt), plus one per plan-level
 * event a reviewer cares about (claimed, finished, moved, invalid or refused, manual step, alert).
 * CALL, PARAMS and RESPONSE produce no entry of their own: the PARAMS of an attempt are kept until its
 * outcome and become that entry's `parameters`.
 */
import { cut, sanitize, sanitizeText } from './sanitize.js';
import type { AuditEvent } from './types.js';

export interface VaultAuditEntry {
  readonly timestamp: string;
  readonly action_type: string;
  readonly actor: string;
  readonly target: string;
  readonly parameters: unknown;
  readonly approval_status: string;
  readonly approved_by: string;
  readonly result: string;
  // Beyond the hackathon's eight fields: what ties an entry back to the plan and to mcp_actions.jsonl.
  readonly plan?: string;
  readonly step?: number;
  readonly attempt?: number;
  readonly server?: string;
  readonly duration_ms?: number;
  readonly error_type?: string;
  readonly error?: string;
}

export const VAULT_AUDIT_ACTOR = 'mcp-orchestrator';

/** Arguments that name who or what an action is aimed at, most telling first. */
const TARGET_KEYS = ['to', 'recipient', 'recipients', 'path', 'url', 'channel', 'to_path', 'from', 'query'];
const MESSAGE_CHARS = 300;

/** Where an attempt's PARAMS wait for its outcome. */
export function attemptKey(event: Pick<AuditEvent, 'plan' | 'step' | 'attempt'>): string {
  return `${event.plan ?? ''}\u0000${event.step ?? ''}\u0000${event.attempt ?? ''}`;
}

/**
 * The entry for one event, or undefined when it has none. `params` are the attempt's arguments as
 * PARAMS carried them (undefined when `logParameters` is off); everything is sanitized here.
 */
export function toVaultAuditEntry(event: AuditEvent, at: Date, params: unknown): VaultAuditEntry | undefined {
  const kind = kindOf(event);
  if (kind === undefined) return undefined;
  const safeParams = params === undefined ? {} : sanitize(params);
  const common = {
    timestamp: at.toISOString(),
    actor: VAULT_AUDIT_ACTOR,
    parameters: safeParams,
    // The daemon acts only on plans a human moved into Approved/.
    approval_status: 'approved',
    approved_by: event.approved_by !== undefined ? sanitizeText(event.approved_by) : 'human',
    ...(event.plan !== undefined ? { plan: sanitizeText(event.plan) } : {}),
    ...(event.step !== undefined ? { step: event.step } : {}),
    ...(event.attempt !== undefined ? { attempt: event.attempt } : {}),
    ...(event.server !== undefined ? { server: event.server } : {}),
    ...(event.duration_ms !== undefined ? { duration_ms: event.duration_ms } : {}),
    ...(event.error_type !== undefined ? { error_type: event.error_type } : {}),
    ...(event.message !== undefined && kind.withMessage ? { error: cut(sanitizeText(event.message), MESSAGE_CHARS) } : {}),
  };
  const call = event.server !== undefined && event.tool !== undefined ? `${event.server}.${event.tool}` : undefined;
  const target = targetOf(safeParams) ?? call ?? (event.plan !== undefined ? sanitizeText(event.plan) : 'daemon');
  return { ...common, action_type: kind.actionType, target, result: kind.result };
}

interface Kind {
  readonly actionType: string;
  readonly result: string;
  /** Does the event's message (an error, a reason) belong in the entry? */
  readonly withMessage: boolean;
}

function kindOf(event: AuditEvent): Kind | undefined {
  const call = event.tool !== undefined && event.server !== undefined;
  const status = event.status ?? '';
  switch (event.event) {
    case 'SUCCESS':
      return call ? { actionType: event.tool as string, result: 'success', withMessage: false } : undefined;
    case 'RETRY':
      if (call) return { actionType: event.tool as string, result: 'retrying', withMessage: true };
      return { actionType: 'plan_deferred', result: status || 'deferred', withMessage: true };
    case 'FAILED':
      if (call) return { actionType: event.tool as string, result: 'failed', withMessage: true };
      return { actionType: 'plan_failed', result: status || 'failed', withMessage: true };
    case 'CLAIM':
      return { actionType: 'plan_claimed', result: 'claimed', withMessage: false };
    case 'DONE':
      return { actionType: 'plan_run', result: status || 'done', withMessage: true };
    case 'AUDIT':
      if (status !== '') return { actionType: 'plan_moved', result: status.toLowerCase(), withMessage: false };
      return { actionType: 'manual_step', result: 'left_for_human', withMessage: true };
    case 'ALERT':
      return { actionType: 'alert', result: status || 'alert', withMessage: true };
    case 'CALL':
    case 'PARAMS':
    case 'RESPONSE':
    case 'METRICS':
      return undefined;
    default: {
      const unreachable: never = event.event;
      throw new Error(`unknown audit event ${String(unreachable)}`);
    }
  }
}

function targetOf(params: unknown): string | undefined {
  if (typeof params !== 'object' || params === null || Array.isArray(params)) return undefined;
  const record = params as Record<string, unknown>;
  for (const key of TARGET_KEYS) {
    const value = record[key];
    if (typeof value === 'string' && value !== '') return value;
    if (Array.isArray(value) && value.length > 0 && value.every((v) => typeof v === 'string')) return value.join(', ');
  }
  return undefined;
}
