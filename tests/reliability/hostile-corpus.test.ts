/**
 * The hostile corpus (SPEC §9.5) against the real daemon (`--once`) on the shipped configuration and
 * bundled servers: every file ends in Failed/ with a clear error and its original bytes otherwise kept;
 * none reaches a tool, except paths that lead elsewhere only through a symlink, which the server refuses
 * with nothing outside the vault changed; the daemon neither crashes nor stalls. hostile-manifest.ts says
 * which layer stops each file.
 */
import { existsSync } from 'node:fs';
import { lstat, mkdir, readdir, readFile, readlink, rm, truncate, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDaemon } from '../helpers/daemon-process.js';
import { createWorkspace } from '../helpers/workspace.js';
import { CONTROLS, HOSTILE_FILES, SYMLINKS, type HostileFile } from './hostile-manifest.js';
import { buildHostileVault, FIFTY_MB_NAME, MANY_STEPS_NAME, snapshot, type HostileVault } from './hostile-vault.js';

interface Run {
  readonly hv: HostileVault;
  readonly code: number | string;
  readonly output: string;
  readonly elapsedMs: number;
  readonly outsideBefore: Map<string, string>;
  readonly events: readonly Record<string, unknown>[];
}

const PWNED = ['/tmp/hostile-pwned', '/tmp/hostile-pwned.md'];
let run: Run;

beforeAll(async () => {
  const pwnedBefore = PWNED.filter((file) => existsSync(file));
  expect(pwnedBefore, 'leftovers of an earlier escape').toEqual([]);
  const hv = await buildHostileVault();
  const outsideBefore = await snapshot(hv.outside);
  const started = Date.now();
  const daemon = startDaemon(hv.configPath, ['--once']);
  const code = await daemon.exited;
  const elapsedMs = Date.now() - started;
  const jsonl = await readFile(path.join(hv.logs, 'mcp_actions.jsonl'), 'utf8');
  const events = jsonl.split('\n').filter((line) => line !== '').map((line) => JSON.parse(line) as Record<string, unknown>);
  run = { hv, code, output: daemon.output(), elapsedMs, outsideBefore, events };
}, 120_000);

afterAll(async () => {
  if (run) await rm(run.hv.root, { recursive: true, force: true });
});

const folder = (name: string) => path.join(run.hv.vault, name);
const planIdOf = (name: string) => name.replace(/\.md$/, '');
const fileName = (entry: HostileFile) => entry.as ?? entry.file;

/** The plan's `error:` field, unquoted (the daemon writes it as a JSON-style double-quoted scalar when needed). */
function errorOf(text: string): string {
  const raw = /^error: (.*)$/m.exec(text)?.[1] ?? '';
  return raw.startsWith('"') ? (JSON.parse(raw) as string) : raw;
}

/** Front-matter fields the daemon writes on failure; everything else of the original must survive. */
const DAEMON_FIELDS = /^(status|error|failed_at|completed_at|retry_at|approval_id):/;

/** Every original line, but for the fields the daemon rewrites, appears in order in the final text. */
function keptInOrder(original: string, final: string): boolean {
  const finalLines = final.split(/\r?\n/);
  let at = 0;
  const lines = original.split(/\r?\n/);
  const closing = lines.indexOf('---', 1);
  for (const [i, line] of lines.entries()) {
    if (i > 0 && i < closing && DAEMON_FIELDS.test(line)) continue;
    while (at < finalLines.length && finalLines[at] !== line) at++;
    if (at === finalLines.length) return false;
    at++;
  }
  return true;
}

