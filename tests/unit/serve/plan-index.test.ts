/**
 * The plan index never reports "no such plan" for a plan that only moved while it looked: the daemon
 * claiming it between two folders' listings (forwards), or a human moving it back (backwards).
 */
import { mkdir, mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PlanIndex } from '../../../src/serve/plan-index.js';
import { listPlanFiles } from '../../../src/vault/list-plan-files.js';

const PLAN = ['---', 'id: moving', '---', '## Steps', '- [ ] Say', '  ```yaml', '  action: echo', '  text: hi', '  ```', ''].join('\n');
const FOLDERS = ['Pending_Approval', 'Approved', 'In_Progress', 'Done', 'Failed', 'Needs_Review', 'Rejected'];

describe('PlanIndex', () => {
  let vault: string;
  beforeEach(async () => {
    vault = await mkdtemp(path.join(tmpdir(), 'plan-index-'));
    for (const folder of FOLDERS) await mkdir(path.join(vault, folder));
  });
  afterEach(async () => {
    await rm(vault, { recursive: true, force: true });
  });

  /** A listing that moves the plan from one folder to another right after listing `after`. */
  function movingAfter(after: string, from: string, to: string): (dir: string) => ReturnType<typeof listPlanFiles> {
    let moved = false;
    return async (dir) => {
      const listing = await listPlanFiles(dir);
      if (!moved && path.basename(dir) === after) {
        moved = true;
        await rename(path.join(vault, from, 'p.md'), path.join(vault, to, 'p.md'));
      }
      return listing;
    };
  }

  it('sees a plan claimed (Approved/ to In_Progress/) between two listings in its new folder, and no ghost where it was', async () => {
    await writeFile(path.join(vault, 'Approved', 'p.md'), PLAN);
    const index = new PlanIndex(vault, movingAfter('Approved', 'Approved', 'In_Progress'));
    await index.refresh();
    expect(index.find('moving')).toMatchObject({ folder: 'In_Progress' });
    expect(index.all().map((plan) => plan.path)).toEqual(['In_Progress/p.md']);
  });

  it('looks again when a known plan vanished during a pass (moved back by a human) instead of losing it', async () => {
    await writeFile(path.join(vault, 'In_Progress', 'p.md'), PLAN);
    let moved = false;
    const seen: (string | undefined)[] = [];
    const index: PlanIndex = new PlanIndex(vault, async (dir) => {
      // Moved back to Approved/ after Approved/ was listed and before In_Progress/ is: this pass misses it.
      if (!moved && seenOnce && path.basename(dir) === 'In_Progress') {
        moved = true;
        await rename(path.join(vault, 'In_Progress', 'p.md'), path.join(vault, 'Approved', 'p.md'));
        seen.push(index.find('moving')?.folder);
      }
      return listPlanFiles(dir);
    });
    let seenOnce = false;
    await index.refresh();
    seenOnce = true;
    expect(index.find('moving')).toMatchObject({ folder: 'In_Progress' });
    const changed = await index.refresh();
    expect(seen).toEqual(['In_Progress']);
    expect(index.find('moving')).toMatchObject({ folder: 'Approved' });
    expect(changed.has('moving')).toBe(true);
  });

  it('reports a deleted plan as gone after a few looks', async () => {
    await writeFile(path.join(vault, 'Done', 'p.md'), PLAN);
    const index = new PlanIndex(vault);
    await index.refresh();
    await rm(path.join(vault, 'Done', 'p.md'));
    const changed = await index.refresh();
    expect(changed.has('moving')).toBe(true);
    expect(index.find('moving')).toBeUndefined();
  });
});
