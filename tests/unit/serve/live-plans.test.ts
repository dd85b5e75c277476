/**
 * The MCP server's live view of the daemon's plans (serve/live-plans.ts) over months: plans that ended are
 * forgotten oldest first past a limit, one heard of again after its release is not forgotten as ended, and
 * plans never heard of again (a run let go with its lease ends without an event) do not pile up either.
 */
import { describe, expect, it } from 'vitest';
import type { PlanEvent, PlanRef } from '../../../src/events/plan-event.js';
import { LivePlans } from '../../../src/serve/live-plans.js';
import { claimed as claimedEvent, planEnded, planMoved, planRef } from '../../helpers/plan-events.js';

let now = Date.parse('2026-12-02T07:00:00.000Z');
const ref = (claim: string): PlanRef => ({ claim, approval: `a-${claim}`, id: claim.replace('.md', '') });
const at = () => new Date((now += 1_000));
const claimed = (claim: string): PlanEvent => ({ type: 'claimed', plan: ref(claim), at: at(), from: claim, hash: 'h' });
const queued = (claim: string): PlanEvent => ({ type: 'queued', plan: ref(claim), at: at() });
const moved = (claim: string): PlanEvent => ({ type: 'plan_moved', plan: ref(claim), at: at(), folder: 'Done', path: `Done/${claim}` });
const released = (claim: string): PlanEvent => ({ type: 'released', plan: ref(claim), at: at(), reason: 'handed over' });

describe('LivePlans', () => {
  it('10,000 plans that end keep the last 500; the plans still going stay', () => {
    const live = new LivePlans(() => undefined);
    live.subscriber(claimed('running.md'));
    live.subscriber(queued('running.md'));
    for (let i = 0; i < 10_000; i += 1) {
      live.subscriber(claimed(`p${i}.md`));
      live.subscriber(moved(`p${i}.md`));
    }
    expect(live.size).toBe(501);
    expect(live.byId('running')?.status).toBe('queued');
    expect(live.byId('p9999')?.folder).toBe('Done');
    expect(live.byId('p9499')).toBeUndefined();
  });

  it('a plan released, then taken up again here, is not forgotten as ended while it runs', () => {
    const live = new LivePlans(() => undefined);
    live.subscriber(claimed('back.md'));
    live.subscriber(released('back.md'));
    live.subscriber(queued('back.md')); // taken over again by this node
    for (let i = 0; i < 1_000; i += 1) {
      live.subscriber(claimed(`p${i}.md`));
      live.subscriber(moved(`p${i}.md`));
    }
    expect(live.byId('back')?.status).toBe('queued');
  });

  it('a plan let go without an event (a lost lease) is shown as released, so its state is asked elsewhere, and who listens is told (a wait_for_plan looks again); an ended one keeps its end', () => {
    const heard: string[] = [];
    const live = new LivePlans(() => undefined, (plan) => heard.push(`${plan.id} ${plan.status}`));
    live.subscriber(claimed('lost.md'));
    live.subscriber(queued('lost.md'));
    live.subscriber(claimed('done.md'));
    live.subscriber(moved('done.md'));
    live.letGo('lost.md');
    live.letGo('done.md');
    live.letGo('never-heard-of.md');
    live.letGo('lost.md'); // already let go
    expect(live.byId('lost')?.status).toBe('released');
    expect(live.byId('done')).toMatchObject({ status: 'queued', folder: 'Done' });
    expect(live.size).toBe(2);
    expect(heard).toEqual(['lost released']);
  });

  it('20,000 plans never heard of again (let go with their lease, no event) keep at most 5,000', () => {
    const live = new LivePlans(() => undefined);
    for (let i = 0; i < 20_000; i += 1) {
      live.subscriber(claimed(`lost${i}.md`));
      live.subscriber(queued(`lost${i}.md`));
    }
    expect(live.size).toBe(5_000);
    expect(live.byId('lost19999')?.status).toBe('queued');
    expect(live.byId('lost0')).toBeUndefined();
  });
});

describe('the live view of the daemon’s plans', () => {
  it('knows a new plan claimed under the file name an ended one had, by its own id', () => {
    const live = new LivePlans(() => undefined);
    const first = planRef('first');
    live.subscriber(claimedEvent(first));
    live.subscriber(planEnded(first, { kind: 'completed' }, 'Done'));
    live.subscriber(planMoved(first, 'Done'));
    const second = { ...planRef('second'), claim: first.claim };
    live.subscriber(claimedEvent(second));
    expect(live.byId('second')).toMatchObject({ claim: 'first.md', id: 'second', status: 'queued', folder: 'In_Progress' });
    expect(live.byId('second')?.path).toBeUndefined();
  });
});
