/**
 * Cluster soak (`npm run test:soak:cluster -- --plans 300 --seed 16`, not in CI): a real PostgreSQL from a
 * temporary data directory, three daemon nodes on one vault with one configuration (SPEC §12), plans
 * approved over time (an idempotent lookup, a send that is not idempotent, a lookup; answers delayed up
 * to --max-delay-ms, some failing), and a seeded hand that SIGKILLs a node (started again shortly after),
 * SIGSTOPs one past its lease then SIGCONTs it, and kills the database connections (pg_terminate_backend).
 * At the end: every plan in exactly one final folder, none lost, no step that is not idempotent sent
 * twice (the server's call record, per plan step), no node or server left running, PostgreSQL stopped.
 * Options: --plans 300 --seed 16 --lease-ms 1500 --max-delay-ms 600 --keep. Exit 0 when all held.
 */
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import path from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { startPostgres } from '../helpers/postgres.js';
import { callStats, census, createSoakWorkspace, dropPlans, machine, onSoakExit, prng, sleep, startDaemon, until, within, type Daemon } from './harness.js';

const { values } = parseArgs({
  options: {
    plans: { type: 'string', default: '300' },
    seed: { type: 'string', default: '16' },
    'lease-ms': { type: 'string', default: '1500' },
    'max-delay-ms': { type: 'string', default: '600' },
    keep: { type: 'boolean', default: false },
  },
});
const totalPlans = Number(values.plans);
const seed = Number(values.seed);
const leaseMs = Number(values['lease-ms']);
const random = prng(seed);
const between = (low: number, high: number) => low + Math.floor(random() * (high - low));
const NODES = ['n1', 'n2', 'n3'] as const;
type NodeName = (typeof NODES)[number];

const started = Date.now();
const postgres = await startPostgres();
onSoakExit(() => postgres.stopNow());
const url = await postgres.createDatabase('soak');
const ws = await createSoakWorkspace({ seed, failRate: 0.05, hangRate: 0, callTimeoutMs: 3_000, maxConcurrentPlans: 3, serverConcurrency: 3, maxDelayMs: Number(values['max-delay-ms']) });
const config = JSON.parse(await readFile(ws.configPath, 'utf8')) as Record<string, unknown>;
// One file for every node; each names itself and keeps its own state (SPEC §12).
config['cluster'] = { postgres: '${DATABASE_URL}', node: '${ORCHESTRATOR_NODE}', leaseMs };
config['state'] = '../state-${ORCHESTRATOR_NODE}';
await writeFile(ws.configPath, JSON.stringify(config, null, 2));

const nodes = new Map<NodeName, Daemon>();
/** Nodes the hand killed or paused: their silence is not a violation. */
const disturbed = new Set<NodeName>();
const violations: string[] = [];
const acts: Record<string, number> = { kill: 0, pause: 0, terminate_connections: 0 };
const plans: string[] = [];

async function start(node: NodeName): Promise<void> {
  const daemon = startDaemon(ws, [], { DATABASE_URL: url, ORCHESTRATOR_NODE: node });
  nodes.set(node, daemon);
  await until(async () => daemon.output().includes('watching') || daemon.child.exitCode !== null, 30_000, `node ${node}'s banner`);
  if (daemon.child.exitCode !== null) violations.push(`node ${node} did not start (${daemon.child.exitCode}): ${daemon.output().slice(-400)}`);
}

async function query(sql: string): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql)).rowCount ?? 0;
  } finally {
    await client.end();
  }
}

