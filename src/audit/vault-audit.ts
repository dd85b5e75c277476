/**
 * The hackathon audit format (one JSON object per line in `vault/Logs/YYYY-MM-DD.json`): pure mapping
 * from the plan events, and from the daemon's notices (alerts, refused files), to its entries.
 *
 * One entry per finished attempt (its arguments as `parameters`), plus one per plan-level event a
 * reviewer cares about (claimed, ended, deferred, moved, left for the next start, manual step, alert).
 */
import { isPlainObject, sanitize, sanitizeText } from '../core/sanitize.js';
import { cut } from '../core/text.js';
import type { PlanEvent } from '../events/plan-event.js';
import { isDeduplicated } from '../events/step-result.js';
import type { AuditEvent } from './types.js';
import { unreachable } from '../core/errors.js';

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

const VAULT_AUDIT_ACTOR = 'mcp-orchestrator';

/** Arguments that name who or what an action is aimed at, most telling first. */
const TARGET_KEYS = ['to', 'recipient', 'recipients', 'path', 'url', 'channel', 'to_path', 'from', 'query'];
const MESSAGE_CHARS = 300;

interface Draft {
  readonly action_type: string;
  readonly result: string;
  readonly plan?: string;
  readonly approvedBy?: string;
  readonly params?: unknown;
  readonly call?: { readonly server: string; readonly tool: string; readonly step: number; readonly attempt?: number };
  readonly step?: number;
  readonly durationMs?: number;
  readonly errorType?: string;
  readonly error?: string;
}

/** The entries of one plan event (most have one, some none). `logParameters` false leaves `parameters` empty. */
export function vaultEntriesOf(event: PlanEvent, logParameters: boolean): VaultAuditEntry[] {
  const plan = { plan: event.plan.id, ...(event.plan.approvedBy !== undefined ? { approvedBy: event.plan.approvedBy } : {}) };
  const drafts: Draft[] = [];
  switch (event.type) {
    case 'claimed':
      drafts.push({ action_type: 'plan_claimed', result: 'claimed', ...plan });
      break;
    case 'run_started':
      for (const step of event.valid.manual) drafts.push({ action_type: 'manual_step', result: 'left_for_human', ...plan, step: step.index, error: step.text });
      break;
    case 'attempt_ended': {
      const { step, result } = event;
      drafts.push({
        action_type: step.tool,
        result: result.ok ? (isDeduplicated(result.result) ? 'deduplicated' : 'success') : event.retrying ? 'retrying' : 'failed',
        ...plan,
        ...(logParameters ? { params: event.args } : {}),
        call: { server: step.server, tool: step.tool, step: step.index, attempt: event.attempt },
        durationMs: event.durationMs,
        ...(result.ok ? {} : { errorType: result.error.type, error: result.error.message }),
      });
      break;
    }
    case 'deferred':
      if (event.resumed) break;
      drafts.push({ action_type: 'plan_deferred', result: 'deferred', ...plan, ...(event.error ? { errorType: event.error.type } : {}), error: event.reason });
      break;
    case 'plan_ended': {
      const { outcome } = event;
      const invalid = outcome.kind === 'failed' && outcome.problems !== undefined;
      drafts.push({
        action_type: invalid ? 'plan_failed' : 'plan_run',
        result: invalid ? 'invalid' : outcome.kind,
        ...plan,
        ...(outcome.kind !== 'completed' ? { error: outcome.reason, ...(outcome.cause ? { errorType: outcome.cause.error.type } : {}) } : {}),
      });
      break;
    }
    case 'plan_moved':
      drafts.push({ action_type: 'plan_moved', result: event.folder.toLowerCase(), ...plan });
      break;
    case 'released':
      drafts.push({ action_type: 'plan_released', result: 'released', ...plan, error: event.reason });
      break;
    case 'queued':
    case 'attempt_started':
    case 'step_ended':
      break;
    default:
      unreachable(event, 'plan event');
  }
  return drafts.map((draft) => entryOf(draft, event.at));
}

/** The entry of a daemon notice: an alert, a refused file, a note. */
export function vaultEntryOfNotice(notice: AuditEvent, at: Date): VaultAuditEntry | undefined {
  const base = {
    ...(notice.plan !== undefined ? { plan: notice.plan } : {}),
    ...(notice.message !== undefined ? { error: notice.message } : {}),
  };
  switch (notice.event) {
    case 'ALERT':
      return entryOf({ action_type: 'alert', result: notice.status ?? 'alert', ...base }, at);
    case 'FAILED':
      return entryOf({ action_type: 'plan_failed', result: notice.status ?? 'failed', ...base }, at);
    case 'AUDIT':
    case 'AGENT':
      return entryOf({ action_type: notice.event === 'AGENT' ? 'agent_status' : 'notice', result: notice.status ?? 'noted', ...base }, at);
    default:
      return undefined;
  }
}

function entryOf(draft: Draft, at: Date): VaultAuditEntry {
  const parameters = draft.params === undefined ? {} : sanitize(draft.params);
  const call = draft.call;
  const step = call?.step ?? draft.step;
  const plan = draft.plan !== undefined ? sanitizeText(draft.plan) : undefined;
  const target = targetOf(parameters) ?? (call ? `${call.server}.${call.tool}` : undefined) ?? plan ?? 'daemon';
  return {
    timestamp: at.toISOString(),
    action_type: draft.action_type,
    actor: VAULT_AUDIT_ACTOR,
    target,
    parameters,
    // The daemon acts only on plans a human moved into Approved/.
    approval_status: 'approved',
    approved_by: draft.approvedBy !== undefined ? sanitizeText(draft.approvedBy) : 'human',
    result: draft.result,
    ...(plan !== undefined ? { plan } : {}),
    ...(step !== undefined ? { step } : {}),
    ...(call?.attempt !== undefined ? { attempt: call.attempt } : {}),
    ...(call ? { server: call.server } : {}),
    ...(draft.durationMs !== undefined ? { duration_ms: draft.durationMs } : {}),
    ...(draft.errorType !== undefined ? { error_type: draft.errorType } : {}),
    ...(draft.error !== undefined ? { error: cut(sanitizeText(draft.error), MESSAGE_CHARS, 'count') } : {}),
  };
}

function targetOf(params: unknown): string | undefined {
  if (!isPlainObject(params)) return undefined;
  for (const key of TARGET_KEYS) {
    const value = params[key];
    if (typeof value === 'string' && value !== '') return value;
    if (Array.isArray(value) && value.length > 0 && value.every((v) => typeof v === 'string')) return value.join(', ');
  }
  return undefined;
}
