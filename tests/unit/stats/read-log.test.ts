import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { formatJsonLine } from '../../../src/audit/format.js';
import { rotatedName } from '../../../src/audit/rotation.js';
import { parseDuration } from '../../../src/core/duration.js';
import { formatStatsReport } from '../../../src/stats/format.js';
import { readQueueDepth } from '../../../src/stats/queue-depth.js';
import { logFilesToRead, readLogStats } from '../../../src/stats/read-log.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'orch-stats-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const call = (at: string, server = 's'): string =>
  formatJsonLine({ event: 'CALL', plan: 'p', step: 1, server, tool: 't', attempt: 1 }, new Date(at));

describe('readLogStats', () => {
  it('reads rotated files that reach into the window, oldest first, and skips those closed before it', async () => {
    const old = rotatedName('mcp_actions.jsonl', new Date('2026-02-01T00:00:00Z'));
    const recent = rotatedName('mcp_actions.jsonl', new Date('2026-02-15T12:00:00Z'));
    await writeFile(path.join(dir, old), `${call('2026-01-31T10:00:00Z', 'old')}\n`);
    await writeFile(path.join(dir, recent), `${call('2026-02-14T10:00:00Z', 'early')}\n${call('2026-02-15T11:00:00Z', 'inside')}\n`);
    await writeFile(path.join(dir, 'mcp_actions.jsonl'), `${call('2026-02-16T09:00:00Z', 'live')}\n`);
    await writeFile(path.join(dir, 'mcp_actions.log'), 'human lines are not read\n');
    await writeFile(path.join(dir, 'mcp_actions.jsonl.bak'), `${call('2026-02-16T09:00:00Z', 'stray')}\n`);

    const sinceMs = Date.parse('2026-02-15T00:00:00Z');
    expect((await logFilesToRead(dir, sinceMs)).map((f) => path.basename(f))).toEqual([recent, 'mcp_actions.jsonl']);
    const windowed = await readLogStats(dir, { sinceMs });
    expect(windowed.calls.byServer).toEqual({ inside: 1, live: 1 });

    const all = await readLogStats(dir);
    expect(all.files.map((f) => path.basename(f))).toEqual([old, recent, 'mcp_actions.jsonl']);
    expect(all.calls.byServer).toEqual({ old: 1, early: 1, inside: 1, live: 1 });
  });

  it('counts a torn last line (a write in progress) as skipped, and survives a missing logs folder', async () => {
    await writeFile(path.join(dir, 'mcp_actions.jsonl'), `${call('2026-02-16T09:00:00Z')}\r\n${call('2026-02-16T09:00:01Z').slice(0, 30)}`);
    const stats = await readLogStats(dir);
    expect(stats.calls.total).toBe(1);
    expect(stats.lines.skipped).toBe(1);
    const none = await readLogStats(path.join(dir, 'absent'));
    expect(none.files).toEqual([]);
    expect(none.lines.read).toBe(0);
  });
});

describe('readLogStats line splitting', () => {
  it('keeps characters split across read chunks whole, and skips an oversized line without holding it', async () => {
    const wide = formatJsonLine({ event: 'CALL', plan: 'é'.repeat(700_000), server: 'é-server', tool: 't' }, new Date('2026-02-16T09:00:00Z'));
    const huge = `{"ts":"2026-02-16T09:00:00.000Z","event":"PARAMS","params":"${'x'.repeat(9 * 1024 * 1024)}"}`;
    await writeFile(path.join(dir, 'mcp_actions.jsonl'), [wide, huge, call('2026-02-16T09:00:01Z', 'after')].join('\n'));
    const stats = await readLogStats(dir);
    expect(stats.calls.byServer).toEqual({ 'é-server': 1, after: 1 });
    expect(stats.lines).toEqual({ read: 3, counted: 2, skipped: 1 });
  });
});

describe('readQueueDepth', () => {
  it('counts Approved/ as waiting and In_Progress/ as in progress, deferred ones among them', async () => {
    const vault = path.join(dir, 'vault');
    await mkdir(path.join(vault, 'Approved'), { recursive: true });
    await mkdir(path.join(vault, 'In_Progress'), { recursive: true });
    await writeFile(path.join(vault, 'Approved', 'a.md'), '# a\n');
    await writeFile(path.join(vault, 'Approved', 'b.md'), '---\nstatus: pending\n---\n');
    await writeFile(path.join(vault, 'Approved', '.hidden.md'), '');
    await writeFile(path.join(vault, 'Approved', 'notes.txt'), '');
    await writeFile(path.join(vault, 'In_Progress', 'c.md'), '---\nstatus: in_progress\n---\n');
    await writeFile(path.join(vault, 'In_Progress', 'd.md'), '---\nstatus: deferred\nretry_at: 2026-02-16T10:00:00Z\n---\n');
    await writeFile(path.join(vault, 'In_Progress', 'e.md'), '---\nstatus: [broken\n---\n');
    expect(await readQueueDepth(vault)).toEqual({ waiting: 2, inProgress: 3, deferred: 1 });
    expect(await readQueueDepth(path.join(dir, 'no-vault'))).toEqual({ waiting: 0, inProgress: 0, deferred: 0 });
  });
});

describe('parseDuration', () => {
  it('accepts 30m, 24h, 7d and refuses anything else with a one-line hint', () => {
    expect(parseDuration('30m')).toBe(30 * 60_000);
    expect(parseDuration('24h')).toBe(86_400_000);
    expect(parseDuration('7d')).toBe(7 * 86_400_000);
    expect(parseDuration('2w')).toBe(14 * 86_400_000);
    // One grammar with the configuration's durations: decimals and milliseconds too.
    expect(parseDuration('1.5h')).toBe(90 * 60_000);
    expect(parseDuration('250ms')).toBe(250);
    for (const bad of ['', '0h', '24', 'h', '-1d', '3y', '99999999999999999999d']) {
      expect(() => parseDuration(bad)).toThrow(/use a number and a unit, such as 30m, 24h or 7d/);
    }
  });
});

describe('formatStatsReport', () => {
  it('prints the queue, the per-day calls per server, and a row per action', async () => {
    await writeFile(
      path.join(dir, 'mcp_actions.jsonl'),
      [
        call('2026-02-16T09:00:00Z', 'email-server'),
        formatJsonLine({ event: 'SUCCESS', server: 'email-server', tool: 't', status: 'success', duration_ms: 120 }, new Date('2026-02-16T09:00:01Z')),
        formatJsonLine({ event: 'FAILED', server: 'email-server', tool: 't', error_type: 'timeout', duration_ms: 30000 }, new Date('2026-02-16T09:00:31Z')),
      ].join('\n'),
    );
    const stats = await readLogStats(dir, { dayOf: (d) => d.toISOString().slice(0, 10) });
    const text = formatStatsReport({ ...stats, queue: { waiting: 2, inProgress: 1, deferred: 1 } }, '24h').join('\n');
    expect(text).toContain('Queue: 2 waiting, 1 in progress (1 deferred)');
    expect(text).toContain('(since 24h)');
    expect(text).toMatch(/DAY\s+TOTAL\s+email-server\n2026-02-16\s+1\s+1/);
    expect(text).toMatch(/email-server\.t\s+1\s+50\.0%\s+0\s+1\s+15060\s+30000/);
    expect(text).toMatch(/timeout\s+1\s+50\.0%/);
  });
});
