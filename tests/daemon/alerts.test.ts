/** Alert rules over a state snapshot (injected clock), raising and resolving, and the webhook's failures. */
import { describe, expect, it } from 'vitest';
import { createMemoryAuditLog } from '../../src/audit/memory.js';
import { AlertCenter, type AlertNotice } from '../../src/monitor/alert-center.js';
import { activeAlerts, type AlertInput } from '../../src/monitor/alerts.js';
import { webhookNotifier } from '../../src/monitor/webhook.js';
import type { BreakerView } from '../../src/execution/breaker.js';

const rules = { serverDownMs: 5 * 60_000, failedPlans: 3, failedPlansWithinMs: 3_600_000, queueThreshold: 20 };
const t0 = new Date('2026-02-05T11:00:00Z');
const at = (ms: number): Date => new Date(t0.getTime() + ms);
const closed: BreakerView = { state: 'closed', since: t0.toISOString(), consecutiveFailures: 0 };
const down: BreakerView = {
  state: 'open',
  since: at(60_000).toISOString(),
  downSince: t0.toISOString(),
  consecutiveFailures: 7,
  reason: 'failures',
  lastError: { type: 'connection', message: 'ECONNREFUSED', at: t0.toISOString() },
};
const input = (over: Partial<AlertInput>): AlertInput => ({ now: t0, servers: { mail: closed }, waiting: 0, finished: [], ...over });

describe('alert rules', () => {
  it('all quiet: no alert', () => {
    expect(activeAlerts(input({}), rules)).toEqual([]);
  });

  it('a server down longer than the threshold, counted from when it first went down', () => {
    expect(activeAlerts(input({ now: at(4 * 60_000), servers: { mail: down } }), rules)).toEqual([]);
    expect(activeAlerts(input({ now: at(6 * 60_000), servers: { mail: down } }), rules)).toEqual([
      {
        key: 'server_down:mail',
        kind: 'server_down',
        server: 'mail',
        message: 'server mail has been down for 6m (last error: connection: ECONNREFUSED)',
      },
    ]);
  });

  it('an authentication failure at once, without waiting for the down threshold', () => {
    const latched: BreakerView = { ...down, reason: 'authentication', lastError: { type: 'authentication', message: 'HTTP 401', at: t0.toISOString() } };
    const alerts = activeAlerts(input({ now: at(10 * 60_000), servers: { mail: latched } }), rules);
    expect(alerts.map((a) => a.key)).toEqual(['authentication:mail']);
    expect(alerts[0]?.message).toMatch(/rejected our credentials: HTTP 401; calls to it are stopped until the daemon restarts/);
  });

  it('repeated plan failures within the window; done plans and old failures do not count', () => {
    const finished = [
      { at: at(-2 * 3_600_000), folder: 'Failed' as const, file: 'old.md' },
      { at: at(-30 * 60_000), folder: 'Failed' as const, file: 'a.md' },
      { at: at(-20 * 60_000), folder: 'Done' as const, file: 'ok.md' },
      { at: at(-10 * 60_000), folder: 'Needs_Review' as const, file: 'b.md' },
    ];
    expect(activeAlerts(input({ finished }), rules)).toEqual([]);
    const more = [...finished, { at: t0, folder: 'Failed' as const, file: 'c.md' }];
    expect(activeAlerts(input({ finished: more }), rules)).toEqual([
      { key: 'repeated_failures', kind: 'repeated_failures', message: '3 plans failed or need review in the last 1h (latest: a.md, b.md, c.md)' },
    ]);
    // Half an hour later the first has left the window.
    expect(activeAlerts(input({ now: at(31 * 60_000), finished: more }), rules)).toEqual([]);
  });

  it('a growing queue above the threshold', () => {
    expect(activeAlerts(input({ waiting: 20 }), rules)).toEqual([]);
    expect(activeAlerts(input({ waiting: 21 }), rules).map((a) => a.message)).toEqual(['21 plans are waiting to run (threshold 20)']);
  });
});

describe('AlertCenter', () => {
  it('writes one ALERT line when an alert opens and one when it is resolved, and posts both', async () => {
    const audit = createMemoryAuditLog();
    const notices: AlertNotice[] = [];
    let now = t0;
    const center = new AlertCenter({ audit, now: () => now, notify: async (notice) => void notices.push(notice) });
    const alert = { key: 'queue', kind: 'queue' as const, message: '21 plans are waiting to run (threshold 20)' };
    expect(center.update([alert])).toBe(true);
    now = at(1_000);
    expect(center.update([alert])).toBe(false); // still open: not announced again
    expect(center.open()).toEqual([{ ...alert, raisedAt: t0 }]);
    now = at(2_000);
    expect(center.update([])).toBe(true);
    await center.settle();
    expect(audit.events).toEqual([
      { event: 'ALERT', status: 'open', message: 'queue: 21 plans are waiting to run (threshold 20)' },
      { event: 'ALERT', status: 'resolved', message: 'queue: 21 plans are waiting to run (threshold 20)' },
    ]);
    expect(notices.map((n) => [n.status, n.key, n.at])).toEqual([
      ['open', 'queue', t0.toISOString()],
      ['resolved', 'queue', at(2_000).toISOString()],
    ]);
  });
});

describe('alert webhook', () => {
  const notice: AlertNotice = { status: 'open', kind: 'queue', key: 'queue', message: 'm', raised_at: t0.toISOString(), at: t0.toISOString() };

  it('POSTs the notice as JSON', async () => {
    const requests: Array<{ url: string; init: RequestInit }> = [];
    const notify = webhookNotifier({
      url: 'https://hooks.example.com/T0/secret',
      onError: () => undefined,
      fetch: (async (url: string, init: RequestInit) => {
        requests.push({ url, init });
        return new Response(null, { status: 204 });
      }) as typeof fetch,
    });
    await notify(notice);
    expect(requests[0]?.url).toBe('https://hooks.example.com/T0/secret');
    expect(requests[0]?.init.method).toBe('POST');
    expect(JSON.parse(String(requests[0]?.init.body))).toMatchObject({ source: 'mcp-orchestrator', status: 'open', kind: 'queue' });
  });

  it('a failing or refusing webhook is only logged, without its secret path, and never throws', async () => {
    const errors: string[] = [];
    const refused = webhookNotifier({
      url: 'https://hooks.example.com/T0/secret',
      onError: (message) => errors.push(message),
      fetch: (async () => {
        throw new TypeError('fetch failed');
      }) as typeof fetch,
    });
    const rejected = webhookNotifier({
      url: 'https://hooks.example.com/T0/secret',
      onError: (message) => errors.push(message),
      fetch: (async () => new Response('no', { status: 500 })) as typeof fetch,
    });
    await expect(refused(notice)).resolves.toBeUndefined();
    await expect(rejected(notice)).resolves.toBeUndefined();
    expect(errors).toEqual([
      'alert webhook https://hooks.example.com failed: fetch failed',
      'alert webhook https://hooks.example.com answered HTTP 500',
    ]);
  });
});
