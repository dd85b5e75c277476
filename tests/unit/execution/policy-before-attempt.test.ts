/**
 * Policy before every attempt (SPEC §7, issue 12): an approval that expires during a step's retries
 * sends nothing after `expires`; the step fails with the reason. Driven by an injected clock that each
 * failed attempt moves on.
 */
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { describe, expect, it } from 'vitest';
import { clockAt } from '../../../src/core/clock.js';
import { unguarded } from '../../../src/execution/call-guard.js';
import { refusalBeforeAttempt } from '../../../src/execution/decide.js';
import { runStep } from '../../../src/execution/run-step.js';
import type { PlanEmitter } from '../../../src/events/event-stream.js';
import type { Plan } from '../../../src/plan/types.js';
import type { ResolvedStep } from '../../../src/plan/validated.js';

const step: ResolvedStep = {
  index: 1,
  id: 'pay',
  text: 'pay the invoice',
  action: 'pay',
  server: 'bank',
  tool: 'pay',
  args: { amount: 10 },
  dependsOn: [],
  timeoutMs: 1000,
  retries: 4,
  idempotent: false,
  idempotencyKey: 'plan:1:abc',
  acceptsIdempotencyKey: false,
};

const plan = (fields: Partial<Plan>): Plan =>
  ({ id: 'p', file: 'p.md', shape: 'checklist', frontMatter: {}, steps: [], bodyLine: 1, ...fields }) as Plan;

function setup(planFields: Partial<Plan>, script: ReadonlyArray<'fail' | 'ok'>) {
  let now = new Date('2026-02-05T11:00:00Z').getTime();
  const sentAt: number[] = [];
  const started: number[] = [];
  const emitter: PlanEmitter = {
    plan: { claim: 'p.md', approval: 'a1', id: 'p' },
    emit: async (event) => {
      if (event.type === 'attempt_started') started.push(event.attempt);
    },
  };
  const guard = unguarded({
    callTool: async (): Promise<CallToolResult> => {
      sentAt.push(now);
      const move = script[Math.min(sentAt.length - 1, script.length - 1)];
      now += 5_000; // each attempt takes five seconds
      if (move === 'ok') return { content: [{ type: 'text', text: 'paid' }] };
      return { isError: true, content: [], structuredContent: { error_type: 'server_error', message: 'busy' } };
    },
  });
  const p = plan(planFields);
  const context = {
    guard,
    emitter,
    clock: clockAt(() => new Date(now)),
    resultOf: () => undefined,
    planFields: {},
    retryDelayMs: 0,
    deferDelayMs: 60_000,
    maxResultBytes: 1024,
    policy: (s: ResolvedStep, attempt: number, at: Date) => refusalBeforeAttempt(p, s, attempt, at),
  };
  return { context, sentAt, started };
}

describe('policy before every attempt', () => {
  it('an approval that expires during the retries: no attempt after expires, the step fails saying so', async () => {
    // Attempts at 11:00:00, :05, :10 would follow; the approval lapses at 11:00:07.
    const s = setup({ expires: '2026-02-05T11:00:07Z' }, ['fail', 'fail', 'ok']);
    const outcome = await runStep(step, s.context);
    expect(s.sentAt.map((t) => new Date(t).toISOString())).toEqual(['2026-02-05T11:00:00.000Z', '2026-02-05T11:00:05.000Z']);
    expect(s.started).toEqual([1, 2]);
    expect(outcome).toMatchObject({ kind: 'failed', attempts: 2, error: { type: 'validation', sent: false } });
    expect(outcome.kind === 'failed' && outcome.error.message).toMatch(/approval expired at 2026-02-05T11:00:07Z.*attempt 3 was not sent/);
  });

  it('an approval already expired when the step starts sends nothing at all', async () => {
    const s = setup({ expires: '2026-02-05T10:59:59Z' }, ['ok']);
    const outcome = await runStep(step, s.context);
    expect(s.sentAt).toEqual([]);
    expect(outcome).toMatchObject({ kind: 'failed', attempts: 0 });
    expect(outcome.kind === 'failed' && outcome.error.message).toMatch(/its first attempt was not sent/);
  });

  it('an approval valid throughout lets the retries run', async () => {
    const s = setup({ expires: '2026-02-05T12:00:00Z' }, ['fail', 'fail', 'ok']);
    expect(await runStep(step, s.context)).toMatchObject({ kind: 'succeeded', attempts: 3 });
  });

  it.each([
    ['a rejected status', { status: 'rejected' }, /rejected or draft plan is never run/],
    ['a draft status', { status: 'draft' }, /rejected or draft plan is never run/],
    ['an action missing from approved_actions', { approvedActions: ['read_vault'] }, /action "pay" is not in `approved_actions`/],
  ])('%s refuses the attempt', (_title, fields, message) => {
    const refusal = refusalBeforeAttempt(plan(fields), step, 2, new Date('2026-02-05T11:00:00Z'));
    expect(refusal).toMatchObject({ type: 'validation', sent: false });
    expect(refusal?.message).toMatch(message);
  });
});