describe('the hostile corpus under the daemon', () => {
  it('the daemon finishes cleanly, without a stack trace, in bounded time', () => {
    // `--once` exits 1 because plans went to Failed/, and says how many went where.
    expect(run.code, run.output).toBe(1);
    expect(run.output).toMatch(/daemon --once: \d+ plans: 1 in Done\/, \d+ in Failed\//);
    expect(run.elapsedMs).toBeLessThan(60_000);
    expect(run.output).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);
    expect(HOSTILE_FILES.length + SYMLINKS.length + 2).toBeGreaterThanOrEqual(40);
  });

  it('every hostile file is in Failed/ and nowhere else; the controls are in Done/; non-files stay put', async () => {
    const failed = new Set(await readdir(folder('Failed')));
    const expected = [...HOSTILE_FILES.map(fileName), ...SYMLINKS.map((link) => link.name), FIFTY_MB_NAME, MANY_STEPS_NAME];
    expect(expected.filter((name) => !failed.has(name))).toEqual([]);
    expect(failed.size).toBe(expected.length);
    expect((await readdir(folder('Done'))).sort()).toEqual([...CONTROLS].sort());
    expect(await readdir(folder('In_Progress'))).toEqual([]);
    expect(await readdir(folder('Needs_Review'))).toEqual([]);
    // A FIFO, a folder and a symlinked folder are not plans: never opened, never followed, never moved.
    expect((await readdir(folder('Approved'))).sort()).toEqual(['fifo.md', 'folder.md', 'linked-folder']);
  });

  it.each(HOSTILE_FILES.map((entry) => [fileName(entry), entry] as const))('%j: a clear error, original bytes kept', async (name, entry) => {
    const bytes = await readFile(path.join(folder('Failed'), name));
    const original = run.hv.originals.get(name) as Buffer;
    if (entry.binary) {
      expect(bytes.equals(original), 'bytes that are not UTF-8 text are left exactly as they came').toBe(true);
      const failed = run.events.find((e) => e.event === 'FAILED' && e.plan === planIdOf(name));
      expect(String(failed?.message)).toMatch(entry.error);
      return;
    }
    const text = bytes.toString('utf8');
    // A human's `rejected`/`draft` is never written over (SPEC §7); any other plan says `failed`.
    const refused = /^status: *(rejected|draft) *$/im.exec(original.toString('utf8'))?.[0];
    if (refused !== undefined) {
      expect(text.split(/\r?\n/)).toContain(refused);
      expect(text).not.toMatch(/^status: failed$/m);
    } else expect(text).toMatch(/^status: failed$/m);
    expect(errorOf(text)).toMatch(entry.error);
    expect(keptInOrder(original.toString('utf8'), text), 'original lines kept in order').toBe(true);
  });

  it('the 50 MB file and the 10,000-step list fail as too large, their text kept', async () => {
    const huge = await readFile(path.join(folder('Failed'), FIFTY_MB_NAME), 'utf8');
    expect(huge.length).toBeGreaterThan(50 * 1024 * 1024);
    expect(errorOf(huge)).toMatch(/the file is \d+ bytes; plans may be at most 1048576 bytes/);
    expect(huge.startsWith('---\nid: fifty-megabytes\naction: write_vault\npath: Notes/huge.md\ncontent: x\n')).toBe(true);
    expect(huge.slice(-100_000)).toContain('All work and no play makes a huge plan.');
    const many = await readFile(path.join(folder('Failed'), MANY_STEPS_NAME), 'utf8');
    expect(errorOf(many)).toMatch(/the plan has 10000 steps; at most 1000 are allowed/);
    expect(keptInOrder(run.hv.originals.get(MANY_STEPS_NAME)?.toString('utf8') ?? '', many)).toBe(true);
  });

  it('symlinks are refused without being followed: moved as links, their targets untouched', async () => {
    for (const link of SYMLINKS) {
      const moved = path.join(folder('Failed'), link.name);
      expect((await lstat(moved)).isSymbolicLink(), link.name).toBe(true);
      const target = link.target === 'SELF' ? link.name : link.target.replace('OUTSIDE', run.hv.outside).replace('VAULT', run.hv.vault);
      expect(await readlink(moved)).toBe(target);
      const refused = run.events.find((e) => e.event === 'FAILED' && String(e.message).startsWith(`${link.name} is a symbolic link`));
      expect(refused, link.name).toBeDefined();
    }
    // Neither the plan behind symlink-to-valid-plan.md nor the one inside the symlinked folder ran.
    expect(existsSync(path.join(run.hv.vault, 'Notes', 'via-symlink.md'))).toBe(false);
    expect(existsSync(path.join(run.hv.vault, 'Notes', 'evil.md'))).toBe(false);
  });

  it('only symlinked hostile paths reach a tool, each once, and the tool refuses them as validation errors', () => {
    const calls = run.events.filter((e) => e.event === 'CALL');
    const toolLayer = HOSTILE_FILES.filter((entry) => entry.layer === 'tool').map((entry) => planIdOf(fileName(entry)));
    const controlIds = ['control-valid'];
    expect(calls.map((e) => String(e.plan)).sort()).toEqual([...toolLayer, ...controlIds].sort());
    for (const plan of toolLayer) {
      const failed = run.events.filter((e) => e.event === 'FAILED' && e.plan === plan && e.tool !== undefined);
      expect(failed.map((e) => e.error_type), plan).toEqual(['validation']);
    }
  });

  it('nothing outside the vault changed, and no lifecycle folder was written by a tool', async () => {
    expect(await snapshot(run.hv.outside)).toEqual(run.outsideBefore);
    for (const file of PWNED) expect(existsSync(file), file).toBe(false);
    expect(existsSync(path.join(run.hv.root, 'pwned.md'))).toBe(false);
    expect(await readFile(path.join(run.hv.vault, 'Notes', 'seed.md'), 'utf8')).toContain('push around');
    for (const name of ['self-approved.md', 'seed.md', 'forged.md']) {
      for (const lifecycle of ['Approved', 'Done', 'In_Progress']) expect(existsSync(path.join(folder(lifecycle), name)), `${lifecycle}/${name}`).toBe(false);
    }
    // No e-mail left with an attachment it should not have had.
    expect(await readdir(path.join(run.hv.vault, 'Outbox', 'Email')).catch(() => [])).toEqual([]);
  });

  // A plan id like "\e]0;pwned\a\e[2J…" would retitle and clear the terminal of whoever runs `tail -f`:
  // control and bidi characters are escaped as \uXXXX in the human log (and in Dashboard.md).
  it('the human log never carries raw control characters from plan ids or file names', async () => {
    const log = await readFile(path.join(run.hv.logs, 'mcp_actions.log'), 'utf8');
    expect(log).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/);
  });
});

