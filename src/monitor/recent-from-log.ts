/**
 * The dashboard's "Recent actions" of earlier runs, read back from the tail of `mcp_actions.jsonl`, so a
 * restart does not empty it. The live list comes from the plan events (plan-tracker.ts); this is the
 * same list as the log tells it, which is the record the events left behind:
 * - a step's last attempt (SUCCESS, or FAILED with a step) is an action; a later REVIEW or DEFERRED of
 *   the same plan that names an error type says how that failed step ended;
 * - a plan-level FAILED, REVIEW or DEFERRED with no failed step before it (an invalid plan, a server
 *   unavailable, a step held back) is listed as the plan itself.
 * The file name comes from the plan's CLAIM line; a plan claimed before the tail is named by its id.
 */
import { open } from 'node:fs/promises';
import path from 'node:path';
import { unlessMissing } from '../core/errno.js';
import { jsonOrUndefined } from '../core/text.js';
import { JSON_LOG_FILE } from '../audit/logger.js';
import type { AuditEvent } from '../audit/types.js';
import type { RecentAction, RecentOutcome } from './plan-tracker.js';

/** Enough lines for many times the 20 actions shown, without reading a long log whole. */
const TAIL_BYTES = 256 * 1024;

/** A line of mcp_actions.jsonl as read back: the audit event's fields, any of them possibly missing. */
type LogLine = Partial<Omit<AuditEvent, 'event'>> & { readonly ts?: string; readonly event?: string };

/** Pure: the recent actions the lines before `before` tell, newest first, at most `limit`. */
export function recentFromLines(lines: readonly string[], limit: number, before: Date): RecentAction[] {
  const actions: RecentAction[] = [];
  const fileOf = new Map<string, string>();
  /** Per plan, the index in `actions` of its last failed step, until the plan's end says how it ended. */
  const failedStep = new Map<string, number>();
  for (const text of lines) {
    const line = parse(text);
    if (!line || !line.plan || !line.ts || Number.isNaN(Date.parse(line.ts))) continue;
    const at = new Date(line.ts);
    // This run's own lines are the live list's.
    if (at.getTime() >= before.getTime()) continue;
    const file = fileOf.get(line.plan) ?? line.plan;
    const why = line.error_type && line.message ? `${line.error_type}: ${line.message}` : line.message;
    const push = (action: string, outcome: RecentOutcome, reason?: string): void => {
      actions.push({ at, action, outcome, file, ...(reason !== undefined ? { reason } : {}) });
    };
    switch (line.event) {
      case 'CLAIM':
        if (line.file) fileOf.set(line.plan, line.file);
        failedStep.delete(line.plan);
        break;
      case 'SUCCESS':
      case 'DEDUPLICATED':
        if (line.step !== undefined) push(actionOf(line), 'success');
        break;
      case 'FAILED':
        if (line.step !== undefined) {
          failedStep.set(line.plan, actions.length);
          push(actionOf(line), 'failed', why);
        } else {
          if (!failedStep.has(line.plan)) push(line.status === 'invalid' ? '(invalid plan)' : '(plan)', 'failed', line.message);
          failedStep.delete(line.plan);
        }
        break;
      case 'REVIEW':
      case 'DEFERRED': {
        const outcome: RecentOutcome = line.event === 'REVIEW' ? 'needs_review' : 'deferred';
        const index = failedStep.get(line.plan);
        const step = index === undefined ? undefined : actions[index];
        // The step's end is listed where the plan's end says how it ended, as the live list does.
        if (step && line.error_type) actions.push(...actions.splice(index as number, 1).map((entry) => ({ ...entry, outcome })));
        else push(line.event === 'DEFERRED' && line.step === undefined ? '(server unavailable)' : '(plan)', outcome, why);
        failedStep.delete(line.plan);
        break;
      }
      default:
        break;
    }
  }
  return actions.reverse().slice(0, limit);
}

/** Reads the tail of the live JSON log, up to `before`; none when there is no log yet. */
export async function readRecentFromLog(logsDir: string, limit: number, before: Date): Promise<RecentAction[]> {
  const handle = await unlessMissing(open(path.join(logsDir, JSON_LOG_FILE), 'r'), undefined);
  if (!handle) return [];
  try {
    const { size } = await handle.stat();
    const start = Math.max(0, size - TAIL_BYTES);
    const buffer = Buffer.alloc(size - start);
    await handle.read(buffer, 0, buffer.length, start);
    const lines = buffer.toString('utf8').split('\n');
    // A tail that starts mid-line drops that first, partial line.
    return recentFromLines(start > 0 ? lines.slice(1) : lines, limit, before);
  } finally {
    await handle.close();
  }
}

function actionOf(line: LogLine): string {
  return line.action ?? [line.server, line.tool].filter(Boolean).join('.');
}

function parse(text: string): LogLine | undefined {
  const value = text.trim() === '' ? undefined : jsonOrUndefined(text);
  return typeof value === 'object' && value !== null ? (value as LogLine) : undefined;
}
