import { describe, expect, it } from 'vitest';
import { LivePlans } from '../../../src/serve/live-plans.js';
import { claimed, planEnded, planMoved, planRef } from '../../helpers/plan-events.js';

describe('the live view of the daemon’s plans', () => {
  it('knows a new plan claimed under the file name an ended one had, by its own id', () => {
    const live = new LivePlans(() => undefined);
    const first = planRef('first');
    live.subscriber(claimed(first));
    live.subscriber(planEnded(first, { kind: 'completed' }, 'Done'));
    live.subscriber(planMoved(first, 'Done'));
    const second = { ...planRef('second'), claim: first.claim };
    live.subscriber(claimed(second));
    expect(live.byId('second')).toMatchObject({ claim: 'first.md', id: 'second', status: 'queued', folder: 'In_Progress' });
    expect(live.byId('second')?.path).toBeUndefined();
  });
});
