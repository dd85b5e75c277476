/**
 * What the dashboard counts (monitor/plan-tracker.ts) over months: a plan the runner let go without an
 * event (its lease lost, in a cluster) is no longer counted, and is not kept; finished plans are kept two days.
 */
import { describe, expect, it } from 'vitest';
import type { PlanEvent, PlanRef } from '../../../src/events/plan-event.js';
import { PlanTracker } from '../../../src/monitor/plan-tracker.js';

const ref = (claim: string): PlanRef => ({ claim, approval: `a-${claim}`, id: claim });

describe('PlanTracker', () => {
  it('10,000 plans let go without an event (a lost lease) leave nothing counted or kept', () => {
    let now = Date.parse('2026-12-02T07:00:00.000Z');
    const tracker = new PlanTracker(() => new Date(now), () => undefined);
    for (let i = 0; i < 10_000; i += 1) {
      const claim = `p${i}.md`;
      tracker.subscriber({ type: 'queued', plan: ref(claim), at: new Date(now) } as PlanEvent);
      now += 1_000;
      tracker.letGo(claim);
    }
    expect(tracker.snapshot()).toMatchObject({ waiting: 0, inProgress: 0, deferred: 0 });
    tracker.subscriber({ type: 'queued', plan: ref('kept.md'), at: new Date(now) } as PlanEvent);
    expect(tracker.snapshot().waiting).toBe(1);
  });

  it('finished plans are kept for two days, then go', () => {
    let now = Date.parse('2026-12-02T07:00:00.000Z');
    const tracker = new PlanTracker(() => new Date(now), () => undefined);
    for (let i = 0; i < 10_000; i += 1) {
      tracker.subscriber({ type: 'plan_moved', plan: ref(`p${i}.md`), at: new Date(now), folder: 'Done', path: `Done/p${i}.md` } as PlanEvent);
      now += 60_000; // one a minute: about 2,880 in two days
    }
    expect(tracker.snapshot().finished.length).toBeLessThanOrEqual(48 * 60 + 1);
    expect(tracker.snapshot().finished.at(-1)?.file).toBe('p9999.md');
  });
});
