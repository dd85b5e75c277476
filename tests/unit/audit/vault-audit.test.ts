import { mkdir, mkdtemp, readdir, readFile, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createMemoryAuditLog } from '../../../src/audit/memory.js';
import { localDay } from '../../../src/core/text.js';
import { teeAuditLogs } from '../../../src/audit/tee.js';
import type { AuditLog } from '../../../src/audit/types.js';
import { createVaultAudit, vaultAuditFor } from '../../../src/audit/vault-audit-sink.js';
import type { VaultAuditEntry } from '../../../src/audit/vault-audit.js';
import { ConfigSchema, type Config } from '../../../src/config/schema.js';
import { clockAt } from '../../../src/core/clock.js';
import { waitFor } from '../../helpers/daemon-process.js';
import { attemptFailed, attemptSucceeded, claimed, planEnded, planMoved, planRef, resolvedStep } from '../../helpers/plan-events.js';

let dir: string;
let logsDir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'orch-vault-audit-'));
  logsDir = path.join(dir, 'vault', 'Logs');
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function entries(day: string): Promise<VaultAuditEntry[]> {
  const text = await readFile(path.join(logsDir, `${day}.json`), 'utf8');
  return text.trimEnd().split('\n').map((line) => JSON.parse(line) as VaultAuditEntry);
}

const NOON = new Date('2026-02-16T12:00:00');
const step = { plan: '20260216-Plan', step: 1, server: 'email-server', tool: 'send_email', approved_by: 'boss@company.com' };

describe('createHackathonAuditSink', () => {
  it('writes one hackathon entry per call outcome and plan event, sanitized, into the day’s file', async () => {
    const sink = createVaultAudit({ dir: logsDir, clock: clockAt(() => NOON) });
    const plan = planRef(step.plan, 'boss@company.com');
    const mail = resolvedStep({ index: 1, server: step.server, tool: step.tool });
    sink.subscriber(claimed({ claim: 'x.md', approval: 'a1', id: step.plan }, NOON));
    sink.subscriber({ type: 'attempt_started', plan, at: NOON, step: mail, attempt: 1, args: { to: 'client@example.com' } });
    sink.subscriber(
      attemptFailed({
        plan,
        step: mail,
        attempt: 1,
        args: { to: 'client@example.com', subject: 'Invoice #123', api_key: 'sk-live-abcdefghijkl' },
        type: 'rate_limit',
        message: 'slow down client@example.com',
        retrying: true,
        durationMs: 12,
        at: NOON,
      }),
    );
    sink.subscriber(attemptSucceeded({ plan, step: mail, attempt: 2, args: { to: 'client@example.com', subject: 'Invoice #123' }, durationMs: 34, text: 'sent', at: NOON }));
    sink.subscriber({ type: 'step_ended', plan, at: NOON, step: mail, outcome: { kind: 'succeeded', attempts: 2, result: { text: 'sent' } } });
    sink.subscriber(planEnded(plan, { kind: 'completed' }, 'Done', NOON));
    sink.subscriber(planMoved(plan, 'Done', NOON));
    sink.notices.record({ event: 'ALERT', message: 'auth failed for token=abc123secret' });
    await sink.notices.close();

    const found = await entries(localDay(NOON));
    expect(found.map((e) => [e.action_type, e.result])).toEqual([
      ['plan_claimed', 'claimed'],
      ['send_email', 'retrying'],
      ['send_email', 'success'],
      ['plan_run', 'completed'],
      ['plan_moved', 'done'],
      ['alert', 'alert'],
    ]);
    expect(found[2]).toEqual({
      timestamp: NOON.toISOString(),
      action_type: 'send_email',
      actor: 'mcp-orchestrator',
      target: 'client@***.com',
      parameters: { to: 'client@***.com', subject: 'Invoice #123' },
      approval_status: 'approved',
      approved_by: 'boss@***.com',
      result: 'success',
      plan: '20260216-Plan',
      step: 1,
      attempt: 2,
      server: 'email-server',
      duration_ms: 34,
    });
    expect(found[1]).toMatchObject({ error_type: 'rate_limit', error: 'slow down client@***.com', parameters: { api_key: '[REDACTED]' } });
    expect(found[0]).toMatchObject({ approved_by: 'human', target: '20260216-Plan' });
    const text = await readFile(path.join(logsDir, `${localDay(NOON)}.json`), 'utf8');
    for (const secret of ['client@example.com', 'boss@company.com', 'sk-live-abcdefghijkl', 'abc123secret']) expect(text).not.toContain(secret);
  });

  it('starts a new file when the day changes', async () => {
    let now = NOON;
    const sink = createVaultAudit({ dir: logsDir, clock: clockAt(() => now) });
    sink.subscriber(claimed(planRef('a'), now));
    now = new Date(NOON.getTime() + 86_400_000);
    sink.subscriber(claimed(planRef('b'), now));
    await sink.notices.close();
    expect((await entries(localDay(NOON))).map((e) => e.target)).toEqual(['a']);
    expect((await entries(localDay(now))).map((e) => e.target)).toEqual(['b']);
  });

  it('deletes day files older than the retention, and nothing else in Logs/', async () => {
    await mkdir(logsDir, { recursive: true });
    const old = localDay(new Date(NOON.getTime() - 10 * 86_400_000));
    const recent = localDay(new Date(NOON.getTime() - 2 * 86_400_000));
    for (const name of [`${old}.json`, `${recent}.json`, 'notes.md', 'summary.json', '2020-01-01.json.bak']) {
      await writeFile(path.join(logsDir, name), '{}\n');
    }
    const sink = createVaultAudit({ dir: logsDir, retentionDays: 5, clock: clockAt(() => NOON) });
    sink.subscriber(claimed(planRef('p'), NOON));
    await sink.notices.close();
    expect((await readdir(logsDir)).sort()).toEqual(
      [`${recent}.json`, `${localDay(NOON)}.json`, 'notes.md', 'summary.json', '2020-01-01.json.bak'].sort(),
    );
  });

  it('leaves parameters out when logParameters is off, and writes nothing when disabled in the config', async () => {
    const sink = createVaultAudit({ dir: logsDir, logParameters: false, clock: clockAt(() => NOON) });
    const mail = resolvedStep({ server: step.server, tool: step.tool });
    sink.subscriber(attemptSucceeded({ plan: planRef(step.plan), step: mail, attempt: 1, args: { subject: 'confidential' }, at: NOON }));
    await sink.notices.close();
    const [entry] = await entries(localDay(NOON));
    expect(entry?.parameters).toEqual({});
    expect(entry?.target).toBe('email-server.send_email');

    const config = { ...ConfigSchema.parse({ logging: { vaultAudit: { enabled: false } } }), vault: path.join(dir, 'v2'), configPath: 'x' } as Config;
    expect(vaultAuditFor(config, { clock: clockAt(() => NOON) })).toBeUndefined();
    await expect(readdir(path.join(dir, 'v2'))).rejects.toThrow(/ENOENT/);
  });
});

