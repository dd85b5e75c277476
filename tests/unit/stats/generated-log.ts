/**
 * Test helper: a pseudo-random but reproducible `mcp_actions.jsonl`, in the real line format, together
 * with the figures `stats` must find in it, worked out here independently of the aggregator.
 */
import { formatJsonLine } from '../../../src/audit/format.js';
import type { AuditEvent } from '../../../src/audit/types.js';

export interface Truth {
  calls: number;
  callsByServerDay: Record<string, Record<string, number>>;
  durations: Record<string, number[]>;
  succeeded: Record<string, number>;
  retried: Record<string, number>;
  failed: Record<string, number>;
  errors: Record<string, number>;
  plans: { done: number; failed: number; needs_review: number; deferred: number };
}

export interface GeneratedLog {
  readonly lines: string[];
  readonly truth: Truth;
  /** Lines before this moment are decoys that a `since` cutoff must leave out. */
  readonly sinceMs: number;
  readonly garbled: number;
}

const SERVERS: Record<string, string[]> = {
  'email-server': ['send_email'],
  'vault-watcher': ['read_note', 'write_note'],
  'model-router': ['ask_model'],
};
const ERROR_TYPES = ['rate_limit', 'timeout', 'server_error', 'connection', 'tool_error', 'validation'];

/** mulberry32: small, seedable, good enough to spread test data. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function generateLog(options: { plans: number; seed: number; startMs: number; spanDays: number }): GeneratedLog {
  const rand = random(options.seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(rand() * items.length)] as T;
  const lines: string[] = [];
  const emit = (event: AuditEvent, at: number): void => {
    lines.push(formatJsonLine(event, new Date(at)));
  };
  const truth: Truth = {
    calls: 0,
    callsByServerDay: {},
    durations: {},
    succeeded: {},
    retried: {},
    failed: {},
    errors: {},
    plans: { done: 0, failed: 0, needs_review: 0, deferred: 0 },
  };
  const bump = (record: Record<string, number>, key: string): void => {
    record[key] = (record[key] ?? 0) + 1;
  };

  // Decoys: a day before the window, every kind of line; none may be counted with the cutoff.
  const sinceMs = options.startMs;
  for (let i = 0; i < 50; i++) {
    const at = sinceMs - 86_400_000 + i * 1000;
    emit({ event: 'CALL', plan: 'old', step: 1, server: 'email-server', tool: 'send_email', attempt: 1 }, at);
    emit({ event: 'FAILED', plan: 'old', step: 1, server: 'email-server', tool: 'send_email', attempt: 1, error_type: 'authentication', duration_ms: 99_999 }, at);
    emit({ event: 'AUDIT', plan: 'old', status: 'Failed', message: 'moved to Failed/old.md' }, at);
  }

  const spanMs = options.spanDays * 86_400_000;
  const times = Array.from({ length: options.plans }, () => options.startMs + Math.floor(rand() * spanMs)).sort((a, b) => a - b);
  for (const [index, start] of times.entries()) {
    const plan = `plan-${index}`;
    let at = start;
    emit({ event: 'CLAIM', plan, message: `claimed ${plan}.md` }, at);
    const steps = 1 + Math.floor(rand() * 3);
    let planEnd: 'Done' | 'Failed' | 'Needs_Review' | 'deferred' = 'Done';
    for (let step = 1; step <= steps && planEnd === 'Done'; step++) {
      const server = pick(Object.keys(SERVERS));
      const tool = pick(SERVERS[server] as string[]);
      const action = `${server}.${tool}`;
      const attempts = 1 + Math.floor(rand() * 3);
      for (let attempt = 1; attempt <= attempts; attempt++) {
        at += 1 + Math.floor(rand() * 1000);
        const base = { plan, step, server, tool, attempt };
        emit({ event: 'CALL', ...base }, at);
        truth.calls += 1;
        const day = new Date(at).toISOString().slice(0, 10);
        const days = (truth.callsByServerDay[server] ??= {});
        bump(days, day);
        emit({ event: 'PARAMS', ...base, params: { to: 'someone@example.com', n: attempt } }, at);
        const duration = Math.floor(rand() * 5000);
        at += duration;
        (truth.durations[action] ??= []).push(duration);
        const last = attempt === attempts;
        const succeeds = last && rand() < 0.8;
        if (succeeds) {
          emit({ event: 'RESPONSE', ...base, message: 'ok' }, at);
          emit({ event: 'SUCCESS', ...base, status: 'success', duration_ms: duration }, at);
          bump(truth.succeeded, action);
          continue;
        }
        const type = pick(ERROR_TYPES);
        bump(truth.errors, type);
        if (!last) {
          emit({ event: 'RETRY', ...base, status: 'retrying', error_type: type, duration_ms: duration, message: 'again' }, at);
          bump(truth.retried, action);
        } else {
          emit({ event: 'FAILED', ...base, status: 'failed', error_type: type, duration_ms: duration, message: 'gave up' }, at);
          bump(truth.failed, action);
          planEnd = type === 'rate_limit' ? 'deferred' : type === 'connection' ? 'Needs_Review' : 'Failed';
        }
      }
    }
    at += 5;
    const status = planEnd === 'Done' ? 'completed' : planEnd === 'deferred' ? 'deferred' : planEnd === 'Failed' ? 'failed' : 'needs_review';
    emit({ event: 'DONE', plan, status }, at);
    if (planEnd === 'deferred') {
      truth.plans.deferred += 1;
    } else {
      emit({ event: 'AUDIT', plan, status: planEnd, message: `moved to ${planEnd}/${plan}.md` }, at);
      truth.plans[planEnd === 'Done' ? 'done' : planEnd === 'Failed' ? 'failed' : 'needs_review'] += 1;
    }
  }

  // Torn and garbled lines scattered through the window.
  const garbage = [
    '{"ts":"2026-0',
    'not json at all',
    '{"event":"CALL","server":"email-server","tool":"send_email"}',
    '[1,2,3]',
    '{"ts":"yesterday","event":"CALL","server":"email-server","tool":"send_email"}',
    '{"ts":"2026-02-16T10:00:00.000Z","event":"CALL","server":"email-ser{"ts":"2026-02-16T10:00:01.000Z"}',
    // Torn lines of events no figure depends on: a cut one, and one glued to the next append.
    '{"ts":"2026-02-16T10:00:00.000Z","event":"PARAMS","plan":"p","params":{"to":"a@***.com"',
    '{"ts":"2026-02-16T10:00:00.000Z","event":"PARAMS","params":{"t{"ts":"2026-02-16T10:00:01.000Z","event":"CLAIM"}',
  ];
  // Well formed although a nested key looks like a line start: counted, not skipped.
  emit({ event: 'PARAMS', plan: 'nested', params: { ts: 'x' } }, options.startMs + 1);
  for (const [i, bad] of garbage.entries()) lines.splice(Math.floor(((i + 1) * lines.length) / (garbage.length + 1)), 0, bad);
  return { lines, truth, sinceMs, garbled: garbage.length };
}

/** Nearest-rank percentile of a list, the textbook way. */
export function nearestRank(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(1, Math.ceil(q * sorted.length)) - 1] as number;
}
