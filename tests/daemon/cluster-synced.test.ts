/**
 * Several daemons, each on its own copy of the vault, one PostgreSQL (SPEC §12: "a synced copy per
 * host"), all real: the daemons as child processes, the database from a temporary data directory. The
 * test is the sync client: it copies files between the two vaults when it chooses, late or twice, and
 * makes conflict copies. The database decides who runs what: a copy of an approval another node took
 * (the same bytes, under any name) is never a second run, and its node leaves it where it is.
 */
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { clusterSuite, placeServers } from '../helpers/cluster-suite.js';
import { waitFor, type DaemonProcess } from '../helpers/daemon-process.js';
import { startSyncClient, type SyncClient } from '../helpers/sync-client.js';
import type { Workspace } from '../helpers/workspace.js';

const suite = clusterSuite();
let syncing: SyncClient | undefined;
suite.afterEachTest(async () => {
  await syncing?.stop();
  syncing = undefined;
});

type Node = 'a' | 'b' | 'laptop' | 'cloud';
const FOLDERS = ['Approved', 'In_Progress', 'Done', 'Failed', 'Needs_Review'] as const;

interface Synced {
  readonly ws: Workspace;
  start(node: Node, env?: Record<string, string>): Promise<DaemonProcess>;
  write(node: Node, folder: string, name: string, text: string): Promise<void>;
  read(node: Node, folder: string, name: string): Promise<string>;
  list(node: Node, folder: string): Promise<string[]>;
  log(node: Node): Promise<string>;
  /** The sync client delivers every lifecycle folder of `from` to `to` as it is now. */
  sync(from: Node, to: Node): Promise<void>;
  query<T>(sql: string): Promise<T[]>;
  vault(node: Node): string;
}

/**
 * One configuration file for both nodes; the vault, logs and state are each node's own. `placed`:
 * server A is started only on `laptop`, B only on `cloud`, each recording its node with every call.
 */
async function synced(leaseMs: number, placed = false): Promise<Synced> {
  const c = await suite.cluster({
    leaseMs,
    edit: (config, ws) => {
      config['vault'] = '../vault-${ORCHESTRATOR_NODE}';
      config['logs'] = '../logs-${ORCHESTRATOR_NODE}';
      if (placed) placeServers(config, ws);
    },
  });
  const current = c.ws;
  const vault = (node: Node) => path.join(current.dir, `vault-${node}`);
  const list = async (node: Node, folder: string) =>
    (await readdir(path.join(vault(node), folder)).catch(() => [] as string[])).filter((name) => name.endsWith('.md')).sort();
  const write = async (node: Node, folder: string, name: string, text: string) => {
    await mkdir(path.join(vault(node), folder), { recursive: true });
    await writeFile(path.join(vault(node), folder, name), text);
  };
  return {
    ws: current,
    vault,
    start: (node, env = {}) => c.start(node, env),
    write,
    read: (node, folder, name) => readFile(path.join(vault(node), folder, name), 'utf8'),
    list,
    log: (node) => readFile(path.join(current.dir, `logs-${node}`, 'mcp_actions.log'), 'utf8').catch(() => ''),
    async sync(from, to) {
      for (const folder of FOLDERS) {
        const there = await list(from, folder);
        for (const name of await list(to, folder)) if (!there.includes(name)) await rm(path.join(vault(to), folder, name));
        for (const name of there) await write(to, folder, name, await readFile(path.join(vault(from), folder, name), 'utf8'));
      }
    },
    query: <T>(sql: string) => c.query<T>(sql),
  };
}

const step = (action: string, name: string, script: string) =>
  ['- [ ] ' + name, '  ```yaml', `  action: ${action}`, `  name: ${name}`, `  script: ["${script}"]`, '  ```'].join('\n');
const plan = (id: string, ...steps: string[]) => ['---', `id: ${id}`, '---', '## Steps', ...steps, ''].join('\n');
const names = async (c: Synced) => (await c.ws.calls()).map((call) => String(call.args['name']));
/** Each call as `name@node`: which step ran on which host. */
const placedCalls = async (c: Synced) => (await c.ws.calls()).map((call) => `${String(call.args['name'])}@${String(call.node)}`);

/** Waits for the one plan to be in Done/ and out of In_Progress/ on both copies; on a timeout, says where everything is. */
async function finishedOnBoth(c: Synced, sync: SyncClient): Promise<void> {
  const finished = async (node: Node) => (await c.list(node, 'Done')).length === 1 && (await c.list(node, 'In_Progress')).length === 0;
  await waitFor(async () => (await finished('laptop')) && (await finished('cloud')), 'the plan in Done/ of both copies', 40_000).catch(async (error: unknown) => {
    throw new Error(`${String(error)}\n${await whereAll(c, sync)}`);
  });
}

