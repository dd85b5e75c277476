/**
 * Placement per step (SPEC §12, issue 16): server A is started only on node "laptop", server B only on
 * "cloud"; a plan A→B→A crosses hosts step by step through the database. All real: PostgreSQL from a
 * temporary data directory, two daemons as child processes on one vault, each server recording the node
 * that started it (SERVER_NODE=${ORCHESTRATOR_NODE}) with every call.
 */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { clusterSuite, placeServers } from '../helpers/cluster-suite.js';
import { BIN, waitFor, type DaemonProcess } from '../helpers/daemon-process.js';
import type { Workspace } from '../helpers/workspace.js';

const suite = clusterSuite();

interface Placed {
  readonly ws: Workspace;
  start(node: 'laptop' | 'cloud', env?: Record<string, string>): Promise<DaemonProcess>;
  journal(): Promise<string[]>;
  /** `servers` (the CLI as a child process) run on `node`. */
  servers(node: string, json: boolean): Promise<{ code: number; stdout: string }>;
  /** The CLI as a child process on `node`. */
  cli(node: string, args: string[]): Promise<{ code: number; stdout: string }>;
}

async function placed(leaseMs: number): Promise<Placed> {
  const c = await suite.cluster({ leaseMs, edit: placeServers });
  const cli = (node: string, rest: string[]) =>
    new Promise<{ code: number; stdout: string }>((resolve) => {
      const args = [BIN, '--config', c.ws.configPath, ...rest];
      execFile(process.execPath, args, { env: { ...process.env, DATABASE_URL: c.url, ORCHESTRATOR_NODE: node } }, (error, stdout) =>
        resolve({ code: error ? Number(error.code ?? 1) : 0, stdout }),
      );
    });
  return {
    ws: c.ws,
    start: (node, env = {}) => c.start(node, env),
    servers: (node, json) => cli(node, ['servers', ...(json ? ['--json'] : [])]),
    cli,
    /** `node:type<step>` of every journal row, in order. */
    async journal() {
      const rows = await c.query<{ node: string; type: string; step: string | null }>(`SELECT node, record->>'type' AS type, record->>'step' AS step FROM journal ORDER BY seq`);
      return rows.map((row) => `${row.node}:${row.type}${row.step ?? ''}`);
    },
  };
}

const TRICKY = 'héllo “wörld” — {braces} \\\\ "quoted" ✓ 42';

const step = (id: string, action: string, extra: string[] = [], script = 'ok') =>
  ['- [ ] ' + id, '  ```yaml', `  id: ${id}`, `  action: ${action}`, `  name: ${id}`, `  script: ["${script}"]`, ...extra.map((line) => `  ${line}`), '  ```'].join('\n');
const plan = (id: string, ...steps: string[]) => ['---', `id: ${id}`, '---', '## Steps', ...steps, ''].join('\n');

/** A→B→A, each step passing the text of the one before on. */
const crossing = (id: string) =>
  plan(
    id,
    step('first', 'on_a', [`text: ${JSON.stringify(TRICKY)}`], 'slow:3000'),
    step('second', 'on_b', ['text: "{{ steps.first.text }}"']),
    step('third', 'on_a', ['text: "{{ steps.second.text }}"']),
  );

