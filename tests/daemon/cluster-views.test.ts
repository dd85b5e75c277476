/**
 * The whole cluster from any node (SPEC §11, §12, issue 16): `stats` shows every node, what it holds and
 * what it did, from the database; the MCP server of a node that does not run a plan (`daemon --mcp-port`,
 * and `serve`) answers `get_plan` for it with its owner, status and steps. All real: PostgreSQL from a
 * temporary data directory, two daemons as child processes on one vault, the scripted server placed on
 * node a only, so a is the one that runs the plan whoever claims it.
 */
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { clusterSuite } from '../helpers/cluster-suite.js';
import { BIN, waitFor } from '../helpers/daemon-process.js';
import { createWorkspace } from '../helpers/workspace.js';
import { runCli } from '../helpers/cli.js';
import { call, connectHttp, connectServe, twoStepPlan, type ServeConnection } from '../serve/helpers.js';

const TOKEN = 'cluster-views-token-0123456789';

const suite = clusterSuite();
let clients: { close(): Promise<void> }[] = [];
suite.afterEachTest(async () => {
  await Promise.all(clients.map((client) => client.close().catch(() => undefined)));
  clients = [];
});

interface NodeView {
  node: string;
  live: boolean;
  servers: string[];
  holds: string[];
  heartbeatAt: string;
  steps: number;
  failedAttempts: number;
  plans: { done: number; failed: number; needs_review: number };
}

const plan = (id: string) =>
  [
    '---',
    `id: ${id}`,
    '---',
    '## Steps',
    '- [ ] Slow first',
    '  ```yaml',
    '  id: first',
    '  action: act',
    '  name: views-first',
    '  script: ["slow:6000"]',
    '  ```',
    '- [ ] Then say it',
    '  ```yaml',
    '  id: second',
    '  action: echo',
    '  text: said by the second step',
    '  ```',
    '',
  ].join('\n');

