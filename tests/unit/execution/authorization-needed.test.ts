/** An OAuth authorization to give again (AuthorizationNeeded): the plan waits, the breaker probes again. */
import { describe, expect, it } from 'vitest';
import { AuthorizationNeeded, StepError } from '../../../src/core/errors.js';
import { admitCall, breakerSignalOf, breakerView, closedBreaker, recordOutcome } from '../../../src/execution/breaker.js';
import { classifyError } from '../../../src/execution/classify.js';
import { dispositionAfter } from '../../../src/execution/decide.js';
import { McpCallError } from '../../../src/mcp/errors.js';
import { OAuthRefreshError } from '../../../src/mcp/oauth/errors.js';

const now = new Date('2026-02-05T11:00:00Z');
const settings = { failureThreshold: 5, coolDownMs: 30_000 };
const context = { idempotent: false, now, deferDelayMs: 60_000 };

describe('AuthorizationNeeded', () => {
  it('a refused or missing OAuth authorization is one; refused client credentials are not (the config is wrong)', () => {
    const of = (problem: 'refused' | 'not_authorized' | 'credentials_refused') =>
      classifyError(new McpCallError('remote', 'connect', 'remote: cannot connect', { cause: new OAuthRefreshError('remote', problem) }));
    expect(of('refused')).toBeInstanceOf(AuthorizationNeeded);
    expect(of('not_authorized')).toMatchObject({ type: 'authentication', sent: false, server: 'remote' });
    expect(of('credentials_refused')).not.toBeInstanceOf(AuthorizationNeeded);
  });

  it('defers the plan instead of failing it', () => {
    expect(dispositionAfter(new AuthorizationNeeded('remote', 'run auth'), context)).toEqual({ kind: 'deferred', retryAt: new Date('2026-02-05T11:01:00Z') });
    expect(dispositionAfter(new StepError('authentication', '401', false), context)).toEqual({ kind: 'failed' });
  });

  it('opens the breaker without latching it: probed after the cool-down, closed by a success', () => {
    const error = new AuthorizationNeeded('remote', 'run auth');
    expect(breakerSignalOf(error)).toBe('reauthorize');
    const open = recordOutcome(closedBreaker(now), 'reauthorize', error, settings, now);
    expect(breakerView(open, settings)).toMatchObject({ state: 'open', reason: 'authorization', probeAt: '2026-02-05T11:00:30.000Z' });
    expect(admitCall(open, settings, new Date('2026-02-05T11:00:10Z'))).toEqual({ allowed: false, retryAt: new Date('2026-02-05T11:00:30Z') });
    const probe = admitCall(open, settings, new Date('2026-02-05T11:00:31Z'));
    expect(probe).toMatchObject({ allowed: true, probe: true });
    const closed = recordOutcome(probe.allowed ? probe.next : open, 'success', undefined, settings, new Date('2026-02-05T11:00:32Z'));
    expect(breakerView(closed, settings)).toMatchObject({ state: 'closed' });
    expect(breakerView(closed, settings).reason).toBeUndefined();
  });
});
