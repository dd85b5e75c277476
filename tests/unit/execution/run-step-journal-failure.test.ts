/** A failure that is no call's outcome (the journal cannot fsync) stops the step as itself, never as a network error. */
import { describe, expect, it } from 'vitest';
import { clockAt } from '../../../src/core/clock.js';
import { unguarded } from '../../../src/execution/call-guard.js';
import { runStep } from '../../../src/execution/run-step.js';
import type { ResolvedStep } from '../../../src/plan/validated.js';

const step: ResolvedStep = {
  index: 1, id: 'mail', text: 'send it', server: 'mail', tool: 'send', args: { to: 'a@example.com' },
  dependsOn: [], timeoutMs: 1000, retries: 3, idempotent: false, idempotencyKey: 'plan:1:abc', acceptsIdempotencyKey: false,
};

describe('runStep when the journal subscriber fails', () => {
  it('rethrows the journal error and sends nothing, instead of deferring the plan as "connection"', async () => {
    let sent = 0;
    const fsyncFailed = new Error('EIO: journal fsync failed');
    const outcome = runStep(step, {
      guard: unguarded({ callTool: async () => { sent += 1; return { content: [] }; } }),
      emitter: {
        plan: { claim: 'p.md', approval: 'a1', id: 'p' },
        emit: async (event) => {
          if (event.type === 'attempt_started') throw fsyncFailed;
        },
      },
      clock: clockAt(() => new Date('2026-02-05T11:00:00Z')),
      resultOf: () => undefined,
      planFields: {},
      retryDelayMs: 0,
      deferDelayMs: 60_000,
      maxResultBytes: 1024,
    });
    await expect(outcome).rejects.toBe(fsyncFailed);
    expect(sent).toBe(0);
  });
});
