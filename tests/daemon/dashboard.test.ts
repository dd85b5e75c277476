/** Dashboard.md: its rendering (pure), its write throttle (injected clock), and its content after a real run. */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { buildDashboardModel, renderDashboard } from '../../src/monitor/dashboard-render.js';
import { DashboardWriter, type Timers } from '../../src/monitor/dashboard-writer.js';
import { readDaemonHealth } from '../../src/monitor/health-file.js';
import { startDaemon, waitFor, type DaemonProcess } from '../helpers/daemon-process.js';
import { createWorkspace, type Workspace } from '../helpers/workspace.js';

const local = (text: string) => new Date(text); // no zone: local time, as the dashboard shows it

describe('renderDashboard', () => {
  it('shows counts for today, each server, open alerts and the recent actions', () => {
    const now = local('2026-02-05T11:00:30');
    const model = buildDashboardModel({
      now,
      startedAt: local('2026-02-05T09:00:00'),
      plans: {
        waiting: 2,
        inProgress: 1,
        deferred: 1,
        finished: [
          { at: local('2026-02-04T23:59:00'), folder: 'Done', file: 'yesterday.md' },
          { at: local('2026-02-05T10:00:00'), folder: 'Done', file: 'welcome_email.md' },
          { at: local('2026-02-05T10:30:00'), folder: 'Failed', file: 'broken.md' },
        ],
        recent: [
          { at: local('2026-02-05T11:00:00'), action: 'send_email', outcome: 'success', file: 'welcome_email.md' },
          { at: local('2026-02-05T10:30:00'), action: 'post_linkedin', outcome: 'needs_review', file: 'post.md' },
        ],
      },
      servers: [
        {
          name: 'email-server',
          enabled: true,
          breaker: { state: 'closed', since: local('2026-02-05T09:00:00').toISOString(), consecutiveFailures: 0 },
        },
        {
          name: 'linkedin-server',
          enabled: true,
          breaker: {
            state: 'open',
            since: local('2026-02-05T10:30:00').toISOString(),
            consecutiveFailures: 1,
            reason: 'authentication',
            lastError: { type: 'authentication', message: 'token | expired', at: local('2026-02-05T10:30:00').toISOString() },
          },
        },
        { name: 'old', enabled: false },
      ],
      alerts: [{ key: 'authentication:linkedin-server', kind: 'authentication', message: 'server linkedin-server rejected our credentials', raisedAt: local('2026-02-05T10:30:00') }],
    });
    expect(renderDashboard(model, now)).toBe(
      [
        '# Orchestrator Dashboard',
        '',
        '_Written by the mcp-orchestrator daemon (running since 2026-02-05 09:00:00); edits here are overwritten. Updated 2026-02-05 11:00:30._',
        '',
        '## Plans',
        '',
        '| Waiting | In progress | Deferred | Done today | Failed today | Needs review today |',
        '|---:|---:|---:|---:|---:|---:|',
        '| 2 | 1 | 1 | 1 | 1 | 0 |',
        '',
        '## Servers',
        '',
        '| Server | Health | Since | Last error |',
        '|---|---|---|---|',
        '| email-server | ✓ OK | 2026-02-05 09:00:00 | — |',
        '| linkedin-server | ✗ credentials rejected: calls stopped until restart | 2026-02-05 10:30:00 | authentication: token \\| expired |',
        '| old | – disabled |  | — |',
        '',
        '## Alerts',
        '',
        '- ⚠ [2026-02-05 10:30:00] server linkedin-server rejected our credentials',
        '',
        '## Recent actions',
        '',
        '- [2026-02-05 11:00:00] send_email - ✓ Success - welcome_email.md',
        '- [2026-02-05 10:30:00] post_linkedin - ⚠ Needs review - post.md',
        '',
      ].join('\n'),
    );
  });
});

/** Timers driven by the test: `advance` runs what falls due. */
function fakeClock() {
  let now = 0;
  let seq = 0;
  const pending = new Map<number, { at: number; task: () => void }>();
  const timers: Timers = {
    setTimeout: (task, ms) => {
      seq += 1;
      pending.set(seq, { at: now + ms, task });
      return seq;
    },
    clearTimeout: (handle) => void pending.delete(handle as number),
  };
  return {
    timers,
    now: () => new Date(now),
    async advance(ms: number) {
      now += ms;
      for (const [id, timer] of [...pending].sort((a, b) => a[1].at - b[1].at)) {
        if (timer.at > now) continue;
        pending.delete(id);
        timer.task();
      }
      for (let i = 0; i < 5; i += 1) await Promise.resolve();
    },
  };
}

