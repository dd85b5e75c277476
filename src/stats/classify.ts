/**
 * What one audit record means for the figures, decided in ONE place so that `stats` (reading the JSON
 * log) and the Prometheus metrics (watching live events) always count the same things. Pure.
 *
 * - a call is an attempt that started (`CALL`);
 * - an attempt ends as `SUCCESS`, `RETRY` (failed, another attempt follows) or `FAILED` (failed for good),
 *   each naming its server and tool, with `duration_ms` and, on failure, `error_type`;
 * - a plan finishes when it is moved into a final folder (`AUDIT` with status Done/Failed/Needs_Review);
 * - a plan is deferred by a `DEFERRED` line; logs written before that kind existed said so with `DONE`
 *   status deferred, or a plan-level `RETRY` status deferred (its server was unreachable while
 *   validating), and still count.
 */
import type { FinalFolder } from '../vault/folders.js';

/** The fields of an audit event or of a parsed `mcp_actions.jsonl` line that matter here. */
interface RecordLike {
  readonly event: unknown;
  readonly server?: unknown;
  readonly tool?: unknown;
  readonly status?: unknown;
  readonly error_type?: unknown;
  readonly duration_ms?: unknown;
}

export type AttemptOutcome = 'success' | 'retrying' | 'failed';
export type FinishedPlanStatus = 'done' | 'failed' | 'needs_review';

export type Observation =
  | { readonly kind: 'call'; readonly server: string; readonly tool: string }
  | {
      readonly kind: 'attempt';
      readonly server: string;
      readonly tool: string;
      readonly outcome: AttemptOutcome;
      /** Failed attempts only; `unknown` when the event did not say. */
      readonly errorType?: string;
      readonly durationMs?: number;
    }
  | { readonly kind: 'plan_finished'; readonly status: FinishedPlanStatus }
  | { readonly kind: 'plan_deferred' };

/** A final folder's plan status, for `stats` and the metrics alike. */
export const PLAN_STATUS_OF: Readonly<Record<FinalFolder, FinishedPlanStatus>> = {
  Done: 'done',
  Failed: 'failed',
  Needs_Review: 'needs_review',
};
// Looked up by any status a log line carries.
const FINAL_FOLDERS: Readonly<Record<string, FinishedPlanStatus>> = PLAN_STATUS_OF;

export function observe(record: RecordLike): Observation | undefined {
  const { event, server, tool, status } = record;
  const isCall = typeof server === 'string' && typeof tool === 'string';
  switch (event) {
    case 'CALL':
      return isCall ? { kind: 'call', server, tool } : undefined;
    case 'SUCCESS':
    case 'DEDUPLICATED':
      return isCall ? attempt(server, tool, 'success', record) : undefined;
    case 'RETRY':
      if (isCall) return attempt(server, tool, 'retrying', record);
      return status === 'deferred' ? { kind: 'plan_deferred' } : undefined;
    case 'FAILED':
      return isCall ? attempt(server, tool, 'failed', record) : undefined;
    case 'DEFERRED':
      return { kind: 'plan_deferred' };
    case 'DONE':
      return status === 'deferred' ? { kind: 'plan_deferred' } : undefined;
    case 'AUDIT': {
      const finished = typeof status === 'string' ? FINAL_FOLDERS[status] : undefined;
      return finished ? { kind: 'plan_finished', status: finished } : undefined;
    }
    default:
      return undefined;
  }
}

function attempt(server: string, tool: string, outcome: AttemptOutcome, record: RecordLike): Observation {
  const duration = record.duration_ms;
  return {
    kind: 'attempt',
    server,
    tool,
    outcome,
    ...(outcome !== 'success'
      ? { errorType: typeof record.error_type === 'string' && record.error_type !== '' ? record.error_type : 'unknown' }
      : {}),
    ...(typeof duration === 'number' && Number.isFinite(duration) && duration >= 0 ? { durationMs: duration } : {}),
  };
}
