import { mkdtemp, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { clockAt, systemClock } from '../../../src/core/clock.js';
import { createAuditLog } from '../../../src/audit/logger.js';
import { filesToPrune, mustRotate, rotatedFilesOf, rotatedName } from '../../../src/audit/rotation.js';
import type { LogRotationConfig } from '../../../src/config/schema.js';
import { readLogStats } from '../../../src/stats/read-log.js';
import { waitFor } from '../../helpers/daemon-process.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'orch-rotate-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const policy = (over: Partial<LogRotationConfig> = {}): LogRotationConfig => ({ maxBytes: 0, daily: false, keep: 1000, ...over });

/** A clock that moves 1 ms per reading, from `start`; `jump` moves it further. */
function clock(start: string): { now: () => Date; jump(ms: number): void } {
  let t = Date.parse(start);
  return { now: () => new Date(t++), jump: (ms) => void (t += ms) };
}

/** Every JSON line of one log (rotated files oldest first, then the live file), as `step` numbers. */
async function stepsInOrder(logsDir: string, live = 'mcp_actions.jsonl'): Promise<{ steps: number[]; files: string[] }> {
  const names = await readdir(logsDir);
  const files = [...rotatedFilesOf(live, names).map((f) => f.name), ...(names.includes(live) ? [live] : [])];
  const steps: number[] = [];
  for (const file of files) {
    const text = await readFile(path.join(logsDir, file), 'utf8');
    for (const line of text.split('\n').filter(Boolean)) steps.push((JSON.parse(line) as { step: number }).step);
  }
  return { steps, files };
}

describe('rotation rules', () => {
  it('names rotated files after the moment they were closed, and finds them again in time order', () => {
    const at = new Date('2026-02-16T14:20:30.123Z');
    expect(rotatedName('mcp_actions.jsonl', at)).toBe('mcp_actions.2026-02-16T14-20-30-123Z.jsonl');
    expect(rotatedName('mcp_actions.log', at, 2)).toBe('mcp_actions.2026-02-16T14-20-30-123Z.2.log');
    const names = [
      'mcp_actions.2026-02-16T14-20-30-123Z.1.jsonl',
      'mcp_actions.jsonl',
      'mcp_actions.2026-02-16T14-20-30-123Z.jsonl',
      'mcp_actions.2026-02-01T00-00-00-000Z.jsonl',
      'mcp_actions.2026-02-16T14-20-30-123Z.log',
      'mcp_actions.notastamp.jsonl',
      'other.2026-02-16T14-20-30-123Z.jsonl',
    ];
    expect(rotatedFilesOf('mcp_actions.jsonl', names).map((f) => f.name)).toEqual([
      'mcp_actions.2026-02-01T00-00-00-000Z.jsonl',
      'mcp_actions.2026-02-16T14-20-30-123Z.jsonl',
      'mcp_actions.2026-02-16T14-20-30-123Z.1.jsonl',
    ]);
  });

  it('prunes beyond `keep`, and anything older than `keepDays`', () => {
    const day = 86_400_000;
    const now = Date.parse('2026-02-20T00:00:00Z');
    const files = [1, 2, 3, 4, 5].map((n) => ({ name: `f${n}`, closedAtMs: now - n * day, seq: 0 }));
    expect(filesToPrune(files, policy({ keep: 3 }), now).map((f) => f.name)).toEqual(['f4', 'f5']);
    expect(filesToPrune(files, policy({ keep: 10, keepDays: 2 }), now).map((f) => f.name)).toEqual(['f3', 'f4', 'f5']);
  });

  it('rotates a non-empty file that would outgrow maxBytes, or on a new day when daily', () => {
    expect(mustRotate({ size: 90, lastDay: 'd1' }, 20, 'd1', policy({ maxBytes: 100 }))).toBe(true);
    expect(mustRotate({ size: 80, lastDay: 'd1' }, 20, 'd1', policy({ maxBytes: 100 }))).toBe(false);
    expect(mustRotate({ size: 0, lastDay: 'd1' }, 500, 'd2', policy({ maxBytes: 100, daily: true }))).toBe(false);
    expect(mustRotate({ size: 5, lastDay: 'd1' }, 1, 'd2', policy({ daily: true }))).toBe(true);
    expect(mustRotate({ size: 5, lastDay: 'd1' }, 1, 'd2', policy({ daily: false }))).toBe(false);
  });
});

describe('createAuditLog with rotation', () => {
  it('rotates by size without losing, duplicating or reordering a line, in both files', async () => {
    const t = clock('2026-02-16T10:00:00Z');
    const log = createAuditLog({ logsDir: dir, logging: { logParameters: true, sanitize: true, rotate: policy({ maxBytes: 2_000 }) }, clock: clockAt(t.now) });
    for (let step = 1; step <= 300; step++) {
      log.record({ event: 'CALL', plan: 'p', step, server: 's', tool: 't', attempt: 1 });
      if (step % 50 === 0) await new Promise((resolve) => setImmediate(resolve)); // let batches go out in between
    }
    await log.close();
    const json = await stepsInOrder(dir);
    expect(json.steps).toEqual(Array.from({ length: 300 }, (_, i) => i + 1));
    expect(json.files.length).toBeGreaterThan(5);
    for (const file of json.files) expect((await readFile(path.join(dir, file))).length).toBeLessThanOrEqual(2_000);
    const human = (await readdir(dir)).filter((n) => n.endsWith('.log'));
    expect(human.length).toBeGreaterThan(2);
    let humanLines = 0;
    for (const file of human) humanLines += (await readFile(path.join(dir, file), 'utf8')).split('\n').filter(Boolean).length;
    expect(humanLines).toBe(300);
  });

  it('keeps only the newest `keep` rotated files', async () => {
    const t = clock('2026-02-16T10:00:00Z');
    const log = createAuditLog({ logsDir: dir, logging: { logParameters: true, sanitize: true, rotate: policy({ maxBytes: 500, keep: 2 }) }, clock: clockAt(t.now) });
    for (let step = 1; step <= 200; step++) log.record({ event: 'CALL', plan: 'p', step, server: 's', tool: 't' });
    await log.close();
    const { steps, files } = await stepsInOrder(dir);
    expect(files).toHaveLength(3); // two rotated + live
    expect(steps[steps.length - 1]).toBe(200);
    expect(steps).toEqual(Array.from({ length: steps.length }, (_, i) => 200 - steps.length + 1 + i)); // the newest, contiguous
  });

  it('rotates daily, and stats reads the rotated day when --since reaches back to it', async () => {
    const t = clock('2026-02-16T12:00:00');
    const logging = { logParameters: true, sanitize: true, rotate: policy({ daily: true }) };
    const log = createAuditLog({ logsDir: dir, logging, clock: clockAt(t.now) });
    log.record({ event: 'CALL', plan: 'p', step: 1, server: 'yesterday', tool: 't' });
    await new Promise((resolve) => setImmediate(resolve));
    t.jump(86_400_000);
    log.record({ event: 'CALL', plan: 'p', step: 2, server: 'today', tool: 't' });
    await log.close();
    const { steps, files } = await stepsInOrder(dir);
    expect(steps).toEqual([1, 2]);
    expect(files).toHaveLength(2);

    const nowMs = Date.parse('2026-02-17T12:00:01');
    expect((await readLogStats(dir, { sinceMs: nowMs - 3_600_000 })).calls.byServer).toEqual({ today: 1 });
    expect((await readLogStats(dir, { sinceMs: nowMs - 2 * 86_400_000 })).calls.byServer).toEqual({ today: 1, yesterday: 1 });
  });

  it('loses nothing when two processes append and rotate the same files, or logrotate renames one', async () => {
    const logging = { logParameters: true, sanitize: true, rotate: policy({ maxBytes: 1_500 }) };
    const a = createAuditLog({ logsDir: dir, logging, clock: clockAt(clock('2026-02-16T10:00:00Z').now) });
    const b = createAuditLog({ logsDir: dir, logging, clock: clockAt(clock('2026-02-16T10:00:00.500Z').now) });
    for (let step = 1; step <= 400; step++) {
      (step % 2 === 0 ? a : b).record({ event: 'CALL', plan: 'p', step, server: 's', tool: 't' });
      if (step === 200) {
        await new Promise((resolve) => setImmediate(resolve));
        // An external rotation under the writers' feet: later lines must go to the new live file.
        await rename(path.join(dir, 'mcp_actions.jsonl'), path.join(dir, 'mcp_actions.2026-02-16T09-00-00-000Z.jsonl')).catch(() => undefined);
      }
      if (step % 25 === 0) await new Promise((resolve) => setImmediate(resolve));
    }
    await Promise.all([a.close(), b.close()]);
    const { steps } = await stepsInOrder(dir);
    expect([...steps].sort((x, y) => x - y)).toEqual(Array.from({ length: 400 }, (_, i) => i + 1));
  });

  it('writes through a kept descriptor and, once a second has passed, follows a file renamed behind its back', async () => {
    const t = clock('2026-02-16T10:00:00Z');
    const log = createAuditLog({ logsDir: dir, logging: { logParameters: true, sanitize: true, rotate: policy() }, clock: clockAt(t.now) });
    log.record({ event: 'CALL', plan: 'p', step: 1 });
    await waitFor(() => readFile(path.join(dir, 'mcp_actions.jsonl'), 'utf8').then((text) => text.includes('"step":1'), () => false), 'the first line');
    await rename(path.join(dir, 'mcp_actions.jsonl'), path.join(dir, 'mcp_actions.2026-02-16T09-00-00-000Z.jsonl'));
    t.jump(2_000);
    log.record({ event: 'CALL', plan: 'p', step: 2 });
    await log.close();
    const live = (await readFile(path.join(dir, 'mcp_actions.jsonl'), 'utf8')).trimEnd().split('\n');
    expect(live.map((line) => (JSON.parse(line) as { step: number }).step)).toEqual([2]);
    expect((await stepsInOrder(dir)).steps).toEqual([1, 2]);
  });

  it('rotates a file left from yesterday on the first write of a new process', async () => {
    await writeFile(path.join(dir, 'mcp_actions.jsonl'), `${JSON.stringify({ ts: '2026-02-15T10:00:00.000Z', event: 'CALL', step: 0 })}\n`);
    const yesterday = new Date(Date.now() - 86_400_000);
    const { utimes } = await import('node:fs/promises');
    await utimes(path.join(dir, 'mcp_actions.jsonl'), yesterday, yesterday);
    const log = createAuditLog({ logsDir: dir, logging: { logParameters: true, sanitize: true, rotate: policy({ daily: true }) }, clock: systemClock });
    log.record({ event: 'CALL', plan: 'p', step: 1 });
    await log.close();
    const { steps, files } = await stepsInOrder(dir);
    expect(steps).toEqual([0, 1]);
    expect(files).toHaveLength(2);
  });

  it('makes the logs folder again when a human deleted it, once a second has passed', async () => {
    const logsDir = path.join(dir, 'logs');
    const t = clock('2026-02-16T10:00:00Z');
    const log = createAuditLog({ logsDir, logging: { logParameters: true, sanitize: true, rotate: policy({ maxBytes: 10_000 }) }, clock: clockAt(t.now) });
    log.record({ event: 'CALL', plan: 'p', step: 1 });
    await waitFor(() => readFile(path.join(logsDir, 'mcp_actions.jsonl'), 'utf8').then((text) => text.includes('"step":1'), () => false), 'the first line');
    await rm(logsDir, { recursive: true });
    t.jump(2_000);
    log.record({ event: 'CALL', plan: 'p', step: 2 });
    await log.close();
    expect((await stepsInOrder(logsDir)).steps).toEqual([2]);
    expect(await readFile(path.join(logsDir, 'mcp_actions.log'), 'utf8')).toContain('step=2');
  });
});