describe('teeAuditLogs', () => {
  it('records every event in every log, even when one of them throws, and closes them all', async () => {
    const first = createMemoryAuditLog();
    const second = createMemoryAuditLog();
    let closedBroken = false;
    const broken: AuditLog = {
      record: () => {
        throw new Error('boom');
      },
      close: async () => {
        closedBroken = true;
      },
    };
    const tee = teeAuditLogs(first, broken, second);
    tee.record({ event: 'CLAIM', plan: 'p' });
    tee.record({ event: 'DONE', plan: 'p' });
    await tee.close();
    expect(first.events.map((e) => e.event)).toEqual(['CLAIM', 'DONE']);
    expect(second.events.map((e) => e.event)).toEqual(['CLAIM', 'DONE']);
    expect(closedBroken).toBe(true);
  });
});

describe('the vault day file through a kept descriptor', () => {
  it.each([
    ['writes the day file again after a human deleted it, once a second has passed', (day: string) => unlink(path.join(logsDir, `${day}.json`))],
    ['makes Logs/ again after a human deleted the folder during the day', () => rm(logsDir, { recursive: true })],
  ])('%s', async (_name, remove) => {
    let now = NOON.getTime();
    const sink = createVaultAudit({ dir: logsDir, clock: clockAt(() => new Date(now)) });
    const day = localDay(NOON);
    sink.notices.record({ event: 'ALERT', message: 'first' });
    await waitFor(() => readFile(path.join(logsDir, `${day}.json`), 'utf8').then((text) => text.includes('first'), () => false), 'the first entry');
    await remove(day);
    now += 2_000;
    sink.notices.record({ event: 'ALERT', message: 'second' });
    await sink.notices.close();
    const text = await readFile(path.join(logsDir, `${day}.json`), 'utf8');
    expect(text).toContain('second');
    expect(text).not.toContain('first');
  });
});
