/** The circuit breaker's transitions with an injected clock, directly and through the GuardedCaller. */
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { describe, expect, it } from 'vitest';
import { admitCall, breakerSignalOf, closedBreaker, recordOutcome, type BreakerState } from '../../../src/execution/breaker.js';
import { HeldBackError, StepError, type ErrorType } from '../../../src/core/errors.js';
import { GuardedCaller } from '../../../src/execution/guarded-caller.js';
import { localGuardStore } from '../../../src/execution/guard-store.js';
import { RateLedger } from '../../../src/execution/rate-limit-ledger.js';
import type { ToolCall } from '../../../src/mcp/pool.js';

const settings = { failureThreshold: 3, coolDownMs: 10_000 };
const t0 = new Date('2026-02-05T11:00:00Z');
const at = (ms: number): Date => new Date(t0.getTime() + ms);
const fail = (type: ErrorType): StepError => new StepError(type, `${type} happened`, type === 'ambiguous');

function after(s: BreakerState, types: ErrorType[], now = t0): BreakerState {
  return types.reduce((state, type) => recordOutcome(state, breakerSignalOf(fail(type)), fail(type), settings, now), s);
}

describe('breaker transitions', () => {
  it('opens after N consecutive server failures, and only those count', () => {
    let s = after(closedBreaker(t0), ['server_error', 'timeout']);
    expect(s.state).toBe('closed');
    // A validation or tool error is an answer from a live server: it resets the count.
    s = after(s, ['validation', 'tool_error', 'rate_limit']);
    expect(s.consecutiveFailures).toBe(0);
    s = after(s, ['connection', 'ambiguous', 'server_error']);
    expect(s.state).toBe('open');
    expect(s.lastError?.type).toBe('server_error');
    expect(admitCall(s, settings, at(9_999))).toEqual({ allowed: false, retryAt: at(10_000) });
  });

  it('lets one probe through after the cool-down; success closes, failure re-opens', () => {
    const open = after(closedBreaker(t0), ['server_error', 'server_error', 'server_error']);
    const probe = admitCall(open, settings, at(10_000));
    expect(probe).toMatchObject({ allowed: true, probe: true });
    if (!probe.allowed) throw new Error('unreachable');
    expect(probe.next.state).toBe('half-open');
    // A second caller while the probe is out is turned away at once, not made to wait.
    expect(admitCall(probe.next, settings, at(10_001)).allowed).toBe(false);

    const closed = recordOutcome(probe.next, 'success', undefined, settings, at(10_500));
    expect(closed).toMatchObject({ state: 'closed', consecutiveFailures: 0 });
    expect(closed.downSince).toBeUndefined();

    const reopened = recordOutcome(probe.next, 'failure', fail('timeout'), settings, at(10_500));
    expect(reopened.state).toBe('open');
    expect(reopened.downSince).toEqual(t0); // down since the first opening, for the "down too long" alert
    expect(admitCall(reopened, settings, at(20_499)).allowed).toBe(false);
    expect(admitCall(reopened, settings, at(20_500)).allowed).toBe(true);
  });

  it('an authentication failure latches it open: no probe, not even a late success lifts it', () => {
    let s = recordOutcome(closedBreaker(t0), 'authentication', fail('authentication'), settings, t0);
    expect(s).toMatchObject({ state: 'open', latched: true });
    expect(admitCall(s, settings, at(3_600_000))).toEqual({ allowed: false });
    s = recordOutcome(s, 'success', undefined, settings, at(1));
    expect(s.latched).toBe(true);
  });
});

/** A fake pool: each call answers with the next scripted error type, or ok. */
function fakeInner(script: (ErrorType | 'ok')[]) {
  const calls: ToolCall[] = [];
  return {
    calls,
    async callTool(call: ToolCall): Promise<CallToolResult> {
      calls.push(call);
      const move = script[Math.min(calls.length - 1, script.length - 1)] ?? 'ok';
      if (move === 'ok') return { content: [{ type: 'text', text: 'ok' }] };
      return { isError: true, content: [], structuredContent: { error_type: move, message: `scripted ${move}` } };
    },
    listTools: async () => [],
  };
}

