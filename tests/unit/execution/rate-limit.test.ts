/** Rate limits: the sliding window, the config syntax, holding calls back, and counting across a restart. */
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ActionSchema } from '../../../src/config/schema.js';
import { HeldBackError } from '../../../src/core/errors.js';
import { GuardedCaller } from '../../../src/execution/guarded-caller.js';
import { localGuardStore } from '../../../src/execution/guard-store.js';
import { RateLedger } from '../../../src/execution/rate-limit-ledger.js';
import { nextFreeSlot, rateRulesFrom, type RateRules } from '../../../src/execution/rate-limit.js';
import type { ToolCall } from '../../../src/mcp/pool.js';

const HOUR = 3_600_000;
const rule = { action: 'send_email', max: 3, perMs: HOUR };

describe('nextFreeSlot', () => {
  it('is free below the limit, and otherwise opens when enough of the oldest calls leave the window', () => {
    expect(nextFreeSlot([0, 10], rule, 20)).toBeUndefined();
    expect(nextFreeSlot([30, 0, 10], rule, 40)).toBe(HOUR);
    // Calls older than the window no longer count.
    expect(nextFreeSlot([0, 10, 20], rule, HOUR)).toBeUndefined();
  });
});

describe('rateLimit in the configuration', () => {
  const parse = (per: unknown) => ActionSchema.safeParse({ server: 's', tool: 't', rateLimit: { max: 10, per } });
  it('accepts "1h", "30m", "2s", "1.5d", "250ms" and milliseconds', () => {
    const ms = ['1h', '30m', '2s', '1.5d', '250ms', 5000].map((per) => {
      const result = parse(per);
      return result.success ? result.data.rateLimit?.per : result.error.message;
    });
    expect(ms).toEqual([HOUR, 1_800_000, 2_000, 129_600_000, 250, 5000]);
  });
  it('rejects a duration without a unit, with a message saying what is expected', () => {
    const result = parse('1 hour');
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toMatch(/expected a duration/);
  });
});

const rules: RateRules = rateRulesFrom({
  send_email: ActionSchema.parse({ server: 'mail', tool: 'send', rateLimit: { max: 2, per: '1h' } }),
});
const call: ToolCall = { server: 'mail', tool: 'send', args: {}, timeoutMs: 1000 };

function guardedWith(ledger: RateLedger, now: () => Date) {
  const sent: ToolCall[] = [];
  const caller = new GuardedCaller({
    inner: {
      callTool: async (c): Promise<CallToolResult> => {
        sent.push(c);
        return { content: [{ type: 'text', text: 'sent' }] };
      },
      listTools: async () => [],
    },
    servers: ['mail'],
    breaker: { failureThreshold: 5, coolDownMs: 1000 },
    rateRules: rules,
    store: localGuardStore(ledger, now),
    now,
    latchedRetryMs: 60_000,
  });
  return { caller, sent };
}

let dir: string | undefined;
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
  dir = undefined;
});

describe('rate-limited calls', () => {
  it('holds back the call over the limit until the oldest leaves the window; other tools are not limited', async () => {
    let now = new Date('2026-02-05T10:00:00Z');
    const { caller, sent } = guardedWith(RateLedger.inMemory(rules), () => now);
    await caller.callTool(call);
    now = new Date('2026-02-05T10:20:00Z');
    await caller.callTool(call);
    const held = await caller.callTool(call).catch((error: unknown) => error);
    expect(held).toBeInstanceOf(HeldBackError);
    expect(held).toMatchObject({ reason: 'rate_limit', type: 'rate_limit', sent: false, retryAt: new Date('2026-02-05T11:00:00Z') });
    expect((held as Error).message).toMatch(/rate limit of send_email reached \(2 per 1h\)/);
    await caller.callTool({ ...call, tool: 'other' });
    expect(sent.map((c) => c.tool)).toEqual(['send', 'send', 'other']);
    now = new Date('2026-02-05T11:00:00Z');
    await caller.callTool(call);
    expect(sent).toHaveLength(4);
  });

  it('hands out successive slots to held-back calls, first come first served, so they do not all wake at once', async () => {
    const start = new Date('2026-02-05T10:00:00Z').getTime();
    let now = new Date(start);
    const { caller, sent } = guardedWith(RateLedger.inMemory(rules), () => now);
    await caller.callTool(call);
    await caller.callTool(call);
    const retryAts: Array<number | 'admitted'> = [];
    for (let i = 0; i < 3; i += 1) {
      const admission = await caller.admit(call);
      retryAts.push(admission.ok ? 'admitted' : admission.error.retryAt.getTime() - start);
    }
    expect(retryAts).toEqual([HOUR, HOUR, 2 * HOUR]);
    // A newcomer half an hour later queues behind the promised slots.
    now = new Date(start + HOUR / 2);
    const late = await caller.admit(call);
    expect(late.ok ? 'admitted' : late.error.retryAt.getTime() - start).toBe(2 * HOUR);
    // The held-back calls coming back at their slot are let through.
    now = new Date(start + HOUR + 3);
    await caller.callTool(call);
    await caller.callTool(call);
    expect(sent).toHaveLength(4);
  });

  it('a released permit gives its slot back', async () => {
    const now = new Date();
    const { caller } = guardedWith(RateLedger.inMemory(rules), () => now);
    const first = await caller.admit(call);
    const second = await caller.admit(call);
    expect((await caller.admit(call)).ok).toBe(false);
    if (second.ok) second.permit.release();
    expect(first.ok && (await caller.admit(call)).ok).toBe(true);
  });

  it('still counts the calls sent before a restart (durable ledger), and compacts old ones away', async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'ledger-'));
    const file = path.join(dir, 'rate-limits.jsonl');
    const start = new Date('2026-02-05T10:00:00Z').getTime();
    // An entry far older than the window, and a torn line from a crash mid-append.
    await writeFile(file, `${JSON.stringify({ a: 'send_email', t: start - 10 * HOUR })}\n`);
    let now = new Date(start);
    const first = await RateLedger.open(file, rules, start);
    const before = guardedWith(first, () => now);
    await before.caller.callTool(call);
    now = new Date(start + 60_000);
    await before.caller.callTool(call);
    await first.close();
    await writeFile(file, `${await readFile(file, 'utf8')}{"a":"send_em`);

    now = new Date(start + 120_000);
    const reopened = await RateLedger.open(file, rules, now.getTime());
    const after = guardedWith(reopened, () => now);
    const held = await after.caller.callTool(call).catch((error: unknown) => error);
    expect(held).toMatchObject({ reason: 'rate_limit', retryAt: new Date(start + HOUR) });
    expect(after.sent).toHaveLength(0);
    await reopened.close();
    const lines = (await readFile(file, 'utf8')).trim().split('\n');
    expect(lines.map((line) => (JSON.parse(line) as { t: number }).t)).toEqual([start, start + 60_000]);
  });
});
