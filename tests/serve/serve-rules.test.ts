/**
 * The serve layer's pure rules, where a wrong answer would let a call escape its folder or its limit:
 * file names from whatever was asked, plan ids that are never paths, the submission bucket (with a
 * clock of the test's own), the HTTP guard, and reading a plan's progress back from its file.
 */
import { describe, expect, it } from 'vitest';
import { ConfigSchema } from '../../src/config/schema.js';
import { isPlainId } from '../../src/serve/bounds.js';
import { allowedHostnames, checkRequest } from '../../src/serve/http-guard.js';
import { safePlanFileName } from '../../src/serve/plan-name.js';
import { planDetails } from '../../src/serve/plan-view.js';
import { SubmissionLimiter, take } from '../../src/serve/token-bucket.js';
import { twoStepPlan } from './helpers.js';

describe('safePlanFileName', () => {
  it.each([
    ['../Approved/evil', 'evil.md'],
    ['..\\..\\Done\\x.md', 'x.md'],
    ['/etc/passwd', 'passwd.md'],
    ['.hidden', 'hidden.md'],
    ['a..b', 'a.b.md'],
    ['Q4 proposal: "final"?', 'Q4 proposal- -final.md'],
    ['Café plan.MD', 'Café plan.md'],
    ['x\u0000y\nz', 'x-y-z.md'],
  ])('%j becomes %j', (asked, name) => {
    expect(safePlanFileName(asked, 'fallback')).toBe(name);
  });

  it('falls back when nothing usable is left, and bounds the length', () => {
    expect(safePlanFileName('../..', 'plan-1')).toBe('plan-1.md');
    expect(safePlanFileName(undefined, '../x')).toBe('x.md');
    expect(safePlanFileName('...', '...')).toBe('plan.md');
    expect(safePlanFileName('a'.repeat(500), 'f').length).toBe(120 + 3);
  });
});

describe('isPlainId', () => {
  it('accepts plan ids and refuses anything path-like', () => {
    for (const id of ['20260216-141530-Plan', 'loop plan (2)', 'Café', 'a.b']) expect(isPlainId(id), id).toBe(true);
    for (const id of ['../x', '/etc/passwd', 'a/b', 'a\\b', '..', '.orchestrator', 'a\u0000', 'a\nb', ' ']) expect(isPlainId(id), JSON.stringify(id)).toBe(false);
  });
});

describe('the submission bucket', () => {
  it('lets a burst of max through, then one per per/max, and says when', () => {
    let now = 1_000_000;
    const limiter = new SubmissionLimiter({ now: () => new Date(now), monotonicMs: () => now }, 10, 60_000);
    const first = Array.from({ length: 12 }, () => limiter.admit());
    expect(first.filter((wait) => wait === undefined)).toHaveLength(10);
    expect(first[10]).toBe(6_000);
    now += 5_999;
    expect(limiter.admit()).toBe(1);
    now += 1;
    expect(limiter.admit()).toBeUndefined();
    expect(take({ tokens: 0, atMs: 0 }, -5, 1, 1000)).toMatchObject({ ok: false }); // a clock stepped back refills nothing
  });
});

describe('the HTTP guard', () => {
  const allowed = allowedHostnames('127.0.0.1', ['orchestrator.lan']);
  const token = 'a-token-of-some-length';
  const auth = `Bearer ${token}`;

  it('accepts loopback names and configured hosts with the token', () => {
    for (const host of ['127.0.0.1:8080', 'localhost:1', '[::1]:9', 'orchestrator.lan:80']) {
      expect(checkRequest({ host, authorization: auth }, allowed, token)).toEqual({ ok: true });
    }
    expect(checkRequest({ host: 'localhost:1', origin: 'http://localhost:3000', authorization: auth }, allowed, token)).toEqual({ ok: true });
  });

  it('refuses a foreign Host or Origin (403) before looking at the token, and a wrong token (401)', () => {
    expect(checkRequest({ host: 'evil.example', authorization: auth }, allowed, token)).toMatchObject({ ok: false, status: 403 });
    expect(checkRequest({ authorization: auth }, allowed, token)).toMatchObject({ ok: false, status: 403 });
    expect(checkRequest({ host: 'localhost', origin: 'null', authorization: auth }, allowed, token)).toMatchObject({ ok: false, status: 403 });
    expect(checkRequest({ host: 'localhost', origin: 'https://evil.example', authorization: auth }, allowed, token)).toMatchObject({ ok: false, status: 403 });
    expect(checkRequest({ host: 'localhost' }, allowed, token)).toMatchObject({ ok: false, status: 401 });
    expect(checkRequest({ host: 'localhost', authorization: `Bearer ${token}x` }, allowed, token)).toMatchObject({ ok: false, status: 401 });
    expect(checkRequest({ host: 'localhost', authorization: token }, allowed, token)).toMatchObject({ ok: false, status: 401 });
  });

  it('does not accept every host when bound to all interfaces', () => {
    expect([...allowedHostnames('0.0.0.0', [])].sort()).toEqual(['127.0.0.1', '[::1]', 'localhost']);
  });
});

describe('planDetails', () => {
  const { actions } = ConfigSchema.parse({
    mcpServers: { scripted: { command: 'x' } },
    actions: { echo: { server: 'scripted', tool: 'echo' }, add: { server: 'scripted', tool: 'add' } },
  });

  it('reads each step’s outcome, attempts and result back from the ticks and the Execution Log', () => {
    const text = `${twoStepPlan('p').replace('- [ ] Say it', '- [x] Say it')}
## Execution Log

- 2026-02-16 14:20:31 step 1 scripted.echo attempt 1: success (12 ms) — hello
- 2026-02-16 14:20:32 step 2 scripted.add attempt 1: timeout, retrying (5000 ms) — no answer
- 2026-02-16 14:20:40 step 2 scripted.add attempt 2: tool_error (3 ms) — refused
`;
    const details = planDetails(text, 'p.md', actions, 'failed');
    expect(details.steps).toMatchObject([
      { index: 1, id: 'say', server: 'scripted', tool: 'echo', outcome: 'succeeded', attempts: 1, result: 'hello' },
      { index: 2, server: 'scripted', tool: 'add', outcome: 'failed', attempts: 2, error: 'tool_error: refused' },
    ]);
    expect(details.log).toHaveLength(3);
    expect(planDetails('not a plan', 'x.md', actions).problems[0]).toContain('x.md');
  });

  it('reads the Execution Log where the daemon writes it: a heading in fenced code is not one', () => {
    const text = `${twoStepPlan('p')}
## Execution Log

- 2026-02-16 14:20:31 step 1 scripted.echo attempt 1: success (12 ms) — hello

## Notes
\`\`\`markdown
## Execution Log
- not a log line
\`\`\`
`;
    const details = planDetails(text, 'p.md', actions);
    expect(details.log).toEqual(['- 2026-02-16 14:20:31 step 1 scripted.echo attempt 1: success (12 ms) — hello']);
    expect(details.steps[0]).toMatchObject({ index: 1, outcome: 'succeeded', attempts: 1, result: 'hello' });
  });
});