describe('the whole cluster from any node (stats, get_plan)', () => {
  it('while node a runs a plan and after: stats on b shows both nodes, a holding it, then the counts; get_plan on b names a', async () => {
    const c = await suite.cluster({
      workspace: { daemon: { scanIntervalMs: 300, stabilityMs: 0 }, execution: { timeoutMs: 30_000 } },
      edit: (config) => {
        config['mcpServers']['scripted']['nodes'] = ['a'];
      },
    });
    const { url, ws: current } = c;
    const env = (node: string) => ({ DATABASE_URL: url, ORCHESTRATOR_NODE: node, ORCHESTRATOR_TOKEN: TOKEN });
    const cli = (node: string, args: string[]) =>
      new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
        execFile(process.execPath, [BIN, '--config', current.configPath, ...args], { env: { ...process.env, ...env(node) } }, (error, stdout, stderr) =>
          resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
        );
      });
    const stats = async (node: string): Promise<{ nodes: NodeView[]; node: string }> => {
      const result = await cli(node, ['stats', '--json']);
      expect(result.code, result.stderr).toBe(0);
      const report = JSON.parse(result.stdout) as { calls: { total: number }; cluster: { node: string; nodes: NodeView[] } };
      expect(report.calls).toBeDefined(); // the log figures are still there
      return report.cluster;
    };

    await c.start('a', env('a'));
    const b = await c.start('b', env('b'), ['--mcp-port', '0']);
    const mcpUrl = await waitFor(() => /mcp: (http:\/\/127\.0\.0\.1:\d+\/mcp)/.exec(b.output())?.[1], 'the MCP URL of node b');
    const client: Client = await connectHttp(mcpUrl, TOKEN);
    clients.push(client);

    await current.writePlan('held.md', plan('held'), 'Approved');
    await waitFor(async () => (await current.calls()).some((c) => c.args['name'] === 'views-first'), 'the slow call to reach the server on a', 30_000);

    // Mid-call: node b's MCP server knows the plan from the database, with its owner.
    const running = (await call(client, 'get_plan', { id: 'held' })).structuredContent as Record<string, any>;
    expect(running).toMatchObject({ id: 'held', folder: 'In_Progress', status: 'in_progress', node: 'a', live: false });
    expect(running['steps'].map((s: { outcome: string }) => s.outcome)).toEqual(['running', 'pending']);

    const during = await stats('b');
    expect(during.node).toBe('b');
    expect(during.nodes.map(({ node, live, servers, holds }) => ({ node, live, servers, holds }))).toEqual([
      { node: 'a', live: true, servers: ['scripted'], holds: ['held.md'] },
      { node: 'b', live: true, servers: [], holds: [] },
    ]);
    for (const view of during.nodes) expect(Number.isNaN(Date.parse(view.heartbeatAt))).toBe(false);

    // wait_for_plan on b returns when a has finished it, the owner named.
    const waited = (await call(client, 'wait_for_plan', { id: 'held', timeout_ms: 60_000 })).structuredContent as Record<string, any>;
    expect(waited).toMatchObject({ id: 'held', final: true, timed_out: false, status: 'completed', node: 'a' });
    expect(await current.list('Done')).toEqual(['held.md']);
    const done = (await call(client, 'get_plan', { id: 'held' })).structuredContent as Record<string, any>;
    expect(done).toMatchObject({ id: 'held', folder: 'Done', status: 'completed', node: 'a', final: true });
    expect(done['steps'].map((s: { outcome: string }) => s.outcome)).toEqual(['succeeded', 'succeeded']);
    expect(done['steps'][1].result).toContain('said by the second step');
    // The plan:// resource is the same view.
    const resource = await client.readResource({ uri: 'plan://held' });
    const content = resource.contents[0] as { text: string };
    expect(JSON.parse(content.text)).toMatchObject({ id: 'held', status: 'completed', node: 'a' });

    const after = await stats('b');
    const counts = Object.fromEntries(after.nodes.map(({ node, steps, plans }) => [node, { steps, plans }]));
    expect(counts).toEqual({
      a: { steps: 2, plans: { done: 1, failed: 0, needs_review: 0 } },
      b: { steps: 0, plans: { done: 0, failed: 0, needs_review: 0 } },
    });
    expect(after.nodes.find((n) => n.node === 'a')?.holds).toEqual([]);

    // The table for people: the same nodes, this host marked.
    const table = await cli('b', ['stats']);
    expect(table.code, table.stderr).toBe(0);
    expect(table.stdout).toMatch(/Cluster \(from the database\)/);
    expect(table.stdout).toMatch(/NODE\s+STATE\s+SERVERS\s+LAST HEARTBEAT\s+HOLDS\s+STEPS OK/);
    expect(table.stdout).toMatch(/\ba\s+live\s+scripted\s+.*\s2\s+0\s+1\s+0\s+0\n/);
    expect(table.stdout).toMatch(/b \(this host\)\s+live\s+-\s/);

    // `serve` over stdio on a third host name, beside the daemons: the same answer from the database.
    const serve: ServeConnection = await connectServe(current.configPath, env('c'));
    clients.push(serve);
    const served = (await call(serve.client, 'get_plan', { id: 'held' })).structuredContent as Record<string, any>;
    expect(served).toMatchObject({ id: 'held', status: 'completed', node: 'a' });
    expect(JSON.stringify(served)).not.toContain(url);

    // A host whose vault copy has not received the file (a synced copy per host): the journal alone answers.
    const elsewhere = path.join(current.dir, 'config', 'elsewhere.json');
    const config = JSON.parse(await readFile(current.configPath, 'utf8')) as Record<string, unknown>;
    await writeFile(elsewhere, JSON.stringify({ ...config, vault: '../vault-copy' }, null, 2));
    const copy: ServeConnection = await connectServe(elsewhere, env('c'));
    clients.push(copy);
    const fromJournal = (await call(copy.client, 'get_plan', { id: 'held' })).structuredContent as Record<string, any>;
    expect(fromJournal).toMatchObject({ id: 'held', folder: 'Done', path: 'Done/held.md', status: 'completed', final: true, node: 'a' });
    expect(fromJournal['steps'].map((s: { index: number; outcome: string }) => `${s.index}:${s.outcome}`)).toEqual(['1:succeeded', '2:succeeded']);
    expect(fromJournal['steps'][1].result).toContain('said by the second step');
    expect(fromJournal['problems'].join('\n')).toContain("not in this host's vault");
  }, 90_000);

  it('a node that lost a plan\'s lease while paused: its get_plan tells what the new owner does, not its own last look', async () => {
    const c = await suite.cluster({ leaseMs: 1_000, workspace: { daemon: { scanIntervalMs: 300, stabilityMs: 0 }, execution: { timeoutMs: 30_000 } } });
    const env = { ORCHESTRATOR_TOKEN: TOKEN };
    const a = await c.start('a', env, ['--mcp-port', '0']);
    const mcpUrl = await waitFor(() => /mcp: (http:\/\/127\.0\.0\.1:\d+\/mcp)/.exec(a.output())?.[1], 'the MCP URL of node a');
    const step = (name: string, script: string) => ['- [ ] ' + name, '  ```yaml', '  action: act_idempotent', `  name: ${name}`, `  script: ["${script}"]`, '  ```'];
    await c.ws.writePlan('lost.md', ['---', 'id: lost', '---', '## Steps', ...step('lost-look', 'slow:2500'), ...step('lost-then', 'slow:12000'), ''].join('\n'), 'Approved');
    await waitFor(async () => (await c.ws.calls()).length === 1, 'the first call, from a');
    await c.start('b', env);
    a.child.kill('SIGSTOP');
    // b takes the lease over, sends the first step again (its outcome was unknown) and is in the second one.
    await waitFor(async () => (await c.ws.calls()).some((call) => call.args['name'] === 'lost-then'), 'b in the second step', 30_000);
    a.child.kill('SIGCONT');
    await waitFor(async () => /let go: .*lease/.test(await c.ws.readLog()), 'a to let the plan go', 20_000);
    const client: Client = await connectHttp(mcpUrl, TOKEN);
    clients.push(client);
    const view = (await call(client, 'get_plan', { id: 'lost' })).structuredContent as Record<string, any>;
    expect(view).toMatchObject({ id: 'lost', folder: 'In_Progress', status: 'in_progress', node: 'b' });
    expect(view['steps'].map((s: { outcome: string }) => s.outcome)).toEqual(['succeeded', 'running']);
  }, 90_000);

  it('a database that cannot be reached: stats still gives the log figures, the cluster part names where (never the password), exit 1; get_plan says so', async () => {
    const current = suite.use(await createWorkspace());
    const config = JSON.parse(await readFile(current.configPath, 'utf8')) as Record<string, unknown>;
    config['cluster'] = { postgres: 'postgres://orch:s3cret-pw-456@127.0.0.1:1/orch', node: 'a' };
    await writeFile(current.configPath, JSON.stringify(config));
    const result = await runCli(['--config', current.configPath, 'stats', '--json']);
    expect(result.code).toBe(1);
    const report = JSON.parse(result.stdout) as { calls: { total: number }; cluster: { error: string } };
    expect(report.calls.total).toBe(0);
    expect(report.cluster.error).toMatch(/cannot open the cluster database at 127\.0\.0\.1:1\/orch/);
    const table = await runCli(['--config', current.configPath, 'stats']);
    expect(table.code).toBe(1);
    expect(table.stdout).toContain('Queue: 0 waiting');
    expect(table.stderr).toMatch(/error: cannot open the cluster database at 127\.0\.0\.1:1\/orch/);
    await current.writePlan('local.md', twoStepPlan('local'), 'Approved');
    const serve: ServeConnection = await connectServe(current.configPath);
    clients.push(serve);
    const state = (await call(serve.client, 'get_plan', { id: 'local' })).structuredContent as Record<string, any>;
    expect(state).toMatchObject({ id: 'local', folder: 'Approved' });
    expect(state['node']).toBeUndefined();
    expect(state['problems'].join('\n')).toMatch(/cannot open the cluster database at 127\.0\.0\.1:1\/orch/);
    for (const text of [result.stdout, result.stderr, table.stdout, table.stderr, JSON.stringify(state), serve.stderr()]) expect(text).not.toContain('s3cret-pw-456');
  }, 30_000);
});
