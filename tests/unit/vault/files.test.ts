import { lstat, mkdir, readdir, symlink, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ensureVaultFolders, VAULT_FOLDERS } from '../../../src/vault/folders.js';
import { sha256 } from '../../../src/run/identify.js';
import { listPlanFiles } from '../../../src/vault/list-plan-files.js';
import { isPlanFileName } from '../../../src/vault/folders.js';
import { useTempDirs } from './temp-dir.js';

const tempDir = useTempDirs();

describe('isPlanFileName', () => {
  it.each(['plan.md', 'Q4 proposal.md', 'x.MD', 'a.b.md', 'plan (2).md'])('accepts %s', (name) => {
    expect(isPlanFileName(name)).toBe(true);
  });
  it.each([
    '.hidden.md', '.plan.md.swp', 'plan.md.swp', 'plan.md~', '.#plan.md', '#plan.md#', '.plan.md.1a2b.tmp',
    'plan.tmp', 'plan.md.tmp', '.~lock.plan.md#', '~$plan.md', 'notes.txt', '.md', 'md', '', 'a/b.md',
  ])('ignores %j', (name) => {
    expect(isPlanFileName(name)).toBe(false);
  });
});

describe('ensureVaultFolders', () => {
  it('creates every folder of the skeleton and keeps what is already there', async () => {
    const vault = join(await tempDir(), 'vault');
    await mkdir(join(vault, 'Done'), { recursive: true });
    await writeFile(join(vault, 'Done', 'old.md'), 'kept');
    await ensureVaultFolders(vault);
    await ensureVaultFolders(vault); // idempotent
    expect((await readdir(vault)).sort()).toEqual([...VAULT_FOLDERS].sort());
    expect(await readdir(join(vault, 'Done'))).toEqual(['old.md']);
  });
});

describe('listPlanFiles', () => {
  it('lists regular plan files oldest first, then by name, and reports symlinks apart', async () => {
    const dir = await tempDir();
    const at = (name: string, seconds: number) => utimes(join(dir, name), seconds, seconds);
    for (const name of ['b.md', 'a.md', 'c.md', '.x.md.swp', 'notes.txt', 'target.txt']) {
      await writeFile(join(dir, name), name);
    }
    await at('c.md', 1000);
    await at('a.md', 2000);
    await at('b.md', 2000);
    await symlink(join(dir, 'target.txt'), join(dir, 'link.md'));
    await mkdir(join(dir, 'folder.md'));
    await mkdir(join(dir, 'sub'));
    await writeFile(join(dir, 'sub', 'nested.md'), 'not direct');

    const listing = await listPlanFiles(dir);
    expect(listing.files.map((file) => file.name)).toEqual(['c.md', 'a.md', 'b.md']);
    expect(listing.files[0]).toMatchObject({ path: join(dir, 'c.md'), size: 4 });
    expect(listing.symlinks).toEqual([join(dir, 'link.md')]);
    expect(listing.others).toEqual([join(dir, 'folder.md')]);
    expect((await lstat(join(dir, 'link.md'))).isSymbolicLink()).toBe(true); // untouched
  });
});

describe('sha256', () => {
  it('hashes text as UTF-8, same as its bytes', () => {
    expect(sha256('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(sha256(Buffer.from('héllo', 'utf8'))).toBe(sha256('héllo'));
  });
});
