/**
 * Builds the hostile vault for the corpus test: the shipped configuration pointed at a temporary vault,
 * every file of tests/fixtures/hostile/ dropped into Approved/ (some under hostile names), plus what
 * cannot be committed: symlinks, a FIFO, a 50 MB plan, a 10,000-step front-matter list.
 */
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { finished } from 'node:stream/promises';
import os from 'node:os';
import { writeDefaultConfig } from '../helpers/default-config.js';
import path from 'node:path';
import { CONTROLS, HOSTILE_DIR, HOSTILE_FILES, SYMLINKS } from './hostile-manifest.js';

export interface HostileVault {
  readonly root: string;
  readonly configPath: string;
  readonly vault: string;
  readonly logs: string;
  readonly outside: string;
  /** Original bytes of each file dropped into Approved/, by its name there. */
  readonly originals: ReadonlyMap<string, Buffer>;
}

export const FIFTY_MB_NAME = 'fifty-megabytes.md';
export const MANY_STEPS_NAME = 'ten-thousand-front-matter-steps.md';

async function writeFiftyMegabytes(file: string): Promise<void> {
  const out = createWriteStream(file);
  out.write('---\nid: fifty-megabytes\naction: write_vault\npath: Notes/huge.md\ncontent: x\n---\n');
  const line = `${'All work and no play makes a huge plan. '.repeat(25)}\n`;
  const chunk = line.repeat(Math.ceil((1024 * 1024) / line.length));
  for (let i = 0; i < 50; i++) {
    if (!out.write(chunk)) await once(out, 'drain');
  }
  out.end();
  await finished(out);
}

export async function buildHostileVault(): Promise<HostileVault> {
  const root = await mkdtemp(path.join(os.tmpdir(), 'orch-hostile-'));
  // Files are dropped just before the start: no need to wait for them to settle.
  const configPath = await writeDefaultConfig(root, { stabilityMs: 0 });
  const vault = path.join(root, 'vault');
  const approved = path.join(vault, 'Approved');
  const outside = path.join(root, 'outside');
  await mkdir(approved, { recursive: true });
  await mkdir(path.join(vault, 'Notes'), { recursive: true });
  await mkdir(path.join(vault, 'Plans'), { recursive: true });
  await mkdir(path.join(outside, 'folder'), { recursive: true });
  await writeFile(path.join(outside, 'canary.txt'), 'outside the vault: must never change\n');
  await writeFile(path.join(outside, 'folder', 'evil.md'), '---\naction: write_vault\npath: Notes/evil.md\ncontent: ran through a symlinked folder\n---\n');
  await writeFile(path.join(vault, 'Notes', 'seed.md'), 'a note the move tests try to push around\n');
  await writeFile(path.join(vault, 'Plans', 'valid.md'), '---\naction: write_vault\npath: Notes/via-symlink.md\ncontent: x\n---\n');
  // Symlinked folders inside the vault, for the path tests: one leads out, one into Approved/.
  await symlink(outside, path.join(vault, 'Notes', 'escape'));
  await symlink(approved, path.join(vault, 'Notes', 'to-approved'));

  const originals = new Map<string, Buffer>();
  for (const entry of [...HOSTILE_FILES, ...CONTROLS.map((file) => ({ file, as: undefined }))]) {
    const name = entry.as ?? entry.file;
    await copyFile(path.join(HOSTILE_DIR, entry.file), path.join(approved, name));
    originals.set(name, await readFile(path.join(approved, name)));
  }
  await writeFiftyMegabytes(path.join(approved, FIFTY_MB_NAME));
  const manySteps = `---\nid: many-steps\nsteps:\n${'  - {action: read_vault, path: Notes/seed.md}\n'.repeat(10_000)}---\n`;
  await writeFile(path.join(approved, MANY_STEPS_NAME), manySteps);
  originals.set(MANY_STEPS_NAME, Buffer.from(manySteps));

  for (const link of SYMLINKS) {
    const target = link.target === 'SELF' ? link.name : link.target.replace('OUTSIDE', outside).replace('VAULT', vault);
    await symlink(target, path.join(approved, link.name));
  }
  // A symlinked folder is not a plan and is never entered: the valid plan inside it must not run.
  await symlink(path.join(outside, 'folder'), path.join(approved, 'linked-folder'));
  // Not files at all: never opened (opening a FIFO would block the daemon forever), never moved.
  execFileSync('mkfifo', [path.join(approved, 'fifo.md')]);
  await mkdir(path.join(approved, 'folder.md'));
  return { root, configPath, vault, logs: path.join(root, 'logs'), outside, originals };
}

/** Path → sha256 of every file under `dir` (symlinks as their target text), for "nothing changed" checks. */
export async function snapshot(dir: string): Promise<Map<string, string>> {
  const result = new Map<string, string>();
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    const full = path.join(entry.parentPath, entry.name);
    if (entry.isFile()) result.set(full, createHash('sha256').update(await readFile(full)).digest('hex'));
    else result.set(full, entry.isSymbolicLink() ? 'symlink' : 'dir');
  }
  return result;
}
