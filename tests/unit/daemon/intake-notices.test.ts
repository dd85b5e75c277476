/**
 * The intake's notices about files left in Approved/ (here: copies of an approval another node took, SPEC §12)
 * on an injected clock: one notice per file while it stays, however many scans see it; the notice goes
 * with the file, so thousands of distinct files coming and going keep nothing, and the same copy coming
 * back later is told again.
 */
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createMemoryAuditLog } from '../../../src/audit/memory.js';
import { loadConfig } from '../../../src/config/index.js';
import { clockAt } from '../../../src/core/clock.js';
import { EventStream } from '../../../src/events/event-stream.js';
import { ApprovalBook } from '../../../src/daemon/approvals.js';
import { Intake } from '../../../src/daemon/intake.js';
import { Settler } from '../../../src/daemon/settle.js';
import { ensureVaultFolders } from '../../../src/vault/folders.js';
import { createWorkspace } from '../../helpers/workspace.js';

const plan = (n: string) => `---\nid: p${n}\n---\n- [ ] look\n  \`\`\`yaml\n  action: act\n  name: x${n}\n  \`\`\`\n`;

describe('the intake tells each trouble of a file once while it stays, and forgets it when the file goes', () => {
  it('2,000 distinct copies coming and going: one notice each, none kept after they went; one coming back is told again', async () => {
    const ws = await createWorkspace({ daemon: { stabilityMs: 1_000 } });
    try {
      const config = await loadConfig(ws.configPath, process.env);
      await ensureVaultFolders(config.vault);
      let now = Date.now();
      const clock = clockAt(() => new Date(now));
      const stream = new EventStream();
      const audit = createMemoryAuditLog();
      const intake = new Intake({
        config,
        stream,
        audit,
        clock,
        stopSignal: new AbortController().signal,
        schedule: () => () => undefined,
        book: new ApprovalBook([]),
        runner: { reserve: () => true, unreserve: () => undefined, enqueue: () => undefined, checkFiles: async () => undefined, isActive: () => false },
        settler: new Settler({ vault: config.vault, stream, clock }),
        onFatal: (error) => {
          throw error;
        },
        reserve: async () => ({ kind: 'copy', approval: 'taken', node: 'cloud' }),
        release: async () => undefined,
        letGo: async () => undefined,
      });
      const told = () => audit.events.filter((event) => event.event === 'AUDIT' && /is a copy of an approval node cloud took/.test(event.message ?? '')).length;
      const scan = async () => {
        now += 5_000; // past the stability window: every file is ready
        await intake.scan();
      };
      const perRound = 400;
      for (let round = 0; round < 5; round += 1) {
        const names = Array.from({ length: perRound }, (_, i) => `copy-${round}-${i}.md`);
        for (const [i, name] of names.entries()) await ws.writePlan(name, plan(`${round}-${i}`), 'Approved');
        await scan();
        await scan();
        await scan();
        expect(told()).toBe((round + 1) * perRound);
        expect(intake.noticesKept).toBe(perRound);
        for (const name of names) await rm(path.join(config.vault, 'Approved', name));
        await scan();
        expect(intake.noticesKept).toBe(0);
      }
      expect(await ws.list('Approved')).toEqual([]);
      // The same copy again, later: told again, once.
      await ws.writePlan('copy-0-0.md', plan('0-0'), 'Approved');
      await scan();
      await scan();
      expect(told()).toBe(5 * perRound + 1);
      expect(intake.noticesKept).toBe(1);
    } finally {
      await ws.cleanup();
    }
  }, 120_000);
});
