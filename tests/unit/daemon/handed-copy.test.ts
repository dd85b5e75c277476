/** The wait for a synced copy to be the file handed over (SPEC §12), on an injected clock. */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HandedCopies } from '../../../src/daemon/handed-copy.js';
import { sha256 } from '../../../src/run/identify.js';

let vault: string;
beforeEach(async () => {
  vault = await mkdtemp(path.join(tmpdir(), 'handed-'));
  await mkdir(path.join(vault, 'In_Progress'));
});
afterEach(async () => rm(vault, { recursive: true, force: true }));

describe('HandedCopies', () => {
  it('ready when this copy is the file handed over; otherwise wait, then at most a lease, then late', async () => {
    let now = 0;
    const copies = new HandedCopies({ vault, leaseMs: 1_000, now: () => now });
    await writeFile(path.join(vault, 'In_Progress', 'x.md'), 'stale');
    const handOff = { server: 'B', from: 'a', fileHash: sha256('handed over') };
    expect(await copies.verdict('x', 'x.md', handOff)).toBe('wait');
    now = 500;
    expect(await copies.verdict('x', 'x.md', handOff)).toBe('waiting');
    now = 1_000;
    expect(await copies.verdict('x', 'x.md', handOff)).toBe('late');
    await writeFile(path.join(vault, 'In_Progress', 'x.md'), 'handed over');
    expect(await copies.verdict('x', 'x.md', handOff)).toBe('ready');
    expect(await copies.verdict('x', 'x.md', { server: 'B', from: 'a' })).toBe('ready');
  });

  it('a later hand-over of the same plan waits anew, even when an earlier wait here was never ended', async () => {
    let now = 0;
    const copies = new HandedCopies({ vault, leaseMs: 1_000, now: () => now });
    await writeFile(path.join(vault, 'In_Progress', 'x.md'), 'stale');
    expect(await copies.verdict('x', 'x.md', { server: 'B', from: 'a', fileHash: sha256('step 1 done') })).toBe('wait');
    // Another node took that hand-over; much later the plan is handed to this node again.
    now = 60_000;
    expect(await copies.verdict('x', 'x.md', { server: 'B', from: 'c', fileHash: sha256('step 3 done') })).toBe('wait');
  });
});
