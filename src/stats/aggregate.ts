/**
 * Folds `mcp_actions.jsonl` lines into the figures of `stats`, one line at a time, so a log of any
 * length is read in constant memory (apart from one count per distinct duration, quantiles.ts).
 */
import { isPlainObject } from '../core/sanitize.js';
import { jsonOrUndefined, localDay } from '../core/text.js';
import { observe, type Observation } from './classify.js';
import { looksWhole, mayChangeFigure, newDayMemo, sniffHead } from './fast-line.js';
import { DurationCounts } from './quantiles.js';
import type { ActionStats, ErrorStats, LogStats } from './types.js';
import { unreachable } from '../core/errors.js';

export interface AggregateOptions {
  /** Lines older than this (epoch ms) are left out. */
  readonly sinceMs?: number;
  /** The day a call is counted on; default the local day. */
  readonly dayOf?: (at: Date) => string;
}

interface ActionTally {
  readonly server: string;
  readonly tool: string;
  calls: number;
  succeeded: number;
  retried: number;
  failed: number;
  readonly durations: DurationCounts;
}

/** A line as far as stats needs it: the fields are checked where they are used (classify.ts). */
interface LogLine {
  readonly ts: string;
  readonly event: string;
  readonly [key: string]: unknown;
}

export class StatsAccumulator {
  private read = 0;
  private counted = 0;
  private skipped = 0;
  private first: number | undefined;
  private last: number | undefined;
  private readonly byServer = new Map<string, Map<string, number>>();
  private readonly actions = new Map<string, ActionTally>();
  private readonly errors = new Map<string, number>();
  private readonly plans = { done: 0, failed: 0, needs_review: 0, deferred: 0 };
  private readonly dayOf: (at: Date) => string;
  private readonly sinceIso: string | undefined;
  private readonly dayMemo = newDayMemo();

  constructor(private readonly options: AggregateOptions = {}) {
    this.dayOf = options.dayOf ?? localDay;
    this.sinceIso = options.sinceMs !== undefined ? new Date(options.sinceMs).toISOString() : undefined;
  }

  addLine(line: string): void {
    if (line.trim() === '') return;
    this.read += 1;
    const head = sniffHead(line, this.dayMemo);
    if (head !== undefined) {
      // Our own layout: the window test, and the whole check of a line no figure depends on, need
      // no JSON.parse (fast-line.ts).
      if (this.sinceIso !== undefined && head.ts < this.sinceIso) return;
      if (!mayChangeFigure(head.event, line) && looksWhole(line)) {
        this.countLine(head.tsMs);
        return;
      }
    }
    const record = jsonOrUndefined(line);
    const at = isLogLine(record) ? (head?.tsMs ?? Date.parse(record.ts)) : NaN;
    if (!isLogLine(record) || Number.isNaN(at)) {
      this.skipped += 1;
      return;
    }
    if (this.options.sinceMs !== undefined && at < this.options.sinceMs) return;
    this.countLine(at);
    const seen = observe(record);
    if (seen) this.count(seen, at);
  }

  private countLine(at: number): void {
    this.counted += 1;
    if (this.first === undefined || at < this.first) this.first = at;
    if (this.last === undefined || at > this.last) this.last = at;
  }

  private count(seen: Observation, at: number): void {
    switch (seen.kind) {
      case 'call': {
        this.tally(seen.server, seen.tool).calls += 1;
        const days = this.byServer.get(seen.server) ?? new Map<string, number>();
        this.byServer.set(seen.server, days);
        const day = this.dayOf(new Date(at));
        days.set(day, (days.get(day) ?? 0) + 1);
        return;
      }
      case 'attempt': {
        const tally = this.tally(seen.server, seen.tool);
        if (seen.outcome === 'success') tally.succeeded += 1;
        else if (seen.outcome === 'retrying') tally.retried += 1;
        else tally.failed += 1;
        if (seen.errorType !== undefined) this.errors.set(seen.errorType, (this.errors.get(seen.errorType) ?? 0) + 1);
        if (seen.durationMs !== undefined) tally.durations.add(seen.durationMs);
        return;
      }
      case 'plan_finished':
        this.plans[seen.status] += 1;
        return;
      case 'plan_deferred':
        this.plans.deferred += 1;
        return;
      default:
        unreachable(seen, 'observation');
    }
  }

