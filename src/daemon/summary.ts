/**
 * What a `daemon --once` run did, per plan: where each one it touched ended up (a final folder, still
 * deferred, or left in In_Progress/), for the closing summary and the exit code.
 */
import type { Subscriber } from '../events/event-stream.js';
import type { FinalFolder } from '../vault/folders.js';

export type PlanStanding = FinalFolder | 'deferred' | 'left';

interface RunSummary {
  readonly subscriber: Subscriber;
  /** Plans by where they stand now. */
  counts(): Readonly<Record<PlanStanding, number>>;
}

export function runSummary(): RunSummary {
  const standing = new Map<string, PlanStanding>();
  return {
    subscriber: (event) => {
      const claim = event.plan.claim;
      switch (event.type) {
        case 'plan_moved':
          return void standing.set(claim, event.folder);
        case 'deferred':
          return void standing.set(claim, 'deferred');
        case 'released':
          return void standing.set(claim, 'left');
        default:
          return;
      }
    },
    counts: () => {
      const counts: Record<PlanStanding, number> = { Done: 0, Failed: 0, Needs_Review: 0, deferred: 0, left: 0 };
      for (const where of standing.values()) counts[where] += 1;
      return counts;
    },
  };
}

/** One line for people: `2 plans: 1 in Done/, 1 in Failed/`. */
export function describeSummary(counts: Readonly<Record<PlanStanding, number>>): string {
  const total = Object.values(counts).reduce((a, b) => a + b, 0);
  if (total === 0) return 'no plan was waiting';
  const parts = (['Done', 'Failed', 'Needs_Review'] as const).filter((f) => counts[f] > 0).map((f) => `${counts[f]} in ${f}/`);
  if (counts.deferred > 0) parts.push(`${counts.deferred} deferred in In_Progress/ (not retried: the daemon exits)`);
  if (counts.left > 0) parts.push(`${counts.left} left in In_Progress/ for the next start`);
  return `${total} plan${total === 1 ? '' : 's'}: ${parts.join(', ')}`;
}

/** `--once` succeeds only when every plan it touched is in Done/. */
export function allDone(counts: Readonly<Record<PlanStanding, number>>): boolean {
  return counts.Failed === 0 && counts.Needs_Review === 0 && counts.deferred === 0 && counts.left === 0;
}
