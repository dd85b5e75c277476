import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StatsReport } from '../../src/stats/types.js';
import { runCli } from '../helpers/cli.js';
import { createWorkspace, type Workspace } from '../helpers/workspace.js';

let ws: Workspace;

// One real daemon run over three plans, then a queue left in the vault; every test reads that.
beforeAll(async () => {
  ws = await createWorkspace();
  await ws.writePlan('hello.md', '---\naction: echo\ntext: hi\n---\n', 'Approved');
  await ws.writePlan('flaky.md', '---\naction: act_idempotent\nname: flaky\nscript: ["fail:server_error", "ok"]\n---\n', 'Approved');
  await ws.writePlan('bad.md', '---\naction: act\nname: bad\nscript: ["fail:validation"]\n---\n', 'Approved');
  const run = await runCli(['--config', ws.configPath, 'daemon', '--once']);
  expect(run.code).toBe(1); // one plan failed
  expect(run.stdout).toContain('daemon --once: 3 plans: 2 in Done/, 1 in Failed/');
  expect(await ws.list('Done')).toEqual(['flaky.md', 'hello.md']);
  expect(await ws.list('Failed')).toEqual(['bad.md']);
  await ws.writePlan('waiting.md', '---\naction: echo\ntext: later\n---\n', 'Approved');
  await ws.writePlan('held.md', '---\naction: echo\ntext: x\nstatus: deferred\nretry_at: 2099-01-01T00:00:00Z\n---\n', 'In_Progress');
});
afterAll(async () => {
  await ws.cleanup();
});

describe('stats', () => {
  it('reports the run as JSON: calls, per-action figures, errors, retries, plans and the queue', async () => {
    const result = await runCli(['--config', ws.configPath, 'stats', '--json']);
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as StatsReport;
    expect(report.calls.total).toBe(4);
    expect(report.calls.byServer).toEqual({ scripted: 4 });
    expect(Object.values(report.calls.byDay).reduce((a, b) => a + b, 0)).toBe(4);
    const byAction = new Map(report.actions.map((a) => [a.action, a]));
    expect(byAction.get('scripted.echo')).toMatchObject({ calls: 1, succeeded: 1, retried: 0, failed: 0, successRate: 1 });
    expect(byAction.get('scripted.act')).toMatchObject({ calls: 3, succeeded: 1, retried: 1, failed: 1 });
    // Three finished attempts: the nearest-rank p95 is the slowest of them, as the JSON log recorded it.
    const actDurations = (await ws.readLog('mcp_actions.jsonl'))
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => JSON.parse(line) as { tool?: string; event: string; duration_ms?: number })
      .filter((e) => e.tool === 'act' && e.duration_ms !== undefined && ['SUCCESS', 'RETRY', 'FAILED'].includes(e.event))
      .map((e) => e.duration_ms as number);
    expect(actDurations).toHaveLength(3);
    expect(byAction.get('scripted.act')?.p95Ms).toBe(Math.max(...actDurations));
    expect(report.attempts).toEqual({ finished: 4, succeeded: 2, retried: 1, failed: 1, successRate: 0.5 });
    expect(report.errors).toEqual({ server_error: { count: 1, rate: 0.25 }, validation: { count: 1, rate: 0.25 } });
    expect(report.retries).toBe(1);
    expect(report.plans).toEqual({ done: 2, failed: 1, needs_review: 0, deferred: 0 });
    expect(report.queue).toEqual({ waiting: 1, inProgress: 1, deferred: 1 });
    expect(report.lines.skipped).toBe(0);
  });

  it('prints tables by default', async () => {
    const result = await runCli(['--config', ws.configPath, 'stats', '--since', '30m']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Queue: 1 waiting, 1 in progress (1 deferred)');
    expect(result.stdout).toContain('Plans: 2 done, 1 failed, 0 needs review; 0 deferral(s)');
    expect(result.stdout).toMatch(/ACTION\s+CALLS\s+SUCCESS\s+RETRIED\s+FAILED\s+AVG MS\s+P95 MS/);
    expect(result.stdout).toMatch(/scripted\.act\s+3\s+33\.3%\s+1\s+1\s/);
    expect(result.stdout).toMatch(/server_error\s+1\s+25\.0%/);
  });

  it('refuses a --since it cannot read with a usage error', async () => {
    const result = await runCli(['--config', ws.configPath, 'stats', '--since', 'yesterday']);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe('error: --since: invalid duration "yesterday": use a number and a unit, such as 30m, 24h or 7d (units ms, s, m, h, d, w)');
  });
});
