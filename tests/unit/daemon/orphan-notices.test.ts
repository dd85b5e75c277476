/**
 * Several hosts (SPEC §12): a stale copy in In_Progress/ of an approval that ended elsewhere is left alone
 * with one notice while it stays (cluster-orphans.ts). The notice goes with the file, so thousands of
 * such copies coming and going (a sync client moving them on) keep nothing, and one coming back is told again.
 * The leases are a stand-in; the clock is injected, so every file has sat for longer than a lease.
 */
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createMemoryAuditLog } from '../../../src/audit/memory.js';
import type { ClusterLeases } from '../../../src/cluster/leases.js';
import { loadConfig } from '../../../src/config/index.js';
import { clockAt } from '../../../src/core/clock.js';
import { EventStream } from '../../../src/events/event-stream.js';
import { ApprovalBook } from '../../../src/daemon/approvals.js';
import { adoptOrphans } from '../../../src/daemon/cluster-orphans.js';
import { FileNotices } from '../../../src/daemon/notices.js';
import type { PlanRunner } from '../../../src/daemon/runner.js';
import { Settler } from '../../../src/daemon/settle.js';
import type { JournalRecord } from '../../../src/journal/records.js';
import type { JournalStore } from '../../../src/journal/store.js';
import { ensureVaultFolders } from '../../../src/vault/folders.js';
import { createWorkspace } from '../../helpers/workspace.js';

const at = '2026-12-02T07:00:00.000Z';
const ended = (claim: string): JournalRecord[] => [
  { type: 'claimed', claim, plan: claim, name: `${claim}.md`, file: `${claim}.md`, hash: 'h', at },
  { type: 'finalized', claim, folder: 'Done', file: `${claim}.md`, at },
];

describe('stale In_Progress/ copies of ended approvals', () => {
  it('2,000 distinct copies coming and going: one notice each while it stays, none kept after; one coming back is told again', async () => {
    const ws = await createWorkspace();
    try {
      const config = await loadConfig(ws.configPath, process.env);
      await ensureVaultFolders(config.vault);
      const clock = clockAt(() => new Date(Date.now() + 3_600_000)); // an hour on: every file has sat for a lease
      const stream = new EventStream();
      const audit = createMemoryAuditLog();
      const leases = {
        node: 'laptop',
        leaseMs: 1_000,
        leased: async () => new Set<string>(),
        adopt: async () => true,
        settle: async () => undefined,
        recordsOf: async (claim: string) => ended(claim),
      } as unknown as ClusterLeases;
      const runner = { isActive: () => false } as unknown as PlanRunner;
      const recovery = { config, store: {} as JournalStore, stream, audit, clock, settler: new Settler({ vault: config.vault, stream, clock }), schedule: () => () => undefined };
      const noticed = new FileNotices();
      const look = () => adoptOrphans({ leases, recovery, book: new ApprovalBook([]), runner, noticed });
      const told = () => audit.events.filter((event) => /is a copy of an approval that ended in Done\/; left where it is/.test(event.message ?? '')).length;
      const copy = (name: string) => ws.writePlan(`${name}.md`, `---\nid: ${name}\napproval_id: ${name}\n---\n- [x] look\n`, 'In_Progress');
      const perRound = 400;
      for (let round = 0; round < 5; round += 1) {
        const names = Array.from({ length: perRound }, (_, i) => `ended-${round}-${i}`);
        for (const name of names) await copy(name);
        expect(await look()).toBe(0);
        expect(await look()).toBe(0);
        expect(told()).toBe((round + 1) * perRound);
        expect(noticed.size).toBe(perRound);
        for (const name of names) await rm(path.join(config.vault, 'In_Progress', `${name}.md`));
        await look();
        expect(noticed.size).toBe(0);
      }
      await copy('ended-0-0');
      await look();
      await look();
      expect(told()).toBe(5 * perRound + 1);
    } finally {
      await ws.cleanup();
    }
  }, 120_000);
});
