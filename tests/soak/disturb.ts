/**
 * Disturbance soak (`npm run test:soak:disturb -- --acts 300`, not in CI): a daemon works through plans
 * while a seeded random hand does what people, sync clients and the OS do — SIGKILL the daemon, move a
 * running plan back to Approved/ or out to Plans/ (and later back), delete one, edit one, copy one under
 * the same id, delete the journal or the whole state folder, make Done/ unwritable for a while, write a
 * plan in place with pauses. After every act: no step of one approval sent twice, no plan lost (each in
 * exactly one folder unless the hand deleted it), and the daemon still up unless the hand killed it.
 * Options: --acts 300 --seed 11 --keep. Prints the figures (acts of each kind); exit 0 when all held.
 */
import { execFileSync } from 'node:child_process';
import { appendFile, copyFile, mkdir, open, readdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { callStats, createSoakWorkspace, FOLDERS, machine, planText, prng, sleep, startDaemon, onSoakExit, until, type Daemon } from './harness.js';

const { values } = parseArgs({
  options: {
    acts: { type: 'string', default: '300' },
    seed: { type: 'string', default: '11' },
    keep: { type: 'boolean', default: false },
  },
});
const totalActs = Number(values.acts);
const random = prng(Number(values.seed));
const pick = <T>(items: readonly T[]): T | undefined => (items.length === 0 ? undefined : items[Math.floor(random() * items.length)]);

const ws = await createSoakWorkspace({ seed: Number(values.seed), failRate: 0.05, hangRate: 0, callTimeoutMs: 2_000, maxConcurrentPlans: 4, serverConcurrency: 4, maxDelayMs: 400 });
const where = (folder: string, name: string) => path.join(ws.vault, folder, name);
const ALL_FOLDERS = [...FOLDERS, 'Plans'] as const;
/** Plan file name → the plan id its steps are named after (a copy keeps the original's). */
const files = new Map<string, string>();
const deleted = new Set<string>();
const detoured = new Set<string>();
const counts: Record<string, number> = {};
const violations: string[] = [];
/** What the hand did when, to read beside the daemon's log (printed with --keep). */
const actLog: string[] = [];
let daemon: Daemon = startDaemon(ws);
let killedByUs = false;
let planNumber = 0;
let copies = 0;
let immutableUntil = 0;
const doneDir = path.join(ws.vault, 'Done');
const canImmutable = process.platform === 'linux' && process.getuid?.() === 0;
// An interrupted soak must not leave an immutable folder behind (rm -rf cannot remove it).
onSoakExit(() => {
  if (immutableUntil !== 0) execFileSync('chattr', ['-i', doneDir]);
});
const started = Date.now();

async function list(folder: string): Promise<string[]> {
  return (await readdir(path.join(ws.vault, folder)).catch(() => [] as string[])).filter((name) => name.endsWith('.md') && !name.startsWith('.'));
}

async function drop(count: number, inPlace: boolean): Promise<void> {
  await mkdir(path.join(ws.vault, 'Approved'), { recursive: true });
  for (let i = 0; i < count; i += 1) {
    const plan = `plan-${String((planNumber += 1)).padStart(4, '0')}`;
    const name = `${plan}.md`;
    files.set(name, plan);
    if (!inPlace) {
      await mkdir(path.join(ws.vault, 'Plans'), { recursive: true });
      await appendFile(where('Plans', name), planText(plan));
      await rename(where('Plans', name), where('Approved', name));
      continue;
    }
    // Written in place with a pause mid-file: the first half is a whole plan by itself.
    const text = planText(plan);
    const cut = text.indexOf('- [ ]', text.indexOf('- [ ]') + 1);
    const handle = await open(where('Approved', name), 'w');
    await handle.write(text.slice(0, cut));
    await sleep(200 + Math.floor(random() * 600));
    await handle.write(text.slice(cut));
    await handle.close();
  }
}

const acts: Record<string, () => Promise<boolean>> = {
  async kill() {
    killedByUs = true;
    daemon.child.kill('SIGKILL');
    await daemon.exited;
    killedByUs = false;
    daemon = startDaemon(ws);
    return true;
  },
  async move_back() {
    const name = pick(await list('In_Progress'));
    if (!name || (await list('Approved')).includes(name)) return false;
    await rename(where('In_Progress', name), where('Approved', name)).catch(() => undefined);
    return true;
  },
  async move_out() {
    const name = pick([...(await list('In_Progress')), ...(await list('Approved'))]);
    if (!name || (await list('Plans')).includes(name)) return false;
    const from = (await list('In_Progress')).includes(name) ? 'In_Progress' : 'Approved';
    await rename(where(from, name), where('Plans', name)).catch(() => undefined);
    detoured.add(name);
    return true;
  },
  async move_in() {
    const name = pick([...detoured]);
    if (!name || (await list('Approved')).includes(name)) return false;
    await rename(where('Plans', name), where('Approved', name)).catch(() => undefined);
    detoured.delete(name);
    return true;
  },
  async delete() {
    const name = pick(await list('In_Progress'));
    if (!name) return false;
    await rm(where('In_Progress', name), { force: true });
    deleted.add(name);
    return true;
  },
  async edit() {
    const folder = pick(['In_Progress', 'Approved'] as const) as string;
    const name = pick(await list(folder));
    if (!name) return false;
    await appendFile(where(folder, name), `\nA note from a human at act ${Object.values(counts).reduce((a, b) => a + b, 0)}.\n`).catch(() => undefined);
    return true;
  },
  async copy() {
    const folder = pick(['In_Progress', 'Done'] as const) as string;
    const name = pick(await list(folder));
    if (!name) return false;
    const copy = `${name.replace(/\.md$/, '')}-copy-${(copies += 1)}.md`;
    await copyFile(where(folder, name), where('Approved', copy)).catch(() => undefined);
    files.set(copy, files.get(name) ?? name.replace(/\.md$/, ''));
    return true;
  },
  // The state is deleted while a daemon runs and holds it (SPEC §4): a journal deleted while no daemon
  // holds it is simply gone, and nothing can remember what it said.
  async delete_journal() {
    if (!daemon.output().includes('watching')) return false;
    await rm(path.join(ws.dir, 'state', 'journal.jsonl'), { force: true });
    return true;
  },
  async delete_state() {
    if (!daemon.output().includes('watching')) return false;
    // The daemon may be writing into it meanwhile (ENOTEMPTY): a clean-up script tries again.
    await rm(path.join(ws.dir, 'state'), { recursive: true, force: true, maxRetries: 5, retryDelay: 20 }).catch(() => undefined);
    return true;
  },
  async immutable_done() {
    if (!canImmutable || immutableUntil > Date.now()) return false;
    await mkdir(doneDir, { recursive: true });
    execFileSync('chattr', ['+i', doneDir]);
    immutableUntil = Date.now() + 2_000 + Math.floor(random() * 3_000);
    return true;
  },
  async drop() {
    await drop(1 + Math.floor(random() * 3), false);
    return true;
  },
  async drop_in_place() {
    await drop(1, true);
    return true;
  },
};
const weights: [string, number][] = [
  ['kill', 3], ['move_back', 3], ['move_out', 2], ['move_in', 2], ['delete', 1], ['edit', 2], ['copy', 2],
  ['delete_journal', 1], ['delete_state', 1], ['immutable_done', 1], ['drop', 4], ['drop_in_place', 1],
];
const totalWeight = weights.reduce((sum, [, w]) => sum + w, 0);
function nextAct(): string {
  let roll = random() * totalWeight;
  for (const [name, weight] of weights) if ((roll -= weight) < 0) return name;
  return 'drop';
}

/** Where each plan file is now. */
async function census(): Promise<Map<string, string[]>> {
  const found = new Map<string, string[]>();
  for (const folder of ALL_FOLDERS) for (const name of await list(folder)) found.set(name, [...(found.get(name) ?? []), folder]);
  return found;
}

async function check(when: string): Promise<void> {
  let found = await census();
  // Folders are listed one after another: a plan the daemon moves in between shows in two of them.
  // Only a plan that stays in two folders is in two folders.
  const doubled = (now: Map<string, string[]>) => [...files.keys()].filter((name) => (now.get(name)?.length ?? 0) > 1);
  if (doubled(found).length > 0) {
    await sleep(300);
    const again = await census();
    found = new Map([...again].map(([name, at]) => [name, doubled(found).includes(name) ? at : (again.get(name) ?? [])]));
  }
  for (const [name] of files) {
    if (deleted.has(name)) continue;
    const at = found.get(name) ?? [];
    // A suffixed copy (`p (2).md`) of a name is the same file after a clash in a folder.
    const suffixed = [...found.keys()].filter((other) => other.startsWith(`${name.replace(/\.md$/, '')} (`));
    if (at.length + suffixed.length === 0) violations.push(`${when}: ${name} is in no folder (lost)`);
    if (at.length > 1) violations.push(`${when}: ${name} is in ${at.join(' and ')}`);
  }
  for (const dup of (await callStats(ws)).duplicateSends) if (!violations.some((v) => v.endsWith(dup))) violations.push(`${when}: sent twice: ${dup}`);
  if (!killedByUs && daemon.child.exitCode !== null) {
    violations.push(`${when}: the daemon exited by itself (${daemon.child.exitCode}): ${daemon.output().slice(-400)}`);
    daemon = startDaemon(ws);
  }
}

await drop(6, false);
await until(async () => daemon.output().includes('watching'), 30_000, 'the banner');
for (let done = 0; done < totalActs; ) {
  if (immutableUntil !== 0 && Date.now() > immutableUntil) {
    execFileSync('chattr', ['-i', doneDir]);
    immutableUntil = 0;
  }
  const name = nextAct();
  if (!(await (acts[name] as () => Promise<boolean>)())) continue;
  counts[name] = (counts[name] ?? 0) + 1;
  done += 1;
  actLog.push(`${new Date().toISOString().slice(11, 23)} act ${done} ${name}`);
  await sleep(50 + Math.floor(random() * 250));
  const before = violations.length;
  await check(`after act ${done} (${name})`);
  for (const violation of violations.slice(before)) console.log(`  ${violation}`);
  if (done % 50 === 0) console.log(`${done}/${totalActs} acts; ${files.size} plan files; violations so far ${violations.length}`);
}

// Drain: detours come back, Done/ is writable again, and the daemon finishes everything undisturbed.
if (immutableUntil !== 0) execFileSync('chattr', ['-i', doneDir]);
for (const name of [...detoured]) await rename(where('Plans', name), where('Approved', name)).catch(() => undefined);
try {
  await until(async () => (await list('Approved')).length === 0 && (await list('In_Progress')).length === 0, 5 * 60_000, 'every plan to reach a final folder');
} catch (error) {
  violations.push(`drain: ${error instanceof Error ? error.message : String(error)}`);
}
await check('after the drain');
daemon.child.kill('SIGTERM');
const exit = await daemon.exited;
if (exit !== 0) violations.push(`drain: the daemon exited with ${exit} on SIGTERM`);

const found = await census();
const final = Object.fromEntries(['Done', 'Failed', 'Needs_Review', 'In_Progress', 'Approved'].map((folder) => [folder, [...found.values()].filter((at) => at.includes(folder)).length]));
const calls = await callStats(ws);
const minutes = (Date.now() - started) / 60_000;
console.log('');
console.log(`disturbance soak: ${totalActs} acts, seed ${values.seed}; machine: ${machine()}; ${minutes.toFixed(1)} min`);
console.log(`acts: ${Object.entries(counts).sort(([a], [b]) => a.localeCompare(b)).map(([act, n]) => `${act} ${n}`).join(', ')}`);
console.log(`plan files: ${files.size} (${deleted.size} deleted by the hand); final: ${JSON.stringify(final)}`);
console.log(`calls: ${calls.total}; sent twice (same approval, may have acted): ${calls.duplicateSends.length}; lost: ${violations.filter((v) => v.includes('lost')).length}; daemon exits by itself: ${violations.filter((v) => v.includes('exited by itself')).length}`);
console.log(`invariant violations: ${violations.length}`);
for (const violation of violations.slice(0, 20)) console.log(`  ${violation}`);
console.log(JSON.stringify({ kind: 'disturb', acts: totalActs, counts, files: files.size, final, duplicates: calls.duplicateSends.length, violations: violations.length, minutes }));
if (values.keep) {
  await appendFile(path.join(ws.dir, 'acts.log'), `${actLog.join('\n')}\n`);
  console.log(`workspace kept: ${ws.dir} (the hand's acts in acts.log)`);
}
else await ws.cleanup();
process.exitCode = violations.length === 0 ? 0 : 1;