  private tally(server: string, tool: string): ActionTally {
    const key = `${server}.${tool}`;
    let tally = this.actions.get(key);
    if (!tally) {
      tally = { server, tool, calls: 0, succeeded: 0, retried: 0, failed: 0, durations: new DurationCounts() };
      this.actions.set(key, tally);
    }
    return tally;
  }

  result(): LogStats {
    const actions: ActionStats[] = [...this.actions.entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([action, t]) => {
        const finished = t.succeeded + t.retried + t.failed;
        return {
          action,
          server: t.server,
          tool: t.tool,
          calls: t.calls,
          finished,
          succeeded: t.succeeded,
          retried: t.retried,
          failed: t.failed,
          successRate: ratio(t.succeeded, finished),
          avgMs: round1(t.durations.mean()),
          p95Ms: t.durations.quantile(0.95) ?? null,
        };
      });
    const sum = (pick: (a: ActionStats) => number): number => actions.reduce((total, a) => total + pick(a), 0);
    const finished = sum((a) => a.finished);
    const byServer: Record<string, number> = {};
    const byDay: Record<string, number> = {};
    const byServerDay: Record<string, Record<string, number>> = {};
    for (const [server, days] of [...this.byServer.entries()].sort(([a], [b]) => (a < b ? -1 : 1))) {
      byServerDay[server] = {};
      for (const [day, calls] of [...days.entries()].sort(([a], [b]) => (a < b ? -1 : 1))) {
        (byServerDay[server] as Record<string, number>)[day] = calls;
        byServer[server] = (byServer[server] ?? 0) + calls;
        byDay[day] = (byDay[day] ?? 0) + calls;
      }
    }
    const errors: Record<string, ErrorStats> = {};
    for (const [type, count] of [...this.errors.entries()].sort(([a], [b]) => (a < b ? -1 : 1))) {
      errors[type] = { count, rate: ratio(count, finished) };
    }
    return {
      since: this.options.sinceMs !== undefined ? new Date(this.options.sinceMs).toISOString() : null,
      first: this.first !== undefined ? new Date(this.first).toISOString() : null,
      last: this.last !== undefined ? new Date(this.last).toISOString() : null,
      lines: { read: this.read, counted: this.counted, skipped: this.skipped },
      calls: { total: sum((a) => a.calls), byServer, byDay: sortKeys(byDay), byServerDay },
      attempts: {
        finished,
        succeeded: sum((a) => a.succeeded),
        retried: sum((a) => a.retried),
        failed: sum((a) => a.failed),
        successRate: ratio(sum((a) => a.succeeded), finished),
      },
      errors,
      retries: sum((a) => a.retried),
      actions,
      plans: { ...this.plans },
    };
  }
}

/** The figures of a whole set of lines at once (tests, small logs). */
export function aggregateLines(lines: Iterable<string>, options: AggregateOptions = {}): LogStats {
  const accumulator = new StatsAccumulator(options);
  for (const line of lines) accumulator.addLine(line);
  return accumulator.result();
}

function isLogLine(value: unknown): value is LogLine {
  return isPlainObject(value) && typeof value['ts'] === 'string' && typeof value['event'] === 'string';
}

function ratio(part: number, whole: number): number | null {
  return whole === 0 ? null : part / whole;
}

function round1(value: number | undefined): number | null {
  return value === undefined ? null : Math.round(value * 10) / 10;
}

function sortKeys(record: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : 1)));
}