describe('several daemons, each on its own synced copy of the vault (cluster)', () => {
  it('the same approval delivered to both vaults: one run, each step once; the other copy is left alone until the sync moves it', async () => {
    const c = await synced(3_000);
    await c.start('a');
    await c.start('b');
    const text = plan('p', step('act_idempotent', 'p-look', 'ok'), step('act', 'p-send', 'ok'));
    await Promise.all([c.write('a', 'Approved', 'p.md', text), c.write('b', 'Approved', 'p.md', text)]);
    const owner = await waitFor(
      async () => ((await c.list('a', 'Done')).length > 0 ? 'a' : (await c.list('b', 'Done')).length > 0 ? 'b' : undefined),
      'the plan to finish on one node',
    );
    const other: Node = owner === 'a' ? 'b' : 'a';
    await waitFor(async () => (await c.log(other)).includes(`Approved/p.md is a copy of an approval node ${owner} took`), `node ${other}'s notice`);
    // Untouched: not run, not moved, not written.
    expect(await c.read(other, 'Approved', 'p.md')).toBe(text);
    for (const folder of FOLDERS.slice(1)) expect(await c.list(other, folder)).toEqual([]);
    expect(await names(c)).toEqual(['p-look', 'p-send']);
    expect(await c.read(owner, 'Done', 'p.md')).toMatch(/^status: completed$/m);
    expect(await c.query(`SELECT 1 FROM journal WHERE record->>'type' = 'claimed'`)).toHaveLength(1);
    // The sync client delivers the owner's move; a plan approved on the other node afterwards shows it scanned since.
    await c.sync(owner, other);
    await c.write(other, 'Approved', 'later.md', plan('later', step('act', 'later-send', 'ok')));
    await waitFor(async () => (await c.list(other, 'Done')).includes('later.md'), `later.md to run on node ${other}`);
    expect(await names(c)).toEqual(['p-look', 'p-send', 'later-send']);
    expect(await c.list(other, 'Done')).toEqual(['later.md', 'p.md']);
    expect(await c.list(other, 'Failed')).toEqual([]);
    expect(await c.log(other)).not.toContain('ALERT');
  }, 45_000);

  it("a sync client's conflict copies (other names, the same content), during the run and after it: never a second run", async () => {
    const c = await synced(3_000);
    await c.start('a');
    await c.start('b');
    const text = plan('c', step('act', 'c-send', 'slow:1500'));
    await c.write('a', 'Approved', 'c.md', text);
    await waitFor(async () => (await names(c)).length === 1, 'the call to reach the server');
    await c.write('b', 'Approved', 'c (conflict copy).md', text);
    await c.write('a', 'Approved', 'c.sync-conflict-20261202-141500-ABCDEFG.md', text);
    await waitFor(async () => (await c.log('b')).includes('Approved/c (conflict copy).md is a copy of an approval node a took'), "node b's notice");
    await waitFor(async () => (await c.log('a')).includes('Approved/c.sync-conflict-20261202-141500-ABCDEFG.md is a copy of an approval node a took'), "node a's notice");
    await waitFor(async () => (await c.list('a', 'Done')).length === 1, 'the plan to finish on node a');
    // After the run: delivered again, once more under a third name.
    await c.write('b', 'Approved', 'c (2).md', text);
    await waitFor(async () => (await c.log('b')).includes('Approved/c (2).md is a copy of an approval node a took'), "node b's second notice");
    expect(await names(c)).toEqual(['c-send']);
    expect(await c.list('a', 'Done')).toEqual(['c.md']);
    expect(await c.list('a', 'Approved')).toEqual(['c.sync-conflict-20261202-141500-ABCDEFG.md']);
    expect(await c.list('b', 'Approved')).toEqual(['c (2).md', 'c (conflict copy).md']);
    for (const folder of FOLDERS.slice(1)) expect(await c.list('b', folder)).toEqual([]);
  }, 45_000);

  it('a late copy after the run ended is not run nor failed; an edited copy of the same id is a new approval, as on one host', async () => {
    const c = await synced(3_000);
    await c.start('a');
    await c.start('b');
    const original = `---\nid: weekly-report\naction: send\nto: team@example.com\nbody: hello\n---\n`;
    await c.write('a', 'Approved', 'weekly.md', original);
    await waitFor(async () => (await c.list('a', 'Done')).length === 1, 'the plan to finish on node a');
    // The sync client is late: node b sees the approval only now, after node a moved it to Done/.
    await c.write('b', 'Approved', 'weekly.md', original);
    await waitFor(async () => (await c.log('b')).includes('Approved/weekly.md is a copy of an approval node a took'), "node b's notice");
    expect(await c.list('b', 'Approved')).toEqual(['weekly.md']);
    expect(await c.list('b', 'Failed')).toEqual([]);
    await c.sync('a', 'b');
    // Edited on b, the same id: a new approval (SPEC §4's rule for a reused id), run on b.
    await c.write('b', 'Approved', 'weekly.md', original.replace('body: hello', 'body: hello again'));
    await waitFor(async () => (await c.list('b', 'Done')).length === 2, 'the edited plan to run on node b');
    const sends = (await c.ws.calls()).filter((call) => call.tool === 'send');
    expect(sends.map((call) => call.args['body'])).toEqual(['hello', 'hello again']);
    expect(new Set(sends.map((call) => call.args['idempotency_key'])).size).toBe(2);
    expect(await c.list('b', 'Failed')).toEqual([]);
    expect(await c.log('b')).not.toContain('ALERT');
  }, 45_000);

  it('a node killed after taking the bytes, before moving its file: once it is silent the other node runs the plan, once; restarted, it leaves its copy alone', async () => {
    const c = await synced(1_000);
    const dying = await c.start('a', { MCP_ORCHESTRATOR_CRASH_AT: 'after_reserve' });
    await c.start('b');
    const text = plan('k', step('act', 'k-send', 'ok'));
    await c.write('a', 'Approved', 'k.md', text);
    expect(await dying.exited).toBe('SIGKILL');
    // The sync client delivers the approval to b: its bytes are a's while a may still come back...
    await c.write('b', 'Approved', 'k.md', text);
    // ...and b's once a has been silent for two leases with nothing recorded (it died before the move).
    await waitFor(async () => (await c.list('b', 'Done')).length === 1, 'node b to run the plan', 20_000);
    expect(await names(c)).toEqual(['k-send']);
    // Restarted, a finds its copy's bytes taken by b (which ran it): left where it is, not run again.
    await c.start('a');
    await waitFor(async () => (await c.log('a')).includes('Approved/k.md is a copy of an approval node b took'), "node a's notice");
    expect(await names(c)).toEqual(['k-send']);
    expect(await c.read('a', 'Approved', 'k.md')).toBe(text);
    expect(await c.list('a', 'Done')).toEqual([]);
  }, 45_000);

  it('an unstamped file in In_Progress/ of both copies (its node died between the move and the stamp): adopted by one node only', async () => {
    const c = await synced(1_000);
    const text = plan('u', step('act', 'u-send', 'ok'));
    // As a sync client leaves it after node a's move, before a could stamp or record anything.
    await c.write('a', 'In_Progress', 'u.md', text);
    await c.write('b', 'In_Progress', 'u.md', text);
    await c.start('a');
    await c.start('b');
    await waitFor(async () => (await c.list('a', 'Done')).length + (await c.list('b', 'Done')).length === 1, 'one node to run the orphan', 20_000);
    const other: Node = (await c.list('a', 'Done')).length === 1 ? 'b' : 'a';
    await waitFor(async () => /In_Progress\/u\.md is (a copy of an approval node \w+ took|an approval node \w+ holds) \(the same content\)/.test(await c.log(other)), "the other node's notice", 15_000);
    expect(await names(c)).toEqual(['u-send']);
    expect(await c.read(other, 'In_Progress', 'u.md')).toBe(text);
  }, 45_000);

  it('a plan crossing hosts (A on laptop, B on cloud) with a sync client running: each step once, on its node; the owner of each step writes the file', async () => {
    const c = await synced(2_000, true);
    await c.start('laptop');
    await c.start('cloud');
    const sync = (syncing = startSyncClient(c.vault('laptop'), c.vault('cloud'), FOLDERS));
    await c.write('laptop', 'Approved', 'x.md', plan('x', step('on_a', 'x-first', 'ok'), step('on_b', 'x-second', 'ok'), step('on_a', 'x-third', 'ok')));
    await finishedOnBoth(c, sync);
    await sync.round();
    const calls = await placedCalls(c);
    expect(calls).toEqual(['x-first@laptop', 'x-second@cloud', 'x-third@laptop']);
    const done = await c.read('laptop', 'Done', 'x.md');
    expect(await c.read('cloud', 'Done', 'x.md')).toBe(done);
    expect(done).toMatch(/^status: completed$/m);
    expect(done.match(/- \[x\] x-/g)).toHaveLength(3);
    expect(sync.conflicts).toEqual([]);
    for (const node of ['laptop', 'cloud'] as const) {
      for (const folder of ['Approved', 'Failed', 'Needs_Review']) expect(await c.list(node, folder)).toEqual([]);
    }
  }, 60_000);

  it('a hand-over to a node whose copy is stale: it waits for the file handed over, writes nothing meanwhile, then goes on from it', async () => {
    const c = await synced(4_000, true);
    await c.start('laptop');
    await c.start('cloud');
    await c.write('laptop', 'Approved', 'z.md', plan('z', step('on_a', 'z-first', 'slow:3000'), step('on_b', 'z-second', 'ok')));
    // The sync client delivers the claimed file to cloud early (stamped, step 1 not yet done), then stalls.
    const claimed = await waitFor(async () => {
      const text = await c.read('laptop', 'In_Progress', 'z.md').catch(() => '');
      return /^approval_id: /m.test(text) ? text : undefined;
    }, 'the claimed file on laptop');
    await c.write('cloud', 'In_Progress', 'z.md', claimed);
    expect(claimed).not.toContain('hands the plan over');
    await waitFor(async () => (await c.log('cloud')).includes("waits for this node's copy of z.md to be the file node laptop handed over"), "cloud's wait");
    expect(await c.read('cloud', 'In_Progress', 'z.md')).toBe(claimed);
    expect(await names(c)).toEqual(['z-first']);
    // The sync client catches up: cloud's copy is now the file laptop handed over.
    const handedOver = await c.read('laptop', 'In_Progress', 'z.md');
    expect(handedOver).toContain('so node laptop hands the plan over');
    await c.write('cloud', 'In_Progress', 'z.md', handedOver);
    await waitFor(async () => (await c.list('cloud', 'Done')).length === 1, 'the plan in Done/ of cloud', 30_000);
    const calls = await placedCalls(c);
    expect(calls).toEqual(['z-first@laptop', 'z-second@cloud']);
    const done = await c.read('cloud', 'Done', 'z.md');
    expect(done).toMatch(/^status: completed$/m);
    expect(done).toContain('so node laptop hands the plan over');
    expect(done.match(/- \[x\] z-/g)).toHaveLength(2);
    expect(await c.log('cloud')).not.toContain('is still not the file');
  }, 60_000);

  it('a hand-over that reaches the other node before the sync client delivered the file: the plan waits, then goes on once it arrived', async () => {
    const c = await synced(1_500, true);
    await c.start('laptop');
    await c.start('cloud');
    await c.write('laptop', 'Approved', 'y.md', plan('y', step('on_a', 'y-first', 'ok'), step('on_b', 'y-second', 'ok')));
    await waitFor(async () => (await c.log('laptop')).includes('so node laptop hands the plan over'), 'the hand-over to node cloud');
    // Node cloud took the lease, found no file in its copy and let it go; only then does the sync client start.
    await waitFor(async () => (await c.query('SELECT 1 FROM claims')).length === 0, 'the lease to be let go');
    expect(await c.list('cloud', 'In_Progress')).toEqual([]);
    const sync = (syncing = startSyncClient(c.vault('laptop'), c.vault('cloud'), FOLDERS));
    await finishedOnBoth(c, sync);
    const calls = await placedCalls(c);
    expect(calls).toEqual(['y-first@laptop', 'y-second@cloud']);
    expect(await c.read('cloud', 'Done', 'y.md')).toMatch(/^status: completed$/m);
    expect(sync.conflicts).toEqual([]);
  }, 60_000);
});

/** On a timeout: what each copy holds, the calls made, the conflicts and each node's log tail. */
async function whereAll(c: Synced, sync: SyncClient): Promise<string> {
  const lines: string[] = [];
  for (const node of ['laptop', 'cloud'] as const) {
    for (const folder of FOLDERS) lines.push(`${node} ${folder}: ${(await c.list(node, folder)).join(', ')}`);
    lines.push(`${node} log:\n${(await c.log(node)).split('\n').slice(-25).join('\n')}`);
  }
  lines.push(`calls: ${(await placedCalls(c)).join(', ')}`);
  lines.push(`conflicts: ${sync.conflicts.join(', ')}`);
  lines.push(`claims: ${JSON.stringify(await c.query('SELECT claim, node, needs, expires_at > now() AS live FROM claims'))}`);
  return lines.join('\n');
}
