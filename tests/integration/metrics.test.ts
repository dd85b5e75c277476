import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { createOrchestratorMetrics } from '../../src/metrics/metrics.js';
import { startMetricsServer, type MetricsServer } from '../../src/metrics/server.js';
import { readQueueDepth } from '../../src/stats/queue-depth.js';
import { runCli } from '../helpers/cli.js';
import { waitFor } from '../helpers/daemon-process.js';
import { createWorkspace, type Workspace } from '../helpers/workspace.js';
import { attemptFailed, attemptSucceeded, deferred, planMoved, planRef, resolvedStep } from '../helpers/plan-events.js';

let dir: string;
let server: MetricsServer | undefined;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'orch-metrics-'));
});
afterEach(async () => {
  await server?.close();
  server = undefined;
  await rm(dir, { recursive: true, force: true });
});

async function scrape(url: string): Promise<string> {
  const response = await fetch(`${url}/metrics`);
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toContain('text/plain');
  return response.text();
}

/** The value of one sample line, e.g. `name{a="b"}`, or undefined when absent. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('metrics over loopback', () => {
  it('counts calls, errors, retries, durations and plans from plan events, and reads the queue at scrape time', async () => {
    const vault = path.join(dir, 'vault');
    await mkdir(path.join(vault, 'Approved'), { recursive: true });
    await mkdir(path.join(vault, 'In_Progress'), { recursive: true });
    await writeFile(path.join(vault, 'Approved', 'a.md'), '# a\n');
    await writeFile(path.join(vault, 'In_Progress', 'b.md'), '---\nstatus: deferred\n---\n');
    await writeFile(path.join(vault, 'In_Progress', 'c.md'), '---\nstatus: in_progress\n---\n');

    const metrics = createOrchestratorMetrics({ queueDepth: () => readQueueDepth(vault), processMetrics: false });
    const other = createOrchestratorMetrics({ processMetrics: false }); // its own registry: no clash
    const mail = resolvedStep({ server: 'email-server', tool: 'send_email' });
    const write = resolvedStep({ server: 'vault', tool: 'write_note' });
    const plan = planRef('p');
    metrics.subscriber({ type: 'attempt_started', plan, at: new Date(), step: mail, attempt: 1, args: {} });
    metrics.subscriber(attemptFailed({ plan, step: mail, attempt: 1, type: 'rate_limit', retrying: true, durationMs: 40 }));
    metrics.subscriber({ type: 'attempt_started', plan, at: new Date(), step: mail, attempt: 2, args: {} });
    metrics.subscriber(attemptSucceeded({ plan, step: mail, attempt: 2, durationMs: 1500 }));
    metrics.subscriber(attemptFailed({ plan: planRef('q'), step: write, attempt: 1, type: 'timeout', retrying: false, durationMs: 30_000 }));
    metrics.subscriber(planMoved(plan, 'Done'));
    metrics.subscriber(planMoved(planRef('q'), 'Failed'));
    metrics.subscriber(deferred(planRef('r'), new Date()));
    metrics.notices.record({ event: 'ALERT', message: 'server down' });
    await metrics.notices.close();
    metrics.notices.record({ event: 'ALERT', message: 'late' }); // after close: ignored

    server = await startMetricsServer({ port: 0, registry: metrics.registry, health: () => ({ ok: true, plans: 1 }) });
    expect(server.url).toBe(`http://127.0.0.1:${server.port}`);
    const text = await scrape(server.url);
    const p = 'mcp_orchestrator_';
    expect(sample(text, `${p}calls_total{server="email-server",tool="send_email",status="retrying"}`)).toBe(1);
    expect(sample(text, `${p}calls_total{server="email-server",tool="send_email",status="success"}`)).toBe(1);
    expect(sample(text, `${p}calls_total{server="vault",tool="write_note",status="failed"}`)).toBe(1);
    expect(sample(text, `${p}call_errors_total{server="email-server",tool="send_email",error_type="rate_limit"}`)).toBe(1);
    expect(sample(text, `${p}call_errors_total{server="vault",tool="write_note",error_type="timeout"}`)).toBe(1);
    expect(sample(text, `${p}call_retries_total{server="email-server",tool="send_email"}`)).toBe(1);
    expect(sample(text, `${p}call_duration_seconds_count{server="email-server",tool="send_email"}`)).toBe(2);
    expect(sample(text, `${p}call_duration_seconds_sum{server="email-server",tool="send_email"}`)).toBeCloseTo(1.54, 6);
    expect(sample(text, `${p}call_duration_seconds_bucket{le="2.5",server="email-server",tool="send_email"}`)).toBe(2);
    expect(sample(text, `${p}call_duration_seconds_bucket{le="1",server="email-server",tool="send_email"}`)).toBe(1);
    expect(sample(text, `${p}plans_total{status="done"}`)).toBe(1);
    expect(sample(text, `${p}plans_total{status="failed"}`)).toBe(1);
    expect(sample(text, `${p}plans_total{status="needs_review"}`)).toBe(0);
    expect(sample(text, `${p}plans_total{status="deferred"}`)).toBe(1);
    expect(sample(text, `${p}alerts_total`)).toBe(1);
    expect(sample(text, `${p}queue_depth{state="waiting"}`)).toBe(1);
    expect(sample(text, `${p}queue_depth{state="in_progress"}`)).toBe(1);
    expect(sample(text, `${p}queue_depth{state="deferred"}`)).toBe(1);

    // The gauge is read at scrape time: a plan approved now shows on the next scrape.
    await writeFile(path.join(vault, 'Approved', 'd.md'), '# d\n');
    expect(sample(await scrape(server.url), `${p}queue_depth{state="waiting"}`)).toBe(2);
    expect(await other.registry.metrics()).toContain(`${p}plans_total{status="done"} 0`);

    const health = await fetch(`${server.url}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ ok: true, plans: 1 });
    expect((await fetch(`${server.url}/nope`)).status).toBe(404);
    expect((await fetch(`${server.url}/metrics`, { method: 'POST' })).status).toBe(405);
  });

  it('answers 503 when unhealthy, and refuses a port already taken with a clear error', async () => {
    const metrics = createOrchestratorMetrics({ processMetrics: false });
    server = await startMetricsServer({ port: 0, registry: metrics.registry, health: () => ({ ok: false, reason: 'x' }) });
    expect((await fetch(`${server.url}/healthz`)).status).toBe(503);
    await expect(startMetricsServer({ port: server.port, registry: metrics.registry })).rejects.toThrow(
      `metrics port ${server.port} on 127.0.0.1 is already in use: pick another --metrics-port`,
    );
  });
});

describe('daemon --metrics-port', () => {
  let ws: Workspace;
  beforeEach(async () => {
    ws = await createWorkspace();
  });
  afterEach(async () => {
    await ws.cleanup();
  });

  it('serves the daemon’s own counts while it runs, then stops serving', async () => {
    const lines: string[] = [];
    const stop = new AbortController();
    const exit = main(['node', 'mcp-orchestrator', '--config', ws.configPath, 'daemon', '--metrics-port', '0'], { out: (l) => lines.push(l), err: (l) => lines.push(l) }, stop.signal);
    try {
      const url = await waitFor(() => lines.map((l) => /^metrics: (http:\/\/127\.0\.0\.1:\d+)\/metrics/.exec(l)?.[1]).find(Boolean), 'the metrics address');
      await ws.writePlan('hello.md', '---\naction: echo\ntext: hi\n---\n', 'Approved');
      const text = await waitFor(async () => {
        const body = await scrape(url);
        return sample(body, 'mcp_orchestrator_plans_total{status="done"}') === 1 ? body : undefined;
      }, 'the finished plan in the metrics');
      expect(sample(text, 'mcp_orchestrator_calls_total{server="scripted",tool="echo",status="success"}')).toBe(1);
      expect(sample(text, 'mcp_orchestrator_server_connected{server="scripted"}')).toBe(1);
      expect(text).toContain('mcp_orchestrator_process_resident_memory_bytes');
      const health = await fetch(`${url}/healthz`);
      expect(await health.json()).toMatchObject({ ok: true, servers: { scripted: 'connected' } });
      stop.abort();
      expect(await exit).toBe(0);
      await expect(fetch(`${url}/metrics`)).rejects.toThrow();
    } finally {
      stop.abort();
      await exit;
    }
  });

  it('refuses a port that is not a number with a usage error', async () => {
    const result = await runCli(['--config', ws.configPath, 'daemon', '--metrics-port', 'http']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('invalid port "http"');
  });
});
