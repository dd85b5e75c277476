/** run-step with a guard: a held-back call is deferred at once, unannounced, without spending attempts. */
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { describe, expect, it } from 'vitest';
import { GuardedCaller } from '../../../src/execution/guarded-caller.js';
import { clockAt } from '../../../src/core/clock.js';
import type { PlanEmitter } from '../../../src/events/event-stream.js';
import { localGuardStore } from '../../../src/execution/guard-store.js';
import { RateLedger } from '../../../src/execution/rate-limit-ledger.js';
import { runStep } from '../../../src/execution/run-step.js';
import type { ResolvedStep } from '../../../src/plan/validated.js';

const step: ResolvedStep = {
  index: 1,
  id: 'mail',
  text: 'send it',
  server: 'mail',
  tool: 'send',
  args: { to: 'a@example.com' },
  dependsOn: [],
  timeoutMs: 1000,
  retries: 5,
  idempotent: true,
  idempotencyKey: 'plan:1:abc',
  acceptsIdempotencyKey: false,
};

function setup(threshold: number) {
  const now = new Date('2026-02-05T11:00:00Z');
  let sent = 0;
  const announced: string[] = [];
  const emitter: PlanEmitter = {
    plan: { claim: 'p.md', approval: 'a1', id: 'p' },
    emit: async (event) => {
      if (event.type === 'attempt_started') announced.push(`start ${event.attempt}`);
      if (event.type === 'attempt_ended') announced.push(`end ${event.attempt}${event.retrying ? ' retrying' : ''}`);
    },
  };
  const guard = new GuardedCaller({
    inner: {
      callTool: async (): Promise<CallToolResult> => {
        sent += 1;
        return { isError: true, content: [], structuredContent: { error_type: 'server_error', message: 'boom' } };
      },
      listTools: async () => [],
    },
    servers: ['mail'],
    breaker: { failureThreshold: threshold, coolDownMs: 30_000 },
    rateRules: new Map(),
    store: localGuardStore(RateLedger.inMemory(new Map()), () => now),
    now: () => now,
    latchedRetryMs: 60_000,
  });
  const context = {
    guard,
    emitter,
    clock: clockAt(() => now),
    resultOf: () => undefined,
    planFields: {},
    retryDelayMs: 0,
    deferDelayMs: 60_000,
    maxResultBytes: 1024,
  };
  return { context, announced, sent: () => sent, now };
}

describe('runStep with a guard', () => {
  it('stops retrying the moment the breaker opens and defers to the probe time', async () => {
    const s = setup(2);
    const outcome = await runStep(step, s.context);
    expect(s.sent()).toBe(2);
    expect(outcome).toMatchObject({ kind: 'deferred', attempts: 2, retryAt: new Date(s.now.getTime() + 30_000) });
    expect(s.announced).toEqual(['start 1', 'end 1 retrying', 'start 2', 'end 2 retrying']);
  });

  it('a step whose server is already held back is deferred with no attempt, nothing sent or announced', async () => {
    const s = setup(1);
    await runStep(step, s.context);
    s.announced.length = 0;
    const outcome = await runStep(step, s.context);
    expect(outcome).toMatchObject({ kind: 'deferred', attempts: 0 });
    expect(s.sent()).toBe(1);
    expect(s.announced).toEqual([]);
  });
});