describe('GuardedCaller', () => {
  const call: ToolCall = { server: 'mail', tool: 'send', args: {}, timeoutMs: 1000 };
  function guarded(script: (ErrorType | 'ok')[]) {
    let now = t0;
    const inner = fakeInner(script);
    const changes: string[] = [];
    const caller = new GuardedCaller({
      inner,
      servers: ['mail'],
      breaker: settings,
      rateRules: new Map(),
      store: localGuardStore(RateLedger.inMemory(new Map()), () => now),
      now: () => now,
      latchedRetryMs: 60_000,
      onChange: (server, view) => changes.push(`${server}:${view.state}`),
    });
    return { caller, inner, changes, advance: (ms: number) => (now = new Date(now.getTime() + ms)) };
  }

  it('stops sending to a failing server, probes once after the cool-down, and closes on success', async () => {
    const g = guarded(['server_error', 'server_error', 'server_error', 'ok']);
    for (let i = 0; i < 3; i += 1) await g.caller.callTool(call);
    expect(g.caller.breakerStates().mail).toMatchObject({ state: 'open', consecutiveFailures: 3, reason: 'failures' });
    const held = await g.caller.callTool(call).catch((error: unknown) => error);
    expect(held).toBeInstanceOf(HeldBackError);
    expect((held as HeldBackError).retryAt).toEqual(at(10_000));
    expect((held as HeldBackError).message).toMatch(/open after 3 consecutive failures.*next probe at/);
    expect(g.inner.calls).toHaveLength(3); // the held-back call never reached the server

    g.advance(10_000);
    const probe = await g.caller.admit(call);
    expect(probe.ok).toBe(true);
    expect((await g.caller.admit(call)).ok).toBe(false); // one probe at a time
    if (probe.ok) await probe.permit.call(call);
    expect(g.caller.breakerStates().mail?.state).toBe('closed');
    expect(g.changes).toEqual(['mail:closed', 'mail:closed', 'mail:open', 'mail:half-open', 'mail:closed']);
  });

  it('a released probe (never sent) lets the next caller probe instead', async () => {
    const g = guarded(['server_error']);
    for (let i = 0; i < 3; i += 1) await g.caller.callTool(call);
    g.advance(10_000);
    const first = await g.caller.admit(call);
    if (!first.ok) throw new Error('expected a probe');
    first.permit.release();
    expect((await g.caller.admit(call)).ok).toBe(true);
    expect(g.inner.calls).toHaveLength(3);
  });

  it('after an authentication error, neither calls nor tool listings reach the server', async () => {
    const g = guarded(['authentication', 'ok']);
    await g.caller.callTool(call);
    expect(g.caller.breakerStates().mail).toMatchObject({ state: 'open', reason: 'authentication' });
    g.advance(24 * 3_600_000);
    const held = await g.caller.callTool(call).catch((error: unknown) => error);
    expect((held as HeldBackError).message).toMatch(/rejected our credentials.*until the daemon restarts/);
    const catalog = await g.caller.catalog(['mail']);
    expect(catalog.get('mail')).toMatchObject({ ok: false });
    expect(g.inner.calls).toHaveLength(1);
  });

  it('counts tool listings that cannot reach the server, so a server that will not start opens its breaker', async () => {
    let now = t0;
    let listed = 0;
    const caller = new GuardedCaller({
      inner: {
        callTool: async () => ({ content: [] }),
        listTools: async () => {
          listed += 1;
          throw Object.assign(new Error('spawn node-missing ENOENT'), { code: 'ENOENT' });
        },
      },
      servers: ['mail'],
      breaker: settings,
      rateRules: new Map(),
      store: localGuardStore(RateLedger.inMemory(new Map()), () => now),
      now: () => now,
      latchedRetryMs: 60_000,
    });
    for (let i = 0; i < 4; i += 1) await caller.catalog(['mail', 'unknown']);
    expect(listed).toBe(4); // unknown servers are not asked, as with McpPool.catalog
    expect(caller.breakerStates()).toEqual({ mail: expect.objectContaining({ state: 'open', since: t0.toISOString() }) });
    expect((await caller.callTool(call).catch((error: unknown) => error)) as HeldBackError).toBeInstanceOf(HeldBackError);
    now = at(10_000);
    await caller.catalog(['mail']); // a failed listing after the cool-down is a failed probe: open again
    expect(caller.breakerStates().mail?.since).toBe(at(10_000).toISOString());
  });
});
