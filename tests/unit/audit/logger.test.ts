import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { clockAt } from '../../../src/core/clock.js';
import { createAuditLog } from '../../../src/audit/logger.js';
import { createMemoryAuditLog } from '../../../src/audit/memory.js';
import type { AuditEvent } from '../../../src/audit/types.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'orch-audit-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const logging = { logParameters: true, sanitize: true };
const fixed = () => new Date('2026-02-16T14:20:30Z');

async function readLogs(logsDir: string): Promise<{ human: string; json: string }> {
  return {
    human: await readFile(path.join(logsDir, 'mcp_actions.log'), 'utf8'),
    json: await readFile(path.join(logsDir, 'mcp_actions.jsonl'), 'utf8'),
  };
}

// Everything a plan could carry that must never reach a log unmasked.
const SECRETS = ['hunter2', 'sk-proj-abcdefghijklmnop', 'ya29.linkedin-token', 'AIzaSyA1234567890abcdefghijkl', 'cookie-value-42'];
const EMAILS = ['client@example.com', 'boss@company.com', 'cc.person@acme.co.uk'];

const planEvents: AuditEvent[] = [
  { event: 'CLAIM', plan: 'p1', approved_by: 'boss@company.com' },
  { event: 'CALL', plan: 'p1', step: 1, server: 'email-server', tool: 'send_email', attempt: 1 },
  {
    event: 'PARAMS', plan: 'p1', step: 1, server: 'email-server', tool: 'send_email', attempt: 1,
    params: {
      to: 'client@example.com', cc: ['cc.person@acme.co.uk'], subject: 'Q4', body: 'Hi client@example.com',
      smtp_password: 'hunter2', api_key: 'sk-proj-abcdefghijklmnop', headers: { Cookie: 'cookie-value-42' },
      idempotency_key: 'p1:1:abc',
    },
  },
  {
    event: 'FAILED', plan: 'p1', step: 2, server: 'linkedin-server', tool: 'create_post', attempt: 1, error_type: 'authentication',
    message: 'POST https://api.linkedin.com failed with Authorization: Bearer ya29.linkedin-token for boss@company.com',
  },
  { event: 'ALERT', message: 'model-router: key AIzaSyA1234567890abcdefghijkl rejected; smtp://me:hunter2@smtp.example.com down' },
  { event: 'DONE', plan: 'p1', status: 'failed', duration_ms: 1234 },
];

describe('createAuditLog', () => {
  it('never writes a plan’s secrets or e-mail addresses unmasked, in either file', async () => {
    const logsDir = path.join(dir, 'nested', 'logs');
    const log = createAuditLog({ logsDir, logging, clock: clockAt(fixed) });
    for (const event of planEvents) log.record(event);
    await log.close();
    const { human, json } = await readLogs(logsDir);
    for (const text of [human, json]) {
      for (const secret of [...SECRETS, ...EMAILS]) expect(text).not.toContain(secret);
      expect(text).toContain('client@***.com');
      expect(text).toContain('boss@***.com');
      expect(text).toContain('p1:1:abc');
    }
  });

  it('writes one human line and one JSON line per event, in order, closing only when flushed', async () => {
    const log = createAuditLog({ logsDir: dir, logging, clock: clockAt(fixed) });
    for (let step = 1; step <= 500; step++) log.record({ event: 'CALL', plan: 'p', step, server: 's', tool: 't' });
    await log.close();
    const { human, json } = await readLogs(dir);
    const humanLines = human.trimEnd().split('\n');
    const jsonLines = json.trimEnd().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(humanLines).toHaveLength(500);
    expect(humanLines[499]).toMatch(/\] \[MCP_ORCHESTRATOR\] CALL - s\.t plan=p step=500$/);
    expect(jsonLines.map((r) => r['step'])).toEqual(Array.from({ length: 500 }, (_, i) => i + 1));
    expect(jsonLines[0]).toEqual({ ts: '2026-02-16T14:20:30.000Z', event: 'CALL', plan: 'p', step: 1, server: 's', tool: 't' });
  });

  it('appends to existing files and ignores events after close', async () => {
    const first = createAuditLog({ logsDir: dir, logging, clock: clockAt(fixed) });
    first.record({ event: 'CLAIM', plan: 'a' });
    await first.close();
    first.record({ event: 'CLAIM', plan: 'ignored' });
    const second = createAuditLog({ logsDir: dir, logging, clock: clockAt(fixed) });
    second.record({ event: 'CLAIM', plan: 'b' });
    await second.close();
    const { human, json } = await readLogs(dir);
    expect(human.trimEnd().split('\n').map((l) => l.split('plan=')[1])).toEqual(['a', 'b']);
    expect(json.trimEnd().split('\n')).toHaveLength(2);
  });

  it('leaves params out entirely when logParameters is false', async () => {
    const log = createAuditLog({ logsDir: dir, logging: { logParameters: false, sanitize: true }, clock: clockAt(fixed) });
    log.record({ event: 'PARAMS', plan: 'p', params: { subject: 'confidential subject' } });
    await log.close();
    const { human, json } = await readLogs(dir);
    expect(human + json).not.toContain('confidential');
  });

  it('reports a file it cannot open and still closes', async () => {
    await mkdir(path.join(dir, 'mcp_actions.log')); // a directory where the file should be
    const errors: string[] = [];
    const log = createAuditLog({ logsDir: dir, logging, clock: clockAt(fixed), onError: (e) => errors.push(e.message) });
    log.record({ event: 'ALERT', message: 'x' });
    await log.close();
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain('EISDIR');
    expect((await readFile(path.join(dir, 'mcp_actions.jsonl'), 'utf8')).trimEnd().split('\n')).toHaveLength(1);
  });
});

describe('createMemoryAuditLog', () => {
  it('keeps recorded events in order until closed', async () => {
    const log = createMemoryAuditLog();
    log.record({ event: 'CLAIM', plan: 'p' });
    log.record({ event: 'DONE', plan: 'p' });
    await log.close();
    log.record({ event: 'ALERT' });
    expect(log.events.map((e) => e.event)).toEqual(['CLAIM', 'DONE']);
  });
});
