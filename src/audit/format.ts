/**
 * Pure formatting of audit events: what gets masked or dropped (`prepareEvent`), the human line of
 * `mcp_actions.log` and the JSON line of `mcp_actions.jsonl`. Both lines are guaranteed single-line.
 */
import type { LoggingConfig } from '../config/schema.js';
import { cut, escapeUnprintable, formatLocalDateTime, hasUnprintable } from '../core/text.js';
import { sanitize, sanitizeText } from '../core/sanitize.js';
import type { AuditEvent } from './types.js';

const MAX_MESSAGE_CHARS = 500;

/** Applies the logging settings: params dropped unless `logParameters`; everything masked when `sanitize`. */
export function prepareEvent(event: AuditEvent, logging: LoggingConfig): AuditEvent {
  const { params, ...rest } = event;
  const strings = Object.fromEntries(
    Object.entries(rest).map(([key, value]) => {
      if (typeof value !== 'string' || key === 'event') return [key, value];
      const text = logging.sanitize ? sanitizeText(value) : value;
      return [key, key === 'message' ? cut(text, MAX_MESSAGE_CHARS, 'count') : text];
    }),
  ) as Omit<AuditEvent, 'params'>;
  if (!logging.logParameters || params === undefined) return strings;
  const safeParams = logging.sanitize ? sanitize(params) : sanitize(params, { redact: false, maxStringLength: Infinity });
  return { ...strings, params: safeParams };
}

const FIELD_ORDER = ['plan', 'file', 'step', 'attempt', 'status', 'error_type', 'duration_ms', 'approved_by'] as const;

/** `[2026-02-16 14:20:30] [MCP_ORCHESTRATOR] CALL - email-server.send_email plan=… step=2 …` */
export function formatHumanLine(event: AuditEvent, at: Date): string {
  const parts = [`[${formatLocalDateTime(at)}] [MCP_ORCHESTRATOR] ${event.event} -`];
  const subject = [event.server, event.tool].filter((s) => s !== undefined && s !== '').join('.');
  if (subject !== '') parts.push(logfmtValue(subject));
  for (const key of FIELD_ORDER) {
    const value = event[key];
    if (value !== undefined) parts.push(`${key}=${logfmtValue(String(value))}`);
  }
  if (event.params !== undefined) parts.push(`params=${compactJson(event.params)}`);
  if (event.message !== undefined) parts.push(`message=${logfmtValue(event.message)}`);
  return parts.join(' ');
}

/** One JSON object per line; `ts` is UTC ISO 8601, absent fields are left out. */
export function formatJsonLine(event: AuditEvent, at: Date): string {
  const record = {
    ts: at.toISOString(),
    event: event.event,
    plan: event.plan,
    file: event.file,
    step: event.step,
    server: event.server,
    tool: event.tool,
    action: event.action,
    attempt: event.attempt,
    status: event.status,
    error_type: event.error_type,
    duration_ms: event.duration_ms,
    approved_by: event.approved_by,
    params: event.params,
    message: event.message,
  };
  return compactJson(record);
}

/** Bare when it cannot be misread (no spaces, quotes or `=`), else a JSON string (escapes newlines). */
function logfmtValue(value: string): string {
  return /^[^\s"=]+$/u.test(value) && !hasUnprintable(value) ? value : escapeUnprintable(JSON.stringify(value));
}

/** JSON.stringify escapes every line break, so the output is one line; other controls escaped too. */
function compactJson(value: unknown): string {
  return escapeUnprintable(JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)) ?? 'null');
}
