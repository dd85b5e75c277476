import { describe, expect, it } from 'vitest';
import { batchWritable } from '../../../src/audit/batch-writable.js';
import { waitFor } from '../../helpers/daemon-process.js';

/** A batchWritable over an array, with a window far longer than any test: only flushSoon or end write. */
function recorder(keyOf?: () => string) {
  const batches: { items: string[]; key: string | undefined }[] = [];
  const out = batchWritable<string>(
    async (items, key) => {
      batches.push({ items, key });
    },
    (error) => {
      throw error;
    },
    { windowMs: 3_600_000, ...(keyOf ? { keyOf } : {}) },
  );
  return { out, batches };
}

describe('batchWritable', () => {
  it('collects everything written within its window into one batch, written when the stream ends', async () => {
    const { out, batches } = recorder();
    for (const item of ['a', 'b', 'c']) out.stream.write(item);
    expect(batches).toEqual([]);
    await out.end();
    expect(batches).toEqual([{ items: ['a', 'b', 'c'], key: undefined }]);
  });

  it('writes at once after flushSoon, without waiting out the window', async () => {
    const { out, batches } = recorder();
    out.stream.write('a');
    out.flushSoon();
    await waitFor(() => batches.length === 1, 'the batch');
    out.flushSoon(); // before the line arrives: the next line goes out at once too
    out.stream.write('b');
    await waitFor(() => batches.length === 2, 'the second batch');
    expect(batches.map((b) => b.items)).toEqual([['a'], ['b']]);
    await out.end();
  });

  it('never mixes two keys in one batch (lines collected across midnight go to their own day)', async () => {
    let day = '2026-02-16';
    const { out, batches } = recorder(() => day);
    out.stream.write('late');
    day = '2026-02-17';
    out.stream.write('early');
    out.stream.write('later');
    await out.end();
    expect(batches).toEqual([
      { items: ['late'], key: '2026-02-16' },
      { items: ['early', 'later'], key: '2026-02-17' },
    ]);
  });
});
