import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { aggregateLines } from '../../../src/stats/aggregate.js';
import { isoUtcToMs, newDayMemo } from '../../../src/stats/fast-line.js';
import { DurationCounts } from '../../../src/stats/quantiles.js';
import { generateLog, nearestRank } from './generated-log.js';

const utcDay = (at: Date): string => at.toISOString().slice(0, 10);
const START = Date.parse('2026-02-10T00:00:00.000Z');

describe('aggregateLines on a generated log whose figures are known', () => {
  const log = generateLog({ plans: 400, seed: 7, startMs: START, spanDays: 5 });
  const stats = aggregateLines(log.lines, { sinceMs: log.sinceMs, dayOf: utcDay });
  const { truth } = log;
  const sum = (record: Record<string, number>): number => Object.values(record).reduce((a, b) => a + b, 0);

  it('counts calls per server and per day', () => {
    expect(stats.calls.total).toBe(truth.calls);
    expect(stats.calls.byServerDay).toEqual(truth.callsByServerDay);
    for (const [server, days] of Object.entries(truth.callsByServerDay)) expect(stats.calls.byServer[server]).toBe(sum(days));
    const byDay: Record<string, number> = {};
    for (const days of Object.values(truth.callsByServerDay)) for (const [day, n] of Object.entries(days)) byDay[day] = (byDay[day] ?? 0) + n;
    expect(stats.calls.byDay).toEqual(byDay);
    expect(Object.keys(stats.calls.byDay).length).toBeGreaterThanOrEqual(5);
  });

  it('gives each action its exact average and p95 duration', () => {
    expect(stats.actions.map((a) => a.action)).toEqual(Object.keys(truth.durations).sort());
    for (const action of stats.actions) {
      const durations = truth.durations[action.action] as number[];
      expect(action.finished).toBe(durations.length);
      expect(action.p95Ms).toBe(nearestRank(durations, 0.95));
      const mean = durations.reduce((a, b) => a + b, 0) / durations.length;
      expect(action.avgMs).toBeCloseTo(mean, 1);
    }
  });

  it('gives success rate, error rate by type and retries', () => {
    const finished = sum(truth.succeeded) + sum(truth.retried) + sum(truth.failed);
    expect(stats.attempts).toEqual({
      finished,
      succeeded: sum(truth.succeeded),
      retried: sum(truth.retried),
      failed: sum(truth.failed),
      successRate: sum(truth.succeeded) / finished,
    });
    expect(stats.retries).toBe(sum(truth.retried));
    expect(Object.keys(stats.errors).sort()).toEqual(Object.keys(truth.errors).sort());
    for (const [type, count] of Object.entries(truth.errors)) {
      expect(stats.errors[type]).toEqual({ count, rate: count / finished });
    }
    for (const action of stats.actions) {
      expect(action.succeeded).toBe(truth.succeeded[action.action] ?? 0);
      expect(action.successRate).toBe((truth.succeeded[action.action] ?? 0) / action.finished);
    }
  });

  it('counts plans by final folder, and deferrals', () => {
    expect(stats.plans).toEqual(truth.plans);
  });

  it('skips and counts torn or garbled lines, and leaves out lines before the cutoff', () => {
    expect(stats.lines.skipped).toBe(log.garbled);
    expect(stats.lines.read).toBe(log.lines.length);
    expect(stats.lines.counted).toBe(log.lines.length - log.garbled - 150);
    expect(stats.errors['authentication']).toBeUndefined();
    expect(stats.since).toBe(new Date(log.sinceMs).toISOString());
  });

  it('counts the decoys too when there is no cutoff', () => {
    const all = aggregateLines(log.lines, { dayOf: utcDay });
    expect(all.calls.total).toBe(truth.calls + 50);
    expect(all.errors['authentication']?.count).toBe(50);
    expect(all.plans.failed).toBe(truth.plans.failed + 50);
    expect(all.since).toBeNull();
  });

  it('counts exactly the same through the fast path as through JSON.parse alone', () => {
    // A space after the brace keeps every line's meaning but defeats the positional fast path.
    const slowLines = log.lines.map((line) => line.replace(/^\{/, '{ '));
    expect(aggregateLines(slowLines, { sinceMs: log.sinceMs, dayOf: utcDay })).toEqual(stats);
  });

  it('reports nothing, not NaN, for an empty log', () => {
    const empty = aggregateLines([]);
    expect(empty.attempts.successRate).toBeNull();
    expect(empty.actions).toEqual([]);
    expect(empty.first).toBeNull();
  });
});

describe('isoUtcToMs', () => {
  it('agrees with Date.parse on every toISOString output and refuses other shapes', () => {
    const memo = newDayMemo();
    fc.assert(
      fc.property(fc.date({ min: new Date('1970-01-01T00:00:00Z'), max: new Date('9999-12-31T23:59:59Z'), noInvalidDate: true }), (date) => {
        expect(isoUtcToMs(date.toISOString(), memo)).toBe(date.getTime());
      }),
    );
    for (const bad of ['2026-02-16T14:20:30Z', '2026-02-16 14:20:30.000Z', '2026-02-16T24:00:00.000Z', '2026-02-16T14:60:00.000Z', '2026-02-1xT14:20:30.000Z']) {
      expect(isoUtcToMs(bad, memo)).toBeNaN();
    }
  });
});

describe('DurationCounts', () => {
  it('matches the sorted-array nearest-rank percentile and the mean for any sample', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 60_000 }), { minLength: 1, maxLength: 300 }), fc.double({ min: 0.01, max: 1, noNaN: true }), (values, q) => {
        const counts = new DurationCounts();
        for (const v of values) counts.add(v);
        expect(counts.quantile(q)).toBe(nearestRank(values, q));
        expect(counts.mean()).toBeCloseTo(values.reduce((a, b) => a + b, 0) / values.length, 6);
      }),
    );
  });

  it('p95 of 1..100 is 95', () => {
    const counts = new DurationCounts();
    for (let i = 1; i <= 100; i++) counts.add(i);
    expect(counts.quantile(0.95)).toBe(95);
  });
});