describe('a file too large to read', () => {
  // Over 2 GiB, reading the file whole would throw (ERR_FS_FILE_TOO_LARGE): the claim pins it by size and
  // run-plan refuses it by size (stat) before reading, so it goes to Failed/ and no start crashes.
  it('a 3 GiB plan (sparse) goes to Failed/ and the daemon carries on, then and at the next start', async () => {
    const ws = await createWorkspace({ daemon: { stabilityMs: 0 } });
    try {
      await ws.writePlan('ok.md', '---\naction: echo\ntext: fine\n---\n', 'Approved');
      const sparse = path.join(ws.vault, 'Approved', 'sparse.md');
      await writeFile(sparse, '---\naction: echo\ntext: never\n---\n');
      await truncate(sparse, 3 * 1024 ** 3);
      // The first start fails the plan (exit 1, as --once does when a plan failed); the second finds nothing to do.
      for (const [run, code] of [['first', 1], ['second', 0]] as const) {
        const daemon = startDaemon(ws.configPath, ['--once']);
        expect(await daemon.exited, `${run} start: ${daemon.output()}`).toBe(code);
      }
      expect(await ws.list('Failed')).toEqual(['sparse.md']);
      expect(await ws.list('Done')).toEqual(['ok.md']);
    } finally {
      await ws.cleanup();
    }
  });
});

describe('a file name that is not UTF-8', () => {
  // No string path can name it (0xFF is not UTF-8): the scan lists it as raw bytes and the daemon moves
  // it to Failed/ under a readable name, with an error logged, instead of leaving it in Approved/ forever.
  it('is refused into Failed/, not left silently in Approved/', async () => {
    const ws = await createWorkspace({ daemon: { stabilityMs: 0 } });
    try {
      const approved = path.join(ws.vault, 'Approved');
      await mkdir(approved, { recursive: true });
      const name = Buffer.concat([Buffer.from('latin1-'), Buffer.from([0xe9, 0xff]), Buffer.from('.md')]);
      await writeFile(Buffer.concat([Buffer.from(`${approved}/`), name]), '---\naction: echo\ntext: hi\n---\n');
      const daemon = startDaemon(ws.configPath, ['--once']);
      expect(await daemon.exited, daemon.output()).toBe(0);
      expect(await readdir(approved)).toEqual([]);
      expect(await readdir(path.join(ws.vault, 'Failed'))).toHaveLength(1);
    } finally {
      await ws.cleanup();
    }
  });
});