describe('DashboardWriter', () => {
  it('writes on change, at most once a second, and not at all when nothing changed', async () => {
    const clock = fakeClock();
    let value = 1;
    const writes: Array<{ at: number; text: string }> = [];
    const writer = new DashboardWriter<{ value: number }>({
      model: () => ({ value }),
      render: (model) => `value ${model.value}`,
      write: async (text) => void writes.push({ at: clock.now().getTime(), text }),
      now: clock.now,
      timers: clock.timers,
      minIntervalMs: 1_000,
      onError: () => undefined,
    });
    writer.poke();
    await clock.advance(0);
    expect(writes).toEqual([{ at: 0, text: 'value 1' }]);

    // A burst of changes within the second: one write, when the second is over, with the latest state.
    for (let i = 0; i < 10; i += 1) {
      value += 1;
      writer.poke();
      await clock.advance(50);
    }
    expect(writes).toHaveLength(1);
    await clock.advance(500);
    expect(writes.at(-1)).toEqual({ at: 1_000, text: 'value 11' });

    // Pokes without a change write nothing.
    writer.poke();
    await clock.advance(5_000);
    expect(writes).toHaveLength(2);

    // Closing writes the final state at once, whatever the interval.
    value = 99;
    writer.poke();
    await writer.close();
    expect(writes.at(-1)?.text).toBe('value 99');
  });
});

let ws: Workspace | undefined;
let daemon: DaemonProcess | undefined;
afterEach(async () => {
  await daemon?.stop('SIGKILL');
  await ws?.cleanup();
  ws = undefined;
  daemon = undefined;
});

const actPlan = (id: string, script: string[], extra = '') => `---\nid: ${id}\naction: act\nname: ${id}\nscript: ${JSON.stringify(script)}\n${extra}---\n`;

describe('Dashboard.md from a real run', () => {
  it('after a run of mixed outcomes: counts, server health and one line per action', async () => {
    ws = await createWorkspace({ execution: { maxRetries: 0 } });
    await ws.writePlan('welcome_email.md', `---\nid: welcome\naction: echo\ntext: hi\n---\n`, 'Approved');
    await ws.writePlan('broken.md', actPlan('broken', ['fail:tool_error']), 'Approved');
    await ws.writePlan('unsure.md', actPlan('unsure', ['hang'], 'timeout_ms: 300\n'), 'Approved');
    await ws.writePlan('later.md', actPlan('later', ['fail:rate_limit:600000']), 'Approved');
    await ws.writePlan('invalid.md', `---\nid: invalid\naction: no_such_action\n---\n`, 'Approved');
    daemon = startDaemon(ws.configPath);
    const file = path.join(ws.vault, 'Dashboard.md');

    const text = await waitFor(async () => {
      const current = await readFile(file, 'utf8').catch(() => '');
      return current.includes('| 0 | 0 | 1 | 1 | 2 | 1 |') && /Recent actions\n\n(- .*\n){5}/.test(current) ? current : undefined;
    }, 'the dashboard after every plan settled');
    const recent = text.slice(text.indexOf('## Recent actions'));
    // A line per action; one that did not succeed says why, in one line.
    const line = (action: string, outcome: string, name: string, why?: string) =>
      new RegExp(`^- \\[\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\] ${action.replace(/[()]/g, '\\$&')} - ${outcome} - ${name}${why ? ` — ${why}.*` : ''}$`, 'm');
    expect(recent).toMatch(line('echo', '✓ Success', 'welcome_email.md'));
    expect(recent).toMatch(line('act', '✗ Failed', 'broken.md', 'tool_error: '));
    expect(recent).toMatch(line('act', '⚠ Needs review', 'unsure.md', 'ambiguous: '));
    expect(recent).toMatch(line('act', '⏳ Deferred', 'later.md', 'rate_limit: '));
    expect(recent).toMatch(line('(invalid plan)', '✗ Failed', 'invalid.md', 'invalid plan: .*unknown action'));
    expect(text).toMatch(/^\| scripted \| ✓ OK \| [\d-]+ [\d:]+ \| ambiguous: .*$/m);
    expect(text).toContain('## Alerts\n\n- ⚠');
    expect(text).toMatch(/3 plans failed or need review in the last 1h/);
    // Written atomically: no temporary file is left beside it.
    expect((await readdir(ws.vault)).filter((name) => name.endsWith('.tmp'))).toEqual([]);

    // Other processes (the `servers` command) read the live breakers from health.json.
    expect(await readDaemonHealth(path.join(ws.state, 'health.json'))).toMatchObject({
      running: true,
      breakers: { scripted: { state: 'closed', lastError: { type: 'ambiguous' } } },
      counts: { deferred: 1, doneToday: 1, failedToday: 2, needsReviewToday: 1 },
    });
    // A stopped daemon says so, rather than leaving a dashboard that looks alive.
    expect(await daemon.stop('SIGTERM')).toBe(0);
    expect(await readFile(file, 'utf8')).toMatch(/^_The daemon stopped at [\d-]+ [\d:]+ \(it had run since/m);
    expect(await readDaemonHealth(path.join(ws.state, 'health.json'))).toMatchObject({ running: false });

    // Recent actions survive a restart: read back from the JSON log, the same lines (plans that ran side
    // by side may interleave differently within a second).
    const withoutTimes = (dashboard: string) =>
      dashboard
        .slice(dashboard.indexOf('## Recent actions'))
        .replace(/\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\] /g, '')
        .split('\n')
        .sort();
    daemon = startDaemon(ws.configPath);
    const after = await waitFor(async () => {
      const current = await readFile(file, 'utf8').catch(() => '');
      return current.includes('running since') && /Recent actions\n\n(- .*\n){5}/.test(current) ? current : undefined;
    }, 'the dashboard of the second run');
    expect(withoutTimes(after)).toEqual(withoutTimes(text));
  });
});