describe('placement per step (cluster)', () => {
  it('a plan A→B→A runs each step once on the node that has its server; results cross intact; the owner writes the file', async () => {
    const c = await placed(3_000);
    const laptop = await c.start('laptop');
    await c.start('cloud');
    expect(laptop.output()).toMatch(/A \(stdio\), B \(on cloud\)/);
    await c.ws.writePlan('cross.md', crossing('cross'), 'Approved');
    // While step 1 runs on laptop, `servers` shows the whole cluster: who has which server, who holds the plan.
    await waitFor(async () => (await c.ws.calls()).length === 1, 'step 1 to reach server A');
    const seen = await c.servers('cloud', true);
    const view = JSON.parse(seen.stdout) as { servers: { name: string; nodes?: string[] }[]; cluster: { node: string; nodes: { node: string; servers: string[]; live: boolean; holds: string[] }[] } };
    expect(view.servers.find((s) => s.name === 'A')?.nodes).toEqual(['laptop']);
    expect(view.cluster.node).toBe('cloud');
    expect(view.cluster.nodes.map(({ node, servers, live, holds }) => ({ node, servers, live, holds }))).toEqual([
      { node: 'cloud', servers: ['B'], live: true, holds: [] },
      { node: 'laptop', servers: ['A'], live: true, holds: ['cross.md'] },
    ]);
    const table = (await c.servers('laptop', false)).stdout;
    expect(table).toMatch(/^B\s+\S+\s+on cloud/m);
    expect(table).toMatch(/^NODE\s+STATE\s+SERVERS\s+LAST HEARTBEAT\s+HOLDS$/m);
    expect(table).toMatch(/^laptop \(this host\)\s+live\s+A\s+\d{4}-\d\d-\d\d \d\d:\d\d:\d\d/m);
    await waitFor(async () => (await c.ws.list('Done')).length === 1, 'the plan in Done/', 25_000);
    const calls = await c.ws.calls();
    expect(calls.map((call) => `${String(call.args['name'])}@${call.node ?? '?'}`)).toEqual(['first@laptop', 'second@cloud', 'third@laptop']);
    expect(calls.map((call) => call.args['text'])).toEqual([TRICKY, TRICKY, TRICKY]);
    // Who held the plan at each record: the step's node; the end written by the owner of the last step.
    const rows = (await c.journal()).filter((row) => !row.endsWith(':claimed'));
    expect(rows).toEqual([
      'laptop:intent1',
      'laptop:outcome1',
      'cloud:intent2',
      'cloud:outcome2',
      'laptop:intent3',
      'laptop:outcome3',
      'laptop:finalized',
    ]);
    const text = await readFile(path.join(c.ws.vault, 'Done', 'cross.md'), 'utf8');
    expect(text).toMatch(/^status: completed$/m);
    expect(text).toMatch(/step 2 B\.act: server B runs on node cloud, so node laptop hands the plan over\n.*step 2 B\.act attempt 1: success/);
    expect(text).toMatch(/step 3 A\.act: server A runs on node laptop, so node cloud hands the plan over\n.*step 3 A\.act attempt 1: success/);
    const log = await c.ws.readLog();
    expect(log).toMatch(/taken over by node cloud: handed over by node laptop for its next step on server B/);
    expect(log).toMatch(/taken over by node laptop: handed over by node cloud for its next step on server A/);
  }, 30_000);

  it('a parallel plan: the steps of this node run here, then the plan goes to the node of the rest', async () => {
    const c = await placed(3_000);
    await c.start('laptop');
    await c.start('cloud');
    const text = plan('par', step('left', 'on_a', [`text: ${JSON.stringify(TRICKY)}`]), step('right', 'on_b'), step('join', 'on_b', ['text: "{{ steps.left.text }}"']));
    await c.ws.writePlan('par.md', text.replace('id: par', 'id: par\nmode: parallel'), 'Approved');
    await waitFor(async () => (await c.ws.list('Done')).length === 1, 'the plan in Done/', 20_000);
    const calls = await c.ws.calls();
    expect(calls.map((call) => `${String(call.args['name'])}@${call.node ?? '?'}`).sort()).toEqual(['join@cloud', 'left@laptop', 'right@cloud']);
    expect(calls.find((call) => call.args['name'] === 'join')?.args['text']).toBe(TRICKY);
    expect(await readFile(path.join(c.ws.vault, 'Done', 'par.md'), 'utf8')).toMatch(/^status: completed$/m);
  }, 30_000);

  it('a step whose server no live node has: the plan waits (an ALERT), then runs once that node starts', async () => {
    const c = await placed(1_000);
    await c.start('laptop');
    await c.ws.writePlan('wait.md', plan('wait', step('first', 'on_a'), step('second', 'on_b')), 'Approved');
    await waitFor(async () => /step 2 needs server B, and no live node has it/.test(await c.ws.readLog()), 'the ALERT', 15_000);
    expect(await c.ws.list('In_Progress')).toEqual(['wait.md']);
    expect(await c.ws.list('Failed')).toEqual([]);
    // `run` (one plan, here, no daemon) cannot hand a step over: it refuses the plan, naming the node.
    const file = await c.ws.writePlan('here.md', plan('here', step('only', 'on_b')));
    const ran = await c.cli('laptop', ['run', file]);
    expect(ran.code).not.toBe(0);
    expect(await readFile(file, 'utf8')).toMatch(/step 1 B\.act: server B is started only on node cloud, not here; only the daemon hands such a step over/);
    await c.start('cloud');
    await waitFor(async () => (await c.ws.list('Done')).length === 1, 'the plan in Done/', 15_000);
    expect((await c.ws.calls()).map((call) => `${String(call.args['name'])}@${call.node ?? '?'}`)).toEqual(['first@laptop', 'second@cloud']);
  }, 30_000);

  it('the node holding the plan killed (SIGKILL) as it is about to hand it over: the other node finishes it, each step once', async () => {
    const c = await placed(1_000);
    const laptop = await c.start('laptop', { MCP_ORCHESTRATOR_CRASH_AT: 'before_hand_off' });
    await c.start('cloud');
    await c.ws.writePlan('killed.md', plan('killed', step('first', 'on_a', [`text: ${JSON.stringify(TRICKY)}`]), step('second', 'on_b', ['text: "{{ steps.first.text }}"'])), 'Approved');
    expect(await laptop.exited).toBe('SIGKILL');
    // Its lease was never handed over: cloud takes it when it runs out, as from any dead node.
    await waitFor(async () => (await c.ws.list('Done')).length === 1, 'cloud to finish the plan', 20_000);
    const calls = await c.ws.calls();
    expect(calls.map((call) => `${String(call.args['name'])}@${call.node ?? '?'}`)).toEqual(['first@laptop', 'second@cloud']);
    expect(calls[1]?.args['text']).toBe(TRICKY);
    expect((await c.journal()).filter((row) => !row.endsWith(':claimed'))).toEqual(['laptop:intent1', 'laptop:outcome1', 'cloud:intent2', 'cloud:outcome2', 'cloud:finalized']);
    expect(await readFile(path.join(c.ws.vault, 'Done', 'killed.md'), 'utf8')).toMatch(/^status: completed$/m);
  }, 30_000);
});
