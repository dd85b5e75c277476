/**
 * The intake's claim in a cluster (SPEC §12) when it fails after the file was moved (the `claimed` record
 * or the stamp hit a passing database or disk error): the lease reserved for it is let go at once — not
 * renewed for the daemon's life — and its bytes stay taken, so the file in In_Progress/ is adopted like
 * any orphan. Before, the file sat stamped in In_Progress/ for good and the ALERT said "left where it is".
 */
import { createHash } from 'node:crypto';
import { truncate } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { createMemoryAuditLog } from '../../../src/audit/memory.js';
import { loadConfig } from '../../../src/config/index.js';
import { systemClock } from '../../../src/core/clock.js';
import { EventStream } from '../../../src/events/event-stream.js';
import { ApprovalBook } from '../../../src/daemon/approvals.js';
import { Intake, type IntakeOptions } from '../../../src/daemon/intake.js';
import { Settler } from '../../../src/daemon/settle.js';
import { ensureVaultFolders } from '../../../src/vault/folders.js';
import { createWorkspace } from '../../helpers/workspace.js';

async function intakeWith(claimFails: boolean, cluster: boolean, bytes?: number) {
  const ws = await createWorkspace({ daemon: { stabilityMs: 0 } });
  const config = await loadConfig(ws.configPath, process.env);
  await ensureVaultFolders(config.vault);
  const file = await ws.writePlan('p.md', '---\nid: p\n---\n- [ ] look\n  ```yaml\n  action: act\n  name: x\n  ```\n', 'Approved');
  if (bytes !== undefined) await truncate(file, bytes); // sparse: takes no disk
  const stream = new EventStream();
  stream.subscribe((event) => {
    if (claimFails && event.type === 'claimed') throw new Error('Connection terminated unexpectedly');
  });
  const audit = createMemoryAuditLog();
  const calls: string[] = [];
  const deliveries: string[] = [];
  const fatal: unknown[] = [];
  const leases: Pick<IntakeOptions, 'reserve' | 'release' | 'letGo'> = {
    reserve: async (_approval, delivery) => (calls.push('reserve'), deliveries.push(delivery), { kind: 'reserved', token: '1' }),
    release: async () => void calls.push('release'),
    letGo: async () => void calls.push('letGo'),
  };
  const intake = new Intake({
    config,
    stream,
    audit,
    clock: systemClock,
    stopSignal: new AbortController().signal,
    schedule: () => () => undefined,
    book: new ApprovalBook([]),
    runner: { reserve: () => true, unreserve: () => void calls.push('unreserve'), enqueue: () => void calls.push('enqueue'), checkFiles: async () => undefined, isActive: () => false },
    settler: new Settler({ vault: config.vault, stream, clock: systemClock }),
    onFatal: (error) => void fatal.push(error),
    ...(cluster ? leases : {}),
  });
  await intake.scan();
  return { ws, audit, calls, deliveries, fatal, cleanup: () => ws.cleanup() };
}

describe('a claim that fails after the move', () => {
  it('cluster: its lease is let go (its bytes kept, not released), the file stays in In_Progress/, one ALERT saying so', async () => {
    const t = await intakeWith(true, true);
    try {
      expect(t.calls).toEqual(['reserve', 'unreserve', 'letGo']);
      expect(await t.ws.list('In_Progress')).toEqual(['p.md']);
      expect(await t.ws.list('Approved')).toEqual([]);
      const alerts = t.audit.events.filter((event) => event.event === 'ALERT').map((event) => event.message ?? '');
      expect(alerts).toHaveLength(1);
      expect(alerts[0]).toMatch(/^moved Approved\/p\.md into In_Progress\/ but could not claim it \(Connection terminated unexpectedly\); its lease is let go, and a node adopts it/);
      expect(t.fatal).toEqual([]);
    } finally {
      await t.cleanup();
    }
  });

  it('cluster: a claim that succeeds neither lets go nor releases', async () => {
    const t = await intakeWith(false, true);
    try {
      expect(t.calls).toEqual(['reserve', 'enqueue']);
      expect(await t.ws.list('In_Progress')).toEqual(['p.md']);
      // Reserved by the bytes it was judged by (read once, where it lay in Approved/).
      expect(t.deliveries).toEqual([createHash('sha256').update('---\nid: p\n---\n- [ ] look\n  ```yaml\n  action: act\n  name: x\n  ```\n').digest('hex')]);
    } finally {
      await t.cleanup();
    }
  });

  it('cluster: a file too large to be a plan is reserved by its size, unread, and claimed (the run refuses it by size)', async () => {
    const t = await intakeWith(false, true, 3 * 1024 ** 3);
    try {
      expect(t.calls).toEqual(['reserve', 'enqueue']);
      expect(t.deliveries).toEqual([`size:${3 * 1024 ** 3}`]);
      expect(t.audit.events.filter((event) => event.event === 'ALERT')).toEqual([]);
    } finally {
      await t.cleanup();
    }
  });
});