const hand: Record<string, () => Promise<void>> = {
  async kill() {
    const node = NODES[between(0, NODES.length)] as NodeName;
    disturbed.add(node);
    const daemon = nodes.get(node) as Daemon;
    daemon.child.kill('SIGKILL');
    await daemon.exited;
    await sleep(between(200, 1_500));
    await start(node);
    disturbed.delete(node);
  },
  async pause() {
    const node = NODES[between(0, NODES.length)] as NodeName;
    disturbed.add(node);
    const daemon = nodes.get(node) as Daemon;
    daemon.child.kill('SIGSTOP');
    // Past its lease: the others may take its plans over; it must send and record nothing of them after.
    await sleep(leaseMs + between(300, 2_500));
    daemon.child.kill('SIGCONT');
    disturbed.delete(node);
  },
  async terminate_connections() {
    await query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()`);
  },
};
const weights: [string, number][] = [['kill', 3], ['pause', 2], ['terminate_connections', 1]];
const totalWeight = weights.reduce((sum, [, w]) => sum + w, 0);
function nextAct(): string {
  let roll = random() * totalWeight;
  for (const [name, weight] of weights) if ((roll -= weight) < 0) return name;
  return 'kill';
}

/** A node that ended though nobody killed it is a violation; it is started again so the soak goes on. */
async function checkNodes(when: string): Promise<void> {
  for (const node of NODES) {
    const daemon = nodes.get(node) as Daemon;
    if (disturbed.has(node) || daemon.child.exitCode === null) continue;
    violations.push(`${when}: node ${node} exited by itself (${daemon.child.exitCode}): ${daemon.output().slice(-400)}`);
    await start(node);
  }
}

const finalCount = async () => {
  const now = await census(ws, plans);
  return now.counts.Done! + now.counts.Failed! + now.counts.Needs_Review!;
};

for (const node of NODES) await start(node);
// Approvals over time: a few plans at a time, while the hand acts at seeded moments in between.
let dropping = true;
const approvals = (async () => {
  while (plans.length < totalPlans) {
    const batch = Array.from({ length: Math.min(between(1, 6), totalPlans - plans.length) }, (_, k) => `c-${String(plans.length + k + 1).padStart(4, '0')}`);
    await dropPlans(ws, batch);
    plans.push(...batch);
    await sleep(between(300, 1_500));
  }
  dropping = false;
})();
// The hand keeps acting until every plan is approved and most are final, so the last ones are disturbed too.
while (dropping || (await finalCount()) < totalPlans * 0.9) {
  await sleep(between(300, 2_000));
  const act = nextAct();
  await (hand[act] as () => Promise<void>)();
  acts[act] = (acts[act] ?? 0) + 1;
  await checkNodes(`after ${act}`);
  const total = Object.values(acts).reduce((a, b) => a + b, 0);
  if (total % 10 === 0) console.log(`${total} acts; ${plans.length}/${totalPlans} plans approved, ${await finalCount()} final`);
}
await approvals;

// Drain: no more disturbance; every plan must reach a final folder.
try {
  await until(async () => (await finalCount()) === totalPlans, 5 * 60_000, 'every plan to reach a final folder');
} catch (error) {
  violations.push(`drain: ${error instanceof Error ? error.message : String(error)}`);
}
await checkNodes('after the drain');
for (const [node, daemon] of nodes) {
  daemon.child.kill('SIGTERM');
  const exit = await within(daemon.exited, 15_000, 'still running 15 s after SIGTERM');
  if (exit !== 0) violations.push(`node ${node} exited with ${exit} on SIGTERM`);
}

const final = await census(ws, plans);
const calls = await callStats(ws);
for (const plan of final.lost) violations.push(`${plan} is in no folder (lost)`);
for (const plan of final.doubled) violations.push(`${plan} is in ${final.where.get(plan)?.join(' and ')}`);
for (const plan of final.mangled) violations.push(`${plan} lost part of its content`);
for (const plan of plans) if (!['Done', 'Failed', 'Needs_Review'].includes(final.where.get(plan)?.[0] ?? '')) violations.push(`${plan} ended in ${final.where.get(plan)?.join(', ') ?? 'no folder'}`);
for (const dup of calls.duplicateSends) violations.push(`sent twice: ${dup}`);
// Each plan was approved once: every call of one step must carry one idempotency key, whichever node sent it.
const records = (await readFile(ws.callsFile, 'utf8')).split('\n').filter((line) => line.trim() !== '').map((line) => JSON.parse(line) as { args: { name: string; idempotency_key?: string }; move: string; pid: number });
const keys = new Map<string, Set<string>>();
for (const call of records) keys.set(call.args.name, (keys.get(call.args.name) ?? new Set()).add(call.args.idempotency_key ?? '-'));
for (const [step, set] of keys) if (set.size > 1) violations.push(`${step} was sent under ${set.size} idempotency keys: ${[...set].join(', ')}`);
const sendsActed = records.filter((call) => call.args.name.endsWith('-send') && (call.move === 'ok' || call.move.startsWith('slow:'))).length;

// Nothing left running: no node, no server a node started (each stops when its node's pipe closes).
for (const [node, daemon] of nodes) if (daemon.child.exitCode === null && daemon.child.signalCode === null) violations.push(`node ${node} still running`);
const serverPids = [...new Set(records.map((call) => call.pid))];
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};
await until(async () => !serverPids.some(alive), 10_000, 'every server process to end').catch(() => violations.push(`server processes still running: ${serverPids.filter(alive).join(', ')}`));
await postgres.stop();
const refused = await new Promise<boolean>((resolve) => {
  const socket = connect(postgres.port, '127.0.0.1');
  socket.once('connect', () => (socket.destroy(), resolve(false)));
  socket.once('error', () => resolve(true));
});
if (!refused) violations.push(`PostgreSQL still accepts connections on port ${postgres.port}`);

// What the disturbances did, from the shared log: plans taken over from a silent node, and plans a node let go.
const logDir = path.join(ws.dir, 'logs');
let logText = '';
for (const name of await readdir(logDir).catch(() => [] as string[])) logText += await readFile(path.join(logDir, name), 'utf8').catch(() => '');
const takenOver = (logText.match(/taken over by node/g) ?? []).length;
const letGo = (logText.match(/let go: /g) ?? []).length;

const minutes = (Date.now() - started) / 60_000;
console.log('');
console.log(`cluster soak: ${totalPlans} plans, 3 nodes, seed ${seed}, lease ${leaseMs} ms, answers delayed 0–${values['max-delay-ms']} ms, fail rate 0.05`);
console.log(`machine: ${machine()}; ${minutes.toFixed(1)} min`);
console.log(`acts: ${Object.entries(acts).map(([act, n]) => `${act} ${n}`).join(', ')}`);
console.log(`plans taken over from a silent node: ${takenOver}; plans a node let go (lease lost): ${letGo}`);
console.log(`final folders: Done ${final.counts.Done}, Failed ${final.counts.Failed}, Needs_Review ${final.counts.Needs_Review}; still waiting ${final.counts.Approved! + final.counts.In_Progress!}`);
console.log(`calls: ${calls.total} (sends that may have acted: ${sendsActed}); non-idempotent re-sends after a declared failure: ${calls.resentAfterDeclaredFailure}`);
console.log(`duplicate sends: ${calls.duplicateSends.length}; lost: ${final.lost.length}; in two folders: ${final.doubled.length}; server processes started: ${serverPids.length}, still running: ${serverPids.filter(alive).length}; PostgreSQL stopped: ${refused}`);
console.log(`invariant violations: ${violations.length}`);
for (const violation of violations.slice(0, 20)) console.log(`  ${violation}`);
console.log(JSON.stringify({ kind: 'cluster', plans: totalPlans, seed, leaseMs, acts, counts: final.counts, takenOver, letGo, calls: calls.total, duplicates: calls.duplicateSends.length, lost: final.lost.length, violations: violations.length, minutes }));
if (values.keep) console.log(`workspace kept: ${ws.dir}`);
else await ws.cleanup();
process.exitCode = violations.length === 0 ? 0 : 1;
