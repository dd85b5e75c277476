import { mkdir, readdir, readFile, stat, chmod, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { moveNoClobber, suffixedName, VaultMoveError } from '../../../src/vault/move-no-clobber.js';
import { writeFileAtomic } from '../../../src/vault/write-file-atomic.js';
import { useTempDirs } from './temp-dir.js';

const tempDir = useTempDirs();

async function folders(): Promise<{ from: string; to: string }> {
  const root = await tempDir();
  const from = join(root, 'Approved');
  const to = join(root, 'In_Progress');
  await mkdir(from);
  await mkdir(to);
  return { from, to };
}

describe('moveNoClobber', () => {
  it('moves the file, bytes unchanged, and returns its new path', async () => {
    const { from, to } = await folders();
    const bytes = Buffer.from([0xef, 0xbb, 0xbf, 0x2d, 0x2d, 0x2d, 0x0d, 0x0a, 0x00, 0xff]);
    await writeFile(join(from, 'plan.md'), bytes);
    const moved = await moveNoClobber(join(from, 'plan.md'), to);
    expect(moved).toBe(join(to, 'plan.md'));
    expect(await readFile(moved)).toEqual(bytes);
    expect(await readdir(from)).toEqual([]);
  });

  it('never overwrites: clashes get (2), (3)… and every version keeps its bytes', async () => {
    const { from, to } = await folders();
    await writeFile(join(to, 'plan.md'), 'first');
    await writeFile(join(to, 'plan (2).md'), 'second');
    await writeFile(join(from, 'plan.md'), 'third');
    const moved = await moveNoClobber(join(from, 'plan.md'), to);
    expect(moved).toBe(join(to, 'plan (3).md'));
    expect(await readFile(join(to, 'plan.md'), 'utf8')).toBe('first');
    expect(await readFile(join(to, 'plan (2).md'), 'utf8')).toBe('second');
    expect(await readFile(moved, 'utf8')).toBe('third');
  });

  it('same-named plans from different folders all survive in one destination', async () => {
    const root = await tempDir();
    const to = join(root, 'Done');
    await mkdir(to);
    const sources = await Promise.all(
      [1, 2, 3, 4].map(async (n) => {
        const dir = join(root, `src${n}`);
        await mkdir(dir);
        await writeFile(join(dir, 'plan.md'), `content ${n}`);
        return join(dir, 'plan.md');
      }),
    );
    // Sequential like the daemon (one mover per vault); the point is no version is lost.
    for (const source of sources) await moveNoClobber(source, to);
    const contents = await Promise.all((await readdir(to)).map((name) => readFile(join(to, name), 'utf8')));
    expect(contents.sort()).toEqual(['content 1', 'content 2', 'content 3', 'content 4']);
  });

  it('fails with a clear error naming the file when the source is gone', async () => {
    const { from, to } = await folders();
    const error = await moveNoClobber(join(from, 'gone.md'), to).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(VaultMoveError);
    expect((error as VaultMoveError).code).toBe('ENOENT');
    expect((error as Error).message).toContain('gone.md');
  });

  it('suffixes before the extension', () => {
    expect(suffixedName('a.md', 1)).toBe('a.md');
    expect(suffixedName('a.md', 2)).toBe('a (2).md');
    expect(suffixedName('a.b.MD', 12)).toBe('a.b (12).MD');
  });
});

describe('writeFileAtomic', () => {
  it('replaces the content, keeps the permission bits and leaves no temporary behind', async () => {
    const dir = await tempDir();
    const file = join(dir, 'plan.md');
    await writeFile(file, 'old');
    await chmod(file, 0o640);
    await writeFileAtomic(file, 'new content');
    expect(await readFile(file, 'utf8')).toBe('new content');
    expect((await stat(file)).mode & 0o777).toBe(0o640);
    expect(await readdir(dir)).toEqual(['plan.md']);
  });

  it('creates a missing file and removes its temporary when the write fails', async () => {
    const dir = await tempDir();
    await writeFileAtomic(join(dir, 'new.md'), Buffer.from('bytes'));
    expect(await readFile(join(dir, 'new.md'), 'utf8')).toBe('bytes');
    await mkdir(join(dir, 'taken.md')); // renaming a file over a directory fails
    await expect(writeFileAtomic(join(dir, 'taken.md'), 'x')).rejects.toThrow();
    expect((await readdir(dir)).sort()).toEqual(['new.md', 'taken.md']);
  });
});
