/** The fold of a plan's journal rows into the get_plan view on a node that did not run it (serve/cluster-plan.ts). Pure. */
import { describe, expect, it } from 'vitest';
import type { JournalRecord } from '../../../src/journal/records.js';
import { clusterPlanOf } from '../../../src/serve/cluster-plan.js';

const at = '2026-02-16T14:20:30.000Z';
const claimed: JournalRecord = { type: 'claimed', claim: 'ap-1', plan: 'p', name: 'p.md', file: 'p.md', hash: 'h', at };
const intent = (step: number, attempt = 1): JournalRecord => ({ type: 'intent', claim: 'ap-1', step, key: `k${step}`, attempt, idempotent: true, at });
const outcome = (step: number, status: 'succeeded' | 'failed' | 'ambiguous', extra: Record<string, unknown> = {}, attempt = 1): JournalRecord =>
  ({ type: 'outcome', claim: 'ap-1', step, key: `k${step}`, attempt, status, at, ...extra }) as JournalRecord;

const view = (records: JournalRecord[], held: boolean) => clusterPlanOf('p', { claim: 'ap-1', node: 'a', held, records });

describe('a plan from the cluster journal', () => {
  it('held mid-call: in_progress, the succeeded step with its result, the one in flight running', () => {
    const seen = view([claimed, intent(1), outcome(1, 'succeeded', { text: 'first result' }), intent(2)], true);
    expect(seen?.node).toBe('a');
    expect(seen?.plan).toMatchObject({ id: 'p', claim: 'p.md', status: 'in_progress', folder: 'In_Progress' });
    expect([...(seen?.plan.steps ?? [])]).toEqual([
      [1, { outcome: 'succeeded', attempts: 1, result: 'first result' }],
      [2, { outcome: 'running', attempts: 1 }],
    ]);
  });

  it('finalized: the folder it went to, its path and status', () => {
    const failed = view([claimed, intent(1), outcome(1, 'failed', { error_type: 'validation', text: 'no such user' }), { type: 'finalized', claim: 'ap-1', folder: 'Failed', file: 'p-1.md', at }], false);
    expect(failed?.plan).toMatchObject({ status: 'failed', folder: 'Failed', path: 'Failed/p-1.md' });
    expect(failed?.plan.steps.get(1)).toEqual({ outcome: 'failed', attempts: 1, error: 'validation: no such user' });
    const review = view([claimed, intent(1), outcome(1, 'ambiguous'), { type: 'finalized', claim: 'ap-1', folder: 'Needs_Review', file: 'p.md', at }], false);
    expect(review?.plan.status).toBe('needs_review');
    expect(review?.plan.steps.get(1)?.outcome).toBe('needs_review');
  });

  it('deferred, with its retry time; let go by its node (no lease, not final): released', () => {
    const deferred = view([claimed, intent(1), outcome(1, 'failed', { error_type: 'rate_limit' }), { type: 'deferred', claim: 'ap-1', retry_at: '2026-02-16T15:00:00.000Z', reason: 'rate limited', at }], true);
    expect(deferred?.plan).toMatchObject({ status: 'deferred', retryAt: '2026-02-16T15:00:00.000Z', error: 'rate limited' });
    expect(deferred?.plan.steps.get(1)?.outcome).toBe('deferred');
    expect(view([claimed, intent(1), outcome(1, 'succeeded')], false)?.plan.status).toBe('released');
  });
});
