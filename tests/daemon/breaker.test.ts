/**
 * The real daemon with circuit breakers: a failing server stops receiving calls, is probed after the
 * cool-down and used again; an authentication failure stops calls until a restart and raises an ALERT.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startDaemon, waitFor, type DaemonProcess } from '../helpers/daemon-process.js';
import { createWorkspace, type Workspace } from '../helpers/workspace.js';

let ws: Workspace | undefined;
let hook: Server | undefined;
const daemons: DaemonProcess[] = [];
afterEach(async () => {
  for (const d of daemons.splice(0)) await d.stop('SIGKILL');
  await new Promise((resolve) => (hook ? hook.close(resolve) : resolve(undefined)));
  hook = undefined;
  await ws?.cleanup();
  ws = undefined;
});
function start(configPath: string): DaemonProcess {
  const d = startDaemon(configPath);
  daemons.push(d);
  return d;
}

/** Adds top-level keys (breaker, alerts) the workspace helper does not know. */
async function configure(workspace: Workspace, extra: Record<string, unknown>): Promise<void> {
  const config = JSON.parse(await readFile(workspace.configPath, 'utf8')) as Record<string, unknown>;
  await writeFile(workspace.configPath, JSON.stringify({ ...config, ...extra }, null, 2));
}

const actPlan = (id: string, script: string[]) => `---\nid: ${id}\naction: act\nname: ${id}\nscript: ${JSON.stringify(script)}\n---\n`;
const read = (workspace: Workspace, folder: string, name: string) =>
  readFile(path.join(workspace.vault, folder, name), 'utf8').catch(() => '');

describe('daemon: circuit breaker', () => {
  it('stops calling a server after consecutive failures, probes it after the cool-down, then runs the held plans', async () => {
    ws = await createWorkspace({ execution: { maxRetries: 0, maxConcurrentPlans: 1 } });
    await configure(ws, { breaker: { failureThreshold: 2, coolDown: '2s' } });
    await ws.writePlan('a.md', actPlan('a', ['fail:server_error']), 'Approved');
    await ws.writePlan('b.md', actPlan('b', ['fail:server_error']), 'Approved');
    await ws.writePlan('c.md', actPlan('c', ['ok']), 'Approved');
    await ws.writePlan('d.md', actPlan('d', ['ok']), 'Approved');
    start(ws.configPath);
    const workspace = ws;

    // a and b fail: the breaker opens; c and d are deferred without a call.
    await waitFor(async () => {
      const texts = await Promise.all(['c.md', 'd.md'].map((name) => read(workspace, 'In_Progress', name)));
      return texts.every((text) => /^status: deferred$/m.test(text));
    }, 'c and d deferred');
    expect(await ws.list('Failed')).toEqual(['a.md', 'b.md']);
    expect((await ws.calls()).map((c) => c.args.name)).toEqual(['a', 'b']);
    const deferred = await read(ws, 'In_Progress', 'c.md');
    expect(deferred).toMatch(/^error: .*circuit breaker of server \\?"scripted\\?" is open after 2 consecutive failures/m);
    const dashboard = await waitFor(async () => {
      const text = await readFile(path.join(workspace.vault, 'Dashboard.md'), 'utf8').catch(() => '');
      return /\| scripted \| ✗ down \(breaker open after 2 failures/.test(text) ? text : undefined;
    }, 'the dashboard to show the server down');
    expect(dashboard).toMatch(/server_error: scripted failure of b/);

    // After the cool-down one probe goes; it succeeds, the breaker closes and the other plan runs too.
    await waitFor(async () => (await workspace.list('Done')).length === 2, 'c and d in Done/', 20_000);
    const calls = await ws.calls();
    expect(calls.map((c) => c.args.name).sort()).toEqual(['a', 'b', 'c', 'd']);
    expect(((calls[2]?.at ?? 0) - (calls[1]?.at ?? 0))).toBeGreaterThanOrEqual(1_900);
    const log = await ws.readLog();
    expect(log).toMatch(/DEFERRED - plan=c status=deferred error_type=connection message=".*circuit breaker/);
    // A held-back call is never announced as a call.
    expect(log.match(/CALL - scripted\.act/g)).toHaveLength(4);
  });

  it('an authentication failure raises an ALERT (log, dashboard, webhook) and stops calls to the server until restart', async () => {
    const posts: Array<Record<string, unknown>> = [];
    hook = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        posts.push(JSON.parse(body) as Record<string, unknown>);
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => hook?.listen(0, '127.0.0.1', resolve));
    const port = (hook.address() as AddressInfo).port;

    ws = await createWorkspace({ execution: { maxRetries: 0, maxConcurrentPlans: 1, deferDelayMs: 500 } });
    await configure(ws, { alerts: { webhookUrl: `http://127.0.0.1:${port}/hook/secret-token` } });
    await ws.writePlan('a.md', actPlan('a', ['fail:authentication']), 'Approved');
    await ws.writePlan('b.md', actPlan('b', ['ok']), 'Approved');
    const first = start(ws.configPath);
    const workspace = ws;

    await waitFor(async () => /ALERT - scripted status=open message="authentication: server scripted rejected our credentials/.test(await workspace.readLog()), 'the ALERT line');
    await waitFor(async () => /^status: deferred$/m.test(await read(workspace, 'In_Progress', 'b.md')), 'b deferred');
    expect(await ws.list('Failed')).toEqual(['a.md']);
    expect(await read(ws, 'In_Progress', 'b.md')).toMatch(/rejected our credentials/);
    await waitFor(() => posts.length > 0, 'the webhook post');
    expect(posts[0]).toMatchObject({ source: 'mcp-orchestrator', status: 'open', kind: 'authentication', server: 'scripted' });
    const dashboard = await waitFor(async () => {
      const text = await readFile(path.join(workspace.vault, 'Dashboard.md'), 'utf8').catch(() => '');
      return text.includes('credentials rejected') ? text : undefined;
    }, 'the dashboard alert');
    expect(dashboard).toMatch(/## Alerts\n\n- ⚠ \[[\d-]+ [\d:]+\] server scripted rejected our credentials/);

    // b keeps being deferred (every 500 ms) and never reaches the server while the daemon runs.
    await waitFor(async () => ((await workspace.readLog()).match(/plan=b status=deferred/g) ?? []).length >= 3, 'b deferred again');
    expect((await ws.calls()).map((c) => c.args.name)).toEqual(['a']);

    // New credentials mean a restart: then the held plan runs.
    expect(await first.stop('SIGTERM')).toBe(0);
    start(ws.configPath);
    await waitFor(async () => (await workspace.list('Done')).includes('b.md'), 'b in Done/ after the restart');
    expect((await ws.calls()).map((c) => c.args.name)).toEqual(['a', 'b']);
  });
});
