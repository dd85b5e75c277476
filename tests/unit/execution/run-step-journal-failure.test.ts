/** A failure that is no call's outcome (the journal cannot fsync) stops the step as itself, never as a network error. */
import { describe, expect, it } from 'vitest';
import { runStep } from '../../../src/execution/run-step.js';
import type { ResolvedStep } from '../../../src/plan/validated.js';

const step: ResolvedStep = {
  index: 1, id: 'mail', text: 'send it', server: 'mail', tool: 'send', args: { to: 'a@example.com' },
  dependsOn: [], timeoutMs: 1000, retries: 3, idempotent: false, idempotencyKey: 'plan:1:abc', acceptsIdempotencyKey: false,
};

describe('runStep when an observer fails', () => {
  it('rethrows the observer error and sends nothing, instead of deferring the plan as "connection"', async () => {
    let sent = 0;
    const fsyncFailed = new Error('EIO: journal fsync failed');
    const outcome = runStep(step, {
      caller: { callTool: async () => { sent += 1; return { content: [] }; } },
      observer: {
        attemptStarting: async () => { throw fsyncFailed; },
        attemptFinished: async () => undefined,
        stepFinished: async () => undefined,
      },
      now: () => new Date('2026-02-05T11:00:00Z'),
      results: new Map(),
      planFields: {},
      retryDelayMs: 0,
      deferDelayMs: 60_000,
    });
    await expect(outcome).rejects.toBe(fsyncFailed);
    expect(sent).toBe(0);
  });
});
